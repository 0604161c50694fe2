"""The researcher's workspace: waves, a report per wave, downloads. Researchers and admins only.

Every page and download renders the one report of :func:`analysis.report.report_build`.
"""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.views import message_page
from surveys.models import Wave
from surveys.roles import ANALYSE_WAVES, permission_required

from . import bundle, documents, exports, figures, frames
from .forms import CompareForm, report_options
from .report import comparison_build, report_build, split_choices
from .tasks import bundle_prepare_schedule


def _lang() -> str:
    return (get_language() or "en")[:2]


def _wave(slug: str) -> Wave:
    return get_object_or_404(Wave.objects.select_related("instrument"), slug=slug)


def _attachment(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@permission_required(ANALYSE_WAVES)
def wave_list(request: HttpRequest) -> HttpResponse:
    return render(request, "analysis/index.html", {"waves": frames.wave_list()})


@require_GET
@permission_required(ANALYSE_WAVES)
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET if "a" in request.GET else None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        try:
            table = comparison_build(a, b, lang=_lang())
        except ValueError as exc:
            context["error"] = str(exc)
        else:
            fmt = request.GET.get("format")
            if fmt in documents.TABLE_FORMATS:
                return _attachment(documents.table_bytes(table, fmt), f"{table.name}.{fmt}", fmt)
            context.update(table=table, a=a, b=b, query=request.GET.urlencode())
    return render(request, "analysis/compare.html", context, status=400 if form.errors else 200)


def _refused(*forms_) -> list[str]:
    """The messages of the bound forms that refused the query's choices (unknown columns, ...)."""
    return [f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
            for form in forms_ if form.is_bound and not form.is_valid()
            for name, errors in form.errors.items() for error in errors]


def _report(request: HttpRequest, wave: Wave, **kwargs):
    options, crosstab_form, model_form = report_options(request.GET, wave, _lang())
    return report_build(wave, lang=_lang(), options=options, **kwargs), crosstab_form, model_form


def _download_report(request: HttpRequest, wave: Wave):
    """The report a download is cut from; a query naming unknown columns is refused (400), never
    answered with the default table under the asked-for name."""
    options, crosstab_form, model_form = report_options(request.GET, wave, _lang())
    refused = _refused(crosstab_form, model_form)
    if refused:
        raise BadQuery(refused)
    return report_build(wave, lang=_lang(), options=options)


class BadQuery(Exception):
    def __init__(self, messages_: list[str]) -> None:
        super().__init__("; ".join(messages_))
        self.messages = messages_


@require_GET
@permission_required(ANALYSE_WAVES)
def wave_report(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    report, crosstab_form, model_form = _report(request, wave)
    bundle_prepare_schedule(report)  # the bundle, built by the worker while the page is read
    crosstab = report.section("crosstab")
    if crosstab is not None and not crosstab_form.is_bound:
        crosstab_form.initial = dict(zip(("item", "by"), crosstab.result))
    return render(request, "analysis/report.html", {
        "wave": wave, "report": report, "n": report.n, "crosstab_form": crosstab_form, "model_form": model_form,
        "split_choices": split_choices(report), "query": request.GET.urlencode(),
    }, status=400 if _refused(crosstab_form, model_form) else 200)


@require_GET
@permission_required(ANALYSE_WAVES)
def download(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    wave = _wave(slug)
    try:
        return _download(request, wave, name, fmt)
    except BadQuery as exc:
        return message_page(request, title=_("This download cannot be made"),
                            message=_("The address asks for a table the wave does not have: %(reasons)s")
                            % {"reasons": " ".join(exc.messages)}, status=400)


def _download(request: HttpRequest, wave: Wave, name: str, fmt: str) -> HttpResponse:
    if name == "data" and fmt == "csv":  # ?bom=1: the CSV for Excel; ?free_text=0: without free-text answers
        response = StreamingHttpResponse(
            exports.csv_rows(wave, bom=request.GET.get("bom") == "1", free_text=request.GET.get("free_text") != "0"),
            content_type=exports.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{wave.slug}.csv"'
        return response
    if name == "data" and fmt in exports.DATA_FORMATS:
        return _attachment(exports.data_bytes(wave, fmt, lang=_lang(), free_text=request.GET.get("free_text") != "0"),
                           f"{wave.slug}.{fmt}", fmt)
    if name == "codebook" and fmt == "csv":
        return _attachment(exports.codebook(wave, lang=_lang()).to_csv(index=False).encode(),
                           f"{wave.slug}-codebook.csv", "csv")
    if name == "codebook" and fmt == "json":
        return _attachment(exports.codebook_json(wave).encode(), f"{wave.slug}-codebook.json", "json")
    if name == "report" and fmt == "docx":
        report = _download_report(request, wave)
        return _attachment(documents.report_docx(report), f"{wave.slug}-report.docx", "docx")
    if name == "bundle" and fmt == "zip":
        return _attachment(bundle.bundle_zip_for(wave, lang=_lang(), free_text=request.GET.get("free_text") == "1"),
                           f"{wave.slug}-report.zip", "zip")
    if name.startswith("figure-") and fmt in figures.FORMATS:
        report = _download_report(request, wave)
        figure = report.figure(name.removeprefix("figure-"))
        if figure is not None:
            return _attachment(figure.render(fmt), f"{wave.slug}-{name}.{fmt}", fmt)
    elif fmt in documents.TABLE_FORMATS:
        report = _download_report(request, wave)
        table = report.table(name)
        if table is not None:
            return _attachment(documents.table_bytes(table, fmt, values=request.GET.get("values") == "1"),
                               f"{wave.slug}-{name}.{fmt}", fmt)
    raise Http404(_("There is no such download for this wave."))


@require_GET
@permission_required(ANALYSE_WAVES)
def check_percentages(request: HttpRequest) -> HttpResponse:
    """Published percentages against a claimed n (analysis.stats.consistency; docs/analysis.md)."""
    from .forms import CheckPercentagesForm
    from .stats.consistency import consistent_n, percentages_check

    form = CheckPercentagesForm(request.GET if "values" in request.GET else None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        options = {"decimals": data["decimals"], "rounding": data["rounding"],
                   "row_sums_to": 100 if data["row"] else None}
        rule_names = {"half_up": _("round half up"), "half_even": _("round half to even")}
        if data["n"] is not None:
            check = percentages_check(data["parsed"], n=data["n"], **options)
            context["check"] = check
            context["rows"] = [{
                "value": v.value, "achievable": v.achievable, "counts": v.count_range,
                "only": rule_names[v.rules[0]] if data["rounding"] == "either" and len(v.rules) == 1 else "",
                "below": v.below, "above": v.above,
            } for v in check.values]
            context["row_sum_failed"] = bool(check.row_counts) and not check.flagged and not any(check.row_counts.values())
            context["mixed_rules"] = not check.flagged and not check.consistent and not context["row_sum_failed"]
        if data["low"] is not None:
            context["consistent"] = consistent_n(data["parsed"], n_range=(data["low"], data["high"]), **options)
            context["low"], context["high"] = data["low"], data["high"]
    return render(request, "analysis/check_percentages.html", context, status=400 if form.errors else 200)
