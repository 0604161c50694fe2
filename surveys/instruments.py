"""Instruments as data: load an instrument definition (JSON) into the database.

The format mirrors fixtures/instruments/*.json: an instrument with its scales
(options carry a numeric code and labels in every language) and sections with
questions. Loading is idempotent: rows are matched by their codes and updated,
never duplicated. Codes that answers already use are never changed by a load.

A load works on the instrument's latest published version. When waves already hold answers
to it and the file changes what respondents are asked (a new question, option, section,
scale or block, or a question's type, section, scale, "required" or limits), the load makes
a new version instead (``services.instrument_version_create``), applies the file to it and
publishes it; rewordings are applied in place.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Block, Instrument, Option, Question, Scale, Section, instrument_conditions_check
from .selectors import instrument_latest_get
from .services import instrument_publish, instrument_version_create

LANGS = ("en", "ru")


def _texts(node: dict[str, Any], key: str, *, required: bool = False) -> dict[str, str]:
    value = node.get(key) or {}
    if isinstance(value, str):
        value = {"en": value}
    out = {f"{key}_{lang}": str(value.get(lang, "")) for lang in LANGS}
    if required and not all(out.values()):
        raise ValidationError(f"{node.get('code', '?')}: '{key}' needs a text in every language ({', '.join(LANGS)}).")
    return out


def _role(q: dict[str, Any]) -> str:
    role = q.get("role", "")
    if role not in Question.Role.values:
        raise ValidationError(f"{q.get('code')}: unknown role {role!r}; choose one of "
                              f"{', '.join(r for r in Question.Role.values if r)}.")
    return role


def _same_structure(instrument: Instrument, data: dict[str, Any]) -> bool:
    """True when loading ``data`` into ``instrument`` changes nothing a respondent is asked."""
    if data.get("kind", Instrument.Kind.QUESTIONNAIRE) != instrument.kind:
        return False
    blocks = set(instrument.blocks.values_list("code", flat=True))
    if any(b["code"] not in blocks for b in data.get("blocks", [])):
        return False
    options = set(Option.objects.filter(scale__instrument=instrument).values_list("scale__code", "code", "specify"))
    scales = set(instrument.scales.values_list("code", flat=True))
    for s in data.get("scales", []):
        if s["code"] not in scales or any((s["code"], int(o["code"]), bool(o.get("specify"))) not in options
                                          for o in s.get("options", [])):
            return False
    sections = {code: (order, condition) for code, order, condition in
                instrument.sections.values_list("code", "order", "condition")}
    questions = {q[0]: q[1:] for q in Question.objects.filter(instrument=instrument).values_list(
        "code", "section__code", "type", "required", "scale__code", "min_value", "max_value", "max_length",
        "condition")}
    for s_order, s in enumerate(data.get("sections", [])):
        if sections.get(s["code"]) != (s_order, s.get("condition") or None):
            return False
        for q in s.get("questions", []):
            wanted = (s["code"], q.get("type"), bool(q.get("required", True)), q.get("scale") or None,
                      q.get("min"), q.get("max"), q.get("max_length"), q.get("condition") or None)
            if questions.get(q["code"]) != wanted:
                return False
    return True


def instrument_import(*, data: dict[str, Any]) -> Instrument:
    """Create or update an instrument from its definition; return the version it loaded into."""
    if not data.get("code"):
        raise ValidationError("An instrument definition needs a 'code'.")
    with transaction.atomic():
        instrument = instrument_latest_get(code=data["code"])
        if instrument is None:
            instrument = Instrument.objects.create(code=data["code"], status=Instrument.Status.PUBLISHED,
                                                   **_instrument_fields(data))
        elif instrument.has_answers() and not _same_structure(instrument, data):
            instrument = instrument_version_create(instrument=instrument)
        _apply(instrument, data)
        if instrument.status != Instrument.Status.PUBLISHED:
            instrument = instrument_publish(instrument=instrument)
    return instrument


def _instrument_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": data.get("kind", Instrument.Kind.QUESTIONNAIRE), **_texts(data, "title", required=True),
            **_texts(data, "description")}


def _apply(instrument: Instrument, data: dict[str, Any]) -> None:
    question_types = set(Question.Type.values)
    fields = _instrument_fields(data)
    for name, value in fields.items():
        setattr(instrument, name, value)
    instrument.save(update_fields=list(fields))
    for order, b in enumerate(data.get("blocks", [])):
        Block.objects.update_or_create(instrument=instrument, code=b["code"],
                                       defaults={"order": order, **_texts(b, "label", required=True)})
    scales: dict[str, Scale] = {}
    specify_texts: dict[tuple[str, int], Any] = {}  # (scale, option code) -> the text field's prompt
    for s in data.get("scales", []):
        scale, _c = Scale.objects.update_or_create(
            instrument=instrument, code=s["code"],
            defaults={"ordered": bool(s.get("ordered", False)), **_texts(s, "label")},
        )
        scales[scale.code] = scale
        for order, o in enumerate(s.get("options", [])):
            Option.objects.update_or_create(
                scale=scale, code=int(o["code"]), defaults={"order": order, "missing": bool(o.get("missing", False)),
                          "specify": bool(o.get("specify")), "name": str(o.get("name", "")),
                          **_texts(o, "label", required=True)},
            )
            if o.get("specify"):
                specify_texts[(scale.code, int(o["code"]))] = o["specify"]
    for s_order, s in enumerate(data.get("sections", [])):
        section, _c = Section.objects.update_or_create(
            instrument=instrument, code=s["code"],
            defaults={"order": s_order, "condition": s.get("condition") or None, "grid": bool(s.get("grid")),
                      **_texts(s, "title", required=True), **_texts(s, "intro")},
        )
        for q_order, q in enumerate(s.get("questions", [])):
            if q.get("type") not in question_types:
                raise ValidationError(f"{q.get('code')}: unknown question type {q.get('type')!r}.")
            scale_code = q.get("scale")
            if scale_code and scale_code not in scales:
                raise ValidationError(f"{q['code']}: unknown scale {scale_code!r}.")
            question, _c = Question.objects.update_or_create(
                instrument=instrument, code=q["code"],
                defaults={
                    "section": section, "type": q["type"], "required": bool(q.get("required", True)),
                    "order": 2 * q_order, "scale": scales.get(scale_code) if scale_code else None,
                    "group": q.get("group", ""), "role": _role(q), "min_value": q.get("min"), "max_value": q.get("max"),
                    "max_length": q.get("max_length"), "condition": q.get("condition") or None,
                    "figure": q.get("figure"),
                    **_texts(q, "text", required=True), **_texts(q, "help"), **_texts(q, "label"),
                },
            )
            try:
                question.bounds_check()
            except ValidationError as exc:
                raise ValidationError(f"{question.code}: {' '.join(exc.messages)}") from exc
            if scale_code:
                _specify_questions(question, specify_texts, scale_code)
    instrument_conditions_check(instrument.pk)  # refuses the whole load, naming the question


SPECIFY_SUFFIX = "__other"


def specify_code(question_code: str) -> str:
    """The code of the text question of a choice question's "Other, please specify" option."""
    return f"{question_code}{SPECIFY_SUFFIX}"


def _specify_questions(question: Question, specify_texts: dict[tuple[str, int], Any], scale_code: str) -> None:
    """The text question each "please specify" option of ``question``'s scale asks: ``<code>__other``,
    right after it, shown and required when the option is chosen (a condition, as any other)."""
    options = [(code, text) for (scale, code), text in specify_texts.items() if scale == scale_code]
    if len(options) > 1:
        raise ValidationError(f"{question.code}: scale {scale_code!r} has more than one option that asks to "
                              "specify; one per scale is allowed.")
    for option_code, text in options:
        texts = text if isinstance(text, dict) else {"en": str(text), "ru": str(text)}
        if not all(texts.get(lang) for lang in LANGS):
            raise ValidationError(f"{question.code}: the 'specify' text of option {option_code} needs a text in "
                                  f"every language ({', '.join(LANGS)}).")
        op = "selected" if question.type == Question.Type.MULTIPLE else "eq"
        Question.objects.update_or_create(
            instrument=question.instrument, code=specify_code(question.code),
            defaults={
                "section": question.section, "type": Question.Type.TEXT, "required": True,
                "order": question.order + 1, "scale": None, "group": "", "role": "", "specify_for": question,
                "condition": {"q": question.code, "op": op, "value": option_code},
                **{f"text_{lang}": texts[lang] for lang in LANGS},
                **{f"label_{lang}": f"{question.label_en if lang == 'en' else question.label_ru or question.label_en}"
                                    f" ({texts[lang].rstrip(':').lower()})" for lang in LANGS},
            },
        )


def instrument_import_file(*, path: Path) -> Instrument:
    with open(path, encoding="utf-8") as fh:
        return instrument_import(data=json.load(fh))
