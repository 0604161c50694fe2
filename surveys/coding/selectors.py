"""Reads for coding: codebooks, the coder's queue, consensus, and the final codes of a wave."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from surveys.conventions import coded_question_pairs
from surveys.models import Answer, Instrument, Question, Response, Wave

from .models import AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode

MAX_CODERS = 2  # each open answer is coded by at most two coders, independently


def codebook_list() -> QuerySet[Codebook]:
    return Codebook.objects.select_related("question", "question__instrument", "text_question").annotate(
        category_count=Count("categories", filter=Q(categories__merged_into__isnull=True)))


def codable_question_list() -> list[tuple[Question, Question]]:
    """(coded question, open question) pairs of interview guides that have no codebook yet."""
    questions = list(Question.objects.filter(instrument__kind=Instrument.Kind.INTERVIEW)
                     .select_related("instrument", "section").order_by("instrument", "section__order", "order"))
    have = set(Codebook.objects.values_list("question_id", flat=True))
    by_instrument: dict[int, list[Question]] = defaultdict(list)
    for q in questions:
        by_instrument[q.instrument_id].append(q)
    pairs = []
    for qs in by_instrument.values():
        by_code = {q.code: q for q in qs}
        for text_code, coded in coded_question_pairs(qs).items():
            if coded.pk not in have:
                pairs.append((coded, by_code[text_code]))
    return pairs


def codebook_get(*, pk: int) -> Codebook | None:
    return (Codebook.objects.select_related("question", "question__instrument", "question__scale", "text_question")
            .filter(pk=pk).first())


def codebook_get_by_question(*, wave: Wave, question_code: str) -> Codebook | None:
    return (Codebook.objects.select_related("question", "question__instrument", "question__scale", "text_question")
            .filter(question__instrument_id=wave.instrument_id, question__code=question_code).first())


def category_list(*, codebook: Codebook, active_only: bool = True) -> list[CodebookCategory]:
    qs = codebook.categories.select_related("merged_into").order_by("order", "code")
    if active_only:
        qs = qs.filter(merged_into__isnull=True)
    return list(qs)


def wave_list() -> list[tuple[Wave, list[Codebook]]]:
    """Waves (not drafts) of the guides that have codebooks, each with its codebooks."""
    books: dict[int, list[Codebook]] = defaultdict(list)
    for book in codebook_list():
        books[book.question.instrument_id].append(book)
    waves = Wave.objects.filter(instrument_id__in=list(books)).exclude(status=Wave.Status.DRAFT).select_related(
        "instrument").order_by("-created_at")
    return [(w, books[w.instrument_id]) for w in waves]


def wave_get(*, slug: str) -> Wave | None:
    return Wave.objects.select_related("instrument").exclude(status=Wave.Status.DRAFT).filter(slug=slug).first()


def unit_list(*, codebook: Codebook, wave: Wave) -> QuerySet[Response]:
    """The units to code: completed responses of the wave with an answer to the open question."""
    return Response.objects.filter(
        wave=wave, status=Response.Status.COMPLETED,
    ).filter(Exists(Answer.objects.filter(response=OuterRef("pk"), question_id=codebook.text_question_id)))


def unit_get(*, codebook: Codebook, wave: Wave, uuid) -> Response | None:
    return unit_list(codebook=codebook, wave=wave).filter(uuid=uuid).first()


def unit_text(*, codebook: Codebook, response: Response) -> str:
    value = (Answer.objects.filter(response=response, question_id=codebook.text_question_id)
             .values_list("value", flat=True).first())
    return "" if value is None else str(value)


def unit_get_next(*, codebook: Codebook, wave: Wave, coder: AbstractBaseUser) -> Response | None:
    """The next unit for this coder: their own unfinished coding first; then units another coder has
    finished or started (so double coding completes); then uncoded units. Units with final codes set
    by a researcher are not offered."""
    mine = (Coding.objects.filter(codebook=codebook, coder=coder, status=Coding.Status.IN_PROGRESS,
                                  response__wave=wave).select_related("response").order_by("started_at").first())
    if mine:
        return mine.response
    return (unit_list(codebook=codebook, wave=wave)
            .exclude(codings__codebook=codebook, codings__coder=coder)
            .exclude(coding_decisions__codebook=codebook)
            .annotate(n_codings=Count("codings", filter=Q(codings__codebook=codebook)))
            .filter(n_codings__lt=MAX_CODERS)
            .order_by("-n_codings", "started_at", "pk").first())


def coder_progress(*, codebook: Codebook, wave: Wave, coder: AbstractBaseUser) -> dict[str, int]:
    codings = Coding.objects.filter(codebook=codebook, coder=coder, response__wave=wave)
    return {
        "units": unit_list(codebook=codebook, wave=wave).count(),
        "finished": codings.filter(status=Coding.Status.FINISHED).count(),
        "in_progress": codings.filter(status=Coding.Status.IN_PROGRESS).count(),
    }


def coding_get(*, codebook: Codebook, response: Response, coder: AbstractBaseUser) -> Coding | None:
    return Coding.objects.filter(codebook=codebook, response=response, coder=coder).prefetch_related(
        "codes__category").first()


def coding_count(*, codebook: Codebook, response: Response) -> int:
    return Coding.objects.filter(codebook=codebook, response=response).count()


# --- consensus --------------------------------------------------------------------------

class UnitState:
    CODING = "coding"          # a coding is unfinished: nobody sees codes yet
    SINGLE = "single"          # one finished coding: it is final unless a second coder starts
    AGREED = "agreed"          # two finished codings with the same codes
    DISAGREED = "disagreed"    # two finished codings that differ
    DECIDED = "decided"        # a researcher set the final codes
    UNCODED = "uncoded"


@dataclass
class UnitSummary:
    response: Response
    coders: list[str] = field(default_factory=list)
    finished: int = 0
    codings: int = 0
    codes_by_coder: dict[str, set[int]] = field(default_factory=dict)
    decision: CodingDecision | None = None
    state: str = UnitState.UNCODED
    disagreements: int = 0

    @property
    def can_decide(self) -> bool:
        return self.codings > 0 and self.finished == self.codings


def unit_summary_list(*, codebook: Codebook, wave: Wave) -> list[UnitSummary]:
    """Every unit of the wave with its coding state; a constant number of queries."""
    responses = list(unit_list(codebook=codebook, wave=wave).order_by("started_at", "pk"))
    summaries = {r.pk: UnitSummary(response=r) for r in responses}
    codings = list(Coding.objects.filter(codebook=codebook, response__in=responses)
                   .values_list("pk", "response_id", "coder__username", "status"))
    coding_owner = {}
    for pk, response_id, coder, status in codings:
        s = summaries[response_id]
        s.codings += 1
        s.coders.append(coder)
        s.codes_by_coder[coder] = set()
        coding_owner[pk] = (response_id, coder)
        if status == Coding.Status.FINISHED:
            s.finished += 1
    for coding_id, category_id in AppliedCode.objects.filter(coding_id__in=list(coding_owner)).values_list(
            "coding_id", "category_id"):
        response_id, coder = coding_owner[coding_id]
        summaries[response_id].codes_by_coder[coder].add(category_id)
    for decision in CodingDecision.objects.filter(codebook=codebook, response__in=responses).select_related(
            "decided_by"):
        summaries[decision.response_id].decision = decision
    for s in summaries.values():
        sets = list(s.codes_by_coder.values())
        if s.decision is not None:
            s.state = UnitState.DECIDED
        elif s.codings == 0:
            s.state = UnitState.UNCODED
        elif s.finished < s.codings:
            s.state = UnitState.CODING
        elif s.codings == 1:
            s.state = UnitState.SINGLE
        else:
            union, common = set.union(*sets), set.intersection(*sets)
            s.disagreements = len(union - common)
            s.state = UnitState.AGREED if not s.disagreements else UnitState.DISAGREED
        if s.state in (UnitState.DECIDED,) and len(sets) > 1 and s.finished == s.codings:
            s.disagreements = len(set.union(*sets) - set.intersection(*sets))
        # Codes are never shown before every coding of the unit is finished.
        if not s.can_decide:
            s.codes_by_coder = {}
    return [summaries[r.pk] for r in responses]


@dataclass
class ConsensusRow:
    category: CodebookCategory
    marks: list[dict[str, Any]]  # per coding: {"applied": bool, "quote": str}
    agree: bool
    final: bool


def consensus_get(*, codebook: Codebook, response: Response) -> dict[str, Any] | None:
    """Coders' codes side by side, once every coding of the unit is finished; else None."""
    codings = list(Coding.objects.filter(codebook=codebook, response=response).select_related("coder")
                   .prefetch_related("codes").order_by("started_at", "pk"))
    if not codings or any(not c.is_finished for c in codings):
        return None
    decision = (CodingDecision.objects.filter(codebook=codebook, response=response)
                .select_related("decided_by").prefetch_related("codes").first())
    final_ids = {fc.category_id for fc in decision.codes.all()} if decision else None
    applied = [{ac.category_id: ac for ac in c.codes.all()} for c in codings]
    rows = []
    for category in category_list(codebook=codebook):
        marks = [{"applied": category.pk in a, "quote": a[category.pk].quote if category.pk in a else ""}
                 for a in applied]
        agree = len({m["applied"] for m in marks}) == 1
        default_final = all(m["applied"] for m in marks)
        rows.append(ConsensusRow(category=category, marks=marks, agree=agree,
                                 final=(category.pk in final_ids) if final_ids is not None else default_final))
    return {"codings": codings, "rows": rows, "decision": decision,
            "text": unit_text(codebook=codebook, response=response),
            "disagreements": sum(1 for r in rows if not r.agree)}


# --- final codes --------------------------------------------------------------------------

def final_codes(*, codebook: Codebook, wave: Wave) -> dict[int, set[int]]:
    """Response pk -> the final category codes of that unit, for the wave's completed responses.

    Final codes are the researcher's decision where there is one; otherwise, when exactly one
    coder coded the unit and finished, that coder's codes. Units still being coded, or coded by
    two coders and not yet resolved, have no final codes. Four queries whatever the size.
    """
    completed = Response.objects.filter(wave=wave, status=Response.Status.COMPLETED)
    out: dict[int, set[int]] = {}
    for response_id, code in FinalCode.objects.filter(
            decision__codebook=codebook, decision__response__in=completed).values_list(
            "decision__response_id", "category__code"):
        out.setdefault(response_id, set()).add(code)
    decided = set(CodingDecision.objects.filter(codebook=codebook, response__in=completed)
                  .values_list("response_id", flat=True))
    for response_id in decided:
        out.setdefault(response_id, set())
    per_unit: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, response_id, status in Coding.objects.filter(codebook=codebook, response__in=completed).values_list(
            "pk", "response_id", "status"):
        per_unit[response_id].append((pk, status))
    lone = {codings[0][0]: response_id for response_id, codings in per_unit.items()
            if response_id not in decided and len(codings) == 1 and codings[0][1] == Coding.Status.FINISHED}
    for response_id in lone.values():
        out.setdefault(response_id, set())
    for coding_id, code in AppliedCode.objects.filter(coding_id__in=list(lone)).values_list(
            "coding_id", "category__code"):
        out[lone[coding_id]].add(code)
    return out
