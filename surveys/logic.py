"""Questionnaire logic: display conditions on earlier answers, as instrument data.

A question or a section may carry a ``condition`` (JSON). It is shown only when the condition
holds on the answers given so far; otherwise it is hidden: never required, its stored answer
cleared, and a section whose questions are all hidden is skipped. The server is the authority
(this module); ``static/js/logic.js`` evaluates the same conditions in the browser so questions
appear and disappear as answers change, and a test runs both on the same random cases.

A condition is one of::

    {"q": "cluster_member", "op": "eq", "value": 1}        # equals (a single choice, yes/no, number, text)
    {"q": "cluster_member", "op": "ne", "value": 1}        # not equals (true when unanswered)
    {"q": "region", "op": "in", "value": [1, 2]}           # one of
    {"q": "barriers", "op": "selected", "value": 99}       # chosen in a multiple choice
    {"q": "barriers_text", "op": "answered"}               # any answer at all
    {"q": "employees", "op": "gt", "value": 100}           # gt, ge, lt, le: numeric comparisons
    {"all": [c, ...]}, {"any": [c, ...]}, {"not": c}        # and, or, not

An unanswered (or hidden) question has no value: ``eq``, ``in``, ``selected``, ``answered`` and
the numeric comparisons are false on it, ``ne`` is true. A condition may refer only to a question
that comes earlier in the same instrument (``conditions_check``, run when an instrument is loaded
or saved).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COMPARISONS = ("eq", "ne", "in", "selected", "answered", "gt", "ge", "lt", "le")
COMBINATIONS = ("all", "any", "not")
MAX_DEPTH = 10


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _same(a: Any, b: Any) -> bool:
    """Equality as both evaluators see it: numbers by value (1 == 1.0), otherwise exact."""
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    return a == b and type(a) is type(b)


def evaluate(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds on ``answers`` (question code -> stored value; absent, None,
    "" and [] are unanswered). No condition holds."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers)
    op, target = condition["op"], condition.get("value")
    value = answers.get(condition["q"])
    if value in (None, "", []):
        return op == "ne"
    if op == "answered":
        return True
    if op == "eq":
        return _same(value, target)
    if op == "ne":
        return not _same(value, target)
    if op == "in":
        return any(_same(value, t) for t in target)
    if op == "selected":
        return isinstance(value, list) and any(_same(v, target) for v in value)
    number, bound = _number(value), _number(target)
    if number is None or bound is None:
        return False
    return {"gt": number > bound, "ge": number >= bound, "lt": number < bound, "le": number <= bound}[op]


def referenced(condition: Mapping[str, Any] | None) -> set[str]:
    """The question codes a condition reads."""
    if not condition:
        return set()
    if "all" in condition or "any" in condition:
        return set().union(*(referenced(c) for c in condition.get("all", condition.get("any", []))))
    if "not" in condition:
        return referenced(condition["not"])
    return {condition["q"]}


def condition_check(condition: Any, *, earlier: Mapping[str, Any], where: str, depth: int = 0) -> None:
    """Refuse a malformed condition, or one that reads a question not earlier in the instrument.

    ``earlier`` maps the codes of the questions before this one to their type (a string); the
    message names ``where`` (the question or section) and the problem."""
    def fail(problem: str) -> None:
        raise ValidationError(_("The condition of %(where)s is not valid: %(problem)s") % {
            "where": where, "problem": problem}, code="condition")

    if condition in (None, {}):
        return
    if depth > MAX_DEPTH:
        fail(_("it is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH})
    if not isinstance(condition, dict):
        fail(_("a condition is an object such as {\"q\": \"code\", \"op\": \"eq\", \"value\": 1}."))
    keys = set(condition)
    combination = keys & set(COMBINATIONS)
    if combination:
        if len(keys) != 1:
            fail(_("“all”, “any” and “not” stand alone in their object."))
        name = next(iter(combination))
        parts = condition[name]
        if name == "not":
            condition_check(parts, earlier=earlier, where=where, depth=depth + 1)
            return
        if not isinstance(parts, list) or not parts:
            fail(_("“%(name)s” needs a list of conditions.") % {"name": name})
        for part in parts:
            condition_check(part, earlier=earlier, where=where, depth=depth + 1)
        return
    if keys - {"q", "op", "value"} or "q" not in keys or "op" not in keys:
        fail(_("it needs “q” (a question code), “op” and, except for “answered”, “value”."))
    code, op = condition["q"], condition["op"]
    if op not in COMPARISONS:
        fail(_("unknown operator “%(op)s”; use one of %(ops)s.") % {"op": op, "ops": ", ".join(COMPARISONS)})
    if code not in earlier:
        fail(_("“%(code)s” is not a question before it in this instrument.") % {"code": code})
    value = condition.get("value")
    if op == "answered":
        if "value" in condition:
            fail(_("“answered” takes no value."))
        return
    if "value" not in condition:
        fail(_("“%(op)s” needs a value.") % {"op": op})
    if op == "in":
        if not isinstance(value, list) or not value or any(isinstance(v, (list, dict)) for v in value):
            fail(_("“in” needs a list of values."))
    elif isinstance(value, (list, dict)):
        fail(_("“%(op)s” compares with one value.") % {"op": op})
    if op in ("gt", "ge", "lt", "le") and _number(value) is None:
        fail(_("“%(op)s” compares with a number.") % {"op": op})
    if op == "selected" and earlier[code] != "multiple":
        fail(_("“selected” applies to a multiple-choice question; “%(code)s” is not one.") % {"code": code})


def conditions_check(sections: Sequence[tuple[str, Any, Sequence[tuple[str, str, Any]]]]) -> None:
    """Check every condition of an instrument given in order: ``[(section title, section
    condition, [(question code, type, condition), ...]), ...]``. A section's condition may read the
    questions of earlier sections; a question's, the questions before it."""
    earlier: dict[str, str] = {}
    for title, section_condition, questions in sections:
        condition_check(section_condition, earlier=earlier, where=_("section “%(title)s”") % {"title": title})
        for code, type_, condition in questions:
            condition_check(condition, earlier=earlier, where=_("question “%(code)s”") % {"code": code})
            earlier[code] = type_


def visibility(sections: Iterable[tuple[Any, Any, Sequence[tuple[str, Any]]]], answers: Mapping[str, Any]
               ) -> tuple[dict[str, bool], dict[Any, bool]]:
    """Which questions and sections are shown, given the stored ``answers``.

    ``sections`` is ``[(section key, section condition, [(question code, condition), ...]), ...]``
    in order. A hidden question counts as unanswered for the conditions after it; a section is
    shown when its condition holds and at least one of its questions is shown."""
    effective: dict[str, Any] = {}
    shown_questions: dict[str, bool] = {}
    shown_sections: dict[Any, bool] = {}
    for key, section_condition, questions in sections:
        section_on = evaluate(section_condition, effective)
        any_on = False
        for code, condition in questions:
            on = section_on and evaluate(condition, effective)
            shown_questions[code] = on
            any_on = any_on or on
            if on and code in answers:
                effective[code] = answers[code]
        shown_sections[key] = section_on and any_on
    return shown_questions, shown_sections

