"""Downloads: raw data (CSV, XLSX, SPSS .sav, Stata .dta with variable and value labels), the
codebook (CSV, JSON), and tables (CSV, XLSX, LaTeX booktabs, Word-friendly HTML).

Exports carry question codes as variable names and option codes as values, with labels where the
format holds them. No personal data: no tokens, e-mails, invitation labels or addresses (frames
never contain them). CSV streams chunk by chunk, so memory stays flat in the number of responses.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from typing import Iterator

import pandas as pd
import pyreadstat

from surveys.models import Wave

from . import frames
from .frames.lines import csv_lines

DATA_FORMATS = ("csv", "xlsx", "sav", "dta")
TABLE_FORMATS = ("csv", "xlsx", "tex", "html")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "json": "application/json",
    "tex": "application/x-tex; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
    "zip": "application/zip",
}


def csv_rows(wave: Wave, *, bom: bool = False) -> Iterator[str]:
    """The wave's data as CSV text (codes as values; a header row of variable names), streamed in
    chunks from the stored line of each response (see ``frames.lines.csv_lines``): memory is bounded by
    the chunk, whatever the size of the wave."""
    first = True
    for text in csv_lines(wave):
        if first and bom:
            text = "\ufeff" + text
        first = False
        yield text


def codebook(wave_or_instrument, *, lang: str = "en") -> pd.DataFrame:
    """Every variable with its question text (both languages), type, measure and value labels."""
    instrument = wave_or_instrument.instrument if isinstance(wave_or_instrument, Wave) else wave_or_instrument
    rows = [
        {"variable": "response_id", "label_en": "Response (pseudonymous id)", "label_ru": "Анкета (псевдоним)",
         "type": "text", "measure": "nominal", "values": ""},
        {"variable": "wave", "label_en": "Wave", "label_ru": "Волна", "type": "text", "measure": "nominal",
         "values": ""},
        {"variable": "submitted_at", "label_en": "Submitted at (UTC)", "label_ru": "Время отправки (UTC)",
         "type": "datetime", "measure": "scale", "values": ""},
        {"variable": "language", "label_en": "Language of the interface", "label_ru": "Язык интерфейса",
         "type": "text", "measure": "nominal", "values": ""},
    ]
    for var in frames.variables(instrument):
        rows.append({
            "variable": var.name, "label_en": var.label_en, "label_ru": var.label_ru, "type": var.type,
            "measure": var.measure,
            "values": "; ".join(f"{code} = {label}" for code, label in sorted(var.value_labels(lang).items())),
        })
    return pd.DataFrame(rows)


def codebook_json(wave: Wave) -> str:
    out = []
    for var in frames.variables(wave.instrument):
        out.append({"variable": var.name, "question": var.question, "label": {"en": var.label_en, "ru": var.label_ru},
                    "type": var.type, "measure": var.measure, "group": var.group,
                    "values": [{"code": c, "label": {"en": en, "ru": ru}} for c, (en, ru) in sorted(var.values.items())]})
    return json.dumps({"instrument": wave.instrument.code, "wave": wave.slug, "variables": out},
                      ensure_ascii=False, indent=2)


def _labelled(wave: Wave, *, lang: str, max_label: int | None = None):
    df = frames.wave_frame(wave, codes=True)
    variables = {v.name: v for v in frames.variables(wave.instrument)}
    meta_labels = codebook(wave, lang=lang).set_index("variable")[f"label_{'ru' if lang == 'ru' else 'en'}"]

    def cut(text: str) -> str:
        return text if max_label is None or len(text) <= max_label else text[: max_label - 1] + "…"

    column_labels = [cut(variables[c].label(lang) if c in variables else meta_labels.get(c, c)) for c in df.columns]
    value_labels = {c: {float(k): cut(v) for k, v in variables[c].value_labels(lang).items()}
                    for c in df.columns if c in variables and variables[c].values}
    measures = {c: variables[c].measure if c in variables else "nominal" for c in df.columns}
    # readstat wants plain numpy dtypes: nullable integers become floats with NaN for missing
    for c in df.columns:
        if str(df[c].dtype) in {"Int64", "Int8", "Float64"}:
            df[c] = df[c].astype("float64")
        elif str(df[c].dtype) == "string":
            df[c] = df[c].astype(object).where(df[c].notna(), "")
    df["submitted_at"] = df["submitted_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    return df, column_labels, value_labels, measures


def write_data(wave: Wave, fmt: str, path: str | os.PathLike, *, lang: str = "en", bom: bool = False) -> None:
    """Write the wave's data in ``fmt`` (csv, xlsx, sav, dta) to ``path``."""
    if fmt not in DATA_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(DATA_FORMATS)}.")
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for line in csv_rows(wave, bom=bom):
                fh.write(line)
        return
    if fmt == "xlsx":
        df = frames.wave_frame(wave, codes=True)
        df["submitted_at"] = df["submitted_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name="data", index=False)
            codebook(wave, lang=lang).to_excel(writer, sheet_name="codebook", index=False)
        return
    if fmt == "sav":
        df, labels, values, measures = _labelled(wave, lang=lang)
        pyreadstat.write_sav(df, os.fspath(path), column_labels=labels, variable_value_labels=values,
                             variable_measure={c: m for c, m in measures.items()})
        return
    df, labels, values, _ = _labelled(wave, lang=lang, max_label=80)  # Stata labels hold 80 characters
    renamed = stata_names(list(df.columns))
    labels = [(f"[{old}] {label}"[:80] if new != old else label) for old, new, label in zip(df.columns, renamed, labels)]
    values = {renamed[list(df.columns).index(c)]: v for c, v in values.items()}
    df.columns = renamed
    pyreadstat.write_dta(df, os.fspath(path), column_labels=labels, variable_value_labels=values, version=15)


STATA_NAME = 30  # Stata allows 32; readstat's value-label set names need the margin


def stata_names(names: list[str]) -> list[str]:
    """Stata names hold 32 characters, and readstat needs a margin for the value-label sets named
    after them: longer question codes are shortened to 30 characters (uniquely); the full code then
    starts the variable label, in square brackets."""
    out: list[str] = []
    for name in names:
        short = name if len(name) <= STATA_NAME else name[:STATA_NAME]
        i = 1
        while short in out:
            suffix = f"_{i}"
            short = name[: STATA_NAME - len(suffix)] + suffix
            i += 1
        out.append(short)
    return out


def data_bytes(wave: Wave, fmt: str, *, lang: str = "en") -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"data.{fmt}")
        write_data(wave, fmt, path, lang=lang)
        with open(path, "rb") as fh:
            return fh.read()


# --- tables -----------------------------------------------------------------------------

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
    import html

    return html.escape(text)

