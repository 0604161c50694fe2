"""Forms of the fieldwork pages: the e-mail texts, a mailing, a background job."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from surveys.text import normalised

from . import texts
from .models import Job, Kind, Language


class TemplateForm(forms.Form):
    """An invitation's or a reminder's subject and text, in English and Russian."""

    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 10}),
                              max_length=10_000, help_text=texts.PLACEHOLDER_HELP)
    subject_ru = forms.CharField(label=_("Subject (Russian)"), max_length=200)
    body_ru = forms.CharField(label=_("Text (Russian)"), widget=forms.Textarea(attrs={"rows": 10}),
                              max_length=10_000, help_text=texts.PLACEHOLDER_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            normalised(field)  # the project's one text normaliser (NFC, newlines, no control characters)

    def _clean_subject(self, name: str) -> str:
        value = self.cleaned_data[name]
        if "\n" in value or "\r" in value:
            raise ValidationError(_("A subject is one line."), code="subject_lines")
        return value

    def clean_subject_en(self) -> str:
        return self._clean_subject("subject_en")

    def clean_subject_ru(self) -> str:
        return self._clean_subject("subject_ru")

    def _clean_body(self, name: str) -> str:
        value = self.cleaned_data[name]
        if texts.LINK not in value:
            raise ValidationError(_("The text must contain {link}, where the personal link goes."), code="no_link")
        return value

    def clean_body_en(self) -> str:
        return self._clean_body("body_en")

    def clean_body_ru(self) -> str:
        return self._clean_body("body_ru")


class MailingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to send"), choices=Kind.choices)
    language = forms.ChoiceField(label=_("Language of the message"), choices=Language.choices,
                                 initial=Language.BOTH)


class JobForm(forms.Form):
    kind = forms.ChoiceField(label=_("Job"), choices=Job.JobKind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    lang = forms.ChoiceField(label=_("Language"), choices=[("en", _("English")), ("ru", _("Russian"))],
                             widget=forms.Select(attrs={"class": "form-select"}))
    free_text = forms.BooleanField(label=_("Include free-text answers (they may hold personal data)"),
                                   required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
