"""Conventions of the instruments that more than one app reads.

- The consent question: an interview guide asks ``consent`` (yes/no) first; nothing is stored
  unless it is answered yes.
- Coded questions: an open question ``x_text`` is coded into the categories of the choice
  question ``x`` of the same instrument (its final codes are stored as answers to ``x``).
- Yes/no answers are stored as 1 (yes) and 0 (no).
"""
from __future__ import annotations

from .models import Instrument, Question

YES, NO = 1, 0
CONSENT = "consent"  # the guide's consent question: must be yes before anything is stored
TEXT_SUFFIX = "_text"  # an open question ``x_text`` is coded into the choice question ``x``
OPEN_TYPES = (Question.Type.TEXT, Question.Type.LONG_TEXT)


def consent_question_get(*, instrument: Instrument) -> Question | None:
    """The instrument's consent question, or None if it has none."""
    return Question.objects.filter(instrument=instrument, code=CONSENT).first()


def text_question_code(coded_code: str) -> str:
    """The code of the open question whose answers are coded into ``coded_code``."""
    return coded_code + TEXT_SUFFIX


def coded_question_pairs(questions: list[Question]) -> dict[str, Question]:
    """Open question code -> the choice question its answers are coded into (``x_text`` -> ``x``)."""
    by_code = {q.code: q for q in questions}
    pairs = {}
    for q in questions:
        if q.type in OPEN_TYPES and q.code.endswith(TEXT_SUFFIX):
            coded = by_code.get(q.code[: -len(TEXT_SUFFIX)])
            if coded is not None and coded.type in Question.CHOICE_TYPES:
                pairs[q.code] = coded
    return pairs
