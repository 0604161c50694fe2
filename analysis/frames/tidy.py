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

import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd
from django.db import connections
from django.db.models import Count, Max, Min, Q, QuerySet

from analysis.models import WaveChange
from surveys.models import Answer, Block, Instrument, Option, Question, Response, Scale, Wave

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
    short_en: str = ""
    short_ru: str = ""
    missing_codes: frozenset[int] = frozenset()  # codes of options marked ``missing`` (don't know, refused...)
    condition: str = ""  # the question's display condition (JSON): asked only when it holds
    added_at: str = ""  # when the question was added to a running wave (ISO date), if it was
    max_choices: int | None = None  # a multiple choice's limit: the most options a respondent could choose

    def label(self, lang: str = "en") -> str:
        """The full text: the variable label of SPSS and Stata files and codebooks."""
        return self.label_ru if lang == "ru" and self.label_ru else self.label_en

    def short(self, lang: str = "en") -> str:
        """The short label of tables and figures (the full text where the instrument gives none)."""
        short = self.short_ru if lang == "ru" and self.short_ru else self.short_en
        return short or self.label(lang)

    def value_labels(self, lang: str = "en") -> dict[int, str]:
        return {code: (ru if lang == "ru" and ru else en) for code, (en, ru) in self.values.items()}


def _instruments_of(waves: Sequence[Wave]) -> list[Instrument]:
    """The instrument versions of ``waves``, latest version first; waves of different instruments
    (different codes) cannot share a frame."""
    if not waves:
        raise ValueError("Give at least one wave.")
    if len({w.instrument.code for w in waves}) != 1:
        raise ValueError("Waves of different instruments cannot share one frame.")
    by_pk = {w.instrument_id: w.instrument for w in waves}
    return sorted(by_pk.values(), key=lambda i: -i.version)


@dataclass(frozen=True)
class VariableMatch:
    """Variables of two versions of an instrument matched by name (the question code)."""

    common: list[str]  # in both, with the same definition (type and value codes)
    only_a: list[str]  # in version a only
    only_b: list[str]  # in version b only
    different: list[str]  # in both, defined differently (another type, or other value codes)


def _definition(var: Variable) -> tuple:
    return (var.type, tuple(sorted(var.values)), var.ordered)


def variables_match(a: Instrument, b: Instrument, select=None) -> VariableMatch:
    """Match the variables of two versions of an instrument by name.

    ``select(instrument)`` may restrict each side to some variable names (the items of a
    comparison); by default every variable counts.
    """
    vars_a = {v.name: v for v in variables(a)}
    vars_b = {v.name: v for v in variables(b)}
    names_a = list(select(a)) if select else list(vars_a)
    names_b = list(select(b)) if select else list(vars_b)
    in_b = set(names_b)
    both = [n for n in names_a if n in in_b]
    different = [n for n in both if n in vars_a and n in vars_b and _definition(vars_a[n]) != _definition(vars_b[n])]
    return VariableMatch(
        common=[n for n in both if n not in different],
        only_a=[n for n in names_a if n not in in_b], only_b=[n for n in names_b if n not in set(names_a)],
        different=different)


def _variables_across(instruments: Sequence[Instrument]) -> tuple[list[Variable], dict[int, set[str]]]:
    """The union of the versions' variables, by name, latest version's definition and order first;
    and, per version, the names it has. Raises ValueError when a name is defined differently."""
    out: dict[str, Variable] = {}
    names: dict[int, set[str]] = {}
    for instrument in instruments:
        vars_ = variables(instrument)
        names[instrument.pk] = {v.name for v in vars_}
        for var in vars_:
            seen = out.get(var.name)
            if seen is None:
                out[var.name] = var
            elif _definition(seen) != _definition(var):
                raise ValueError(f"The variable {var.name} is defined differently in versions of {instrument.code} "
                                 "(another type or other option codes); frame the waves separately.")
    return list(out.values()), names


def variables(instrument: Instrument) -> list[Variable]:
    """The instrument's variables in order (three queries)."""
    questions = list(Question.objects.filter(instrument=instrument).select_related("scale", "section", "addition")
                     .order_by("section__order", "order"))
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(scale__instrument=instrument).order_by("code"):
        options.setdefault(option.scale_id, []).append(option)
    out: list[Variable] = []
    for q in questions:
        asked = {"condition": json.dumps(q.condition, ensure_ascii=False) if q.condition else "",
                 "added_at": q.addition.added_at.date().isoformat() if hasattr(q, "addition") else ""}
        opts = options.get(q.scale_id, []) if q.scale_id else []
        values = {o.code: (o.label_en, o.label_ru) for o in opts}
        missing_codes = frozenset(o.code for o in opts if o.missing)
        if q.type == Question.Type.MULTIPLE:
            for o in opts:
                out.append(Variable(
                    name=f"{q.code}__{o.code}", question=q.code, type=q.type, measure="nominal",
                    label_en=f"{q.text_en}: {o.label_en}", label_ru=f"{q.text_ru}: {o.label_ru}",
                    short_en=f"{q.label_en or q.text_en}: {o.label_en}",
                    short_ru=f"{q.label_ru or q.text_ru}: {o.label_ru}",
                    values={0: ("not chosen", "не выбрано"), 1: ("chosen", "выбрано")}, group=q.group,
                    max_choices=q.max_choices, **asked,
                ))
            continue
        if q.type == Question.Type.YES_NO:
            values = {0: ("No", "Нет"), 1: ("Yes", "Да")}
        ordered = bool(q.scale_id and q.scale.ordered)
        measure = ("ordinal" if ordered else "nominal") if values else (
            "scale" if q.type in (Question.Type.NUMBER, Question.Type.DATE) else "nominal")
        out.append(Variable(name=q.code, question=q.code, type=q.type, measure=measure, label_en=q.text_en,
                            label_ru=q.text_ru, values=values, ordered=ordered, group=q.group,
                            short_en=q.label_en, short_ru=q.label_ru,
                            missing_codes=missing_codes if q.type != Question.Type.YES_NO else frozenset(),
                            **asked))
    return out


def completed_responses(waves: Sequence[Wave]):
    return Response.objects.filter(wave__in=waves, status=Response.Status.COMPLETED)


def wave_frame(waves: Wave | Sequence[Wave], *, codes: bool = False, lang: str = "en",
               pk_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per completed response of ``waves``, one column per variable.

    Parameters
    ----------
    waves : Wave or sequence of Wave
        Waves of one instrument, in any of its versions: columns are matched by variable name,
        and ``frame.attrs["not_asked"]`` maps each wave's slug to the variables its version lacks
        (their values are missing for its responses).
    codes : bool
        Numeric codes instead of labelled Categoricals (for exports).
    lang : {"en", "ru"}
        Language of the category labels.
    pk_range : (int, int), optional
        Restrict to responses whose primary key lies in this closed range (large exports are built
        chunk by chunk).
    """
    wave_list = [waves] if isinstance(waves, Wave) else list(waves)
    instruments = _instruments_of(wave_list)
    if len(instruments) == 1:
        variables_, names = variables(instruments[0]), {}
    else:
        variables_, names = _variables_across(instruments)
    responses = completed_responses(wave_list)
    if pk_range is not None:
        responses = responses.filter(pk__gte=pk_range[0], pk__lte=pk_range[1])
    meta = list(responses.order_by("submitted_at", "pk").values_list("pk", "uuid", "wave__slug", "submitted_at",
                                                                    "language"))
    index = {pk: i for i, (pk, *_rest) in enumerate(meta)}
    n = len(meta)
    question_ids = dict(Question.objects.filter(instrument__in=instruments).values_list("pk", "code"))
    raw: dict[str, list[Any]] = {code: [None] * n for code in question_ids.values()}
    for response_id, answers in answers_by_response(responses):
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
    frame = pd.DataFrame(data)
    if names:
        every = [v.name for v in variables_]
        frame.attrs["not_asked"] = {w.slug: [n for n in every if n not in names[w.instrument_id]] for w in wave_list}
    return frame


def answers_by_response(responses) -> Iterator[tuple[int, dict[str, Any]]]:
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


def missing_as_na(frame: pd.DataFrame, variables_: Sequence[Variable], lang: str = "en"
                  ) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """``frame`` (labelled, as ``wave_frame`` gives it) with the answers that are missing-value
    options ("Don't know", "Unsure", "Refused": ``Option.missing``) made missing values and their
    categories removed, as the statistics take them; and, per variable, how many answers of each
    such option were left out (``{"cluster_member": {"Don't know": 7}}``). Multiple-choice
    indicators are kept as they are."""
    out = frame.copy(deep=False)  # copy-on-write: the columns changed below are new, the rest shared
    excluded: dict[str, dict[str, int]] = {}
    for var in variables_:
        if not var.missing_codes or var.type == Question.Type.MULTIPLE or var.name not in out:
            continue
        column = out[var.name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            continue
        labels = var.value_labels(lang)
        dropped = [labels[c] for c in sorted(var.missing_codes) if labels.get(c) in column.cat.categories]
        if not dropped:
            continue
        counts = column.value_counts()
        excluded[var.name] = {label: int(counts.get(label, 0)) for label in dropped}
        kept = [c for c in column.cat.categories if c not in dropped]  # in the scale's order
        out[var.name] = column.cat.set_categories(kept, ordered=column.cat.ordered)
    return out, excluded


def wave_version(wave: Wave) -> str:
    """Changes whenever the wave's completed responses change (for caching results): one more or
    one fewer (their number, the latest change and the latest submission), or one of them or its
    answers changed in place (``analysis.models.WaveChange``, counted by database triggers)."""
    agg = completed_responses([wave]).aggregate(n=Count("pk"), last=Max("updated_at"), sent=Max("submitted_at"))
    changes = WaveChange.objects.filter(wave=wave).values_list("n", flat=True).first() or 0
    stamps = [agg[k].isoformat() if agg[k] else "-" for k in ("last", "sent")]
    return f"{wave.pk}:{agg['n']}:{stamps[0]}:{stamps[1]}:{changes}"


def wave_list() -> QuerySet[Wave]:
    """Waves with ``completed``, their number of completed responses, for the analysis index."""
    return Wave.objects.select_related("instrument").annotate(
        completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED))).order_by("-created_at")


@dataclass(frozen=True)
class Roles:
    """What the report does with an instrument's questions, read from the instrument (question
    ``role`` and ``group``), never from question codes.

    - ``blocks``: the scale's blocks, block code -> item codes in questionnaire order (questions
      with a ``group``); when none is declared, the questions on the instrument's most used
      ordered scale form one block named after that scale;
    - ``items``: every item of the scale, in questionnaire order;
    - ``outcome``: the ordered question the default model explains (role ``outcome``), or None;
    - ``profile``: the questions that split tables and cross-tabulations (roles ``profile`` and
      ``covariate``; when none is declared, every single-choice question that is not an item);
    - ``covariates``: the profile questions of the default model (role ``covariate``);
    - ``figures``: the choice questions shown as a figure, in questionnaire order: role ``figure`` (a
      coded or plain multiple choice as counts, a single choice as percentages) and role
      ``combinations`` (a multiple choice as the percentages of the combinations of options given);
    - ``combinations``: those of ``figures`` with role ``combinations``;
    - ``figure_numbers``: each figure's number (the question's ``figure``, else its place in ``figures``).
    """

    blocks: dict[str, list[str]]
    items: list[str]
    outcome: str | None
    profile: list[str]
    covariates: list[str]
    figures: list[str]
    block_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (en, ru)
    combinations: list[str] = field(default_factory=list)
    figure_numbers: dict[str, int] = field(default_factory=dict)

    def block_label(self, code: str, lang: str = "en") -> str:
        en, ru = self.block_labels.get(code, (code, code))
        return ru if lang == "ru" and ru else en


def roles(instrument: Instrument) -> Roles:
    """The analysis roles of an instrument's questions (one query)."""
    questions = list(Question.objects.filter(instrument=instrument).select_related("scale")
                     .order_by("section__order", "order").only("code", "type", "group", "role", "scale", "figure"))
    blocks: dict[str, list[str]] = {}
    for q in questions:
        if q.group:
            blocks.setdefault(q.group, []).append(q.code)
    outcome = next((q.code for q in questions if q.role == Question.Role.OUTCOME), None)
    if not blocks:  # no declared blocks: the questions on the most used ordered scale
        on_scale: dict[Scale, list[str]] = {}
        for q in questions:
            if q.type == Question.Type.SCALE and q.scale and q.scale.ordered and q.code != outcome:
                on_scale.setdefault(q.scale, []).append(q.code)
        if on_scale:
            scale, codes = max(on_scale.items(), key=lambda kv: len(kv[1]))
            if len(codes) >= 2:
                blocks = {scale.code: codes}
    in_blocks = {code for codes in blocks.values() for code in codes}
    declared = any(q.role for q in questions)
    profile_roles = (Question.Role.PROFILE, Question.Role.COVARIATE)
    figure_questions = [q for q in questions if (q.role == Question.Role.FIGURE and q.type in Question.CHOICE_TYPES)
                        or (q.role == Question.Role.COMBINATIONS and q.type == Question.Type.MULTIPLE)]
    return Roles(
        blocks=blocks,
        items=[q.code for q in questions if q.code in in_blocks],
        outcome=outcome,
        profile=[q.code for q in questions if (q.role in profile_roles if declared else (
            q.type in (Question.Type.SINGLE, Question.Type.YES_NO) and q.code not in in_blocks))],
        covariates=[q.code for q in questions if q.role == Question.Role.COVARIATE],
        figures=[q.code for q in figure_questions],
        block_labels={b.code: (b.label_en, b.label_ru) for b in Block.objects.filter(instrument=instrument)},
        combinations=[q.code for q in figure_questions if q.role == Question.Role.COMBINATIONS],
        figure_numbers={q.code: q.figure or place for place, q in enumerate(figure_questions, start=1)},
    )
