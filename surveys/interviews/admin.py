"""Admin of interviews: interviewer assignments, and interviews with their audit trail and history."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from surveys.admin_mixins import ChoiceLabelsMixin
from surveys.models import Instrument, Wave
from surveys.roles import INTERVIEWERS
from surveys.text import CleanTextAdminMixin

from .models import AnswerChange, Interview, InterviewerAssignment


@admin.register(InterviewerAssignment)
class InterviewerAssignmentAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
    """Which interviewers may record interviews in which waves. The interviewer is chosen from a list
    of the members of "Interviewers" (by name; the interviewer already assigned stays on it)."""

    list_display = ["interviewer", "wave", "created_at"]
    list_filter = ["wave"]
    search_fields = ["interviewer__username", "wave__slug"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "wave":
            kwargs["queryset"] = Wave.objects.filter(instrument__kind=Instrument.Kind.INTERVIEW)
        if db_field.name == "interviewer":
            object_id = str(request.resolver_match.kwargs.get("object_id", "")) if request.resolver_match else ""
            current = self.model.objects.filter(pk=object_id) if object_id.isdigit() else self.model.objects.none()
            kwargs["queryset"] = get_user_model().objects.filter(
                Q(groups__name=INTERVIEWERS) | Q(pk__in=current.values("interviewer_id"))).distinct().order_by(
                "last_name", "first_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AnswerChangeInline(CleanTextAdminMixin, admin.TabularInline):
    model = AnswerChange
    extra = 0
    fields = ["version", "changed_at", "changed_by", "question", "old_value", "new_value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Interview)
class InterviewAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, SimpleHistoryAdmin):
    list_display = ["response", "interviewer", "consent_at", "completed_at", "version", "updated_at", "updated_by"]
    list_filter = ["response__wave", ("completed_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["response", "consent_at", "completed_at", "version", "updated_at", "updated_by"]
    inlines = [AnswerChangeInline]
    list_select_related = ["response__wave", "interviewer", "updated_by"]

    def has_add_permission(self, request):
        return False  # interviews start on the interviewer's page, which records consent first
