"""Reads for coding: codebooks, the coder's queue, consensus, and the final codes of a wave."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from surveys.conventions import coded_question_pairs
from surveys.models import Answer, Instrument, Question, Response, Wave

from .models import AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode, UnitCorrection, UnitView

MAX_CODERS = 2  # each open answer is coded by at most two coders, independently (double coding)


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
    finished or started (so double coding completes); then uncoded units. Units with final codes,
    units with as many codings as the codebook requires, and units whose other codes this coder
    has seen (or decided) are not offered."""
    mine = (Coding.objects.filter(codebook=codebook, coder=coder, status=Coding.Status.IN_PROGRESS,
                                  response__wave=wave).select_related("response").order_by("started_at").first())
    if mine:
        return mine.response
    seen = UnitView.objects.filter(codebook=codebook, user=coder).values("response_id")
    return (unit_list(codebook=codebook, wave=wave)
            .exclude(codings__codebook=codebook, codings__coder=coder)
            .exclude(coding_decisions__codebook=codebook)
            .exclude(pk__in=seen)
            .annotate(n_codings=Count("codings", filter=Q(codings__codebook=codebook)))
            .filter(n_codings__lt=codebook.required_codings)
            .order_by("-n_codings", "started_at", "pk").first())


def coding_refusal(*, codebook: Codebook, response: Response, coder: AbstractBaseUser) -> tuple[str, str] | None:
    """Why this user may not start a coding of this unit, as (code, sentence), or None if they may:
    ``seen``, ``decided`` or ``enough_coders``.

    A user who has seen the unit's other codes (its consensus page) or set its final codes cannot
    code it blind; a unit takes no more codings than its codebook requires, and none once it has
    final codes."""
    if Coding.objects.filter(codebook=codebook, response=response, coder=coder).exists():
        return None
    if (UnitView.objects.filter(codebook=codebook, response=response, user=coder).exists()
            or CodingDecision.objects.filter(codebook=codebook, response=response, decided_by=coder).exists()):
        return "seen", _("You have seen the codes of this answer (on its consensus page), so you cannot code it "
                         "blind.")
    if CodingDecision.objects.filter(codebook=codebook, response=response).exists():
        return "decided", _("The final codes of this answer are already set.")
    if coding_count(codebook=codebook, response=response) >= codebook.required_codings:
        return "enough_coders", _("This answer already has every coding its codebook requires.")
    return None


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

def complete_unit_queryset(*, codebook: Codebook, wave: Wave | None = None, responses=None) -> QuerySet:
    """The response ids (``response_id``) of the units whose codings are complete: as many finished
    codings as the codebook requires and none unfinished. Only these units' codes are ever shown to
    anyone but their own coder (consensus, agreement, admin). A queryset, to use as a subquery."""
    codings = Coding.objects.filter(codebook=codebook)
    if wave is not None:
        codings = codings.filter(response__wave=wave)
    if responses is not None:
        codings = codings.filter(response__in=responses)
    return (codings.order_by().values("response_id")
            .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=Coding.Status.FINISHED)))
            .filter(n=F("done"), done__gte=codebook.required_codings).values("response_id"))


def complete_unit_ids(*, codebook: Codebook, wave: Wave | None = None, responses=None) -> set[int]:
    """``complete_unit_queryset`` as a set of response pks. One query."""
    return set(complete_unit_queryset(codebook=codebook, wave=wave, responses=responses)
               .values_list("response_id", flat=True))


def unit_is_complete(*, codebook: Codebook, response: Response) -> bool:
    return response.pk in complete_unit_ids(codebook=codebook, responses=[response.pk])


def open_correction_ids(*, codebook: Codebook, wave: Wave | None = None) -> set[int]:
    """Response pks of the units changed after coding and not yet re-confirmed or re-coded."""
    qs = UnitCorrection.objects.filter(codebook=codebook, resolved_at__isnull=True)
    if wave is not None:
        qs = qs.filter(response__wave=wave)
    return set(qs.values_list("response_id", flat=True))


def correction_open_get(*, codebook: Codebook, response: Response) -> UnitCorrection | None:
    """The unit's unresolved correction; several corrections in a row show the text before the
    first of them and the text now."""
    open_ = list(UnitCorrection.objects.filter(codebook=codebook, response=response, resolved_at__isnull=True)
                 .select_related("changed_by").order_by("changed_at", "pk"))
    if not open_:
        return None
    first, last = open_[0], open_[-1]
    first.new_text = last.new_text
    return first


def coded_text_question_ids(*, response: Response) -> set[int]:
    """The open questions of this response whose coding has started (any coding, any codebook)."""
    return set(Coding.objects.filter(response=response).values_list("codebook__text_question_id", flat=True))


def codebooks_of_text(*, question: Question) -> QuerySet[Codebook]:
    return Codebook.objects.filter(text_question=question).select_related("question")



def decision_refusal(*, codebook: Codebook, response: Response, user: AbstractBaseUser) -> str | None:
    """Why this user may not set the unit's final codes (a sentence), or None if they may."""
    if not codebook.coders_may_decide and Coding.objects.filter(
            codebook=codebook, response=response, coder=user).exists():
        return _("You coded this answer: its consensus is set by a researcher who did not code it.")
    return None


class UnitState:
    CODING = "coding"          # fewer finished codings than required: nobody sees codes yet
    AGREED = "agreed"          # every required coding finished, with the same codes
    DISAGREED = "disagreed"    # every required coding finished, and they differ
    DECIDED = "decided"        # final codes set (consensus, or the single coder's finish)
    CHANGED = "changed"        # the answer was corrected after coding: final codes withdrawn
    UNCODED = "uncoded"


@dataclass
class UnitSummary:
    response: Response
    coders: list[str] = field(default_factory=list)
    finished: int = 0
    codings: int = 0
    required: int = MAX_CODERS
    codes_by_coder: dict[str, set[int]] = field(default_factory=dict)
    decision: CodingDecision | None = None
    state: str = UnitState.UNCODED
    disagreements: int = 0
    changed: bool = False

    @property
    def can_decide(self) -> bool:
        return self.codings > 0 and self.finished == self.codings and self.finished >= self.required


def unit_summary_list(*, codebook: Codebook, wave: Wave) -> list[UnitSummary]:
    """Every unit of the wave with its coding state; a constant number of queries. The codes of a
    unit are filled in only once its codings are complete."""
    responses = list(unit_list(codebook=codebook, wave=wave).order_by("started_at", "pk"))
    summaries = {r.pk: UnitSummary(response=r, required=codebook.required_codings) for r in responses}
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
    complete = {pk for pk, s in summaries.items() if s.can_decide}
    shown = [pk for pk, (response_id, _c) in coding_owner.items() if response_id in complete]
    for coding_id, category_id in AppliedCode.objects.filter(coding_id__in=shown).values_list(
            "coding_id", "category_id"):
        response_id, coder = coding_owner[coding_id]
        summaries[response_id].codes_by_coder[coder].add(category_id)
    for decision in CodingDecision.objects.filter(codebook=codebook, response__in=responses).select_related(
            "decided_by"):
        summaries[decision.response_id].decision = decision
    changed = open_correction_ids(codebook=codebook, wave=wave)
    for s in summaries.values():
        if not s.can_decide:  # codes are never shown before every required coding is finished
            s.codes_by_coder = {}
        sets = list(s.codes_by_coder.values())
        if len(sets) > 1:
            s.disagreements = len(set.union(*sets) - set.intersection(*sets))
        s.changed = s.response.pk in changed
        if s.changed:
            s.state = UnitState.CHANGED
        elif s.decision is not None:
            s.state = UnitState.DECIDED
        elif s.codings == 0:
            s.state = UnitState.UNCODED
        elif not s.can_decide:
            s.state = UnitState.CODING
        else:
            s.state = UnitState.AGREED if not s.disagreements else UnitState.DISAGREED
    return [summaries[r.pk] for r in responses]


@dataclass
class ConsensusRow:
    category: CodebookCategory
    marks: list[dict[str, Any]]  # per coding: {"applied": bool, "quote": str, "in_text": bool}
    agree: bool
    final: bool


def consensus_get(*, codebook: Codebook, response: Response) -> dict[str, Any] | None:
    """Coders' codes side by side, once every coding the codebook requires for the unit is
    finished; else None. With an open correction, the text before it and now."""
    codings = list(Coding.objects.filter(codebook=codebook, response=response).select_related("coder")
                   .prefetch_related("codes").order_by("started_at", "pk"))
    if (not codings or any(not c.is_finished for c in codings)
            or len(codings) < codebook.required_codings):
        return None
    decision = (CodingDecision.objects.filter(codebook=codebook, response=response)
                .select_related("decided_by").prefetch_related("codes").first())
    final_ids = {fc.category_id for fc in decision.codes.all()} if decision else None
    text = unit_text(codebook=codebook, response=response)
    applied = [{ac.category_id: ac for ac in c.codes.all()} for c in codings]
    rows = []
    for category in category_list(codebook=codebook):
        marks = []
        for a in applied:
            ac = a.get(category.pk)
            quote = ac.quote if ac else ""
            in_text = not quote or (ac.start is not None and text[ac.start:ac.end] == quote)
            marks.append({"applied": ac is not None, "quote": quote, "in_text": in_text})
        agree = len({m["applied"] for m in marks}) == 1
        default_final = all(m["applied"] for m in marks)
        rows.append(ConsensusRow(category=category, marks=marks, agree=agree,
                                 final=(category.pk in final_ids) if final_ids is not None else default_final))
    return {"codings": codings, "rows": rows, "decision": decision, "text": text,
            "correction": correction_open_get(codebook=codebook, response=response),
            "disagreements": sum(1 for r in rows if not r.agree)}


# --- final codes --------------------------------------------------------------------------

def final_codes(*, codebook: Codebook, wave: Wave) -> dict[int, set[int]]:
    """Response pk -> the final category codes of that unit, for the wave's completed responses.

    Final codes exist only through a coding decision: a researcher's consensus (double coding) or
    the only coder's finish (single coding). Units changed after coding and not yet re-confirmed
    have none. Three queries whatever the size.
    """
    completed = Response.objects.filter(wave=wave, status=Response.Status.COMPLETED)
    withdrawn = open_correction_ids(codebook=codebook, wave=wave)
    out: dict[int, set[int]] = {}
    for response_id in CodingDecision.objects.filter(codebook=codebook, response__in=completed).values_list(
            "response_id", flat=True):
        if response_id not in withdrawn:
            out[response_id] = set()
    for response_id, code in FinalCode.objects.filter(
            decision__codebook=codebook, decision__response__in=completed).values_list(
            "decision__response_id", "category__code"):
        if response_id in out:
            out[response_id].add(code)
    return out
