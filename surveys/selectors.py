"""Reads: the structure of an instrument as a wave shows it, and lookups by token."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Instrument, Invitation, Option, Question, Response, Section, Wave, WaveOptionSet, hash_token


@dataclass
class WaveStructure:
    """Sections in order, each with its questions and the options each offers."""

    wave: Wave
    sections: list[Section]
    questions: dict[int, list[Question]]  # section pk -> questions in order
    options: dict[int, list[Option]] = field(default_factory=dict)  # question pk -> options in display order

    @property
    def all_questions(self) -> list[Question]:
        return [q for s in self.sections for q in self.questions[s.pk]]


def wave_structure(*, wave: Wave) -> WaveStructure:
    """Load an instrument's sections, questions and options in a constant number of queries."""
    sections = list(
        Section.objects.filter(instrument_id=wave.instrument_id).order_by("order").prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order").select_related("scale").prefetch_related(
                    Prefetch("scale__options", queryset=Option.objects.order_by("order", "code"))
                ),
            )
        )
    )
    questions = {s.pk: list(s.questions.all()) for s in sections}
    options: dict[int, list[Option]] = {}
    for qs in questions.values():
        for q in qs:
            if q.scale_id:
                options[q.pk] = list(q.scale.options.all())
    for option_set in WaveOptionSet.objects.filter(wave=wave).prefetch_related("options"):
        allowed = {o.pk for o in option_set.options.all()}
        if option_set.question_id in options and allowed:
            options[option_set.question_id] = [o for o in options[option_set.question_id] if o.pk in allowed]
    return WaveStructure(wave=wave, sections=sections, questions=questions, options=options)


def instrument_latest_get(*, code: str) -> Instrument | None:
    """The version of ``code`` loaders and new waves use: the latest published one (else the latest)."""
    versions = Instrument.objects.filter(code=code).order_by("-version")
    return versions.filter(status=Instrument.Status.PUBLISHED).first() or versions.first()


def instrument_versions(*, code: str) -> list[Instrument]:
    """Every version of an instrument, oldest first."""
    return list(Instrument.objects.filter(code=code).order_by("version"))


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation whose token this is, whatever its state; None if unknown."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("wave", "wave__instrument").filter(token_hash=hash_token(token)).first()


def response_get_by_resume_token(*, wave: Wave, token: str) -> Response | None:
    if not token or len(token) > 100:
        return None
    return Response.objects.filter(wave=wave, resume_token_hash=hash_token(token)).first()


def response_answers(*, response: Response) -> dict[int, object]:
    """question pk -> stored value."""
    return dict(response.answers.values_list("question_id", "value"))
