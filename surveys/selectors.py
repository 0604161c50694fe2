"""Reads: the structure of an instrument as a wave shows it, and lookups by token."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch

from . import logic
from .models import (Answer, Instrument, Invitation, Option, Question, Response, Section, Wave, WaveOptionSet,
                     hash_token)
from .prepared import PreparedQuery


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

    @cached_property
    def codes(self) -> set[str]:
        return {q.code for q in self.all_questions}

    @property
    def has_logic(self) -> bool:
        return any(s.condition for s in self.sections) or any(q.condition for q in self.all_questions)

    def answers_by_code(self, stored: dict[int, Any]) -> dict[str, Any]:
        """question pk -> value (as ``response_answers`` gives) to question code -> value."""
        return {q.code: stored[q.pk] for q in self.all_questions if q.pk in stored}

    def shown(self, answers: dict[str, Any]) -> Visibility:
        """Which questions and sections the answers so far show (``surveys.logic``)."""
        questions, sections = logic.visibility(
            [(s.pk, s.condition, [(q.code, q.condition) for q in self.questions[s.pk]]) for s in self.sections],
            answers)
        return Visibility(questions=questions, sections=sections,
                          steps=[i for i, s in enumerate(self.sections) if sections[s.pk]], total=len(self.sections))


@dataclass(frozen=True)
class Visibility:
    questions: dict[str, bool]  # question code -> shown
    sections: dict[int, bool]  # section pk -> shown (its condition holds and a question is shown)
    steps: list[int]  # indexes of the shown sections, in order
    total: int  # the number of sections, shown or not

    def next_step(self, index: int) -> int:
        """The first shown section after ``index`` (the number of sections when none is left)."""
        return next((i for i in self.steps if i > index), self.total)

    def previous_step(self, index: int) -> int:
        return next((i for i in reversed(self.steps) if i < index), self.steps[0] if self.steps else 0)

    def position(self, index: int) -> tuple[int, int]:
        """(page number among the shown pages, number of shown pages) for section ``index``."""
        shown_before = sum(1 for i in self.steps if i < index)
        return shown_before + 1, max(len(self.steps), 1)


STRUCTURE_CACHE_SECONDS = 24 * 60 * 60


def structure_cache_key(*, wave: Wave) -> str:
    """The cache key of a wave's structure: the wave, its instrument version and that version's
    structure revision (new whenever a section, question, scale, option or option list of the wave
    is saved or deleted: ``surveys/signals.py``)."""
    instrument = wave.instrument  # loaded with the wave by the respondent's pages (no query then)
    return f"surveys:structure:1:{wave.pk}:{instrument.pk}:{instrument.structure_revision.hex}"


# The structures this process has read, by cache key (a key names one revision, so an entry never
# goes out of date; the least recently read are forgotten first). Their objects are shared by the
# requests of the process: read them, never change them.
_IN_PROCESS: OrderedDict[str, tuple] = OrderedDict()
IN_PROCESS_MAX = 32


def wave_structure(*, wave: Wave) -> WaveStructure:
    """The structure of the wave's instrument version, built once per structure revision and then
    read from this process's memory or the cache (no query).

    The revision is the one ``wave.instrument`` holds as loaded: a caller that changes the structure
    through other objects reloads the wave before reading its structure again."""
    key = structure_cache_key(wave=wave)
    parts = memory_get(_IN_PROCESS, key)
    if parts is None:
        parts = cache.get(key)
        if parts is None:
            built = wave_structure_build(wave=wave)
            parts = (built.sections, built.questions, built.options)
            cache.set(key, parts, STRUCTURE_CACHE_SECONDS)
        memory_keep(_IN_PROCESS, key, parts, IN_PROCESS_MAX)
    sections, questions, options = parts
    return WaveStructure(wave=wave, sections=sections, questions=questions, options=options)


def memory_get(memory: OrderedDict, key: Any) -> Any:
    """What a process's ``memory`` keeps under ``key`` (None if nothing), marked as just used: the
    least recently used are forgotten first."""
    value = memory.get(key)
    if value is not None:
        try:
            memory.move_to_end(key)
        except KeyError:  # another thread forgot it meanwhile
            pass
    return value


def memory_keep(memory: OrderedDict, key: Any, value: Any, limit: int) -> None:
    """Keep ``value`` in a process's ``memory`` under ``key``, forgetting the least recently used
    beyond ``limit`` entries (safe beside other threads doing the same)."""
    memory[key] = value
    while len(memory) > limit:
        try:
            memory.popitem(last=False)
        except KeyError:  # another thread emptied it first
            break


def structure_memory_clear() -> None:
    """Forget the structures this process holds (the cache keeps its own)."""
    _IN_PROCESS.clear()


def wave_structure_build(*, wave: Wave) -> WaveStructure:
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


# The respondent's pages' lookups, compiled once (surveys/prepared.py). The placeholders are values
# no row has; the session holds one response per wave, so the lookups by a browser's responses come in
# a few sizes (more than RESPONSES_PREPARED responses fall back to the ORM).
_SLUG = "\uffffprepared-slug"
RESPONSES_PREPARED = 4
_ANSWERS = PreparedQuery(lambda response_id: Answer.objects.filter(response_id=response_id).order_by().values_list(
    "question_id", "value"), placeholders=(-1,))
_WAVE_BY_SLUG = PreparedQuery(
    lambda slug: Wave.objects.select_related("instrument").filter(slug=slug).order_by()[:1], placeholders=(_SLUG,))


def _response_by_slug_query(*values):  # the response pks, then the slug
    return Response.objects.select_related("wave__instrument").filter(
        pk__in=values[:-1], wave__slug=values[-1]).order_by()[:1]


_RESPONSE_BY_SLUG = {n: PreparedQuery(_response_by_slug_query, placeholders=(*range(-1, -n - 1, -1), _SLUG))
                     for n in range(1, RESPONSES_PREPARED + 1)}


def response_answers(*, response: Response) -> dict[int, object]:
    """question pk -> stored value."""
    return dict(_ANSWERS.run(response.pk))


def wave_by_slug(*, slug: str) -> Wave | None:
    """The wave at ``slug``, with its instrument (one query)."""
    found = _WAVE_BY_SLUG.run(slug)
    return found[0] if found else None


def response_by_slug(*, pks: list[int], slug: str) -> Response | None:
    """The one of the responses ``pks`` (a browser's, from its session) that answers the wave at
    ``slug``, with its wave and instrument (one query)."""
    pks = list(dict.fromkeys(pks))
    if not pks:
        return None
    if len(pks) > RESPONSES_PREPARED:
        return next(iter(_response_by_slug_query(*pks, slug)), None)
    found = _RESPONSE_BY_SLUG[len(pks)].run(*pks, slug)
    return found[0] if found else None
