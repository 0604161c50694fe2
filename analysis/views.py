"""The researcher's workspace: waves, a report per wave, downloads. Researchers and admins only."""
from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pandas as pd
from django import forms
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from surveys.models import Wave
from surveys.roles import ANALYSE_WAVES, permission_required

from . import coding, exports, frames, report


ILLUSTRATIVE_WAVES = {"cluster-managers-demo"}  # demo counts that only keep the published order


class WaveData:
    """A wave's frame and its scale, loaded once per request; results cached per wave version."""

    def __init__(self, wave: Wave):
        self.wave = wave
        self.version = frames.wave_version(wave)
        self._frame = None
        self.variables = frames.variables(wave.instrument)
        self.scale = report.scale_of(self.variables, frames.items_of_group(wave.instrument))

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = frames.wave_frame(self.wave, lang=(get_language() or "en")[:2])
        return self._frame

    def cached(self, name: str, compute):
        key = "analysis:" + hashlib.sha256(f"{self.version}:{get_language()}:{name}".encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, 60 * 60 * 24)
        return value

    def labels(self) -> dict[str, str]:
        lang = (get_language() or "en")[:2]
        return {v.name: v.label(lang) for v in self.variables}


def _choice_questions(data: WaveData, *, ordered: bool | None = None) -> list[tuple[str, str]]:
    labels = data.labels()
    return [(v.name, f"{v.name} — {labels[v.name]}") for v in data.variables
            if v.values and v.type != "multiple" and (ordered is None or v.ordered == ordered)]


class CrosstabForm(forms.Form):
    item = forms.ChoiceField(label=gettext_lazy("Item"))
    by = forms.ChoiceField(label=gettext_lazy("By"))

    def __init__(self, *args, data_source: WaveData, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _choice_questions(data_source)
        self.fields["item"].choices = choices
        self.fields["by"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("item") and cleaned.get("item") == cleaned.get("by"):
            raise forms.ValidationError(_("Choose two different questions."), code="same")
        return cleaned


class ModelForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome (an ordered scale question)"))
    predictors = forms.MultipleChoiceField(label=gettext_lazy("Predictors"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, data_source: WaveData, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = _choice_questions(data_source, ordered=True)
        blocks = [(b, _("Block score: %(block)s") % {"block": b}) for b in data_source.scale.blocks]
        self.fields["predictors"].choices = blocks + _choice_questions(data_source)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") and cleaned.get("outcome") in cleaned.get("predictors", []):
            raise forms.ValidationError(_("The outcome cannot also be a predictor."), code="outcome_predictor")
        return cleaned


@require_GET
@permission_required(ANALYSE_WAVES)
def wave_list(request: HttpRequest) -> HttpResponse:
    return render(request, "analysis/index.html", {"waves": frames.wave_counts()})


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(queryset=Wave.objects.all(), to_field_name="slug", label=gettext_lazy("First wave"))
    b = forms.ModelChoiceField(queryset=Wave.objects.all(), to_field_name="slug", label=gettext_lazy("Second wave"))

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a and b:
            if a == b:
                raise forms.ValidationError(_("Choose two different waves."), code="same")
            if a.instrument_id != b.instrument_id:
                raise forms.ValidationError(_("Only waves of the same instrument can be compared."), code="instrument")
        return cleaned


def comparison_table(a: Wave, b: Wave) -> pd.DataFrame:
    frame_a, frame_b = frames.wave_frame(a), frames.wave_frame(b)
    items = report.scale_of(frames.variables(a.instrument), frames.items_of_group(a.instrument)).items
    if "readiness" in frame_a:
        items = [*items, "readiness"]
    if not len(frame_a) or not len(frame_b):
        raise ValueError(_("Both waves need completed responses."))
    return report.comparison(frame_a, frame_b, items)


@require_GET
@permission_required(ANALYSE_WAVES)
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET if "a" in request.GET else None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        try:
            table = comparison_table(a, b)
        except ValueError as exc:
            context["error"] = str(exc)
        else:
            if request.GET.get("format") in exports.TABLE_FORMATS:
                fmt = request.GET["format"]
                return _attachment(exports.table_bytes(table, fmt, title=f"{a.slug} vs {b.slug}"),
                                   f"compare-{a.slug}-{b.slug}.{fmt}", fmt)
            context.update(table=table, a=a, b=b, query=request.GET.urlencode())
    return render(request, "analysis/compare.html", context, status=200 if not form.errors else 400)


def _wave(slug: str) -> Wave:
    return get_object_or_404(Wave.objects.select_related("instrument"), slug=slug)


def _model(data: WaveData, outcome: str | None, predictors: list[str] | None):
    if outcome:
        model_frame, formula = report.model_data(data.frame, data.scale.blocks, outcome, predictors or [])
    else:
        model_frame, formula = report.default_model_data(data.frame, data.scale.blocks)
    return data.cached(f"model:{formula}", lambda: report.fit_model(model_frame, formula)), model_frame


@require_GET
@permission_required(ANALYSE_WAVES)
def wave_report(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    data = WaveData(wave)
    context: dict[str, Any] = {"wave": wave, "n": len(data.frame), "split": request.GET.get("split") or ""}
    has_scale = bool(data.scale.items)
    context["has_scale"] = has_scale
    context["profile_choices"] = [(v.name, v.label((get_language() or "en")[:2])) for v in data.variables
                                  if v.name in report.PROFILE_QUESTIONS]
    if len(data.frame) and any(v.question == "added_value" for v in data.variables):
        lang = (get_language() or "en")[:2]
        # not cached: the coders' final codes change without the responses changing
        context["figure1"] = coding.figure1_table(wave, data.frame, data.variables, lang=lang)
        context["figure1_n"] = context["figure1"].attrs["n"]
        context["figure1_coded"] = context["figure1"].attrs["source"] == "coded"
        context["illustrative"] = wave.slug in ILLUSTRATIVE_WAVES
        context["agreement"] = _agreement(data)
    if len(data.frame) and has_scale:
        split = context["split"] if context["split"] in dict(context["profile_choices"]) else None
        table = data.cached(f"table1:{split}", lambda: report.table1(data.frame, data.scale.items, split_by=split))
        context["table1"] = table.rename(index=lambda i: i) if split is None else table
        context["item_labels"] = data.labels()
        try:
            context["reliability"], context["item_table"] = data.cached(
                "reliability", lambda: report.reliability_tables(data.frame, data.scale))
        except ValueError as exc:
            context["reliability_error"] = str(exc)
        form = CrosstabForm(request.GET if "item" in request.GET else None, data_source=data,
                            initial={"item": data.scale.items[0], "by": "size"})
        context["crosstab_form"] = form
        item, by = (form.cleaned_data["item"], form.cleaned_data["by"]) if form.is_bound and form.is_valid() else (
            data.scale.items[0], "size" if "size" in data.frame else None)
        if by and by in data.frame and item in data.frame:
            try:
                context["crosstab"] = data.cached(f"xt:{item}:{by}", lambda: report.crosstab(data.frame, item, by))
                context["crosstab_item"], context["crosstab_by"] = item, by
            except ValueError as exc:
                context["crosstab_error"] = str(exc)
        model_form = ModelForm(request.GET if "outcome" in request.GET else None, data_source=data)
        context["model_form"] = model_form
        if "readiness" in data.frame:
            try:
                if model_form.is_bound and model_form.is_valid():
                    result, _frame = _model(data, model_form.cleaned_data["outcome"],
                                            model_form.cleaned_data["predictors"])
                else:
                    result, _frame = _model(data, None, None)
                context["model"] = result
                context["coefficients"] = report.coefficient_table(result)
                context["fit"] = report.fit_table(result)
            except ValueError as exc:
                context["model_error"] = str(exc)
    return render(request, "analysis/report.html", context)


# --- downloads --------------------------------------------------------------------------

def _attachment(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _tables(data: WaveData, request: HttpRequest) -> dict[str, tuple[pd.DataFrame, str]]:
    """Every table of the report, by name, with a title."""
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    if len(data.frame) and any(v.question == "added_value" for v in data.variables):
        counts = coding.figure1_table(data.wave, data.frame, data.variables, lang=(get_language() or "en")[:2])
        out["figure1"] = (counts, figure1_note(data.wave, counts.attrs["n"]))
        agreement = _agreement(data)
        if agreement is not None:
            out["agreement"] = (agreement, _("Agreement between coders"))
    if not len(data.frame) or not data.scale.items:
        return out
    t1 = report.table1(data.frame, data.scale.items)
    out["table1"] = (t1, _("Table 1. Distribution of answers (%%), n = %(n)d") % {"n": len(data.frame)})
    try:
        blocks, items = report.reliability_tables(data.frame, data.scale)
    except ValueError:  # too few or constant answers: the report page explains
        pass
    else:
        out["reliability"] = (blocks, _("Reliability of the blocks and of the scale"))
        out["reliability_items"] = (items, _("Item statistics"))
    if "readiness" in data.frame:
        try:
            result, _frame = _model(data, None, None)
            out["ordinal_coefficients"] = (report.coefficient_table(result), _("Ordinal regression: coefficients"))
            out["ordinal_thresholds"] = (result.thresholds, _("Ordinal regression: thresholds"))
            out["ordinal_fit"] = (report.fit_table(result), _("Ordinal regression: fit"))
            out["ordinal_brant"] = (result.brant, _("Brant test of proportional odds"))
        except ValueError:
            pass
    item, by = request.GET.get("item"), request.GET.get("by")
    if item and by and item in data.frame and by in data.frame and item != by:
        xt = report.crosstab(data.frame, item, by)
        out["crosstab"] = (xt.counts, _("Cross-tabulation of %(a)s by %(b)s") % {"a": by, "b": item})
    return out


@require_GET
@permission_required(ANALYSE_WAVES)
def download(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    wave = _wave(slug)
    if name == "data":
        if fmt == "csv":
            bom = request.GET.get("bom") == "1"
            response = StreamingHttpResponse(exports.csv_rows(wave, bom=bom), content_type=exports.CONTENT_TYPES["csv"])
            response["Content-Disposition"] = f'attachment; filename="{wave.slug}.csv"'
            return response
        if fmt in exports.DATA_FORMATS:
            return _attachment(exports.data_bytes(wave, fmt, lang=(get_language() or "en")[:2]),
                               f"{wave.slug}.{fmt}", fmt)
    elif name == "codebook":
        if fmt == "csv":
            return _attachment(exports.codebook(wave).to_csv(index=False).encode(), f"{wave.slug}-codebook.csv", "csv")
        if fmt == "json":
            return _attachment(exports.codebook_json(wave).encode(), f"{wave.slug}-codebook.json", "json")
    elif name == "bundle" and fmt == "zip":
        return _attachment(bundle(wave, request), f"{wave.slug}-report.zip", "zip")
    elif name.startswith("figure-") and fmt in ("png", "svg", "pdf"):
        data = WaveData(wave)
        figure = _figure(data, name)
        if figure is not None:
            return _attachment(report.figure_bytes(figure, fmt), f"{wave.slug}-{name}.{fmt}", fmt)
    elif fmt in exports.TABLE_FORMATS:
        data = WaveData(wave)
        tables = _tables(data, request)
        if name in tables:
            table, title = tables[name]
            return _attachment(exports.table_bytes(table, fmt, title=title), f"{wave.slug}-{name}.{fmt}", fmt)
    return render(request, "surveys/unavailable.html", {
        "title": _("Download not found"), "message": _("There is no such download for this wave."),
    }, status=404)


def _figure(data: WaveData, name: str):
    if name == "figure-figure1" and len(data.frame):
        try:
            counts = coding.figure1_table(data.wave, data.frame, data.variables, lang=(get_language() or "en")[:2])
        except ValueError:
            return None
        return report.figure1(counts, n=counts.attrs["n"], title=_("Added value of the cluster for its members"),
                              xlabel=_("Number of opinions"), note=figure1_note(data.wave, counts.attrs["n"]))
    if not len(data.frame) or not data.scale.items:
        return None
    if name == "figure-table1":
        return report.table1_figure(report.table1(data.frame, data.scale.items),
                                    title=_("Distribution of answers (%%), n = %(n)d") % {"n": len(data.frame)})
    if name == "figure-probabilities" and "readiness" in data.frame:
        try:
            result, model_frame = _model(data, None, None)
        except ValueError:  # the page explains why the model cannot be fitted
            return None
        vary = next(iter(data.scale.blocks))
        proba = report.predicted_profiles(result, model_frame, vary)
        return report.probability_figure(proba, title=_("Predicted probabilities of readiness"), xlabel=vary)
    return None


def _agreement(data: WaveData) -> pd.DataFrame | None:
    """Agreement between the coders of the added value, when the wave's answers were double-coded."""
    try:
        table = data.cached("agreement", lambda: coding.agreement(data.wave))
    except ValueError:  # no codebook, or fewer than two coders
        return None
    return table


def figure1_note(wave: Wave, n: int) -> str:
    note = _("n = %(n)d cluster managers") % {"n": n}
    if wave.slug in ILLUSTRATIVE_WAVES:
        note += " · " + _("illustrative demo data: only the order of the categories follows the paper")
    return note


def bundle(wave: Wave, request: HttpRequest | None = None) -> bytes:
    """Every table (CSV and XLSX), the data (CSV, SPSS, Stata), the codebook and the figures, with a README."""
    from .management.commands.analyze import write_report

    buffer = io.BytesIO()
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        write_report(wave, Path(tmp), lang=(get_language() or "en")[:2])
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp))
    return buffer.getvalue()
