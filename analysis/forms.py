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
            if a.instrument.code != b.instrument.code:  # versions of one instrument match by code
                raise forms.ValidationError(_("Only waves of the same instrument can be compared."), code="instrument")
        return cleaned


class CheckPercentagesForm(forms.Form):
    """The consistency check of published percentages (analysis.stats.consistency): the values as
    printed, their decimals, the claimed n; optionally a range of n to list the consistent ones."""

    MAX_N = 1_000_000
    MAX_SPAN = 5_000  # n tried at most when listing the consistent n (keeps the page quick)

    values = forms.CharField(
        label=_("Percentages as printed"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces, commas, semicolons or new lines; 64.4 and 64,4 are both read as 64.4."))
    decimals = forms.IntegerField(label=_("Decimals printed"), min_value=0, max_value=10, initial=0)  # consistency.MAX_DECIMALS
    n = forms.IntegerField(label=_("Claimed n"), min_value=1, max_value=MAX_N, required=False,
                           help_text=_("The number of respondents the percentages are said to be of."))
    rounding = forms.ChoiceField(label=_("Rounding"), initial="either", choices=[
        ("either", _("Half up or half to even (either)")),
        ("half_up", _("Half up (0.5 → 1)")),
        ("half_even", _("Half to even (0.5 → 0, 1.5 → 2)")),
    ])
    row = forms.BooleanField(label=_("The values are one row of answers: their counts sum to n"), required=False)
    low = forms.IntegerField(label=_("List consistent n from"), min_value=1, max_value=MAX_N, required=False)
    high = forms.IntegerField(label=_("to"), min_value=1, max_value=MAX_N, required=False)

    def clean(self):
        from analysis.stats.consistency import PercentageInputError, parse_values

        cleaned = super().clean()
        decimals, text = cleaned.get("decimals"), cleaned.get("values")
        if decimals is not None and text is not None:
            try:
                cleaned["parsed"] = parse_values(text, decimals=decimals)
            except PercentageInputError as exc:
                self.add_error("values", forms.ValidationError(self._message(exc), code=exc.reason))
            else:
                if not cleaned["parsed"]:
                    self.add_error("values", forms.ValidationError(_("Enter at least one percentage."), code="empty"))
        low, high = cleaned.get("low"), cleaned.get("high")
        if (low is None) != (high is None):
            self.add_error("high" if high is None else "low",
                           forms.ValidationError(_("Give both ends of the range of n."), code="range"))
        elif low is not None and low > high:
            self.add_error("high", forms.ValidationError(_("The end of the range is below its start."), code="range"))
        elif low is not None and high - low + 1 > self.MAX_SPAN:
            self.add_error("high", forms.ValidationError(
                _("At most %(span)d values of n at a time."), code="range", params={"span": self.MAX_SPAN}))
        if cleaned.get("n") is None and low is None and not self.errors:
            raise forms.ValidationError(_("Give the claimed n, or a range of n to list the consistent ones."),
                                        code="nothing")
        return cleaned

    @staticmethod
    def _message(exc) -> str:
        messages = {
            "not_a_number": _("“%(value)s” is not a number."),
            "nan": _("“%(value)s” is not a finite number."),
            "negative": _("“%(value)s” is negative: a percentage is between 0 and 100."),
            "over_100": _("“%(value)s” is over 100: a percentage is between 0 and 100."),
            "too_many_decimals": _("“%(value)s” has more decimals than the %(decimals)s given."),
        }
        return messages[exc.reason] % {"value": exc.value, "decimals": exc.decimals}
