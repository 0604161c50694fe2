"""Admin of coding: codebooks with their categories; codings, coding decisions, seen codes and
corrections after coding as read-only records.

What the coding workflow writes is never added, changed or deleted here, so that blind coding can
neither leak nor be altered: codings (with the codes a coder applied), coding decisions (a
consensus, or a single coder's final codes, with the final codes), seen codes (who saw a unit's
codes and can no longer code it blind) and corrections after coding. The codes of a coding
(categories, quotes, spans) are shown only once its unit's codings are complete (every coding the
codebook requires is finished), as on the consensus page.

What researchers define stays theirs: a codebook's design (fixed once coding has started) and
whether a coder may set a consensus can be changed here. Codebooks are created, and their
categories added, renamed and merged, on the coding pages (/coding/codebooks/), whose services keep
the coded question's options in step; here the categories are shown read-only.
"""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
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


class CodebookCategoryInline(ReadOnlyInline):
    """A codebook's categories, as the coding pages define them (read-only here: adding, renaming
    and merging there also changes the coded question's options)."""

    model = CodebookCategory
    fk_name = "codebook"
    fields = ["code", "order", "label_en", "label_ru", "merged_into"]
    readonly_fields = fields


@admin.register(Codebook)
class CodebookAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "text_question", "design", "coders_may_decide", "created_at"]
    fields = ["question", "text_question", "design", "coders_may_decide", "created_at", "categories_page"]
    readonly_fields = ["question", "text_question", "created_at", "categories_page"]
    inlines = [CodebookCategoryInline]

    def has_add_permission(self, request):
        return False  # created on the coding pages, its categories seeded from the coded question's options

    @admin.display(description=_("categories"))
    def categories_page(self, obj: Codebook) -> str:
        return format_html('<a href="{}">{}</a>', reverse("coding:codebook", args=[obj.pk]),
                           _("Add, rename and merge the categories on the codebook’s page"))

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
