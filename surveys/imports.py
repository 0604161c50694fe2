"""Import responses from a file (paper questionnaires, earlier waves): validated, all or nothing.

Columns are question codes; multiple choice either as ``<code>__<option code>`` 0/1 columns (as
exports write them) or as one ``<code>`` column of codes or labels separated by ``;``. Values are
option codes or option labels (English or Russian). Every value is validated by the same form
builder as the web form; every error is reported with its row (the file's line or row number) and
column, and nothing is stored unless every row is valid.
"""
from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from . import selectors
from .forms import SectionForm
from .models import Answer, Question, Response, Wave

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


def read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The file as strings, and the file row number of the first data row (for messages)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return df, 2
    if suffix in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str, keep_default_na=False, sheet_name=0)
        return df, 2
    if suffix == ".sav":
        import pyreadstat

        df, _meta = pyreadstat.read_sav(str(path))
        df = df.astype(object).where(df.notna(), "")
        df = df.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        return df, 1
    raise ValueError(f"Unsupported file type {suffix!r}: use CSV, XLSX or SAV.")


def _option_lookup(options) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for o in options:
        for key in (str(o.code), o.label_en, o.label_ru):
            lookup[key.strip().casefold()] = o.code
    return lookup


def responses_import(*, wave: Wave, frame: pd.DataFrame, first_row: int = 2, dry_run: bool = False) -> ImportReport:
    """Validate every row of ``frame`` against the wave's instrument; store all rows or none."""
    report = ImportReport(rows=len(frame), dry_run=dry_run)
    structure = selectors.wave_structure(wave=wave)
    questions = structure.all_questions
    codes = {q.code: q for q in questions}
    multiple_columns = {c for c in frame.columns if "__" in c and c.split("__", 1)[0] in codes}
    unknown = [c for c in frame.columns if c not in codes and c not in META and c not in multiple_columns]
    for column in unknown:
        report.errors.append(RowError(first_row - 1, column, "unknown column: not a question code of this instrument"))
    lookups = {q.pk: _option_lookup(structure.options.get(q.pk, [])) for q in questions if q.scale_id}
    existing = set()
    if "response_id" in frame:
        ids = [v for v in frame["response_id"] if v]
        existing = {str(u) for u in Response.objects.filter(uuid__in=[i for i in ids if _is_uuid(i)])
                    .values_list("uuid", flat=True)}
    prepared: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for i, row in enumerate(frame.to_dict("records")):
        line = first_row + i
        row_errors: list[RowError] = []
        answers: dict[str, Any] = {}
        for section in structure.sections:
            section_qs = structure.questions[section.pk]
            data: dict[str, Any] = {}
            for q in section_qs:
                raw = _raw_value(q, row, lookups.get(q.pk, {}), structure, row_errors, line)
                if raw is not None:
                    data[q.code] = raw
            form = SectionForm(data, questions=section_qs, options=structure.options)
            if not form.is_valid():
                for code, errs in form.errors.items():
                    for e in errs:
                        row_errors.append(RowError(line, code, f"{e} (value: {row.get(code, '')!r})"))
            else:
                answers.update({k: v for k, v in form.answers().items() if v not in (None, "", [])})
        meta = {"language": (row.get("language") or "").strip()[:8], "submitted_at": None, "uuid": None}
        if row.get("submitted_at"):
            stamp = pd.to_datetime(row["submitted_at"], errors="coerce", utc=True)
            if pd.isna(stamp):
                row_errors.append(RowError(line, "submitted_at", "not a date and time"))
            else:
                meta["submitted_at"] = stamp.to_pydatetime()
        rid = (row.get("response_id") or "").strip()
        if rid:
            if not _is_uuid(rid):
                row_errors.append(RowError(line, "response_id", "not a response id (UUID)"))
            elif rid in existing:
                row_errors.append(RowError(line, "response_id", "this response is already stored"))
            else:
                meta["uuid"] = uuid_lib.UUID(rid)
                existing.add(rid)
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
    report.created = len(prepared)
    return report


def _is_uuid(value: str) -> bool:
    try:
        uuid_lib.UUID(str(value))
    except ValueError:
        return False
    return True


def _raw_value(q: Question, row: dict[str, Any], lookup: dict[str, int], structure, errors, line) -> Any:
    """The form value for question ``q`` from a row: codes for choices, lists for multiple choice."""
    if q.type == Question.Type.MULTIPLE:
        columns = [f"{q.code}__{o.code}" for o in structure.options.get(q.pk, [])]
        present = [c for c in row if c.startswith(f"{q.code}__")]
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
    if q.type == Question.Type.DATE:
        stamp = pd.to_datetime(text, errors="coerce")
        return stamp.date().isoformat() if not pd.isna(stamp) and isinstance(stamp.date(), dt.date) else text
    return text
