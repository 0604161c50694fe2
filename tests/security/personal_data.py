"""What counts as personal data, and a check that a text (an export, a page) holds none of it.

Extend EXPORT_SURFACES when a new export or public page is added: each entry makes
the text for a wave; `allowed` names the personal fields that surface may show by
design (the invitation links CSV shows each invitation's own label and e-mail, so
that whoever sends the links knows to whom).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

from surveys.models import Answer, Invitation, Question, Response, Wave

FREE_TEXT_TYPES = (Question.Type.TEXT, Question.Type.LONG_TEXT)


def personal_values(wave: Wave) -> dict[str, set[str]]:
    """Every personal value stored for a wave, by kind."""
    invitations = Invitation.objects.filter(wave=wave)
    return {
        "email": {e for e in invitations.values_list("email", flat=True) if e},
        "label": {label for label in invitations.values_list("label", flat=True) if label},
        "free_text": {str(v) for v in Answer.objects.filter(
            response__wave=wave, question__type__in=FREE_TEXT_TYPES).values_list("value", flat=True) if v},
        "token_hash": set(invitations.values_list("token_hash", flat=True))
        | {h for h in Response.objects.filter(wave=wave).values_list("resume_token_hash", flat=True) if h},
    }


def find_personal_data(text: str, wave: Wave, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The personal values (kind: value) that appear in ``text``, except the allowed kinds."""
    found = []
    for kind, values in personal_values(wave).items():
        if kind in allowed:
            continue
        found += [f"{kind}: {value}" for value in sorted(values) if value in text]
    return found


def _invitation_csv(wave: Wave) -> str:
    from surveys import services
    from surveys.links import write_invitation_links

    fh = io.StringIO()
    issued = services.invitations_create(wave=wave, labels=["New firm", ""], emails=["", "new@example.org"])
    write_invitation_links(fh, issued, base_url="https://survey.example.org/")
    return fh.getvalue()


def _partial_responses_csv(wave: Wave) -> str:
    from surveys import services
    from surveys.fieldwork.exports import partial_responses_csv

    started = services.invitations_create(wave=wave, labels=["Half-done firm"], emails=["half@example.org"])[0]
    response = services.response_start(wave=wave, invitation=started.invitation).response
    comment = Question.objects.get(instrument_id=wave.instrument_id, code="comment")
    Answer.objects.create(response=response, question=comment, value="=Stopped here, Ivan Petrov")
    return partial_responses_csv(wave)


@dataclass(frozen=True)
class Surface:
    name: str
    render: Callable[[Wave], str]
    allowed: frozenset[str] = field(default_factory=frozenset)


EXPORT_SURFACES: list[Surface] = [
    # Newly created invitations only: their own label/e-mail are the point of the file.
    Surface("invitation links CSV", _invitation_csv, allowed=frozenset({"email", "label"})),
    # A data file: it holds the free-text answers of the responses not submitted, as data files do.
    Surface("partial responses CSV (fieldwork)", _partial_responses_csv, allowed=frozenset({"free_text"})),
]
