"""Presentation helpers for the analysis pages: numbers rounded only here."""
from __future__ import annotations

import math

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from analysis import style

register = template.Library()


def _lang() -> str:
    return (get_language() or "en")[:2]


@register.filter
def pval(value) -> str:
    """A p-value in the style of the report's tables (".047", "< .001"; "0,047" in Russian)."""
    return style.p_value(value, _lang())


@register.filter
def stat(value, decimals=2) -> str:
    """A statistic with ``decimals`` decimals, in the active language's decimal separator."""
    return style.number(value, int(decimals), _lang())


@register.filter
def bounded(value, decimals=2) -> str:
    """A statistic bounded by 1 (no leading zero in English)."""
    return style.bounded(value, int(decimals), _lang())


@register.filter
def num(value) -> str:
    """Integers as they are, p-values and small numbers with 3 significant digits, others 3 decimals."""
    try:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
    except TypeError:
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "is_integer") and float(value).is_integer() and abs(value) >= 1):
        return f"{int(value)}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != 0 and abs(v) < 0.001:
        return f"{v:.2e}"
    return f"{v:.3f}"


@register.filter
def rows(table):
    return [(label if not isinstance(label, tuple) else " / ".join(map(str, label)), list(values))
            for label, values in zip(table.index, table.to_numpy().tolist())]


@register.filter
def split(value: str):
    return value.split()


@register.filter
def add_class(field, css: str):
    return field.as_widget(attrs={"class": css})


@register.filter
def prefix_query(query: str) -> str:
    return f"?{query}" if query else ""


@register.simple_tag
def crosstab_table(result, stub: str = ""):
    """The cross-tabulation with row %, expected counts and highlighted residuals; ``stub`` heads the
    first column (the two questions' labels)."""
    counts, rowpct, expected, adj = result.counts, result.row_percent, result.expected, result.adjusted_residuals
    head = format_html_join("", '<th scope="col" class="text-end">{}</th>', ((c,) for c in counts.columns))
    body = []
    for r in counts.index:
        cells = []
        for c in counts.columns:
            res = adj.loc[r, c]
            cls = " table-warning fw-semibold" if isinstance(res, float) and not math.isnan(res) and abs(res) > 1.96 else ""
            pct = rowpct.loc[r, c]
            cells.append(format_html('<td class="text-end{}">{}<br><span class="text-body-secondary">{}% · {}</span></td>',
                                     cls, counts.loc[r, c], style.number(pct, 1, _lang()),
                                     style.number(expected.loc[r, c], 1, _lang())))
        body.append(format_html('<tr><th scope="row" class="fw-normal">{}</th>{}</tr>', r, mark_safe("".join(cells))))
    stub = stub or f"{result.row} \\ {result.col}"
    return format_html('<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
                       '<table class="table table-sm table-bordered small">'
                       '<thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table></div>',
                       stub, stub, head, mark_safe("".join(body)))


@register.filter
def apa_table(table) -> str:
    """A report table as standalone HTML (caption, three rules, note), as the HTML download has it."""
    from analysis.documents import html_table

    return mark_safe(html_table(table))
