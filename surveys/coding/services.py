"""Writes for coding: codebooks (seed, add, rename, merge), codings, final codes.

Final codes are written back to the coded question's Answer of the response (e.g. the
``added_value`` answer), so exports and frames carry the final coded categories: see
``coded_answer_sync``. Keyword-only, atomic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from surveys.conventions import OPEN_TYPES, text_question_code
from surveys.models import Answer, Option, Question, Response

from . import selectors
from .models import AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode, UnitCorrection, UnitView

OTHER_CODES_FROM = 90  # codes like 99 ("other") are kept apart: new categories are numbered below them


def codebook_create(*, question: Question, text_question: Question | None = None,
                    design: str = Codebook.Design.DOUBLE, coders_may_decide: bool = False) -> Codebook:
    """The codebook of a coded question, its categories seeded from the question's options.

    The open question defaults to ``<code>_text`` of the same guide; ``design`` is double coding
    unless said otherwise. A second call returns the existing codebook unchanged.
    """
    existing = Codebook.objects.filter(question=question).first()
    if existing:
        return existing
    if question.type not in Question.CHOICE_TYPES or question.scale_id is None:
        raise ValidationError(_("Only choice questions can have a codebook."), code="not_choice")
    if text_question is None:
        text_question = Question.objects.filter(instrument_id=question.instrument_id,
                                                code=text_question_code(question.code)).first()
    if text_question is None or text_question.type not in OPEN_TYPES:
        raise ValidationError(_("The codebook needs an open question whose answers are coded."), code="no_text")
    if text_question.instrument_id != question.instrument_id:
        raise ValidationError(_("The open question belongs to another guide."), code="instrument")
    with transaction.atomic():
        codebook = Codebook.objects.create(question=question, text_question=text_question, design=design,
                                           coders_may_decide=coders_may_decide)
        # The coded question's answers hold final codes only: categories recorded before there was
        # a codebook (interviewers no longer record them) are not final codes.
        Answer.objects.filter(question=question).delete()
        bulk_create_with_history([
            CodebookCategory(codebook=codebook, code=o.code, label_en=o.label_en, label_ru=o.label_ru,
                             order=o.order + 1)
            for o in question.scale.options.order_by("order", "code")
        ], CodebookCategory)
    return codebook


def codebook_design_set(*, codebook: Codebook, design: str, coders_may_decide: bool) -> Codebook:
    """Set how the codebook's answers are coded. The design cannot change once coding has started
    (codes already seen under one design would break the blindness of the other)."""
    if design not in Codebook.Design.values:
        raise ValidationError(_("Choose double or single coding."), code="design")
    if design != codebook.design and Coding.objects.filter(codebook=codebook).exists():
        raise ValidationError(_("Coding has started: the coding design can no longer change."),
                              code="design_locked")
    codebook.design, codebook.coders_may_decide = design, coders_may_decide
    codebook.save(update_fields=["design", "coders_may_decide"])
    return codebook


def _check_label(codebook: Codebook, label_en: str, label_ru: str, exclude_pk: int | None = None) -> None:
    if not label_en.strip() or not label_ru.strip():
        raise ValidationError(_("A category needs a label in English and in Russian."), code="label_required")
    others = codebook.categories.filter(merged_into__isnull=True).exclude(pk=exclude_pk)
    for other in others:
        if other.label_en.strip().lower() == label_en.strip().lower() or \
                other.label_ru.strip().lower() == label_ru.strip().lower():
            raise ValidationError(_("Another category already has this label: %(label)s.") % {"label": other.label},
                                  code="label_taken")


def codebook_category_add(
    *, codebook: Codebook, label_en: str, label_ru: str, description_en: str = "", description_ru: str = "",
) -> CodebookCategory:
    """Add a category with a new numeric code; the coded question's scale gets the same option."""
    _check_label(codebook, label_en, label_ru)
    scale = codebook.question.scale
    with transaction.atomic():
        used = set(codebook.categories.values_list("code", flat=True)) | set(
            scale.options.values_list("code", flat=True))
        below = [c for c in used if c < OTHER_CODES_FROM]
        code = max(below, default=0) + 1
        while code in used:
            code += 1
        order = (codebook.categories.aggregate(m=Max("order"))["m"] or 0) + 1
        category = CodebookCategory.objects.create(
            codebook=codebook, code=code, label_en=label_en.strip(), label_ru=label_ru.strip(),
            description_en=description_en, description_ru=description_ru, order=order)
        Option.objects.create(scale=scale, code=code, label_en=label_en.strip(), label_ru=label_ru.strip(),
                              order=(scale.options.aggregate(m=Max("order"))["m"] or 0) + 1)
    return category


def codebook_category_update(
    *, category: CodebookCategory, label_en: str, label_ru: str, description_en: str = "", description_ru: str = "",
) -> CodebookCategory:
    """Rename a category or change its description; its code, and so every stored code, stays."""
    if not category.is_active:
        raise ValidationError(_("A merged category cannot be changed."), code="merged")
    _check_label(category.codebook, label_en, label_ru, exclude_pk=category.pk)
    with transaction.atomic():
        category.label_en, category.label_ru = label_en.strip(), label_ru.strip()
        category.description_en, category.description_ru = description_en, description_ru
        category.save()
        Option.objects.filter(scale_id=category.codebook.question.scale_id, code=category.code).update(
            label_en=category.label_en, label_ru=category.label_ru)
    return category


def codebook_categories_merge(*, source: CodebookCategory, target: CodebookCategory) -> CodebookCategory:
    """Merge ``source`` into ``target``: every code of ``source`` (coders' codes, final codes and
    coded answers) now points to ``target``; ``source`` is kept, marked as merged. Nothing is lost:
    a unit that had either category has ``target`` afterwards."""
    if source.pk == target.pk:
        raise ValidationError(_("Choose two different categories."), code="same")
    if source.codebook_id != target.codebook_id:
        raise ValidationError(_("The categories belong to different codebooks."), code="codebook")
    if not source.is_active or not target.is_active:
        raise ValidationError(_("A merged category cannot be merged again."), code="merged")
    codebook = source.codebook
    with transaction.atomic():
        # Coders' codes: where a coding has both, keep target's (taking source's span if target has none).
        both = {ac.coding_id: ac for ac in AppliedCode.objects.filter(
            category=target, coding__in=AppliedCode.objects.filter(category=source).values("coding_id"))}
        for ac in AppliedCode.objects.filter(category=source, coding_id__in=list(both)):
            kept = both[ac.coding_id]
            if kept.start is None and ac.start is not None:
                kept.start, kept.end, kept.quote = ac.start, ac.end, ac.quote
                kept.save(update_fields=["start", "end", "quote"])
        AppliedCode.objects.filter(category=source, coding_id__in=list(both)).delete()
        AppliedCode.objects.filter(category=source).update(category=target)
        FinalCode.objects.filter(category=source, decision__in=FinalCode.objects.filter(
            category=target).values("decision_id")).delete()
        FinalCode.objects.filter(category=source).update(category=target)
        CodebookCategory.objects.filter(merged_into=source).update(merged_into=target)
        source.merged_into = target
        source.save()
        changed = []
        for answer in Answer.objects.filter(question_id=codebook.question_id).only("pk", "value"):
            value = answer.value
            if isinstance(value, list) and source.code in value:
                answer.value = sorted({target.code if v == source.code else v for v in value})
                changed.append(answer)
            elif value == source.code:
                answer.value = target.code
                changed.append(answer)
        Answer.objects.bulk_update(changed, ["value"], batch_size=500)
    return target


@dataclass(frozen=True)
class CodeInput:
    """A category a coder applies, with an optional supporting span [start, end) of the text."""

    category: CodebookCategory
    start: int | None = None
    end: int | None = None
    quote: str = ""


def _span(text: str, code: CodeInput) -> tuple[int | None, int | None, str]:
    if code.start is None and code.end is None and not code.quote:
        return None, None, ""
    start, end = code.start, code.end
    if start is not None and end is not None and 0 <= start < end <= len(text):
        if not code.quote or text[start:end] == code.quote:
            return start, end, text[start:end]
    if code.quote:  # offsets counted differently by the browser: find the quoted text instead
        found = text.find(code.quote)
        if found >= 0:
            return found, found + len(code.quote), code.quote
    raise ValidationError(_("The marked text for “%(label)s” is not part of the answer.") % {
        "label": code.category.label}, code="span")


def coded_answer_sync(*, codebook: Codebook, response_id: int, codes: Iterable[int]) -> None:
    """Write the final codes into the coded question's Answer (a sorted list of option codes for a
    multiple-choice question); no codes means no answer."""
    codes = sorted(set(codes))
    question = codebook.question
    # The response changes with its coded answer, so results cached per wave version are renewed.
    Response.objects.filter(pk=response_id).update(updated_at=timezone.now())
    if not codes:
        Answer.objects.filter(response_id=response_id, question_id=question.pk).delete()
        return
    value = codes if question.type == Question.Type.MULTIPLE else codes[0]
    Answer.objects.update_or_create(response_id=response_id, question_id=question.pk, defaults={"value": value})


def unit_seen(*, codebook: Codebook, response: Response, user: AbstractBaseUser) -> None:
    """Record that ``user`` saw the codes of the unit's codings: they can no longer code it."""
    UnitView.objects.get_or_create(codebook=codebook, response=response, user=user)


def coding_save(
    *, codebook: Codebook, response: Response, coder: AbstractBaseUser, codes: Sequence[CodeInput],
    finish: bool = False,
) -> Coding:
    """Store one coder's codes for one unit (replacing their previous draft); ``finish`` closes it.

    A unit takes as many codings as its codebook requires (two in double coding, one in single
    coding); a finished coding cannot change; nobody codes a unit whose codes they have seen or
    whose final codes they set, and units with final codes take no new coding. In single coding,
    the coder's finish sets the unit's final codes; in double coding only the consensus does.
    """
    categories = {c.pk: c for c in selectors.category_list(codebook=codebook)}
    for code in codes:
        if code.category.pk not in categories:
            raise ValidationError(_("“%(label)s” is not an active category of this codebook.")
                                  % {"label": code.category.label}, code="category")
    if len({c.category.pk for c in codes}) != len(codes):
        raise ValidationError(_("Each category can be applied once."), code="duplicate")
    if response.status != Response.Status.COMPLETED:
        raise ValidationError(_("Only completed interviews are coded."), code="not_completed")
    text = selectors.unit_text(codebook=codebook, response=response)
    if not text:
        raise ValidationError(_("This interview has no answer to code."), code="no_text")
    spans = [_span(text, code) for code in codes]
    now = timezone.now()
    with transaction.atomic():
        Response.objects.select_for_update().filter(pk=response.pk).first()  # one new coding at a time
        coding = Coding.objects.filter(codebook=codebook, response=response, coder=coder).first()
        if coding is None:
            refusal = selectors.coding_refusal(codebook=codebook, response=response, coder=coder)
            if refusal:
                raise ValidationError(refusal[1], code=refusal[0])
            try:
                with transaction.atomic():
                    coding = Coding.objects.create(codebook=codebook, response=response, coder=coder, started_at=now)
            except IntegrityError:  # a second tab of the same coder
                coding = Coding.objects.get(codebook=codebook, response=response, coder=coder)
        if coding.is_finished:
            raise ValidationError(_("You have finished coding this answer; it can no longer be changed."),
                                  code="finished")
        coding.codes.all().delete()
        AppliedCode.objects.bulk_create([
            AppliedCode(coding=coding, category=code.category, start=start, end=end, quote=quote)
            for code, (start, end, quote) in zip(codes, spans)
        ])
        if finish:
            coding.status = Coding.Status.FINISHED
            coding.finished_at = now
            coding.save(update_fields=["status", "finished_at"])
            if codebook.design == Codebook.Design.SINGLE:
                _decision_write(codebook=codebook, response=response, categories=[c.category for c in codes],
                                user=coder, source=CodingDecision.Source.SINGLE, resolve=False)
    return coding


def _decision_write(*, codebook: Codebook, response: Response, categories: Sequence[CodebookCategory],
                    user: AbstractBaseUser, source: str, note: str = "", resolve: bool = True) -> CodingDecision:
    """Store the unit's final codes; with ``resolve``, close its open corrections (re-confirmed
    when the codes did not change, else re-coded). The coded answer carries them unless a
    correction is still open."""
    now = timezone.now()
    previous = set(FinalCode.objects.filter(decision__codebook=codebook, decision__response=response)
                   .values_list("category_id", flat=True))
    had_decision = CodingDecision.objects.filter(codebook=codebook, response=response).exists()
    decision, _created = CodingDecision.objects.update_or_create(
        codebook=codebook, response=response,
        defaults={"decided_by": user, "decided_at": now, "note": note, "source": source})
    decision.codes.all().delete()
    FinalCode.objects.bulk_create([FinalCode(decision=decision, category=c) for c in categories])
    if resolve:
        same = had_decision and previous == {c.pk for c in categories}
        UnitCorrection.objects.filter(codebook=codebook, response=response, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=user,
            resolution=UnitCorrection.Resolution.CONFIRMED if same else UnitCorrection.Resolution.RECODED)
    if selectors.correction_open_get(codebook=codebook, response=response) is None:
        coded_answer_sync(codebook=codebook, response_id=response.pk, codes=[c.code for c in categories])
    else:
        coded_answer_sync(codebook=codebook, response_id=response.pk, codes=[])
    return decision


def final_codes_set(
    *, codebook: Codebook, response: Response, categories: Sequence[CodebookCategory], user: AbstractBaseUser,
    note: str = "",
) -> CodingDecision:
    """Set a unit's final codes (the consensus), once every coding the codebook requires is
    finished; write them to the coded answer. Setting them again replaces them; it also
    re-confirms (same codes) or re-codes a unit changed after coding. The decider is recorded as
    having seen the unit's codes, and may not be one of its coders unless the codebook allows it."""
    active = {c.pk for c in selectors.category_list(codebook=codebook)}
    if any(c.pk not in active for c in categories):
        raise ValidationError(_("Final codes must be active categories of this codebook."), code="category")
    statuses = list(Coding.objects.filter(codebook=codebook, response=response).values_list("status", flat=True))
    if not statuses:
        raise ValidationError(_("Nobody has coded this answer yet."), code="uncoded")
    if any(s != Coding.Status.FINISHED for s in statuses) or len(statuses) < codebook.required_codings:
        raise ValidationError(_("Wait until every coding this answer needs is finished."), code="coding")
    refusal = selectors.decision_refusal(codebook=codebook, response=response, user=user)
    if refusal:
        raise ValidationError(refusal, code="own_unit")
    with transaction.atomic():
        unit_seen(codebook=codebook, response=response, user=user)
        decision = _decision_write(codebook=codebook, response=response, categories=categories, user=user,
                                   source=CodingDecision.Source.CONSENSUS, note=note)
    return decision


def final_codes_accept_agreed(*, codebook: Codebook, wave, user: AbstractBaseUser) -> int:
    """Set the final codes of every unit whose required codings are finished and agree, that the
    user may decide and that was not changed after coding (those need a look); return how many."""
    by_pk = {c.pk: c for c in selectors.category_list(codebook=codebook)}
    count = 0
    for unit in selectors.unit_summary_list(codebook=codebook, wave=wave):
        if unit.state != selectors.UnitState.AGREED:
            continue
        if selectors.decision_refusal(codebook=codebook, response=unit.response, user=user):
            continue
        codes = next(iter(unit.codes_by_coder.values()))
        final_codes_set(codebook=codebook, response=unit.response,
                        categories=[by_pk[pk] for pk in sorted(codes) if pk in by_pk], user=user)
        count += 1
    return count


def unit_text_corrected(*, response: Response, question: Question, old_text: str, new_text: str,
                        user: AbstractBaseUser, reason: str) -> list[UnitCorrection]:
    """An interviewer corrected the open answer ``question`` of ``response`` after its coding had
    started: each codebook coding it marks the unit "changed after coding" and its final codes
    leave the coded answer (and so every output) until a researcher re-confirms or re-codes it.
    Called inside the interview's save."""
    now = timezone.now()
    out = []
    for codebook in selectors.codebooks_of_text(question=question):
        if not Coding.objects.filter(codebook=codebook, response=response).exists():
            continue
        out.append(UnitCorrection.objects.create(
            codebook=codebook, response=response, old_text=old_text or "", new_text=new_text or "",
            reason=reason, changed_by=user, changed_at=now))
        coded_answer_sync(codebook=codebook, response_id=response.pk, codes=[])
    return out
