"""Coded open answers as data frames: the long frame of codings (for agreement statistics)
and the counts behind a coded figure (final codes per category).

Both read the stored codings in a constant number of queries. Statistics are not computed
here: ``analysis.stats.agreement.agreement_table(*agreement_long(wave, code))`` gives the
agreement table.
"""
from __future__ import annotations

import hashlib
from typing import Sequence

import pandas as pd

from surveys.coding import selectors as coding_selectors
from surveys.coding.models import AppliedCode, Coding, CodingDecision, FinalCode
from surveys.demo import ILLUSTRATIVE_WAVES
from surveys.models import Response, Wave

from .tidy import Variable

CODING_COLUMNS = ["unit", "coder", "code"]


def coding_version(wave: Wave) -> str:
    """Changes whenever anything coded in the wave changes: codings (their state), the codes applied,
    the decisions and the final codes (for caching what is built from them)."""
    parts = [
        list(Coding.objects.filter(response__wave=wave).order_by("pk").values_list("pk", "status", "finished_at")),
        list(AppliedCode.objects.filter(coding__response__wave=wave).order_by("pk").values_list(
            "pk", "category_id", "start", "end")),
        list(CodingDecision.objects.filter(response__wave=wave).order_by("pk").values_list("pk", "decided_at")),
        list(FinalCode.objects.filter(decision__response__wave=wave).order_by("pk").values_list(
            "decision_id", "category_id")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def _codebook(wave: Wave, question_code: str):
    codebook = coding_selectors.codebook_get_by_question(wave=wave, question_code=question_code)
    if codebook is None:
        raise ValueError(f"The guide of wave {wave.slug!r} has no codebook for the question {question_code!r}.")
    return codebook


def coding_frame(wave: Wave, question_code: str) -> pd.DataFrame:
    """The codes applied by the coders to the open answers of a wave, in long format.

    One row per unit x coder x code applied, columns ``unit`` (the response's UUID as a
    string), ``coder`` (user name) and ``code`` (the category's numeric code, int). Only
    finished codings of completed responses whose codings are complete count (every coding the
    codebook requires is finished: a half-coded unit's codes reach nobody but its coder); units
    are ordered as the interviews were started, codes in codebook order. A finished coding that
    applied no code has no row: use ``coded_units`` for the units each coder coded. Two queries
    whatever the size.

    Raises ``ValueError`` when the wave's guide has no codebook for ``question_code``.
    """
    codebook = _codebook(wave, question_code)
    complete = coding_selectors.complete_unit_queryset(codebook=codebook, wave=wave)
    rows = (AppliedCode.objects.filter(
        coding__response_id__in=complete, coding__codebook=codebook, coding__status=Coding.Status.FINISHED,
        coding__response__wave=wave, coding__response__status=Response.Status.COMPLETED,
    ).order_by("coding__response__started_at", "coding__response_id", "coding__coder__username",
               "category__order", "category__code")
        .values_list("coding__response__uuid", "coding__coder__username", "category__code"))
    frame = pd.DataFrame([(str(u), c, int(k)) for u, c, k in rows], columns=CODING_COLUMNS)
    frame["code"] = frame["code"].astype("int64")
    frame.attrs.update({"wave": wave.slug, "question": question_code})
    return frame


def coded_units(wave: Wave, question_code: str) -> pd.DataFrame:
    """Every finished coding of the units whose codings are complete: one row per unit x coder
    (columns ``unit``, ``coder``), including codings that applied no code."""
    codebook = _codebook(wave, question_code)
    complete = coding_selectors.complete_unit_queryset(codebook=codebook, wave=wave)
    rows = (Coding.objects.filter(response_id__in=complete, codebook=codebook, status=Coding.Status.FINISHED,
                                  response__wave=wave,
                                  response__status=Response.Status.COMPLETED)
            .order_by("response__started_at", "response_id", "coder__username")
            .values_list("response__uuid", "coder__username"))
    return pd.DataFrame([(str(u), c) for u, c in rows], columns=["unit", "coder"])


def final_code_counts(wave: Wave, question_code: str) -> pd.DataFrame:
    """How many interviews' final codes include each category (the bars of its figure).

    One row per active category of the codebook, in codebook order (for the cluster-manager
    guide, the published figure's order from its largest bar to its smallest). Columns: ``code``, ``label`` (the
    active language), ``count``, ``figure_row`` (the row of the figure counted from its top, as
    in the published figure, so sorting by it gives the figure's top-to-bottom order).

    Final codes exist only through a coding decision: a researcher's consensus, or the only
    coder's finish in single coding; an answer changed after coding has none until a researcher
    re-confirms it (see ``surveys.coding.selectors.final_codes``). ``attrs``: ``n_interviews`` (completed
    interviews of the wave), ``n_coded`` (interviews with final codes), ``illustrative`` (True for
    the synthetic demo waves: whatever shows these counts must say they are illustrative),
    ``wave`` and ``question``.
    """
    codebook = _codebook(wave, question_code)
    categories = coding_selectors.category_list(codebook=codebook)
    finals = coding_selectors.final_codes(codebook=codebook, wave=wave)
    n = len(categories)
    frame = pd.DataFrame({
        "code": pd.Series([c.code for c in categories], dtype="int64"),
        "label": [c.label for c in categories],
        "count": pd.Series([sum(1 for codes in finals.values() if c.code in codes) for c in categories],
                           dtype="int64"),
        "figure_row": pd.Series([n - i for i in range(n)], dtype="int64"),
    })
    frame.attrs.update({
        "n_interviews": Response.objects.filter(wave=wave, status=Response.Status.COMPLETED).count(),
        "n_coded": len(finals),
        "illustrative": wave.slug in ILLUSTRATIVE_WAVES,
        "wave": wave.slug,
        "question": question_code,
    })
    return frame


def recorded_counts(frame: pd.DataFrame, variables: Sequence[Variable], question_code: str, *, lang: str = "en"
                    ) -> pd.DataFrame:
    """Per option of a multiple-choice question, the number of responses of ``frame`` choosing it
    (largest first), from the 0/1 columns ``<code>__<option>``; ``attrs["n"]`` is the number of
    responses."""
    rows = []
    for var in variables:
        if var.question == question_code and var.name.startswith(f"{question_code}__"):
            code = int(var.name.split("__", 1)[1])
            label = var.label(lang).split(": ", 1)[-1]
            rows.append({"code": code, "label": label, "count": int(frame[var.name].fillna(0).sum())})
    if not rows:
        raise ValueError(f"This instrument has no multiple-choice question {question_code!r}.")
    table = pd.DataFrame(rows).sort_values(["count", "code"], ascending=[False, True]).set_index("code")
    table.attrs["n"] = len(frame)
    return table


def figure_counts(wave: Wave, frame: pd.DataFrame, variables: Sequence[Variable], question_code: str, *,
                  lang: str = "en") -> pd.DataFrame:
    """The counts of a coded figure: the coders' final codes (``final_code_counts``) when the
    question has a codebook (n = the answers with final codes, which may be none yet), else the
    categories recorded in the question (``recorded_counts``). Indexed by category code, columns ``label`` and ``count``, largest
    first; ``attrs``: ``n`` (the responses counted), ``source`` ("coded" or "recorded") and
    ``illustrative``."""
    try:
        coded = final_code_counts(wave, question_code)
    except ValueError:  # no codebook for the question
        coded = None
    if coded is not None:
        table = (coded.sort_values(["count", "code"], ascending=[False, True]).set_index("code")[["label", "count"]])
        table.attrs = {"n": coded.attrs["n_coded"], "source": "coded"}
    else:
        table = recorded_counts(frame, variables, question_code, lang=lang)
        table.attrs["source"] = "recorded"
    table.attrs["illustrative"] = wave.slug in ILLUSTRATIVE_WAVES
    return table


def agreement_long(wave: Wave, question_code: str) -> tuple[pd.DataFrame, list[int]]:
    """Every unit x coder of the finished codings with the codes applied (``code`` None for a
    coding that applied none), and the active category codes in codebook order: the input of
    ``analysis.stats.agreement.agreement_table``."""
    long = pd.concat([coding_frame(wave, question_code), coded_units(wave, question_code).assign(code=None)],
                     ignore_index=True)
    codes = list(_codebook(wave, question_code).categories.filter(merged_into__isnull=True)
                 .order_by("order", "code").values_list("code", flat=True))
    return long, codes
