"""Admin: instruments (versions; an answered version keeps its structure), waves with counts and
actions, invitations, responses."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.utils.translation import ngettext

from . import services
from .admin_mixins import DATETIME_INPUT, ChoiceLabelsMixin
from .forms import InvitationCreateForm, WaveQuestionAddForm
from .links import write_invitation_links
from .models import (Answer, Block, Instrument, Invitation, Option, Question, QuestionAddition, Response, Scale,
                     Section, Wave, WaveOptionSet, versioned_error)
from .text import CleanTextAdminMixin

def invitation_links_csv(request: HttpRequest, wave: Wave, issued: list[services.IssuedInvitation]) -> HttpResponse:
    """The only time tokens exist in clear: a CSV of links to hand out."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{wave.slug}-invitations.csv"'
    write_invitation_links(response, issued, base_url=request.build_absolute_uri("/"))
    return response


class CheckedModelForm(forms.ModelForm):
    """A model form that shows every error of the model's ``clean()``, also those about a field the
    form does not show (an inline's parent, say), above the form instead of failing."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            placed: dict[str, list] = {}
            for name, messages_ in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                placed.setdefault(key, []).extend(messages_)
            errors = ValidationError(placed)
        super()._update_errors(errors)


class StructureFormSet(BaseInlineFormSet):
    """Inline rows of an instrument's structure: none may be deleted once the instrument has answers
    (adding and changing are checked by each row's ``clean()``)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if isinstance(form.instance, Question) and isinstance(self.instance, Section) and self.instance.instrument_id:
            form.instance.instrument_id = self.instance.instrument_id  # a question added on its section's page
        return form

    def clean(self):
        super().clean()
        if any(form.instance.pk for form in self.deleted_forms):
            instrument = _instrument_of(self.instance)
            if instrument is not None and instrument.has_answers():
                raise versioned_error(instrument)


def _instrument_of(obj) -> Instrument | None:
    if isinstance(obj, Instrument):
        return obj if obj.pk else None
    return obj.structure_instrument() if hasattr(obj, "structure_instrument") else None


class StructureAdminMixin:
    """Admin of a structure row: refuses to delete the rows of an answered instrument, saying why."""

    form = CheckedModelForm

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        instrument = _instrument_of(obj) if obj is not None else None
        if instrument is not None and instrument.has_answers():
            self.message_user(request, " ".join(versioned_error(instrument).messages), messages.ERROR)
            return HttpResponseRedirect(reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """The bulk "delete selected" refuses, as protected, the rows of an answered instrument."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        locked = [obj for obj in objs if (_instrument_of(obj) is not None and _instrument_of(obj).has_answers())]
        if locked:
            self.message_user(request, " ".join(versioned_error(_instrument_of(locked[0])).messages), messages.ERROR)
            protected = [*protected, *(str(obj) for obj in locked)]
        return to_delete, model_count, perms_needed, protected


class OptionInline(CleanTextAdminMixin, admin.TabularInline):
    model = Option
    form = CheckedModelForm
    formset = StructureFormSet
    extra = 0
    fields = ["code", "order", "label_en", "label_ru", "missing"]


@admin.register(Scale)
class ScaleAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, StructureAdminMixin, admin.ModelAdmin):
    list_display = ["code", "instrument", "ordered", "option_count"]
    list_filter = ["instrument", "ordered"]
    inlines = [OptionInline]

    @admin.display(description=_("options"))
    def option_count(self, obj: Scale) -> int:
        return obj.options.count()


class QuestionInline(ChoiceLabelsMixin, CleanTextAdminMixin, admin.TabularInline):
    model = Question
    form = CheckedModelForm
    formset = StructureFormSet
    extra = 0
    fields = ["order", "code", "type", "required", "scale", "group", "role", "text_en", "text_ru"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, StructureAdminMixin, admin.ModelAdmin):
    list_display = ["code", "instrument", "order", "title_en"]
    list_filter = ["instrument"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, StructureAdminMixin, admin.ModelAdmin):
    list_display = ["code", "instrument", "section", "type", "required", "scale", "group", "role"]
    list_filter = ["instrument", "type", "required"]
    search_fields = ["code", "text_en", "text_ru"]
    list_select_related = ["instrument", "section", "scale"]


class SectionInline(CleanTextAdminMixin, admin.TabularInline):
    model = Section
    form = CheckedModelForm
    formset = StructureFormSet
    extra = 0
    fields = ["order", "code", "title_en", "title_ru"]
    show_change_link = True


class BlockInline(CleanTextAdminMixin, admin.TabularInline):
    model = Block
    form = CheckedModelForm
    formset = StructureFormSet
    extra = 0
    fields = ["order", "code", "label_en", "label_ru"]


@admin.register(Instrument)
class InstrumentAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["code", "version", "status", "title_en", "kind", "question_count", "wave_count", "answered"]
    list_filter = ["status", "kind"]
    inlines = [SectionInline, BlockInline]
    actions = ["create_new_version", "publish_versions", "delete_drafts"]
    form = CheckedModelForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            _questions=Count("questions", distinct=True), _waves=Count("waves", distinct=True),
            _answered=Exists(Answer.objects.filter(question__instrument=OuterRef("pk"))))

    @admin.display(description=_("has answers"), boolean=True, ordering="_answered")
    def answered(self, obj) -> bool:
        return obj._answered

    @admin.action(description=_("Create a new version of the selected instruments"))
    def create_new_version(self, request, queryset):
        for instrument in queryset:
            try:
                new = services.instrument_version_create(instrument=instrument)
            except ValidationError as exc:
                self.message_user(request, f"{instrument.code}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(request, format_html(
                gettext("{code}: version {version} created as a draft, with every code kept. "
                  "<a href=\"{url}\">Edit it</a>; the next wave that uses it publishes it."),
                code=new.code, version=new.version, url=reverse("admin:surveys_instrument_change", args=[new.pk])))

    @admin.action(description=_("Delete the selected drafts"))
    def delete_drafts(self, request, queryset):
        for instrument in queryset:
            try:
                services.instrument_draft_delete(instrument=instrument)
            except ValidationError as exc:
                self.message_user(request, f"{instrument.code} ({instrument.version}): {' '.join(exc.messages)}",
                                  messages.ERROR)
            else:
                self.message_user(request, _("%(code)s: draft version %(version)d deleted.") % {
                    "code": instrument.code, "version": instrument.version})

    @admin.action(description=_("Publish the selected versions (new waves use them)"))
    def publish_versions(self, request, queryset):
        for instrument in queryset:
            try:
                services.instrument_publish(instrument=instrument)
            except ValidationError as exc:
                self.message_user(request, f"{instrument.code}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(code)s: version %(version)d published.") % {
                    "code": instrument.code, "version": instrument.version})

    @admin.display(description=_("questions"), ordering="_questions")
    def question_count(self, obj) -> int:
        return obj._questions

    @admin.display(description=_("waves"), ordering="_waves")
    def wave_count(self, obj) -> int:
        return obj._waves

    def get_readonly_fields(self, request, obj=None):
        fixed = ["version", "status", "previous"]
        if obj and obj.has_answers():
            return ["code", "kind", *fixed]
        # a version's code ties it to its other versions; a used code is the one exports carry
        return ["code", *fixed] if obj and (obj.previous_id or obj.version > 1 or obj.waves.exists()) else fixed

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


class WaveOptionSetForm(CheckedModelForm):
    def clean(self):
        cleaned = super().clean()
        question, options = cleaned.get("question"), cleaned.get("options")
        if question is not None and options is not None:
            self.instance.question = question
            self.instance.options_check(list(options.select_related("scale")))
        return cleaned


class WaveOptionSetInline(ChoiceLabelsMixin, CleanTextAdminMixin, admin.TabularInline):
    model = WaveOptionSet
    form = WaveOptionSetForm
    extra = 0
    filter_horizontal = ["options"]
    verbose_name = _("option list for this wave")
    verbose_name_plural = _("option lists for this wave (e.g. the regions offered)")
    verbose_name_accusative = pgettext_lazy("accusative", "option list for this wave")


@admin.register(Wave)
class WaveAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "instrument", "instrument_version", "status", "access", "opens_at",
                    "closes_at", "started", "completed", "links"]
    list_filter = ["status", "access", "instrument"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["open_waves", "close_waves"]
    inlines = [WaveOptionSetInline]
    readonly_fields = ["created_at"]
    form = CheckedModelForm
    formfield_overrides = DATETIME_INPUT  # one labelled date-and-time input each (surveys/admin_mixins.py)

    @admin.display(description=_("instrument version"), ordering="instrument__version")
    def instrument_version(self, obj: Wave) -> int:
        return obj.instrument.version

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("instrument")
        if field is not None:  # new waves take a published (or draft) version, never a retired one
            keep = Q(pk=obj.instrument_id) if obj else Q(pk__in=[])
            field.queryset = Instrument.objects.filter(~Q(status=Instrument.Status.RETIRED) | keep)
        return form

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
        preview = format_html(' · <a href="{}">{}</a>', reverse("surveys:preview", kwargs={"slug": obj.slug}),
                              _("preview"))
        if obj.status == Wave.Status.OPEN:
            preview += format_html(' · <a href="{}">{}</a>', reverse("admin:surveys_wave_add_question",
                                                                    args=[obj.pk]), _("add a question"))
        if obj.access == Wave.Access.OPEN_LINK:
            public = reverse("surveys:wave_entry", kwargs={"slug": obj.slug})
            return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>{}', public, _("public link"), invite,
                               _("invitations"), preview)
        return format_html('<a href="{}">{}</a>{}', invite, _("create invitations"), preview)

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
            path("<int:pk>/add-question/", self.admin_site.admin_view(self.add_question_view),
                 name="surveys_wave_add_question"),
        ] + super().get_urls()

    def add_question_view(self, request, pk: int):
        """Add a question to a running wave, on purpose: the page says what happens to the responses
        already in, and the addition is recorded."""
        wave = get_object_or_404(Wave.objects.select_related("instrument"), pk=pk)
        if not self.has_change_permission(request, wave) or not request.user.has_perm("surveys.add_question"):
            return HttpResponse(status=403)
        responses = Response.objects.filter(wave__instrument_id=wave.instrument_id)
        started, completed = responses.count(), responses.filter(status=Response.Status.COMPLETED).count()
        form = WaveQuestionAddForm(request.POST or None, instrument=wave.instrument)
        if wave.status != Wave.Status.OPEN:
            form = None
        elif request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            confirmed = data.pop("confirm")
            try:
                added = services.wave_question_add(wave=wave, confirmed=confirmed, user=request.user, **data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                self.message_user(request, _("The question “%(code)s” was added to %(instrument)s. The %(n)d "
                                             "responses already started have it missing (not asked).") % {
                    "code": added.question.code, "instrument": wave.instrument, "n": started})
                return HttpResponseRedirect(reverse("admin:surveys_wave_change", args=[wave.pk]))
        other_waves = Wave.objects.filter(instrument_id=wave.instrument_id).exclude(pk=wave.pk)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "wave": wave, "form": form,
            "title": _("Add a question to the running wave %(wave)s") % {"wave": wave.title},
            "started": started, "completed": completed, "other_waves": other_waves,
        }
        return render(request, "admin/surveys/wave/add_question.html", context, status=200 if form else 409)

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
class InvitationAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "wave", "created_at", "used_at"]
    list_filter = ["wave", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["label", "email"]
    readonly_fields = ["wave", "created_at", "used_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # created through the wave's "create invitations" page, which shows the links once


class AnswerInline(CleanTextAdminMixin, admin.TabularInline):
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
class ResponseAdmin(ChoiceLabelsMixin, CleanTextAdminMixin, admin.ModelAdmin):
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


@admin.register(QuestionAddition)
class QuestionAdditionAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    """The record of the questions added to running waves (read only)."""

    list_display = ["question", "wave", "added_at", "added_by", "responses_before", "completed_before"]
    list_filter = ["wave"]
    readonly_fields = ["wave", "question", "added_at", "added_by", "responses_before", "completed_before"]

    def has_add_permission(self, request):
        return False  # through the wave's "add a question" page only

    def has_change_permission(self, request, obj=None):
        return False


# Users and groups: Django's own admins, with one labelled date-and-time input each (last login,
# date joined) instead of the split boxes.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(ChoiceLabelsMixin, auth_admin.UserAdmin):
    formfield_overrides = {**auth_admin.UserAdmin.formfield_overrides, **DATETIME_INPUT}


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    pass
