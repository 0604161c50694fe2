"""The questionnaire's pages render their questions with the project's own templates
(``surveys/_questions.html``): the same elements, attributes and texts as crispy-forms'
bootstrap5 pack gave the same form, for every question type, with and without help texts, errors,
answers, conditions and hidden questions (labels, fieldsets and legends, required markers,
aria-describedby and aria-invalid, the grid, the data-condition attributes of static/js/logic.js)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from surveys import selectors
from surveys.forms import SectionForm
from surveys.models import Option, Question

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
OWN = Template('{% include "surveys/_questions.html" %}')


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "class" in attrs:
            attrs["class"] = " ".join(sorted(attrs["class"].split()))
        self.items.append(("<", tag, tuple(sorted(attrs.items()))))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data).strip()
        if text:
            self.items.append(("text", text))


def tree(html: str) -> list[tuple]:
    parser = _Tree()
    parser.feed(html)
    return parser.items


def both(form: SectionForm) -> tuple[list, list]:
    return tree(CRISPY.render(Context({"form": form}))), tree(OWN.render(Context({"form": form})))


def _q(pk, code, type, **fields) -> Question:
    return Question(pk=pk, code=code, type=type, text_en=f"Question <{code}> & co", text_ru="", **fields)


OPTIONS = [Option(pk=1, code=1, label_en="One", label_ru=""), Option(pk=2, code=2, label_en="Two & more", label_ru="")]
QUESTIONS = [
    _q(1, "single", "single", help_en="Choose <b>one</b>"),
    _q(2, "scale", "scale"),
    _q(3, "multiple", "multiple", required=False),
    _q(4, "multiple_req", "multiple", help_en="All that apply"),
    _q(5, "text", "text", help_en="A short answer", max_length=80),
    _q(6, "long", "long_text", required=False),
    _q(7, "number", "number", min_value=0, max_value=10),
    _q(8, "date", "date", help_en="YYYY-MM-DD"),
    _q(9, "yes", "yes_no", condition={"q": "single", "op": "eq", "value": 1}),
    _q(10, "specify", "text", required=False, specify_for_id=3, condition={"q": "multiple", "op": "selected", "value": 2}),
]
CHOICES = {1: OPTIONS, 2: OPTIONS, 3: OPTIONS, 4: OPTIONS}

CASES = {
    "empty": None,
    "answered": {"single": "2", "scale": "1", "multiple": ["1", "2"], "multiple_req": ["2"], "text": "ok <x>",
                 "long": "line\nline", "number": "3.5", "date": "2026-01-31", "yes": "1", "specify": "other"},
    "errors": {"single": "", "scale": "9", "multiple": ["7"], "text": "x" * 81, "number": "abc", "date": "31/01",
               "yes": ""},
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("hidden", [frozenset(), frozenset({"yes", "specify"})])
def test_every_question_type_renders_as_crispy_forms_did(case, hidden):
    data = CASES[case]
    form = SectionForm(data, questions=QUESTIONS, options=CHOICES, initially_hidden=hidden)
    if data is not None:
        assert not form.is_valid() if case == "errors" else form.is_valid(), form.errors
    crispy, own = both(form)
    assert own == crispy


@pytest.mark.parametrize("case", ["empty", "errors"])
def test_a_grid_renders_as_crispy_forms_did(case):
    items = [_q(20 + n, f"item{n}", "scale", help_en="Think of last year" if n == 1 else "") for n in range(3)]
    items.append(_q(30, "after", "text", required=False))
    data = {"item0": "1", "item1": "5"} if case == "errors" else None
    form = SectionForm(data, questions=items, options={q.pk: OPTIONS for q in items[:3]}, grid=True,
                       initially_hidden={"item2"})
    if data is not None:
        form.is_valid()
    crispy, own = both(form)
    assert own == crispy
    assert ("<", "table", (("class", "align-middle grid-table table"),)) in own


@pytest.mark.django_db
def test_the_social_capital_pages_render_as_crispy_forms_did(open_wave, answers):
    structure = selectors.wave_structure(wave=open_wave)
    for step, section in enumerate(structure.sections, start=1):
        questions = structure.questions[section.pk]
        for data in (None, answers[step], {}):
            form = SectionForm(data, questions=questions, options=structure.options, grid=section.grid,
                               shown=lambda page: structure.shown(page).questions,
                               initially_hidden={"cluster_name"})
            if data is not None:
                form.is_valid()
            crispy, own = both(form)
            assert own == crispy, section.code
