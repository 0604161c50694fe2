"""What every page of the admin site shares, whichever app's model it shows.

- Titles declined in Russian. Django's admin builds "Select %s to change", "Add %s", "Change %s"
  and the add button from the model's ``verbose_name``, a nominative ("Выберите волна для
  изменения", "Добавить волна"); these verbs take the accusative ("Выберите волну для изменения",
  "Добавить волну"). ``ACCUSATIVE`` gives each model's accusative (msgctxt "accusative"; in English
  it is the verbose name itself), and ``DeclinedTitlesMixin`` uses it in the titles, the add button
  and each inline's "Add another" link. Django's messages after a save or a deletion, whose verb
  would have to agree with the noun, are worded in the catalogue with the name as a label.
- Yes/no icons whose text is in the page's language (Django's say "True" and "False").
- One date-and-time input of the browser's own (``DATETIME_INPUT``) instead of the admin's split
  date and time boxes, which have no labels and whose calendar script sets inline styles.
- Choice lists that name questions and waves by their labels (``ChoiceLabelsMixin``).

The admin site (``config.admin_site.SurveyAdminSite``) adds ``DeclinedTitlesMixin`` and
``YesNoIconsMixin`` to every ModelAdmin registered on it, Django's and other apps' too.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_noop

# Each registered model's (and each inline's model's) accusative, by model label. The msgid is the
# model's English verbose name.
ACCUSATIVE = {
    "auth.group": pgettext_lazy("accusative", "group"),
    "auth.user": pgettext_lazy("accusative", "user"),
    "axes.accessattempt": pgettext_lazy("accusative", "access attempt"),
    "axes.accesslog": pgettext_lazy("accusative", "access log"),
    "axes.accessfailurelog": pgettext_lazy("accusative", "access failure"),
    "django_tasks_database.dbtaskresult": pgettext_lazy("accusative", "Task Result"),
    "surveys.instrument": pgettext_lazy("accusative", "instrument"),
    "surveys.scale": pgettext_lazy("accusative", "scale"),
    "surveys.option": pgettext_lazy("accusative", "option"),
    "surveys.section": pgettext_lazy("accusative", "section"),
    "surveys.question": pgettext_lazy("accusative", "question"),
    "surveys.block": pgettext_lazy("accusative", "block of items"),
    "surveys.wave": pgettext_lazy("accusative", "wave"),
    "surveys.waveoptionset": pgettext_lazy("accusative", "option list for a wave"),
    "surveys.invitation": pgettext_lazy("accusative", "invitation"),
    "surveys.response": pgettext_lazy("accusative", "response"),
    "surveys.answer": pgettext_lazy("accusative", "answer"),
    "surveys.questionaddition": pgettext_lazy("accusative", "question added to a running wave"),
    "interviews.interviewerassignment": pgettext_lazy("accusative", "interviewer assignment"),
    "interviews.interview": pgettext_lazy("accusative", "interview"),
    "interviews.answerchange": pgettext_lazy("accusative", "answer change"),
    "coding.codebook": pgettext_lazy("accusative", "codebook"),
    "coding.codebookcategory": pgettext_lazy("accusative", "codebook category"),
    "coding.coding": pgettext_lazy("accusative", "coding"),
    "coding.appliedcode": pgettext_lazy("accusative", "applied code"),
    "coding.codingdecision": pgettext_lazy("accusative", "coding decision"),
    "coding.finalcode": pgettext_lazy("accusative", "final code"),
    "coding.unitview": pgettext_lazy("accusative", "seen codes"),
    "coding.unitcorrection": pgettext_lazy("accusative", "correction after coding"),
    "fieldwork.messagetemplate": pgettext_lazy("accusative", "e-mail text"),
    "fieldwork.contact": pgettext_lazy("accusative", "contact"),
    "fieldwork.mailing": pgettext_lazy("accusative", "mailing"),
    "fieldwork.message": pgettext_lazy("accusative", "e-mail message"),
    "fieldwork.job": pgettext_lazy("accusative", "background job"),
}

# Django's messages after a save or a deletion, and its delete confirmations, use the verbose name
# in one case and agree with a masculine noun in Russian ("волна … был успешно добавлен", "Удаление
# волна"); the project's catalogue words them so that the name stands as a label, in the
# nominative, with no verb to agree ("Добавлено: волна …", "Удаление невозможно: волна"). Marked
# here so that the catalogue keeps them.
REWORDED_DJANGO_MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but "
                 "your account doesn't have permission to delete the following types of objects:"),
    gettext_noop("Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following protected "
                 "related objects:"),
    gettext_noop('Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following '
                 'related items will be deleted:'),
    gettext_noop("Deleting the selected %(objects_name)s would result in deleting related objects, but your account "
                 "doesn't have permission to delete the following types of objects:"),
    gettext_noop("Deleting the selected %(objects_name)s would require deleting the following protected related "
                 "objects:"),
    gettext_noop("Are you sure you want to delete the selected %(objects_name)s? All of the following objects and "
                 "their related items will be deleted:"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),  # "Удалить выбранные пользователи"
)


def accusative(model_admin_or_opts) -> str:
    """The accusative of what an admin (or inline) shows: its own ``verbose_name_accusative``, else
    its model's in ``ACCUSATIVE``, else the verbose name as it is."""
    own = getattr(model_admin_or_opts, "verbose_name_accusative", None)
    if own is not None:
        return str(own)
    opts = getattr(model_admin_or_opts, "opts", model_admin_or_opts)
    found = ACCUSATIVE.get(opts.label_lower)
    return str(found if found is not None else opts.verbose_name)


class DeclinedTitlesMixin:
    """A ModelAdmin whose titles, add button and inline "Add another" links name the model in the
    accusative (the delete pages' wording is the catalogue's, ``REWORDED_DJANGO_MESSAGES``)."""

    def changelist_view(self, request, extra_context=None):
        name = accusative(self)
        if IS_POPUP_VAR in request.GET:
            title = gettext("Select %s") % name
        elif self.has_change_permission(request):
            title = gettext("Select %s to change") % name
        else:
            title = gettext("Select %s to view") % name
        return super().changelist_view(request, {"title": title, "name_accusative": name, **(extra_context or {})})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        name, nominative = accusative(self), self.opts.verbose_name
        for template in ("Add %s", "Change %s", "View %s"):  # Django's title, not one a view chose
            if context.get("title") == gettext(template) % nominative:
                context["title"] = gettext(template) % name
        context["name_accusative"] = name
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            inline_formset.inline_formset_data = _add_another_data(inline_formset)
        return inline_formsets


def _add_another_data(inline_formset):
    original = inline_formset.inline_formset_data

    def data() -> str:
        value = json.loads(original())
        value["options"]["addText"] = pgettext("admin inline", "Add another %(name)s") % {
            "name": accusative(inline_formset.opts)}
        return json.dumps(value)

    return data


def yes_no_icon(value) -> str:
    """Django's yes/no/unknown icon, its text in the page's language."""
    icon, text = {True: ("yes", gettext("Yes")), False: ("no", gettext("No")), None: ("unknown", gettext("Unknown"))}[
        None if value is None else bool(value)]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


class YesNoIconsMixin:
    """A ModelAdmin whose yes/no columns (boolean fields, ``@admin.display(boolean=True)``) show
    icons with translated text."""

    def get_list_display(self, request):
        columns = self.__dict__.setdefault("_yes_no_columns", {})  # one column object per name
        shown = []
        for name in super().get_list_display(request):
            if name not in columns:
                columns[name] = _icon_column_for(self, name)
            shown.append(columns[name])
        return shown


def _icon_column_for(model_admin, name):
    """``name``'s column as a yes/no icon column when it is one, else ``name`` unchanged."""
    if callable(name):
        if not getattr(name, "boolean", False):
            return name
        return _icon_column(name.__name__, name, getattr(name, "short_description", name.__name__),
                            getattr(name, "admin_order_field", None))
    if name == "__str__" or name in (model_admin.list_editable or ()):
        return name
    try:
        field = model_admin.model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None:
        if not isinstance(field, models.BooleanField):
            return name
        return _icon_column(name, lambda obj: getattr(obj, name), field.verbose_name, name)
    source = getattr(model_admin, name, None)
    read = source
    if source is None:  # a method of the model
        source = getattr(model_admin.model, name, None)
        read = lambda obj: getattr(obj, name)()  # noqa: E731
    if not getattr(source, "boolean", False):
        return name
    return _icon_column(name, read, getattr(source, "short_description", name),
                        getattr(source, "admin_order_field", None))


def _icon_column(name, read, description, ordering):
    def column(obj):
        return yes_no_icon(read(obj))

    column.__name__ = name  # the column's CSS classes stay field-<name>, column-<name>
    column.short_description = description
    if ordering:
        column.admin_order_field = ordering
    return column


# The date-and-time fields of an admin form: one labelled input of the browser's own.
DATETIME_INPUT = {
    models.DateTimeField: {"form_class": forms.DateTimeField,  # one value, not the admin's split pair
                           "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")},
}


def choice_label(obj) -> str:
    """How a choice list names ``obj``: a question by its short label (or text) with its code, a
    section by its title with its instrument's code, a wave by its title in the page's language, a
    user by the full name with the user name; anything else as ``str()`` says."""
    from django.contrib.auth.models import AbstractUser

    from .models import Question, Section, Wave

    if isinstance(obj, Question):
        label = Truncator(obj.label).chars(70)
        return f"{label} ({obj.code})" if label and label != obj.code else obj.code
    if isinstance(obj, Section):
        return f"{obj.title} ({obj.instrument.code}, {obj.code})"
    if isinstance(obj, Wave):
        return obj.local_title
    if isinstance(obj, AbstractUser):
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()
    return str(obj)


class ChoiceLabelsMixin:
    """For ModelAdmins and inlines: the choice lists of foreign keys and many-to-many fields name
    their choices by ``choice_label``."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.ModelChoiceField):  # ModelMultipleChoiceField too
            field.label_from_instance = choice_label
            if field.queryset.model._meta.label_lower == "surveys.section":
                field.queryset = field.queryset.select_related("instrument")
        return field
