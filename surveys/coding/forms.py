"""Forms of the coding pages: a coder's codes for one answer, final codes, codebook edits."""
from __future__ import annotations

from typing import Any, Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Codebook, CodebookCategory
from .services import CodeInput


class CodingForm(forms.Form):
    """One checkbox per category, each with an optional supporting span (start, end, quoted text)."""

    def __init__(self, *args: Any, categories: Sequence[CodebookCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for c in self.categories:
            self.fields[f"code_{c.pk}"] = forms.BooleanField(label=c.label, required=False, help_text=c.description)
            self.fields[f"start_{c.pk}"] = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
            self.fields[f"end_{c.pk}"] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
            self.fields[f"quote_{c.pk}"] = forms.CharField(required=False, max_length=5000, strip=False,
                                                           widget=forms.HiddenInput)

    def rows(self) -> list[dict[str, Any]]:
        return [{"category": c, "check": self[f"code_{c.pk}"], "start": self[f"start_{c.pk}"],
                 "end": self[f"end_{c.pk}"], "quote": self[f"quote_{c.pk}"]} for c in self.categories]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for c in self.categories:
            start, end = data.get(f"start_{c.pk}"), data.get(f"end_{c.pk}")
            if (start is None) != (end is None) or (start is not None and end <= start):
                raise ValidationError(_("The marked text for “%(label)s” is not a valid span."),
                                      code="span", params={"label": c.label})
            if not data.get(f"code_{c.pk}") and (start is not None or data.get(f"quote_{c.pk}")):
                raise ValidationError(_("Text is marked for “%(label)s” but the category is not ticked."),
                                      code="span_unticked", params={"label": c.label})
        return data

    def code_inputs(self) -> list[CodeInput]:
        d = self.cleaned_data
        return [CodeInput(category=c, start=d.get(f"start_{c.pk}"), end=d.get(f"end_{c.pk}"),
                          quote=d.get(f"quote_{c.pk}") or "")
                for c in self.categories if d.get(f"code_{c.pk}")]

    @staticmethod
    def initial_from(coding) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if coding is None:
            return initial
        for ac in coding.codes.all():
            initial[f"code_{ac.category_id}"] = True
            initial[f"start_{ac.category_id}"] = ac.start
            initial[f"end_{ac.category_id}"] = ac.end
            initial[f"quote_{ac.category_id}"] = ac.quote
        return initial


class FinalCodesForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        queryset=CodebookCategory.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Final codes"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, categories: Sequence[CodebookCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = CodebookCategory.objects.filter(pk__in=[c.pk for c in categories])


class CodebookDesignForm(forms.Form):
    design = forms.ChoiceField(label=_("Coding design"), choices=Codebook.Design.choices,
                               widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    coders_may_decide = forms.BooleanField(
        label=_("A coder of an answer may set its consensus"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("Off (recommended): the final codes of an answer are set by a researcher who did not code it."))


class CategoryForm(forms.Form):
    label_en = forms.CharField(label=_("Label (English)"), max_length=300)
    label_ru = forms.CharField(label=_("Label (Russian)"), max_length=300)
    description_en = forms.CharField(label=_("Description (English)"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_ru = forms.CharField(label=_("Description (Russian)"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    source = forms.ModelChoiceField(queryset=CodebookCategory.objects.none(), label=_("Merge this category"))
    target = forms.ModelChoiceField(queryset=CodebookCategory.objects.none(), label=_("into this category"))

    def __init__(self, *args: Any, categories: Sequence[CodebookCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = CodebookCategory.objects.filter(pk__in=[c.pk for c in categories]).order_by("order", "code")
        self.fields["source"].queryset = qs
        self.fields["target"].queryset = qs
        self.fields["source"].label_from_instance = self.fields["target"].label_from_instance = (
            lambda c: f"{c.code}: {c.label}")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            raise ValidationError(_("Choose two different categories."), code="same")
        return data
