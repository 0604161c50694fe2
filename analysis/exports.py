"""Data downloads: raw data (CSV, XLSX, SPSS .sav, Stata .dta with variable and value labels) and
the codebook (CSV, JSON). The report's tables are written by :mod:`analysis.documents`.

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
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
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
