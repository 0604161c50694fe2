"""The statistics core's messages in the report's language.

The core (analysis/stats) speaks English and marks the messages a report can show with a key
(:class:`analysis.stats.ordinal.Note`); here each key has its text in the message catalogue, and its
values are formatted for the language: variable names become their labels, numbers and lists are
written as the language writes them. A message without a key is passed on as it is.
"""
from __future__ import annotations

from typing import Any, Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import style
from .stats.ordinal import Note

Label = Callable[[str], str]


def _texts(params: dict[str, Any], lang: str, label: Label) -> dict[str, str]:
    out = {}
    for key, value in params.items():
        if key in ("column", "term"):
            out[key] = label(str(value))
        elif key == "categories":
            out[key] = "; ".join(str(v) for v in value) if lang == "ru" else ", ".join(str(v) for v in value)
        elif key in ("note", "reason"):
            out[key] = say(value, lang, label)
        elif key == "kind":
            out[key] = pgettext("effects", "nominal") if value == "nominal" else pgettext("effects", "scale")
        elif isinstance(value, int):
            out[key] = style.integer(value, lang)
        else:
            out[key] = str(value)
    return out


def say(message: Any, lang: str, label: Label = str) -> str:
    """``message`` (a Note, an exception whose message is a Note, or any text) in the active language."""
    note = message.args[0] if isinstance(message, BaseException) and message.args else message
    if not isinstance(note, Note):
        return str(note)
    p = _texts(note.params, lang, label)
    n = note.params.get("n", 0)
    key = note.key
    if key.startswith("term:"):
        return _("%(term)s: %(note)s") % p
    texts = {
        "brant_separated": lambda: _(
            "The Brant test of proportional odds cannot be computed: in one of the binary splits of the outcome, "
            "the predictors separate the categories perfectly (some groups have no answer on one side). Merge "
            "sparse categories of the outcome or of a predictor, or read the likelihood-ratio test of "
            "proportional odds below instead."),
        "brant_scale": lambda: _("The Brant test is computed only for proportional-odds models without scale "
                                 "effects."),
        "brant_link": lambda: _("The Brant test is defined for the logit link only."),
        "predictor_unobserved": lambda: _("Nobody answered the predictor “%(column)s”; leave it out of the model.") % p,
        "no_complete_row": lambda: _("No respondent answered the outcome and every predictor; there is nothing to "
                                     "model."),
        "dropped_listwise": lambda: ngettext(
            "%(n)s respondent with a missing answer was left out (listwise deletion).",
            "%(n)s respondents with a missing answer were left out (listwise deletion).", n) % p,
        "predictor_categories_dropped": lambda: _(
            "%(column)s: categories nobody chose were left out of the model: %(categories)s.") % p,
        "outcome_one_category": lambda: _(
            "The answers to the outcome “%(column)s” fall into fewer than two categories; there is nothing to "
            "model.") % p,
        "outcome_categories_dropped": lambda: _(
            "Categories of the outcome that nobody chose were left out of the model: %(categories)s.") % p,
        "unbounded": lambda: _(
            "Some estimates are unbounded (a category of the outcome is empty in a group); the log-likelihood is "
            "its supremum, as R's ordinal::clm reports it."),
        "term_unfitted": lambda: _(
            "%(term)s: the model with %(kind)s effects of %(term)s cannot be fitted (%(reason)s); its test is not "
            "available.") % p,
    }
    text = texts.get(key)
    return text() if text else str(note)
