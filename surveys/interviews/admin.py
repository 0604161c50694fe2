"""Admin of interviews: interviewer assignments, and interviews with their audit trail and history."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from surveys.models import Instrument, Wave
from surveys.text import CleanTextAdminMixin

from .models import AnswerChange, Interview, InterviewerAssignment


@admin.register(InterviewerAssignment)
class InterviewerAssignmentAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    """Which interviewers may record interviews in which waves."""

    list_display = ["interviewer", "wave", "created_at"]
    list_filter = ["wave"]
    search_fields = ["interviewer__username", "wave__slug"]
    autocomplete_fields = ["interviewer"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "wave":
            kwargs["queryset"] = Wave.objects.filter(instrument__kind=Instrument.Kind.INTERVIEW)
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
class InterviewAdmin(CleanTextAdminMixin, SimpleHistoryAdmin):
    list_display = ["response", "interviewer", "consent_at", "completed_at", "version", "updated_at", "updated_by"]
    list_filter = ["response__wave", ("completed_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["response", "consent_at", "completed_at", "version", "updated_at", "updated_by"]
    inlines = [AnswerChangeInline]
    list_select_related = ["response__wave", "interviewer", "updated_by"]

    def has_add_permission(self, request):
        return False  # interviews start on the interviewer's page, which records consent first
