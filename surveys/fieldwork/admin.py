"""Admin: e-mail messages (retry failed ones, mark interrupted ones sent), mailings, texts, contacts,
background jobs. The task engine's own results (with each failed task's traceback) are listed by
django-tasks-db's admin under "Task Results"."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from surveys.admin_mixins import ChoiceLabelsMixin
from surveys.text import CleanTextAdminMixin

from . import services
from .models import Contact, Job, Mailing, Message, MessageTemplate


@admin.register(Message)
class MessageAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["invitation", "kind", "status", "error", "attempts", "claimed_at", "sent_at", "mailing"]
    list_filter = ["status", "kind", "mailing__wave"]
    search_fields = ["invitation__email", "invitation__label", "error"]
    readonly_fields = ["mailing", "invitation", "kind", "status", "error", "attempts", "queued_at", "claimed_at",
                       "claimed_by", "sent_at"]
    list_select_related = ["invitation", "mailing", "mailing__wave"]
    actions = ["retry", "mark_sent"]

    def has_add_permission(self, request):
        return False  # messages come from a mailing (the wave's fieldwork page)

    @admin.action(description=_("Retry the selected failed or interrupted messages"))
    def retry(self, request, queryset):
        count = services.messages_retry(messages=queryset)
        self.message_user(request, ngettext("%d message queued again.", "%d messages queued again.", count) % count)

    @admin.action(description=_("Mark the selected interrupted messages as sent (they were delivered)"))
    def mark_sent(self, request, queryset):
        count = services.messages_mark_sent(messages=queryset)
        if count:
            self.message_user(request, ngettext("%d message marked sent.", "%d messages marked sent.", count) % count)
        else:
            self.message_user(request, _("Only interrupted messages can be marked sent."), messages.WARNING)


@admin.register(Mailing)
class MailingAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "wave", "kind", "language", "created_by", "created_at", "finished_at"]
    list_filter = ["wave", "kind"]
    readonly_fields = ["wave", "kind", "language", "base_url", "created_by", "created_at", "task_id", "heartbeat_at",
                       "finished_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["wave", "kind", "subject_en", "subject_ru", "updated_at"]
    list_filter = ["kind"]


@admin.register(Contact)
class ContactAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["invitation", "opted_out_at"]
    list_filter = [("opted_out_at", admin.EmptyFieldListFilter)]
    search_fields = ["invitation__email", "invitation__label"]
    readonly_fields = ["invitation"]
    exclude = ["link_salt"]

    def has_add_permission(self, request):
        return False


@admin.register(Job)
class JobAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "wave", "kind", "status", "error", "created_at", "finished_at"]
    list_filter = ["status", "kind", "wave"]
    readonly_fields = ["wave", "kind", "lang", "free_text", "status", "error", "output", "requested_by", "task_id",
                       "created_at", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False
