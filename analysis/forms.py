"""The report page's choices (cross-tabulation, model, split) and the wave comparison."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Wave

from . import frames

from .report import Options, crosstab_choices, model_choices


class CrosstabForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"))
    by = forms.ChoiceField(label=_("By"))

    def __init__(self, *args, variables: list[frames.Variable], lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = crosstab_choices(variables, lang)
        self.fields["item"].choices = choices
        self.fields["by"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("item") and cleaned.get("item") == cleaned.get("by"):
            raise forms.ValidationError(_("Choose two different questions."), code="same")
        return cleaned


class ModelForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome (an ordered scale question)"))
    predictors = forms.MultipleChoiceField(label=_("Predictors"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, variables: list[frames.Variable], roles: frames.Roles, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices, self.fields["predictors"].choices = model_choices(variables, roles, lang)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") and cleaned.get("outcome") in cleaned.get("predictors", []):
            raise forms.ValidationError(_("The outcome cannot also be a predictor."), code="outcome_predictor")
        return cleaned


def report_options(query, wave: Wave, lang: str) -> tuple[Options, CrosstabForm, ModelForm]:
    """The page's choices read from a query string (``item``/``by``, ``outcome``/``predictors``,
    ``split``) against the wave's questions, with the bound forms that explain a refused choice."""
    variables, roles = frames.variables(wave.instrument), frames.roles(wave.instrument)
    crosstab_form = CrosstabForm(query if "item" in query else None, variables=variables, lang=lang)
    model_form = ModelForm(query if "outcome" in query else None, variables=variables, roles=roles, lang=lang)
    options = {"split": query.get("split") or None}
    if crosstab_form.is_bound and crosstab_form.is_valid():
        options.update(item=crosstab_form.cleaned_data["item"], by=crosstab_form.cleaned_data["by"])
    if model_form.is_bound and model_form.is_valid():
        options.update(outcome=model_form.cleaned_data["outcome"],
                       predictors=tuple(model_form.cleaned_data["predictors"]))
    return Options(**options), crosstab_form, model_form


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(queryset=Wave.objects.all(), to_field_name="slug", label=_("First wave"))
    b = forms.ModelChoiceField(queryset=Wave.objects.all(), to_field_name="slug", label=_("Second wave"))

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a and b:
            if a == b:
                raise forms.ValidationError(_("Choose two different waves."), code="same")
            if a.instrument_id != b.instrument_id:
                raise forms.ValidationError(_("Only waves of the same instrument can be compared."), code="instrument")
        return cleaned
