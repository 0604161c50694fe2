"""How many options a multiple-choice answer may hold ("choose at most three"): the instrument's
bounds, the form's message, the loaders (JSON and XLSForm) and the export."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pyxform.xls2xform import convert

from surveys.forms import SectionForm
from surveys.instruments import instrument_import
from surveys.models import Answer, Instrument, Question
from surveys.xlsform import XLSFormError, xlsform_import, xlsform_workbook

from ..helpers import landed
from .test_xlsform import EN, RU, SURVEY_HEADER, workbook

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "instruments"


def _activities_form(data, language="en"):
    question = Question.objects.get(instrument__code="cluster-organisations", code="priority_activities")
    questions = list(Question.objects.filter(section=question.section).order_by("order"))
    options = {q.pk: list(q.scale.options.order_by("order")) for q in questions if q.scale_id}
    with translation.override(language):
        form = SectionForm(data, questions=questions, options=options)
        form.is_valid()
        return form, {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_the_fixture_allows_at_most_three_activities(instruments):
    question = Question.objects.get(instrument__code="cluster-organisations", code="priority_activities")
    assert (question.type, question.min_choices, question.max_choices) == ("multiple", None, 3)


def test_four_activities_are_refused_with_the_limit_and_three_are_taken(instruments):
    form, errors = _activities_form({"priority_activities": ["1", "2", "3", "4"]})
    assert errors == {"priority_activities": ["Choose at most 3 options (4 chosen)."]}
    _form, errors = _activities_form({"priority_activities": ["1", "2", "3", "4"]}, "ru")
    assert errors == {"priority_activities": ["Выберите не более 3 вариантов (выбрано: 4)."]}
    form, errors = _activities_form({"priority_activities": ["3", "1", "2"]})
    assert errors == {} and form.cleaned_data["priority_activities"] == [1, 2, 3]


def test_a_code_sent_twice_counts_once(instruments):
    form, errors = _activities_form({"priority_activities": ["1", "1", "2", "2", "3"]})
    assert errors == {} and form.cleaned_data["priority_activities"] == [1, 2, 3]


def test_a_minimum_number_of_choices(instruments):
    question = Question.objects.get(instrument__code="cluster-organisations", code="priority_activities")
    Question.objects.filter(pk=question.pk).update(min_value=2)
    _form, errors = _activities_form({"priority_activities": ["1"]})
    assert errors == {"priority_activities": ["Choose at least 2 options (1 chosen)."]}
    _form, errors = _activities_form({"priority_activities": []})
    assert errors == {"priority_activities": ["This field is required."]}  # none chosen: the required check says so


def test_the_respondents_page_refuses_four_and_stores_nothing(client, instruments):
    """Through the respondent's pages of a wave of the instrument: the answer is refused with the
    message beside the question, and no answer of that page is stored."""
    from django.urls import reverse
    from django.utils import timezone

    from surveys.models import Wave

    wave = Wave.objects.create(instrument=Instrument.objects.get(code="cluster-organisations"), title="Orgs",
                               slug="orgs", status=Wave.Status.OPEN, access=Wave.Access.OPEN_LINK,
                               opens_at=timezone.now() - timezone.timedelta(days=1))
    client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    question = Question.objects.get(instrument=wave.instrument, code="priority_activities")
    sections = list(wave.instrument.sections.order_by("order"))
    step = sections.index(question.section) + 1
    for n, section in enumerate(sections[:step - 1], start=1):  # the pages before it, answered
        r = client.post(reverse("surveys:step", kwargs={"slug": wave.slug, "step": n}),
                        {**{q.code: _a_valid_answer(q) for q in section.questions.filter(specify_for=None)},
                         "next": "1"})
        assert landed(r) == reverse("surveys:step", kwargs={"slug": wave.slug, "step": n + 1})
    before = Answer.objects.count()
    with translation.override("en"):
        r = client.post(reverse("surveys:step", kwargs={"slug": wave.slug, "step": step}),
                        {"priority_activities": ["1", "2", "3", "4"], "next": "1"})
    assert r.status_code == 422
    assert "Choose at most 3 options (4 chosen)." in r.content.decode()
    assert Answer.objects.count() == before


def _a_valid_answer(question):
    first = question.scale.options.order_by("order").first().code if question.scale_id else None
    return {"text": "x", "long_text": "x", "number": str(int(question.min_value or 1)), "single": str(first),
            "scale": str(first), "multiple": [str(first)], "yes_no": "1", "date": "2026-01-01"}[question.type]


@pytest.mark.parametrize("type_, minimum, maximum, field, message", [
    ("text", None, 3, "max_value", "Only number and multiple-choice questions take a minimum or maximum."),
    ("multiple", None, 2.5, "max_value", "The number of options chosen: a whole number of at least 1."),
    ("multiple", None, 0, "max_value", "The number of options chosen: a whole number of at least 1."),
    ("multiple", -1, None, "min_value", "The number of options chosen: a whole number of at least 0."),
    ("multiple", 3, 2, "max_value", "The maximum (2) is below the minimum (3)."),
    ("number", 10, 1.5, "max_value", "The maximum (1.5) is below the minimum (10)."),
])
def test_bounds_that_cannot_hold_are_refused_by_the_model(type_, minimum, maximum, field, message):
    question = Question(code="q", type=type_, min_value=minimum, max_value=maximum)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        question.bounds_check()
    assert exc.value.message_dict == {field: [message]}


def test_the_json_loader_refuses_a_bound_on_a_text_question_and_stores_nothing(db):
    definition = json.loads((FIXTURES / "cluster-managers.json").read_text(encoding="utf-8"))
    bad = copy.deepcopy(definition)
    bad["code"] = "bounded-text"
    for section in bad["sections"]:
        for q in section["questions"]:
            if q["type"] == "text":
                q["max"] = 3
                code = q["code"]
                break
        else:
            continue
        break
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        instrument_import(data=bad)
    assert exc.value.messages == [f"{code}: Only number and multiple-choice questions take a minimum or maximum."]
    assert not Instrument.objects.filter(code="bounded-text").exists()


def test_xlsform_count_selected_reads_as_the_limits_and_is_written_back(db, tmp_path):
    choices = [["list_name", "name", EN, RU], ["act", "a", "A", "А"], ["act", "b", "B", "Б"], ["act", "c", "C", "В"]]
    data = workbook([SURVEY_HEADER, ["select_multiple act", "acts", "Acts", "Дела", "yes", None,
                                     "count-selected(.) >= 1 and count-selected(.) <= 2"]], choices)
    instrument = xlsform_import(source=data, code="acts").instrument
    question = instrument.questions.get(code="acts")
    assert (question.min_choices, question.max_choices) == (1, 2)
    out = xlsform_workbook(instrument)
    path = tmp_path / "acts.xlsx"
    path.write_bytes(out)
    assert 'constraint="count-selected(.) &gt;= 1 and count-selected(.) &lt;= 2"' in convert(xlsform=str(path)).xform
    again = xlsform_import(source=out, code="acts-again").instrument.questions.get(code="acts")
    assert (again.min_value, again.max_value) == (1, 2)


@pytest.mark.parametrize("type_, constraint", [
    ("select_one act", "count-selected(.) <= 2"),  # one choice: nothing to count
    ("select_multiple act", ". <= 2"),
    ("select_multiple act", "count-selected(.) <= 1.5"),
])
def test_xlsform_choice_counts_where_they_mean_nothing_are_refused(db, type_, constraint):
    choices = [["list_name", "name", EN, RU], ["act", "a", "A", "А"], ["act", "b", "B", "Б"]]
    data = workbook([SURVEY_HEADER, [type_, "acts", "Acts", "Дела", "yes", None, constraint]], choices)
    with pytest.raises(XLSFormError) as exc:
        xlsform_import(source=data, code="acts")
    assert "sheet “survey”, row 2, column G" in "\n".join(exc.value.problems)
    assert not Instrument.objects.filter(code="acts").exists()
