"""One form builder turns a section of an instrument into a Django form.

Each question type has its own ``create_<type>_field``; the values a field
cleans to are what an ``Answer`` stores (JSON): option codes as ints, lists of
codes, numbers, strings, ISO dates.
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Callable, Sequence

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, LayoutObject
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conventions import NO, YES
from .models import Instrument, Option, Question, Scale, Section
from .text import CleanCharField, normalised

TEXT_MAX = 500
LONG_TEXT_MAX = 20_000


def _choices(options: Sequence[Option]) -> list[tuple[int, str]]:
    return [(o.code, o.label) for o in options]


def _int_coerce(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Select a valid choice."), code="invalid_choice") from exc


def _common(question: Question) -> dict[str, Any]:
    return {"label": question.text, "help_text": question.help, "required": question.required}


def create_scale_field(question: Question, options: Sequence[Option]) -> forms.Field:
    field = forms.TypedChoiceField(
        choices=_choices(options), coerce=_int_coerce, empty_value=None,
        widget=forms.RadioSelect, **_common(question),
    )
    return field


def create_single_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return forms.TypedChoiceField(
        choices=_choices(options), coerce=_int_coerce, empty_value=None, widget=forms.RadioSelect, **_common(question),
    )


class CodesField(forms.TypedMultipleChoiceField):
    """The option codes chosen, each once and in ascending order (a form or an autosave that sends
    a code twice stores it once); with ``min_choices`` / ``max_choices``, how many may be chosen."""

    def __init__(self, *args: Any, min_choices: int | None = None, max_choices: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.min_choices, self.max_choices = min_choices, max_choices

    def _coerce(self, value: Any) -> Any:
        value = super()._coerce(value)
        return sorted(set(value)) if isinstance(value, list) else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        chosen = len(set(value or []))
        if self.max_choices is not None and chosen > self.max_choices:
            raise ValidationError(
                ngettext("Choose at most %(limit)d option (%(chosen)d chosen).",
                         "Choose at most %(limit)d options (%(chosen)d chosen).", self.max_choices),
                code="max_choices", params={"limit": self.max_choices, "chosen": chosen})
        if self.min_choices is not None and 0 < chosen < self.min_choices:
            # none chosen is the required check's to refuse (or an answer left out, when optional)
            raise ValidationError(
                ngettext("Choose at least %(limit)d option (%(chosen)d chosen).",
                         "Choose at least %(limit)d options (%(chosen)d chosen).", self.min_choices),
                code="min_choices", params={"limit": self.min_choices, "chosen": chosen})


def create_multiple_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return CodesField(
        choices=_choices(options), coerce=_int_coerce, empty_value=[], min_choices=question.min_choices,
        max_choices=question.max_choices, widget=forms.CheckboxSelectMultiple, **_common(question),
    )


def create_text_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return CleanCharField(max_length=question.max_length or TEXT_MAX, **_common(question))


def create_long_text_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return CleanCharField(
        max_length=question.max_length or LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **_common(question),
    )


class NumberField(forms.FloatField):
    """A finite number; stored as an int when it is whole."""

    def clean(self, value: Any) -> Any:
        number = super().clean(value)
        if number is None:
            return None
        return int(number) if float(number).is_integer() else number


def create_number_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return NumberField(min_value=question.min_value, max_value=question.max_value, **_common(question))


class IsoDateField(forms.DateField):
    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        return day.isoformat() if isinstance(day, datetime.date) else None

    def prepare_value(self, value: Any) -> Any:
        return value


def create_date_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return IsoDateField(
        input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **_common(question),
    )


def create_yes_no_field(question: Question, options: Sequence[Option]) -> forms.Field:
    return forms.TypedChoiceField(
        choices=[(YES, _("Yes")), (NO, _("No"))], coerce=_int_coerce, empty_value=None,
        widget=forms.RadioSelect, **_common(question),
    )


FIELD_BUILDERS: dict[str, Callable[[Question, Sequence[Option]], forms.Field]] = {
    Question.Type.SCALE: create_scale_field,
    Question.Type.SINGLE: create_single_field,
    Question.Type.MULTIPLE: create_multiple_field,
    Question.Type.TEXT: create_text_field,
    Question.Type.LONG_TEXT: create_long_text_field,
    Question.Type.NUMBER: create_number_field,
    Question.Type.DATE: create_date_field,
    Question.Type.YES_NO: create_yes_no_field,
}


GRID_TYPES = (Question.Type.SCALE, Question.Type.SINGLE)


def _runs(questions: Sequence[Question], options: dict[int, list[Option]], grid: bool) -> list[list[Question]]:
    """The questions in order, cut into runs: with ``grid``, consecutive single-choice questions
    offering the same options form one run (a grid); every other question is a run of its own."""
    runs: list[list[Question]] = []
    for q in questions:
        key = tuple(o.pk for o in options.get(q.pk, []))
        previous = runs[-1][-1] if runs else None
        if (grid and previous is not None and q.type in GRID_TYPES and previous.type in GRID_TYPES
                and key and key == tuple(o.pk for o in options.get(previous.pk, []))):
            runs[-1].append(q)
        else:
            runs.append([q])
    return runs


def _condition(question: Question) -> str:
    """A question's display condition as its wrapper's ``data-condition`` (static/js/logic.js)."""
    return json.dumps(question.condition, separators=(",", ":")) if question.condition else ""


def field_parts(bf: forms.BoundField) -> dict[str, Any]:
    """What the question templates print of a bound field, computed once (a template that asks a
    bound field for its errors or id again and again pays for each time)."""
    parts: dict[str, Any] = {
        "name": bf.html_name, "auto_id": bf.auto_id, "label": bf.label, "help": bf.help_text,
        "required": bf.field.required, "errors": list(bf.errors),
    }
    if isinstance(bf.field.widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
        parts["choices"] = [
            {"id": choice.data["attrs"]["id"], "value": str(choice.data["value"]), "label": choice.data["label"],
             "checked": bool(choice.data["selected"]), "required": bool(choice.data["attrs"].get("required"))}
            for choice in bf.subwidgets]
    return parts


def grid_rows(form: forms.Form, questions: Sequence[Question], hidden: set[str] | frozenset[str]) -> list[dict]:
    """The rows of a grid (``surveys/_grid.html``): each question with its field's parts."""
    rows = []
    for q in questions:
        row = field_parts(form[q.code])
        row.update(question=q, hidden=q.code in hidden, condition=_condition(q))
        rows.append(row)
    return rows


class Grid(LayoutObject):
    """Questions on one scale as one grid: a table whose column headers are the options and whose
    rows are the questions (each row's radios one group, named by its row header), stacked on
    phones with each option's label shown (static/css/site.css)."""

    template = "surveys/_grid.html"

    def __init__(self, questions: Sequence[Question], options: Sequence[Option], hidden: set[str] | frozenset[str]):
        self.questions, self.options, self.hidden = list(questions), list(options), hidden
        self.fields = [q.code for q in self.questions]

    def render(self, form, context, template_pack=None, **kwargs) -> str:
        return render_to_string(self.template, {"rows": grid_rows(form, self.questions, self.hidden),
                                                "options": self.options})


class SectionForm(forms.Form):
    """The questions of one section; field names are the question codes.

    ``shown`` (optional) maps this page's cleaned values to the visibility of every question
    (``WaveStructure.shown`` on the answers so far with these in place): a question with a
    condition is required only when shown, and a hidden question's value is dropped, whatever
    was sent (``surveys.logic``). Each question's wrapper carries its condition for the browser.
    With ``grid``, consecutive questions on one scale are one ``Grid``.
    """

    def __init__(
        self, *args: Any, questions: Sequence[Question], options: dict[int, list[Option]],
        shown: Callable[[dict[str, Any]], dict[str, bool]] | None = None,
        initially_hidden: set[str] | frozenset[str] = frozenset(), grid: bool = False, **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.shown = shown
        for question in self.questions:
            builder = FIELD_BUILDERS[question.type]
            field = builder(question, options.get(question.pk, []))
            if question.condition:
                field.required = False  # required only when shown: checked in clean()
            self.fields[question.code] = field
        self._runs = _runs(self.questions, options, grid)
        self._options = options
        self._hidden: set[str] | frozenset[str] = initially_hidden

    def _layout(self, hidden: set[str] | frozenset[str]) -> None:
        self._hidden = hidden

    @property
    def helper(self) -> FormHelper:
        """The page's layout for crispy-forms' ``{% crispy form %}``: the same markup that ``blocks``
        gives the questionnaire's own templates (``surveys/_questions.html``, which the respondent's
        pages use; tests/surveys/test_question_markup.py holds the two equal)."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(*[
            Grid(run, self._options.get(run[0].pk, []), self._hidden) if len(run) > 1
            else self._wrapper(run[0], run[0].code in self._hidden) for run in self._runs])
        return helper

    @staticmethod
    def _wrapper(question: Question, hidden: bool) -> Div:
        specify = " question-specify" if question.specify_for_id else ""
        attrs: dict[str, Any] = {"css_class": f"question question-{question.type}{specify}", "data_code": question.code,
                                 "data_type": question.type}
        if question.condition:
            attrs["data_condition"] = _condition(question)
        if hidden:
            attrs["hidden"] = "hidden"
        return Div(question.code, **attrs)

    def blocks(self) -> list[dict[str, Any]]:
        """The page as the questionnaire's templates render it (``surveys/_questions.html``): a
        grid for each run of questions on one scale, a block for every other question."""
        out = []
        for run in self._runs:
            if len(run) > 1:
                out.append({"grid": True, "options": self._options.get(run[0].pk, []),
                            "rows": grid_rows(self, run, self._hidden)})
            else:
                out.append(self._block(run[0]))
        return out

    def _block(self, question: Question) -> dict[str, Any]:
        bf = self[question.code]
        block = field_parts(bf)
        block.update(grid=False, question=question, hidden=question.code in self._hidden,
                     condition=_condition(question))
        describedby = " ".join(([f"{block['auto_id']}_helptext"] if block["help"] else [])
                               + ([f"{block['auto_id']}_error"] if block["errors"] else []))
        block["describedby"] = describedby
        widget = bf.field.widget
        if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
            block["input_type"] = widget.input_type
        else:
            attrs = {"class": f"{type(widget).__name__.lower()} form-control{' is-invalid' if block['errors'] else ''}"}
            if block["errors"]:
                attrs["aria-invalid"] = "true"
            if describedby:
                attrs["aria-describedby"] = describedby
            block["input"] = bf.as_widget(attrs=attrs)
        return block

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.shown is None:
            return cleaned
        shown = self.shown({q.code: cleaned.get(q.code) for q in self.questions})
        self._layout({q.code for q in self.questions if not shown.get(q.code, True)})  # as this page now stands
        for question in self.questions:
            if shown.get(question.code, True):
                if question.condition and question.required and cleaned.get(question.code) in (None, "", []) \
                        and question.code not in self._errors:
                    self.add_error(question.code, ValidationError(
                        self.fields[question.code].error_messages["required"], code="required"))
            else:  # hidden: nothing sent for it is kept, and it asks for nothing
                self._errors.pop(question.code, None)
                cleaned[question.code] = None
        return cleaned

    def answers(self) -> dict[str, Any]:
        """Cleaned values keyed by question code (only this section's questions)."""
        return {q.code: self.cleaned_data.get(q.code) for q in self.questions}


def initial_from_answers(questions: Sequence[Question], stored: dict[int, Any]) -> dict[str, Any]:
    return {q.code: stored[q.pk] for q in questions if q.pk in stored}


class ResumeLinkEmailForm(forms.Form):
    """The address a respondent sends their resume link to (used for that message only)."""

    email = normalised(forms.EmailField(label=_("E-mail address"), max_length=254))


class InvitationCreateForm(forms.Form):
    count = forms.IntegerField(label=_("Number of invitations"), min_value=1, max_value=100_000, initial=10)
    labels = CleanCharField(
        label=_("Labels or e-mails (optional, one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("When given, one invitation is created for each line; lines containing “@” are stored as e-mails."),
    )

    def clean_labels(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["labels"].splitlines() if line.strip()]
        validator = forms.EmailField()
        for number, line in enumerate(lines, start=1):
            if "@" in line:
                try:
                    validator.clean(line)
                except ValidationError as exc:
                    raise ValidationError(
                        _("Line %(line)d: “%(value)s” is not a valid e-mail address."),
                        code="invalid_email", params={"line": number, "value": line},
                    ) from exc
            if len(line) > 200:
                raise ValidationError(_("Line %(line)d is longer than 200 characters."), code="too_long",
                                      params={"line": number})
        return lines



class WaveQuestionAddForm(forms.Form):
    """A question added to a running wave (``services.wave_question_add``): always optional, and
    only with the confirmation of what happens to the responses already in."""

    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.none())
    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("The variable name in every export."))
    type = forms.ChoiceField(label=_("Type"), choices=Question.Type.choices)
    scale = forms.ModelChoiceField(label=_("Scale"), queryset=Scale.objects.none(), required=False,
                                   help_text=_("Options for choice questions."))
    text_en = CleanCharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    text_ru = CleanCharField(label=_("Text (Russian)"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(
        label=_("I understand: the responses already in will have this question missing (not asked), and the "
                "question is optional for the responses still in progress."),
        error_messages={"required": _("Confirm what happens to the responses already in.")})

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["section"].queryset = Section.objects.filter(instrument=instrument).order_by("order")
        self.fields["scale"].queryset = Scale.objects.filter(instrument=instrument).order_by("code")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if Question.objects.filter(instrument=self.instrument, code=code).exists():
            raise ValidationError(_("The instrument already has a question “%(code)s”."), code="code_taken",
                                  params={"code": code})
        return code
