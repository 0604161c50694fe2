"""Presentation helpers for the analysis pages: numbers rounded only here."""
from __future__ import annotations

import math

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


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
def crosstab_table(result):
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
                                     cls, counts.loc[r, c], "—" if math.isnan(pct) else f"{pct:.1f}",
                                     f"{expected.loc[r, c]:.1f}"))
        body.append(format_html('<tr><th scope="row" class="fw-normal">{}</th>{}</tr>', r, mark_safe("".join(cells))))
    return format_html('<div class="table-responsive"><table class="table table-sm table-bordered small">'
                       '<thead><tr><th scope="col">{} \\ {}</th>{}</tr></thead><tbody>{}</tbody></table></div>',
                       result.row, result.col, head, mark_safe("".join(body)))
