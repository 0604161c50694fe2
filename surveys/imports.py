"""Import responses from a file (paper questionnaires, earlier waves): validated, all or nothing.

Columns are question codes; multiple choice either as ``<code>__<option code>`` 0/1 columns (as
exports write them) or as one ``<code>`` column of codes or labels separated by ``;``. Values are
option codes or option labels (English or Russian). Every value is validated by the same form
builder as the web form; every error is reported with its row (the file's line or row number) and
column, and nothing is stored unless every row is valid.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid as uuid_lib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from django.db import transaction
from django.utils import timezone

from . import selectors
from .forms import SectionForm
from .models import Answer, Question, Response, Wave
from .signals import responses_completed_notify

META = {"response_id", "wave", "submitted_at", "language"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """A file that cannot be read as a table (its encoding, its type): the message says why and where."""


DATE_FORMATS = {"iso": ("%Y-%m-%d", "YYYY-MM-DD"), "dmy": ("%d.%m.%Y", "DD.MM.YYYY")}
_DATE_PATTERNS = {"iso": re.compile(r"\d{4}-\d{2}-\d{2}"), "dmy": re.compile(r"\d{2}\.\d{2}\.\d{4}")}
MISSING_TEXTS = frozenset({"", "NA"})  # R writes a missing value as NA


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without a byte-order mark), or
    Windows-1251 (Russian Excel's "CSV") when the file is not UTF-8 and reads as Cyrillic text."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        utf8_error = f"line {line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02X})"
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Russian text: its non-ASCII letters are Cyrillic, in words without Latin letters (Latin-1
        # accents read as Windows-1251 give Cyrillic letters inside Latin words: "Trиs")
        letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
        words = [w for w in re.findall(r"\w+", text) if any("\u0400" <= ch <= "\u04ff" for ch in w)]
        mixed = sum(bool(re.search("[A-Za-z]", w)) for w in words)
        if letters and cyrillic >= 0.9 * len(letters) and mixed <= 0.1 * len(words) and not any(
                ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
            return text, "Windows-1251"
    raise ImportFileError(f"{utf8_error}, nor Windows-1251 Russian text. Save it as \"CSV UTF-8\" and import it again.")


def _delimiter(header: str) -> str:
    """The separator of a CSV file, from its header (question codes hold no comma, semicolon or tab)."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[int]]:
    text, _encoding = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    line = 1  # the file line the next record starts on
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if len(record) > len(header):
                raise ImportFileError(f"line {start}: {len(record)} cells, but the header has {len(header)}")
            records.append(record + [""] * (len(header) - len(record)))
            lines.append(start)
    except csv.Error as exc:
        raise ImportFileError(f"line {line}: not a well-formed CSV row ({exc})") from exc
    if header is None:
        raise ImportFileError("the file is empty: no header row of question codes")
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise ImportFileError(f"line 1: the column {', '.join(twice)} appears twice")
    return pd.DataFrame(records, columns=header, dtype=object), lines


def _xlsx_text(value: Any, date_format: str = "iso") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.isoformat()
    if isinstance(value, dt.date):  # a date cell: written in the declared format, as a typed date would be
        return value.strftime(DATE_FORMATS[date_format][0])
    return str(value)


def _read_xlsx(path: Path, date_format: str = "iso") -> tuple[pd.DataFrame, list[int]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        records, lines = [], []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_text(v, date_format) for v in row]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                continue
            records.append((cells + [""] * len(header))[: len(header)])
            lines.append(number)
    finally:
        book.close()
    if header is None:
        raise ImportFileError("the first sheet is empty: no header row of question codes")
    return pd.DataFrame(records, columns=header, dtype=object), lines


def read_table(path: Path, *, date_format: str = "iso") -> tuple[pd.DataFrame, list[int]]:
    """The file as strings, and the file line (CSV), sheet row (XLSX) or case number (SAV) of each
    data row, for messages. CSV files may be UTF-8 or Windows-1251 and separated by commas,
    semicolons or tabs; anything else is refused with :class:`ImportFileError`."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        try:
            return _read_xlsx(path, date_format)
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise ImportFileError(f"not a readable XLSX workbook ({exc})") from exc
    if suffix == ".sav":
        import pyreadstat

        try:
            df, _meta = pyreadstat.read_sav(str(path), user_missing=True)  # "don't know" stays 9
        except pyreadstat.ReadstatError as exc:
            raise ImportFileError(f"not a readable SPSS file ({exc})") from exc
        df = df.astype(object).where(df.notna(), "")
        df = df.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else
                    v.isoformat() if isinstance(v, dt.datetime) else
                    v.strftime(DATE_FORMATS[date_format][0]) if isinstance(v, dt.date) else str(v))
        return df, list(range(1, len(df) + 1))
    raise ImportFileError(f"Unsupported file type {suffix!r}: use CSV, XLSX or SAV.")


def _option_lookup(options) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for o in options:
        for key in (str(o.code), o.label_en, o.label_ru):
            lookup[key.strip().casefold()] = o.code
    return lookup


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    return isinstance(value, str) and value.strip() in MISSING_TEXTS


def responses_import(*, wave: Wave, frame: pd.DataFrame, first_row: int | Sequence[int] = 2,
                     date_format: str = "iso", dry_run: bool = False) -> ImportReport:
    """Validate every row of ``frame`` against the wave's instrument; store all rows or none.

    ``first_row`` is the file row of the first data row, or the file row of each data row (as
    :func:`read_table` gives them). Empty cells and R's ``NA`` are missing values. Dates must be in
    ``date_format`` ("iso": YYYY-MM-DD, "dmy": DD.MM.YYYY); any other date is an error of its cell."""
    if date_format not in DATE_FORMATS:
        raise ValueError(f"Unknown date format {date_format!r}; choose one of {', '.join(DATE_FORMATS)}.")
    if isinstance(first_row, int):
        header_row, lines = first_row - 1, list(range(first_row, first_row + len(frame)))
    else:
        header_row, lines = 1, list(first_row)
    frame = frame.astype(object).map(lambda v: "" if _missing(v) else str(v))
    report = ImportReport(rows=len(frame), dry_run=dry_run)
    structure = selectors.wave_structure(wave=wave)
    questions = structure.all_questions
    codes = {q.code: q for q in questions}
    multiple_columns = {c for c in frame.columns if "__" in c and c.split("__", 1)[0] in codes}
    unknown = [c for c in frame.columns if c not in codes and c not in META and c not in multiple_columns]
    for column in unknown:
        report.errors.append(RowError(header_row, column, "unknown column: not a question code of this instrument"))
    lookups = {q.pk: _option_lookup(structure.options.get(q.pk, [])) for q in questions if q.scale_id}
    existing: set[str] = set()
    in_file: dict[str, int] = {}  # response id -> the row it is first on
    if "response_id" in frame:
        ids = [v for v in frame["response_id"] if v]
        existing = {str(u) for u in Response.objects.filter(uuid__in=[i for i in ids if _is_uuid(i)])
                    .values_list("uuid", flat=True)}
    prepared: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for line, row in zip(lines, frame.to_dict("records")):
        row_errors: list[RowError] = []
        answers: dict[str, Any] = {}
        for section in structure.sections:
            section_qs = structure.questions[section.pk]
            data: dict[str, Any] = {}
            for q in section_qs:
                raw = _raw_value(q, row, lookups.get(q.pk, {}), structure, row_errors, line, date_format)
                if raw is not None:
                    data[q.code] = raw
            form = SectionForm(data, questions=section_qs, options=structure.options)
            if not form.is_valid():
                reported = {e.column for e in row_errors}
                for code, errs in form.errors.items():
                    if code in reported:  # its cell is already reported (a date not in the declared format)
                        continue
                    for e in errs:
                        row_errors.append(RowError(line, code, f"{e} (value: {row.get(code, '')!r})"))
            else:
                answers.update({k: v for k, v in form.answers().items() if v not in (None, "", [])})
        meta = {"language": (row.get("language") or "").strip()[:8], "submitted_at": None, "uuid": None}
        if row.get("submitted_at"):
            try:
                stamp = dt.datetime.fromisoformat(row["submitted_at"].strip())
            except ValueError:
                row_errors.append(RowError(line, "submitted_at", f"not a date and time in ISO 8601 "
                                           f"(YYYY-MM-DDTHH:MM:SS+00:00): {row['submitted_at']!r}"))
            else:
                meta["submitted_at"] = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
        rid = (row.get("response_id") or "").strip()
        if rid:
            if not _is_uuid(rid):
                row_errors.append(RowError(line, "response_id", "not a response id (UUID)"))
            elif str(uuid_lib.UUID(rid)) in in_file:
                row_errors.append(RowError(line, "response_id", f"duplicate response id: the same id is on row "
                                                                f"{in_file[str(uuid_lib.UUID(rid))]} of this file"))
            elif str(uuid_lib.UUID(rid)) in existing:
                row_errors.append(RowError(line, "response_id", "this response is already stored"))
            else:
                meta["uuid"] = uuid_lib.UUID(rid)
            if _is_uuid(rid):
                in_file.setdefault(str(uuid_lib.UUID(rid)), line)
        report.errors.extend(row_errors)
        prepared.append((meta, answers))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        now = timezone.now()
        responses = [Response(wave=wave, status=Response.Status.COMPLETED, language=m["language"],
                              submitted_at=m["submitted_at"] or now, started_at=m["submitted_at"] or now,
                              current_step=len(structure.sections), **({"uuid": m["uuid"]} if m["uuid"] else {}))
                     for m, _a in prepared]
        created = Response.objects.bulk_create(responses)
        if created and created[0].pk is None:
            uuids = [r.uuid for r in responses]
            by_uuid = {r.uuid: r for r in Response.objects.filter(uuid__in=uuids)}
            created = [by_uuid[u] for u in uuids]
        Answer.objects.bulk_create([
            Answer(response=response, question=codes[code], value=value)
            for response, (_m, answers) in zip(created, prepared) for code, value in answers.items()
        ], batch_size=2000)
        if prepared:
            responses_completed_notify(wave.pk, batch=True)
    report.created = len(prepared)
    return report


def _is_uuid(value: str) -> bool:
    try:
        uuid_lib.UUID(str(value))
    except ValueError:
        return False
    return True


def _date_value(text: str, date_format: str) -> str | None:
    """The ISO date of ``text`` if it is a valid date in ``date_format``, else None."""
    pattern, _shown = DATE_FORMATS[date_format]
    if not _DATE_PATTERNS[date_format].fullmatch(text):
        return None
    try:
        return dt.datetime.strptime(text, pattern).date().isoformat()
    except ValueError:
        return None


def _raw_value(q: Question, row: dict[str, Any], lookup: dict[str, int], structure, errors, line,
               date_format: str = "iso") -> Any:
    """The form value for question ``q`` from a row: codes for choices, lists for multiple choice."""
    if q.type == Question.Type.MULTIPLE:
        columns = [f"{q.code}__{o.code}" for o in structure.options.get(q.pk, [])]
        present = [c for c in row if c.startswith(f"{q.code}__") and c not in structure.codes]
        if present and all(not str(row[c]).strip() for c in present):
            return None  # every cell missing
        if present:
            chosen = []
            for c in present:
                v = str(row[c]).strip()
                if v in ("1", "1.0"):
                    chosen.append(c.split("__", 1)[1])
                elif v not in ("0", "0.0", ""):
                    errors.append(RowError(line, c, f"expected 0 or 1, not {v!r}"))
                if c not in columns:
                    errors.append(RowError(line, c, "not an option of this question"))
            return chosen
        text = str(row.get(q.code, "") or "").strip()
        if not text:
            return None
        values = []
        for part in text.split(";"):
            key = part.strip().casefold()
            values.append(str(lookup.get(key, part.strip())))
        return values
    text = str(row.get(q.code, "") or "").strip()
    if not text:
        return None
    if q.scale_id or q.type == Question.Type.YES_NO:
        key = text.casefold()
        if q.type == Question.Type.YES_NO:
            yes_no = {"1": "1", "yes": "1", "да": "1", "0": "0", "no": "0", "нет": "0"}
            return yes_no.get(key, text)
        return str(lookup.get(key, text))
    if q.type == Question.Type.DATE:  # never guessed: a date in another format could swap day and month
        iso = _date_value(text, date_format)
        if iso is None:
            shown = DATE_FORMATS[date_format][1]
            errors.append(RowError(line, q.code, f"not a date in the format {shown}: {text!r}"
                                   + (" (for DD.MM.YYYY dates, import with --date-format dmy)"
                                      if date_format == "iso" and _date_value(text, "dmy") else "")))
        return iso
    return text
