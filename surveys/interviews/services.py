"""Writes for interviews: assignment, start (consent first), autosave with optimistic locking,
completion. Keyword-only, atomic."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.coding import selectors as coding_selectors
from surveys.coding import services as coding_services
from surveys.conventions import CONSENT, YES, coded_question_pairs, consent_question_get
from surveys.models import Answer, Instrument, Question, Response, Wave
from surveys.services import ResponseClosed, response_missing_required, shown_questions
from surveys.signals import responses_completed_notify
from surveys.times import local_datetime_text

from .models import AnswerChange, Interview, InterviewerAssignment


class InterviewConflict(Exception):
    """Someone else saved the interview since this version was loaded."""

    def __init__(self, current: Interview):
        self.current = current
        super().__init__(_("This interview was changed by %(user)s at %(time)s, version %(version)d, after you "
                           "loaded it. Your changes were not saved.") % {
            "user": current.updated_by.get_username() if current.updated_by else _("someone"),
            "time": local_datetime_text(current.updated_at, seconds=True),
            "version": current.version,
        })


def interviewer_assign(*, wave: Wave, interviewer: AbstractBaseUser) -> InterviewerAssignment:
    if wave.instrument.kind != Instrument.Kind.INTERVIEW:
        raise ValidationError(_("Interviewers can only be assigned to waves of an interview guide."),
                              code="not_interview")
    assignment, _created = InterviewerAssignment.objects.get_or_create(wave=wave, interviewer=interviewer)
    return assignment


def interview_start(*, wave: Wave, interviewer: AbstractBaseUser, consent: Any, language: str = "") -> Interview:
    """Record consent and create the interview (a response of the wave). Nothing is stored without consent."""
    if consent != YES:
        raise ValidationError(
            _("Without the manager’s consent the interview cannot be recorded; nothing has been stored."),
            code="no_consent")
    if wave.instrument.kind != Instrument.Kind.INTERVIEW:
        raise ValidationError(_("This wave is not a wave of an interview guide."), code="not_interview")
    if not wave.is_accepting():
        raise ResponseClosed(_("This wave is not open for interviews."))
    consent_question = consent_question_get(instrument=wave.instrument)
    if consent_question is None:
        raise ValidationError(_("The guide has no consent question."), code="no_consent_question")
    now = timezone.now()
    with transaction.atomic():
        response = Response.objects.create(wave=wave, language=language, started_at=now)
        Answer.objects.create(response=response, question=consent_question, value=YES)
        interview = Interview(response=response, interviewer=interviewer, consent_at=now, updated_at=now,
                              updated_by=interviewer)
        interview._history_user = interviewer
        interview.save()
        AnswerChange.objects.create(interview=interview, question=consent_question, version=1,
                                    changed_by=interviewer, changed_at=now, old_value=None, new_value=YES)
    return interview


@dataclass
class SaveResult:
    interview: Interview
    changed: list[str] = field(default_factory=list)


def normalise(value: Any) -> Any:
    """Empty values are None; lists are sorted, so equal answers compare equal."""
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return sorted(value)
    return value


def _locked_interview(interview: Interview, base_version: int) -> Interview:
    current = (Interview.objects.select_for_update(of=("self",)).select_related("response", "response__wave", "updated_by")
               .get(pk=interview.pk))
    if not current.response.wave.is_accepting():
        raise ResponseClosed(_("The wave of this interview is closed; the interview can no longer be changed."))
    if current.version != base_version:
        raise InterviewConflict(current)
    return current


def _bump(current: Interview, user: AbstractBaseUser, now) -> None:
    current.version += 1
    current.updated_at = now
    current.updated_by = user
    current._history_user = user
    current.save()
    Response.objects.filter(pk=current.response_id).update(updated_at=now)


def coded_question_codes(questions) -> set[str]:
    """Codes of the guide's coded questions (``x`` of an ``x_text`` pair): their answers are the
    final codes of the coders, never recorded by an interviewer."""
    return {q.code for q in coded_question_pairs(list(questions)).values()}


def interview_save(
    *, interview: Interview, user: AbstractBaseUser, base_version: int, values: dict[str, Any],
) -> SaveResult:
    """Store changed answers (already cleaned, keyed by question code) if nobody saved in between.

    Optimistic locking: ``base_version`` is the version the editor loaded; if the stored
    version differs, ``InterviewConflict`` is raised and nothing is written. A save that
    changes nothing keeps the version. Every changed answer gets an ``AnswerChange`` row.
    Coded questions are not recorded here, and an open answer whose coding has started is changed
    only by ``interview_answer_correct``.
    """
    return _save(interview=interview, user=user, base_version=base_version, values=values)


def _save(*, interview: Interview, user: AbstractBaseUser, base_version: int, values: dict[str, Any],
          correction: tuple[str, str] | None = None) -> SaveResult:
    questions = {q.code: q for q in Question.objects.filter(instrument_id=interview.response.wave.instrument_id)
                 .select_related("section")}
    unknown = sorted(set(values) - set(questions))
    if unknown:
        raise ValidationError(_("Unknown questions: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown")
    if CONSENT in values:
        raise ValidationError(_("Consent is recorded when the interview starts and cannot be changed here."),
                              code="consent_locked")
    coded = sorted(set(values) & coded_question_codes(questions.values()))
    if coded:
        raise ValidationError(
            _("These questions are coded by the coders from the open answers; interviewers do not record them: "
              "%(codes)s.") % {"codes": ", ".join(coded)}, code="coded_question")
    with transaction.atomic():
        current = _locked_interview(interview, base_version)
        values = _apply_logic(current, questions, values)
        asked = [questions[code] for code in values]
        stored = dict(Answer.objects.filter(response_id=current.response_id, question__in=asked)
                      .values_list("question_id", "value"))
        changes = []
        for code, value in values.items():
            question = questions[code]
            new, old = normalise(value), stored.get(question.pk)
            if normalise(old) != new:
                changes.append((question, old, new))
        if not changes:
            return SaveResult(interview=current)
        locked = coding_selectors.coded_text_question_ids(response=current.response)
        corrected = correction[0] if correction else None
        refused = [q.code for q, _o, _n in changes if q.pk in locked and q.code != corrected]
        if refused:
            raise ValidationError(
                _("Coding of this answer has started, so it is not changed by a save: use “Correct this answer” "
                  "to record a correction (%(codes)s).") % {"codes": ", ".join(refused)}, code="coded_text")
        if current.is_completed:
            cleared = [q.code for q, _old, new in changes if new is None and q.required]
            if cleared:
                raise ValidationError(
                    _("The interview is complete; these required answers cannot be emptied: %(codes)s.")
                    % {"codes": ", ".join(cleared)}, code="required")
        now = timezone.now()
        keep = [Answer(response_id=current.response_id, question=q, value=new) for q, _o, new in changes
                if new is not None]
        clear = [q.pk for q, _o, new in changes if new is None]
        if keep:
            Answer.objects.bulk_create(keep, update_conflicts=True, unique_fields=["response", "question"],
                                       update_fields=["value"])
        if clear:
            Answer.objects.filter(response_id=current.response_id, question_id__in=clear).delete()
        _bump(current, user, now)
        if current.is_completed:  # a completed interview's answers, corrected
            responses_completed_notify(current.response.wave_id)
        AnswerChange.objects.bulk_create([
            AnswerChange(interview=current, question=q, version=current.version, changed_by=user, changed_at=now,
                         old_value=old, new_value=new) for q, old, new in changes
        ])
        for q, old, new in changes:
            if q.pk in locked:
                coding_services.unit_text_corrected(response=current.response, question=q, old_text=old or "",
                                                    new_text=new or "", user=user, reason=correction[1])
    return SaveResult(interview=current, changed=[q.code for q, _o, _n in changes])


def _apply_logic(current: Interview, questions: dict[str, Question], values: dict[str, Any]) -> dict[str, Any]:
    """The values to store once the guide's display conditions are applied: nothing is kept for a
    question the answers hide, and a stored answer that the new answers hide is cleared (with its
    audit row, as any change)."""
    if not any(q.condition or q.section.condition for q in questions.values()):
        return values
    by_pk = {q.pk: q.code for q in questions.values()}
    stored = {by_pk[pk]: v for pk, v in Answer.objects.filter(response_id=current.response_id)
              .values_list("question_id", "value") if pk in by_pk}
    merged = {code: v for code, v in {**stored, **{c: normalise(v) for c, v in values.items()}}.items()
              if v is not None}
    ordered = sorted(questions.values(), key=lambda q: (q.section.order, q.order))
    shown = {q.code for q in shown_questions(ordered, merged)}
    out = {code: (value if code in shown else None) for code, value in values.items()}
    out.update({code: None for code in stored if code not in shown and code not in out})
    return out


def interview_answer_correct(
    *, interview: Interview, user: AbstractBaseUser, base_version: int, question_code: str, text: str, reason: str,
) -> SaveResult:
    """Correct an open answer whose coding has started (allowed while the wave is open).

    The change is stored like any save (an ``AnswerChange`` row in the audit trail) and the unit
    is marked "changed after coding": its final codes leave every output until a researcher
    re-confirms or re-codes it (``surveys.coding.services.unit_text_corrected``)."""
    if not reason.strip():
        raise ValidationError(_("Say why the answer is corrected."), code="reason")
    if not (text or "").strip():
        raise ValidationError(_("An answer that is being coded cannot be emptied; correct its text instead."),
                              code="empty")
    return _save(interview=interview, user=user, base_version=base_version, values={question_code: text},
                 correction=(question_code, reason.strip()))


def interview_complete(*, interview: Interview, user: AbstractBaseUser, base_version: int) -> Interview:
    """Mark the interview complete (its response completed) once every required question is answered.

    Completing an already complete interview changes nothing.
    """
    with transaction.atomic():
        current = _locked_interview(interview, base_version)
        if current.is_completed:
            return current
        guide = list(Question.objects.filter(instrument_id=current.response.wave.instrument_id)
                     .select_related("section").order_by("section__order", "order"))
        unanswered = response_missing_required(response=current.response, questions=guide)  # the shown ones
        missing = [q.code for q in unanswered]
        if missing:
            raise ValidationError(
                _("Answer the required questions before completing the interview: %(questions)s.")
                % {"questions": "; ".join(f"“{q.label}”" for q in unanswered)}, code="missing",
                params={"codes": missing})
        now = timezone.now()
        Response.objects.filter(pk=current.response_id).update(
            status=Response.Status.COMPLETED, submitted_at=now, updated_at=now)
        current.completed_at = now
        _bump(current, user, now)
        responses_completed_notify(current.response.wave_id)
    current.response.refresh_from_db()
    return current
