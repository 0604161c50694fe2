"""The report's tables as documents: CSV, XLSX, LaTeX (booktabs) and HTML.

Every text is escaped for its format. The data downloads are in :mod:`analysis.exports`.
"""
from __future__ import annotations

import html
import io

import pandas as pd

TABLE_FORMATS = ("csv", "xlsx", "tex", "html")


def table_bytes(table: pd.DataFrame, fmt: str, *, title: str = "", note: str = "") -> bytes:
    """A result table as CSV, XLSX, LaTeX (booktabs) or Word-friendly HTML."""
    if fmt == "csv":
        return table.to_csv().encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="table")
            if note:
                pd.DataFrame({"note": [note]}).to_excel(writer, sheet_name="notes", index=False)
        return buffer.getvalue()
    if fmt == "tex":
        body = _booktabs(table)
        lines = ["% requires \\usepackage{booktabs}", "\\begin{table}[ht]", "\\centering"]
        if title:
            lines.append(f"\\caption{{{_latex_escape(title)}}}")
        lines += [body.rstrip(), *([f"\\par\\footnotesize {_latex_escape(note)}"] if note else []), "\\end{table}", ""]
        return "\n".join(lines).encode("utf-8")
    if fmt == "html":
        html = table.to_html(na_rep="", border=1, float_format=_format)
        caption = f"<p><b>{_html_escape(title)}</b></p>" if title else ""
        foot = f"<p><small>{_html_escape(note)}</small></p>" if note else ""
        return ("<!doctype html><html><head><meta charset='utf-8'></head><body>"
                f"{caption}{html}{foot}</body></html>").encode("utf-8")
    raise ValueError(f"Unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}.")


def _format(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (bool,)):
        return str(value)
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) >= 0.001 else f"{value:.2e}"
    return str(value)


def _booktabs(table: pd.DataFrame) -> str:
    """A booktabs tabular of the table: the index as the first column, numbers right-aligned."""
    index_name = " / ".join(str(n) for n in table.index.names if n) if any(table.index.names) else ""
    header = " & ".join([_latex_escape(index_name), *(_latex_escape(str(c)) for c in table.columns)]) + r" \\"
    lines = [r"\begin{tabular}{l" + "r" * len(table.columns) + "}", r"\toprule", header, r"\midrule"]
    for label, row in zip(table.index, table.itertuples(index=False)):
        label = " / ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        lines.append(" & ".join([_latex_escape(label), *(_latex_escape(_format(v)) for v in row)]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def _latex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
        text = text.replace(a, b)
    return text


def _html_escape(text: str) -> str:
    return html.escape(text)

