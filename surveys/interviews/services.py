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

from surveys.conventions import CONSENT, YES, consent_question_get
from surveys.models import Answer, Instrument, Question, Response, Wave
from surveys.services import ResponseClosed

from .models import AnswerChange, Interview, InterviewerAssignment


class InterviewConflict(Exception):
    """Someone else saved the interview since this version was loaded."""

    def __init__(self, current: Interview):
        self.current = current
        super().__init__(_("This interview was changed by %(user)s at %(time)s (version %(version)d) after you "
                           "loaded it. Your changes were not saved.") % {
            "user": current.updated_by.get_username() if current.updated_by else _("someone"),
            "time": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
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


def interview_save(
    *, interview: Interview, user: AbstractBaseUser, base_version: int, values: dict[str, Any],
) -> SaveResult:
    """Store changed answers (already cleaned, keyed by question code) if nobody saved in between.

    Optimistic locking: ``base_version`` is the version the editor loaded; if the stored
    version differs, ``InterviewConflict`` is raised and nothing is written. A save that
    changes nothing keeps the version. Every changed answer gets an ``AnswerChange`` row.
    """
    questions = {q.code: q for q in Question.objects.filter(instrument_id=interview.response.wave.instrument_id)}
    unknown = sorted(set(values) - set(questions))
    if unknown:
        raise ValidationError(_("Unknown questions: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown")
    if CONSENT in values:
        raise ValidationError(_("Consent is recorded when the interview starts and cannot be changed here."),
                              code="consent_locked")
    with transaction.atomic():
        current = _locked_interview(interview, base_version)
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
        AnswerChange.objects.bulk_create([
            AnswerChange(interview=current, question=q, version=current.version, changed_by=user, changed_at=now,
                         old_value=old, new_value=new) for q, old, new in changes
        ])
    return SaveResult(interview=current, changed=[q.code for q, _o, _n in changes])


def interview_complete(*, interview: Interview, user: AbstractBaseUser, base_version: int) -> Interview:
    """Mark the interview complete (its response completed) once every required question is answered.

    Completing an already complete interview changes nothing.
    """
    with transaction.atomic():
        current = _locked_interview(interview, base_version)
        if current.is_completed:
            return current
        answered = set(Answer.objects.filter(response_id=current.response_id).values_list("question_id", flat=True))
        missing = [q.code for q in Question.objects.filter(instrument_id=current.response.wave.instrument_id,
                                                           required=True).order_by("section__order", "order")
                   if q.pk not in answered]
        if missing:
            raise ValidationError(
                _("Answer the required questions before completing the interview: %(codes)s.")
                % {"codes": ", ".join(missing)}, code="missing", params={"codes": missing})
        now = timezone.now()
        Response.objects.filter(pk=current.response_id).update(
            status=Response.Status.COMPLETED, submitted_at=now, updated_at=now)
        current.completed_at = now
        _bump(current, user, now)
    current.response.refresh_from_db()
    return current
