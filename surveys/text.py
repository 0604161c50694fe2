"""The one normaliser every text entering the system goes through.

Every input path uses it: the respondents' and interviewers' forms, the autosave JSON (through
the same form fields), imports (through the same form fields), the admin and the staff forms
(``CleanCharField``, ``CleanTextAdminMixin``). A text is accepted only when it is:

- free of lone surrogates (``"\\ud800"``: never valid Unicode, unstorable in PostgreSQL's jsonb,
  unencodable as UTF-8) and of control characters other than tab and newline (C0, DEL and C1);
- within its field's length.

An accepted text is put into Unicode normal form C (NFC: "й" typed as и + combining breve is
stored as the one character й, so equal texts compare equal) with line ends as ``\\n`` (browsers
send ``\\r\\n`` from text boxes; the page's DOM, and so a coder's selected span, counts ``\\n``).
A refused text is a form error (or a 400 / 422 JSON answer) naming the character and its position;
nothing is stored.

Values stored before the normaliser existed are repaired by ``text_repair`` (migration
``surveys.0009_repair_text``; ``manage.py repair_text`` reports and repairs on demand): each invalid
character becomes U+FFFD, so every coded span keeps its offsets.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# C0 controls but tab (\x09), newline (\x0a) and carriage return (\x0d, turned into \n), DEL, C1
# controls; and every lone surrogate.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_INVALID = re.compile(f"[{_CONTROL}{_SURROGATE}]")
REPLACEMENT = "\ufffd"

MAX_JSON_DEPTH = 8  # the autosave sends {"answers": {code: [values]}}: depth 3


def _describe(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return str(_("an unpaired surrogate (U+%(code)s), which is not a character") % {"code": f"{ord(char):04X}"})
    return str(_("the control character U+%(code)s") % {"code": f"{ord(char):04X}"})


def text_normalise(value: str, *, max_length: int | None = None) -> str:
    """``value`` in NFC with ``\\n`` line ends; ValidationError (code ``invalid_character`` or
    ``max_length``) when it holds a character no text may hold, or is longer than ``max_length``."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _INVALID.search(value)
    if bad:
        raise ValidationError(
            _("The text contains %(what)s at position %(position)s. Remove it and try again; nothing was saved."),
            code="invalid_character",
            params={"what": _describe(bad.group()), "position": bad.start() + 1},
        )
    value = unicodedata.normalize("NFC", value)
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            _("The text has %(length)s characters; at most %(limit)s are allowed."),
            code="max_length", params={"length": len(value), "limit": max_length},
        )
    return value


def text_repair(value: Any) -> Any:
    """``value`` (a text, or a JSON value holding texts) with every invalid character replaced by
    U+FFFD. Lengths are kept, so coders' spans stay valid; nothing else changes."""
    if isinstance(value, str):
        return _INVALID.sub(REPLACEMENT, value) if _INVALID.search(value) else value
    if isinstance(value, list):
        return [text_repair(v) for v in value]
    if isinstance(value, dict):
        return {text_repair(k): text_repair(v) for k, v in value.items()}
    return value


class JSONBodyError(ValueError):
    """The request body is not the JSON asked for; the message says why."""


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is depth 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_body(body: bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a request body as JSON: UTF-8, at most ``max_bytes``, nested at most ``max_depth``.

    Raises ``JSONBodyError`` with a message for the user; never RecursionError or
    UnicodeDecodeError. Texts inside are checked by the form fields they are cleaned with."""
    if len(body) > max_bytes:
        raise JSONBodyError(str(_("The data sent is too large.")))
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JSONBodyError(str(_("The data sent is not UTF-8 text."))) from exc
    except RecursionError as exc:  # json's parser recurses once per level of nesting
        raise JSONBodyError(str(_("The data sent is nested too deeply."))) from exc
    except ValueError as exc:
        raise JSONBodyError(str(_("The data sent is not valid JSON."))) from exc
    if json_depth(value) > max_depth:
        raise JSONBodyError(str(_("The data sent is nested too deeply.")))
    return value


class _Normalised:
    """Put the cleaned text of a CharField (or a subclass: e-mail, slug, URL) through
    ``text_normalise``, after Django's own stripping."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if isinstance(value, str) and value not in self.empty_values:
            return text_normalise(value)
        return value


class CleanCharField(_Normalised, forms.CharField):
    """A CharField whose value goes through ``text_normalise``."""


_NORMALISED_CLASSES: dict[type, type] = {}


def normalised(field: forms.Field | None) -> forms.Field | None:
    """``field``, made to normalise its text if it is a CharField of any kind (else unchanged)."""
    if isinstance(field, forms.CharField) and not isinstance(field, _Normalised):
        cls = type(field)
        if cls not in _NORMALISED_CLASSES:
            _NORMALISED_CLASSES[cls] = type(f"Normalised{cls.__name__}", (_Normalised, cls), {})
        field.__class__ = _NORMALISED_CLASSES[cls]
    return field


class CleanTextAdminMixin:
    """For ModelAdmins and inlines: every text field of the admin's forms goes through the normaliser."""

    def formfield_for_dbfield(self, db_field: models.Field, request, **kwargs):
        return normalised(super().formfield_for_dbfield(db_field, request, **kwargs))


# The stored values people type: (app label, model, fields). Repaired by ``stored_text_repair``.
TYPED_FIELDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("surveys", "Answer", ("value",)),
    ("surveys", "Invitation", ("label",)),
    ("interviews", "AnswerChange", ("old_value", "new_value")),
    ("coding", "AppliedCode", ("quote",)),
    ("coding", "CodingDecision", ("note",)),
]


def stored_text_repair(get_model, *, dry_run: bool = False) -> dict[str, list[int]]:
    """Replace every invalid character (see ``text_repair``) in the stored values people type.

    ``get_model(app_label, model_name)`` is ``apps.get_model`` (a migration's historical models or
    the live ones). Returns ``{"app.Model.field": [primary keys changed]}``; with ``dry_run`` only
    reports. Rows are read in chunks, so memory stays flat on a large database."""
    changed: dict[str, list[int]] = {}
    for app_label, model_name, fields in TYPED_FIELDS:
        model = get_model(app_label, model_name)
        rows = model.objects.only("pk", *fields).order_by("pk")
        for row in rows.iterator(chunk_size=2000):
            update = []
            for name in fields:
                value = getattr(row, name)
                repaired = text_repair(value)
                if repaired != value:
                    setattr(row, name, repaired)
                    update.append(name)
                    changed.setdefault(f"{app_label}.{model_name}.{name}", []).append(row.pk)
            if update and not dry_run:
                row.save(update_fields=update)
    return changed


def repair_summary(changed: dict[str, list[int]]) -> str:
    """One line per field: how many rows were (or would be) repaired, and their first ids."""
    if not changed:
        return "No stored text needed repair."
    lines = []
    for name, pks in changed.items():
        shown = ", ".join(str(pk) for pk in pks[:20]) + (", ..." if len(pks) > 20 else "")
        lines.append(f"{name}: {len(pks)} row(s) with invalid characters replaced by U+FFFD (ids {shown})")
    return "\n".join(lines)
