"""The texts of invitations and reminders: the defaults (in English and Russian, from the
catalogue), the placeholders an admin may use, and the composition of one message."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Kind, Language, MessageTemplate

LINK = "{link}"
SURVEY = "{survey}"
PLACEHOLDERS = (LINK, SURVEY)
LANGUAGES = ("en", "ru")
FIELDS = ("subject_en", "body_en", "subject_ru", "body_ru")

PLACEHOLDER_HELP = gettext_lazy("{link} becomes the invitee’s personal link, {survey} the wave’s title. The "
                                "opt-out link is added at the end of every message.")


def _default(kind: str, lang: str) -> tuple[str, str]:
    with translation.override(lang):
        if kind == Kind.REMINDER:
            return (
                _("Reminder: %(survey)s") % {"survey": SURVEY},
                _("Dear colleague,\n\nA few days ago we invited you to take part in the survey “%(survey)s”. If you "
                  "have not found the time yet, your answers are still very welcome; it takes about 15 minutes, and "
                  "you can continue where you left off:\n\n%(link)s\n\nThe link is personal: please do not forward "
                  "it.\n\nThank you!") % {"survey": SURVEY, "link": LINK},
            )
        return (
            _("Invitation to the survey %(survey)s") % {"survey": SURVEY},
            _("Dear colleague,\n\nWe invite you to take part in the survey “%(survey)s” on enterprises’ readiness "
              "to join regional industrial clusters. It takes about 15 minutes; your answers are confidential and "
              "are analysed only in aggregate.\n\nYour personal link:\n\n%(link)s\n\nThe link is personal: please "
              "do not forward it.\n\nThank you!") % {"survey": SURVEY, "link": LINK},
        )


def defaults(kind: str) -> dict[str, str]:
    out = {}
    for lang in LANGUAGES:
        out[f"subject_{lang}"], out[f"body_{lang}"] = _default(kind, lang)
    return out


def texts_for(wave, kind: str) -> dict[str, str]:
    """The wave's texts for ``kind``: the ones the admin saved, or the defaults."""
    saved = MessageTemplate.objects.filter(wave=wave, kind=kind).first()
    if saved is None:
        return defaults(kind)
    return {name: getattr(saved, name) for name in FIELDS}


def _opt_out_footer(lang: str, opt_out_url: str) -> str:
    with translation.override(lang):
        return _("You receive this message because you were invited to this survey. To receive no more "
                 "messages about it, open: %(url)s") % {"url": opt_out_url}


def _fill(text: str, *, survey: str, link: str) -> str:
    return text.replace(SURVEY, survey).replace(LINK, link)


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def compose(texts: dict[str, str], *, language: str, survey: str, link: str, opt_out_url: str) -> Composed:
    """One message: the subject and text in ``language`` (en, ru, or both: Russian first), the
    placeholders filled, the link added if a text lacks it, the opt-out footer at the end."""
    langs = ["ru", "en"] if language == Language.BOTH else [language]
    subjects, bodies = [], []
    for lang in langs:
        body = texts[f"body_{lang}"]
        if LINK not in body:
            body = body.rstrip() + "\n\n" + LINK
        subjects.append(_fill(texts[f"subject_{lang}"], survey=survey, link=link))
        bodies.append(_fill(body, survey=survey, link=link).rstrip() + "\n\n-- \n" + _opt_out_footer(lang, opt_out_url))
    subject = " / ".join(subjects).replace("\n", " ").replace("\r", " ")
    return Composed(subject=subject, body=("\n\n" + "=" * 40 + "\n\n").join(bodies) + "\n")
