"""Admin of coding: codebooks with their categories, codings and coding decisions (read-only records)."""
from __future__ import annotations

from django.contrib import admin

from .models import Codebook, CodebookCategory, Coding, CodingDecision


class CodebookCategoryInline(admin.TabularInline):
    model = CodebookCategory
    fk_name = "codebook"
    extra = 0
    fields = ["code", "order", "label_en", "label_ru", "merged_into"]
    readonly_fields = ["code", "merged_into"]
    can_delete = False


@admin.register(Codebook)
class CodebookAdmin(admin.ModelAdmin):
    list_display = ["__str__", "text_question", "created_at"]
    readonly_fields = ["question", "text_question", "created_at"]
    inlines = [CodebookCategoryInline]


@admin.register(Coding)
class CodingAdmin(admin.ModelAdmin):
    list_display = ["response", "codebook", "coder", "status", "started_at", "finished_at"]
    list_filter = ["codebook", "status", "coder"]
    readonly_fields = ["codebook", "response", "coder", "status", "started_at", "finished_at"]
    list_select_related = ["response__wave", "codebook__question__instrument", "coder"]


@admin.register(CodingDecision)
class CodingDecisionAdmin(admin.ModelAdmin):
    list_display = ["response", "codebook", "decided_by", "decided_at"]
    list_filter = ["codebook"]
    readonly_fields = ["codebook", "response", "decided_by", "decided_at"]
    list_select_related = ["response__wave", "codebook__question__instrument", "decided_by"]
