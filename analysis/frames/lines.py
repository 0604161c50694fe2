"""The stored CSV line of each completed response: what the CSV export streams.

The CSV export writes one line per completed response: META_COLUMNS, then every variable, codes
as values (multiple choice 0/1 per option, numbers as floats, dates as YYYY-MM-DD, texts quoted
where needed, missing answers empty). Each response's line is stored (analysis.ResponseLine)
the first time it is exported, so a wave's export streams stored lines; triggers forget a line
as soon as its response or an answer changes.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd
from django.db import connections, transaction

from surveys.models import Question, Response, Wave

from ..models import ResponseLine
from .tidy import META_COLUMNS, Variable, answers_by_response, completed_responses, variables, wave_frame


def csv_layout(wave: Wave, variables_: Sequence[Variable] | None = None) -> str:
    """A key of the columns a line of ``wave`` is written for: its slug and the instrument's
    variables (name, question and type). Lines written for another layout are not used."""
    variables_ = variables(wave.instrument) if variables_ is None else variables_
    question_ids = dict(Question.objects.filter(instrument=wave.instrument_id).values_list("code", "pk"))
    key = [wave.slug] + [(v.name, question_ids.get(v.question), v.type) for v in variables_]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def csv_header(variables_: Sequence[Variable]) -> str:
    return _csv_text(META_COLUMNS + [v.name for v in variables_])


def _csv_text(fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def _date_cell(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return ""


def _formatter(var: Variable):
    """How a variable's stored answer becomes a CSV field (never called with a missing answer)."""
    if var.type == Question.Type.MULTIPLE:
        option = int(var.name.rsplit("__", 1)[1])
        return lambda value: "1" if option in value else "0"
    if var.values:
        return lambda value: str(int(value))
    if var.type == Question.Type.NUMBER:
        return lambda value: repr(float(value))
    if var.type == Question.Type.DATE:
        return _date_cell
    return str


def _build_lines(wave: Wave, responses, variables_: Sequence[Variable], *, lock: bool = False
                 ) -> list[tuple[int, str]]:
    """(pk, line) of the completed responses of ``wave`` among ``responses`` (a queryset). With
    ``lock`` (inside a transaction), they are locked against a concurrent change while their
    answers are read."""
    question_ids = {code: str(pk) for code, pk in
                    Question.objects.filter(instrument=wave.instrument_id).values_list("code", "pk")}
    columns = [(question_ids.get(var.question), _formatter(var)) for var in variables_]
    responses = responses.filter(wave=wave, status=Response.Status.COMPLETED)
    rows = (responses.select_for_update(of=("self",)) if lock else responses).values_list(
        "pk", "uuid", "language", "submitted_at")
    meta = {pk: [str(uuid), wave.slug, submitted.astimezone(dt.timezone.utc).isoformat(), language or ""]
            for pk, uuid, language, submitted in rows}
    answers_of = dict(answers_by_response(responses)) if meta else {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    out = []
    for pk, head in meta.items():
        answers = answers_of.get(pk, {})
        writer.writerow(head + [("" if (v := answers.get(qid)) is None else fmt(v)) for qid, fmt in columns])
        out.append((pk, buffer.getvalue()))
        buffer.seek(0)
        buffer.truncate()
    return out


def _store_lines(lines: list[tuple[int, str]], layout: str) -> None:
    table = connections[ResponseLine.objects.db].ops.quote_name(ResponseLine._meta.db_table)
    sql = (f"INSERT INTO {table} (response_id, layout, line) VALUES (%s, %s, %s) "
           "ON CONFLICT (response_id) DO UPDATE SET layout = excluded.layout, line = excluded.line")
    with connections[ResponseLine.objects.db].cursor() as cursor:
        cursor.executemany(sql, [(pk, layout, line) for pk, line in lines])


def csv_lines_refresh(wave: Wave, *, chunk_size: int = 2_000, progress=None) -> int:
    """Write the CSV lines of the wave's completed responses that have none, or an outdated one.
    Returns how many were written; ``progress(done, total)`` is called after each chunk."""
    variables_ = variables(wave.instrument)
    layout = csv_layout(wave, variables_)
    stale = completed_responses([wave]).exclude(csv_line__layout=layout)
    missing = list(stale.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(missing), chunk_size):
        block = missing[start:start + chunk_size]
        with transaction.atomic():
            lines = _build_lines(wave, stale.filter(pk__gte=block[0], pk__lte=block[-1]), variables_, lock=True)
            _store_lines(lines, layout)
        written += len(lines)
        if progress is not None:
            progress(min(start + chunk_size, len(missing)), len(missing))
    return written


def csv_lines(wave: Wave, *, chunk_size: int = 20_000) -> Iterator[str]:
    """The header and one line per completed response (by submission time, then id), as text
    chunks of up to ``chunk_size`` lines: the stored lines, after writing the missing ones. A
    response changed while the export runs gets a line built on the spot."""
    variables_ = variables(wave.instrument)
    layout = csv_layout(wave, variables_)
    csv_lines_refresh(wave)
    yield csv_header(variables_)
    rows = (completed_responses([wave]).order_by("submitted_at", "pk")
            .values_list("pk", "csv_line__layout", "csv_line__line"))
    block: list[str] = []
    for pk, line_layout, line in rows.iterator(chunk_size=chunk_size):
        if line_layout != layout:
            built = _build_lines(wave, Response.objects.filter(pk=pk), variables_)
            if not built:  # no longer completed
                continue
            line = built[0][1]
        block.append(line)
        if len(block) >= chunk_size:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


class LinesFile(io.TextIOBase):
    """The text of :func:`csv_lines` as a file to read from (for pandas' parser), held a chunk at a
    time: a wave's whole CSV is never one string in memory."""

    def __init__(self, wave: Wave) -> None:
        self._chunks = csv_lines(wave)
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self._buffer = self._buffer + "".join(self._chunks), ""
            return out
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def line_frame(wave: Wave, *, lang: str = "en") -> pd.DataFrame:
    """The frame of :func:`.tidy.wave_frame` (``wave_frame(wave, lang=lang)``, one wave, labelled),
    read from the stored lines: pandas' C parser on the lines, then each column converted at once.
    Several times faster than decoding every response's answers on a large wave; the lines missing
    are written first, as for an export."""
    variables_ = variables(wave.instrument)
    numeric = {v.name for v in variables_ if v.type == Question.Type.MULTIPLE or v.values
               or v.type == Question.Type.NUMBER}
    df = pd.read_csv(LinesFile(wave), keep_default_na=False, encoding_errors="strict",
                     dtype={name: ("float64" if name in numeric else object)
                            for name in META_COLUMNS + [v.name for v in variables_]},
                     na_values={name: [""] for name in numeric})
    if df.empty:  # the empty frame as wave_frame types it
        return wave_frame(wave, lang=lang)
    languages = {code: code for code in df["language"].unique()}  # one string object per language
    data: dict[str, Any] = {
        "response_id": df["response_id"].to_numpy(dtype=object).tolist(),
        "wave": [wave.slug] * len(df),  # the line's slug is the wave's (its layout says so)
        "submitted_at": pd.to_datetime(df["submitted_at"], utc=True, format="ISO8601").dt.as_unit("us").array,
        "language": [languages[code] for code in df["language"]],
    }
    for var in variables_:
        column = df[var.name]
        if var.name in numeric:
            values = column.to_numpy(dtype=float)
            missing = np.isnan(values)
            if var.type == Question.Type.MULTIPLE:
                data[var.name] = pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int8), missing)
            elif var.values:
                order = np.array(sorted(var.values), dtype=float)
                labels = var.value_labels(lang)
                known = ~missing & np.isin(values, order)
                codes = np.full(len(values), -1, dtype=np.int64)
                codes[known] = np.searchsorted(order, values[known])
                data[var.name] = pd.Categorical.from_codes(codes, categories=[labels[c] for c in sorted(var.values)],
                                                           ordered=var.ordered)
            else:
                data[var.name] = pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)
        elif var.type == Question.Type.DATE:
            data[var.name] = pd.to_datetime(column.mask(column == ""), format="%Y-%m-%d", errors="coerce")
        else:
            data[var.name] = pd.array(column.mask(column == "", None).to_numpy(dtype=object), dtype="string")
    return pd.DataFrame(data)
