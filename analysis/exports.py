"""Data downloads: raw data (CSV, XLSX, SPSS .sav, Stata .dta with variable and value labels) and
the codebook (CSV, JSON). The report's tables are written by :mod:`analysis.documents`.

Exports carry question codes as variable names and option codes as values, with labels where the
format holds them. No tokens, e-mails, invitation labels or addresses (frames never contain them);
free-text answers, which can hold whatever a respondent wrote, are in a data file unless it is asked
for without them (``free_text=False``; the bundle's default). What each file guarantees is in
docs/analysis.md ("Data files"):

- CSV: the stored line of each response, byte for byte (streamed chunk by chunk); the "CSV for
  Excel" variant (``bom=True``) starts with a byte-order mark and neutralises text answers that a
  spreadsheet would run as a formula (:func:`excel_safe`);
- XLSX: written as a stream (flat memory) from the same lines; every text is a string cell, never a
  formula; codes and numbers are numbers, dates are dates, ``submitted_at`` a date and time (UTC);
- SPSS .sav: whole-number formats for codes, dates as dates, "missing" options (don't know,
  unsure, refused) declared as user-missing values; a text longer than SPSS's 32,767 bytes
  continues in ``<code>__part2``, ``<code>__part3``... (join them to get the answer);
- Stata .dta: release 118 (Stata 14 and later; read by haven, pyreadstat and Stata), long texts as
  strL, "missing" options as extended missing values (.a, .b...), labelled.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import pandas as pd
import pyreadstat

from surveys.models import Question, Wave

from . import frames
from .frames.lines import LinesFile, csv_lines
from .frames.tidy import Variable

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

FREE_TEXT_TYPES = frozenset({Question.Type.TEXT, Question.Type.LONG_TEXT})
EXCEL_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: cells a spreadsheet may run as a formula
SAV_STRING_BYTES = 32_767  # the longest SPSS string
STATA_VERSION = 14  # pyreadstat's version 14 = dta release 118 (Stata 14+); 15 writes 119, which haven 2.5 reads empty
XLSX_MAX_ROWS = 1_048_576

EXCEL_NOTE = ("In the CSV for Excel, a text beginning with =, +, -, @, a tab or a carriage return starts with an "
              "added ' (apostrophe), so that a spreadsheet shows it instead of running it; the plain CSV has the "
              "text as written. Numbers and codes are never changed.")
FREE_TEXT_NOTE = ("Free text as the respondent wrote it: it may hold personal data. Left out of a download asked "
                  "for without free text (and of the report bundle by default). In the SPSS file a text longer "
                  "than 32,767 bytes continues in {name}__part2, {name}__part3...")


def is_free_text(var: Variable) -> bool:
    return var.type in FREE_TEXT_TYPES


def excel_safe(text: str) -> str:
    """``text`` as the CSV for Excel writes it: prefixed with ``'`` when it begins with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (OWASP's CSV-injection rule)."""
    return "'" + text if text.startswith(EXCEL_TRIGGERS) else text


@dataclass(frozen=True)
class Column:
    """A column of a data file: its name, what its cells are (text, number, date, datetime) and its
    variable (None for the response's metadata)."""

    name: str
    kind: str
    variable: Variable | None = None

    @property
    def free_text(self) -> bool:
        return self.variable is not None and is_free_text(self.variable)


def columns(variables_: Sequence[Variable]) -> list[Column]:
    """Every column of the stored CSV line, in order (frames.tidy.META_COLUMNS, then the variables)."""
    out = [Column("response_id", "text"), Column("wave", "text"), Column("submitted_at", "datetime"),
           Column("language", "text")]
    for var in variables_:
        if is_free_text(var):
            kind = "text"
        elif var.type == Question.Type.DATE:
            kind = "date"
        else:  # codes (choices, multiple choice, yes/no) and numbers
            kind = "number"
        out.append(Column(var.name, kind, var))
    return out


# --- CSV ----------------------------------------------------------------------------------------

def _csv_text(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _line_rows(wave: Wave, *, free_text: bool = True) -> tuple[list[Column], Iterator[list[list[str]]]]:
    """The columns kept and, chunk by chunk, the rows of the stored CSV lines as lists of cells."""
    all_columns = columns(frames.variables(wave.instrument))
    keep = [i for i, c in enumerate(all_columns) if free_text or not c.free_text]
    kept = [all_columns[i] for i in keep]

    def chunks() -> Iterator[list[list[str]]]:
        chunks_ = csv_lines(wave)
        next(chunks_)  # the header
        everything = len(keep) == len(all_columns)
        for text in chunks_:
            rows = csv.reader(io.StringIO(text, newline=""))
            yield list(rows) if everything else [[row[i] for i in keep] for row in rows]

    return kept, chunks()


def csv_rows(wave: Wave, *, bom: bool = False, free_text: bool = True) -> Iterator[str]:
    """The wave's data as CSV text (codes as values; a header row of variable names), streamed in
    chunks from the stored line of each response (see ``frames.lines.csv_lines``): memory is bounded by
    the chunk, whatever the size of the wave.

    The plain CSV (``bom=False``, with free text) is the stored lines byte for byte. ``bom=True`` is
    the CSV for Excel: a UTF-8 byte-order mark, and every text answer beginning with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return prefixed with ``'`` (numbers and codes are never text, so
    ``-1.5`` stays a number). ``free_text=False`` leaves out the free-text answers."""
    if not bom and free_text:
        yield from csv_lines(wave)
        return
    kept, chunks = _line_rows(wave, free_text=free_text)
    texts = [i for i, c in enumerate(kept) if c.kind == "text" and c.variable is not None] if bom else []
    yield ("\ufeff" if bom else "") + _csv_text([[c.name for c in kept]])
    for rows in chunks:
        for row in rows:
            for i in texts:
                if row[i][:1] in EXCEL_TRIGGERS and row[i]:
                    row[i] = "'" + row[i]
        yield _csv_text(rows)


# --- codebook -----------------------------------------------------------------------------------

def stata_missing_letters(variables_: Sequence[Variable]) -> dict[int, str]:
    """The Stata extended missing value (a, b, ...) of each code that is a "missing" option
    somewhere in the instrument: the same letter for the same code in every variable."""
    codes = sorted({code for var in variables_ for code in var.missing_codes})
    if len(codes) > 26:
        raise ValueError("Stata has 26 extended missing values (.a to .z); the instrument declares more missing codes.")
    return {code: "abcdefghijklmnopqrstuvwxyz"[i] for i, code in enumerate(codes)}


def _notes(var: Variable | None, name: str) -> str:
    if var is None:
        return ""
    notes = []
    if var.condition:
        notes.append(f"Asked only when {var.condition} holds (docs/instruments.md, questionnaire logic); "
                     "empty where it was not asked.")
    if var.added_at:
        notes.append(f"Added to the running wave on {var.added_at}: responses started before then were not "
                     "asked it and are empty.")
    if var.max_choices is not None:
        notes.append(f"Respondents could choose at most {var.max_choices} of the options of {var.question}.")
    if is_free_text(var):
        notes.append(FREE_TEXT_NOTE.format(name=name) + " " + EXCEL_NOTE)
    return " ".join(notes)


def codebook(wave_or_instrument, *, lang: str = "en") -> pd.DataFrame:
    """Every variable with its question text (both languages), type, measure, value labels, which
    codes are user-missing (with their Stata extended missing value), whether it is free text, and
    notes on how the files write it."""
    instrument = wave_or_instrument.instrument if isinstance(wave_or_instrument, Wave) else wave_or_instrument
    meta = {"free_text": "no", "missing": "", "stata_missing": "", "notes": ""}
    rows = [
        {"variable": "response_id", "label_en": "Response (pseudonymous id)", "label_ru": "Анкета (псевдоним)",
         "type": "text", "measure": "nominal", "values": "", **meta},
        {"variable": "wave", "label_en": "Wave", "label_ru": "Волна", "type": "text", "measure": "nominal",
         "values": "", **meta},
        {"variable": "submitted_at", "label_en": "Submitted at (UTC)", "label_ru": "Время отправки (UTC)",
         "type": "datetime", "measure": "scale", "values": "", **meta},
        {"variable": "language", "label_en": "Language of the interface", "label_ru": "Язык интерфейса",
         "type": "text", "measure": "nominal", "values": "", **meta},
    ]
    variables_ = frames.variables(instrument)
    letters = stata_missing_letters(variables_)
    for var in variables_:
        labels = var.value_labels(lang)
        rows.append({
            "variable": var.name, "label_en": var.label_en, "label_ru": var.label_ru, "type": var.type,
            "measure": var.measure,
            "values": "; ".join(f"{code} = {label}" for code, label in sorted(labels.items())),
            "free_text": "yes" if is_free_text(var) else "no",
            "missing": "; ".join(f"{code} = {labels[code]}" for code in sorted(var.missing_codes)),
            "stata_missing": "; ".join(f"{code} = .{letters[code]}" for code in sorted(var.missing_codes)),
            "notes": _notes(var, var.name),
        })
    return pd.DataFrame(rows)


def codebook_json(wave: Wave) -> str:
    variables_ = frames.variables(wave.instrument)
    letters = stata_missing_letters(variables_)
    out = []
    for var in variables_:
        out.append({"variable": var.name, "question": var.question, "label": {"en": var.label_en, "ru": var.label_ru},
                    "type": var.type, "measure": var.measure, "group": var.group,
                    "free_text": is_free_text(var),
                    "values": [{"code": c, "label": {"en": en, "ru": ru}} for c, (en, ru) in sorted(var.values.items())],
                    "missing": [{"code": c, "stata": f".{letters[c]}"} for c in sorted(var.missing_codes)],
                    "asked_when": json.loads(var.condition) if var.condition else None,
                    "max_choices": var.max_choices,
                    "added_to_running_wave": var.added_at or None})
    notes = {"missing": "The codes under \"missing\" (don't know, unsure, refused) are user-missing values in the "
                        "SPSS file and extended missing values (\"stata\") in the Stata file.",
             "free_text": FREE_TEXT_NOTE.format(name="<variable>"), "csv_for_excel": EXCEL_NOTE}
    return json.dumps({"instrument": wave.instrument.code, "instrument_version": wave.instrument.version,
                       "wave": wave.slug, "notes": notes, "variables": out}, ensure_ascii=False, indent=2)


# --- XLSX: a streamed SpreadsheetML writer --------------------------------------------------------

_XLSX_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '{sheets}</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
        '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>'),
}
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
               'state="frozen"/></sheetView></sheetViews><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"
# characters XML 1.0 cannot hold and text that looks like Excel's own _xHHHH_ escape: written as
# _xHHHH_, as Excel does, in the shared strings (which every reader unescapes; openpyxl does not
# unescape inline strings); carriage returns as a character reference (XML readers would read a
# bare one as a newline); lone surrogates (never valid) as U+FFFD
_XML_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)|[\ud800-\udfff]")
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system, valid from 1900-03-01)
_FIRST_EXCEL_DATE = dt.date(1900, 3, 1)


def _xml_odd(match: re.Match) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return f"_x{ord(char):04X}_"


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return _XML_ODD.sub(_xml_odd, text) if _XML_ODD.search(text) else text


def _column_letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        out = chr(65 + rest) + out
    return out


def _string_cell(ref: str, text: str, shared: dict[str, int]) -> str:
    if _XML_ODD.search(text):
        return f'<c r="{ref}" t="s"><v>{shared.setdefault(text, len(shared))}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _cell_writer(kind: str, shared: dict[str, int]):
    """A function (reference, CSV text) -> the cell's XML ("" for an empty cell); odd texts are
    added to ``shared`` (the shared strings)."""
    if kind == "number":
        def number(ref: str, text: str) -> str:
            if not text:
                return ""
            try:
                ok = math.isfinite(float(text))
            except ValueError:
                ok = False
            return f'<c r="{ref}"><v>{text}</v></c>' if ok else _string_cell(ref, text, shared)
        return number
    if kind == "date":
        serials: dict[str, str] = {}

        def date(ref: str, text: str) -> str:
            if not text:
                return ""
            serial = serials.get(text)
            if serial is None:
                try:
                    day = dt.date.fromisoformat(text)
                except ValueError:
                    day = None
                serial = str((day - _EPOCH).days) if day is not None and day >= _FIRST_EXCEL_DATE else ""
                serials[text] = serial
            return f'<c r="{ref}" s="1"><v>{serial}</v></c>' if serial else _string_cell(ref, text, shared)
        return date
    if kind == "datetime":
        def datetime(ref: str, text: str) -> str:
            if not text:
                return ""
            try:
                stamp = dt.datetime.fromisoformat(text)
            except ValueError:
                return _string_cell(ref, text, shared)
            if stamp.tzinfo is not None:
                stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
            delta = stamp - dt.datetime(1899, 12, 30)
            return f'<c r="{ref}" s="2"><v>{delta.days + delta.seconds / 86400 + delta.microseconds / 8.64e10!r}</v></c>'
        return datetime
    return lambda ref, text: _string_cell(ref, text, shared) if text else ""


def xlsx_write(path: str | os.PathLike, sheets: Sequence[tuple[str, Sequence[str], Sequence[str],
                                                               Iterable[Sequence[Sequence[str]]]]]) -> None:
    """Write an XLSX workbook as a stream: ``sheets`` are (name, header, kinds, chunks of rows), every
    cell given as text (as in the CSV). Text cells are inline strings: never a formula, whatever they
    begin with. Numbers are number cells, dates (YYYY-MM-DD) date cells, datetimes (ISO, turned to UTC)
    date-and-time cells. Memory is bounded by a chunk."""
    sheet_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)) + (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(f'<sheet name="{_xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (name, *_rest) in enumerate(sheets, start=1))
                + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" '
                      'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
              'Target="styles.xml"/>'
              f'<Relationship Id="rId{len(sheets) + 2}" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
              'Target="sharedStrings.xml"/></Relationships>')
    shared: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _XLSX_STATIC["[Content_Types].xml"].replace("{sheets}", sheet_types))
        zf.writestr("_rels/.rels", _XLSX_STATIC["_rels/.rels"])
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/styles.xml", _XLSX_STATIC["xl/styles.xml"])
        for i, (_name, header, kinds, chunks) in enumerate(sheets, start=1):
            letters = [_column_letters(j) for j in range(len(header))]
            writers = [_cell_writer(kind, shared) for kind in kinds]
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                fh.write(_SHEET_HEAD.encode())
                fh.write(('<row r="1">' + "".join(
                    f'<c r="{col}1" s="3" t="inlineStr"><is><t xml:space="preserve">{_xml_text(name)}</t></is></c>'
                    for col, name in zip(letters, header)) + "</row>").encode())
                n = 1
                for rows in chunks:
                    parts = []
                    for row in rows:
                        n += 1
                        if n > XLSX_MAX_ROWS:
                            raise ValueError(f"More than {XLSX_MAX_ROWS - 1:,} rows do not fit in an XLSX sheet; "
                                             "use the CSV, SPSS or Stata file.")
                        r = str(n)
                        parts.append(f'<row r="{r}">' + "".join(
                            [w(col + r, v) for w, col, v in zip(writers, letters, row)]) + "</row>")
                    fh.write("".join(parts).encode("utf-8", "replace"))
                fh.write(_SHEET_TAIL.encode())
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      f'count="{len(shared)}" uniqueCount="{len(shared)}">').encode())
            for text in shared:  # in the order of their indexes
                fh.write(f'<si><t xml:space="preserve">{_xml_text(text)}</t></si>'.encode("utf-8", "replace"))
            fh.write(b"</sst>")


def _write_xlsx(wave: Wave, path, *, lang: str, free_text: bool) -> None:
    kept, chunks = _line_rows(wave, free_text=free_text)
    book = codebook(wave, lang=lang)
    book_rows = [[str(v) for v in row] for row in book.itertuples(index=False)]
    xlsx_write(path, [
        ("data", [c.name for c in kept], [c.kind for c in kept], chunks),
        ("codebook", list(book.columns), ["text"] * len(book.columns), [book_rows]),
    ])


# --- SPSS and Stata -----------------------------------------------------------------------------

def _code_width(var: Variable) -> int:
    return max((len(str(code)) for code in var.values), default=1)


def _line_frame(wave: Wave, *, free_text: bool = True) -> tuple[pd.DataFrame, dict[str, Variable | None]]:
    """The wave's data read from the stored CSV lines (the rows and values of the CSV, in its order):
    codes and numbers as floats (NaN when missing), dates as dates (None when missing),
    ``submitted_at`` naive UTC, texts with "" when missing; and the variable of each column. Reading
    the stored lines with pandas' C parser is several times faster than building the frame from the
    answers (``frames.wave_frame``)."""
    all_columns = columns(frames.variables(wave.instrument))
    kept = [c for c in all_columns if free_text or not c.free_text]
    numbers = [c.name for c in kept if c.kind == "number"]
    df = pd.read_csv(LinesFile(wave), usecols=[c.name for c in kept],
                     dtype={c.name: ("float64" if c.kind == "number" else object) for c in kept},
                     keep_default_na=False, na_values={name: [""] for name in numbers}, encoding_errors="strict")
    df = df[[c.name for c in kept]]
    for column in kept:
        values = df[column.name]
        if column.kind == "date":
            days = pd.to_datetime(values.mask(values == ""), format="%Y-%m-%d", errors="coerce")
            df[column.name] = pd.Series([None if pd.isna(d) else d.date() for d in days], dtype=object, index=df.index)
        elif column.kind == "datetime":
            df[column.name] = pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_localize(None)
    return df, {c.name: c.variable for c in kept}


def _labelled(wave: Wave, *, lang: str, max_label: int | None = None, free_text: bool = True):
    """The frame of :func:`_line_frame`, column labels, value labels and the variables of its columns."""
    df, of = _line_frame(wave, free_text=free_text)
    meta_labels = codebook(wave, lang=lang).set_index("variable")[f"label_{'ru' if lang == 'ru' else 'en'}"]

    def cut(text: str) -> str:
        return text if max_label is None or len(text) <= max_label else text[: max_label - 1] + "…"

    column_labels = [cut(of[c].label(lang) if of[c] is not None else meta_labels.get(c, c)) for c in df.columns]
    value_labels = {c: {float(k): cut(v) for k, v in of[c].value_labels(lang).items()}
                    for c in df.columns if of[c] is not None and of[c].values}
    return df, column_labels, value_labels, of


def _formats(df: pd.DataFrame, of: dict[str, Variable | None], *, stata: bool) -> dict[str, str]:
    out = {}
    for c in df.columns:
        var = of.get(c)
        if var is None:
            continue
        if var.values:  # codes: whole numbers (SPSS F1.0/F2.0, Stata %1.0f/%2.0f)
            out[c] = f"%{_code_width(var)}.0f" if stata else f"F{_code_width(var)}.0"
        elif var.type == Question.Type.DATE:
            out[c] = "%td" if stata else "SDATE10"
    return out


def _split_long_texts(df: pd.DataFrame, labels: list[str], texts: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Texts longer than SPSS's 32,767 bytes: the first 32,767 bytes (whole characters) stay in the
    column, the rest continues in ``<name>__part2``, ``__part3``... right after it."""
    out: dict[str, pd.Series] = {}
    out_labels: list[str] = []
    for c, label in zip(df.columns, labels):
        column = df[c]
        out[c] = column
        out_labels.append(label)
        if c not in texts or not (column.str.len() > SAV_STRING_BYTES // 4).any():
            continue
        encoded = [v.encode("utf-8") if isinstance(v, str) else b"" for v in column]
        if max(map(len, encoded), default=0) <= SAV_STRING_BYTES:
            continue
        parts: list[list[str]] = []
        for raw in encoded:
            pieces = []
            while raw:
                cut = min(len(raw), SAV_STRING_BYTES)
                while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # not inside a character
                    cut -= 1
                pieces.append(raw[:cut].decode("utf-8"))
                raw = raw[cut:]
            parts.append(pieces or [""])
        n = max(map(len, parts))
        out[c] = pd.Series([p[0] for p in parts], index=df.index, dtype=object)
        for k in range(2, n + 1):
            name = f"{c}__part{k}"
            if name in df.columns:
                raise ValueError(f"{name}: a variable has the name of a continuation column.")
            out[name] = pd.Series([p[k - 1] if len(p) >= k else "" for p in parts], index=df.index, dtype=object)
            out_labels.append(f"{label} (part {k})")
    return pd.DataFrame(out), out_labels


def _sav_missing(var: Variable) -> list:
    codes = sorted(var.missing_codes)
    if len(codes) <= 3:
        return [float(c) for c in codes]
    return [{"lo": float(codes[0]), "hi": float(codes[-1])}]  # SPSS holds three values or one range


def write_data(wave: Wave, fmt: str, path: str | os.PathLike, *, lang: str = "en", bom: bool = False,
               free_text: bool = True) -> None:
    """Write the wave's data in ``fmt`` (csv, xlsx, sav, dta) to ``path``; ``free_text=False`` leaves
    the free-text answers out."""
    if fmt not in DATA_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(DATA_FORMATS)}.")
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for line in csv_rows(wave, bom=bom, free_text=free_text):
                fh.write(line)
        return
    if fmt == "xlsx":
        _write_xlsx(wave, path, lang=lang, free_text=free_text)
        return
    if fmt == "sav":
        df, labels, values, of = _labelled(wave, lang=lang, free_text=free_text)
        measures = {c: (of[c].measure if of[c] is not None else ("scale" if c == "submitted_at" else "nominal"))
                    for c in df.columns}
        missing = {c: _sav_missing(var) for c, var in of.items() if var is not None and var.missing_codes}
        formats = _formats(df, of, stata=False)
        df, labels = _split_long_texts(df, labels, {c for c, var in of.items() if var is not None and is_free_text(var)})
        pyreadstat.write_sav(df, os.fspath(path), column_labels=labels, variable_value_labels=values,
                             variable_measure=measures, missing_ranges=missing or None, variable_format=formats)
        return
    df, labels, values, of = _labelled(wave, lang=lang, max_label=80, free_text=free_text)  # Stata: 80 characters
    letters = stata_missing_letters([v for v in of.values() if v is not None])
    missing: dict[str, list[str]] = {}
    for c, var in of.items():
        if var is None or not var.missing_codes:
            continue
        mapping = {float(code): letters[code] for code in var.missing_codes}
        df[c] = pd.Series([mapping.get(v, v) for v in df[c]], dtype=object, index=df.index)
        missing[c] = sorted(mapping.values())
        values[c] = {(mapping.get(k, k)): label for k, label in values[c].items()}
    formats = _formats(df, of, stata=True)
    renamed = stata_names(list(df.columns))
    new_name = dict(zip(df.columns, renamed))
    labels = [(f"[{old}] {label}"[:80] if new != old else label) for old, new, label in zip(df.columns, renamed, labels)]
    df.columns = renamed
    pyreadstat.write_dta(df, os.fspath(path), column_labels=labels,
                         variable_value_labels={new_name[c]: v for c, v in values.items()},
                         missing_user_values={new_name[c]: v for c, v in missing.items()} or None,
                         variable_format={new_name[c]: v for c, v in formats.items()}, version=STATA_VERSION)


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


def data_bytes(wave: Wave, fmt: str, *, lang: str = "en", bom: bool = False, free_text: bool = True) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"data.{fmt}")
        write_data(wave, fmt, path, lang=lang, bom=bom, free_text=free_text)
        with open(path, "rb") as fh:
            return fh.read()
