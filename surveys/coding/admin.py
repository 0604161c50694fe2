"""Admin of coding: codebooks with their categories; codings, coding decisions, seen codes and
corrections after coding as read-only records.

Codings are written only on the coders' pages: the admin cannot add, change or delete them. The
codes of a coding (categories, quotes, spans) are shown only once its unit's codings are complete
(every coding the codebook requires is finished), as on the consensus page.
"""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys.text import CleanTextAdminMixin

from . import selectors
from .models import AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode, UnitCorrection, UnitView


class ReadOnlyAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    """Records kept for the audit: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(CleanTextAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CodebookCategoryInline(CleanTextAdminMixin, admin.TabularInline):
    model = CodebookCategory
    fk_name = "codebook"
    extra = 0
    fields = ["code", "order", "label_en", "label_ru", "merged_into"]
    readonly_fields = ["code", "merged_into"]
    can_delete = False


@admin.register(Codebook)
class CodebookAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "text_question", "design", "coders_may_decide", "created_at"]
    readonly_fields = ["question", "text_question", "created_at"]
    inlines = [CodebookCategoryInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and Coding.objects.filter(codebook=obj).exists():
            fields.append("design")  # the design cannot change once coding has started
        return fields


class AppliedCodeInline(ReadOnlyInline):
    model = AppliedCode
    fields = ["category", "start", "end", "quote"]
    readonly_fields = fields


@admin.register(Coding)
class CodingAdmin(ReadOnlyAdmin):
    list_display = ["response", "codebook", "coder", "status", "started_at", "finished_at"]
    list_filter = ["codebook", "status", "coder"]
    fields = ["codebook", "response", "coder", "status", "started_at", "finished_at", "codes_shown"]
    readonly_fields = fields
    list_select_related = ["response__wave", "codebook__question__instrument", "coder"]

    def get_inlines(self, request, obj):
        if obj is not None and selectors.unit_is_complete(codebook=obj.codebook, response=obj.response):
            return [AppliedCodeInline]
        return []

    @admin.display(description=_("codes"))
    def codes_shown(self, obj: Coding) -> str:
        if selectors.unit_is_complete(codebook=obj.codebook, response=obj.response):
            return str(_("shown below"))
        return str(_("hidden until every coding of this answer is finished"))


class FinalCodeInline(ReadOnlyInline):
    model = FinalCode
    fields = ["category"]
    readonly_fields = fields


@admin.register(CodingDecision)
class CodingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["response", "codebook", "source", "decided_by", "decided_at"]
    list_filter = ["codebook", "source"]
    readonly_fields = ["codebook", "response", "source", "decided_by", "decided_at", "note"]
    list_select_related = ["response__wave", "codebook__question__instrument", "decided_by"]
    inlines = [FinalCodeInline]


@admin.register(UnitView)
class UnitViewAdmin(ReadOnlyAdmin):
    list_display = ["response", "codebook", "user", "seen_at"]
    list_filter = ["codebook"]
    readonly_fields = ["codebook", "response", "user", "seen_at"]
    list_select_related = ["response", "codebook__question__instrument", "user"]


@admin.register(UnitCorrection)
class UnitCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["response", "codebook", "changed_by", "changed_at", "resolution", "resolved_by", "resolved_at"]
    list_filter = ["codebook", "resolution"]
    readonly_fields = ["codebook", "response", "old_text", "new_text", "reason", "changed_by", "changed_at",
                       "resolution", "resolved_by", "resolved_at"]
    list_select_related = ["response", "codebook__question__instrument", "changed_by", "resolved_by"]
