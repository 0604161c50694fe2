"""Admin: instruments (read-mostly), waves with counts and actions, invitations, responses."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import InvitationCreateForm
from .links import write_invitation_links
from .models import Answer, Instrument, Invitation, Option, Question, Response, Scale, Section, Wave, WaveOptionSet

admin.site.site_header = _("Cluster Readiness Survey")
admin.site.site_title = _("Cluster Readiness Survey")
admin.site.index_title = _("Administration")


def invitation_links_csv(request: HttpRequest, wave: Wave, issued: list[services.IssuedInvitation]) -> HttpResponse:
    """The only time tokens exist in clear: a CSV of links to hand out."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{wave.slug}-invitations.csv"'
    write_invitation_links(response, issued, base_url=request.build_absolute_uri("/"))
    return response


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["code", "order", "label_en", "label_ru"]


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["code", "instrument", "ordered", "option_count"]
    list_filter = ["instrument", "ordered"]
    inlines = [OptionInline]

    @admin.display(description=_("options"))
    def option_count(self, obj: Scale) -> int:
        return obj.options.count()


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "code", "type", "required", "scale", "group", "role", "text_en"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "instrument", "order", "title_en"]
    list_filter = ["instrument"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "instrument", "section", "type", "required", "scale", "group", "role"]
    list_filter = ["instrument", "type", "required"]
    search_fields = ["code", "text_en", "text_ru"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "code", "title_en", "title_ru"]
    show_change_link = True


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "kind", "question_count", "wave_count"]
    inlines = [SectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            _questions=Count("questions", distinct=True), _waves=Count("waves", distinct=True))

    @admin.display(description=_("questions"), ordering="_questions")
    def question_count(self, obj) -> int:
        return obj._questions

    @admin.display(description=_("waves"), ordering="_waves")
    def wave_count(self, obj) -> int:
        return obj._waves

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj and obj.waves.exists() else []

    # XLSForm in and out (surveys/xlsform_admin.py)
    change_list_template = "admin/surveys/instrument/change_list.html"
    change_form_template = "admin/surveys/instrument/change_form.html"

    def get_urls(self):
        from .xlsform_admin import xlsform_download_view, xlsform_upload_view
        return [
            path("import-xlsform/", self.admin_site.admin_view(lambda request: xlsform_upload_view(self, request)),
                 name="surveys_instrument_import_xlsform"),
            path("<int:pk>/xlsform/", self.admin_site.admin_view(
                lambda request, pk: xlsform_download_view(self, request, pk)), name="surveys_instrument_xlsform"),
        ] + super().get_urls()


class WaveOptionSetInline(admin.TabularInline):
    model = WaveOptionSet
    extra = 0
    filter_horizontal = ["options"]
    verbose_name = _("option list for this wave")
    verbose_name_plural = _("option lists for this wave (e.g. the regions offered)")


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "instrument", "status", "access", "opens_at", "closes_at",
                    "started", "completed", "links"]
    list_filter = ["status", "access", "instrument"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["open_waves", "close_waves"]
    inlines = [WaveOptionSetInline]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("instrument").annotate(
            _started=Count("responses", distinct=True),
            _completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED), distinct=True),
        )

    @admin.display(description=_("started"), ordering="_started")
    def started(self, obj) -> int:
        return obj._started

    @admin.display(description=_("completed"), ordering="_completed")
    def completed(self, obj) -> int:
        return obj._completed

    @admin.display(description=_("links"))
    def links(self, obj: Wave) -> str:
        invite = reverse("admin:surveys_wave_invitations", args=[obj.pk])
        if obj.access == Wave.Access.OPEN_LINK:
            public = reverse("surveys:wave_entry", kwargs={"slug": obj.slug})
            return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', public, _("public link"), invite,
                               _("invitations"))
        return format_html('<a href="{}">{}</a>', invite, _("create invitations"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj and obj.responses.exists():
            fields.append("instrument")
        return fields

    @admin.action(description=_("Open the selected waves"))
    def open_waves(self, request, queryset):
        opened = 0
        for wave in queryset:
            try:
                services.wave_open(wave=wave)
                opened += 1
            except ValidationError as exc:
                self.message_user(request, f"{wave.slug}: {' '.join(exc.messages)}", messages.ERROR)
        if opened:
            self.message_user(request, ngettext("%d wave opened.", "%d waves opened.", opened) % opened)

    @admin.action(description=_("Close the selected waves"))
    def close_waves(self, request, queryset):
        for wave in queryset:
            services.wave_close(wave=wave)
        self.message_user(request, ngettext("%d wave closed.", "%d waves closed.", len(queryset)) % len(queryset))

    def get_urls(self):
        return [
            path("<int:pk>/invitations/", self.admin_site.admin_view(self.invitations_view),
                 name="surveys_wave_invitations"),
        ] + super().get_urls()

    def invitations_view(self, request, pk: int):
        wave = get_object_or_404(Wave, pk=pk)
        if not self.has_change_permission(request, wave):
            return HttpResponse(status=403)
        form = InvitationCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            lines = form.cleaned_data["labels"]
            labels = [line if "@" not in line else "" for line in lines]
            emails = [line if "@" in line else "" for line in lines]
            try:
                issued = services.invitations_create(
                    wave=wave, count=0 if lines else form.cleaned_data["count"], labels=labels, emails=emails)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return invitation_links_csv(request, wave, issued)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "wave": wave, "form": form,
            "title": _("Create invitations for %(wave)s") % {"wave": wave.title},
            "existing": wave.invitations.count(), "used": wave.invitations.filter(used_at__isnull=False).count(),
        }
        return render(request, "admin/surveys/wave/invitations.html", context)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "wave", "created_at", "used_at"]
    list_filter = ["wave", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["label", "email"]
    readonly_fields = ["wave", "created_at", "used_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # created through the wave's "create invitations" page, which shows the links once


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "shown_value"]
    readonly_fields = ["question", "shown_value"]
    can_delete = False
    ordering = ["question__section__order", "question__order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "question__scale", "question__section")

    @admin.display(description=_("answer"))
    def shown_value(self, obj: Answer) -> str:
        if obj.question.scale_id:
            labels = {o.code: o.label for o in obj.question.scale.options.all()}
            values = obj.value if isinstance(obj.value, list) else [obj.value]
            return "; ".join(f"{v} = {labels.get(v, '?')}" for v in values)
        return str(obj.value)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["short_id", "wave", "status", "language", "started_at", "submitted_at", "via_invitation"]
    list_filter = ["wave", "status", "language"]
    date_hierarchy = "started_at"
    readonly_fields = ["uuid", "wave", "invitation", "status", "language", "current_step", "started_at",
                       "updated_at", "submitted_at"]
    exclude = ["resume_token_hash"]
    inlines = [AnswerInline]
    list_select_related = ["wave"]

    @admin.display(description=_("response"))
    def short_id(self, obj: Response) -> str:
        return str(obj.uuid)[:8]

    @admin.display(description=_("invited"), boolean=True)
    def via_invitation(self, obj: Response) -> bool:
        return obj.invitation_id is not None

    def has_add_permission(self, request):
        return False
