"""Reads for interviewers: their waves, an interview's state, the layout of the guide."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from surveys.conventions import CONSENT, YES, coded_question_pairs
from surveys.models import Instrument, Option, Question, Wave
from surveys.roles import user_is_admin
from surveys.selectors import WaveStructure
from surveys.times import local_datetime_text

from .models import AnswerChange, Interview, InterviewerAssignment


def wave_list(*, user: AbstractBaseUser) -> QuerySet[Wave]:
    """Waves of interview guides the user may record in (admins: all), with interview counts."""
    waves = Wave.objects.filter(instrument__kind=Instrument.Kind.INTERVIEW).exclude(status=Wave.Status.DRAFT)
    if not user_is_admin(user):
        waves = waves.filter(interviewer_assignments__interviewer=user)
    return waves.select_related("instrument").annotate(
        interview_count=Count("responses", filter=Q(responses__interview__isnull=False), distinct=True),
        completed_count=Count("responses", filter=Q(responses__interview__completed_at__isnull=False), distinct=True),
        mine_count=Count("responses", filter=Q(responses__interview__interviewer=user), distinct=True),
    ).order_by("-status", "-created_at")


def wave_get(*, user: AbstractBaseUser, slug: str) -> Wave | None:
    """The interview wave if the user is assigned to it (or is an admin); otherwise None."""
    wave = (Wave.objects.select_related("instrument")
            .filter(slug=slug, instrument__kind=Instrument.Kind.INTERVIEW).exclude(status=Wave.Status.DRAFT).first())
    if wave is None:
        return None
    if user_is_admin(user) or InterviewerAssignment.objects.filter(wave=wave, interviewer=user).exists():
        return wave
    return None


def interview_get(*, user: AbstractBaseUser, uuid: UUID) -> Interview | None:
    """The interview if the user may record in its wave; otherwise None."""
    interview = (Interview.objects.select_related("response", "response__wave", "response__wave__instrument",
                                                  "interviewer", "updated_by")
                 .filter(response__uuid=uuid).first())
    if interview is None or wave_get(user=user, slug=interview.response.wave.slug) is None:
        return None
    return interview


def interview_list(*, wave: Wave) -> QuerySet[Interview]:
    return (Interview.objects.filter(response__wave=wave)
            .select_related("response", "interviewer", "updated_by").order_by("-consent_at"))


def interview_values(*, interview: Interview) -> dict[str, Any]:
    """Question code -> stored value, for every answered question of the interview."""
    return dict(interview.response.answers.values_list("question__code", "value"))


def answer_change_list(*, interview: Interview) -> QuerySet[AnswerChange]:
    return interview.changes.select_related("question", "changed_by").order_by("-version", "-pk")


@dataclass
class GuideRow:
    """One row of the interview page: a question, and ``coded`` the question its answer is coded
    into, if any (not recorded by the interviewer)."""

    question: Question
    coded: Question | None = None


@dataclass
class GuideSection:
    section: Any
    rows: list[GuideRow]


def guide_layout(*, structure: WaveStructure) -> list[GuideSection]:
    """All sections of the guide on one page; a coded choice question is not a row of its own (the
    interviewer does not record it): its open question's row names it."""
    questions = [q for q in structure.all_questions if q.code != CONSENT]
    pairs = coded_question_pairs(questions)
    placed = {c.code for c in pairs.values()}
    out = []
    for section in structure.sections:
        rows = [GuideRow(question=q, coded=pairs.get(q.code))
                for q in structure.questions[section.pk] if q.code != CONSENT and q.code not in placed]
        if rows:
            out.append(GuideSection(section=section, rows=rows))
    return out


def value_display(*, question: Question, value: Any, options: list[Option]) -> str:
    """A stored value as a person reads it (labels for option codes)."""
    if value is None or value == [] or value == "":
        return ""
    if question.type == Question.Type.YES_NO:
        return _("Yes") if value == YES else _("No")
    labels = {o.code: o.label for o in options}
    if isinstance(value, list):
        return "; ".join(str(labels.get(v, v)) for v in value)
    return str(labels.get(value, value))


def interview_questions(*, structure: WaveStructure) -> list[Question]:
    """The questions the interviewer records: every question of the guide but consent and the coded
    questions (their answers are the coders' final codes, see docs/interviews.md)."""
    questions = [q for q in structure.all_questions if q.code != CONSENT]
    coded = {q.code for q in coded_question_pairs(questions).values()}
    return [q for q in questions if q.code not in coded]


def interview_state(*, interview: Interview, structure: WaveStructure) -> dict[str, Any]:
    """The JSON the autosave endpoint returns: version, who saved when, values and their display.

    Only the questions the interviewer records: never a coded question's answer."""
    questions = {q.code: q for q in interview_questions(structure=structure)}
    values = {code: v for code, v in interview_values(interview=interview).items() if code in questions}
    return {
        "version": interview.version,
        "status": interview.response.status,
        "completed": interview.is_completed,
        "saved_at": interview.updated_at.isoformat(),
        "saved_at_display": local_datetime_text(interview.updated_at),
        "saved_by": interview.updated_by.get_username() if interview.updated_by else "",
        "answers": values,
        "display": {code: value_display(question=questions[code], value=value,
                                        options=structure.options.get(questions[code].pk, []))
                    for code, value in values.items() if code in questions},
        "labels": {code: q.text for code, q in questions.items()},
    }
