"""Forms of the interviewer's pages, built with the questionnaire's form builder."""
from __future__ import annotations

from typing import Any, Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from surveys.conventions import YES
from surveys.forms import FIELD_BUILDERS, SectionForm
from surveys.models import Option, Question

INTERVIEW_TEXT_ROWS = 8


class InterviewForm(SectionForm):
    """Every question of the guide but consent, none required while the interview is recorded.

    A question the guide requires (needed to mark the interview complete) is marked as the
    questionnaire marks them: an asterisk, and "(required)" for screen readers. Open questions get
    a large text box. ``clean_partial`` validates the few fields an
    autosave sends, with the same fields, so both paths store the same values.
    """

    def __init__(self, *args: Any, questions: Sequence[Question], options: dict[int, list[Option]],
                 locked: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, questions=questions, options=options, **kwargs)
        self.locked = set(locked)
        for question in self.questions:
            field = self.fields[question.code]
            field.required = False
            if question.required:
                field.label = format_html(
                    '{}<span class="asteriskField" aria-hidden="true">*</span><span class="visually-hidden"> ({})</span>',
                    question.text, _("required"))
            if question.type == Question.Type.LONG_TEXT:
                field.widget.attrs.update({"rows": INTERVIEW_TEXT_ROWS, "class": "form-control interview-text"})
            if question.code in self.locked:  # being coded: changed only through a recorded correction
                field.disabled = True
                field.help_text = _("Coding of this answer has started. To change it, use “Correct this answer”: "
                                    "the correction is recorded and the coders’ final codes are reviewed.")

    def answers(self) -> dict[str, Any]:
        """Cleaned values by question code, without the answers locked for coding."""
        return {code: value for code, value in super().answers().items() if code not in self.locked}

    def clean_partial(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Validate ``{code: raw value}``; return (cleaned values, errors by code)."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for code, raw in data.items():
            field = self.fields.get(code)
            if field is None:
                errors[code] = [str(_("There is no question with this code that the interviewer records."))]
                continue
            if code in self.locked:
                errors[code] = [str(_("Coding of this answer has started: use “Correct this answer” to change it."))]
                continue
            multiple = isinstance(field, forms.MultipleChoiceField)
            if isinstance(raw, dict) or (isinstance(raw, list) and (
                    not multiple or any(isinstance(v, (list, dict)) for v in raw))):
                errors[code] = [str(_("Send one value (or, for a multiple choice, a list of option codes)."))]
                continue
            if isinstance(raw, list):
                raw = [str(v) for v in raw]
            elif raw is not None and not isinstance(raw, str):
                raw = str(raw)
            if multiple and raw in (None, ""):
                raw = []
            try:
                cleaned[code] = field.clean(raw)
            except ValidationError as exc:
                errors[code] = list(exc.messages)
        return cleaned, errors


class InterviewStartForm(forms.Form):
    """Consent comes first: nothing is stored unless the manager said yes."""

    def __init__(self, *args: Any, consent_question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = FIELD_BUILDERS[consent_question.type](consent_question, [])
        field.required = True
        field.error_messages["required"] = _("Record the manager’s consent first.")
        self.fields["consent"] = field

    def clean_consent(self) -> int:
        consent = self.cleaned_data["consent"]
        if consent != YES:
            raise ValidationError(
                _("Without the manager’s consent the interview cannot be recorded; nothing has been stored."),
                code="no_consent",
            )
        return consent


class AnswerCorrectionForm(forms.Form):
    """A correction of an open answer whose coding has started: the new text and why."""

    text = forms.CharField(label=_("Corrected answer"), widget=forms.Textarea(attrs={"rows": INTERVIEW_TEXT_ROWS}),
                           max_length=20000, strip=False)
    reason = forms.CharField(label=_("Why is the answer corrected?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example: a transcription error. The researcher sees it beside "
                                         "the old and the new text."))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise ValidationError(_("An answer that is being coded cannot be emptied; correct its text instead."),
                                  code="empty")
        return text
