"""Stored responses as tidy DataFrames: the only code that queries responses for analysis.

A wave (or several waves of one instrument) becomes one DataFrame with a row per completed
response and a column per question code:

- ordered scales and single choices: pandas Categoricals with their labels, in code order
  (Low ... Very high), ordered for ordered scales; with ``codes=True``, the numeric codes;
- multiple choice: one 0/1 column per option, named ``<code>__<option code>``;
- yes/no: a Categorical (No, Yes), or 0/1 with ``codes=True``;
- numbers as floats, texts as strings, dates as datetimes;

plus ``response_id`` (the response's random UUID: pseudonymous, stable), ``wave``,
``submitted_at`` and ``language``. No personal data (invitation e-mails, labels, tokens) ever
enters a frame. The queries are a constant number whatever the number of responses, and no ORM
object is built per row.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from django.db import connections, transaction
from django.db.models import Count, Max, Min, Q

from surveys.models import Answer, Instrument, Option, Question, Response, Wave

from .models import ResponseLine

META_COLUMNS = ["response_id", "wave", "submitted_at", "language"]


@dataclass(frozen=True)
class Variable:
    """One column of a frame, with what the codebook and labelled exports need."""

    name: str
    question: str
    type: str
    measure: str  # nominal, ordinal or scale
    label_en: str
    label_ru: str
    values: dict[int, tuple[str, str]]  # code -> (label_en, label_ru); empty when not coded
    ordered: bool = False
    group: str = ""

    def label(self, lang: str = "en") -> str:
        return self.label_ru if lang == "ru" and self.label_ru else self.label_en

    def value_labels(self, lang: str = "en") -> dict[int, str]:
        return {code: (ru if lang == "ru" and ru else en) for code, (en, ru) in self.values.items()}


def _instrument_of(waves: Sequence[Wave]) -> Instrument:
    if not waves:
        raise ValueError("Give at least one wave.")
    instruments = {w.instrument_id for w in waves}
    if len(instruments) != 1:
        raise ValueError("Waves of different instruments cannot share one frame.")
    return waves[0].instrument


def variables(instrument: Instrument) -> list[Variable]:
    """The instrument's variables in order (three queries)."""
    questions = list(Question.objects.filter(instrument=instrument).select_related("scale", "section")
                     .order_by("section__order", "order"))
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(scale__instrument=instrument).order_by("code"):
        options.setdefault(option.scale_id, []).append(option)
    out: list[Variable] = []
    for q in questions:
        opts = options.get(q.scale_id, []) if q.scale_id else []
        values = {o.code: (o.label_en, o.label_ru) for o in opts}
        if q.type == Question.Type.MULTIPLE:
            for o in opts:
                out.append(Variable(
                    name=f"{q.code}__{o.code}", question=q.code, type=q.type, measure="nominal",
                    label_en=f"{q.text_en}: {o.label_en}", label_ru=f"{q.text_ru}: {o.label_ru}",
                    values={0: ("not chosen", "не выбрано"), 1: ("chosen", "выбрано")}, group=q.group,
                ))
            continue
        if q.type == Question.Type.YES_NO:
            values = {0: ("No", "Нет"), 1: ("Yes", "Да")}
        ordered = bool(q.scale_id and q.scale.ordered)
        measure = ("ordinal" if ordered else "nominal") if values else (
            "scale" if q.type == Question.Type.NUMBER else "nominal")
        out.append(Variable(name=q.code, question=q.code, type=q.type, measure=measure, label_en=q.text_en,
                            label_ru=q.text_ru, values=values, ordered=ordered, group=q.group))
    return out


def _responses(waves: Sequence[Wave]):
    return Response.objects.filter(wave__in=waves, status=Response.Status.COMPLETED)


def wave_frame(waves: Wave | Sequence[Wave], *, codes: bool = False, lang: str = "en",
               pk_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per completed response of ``waves``, one column per variable.

    Parameters
    ----------
    waves : Wave or sequence of Wave
        Waves of one instrument.
    codes : bool
        Numeric codes instead of labelled Categoricals (for exports).
    lang : {"en", "ru"}
        Language of the category labels.
    pk_range : (int, int), optional
        Restrict to responses whose primary key lies in this closed range (large exports are built
        chunk by chunk).
    """
    wave_list = [waves] if isinstance(waves, Wave) else list(waves)
    instrument = _instrument_of(wave_list)
    variables_ = variables(instrument)
    responses = _responses(wave_list)
    if pk_range is not None:
        responses = responses.filter(pk__gte=pk_range[0], pk__lte=pk_range[1])
    meta = list(responses.order_by("submitted_at", "pk").values_list("pk", "uuid", "wave__slug", "submitted_at",
                                                                    "language"))
    index = {pk: i for i, (pk, *_rest) in enumerate(meta)}
    n = len(meta)
    question_ids = dict(Question.objects.filter(instrument=instrument).values_list("pk", "code"))
    raw: dict[str, list[Any]] = {code: [None] * n for code in question_ids.values()}
    for response_id, answers in _answers_by_response(responses):
        row = index[response_id]
        for question_id, value in answers.items():
            raw[question_ids[int(question_id)]][row] = value
    data: dict[str, Any] = {
        "response_id": [str(m[1]) for m in meta],
        "wave": [m[2] for m in meta],
        "submitted_at": pd.to_datetime([m[3] for m in meta], utc=True),
        "language": [m[4] for m in meta],
    }
    for var in variables_:
        values = raw.get(var.question, [None] * n)
        data[var.name] = _column(var, values, codes=codes, lang=lang)
    return pd.DataFrame(data)


# --- CSV lines ------------------------------------------------------------------------------
# The CSV export writes one line per completed response: META_COLUMNS, then every variable, codes
# as values (multiple choice 0/1 per option, numbers as floats, dates as YYYY-MM-DD, texts quoted
# where needed, missing answers empty). Each response's line is stored (analysis.ResponseLine)
# the first time it is exported, so a wave's export streams stored lines; triggers forget a line
# as soon as its response or an answer changes.


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
    answers_of = dict(_answers_by_response(responses)) if meta else {}
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
    stale = _responses([wave]).exclude(csv_line__layout=layout)
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
    rows = (_responses([wave]).order_by("submitted_at", "pk")
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


def _answers_by_response(responses) -> Iterator[tuple[int, dict[str, Any]]]:
    """(response pk, {question pk: value}) for every response, one database row per response.

    The database aggregates each response's answers into one JSON object (SQLite's
    json_group_object, PostgreSQL's json_object_agg), so a wave of n responses costs n rows to
    fetch and n JSON decodings, not one of each per answer.
    """
    ids_sql, ids_params = responses.values("pk").query.sql_with_params()
    connection = connections[responses.db]
    table = Answer._meta.db_table
    if connection.vendor == "postgresql":
        aggregate = "json_object_agg(question_id, value)"
    elif connection.vendor == "sqlite":
        aggregate = "json_group_object(question_id, json(value))"
    else:  # pragma: no cover - other backends: one row per answer
        for response_id, question_id, value in Answer.objects.filter(response__in=responses).values_list(
                "response_id", "question_id", "value").iterator(chunk_size=20_000):
            yield response_id, {str(question_id): value}
        return
    bounds = responses.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    # The range lets the database walk only this wave's part of the (response, question) index.
    sql = (f"SELECT response_id, {aggregate} FROM {table} WHERE response_id BETWEEN %s AND %s "
           f"AND response_id IN ({ids_sql}) GROUP BY response_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, (bounds["low"], bounds["high"], *ids_params))
        while rows := cursor.fetchmany(10_000):
            for response_id, text in rows:
                yield response_id, (json.loads(text) if isinstance(text, str) else text)


def _column(var: Variable, values: list[Any], *, codes: bool, lang: str) -> Any:
    if var.type == Question.Type.MULTIPLE:
        option = int(var.name.rsplit("__", 1)[1])
        return pd.array([None if v is None else int(option in v) for v in values], dtype="Int8") if any(
            v is not None for v in values) else pd.array([None] * len(values), dtype="Int8")
    if var.values:
        ints = pd.array(values, dtype="Int64")
        if codes:
            return ints
        order = sorted(var.values)
        labels = var.value_labels(lang)
        position = {code: i for i, code in enumerate(order)}
        codes_arr = np.array([-1 if v is None else position.get(v, -1) for v in values], dtype=np.int64)
        return pd.Categorical.from_codes(codes_arr, categories=[labels[c] for c in order], ordered=var.ordered)
    if var.type == Question.Type.NUMBER:
        return pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    if var.type == Question.Type.DATE:
        return pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
    return pd.array(values, dtype="string")


def chunked_frames(waves: Wave | Sequence[Wave], *, chunk_size: int = 5_000, codes: bool = True,
                   lang: str = "en") -> Iterator[pd.DataFrame]:
    """The frame in chunks of responses (by primary key), for exports whose memory must stay flat."""
    wave_list = [waves] if isinstance(waves, Wave) else list(waves)
    ids = list(_responses(wave_list).order_by("pk").values_list("pk", flat=True))
    if not ids:
        yield wave_frame(wave_list, codes=codes, lang=lang, pk_range=(0, -1))
        return
    for start in range(0, len(ids), chunk_size):
        block = ids[start:start + chunk_size]
        yield wave_frame(wave_list, codes=codes, lang=lang, pk_range=(block[0], block[-1]))


def wave_version(wave: Wave) -> str:
    """Changes whenever the wave's completed responses change (for caching results)."""
    agg = _responses([wave]).aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{wave.pk}:{agg['n']}:{agg['last'].isoformat() if agg['last'] else '-'}"


def wave_counts() -> Iterable[Wave]:
    """Waves with their counts of completed responses, for the analysis index."""
    return Wave.objects.select_related("instrument").annotate(
        completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED))).order_by("-created_at")


def items_of_group(instrument: Instrument) -> dict[str, list[str]]:
    """Question codes by their group (the blocks of a scale), in order."""
    out: dict[str, list[str]] = {}
    for code, group in Question.objects.filter(instrument=instrument).exclude(group="").order_by(
            "section__order", "order").values_list("code", "group"):
        out.setdefault(group, []).append(code)
    return out

