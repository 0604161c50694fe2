"""Questionnaire logic (issue 14): every operator and their combinations on the server, hidden
questions never required and never stored, skipped pages, and conditions refused at load time."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from surveys.instruments import instrument_import
from surveys.logic import conditions_check, evaluate, referenced, visibility
from surveys.models import Answer, Question, Response, Wave

from ..helpers import landed

ANSWERS = {"member": 1, "size": 250, "picks": [2, 99], "note": "text", "empty": None, "none_list": [],
           "blank": "", "ratio": 0.5}


@pytest.mark.parametrize("condition, expected", [
    ({"q": "member", "op": "eq", "value": 1}, True),
    ({"q": "member", "op": "eq", "value": 1.0}, True),  # numbers by value
    ({"q": "member", "op": "eq", "value": "1"}, False),  # a text is not a number
    ({"q": "member", "op": "eq", "value": True}, False),  # nor a boolean
    ({"q": "member", "op": "ne", "value": 2}, True),
    ({"q": "member", "op": "ne", "value": 1}, False),
    ({"q": "empty", "op": "ne", "value": 1}, True),  # unanswered is "not equal"
    ({"q": "absent", "op": "ne", "value": 1}, True),
    ({"q": "empty", "op": "eq", "value": None}, False),  # ... and equal to nothing
    ({"q": "member", "op": "in", "value": [2, 1]}, True),
    ({"q": "member", "op": "in", "value": [2, 3]}, False),
    ({"q": "empty", "op": "in", "value": [1]}, False),
    ({"q": "picks", "op": "selected", "value": 99}, True),
    ({"q": "picks", "op": "selected", "value": 3}, False),
    ({"q": "member", "op": "selected", "value": 1}, False),  # not a list
    ({"q": "none_list", "op": "selected", "value": 1}, False),
    ({"q": "note", "op": "answered"}, True),
    ({"q": "blank", "op": "answered"}, False),
    ({"q": "none_list", "op": "answered"}, False),
    ({"q": "size", "op": "gt", "value": 249}, True),
    ({"q": "size", "op": "gt", "value": 250}, False),
    ({"q": "size", "op": "ge", "value": 250}, True),
    ({"q": "size", "op": "lt", "value": 250.5}, True),
    ({"q": "size", "op": "le", "value": 249}, False),
    ({"q": "ratio", "op": "le", "value": 0.5}, True),
    ({"q": "note", "op": "gt", "value": 1}, False),  # a text compares with no number
    ({"q": "empty", "op": "lt", "value": 1}, False),
    ({"all": [{"q": "member", "op": "eq", "value": 1}, {"q": "size", "op": "gt", "value": 100}]}, True),
    ({"all": [{"q": "member", "op": "eq", "value": 1}, {"q": "size", "op": "gt", "value": 300}]}, False),
    ({"any": [{"q": "member", "op": "eq", "value": 2}, {"q": "size", "op": "gt", "value": 300}]}, False),
    ({"any": [{"q": "member", "op": "eq", "value": 2}, {"q": "picks", "op": "selected", "value": 2}]}, True),
    ({"not": {"q": "member", "op": "eq", "value": 1}}, False),
    ({"not": {"any": [{"q": "blank", "op": "answered"}, {"all": [{"q": "member", "op": "eq", "value": 1},
                                                             {"not": {"q": "size", "op": "lt", "value": 10}}]}]}},
     False),
    (None, True), ({}, True),
])
def test_every_operator_and_combination(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


def test_referenced_codes():
    assert referenced({"all": [{"q": "a", "op": "answered"}, {"not": {"any": [{"q": "b", "op": "eq", "value": 1}]}}]}) \
        == {"a", "b"}


def test_a_hidden_question_counts_as_unanswered_after_it():
    sections = [("s1", None, [("a", None), ("b", {"q": "a", "op": "eq", "value": 1}),
                              ("c", {"q": "b", "op": "answered"})]),
                ("s2", {"q": "c", "op": "answered"}, [("d", None)])]
    shown, pages = visibility(sections, {"a": 2, "b": "stale", "c": "stale"})
    assert shown == {"a": True, "b": False, "c": False, "d": False} and pages == {"s1": True, "s2": False}
    shown, pages = visibility(sections, {"a": 1, "b": "x", "c": "y"})
    assert all(shown.values()) and all(pages.values())


@pytest.mark.parametrize("condition, message", [
    ({"q": "later", "op": "answered"}, "“later” is not a question before it"),
    ({"q": "itself", "op": "answered"}, "“itself” is not a question before it"),
    ({"q": "first", "op": "like", "value": 1}, "unknown operator “like”"),
    ({"q": "first", "op": "eq"}, "“eq” needs a value"),
    ({"q": "first", "op": "answered", "value": 1}, "“answered” takes no value"),
    ({"q": "first", "op": "in", "value": 1}, "“in” needs a list of values"),
    ({"q": "first", "op": "gt", "value": "ten"}, "“gt” compares with a number"),
    ({"q": "first", "op": "selected", "value": 1}, "“selected” applies to a multiple-choice question"),
    ({"q": "first", "op": "eq", "value": [1]}, "“eq” compares with one value"),
    ({"all": []}, "“all” needs a list of conditions"),
    ({"all": [{"q": "first", "op": "answered"}], "q": "x"}, "stand alone"),
    ({"op": "eq", "value": 1}, "it needs “q”"),
    ("first = 1", "a condition is an object"),
])
def test_invalid_conditions_are_refused_naming_the_question(condition, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        conditions_check([("Page", None, [("first", "single", None), ("itself", "text", condition),
                                          ("later", "text", None)])])
    text = caught.value.messages[0]
    assert "The condition of question “itself” is not valid" in text and message in text


def _instrument(db, **extra):
    data = {
        "code": "logic-test", "title": {"en": "Logic", "ru": "Логика"},
        "scales": [{"code": "yn", "options": [{"code": 1, "label": {"en": "Yes", "ru": "Да"}},
                                              {"code": 2, "label": {"en": "No", "ru": "Нет"}}]}],
        "sections": [
            {"code": "p1", "title": {"en": "One", "ru": "Один"}, "questions": [
                {"code": "member", "type": "single", "scale": "yn", "text": {"en": "Member?", "ru": "Член?"}},
                {"code": "which", "type": "text", "condition": {"q": "member", "op": "eq", "value": 1},
                 "text": {"en": "Which?", "ru": "Какой?"}}]},
            {"code": "p2", "title": {"en": "Two", "ru": "Два"}, "condition": {"q": "member", "op": "eq", "value": 2},
             "questions": [{"code": "why_not", "type": "long_text", "text": {"en": "Why not?", "ru": "Почему?"}}]},
            {"code": "p3", "title": {"en": "Three", "ru": "Три"}, "questions": [
                {"code": "last", "type": "text", "required": False, "text": {"en": "Last", "ru": "Посл."}}]},
        ],
        **extra,
    }
    return instrument_import(data=data)


def test_an_invalid_condition_is_refused_at_load_time_and_nothing_is_loaded(db):
    data_error = {"sections": []}
    with pytest.raises(ValidationError, match="“member” is not a question before it"):
        instrument_import(data={
            "code": "bad-logic", "title": {"en": "B", "ru": "Б"},
            "sections": [{"code": "s", "title": {"en": "S", "ru": "С"}, "questions": [
                {"code": "early", "type": "text", "condition": {"q": "member", "op": "answered"},
                 "text": {"en": "E", "ru": "Е"}},
                {"code": "member", "type": "text", "text": {"en": "M", "ru": "М"}}]}]})
    assert not Question.objects.filter(instrument__code="bad-logic").exists() and data_error


def test_the_admin_form_refuses_a_condition_on_a_later_question(db):
    instrument = _instrument(db)
    question = Question.objects.get(instrument=instrument, code="which")
    question.condition = {"q": "last", "op": "answered"}
    with pytest.raises(ValidationError) as caught:
        question.full_clean()
    assert "“last” is not a question before it" in caught.value.message_dict["condition"][0]


@pytest.fixture
def logic_wave(db):
    instrument = _instrument(db)
    return Wave.objects.create(instrument=instrument, title="Logic", slug="logic", status=Wave.Status.OPEN,
                               opens_at=timezone.now() - dt.timedelta(days=1))


def _start(client, wave) -> Response:
    client.get(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    return Response.objects.latest("started_at")


def _step(wave, n):
    return reverse("surveys:step", kwargs={"slug": wave.slug, "step": n})


def _stored(response):
    return dict(Answer.objects.filter(response=response).values_list("question__code", "value"))


def test_a_shown_conditional_question_is_required_and_a_hidden_one_is_not(client, logic_wave):
    response = _start(client, logic_wave)
    r = client.post(_step(logic_wave, 1), {"member": "1", "next": "1"})
    assert r.status_code == 422 and "which" in r.context["form"].errors  # shown, so required
    r = client.post(_step(logic_wave, 1), {"member": "2", "next": "1"})
    assert landed(r) == _step(logic_wave, 2)
    assert _stored(response) == {"member": 2}


def test_a_tampered_post_answering_a_hidden_question_stores_nothing_for_it(client, logic_wave):
    response = _start(client, logic_wave)
    r = client.post(_step(logic_wave, 1), {"member": "2", "which": "sneaked in", "next": "1"})
    assert landed(r) == _step(logic_wave, 2) and _stored(response) == {"member": 2}


def test_a_page_whose_questions_are_all_hidden_is_skipped_and_progress_follows(client, logic_wave):
    response = _start(client, logic_wave)
    page = client.get(_step(logic_wave, 1))
    assert page.context["total"] == 2  # page 2 is hidden while "member" is unanswered
    r = client.post(_step(logic_wave, 1), {"member": "1", "which": "Aero", "next": "1"})
    assert landed(r) == _step(logic_wave, 3)  # "why not" is for non-members
    assert client.get(_step(logic_wave, 2))["Location"] == _step(logic_wave, 3)
    page = client.get(_step(logic_wave, 3))
    assert (page.context["step"], page.context["total"]) == (2, 2)
    r = client.post(_step(logic_wave, 3), {"last": "", "next": "1"})
    assert landed(r) == reverse("surveys:review", kwargs={"slug": logic_wave.slug})
    review = client.get(reverse("surveys:review", kwargs={"slug": logic_wave.slug}))
    shown = [item["question"].code for row in review.context["rows"] for item in row["items"]]
    assert shown == ["member", "which", "last"]
    assert landed(client.post(reverse("surveys:review", kwargs={"slug": logic_wave.slug}))) == reverse(
        "surveys:thanks", kwargs={"slug": logic_wave.slug})
    response.refresh_from_db()
    assert response.is_completed and _stored(response) == {"member": 1, "which": "Aero"}


def test_an_answer_that_hides_a_later_question_clears_its_stored_answer(client, logic_wave):
    response = _start(client, logic_wave)
    client.post(_step(logic_wave, 1), {"member": "2", "next": "1"})
    client.post(_step(logic_wave, 2), {"why_not": "Too costly", "next": "1"})
    assert _stored(response) == {"member": 2, "why_not": "Too costly"}
    r = client.post(_step(logic_wave, 1), {"member": "1", "which": "Aero", "next": "1"})
    assert landed(r) == _step(logic_wave, 3)
    assert _stored(response) == {"member": 1, "which": "Aero"}  # "why not" is hidden now: cleared


def test_going_back_skips_hidden_pages(client, logic_wave):
    _start(client, logic_wave)
    client.post(_step(logic_wave, 1), {"member": "1", "which": "Aero", "next": "1"})
    r = client.post(_step(logic_wave, 3), {"back": "1"})
    assert landed(r) == _step(logic_wave, 1)


def test_the_page_carries_the_conditions_for_the_browser(client, logic_wave):
    _start(client, logic_wave)
    html = client.get(_step(logic_wave, 1)).content.decode()
    assert 'data-condition="{&quot;q&quot;:&quot;member&quot;,&quot;op&quot;:&quot;eq&quot;,&quot;value&quot;:1}"' in html
    assert 'id="logic-answers"' in html and "js/logic.js" in html
    which = html[html.index('data-code="which"') - 200:html.index('data-code="which"') + 200]
    assert "hidden" in which  # hidden until "member" is Yes: without JavaScript it shows on the next load


def test_seed_instruments_use_logic(instruments):
    conditions = dict(Question.objects.exclude(condition=None).values_list("code", "condition"))
    assert conditions["cluster_name"] == {"q": "cluster_member", "op": "eq", "value": 1}
    assert conditions["expected_funding"] == {"q": "sustainable_without_project_funds", "op": "ne", "value": 1}
    assert conditions["international_via_members"] == {"q": "international", "op": "eq", "value": 1}


# --- "Other, please specify" -------------------------------------------------------------------------

def test_an_option_that_asks_to_specify_gets_its_text_question_right_after(instruments):
    barriers = Question.objects.get(instrument=instruments["social-capital"], code="barriers")
    [other] = barriers.specify_questions.all()
    assert other.code == "barriers__other" and other.type == "text" and other.required
    assert other.section_id == barriers.section_id and other.order == barriers.order + 1
    assert other.condition == {"q": "barriers", "op": "selected", "value": 99}
    assert other.text_en == "Please specify the other barrier:" and other.text_ru == "Уточните, какое препятствие:"
    assert barriers.scale.options.get(code=99).specify


@pytest.fixture
def social_wave(instruments):
    return Wave.objects.create(instrument=instruments["social-capital"], title="SC", slug="sc-logic",
                               status=Wave.Status.OPEN, opens_at=timezone.now() - dt.timedelta(days=1))


def _to_last_page(client, wave, answers):
    _start(client, wave)
    for n in (1, 2):
        assert landed(client.post(_step(wave, n), {**answers[n], "next": "1"})) == _step(wave, n + 1)


def test_choosing_other_asks_to_specify_and_stores_the_text(client, social_wave, answers):
    _to_last_page(client, social_wave, answers)
    response = Response.objects.get(wave=social_wave)
    r = client.post(_step(social_wave, 3), {"readiness": "3", "barriers": ["1", "99"], "next": "1"})
    assert r.status_code == 422 and "barriers__other" in r.context["form"].errors
    r = client.post(_step(social_wave, 3), {"readiness": "3", "barriers": ["1", "99"],
                                           "barriers__other": "No broadband", "next": "1"})
    assert landed(r) == reverse("surveys:review", kwargs={"slug": social_wave.slug})
    assert _stored(response)["barriers__other"] == "No broadband"
    # dropping "Other" drops its text
    client.post(_step(social_wave, 3), {"readiness": "3", "barriers": ["1"], "barriers__other": "kept?", "next": "1"})
    assert "barriers__other" not in _stored(response)


def test_the_specified_text_is_its_own_variable_in_the_exports(client, social_wave, answers):
    import csv
    import io

    from analysis import exports

    _to_last_page(client, social_wave, answers)
    client.post(_step(social_wave, 3), {"readiness": "3", "barriers": ["99"], "barriers__other": "Taxes", "next": "1"})
    client.post(reverse("surveys:review", kwargs={"slug": social_wave.slug}))
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_rows(social_wave)))))
    assert rows[0]["barriers__99"] == "1" and rows[0]["barriers__other"] == "Taxes"
    codebook = exports.codebook(social_wave).set_index("variable")
    assert codebook.loc["barriers__other", "free_text"] == "yes"


def test_switching_language_mid_page_keeps_the_page_s_answers(client, social_wave):
    """The header's language buttons submit the questionnaire page: its answers are stored first."""
    _start(client, social_wave)
    page = client.get(_step(social_wave, 1)).content.decode()
    assert 'name="switch_language" form="step-form"' in page
    r = client.post(_step(social_wave, 1), {"region": "2", "size": "3", "switch_language": "ru"})
    assert r.status_code == 302 and r["Location"] == _step(social_wave, 1)
    assert r.cookies["django_language"].value == "ru"
    response = Response.objects.get(wave=social_wave)
    assert _stored(response) == {"region": 2, "size": 3}  # kept, though the page is incomplete
    page = client.get(_step(social_wave, 1)).content.decode()
    assert '<html lang="ru">' in page
    checked = [tag for tag in re.findall(r'<input[^>]*name="region"[^>]*>', page) if " checked" in tag]
    assert len(checked) == 1 and 'value="2"' in checked[0]
    assert client.post(_step(social_wave, 1), {"switch_language": "xx"})["Location"] == _step(social_wave, 1)


def test_a_refused_page_lists_each_error_with_a_link_to_its_field(client, social_wave):
    _start(client, social_wave)
    r = client.post(_step(social_wave, 1), {"region": "2", "next": "1"})
    html = r.content.decode()
    assert r.status_code == 422
    summary = html[html.index('id="error-summary"'):html.index("</ul>", html.index('id="error-summary"'))]
    assert 'tabindex="-1"' in html[html.index('id="error-summary"') - 120:html.index('id="error-summary"')]
    for code in ("sector", "size", "ownership", "position", "cluster_member"):
        assert f'href="#div_id_{code}"' in summary and f'id="div_id_{code}"' in html
    assert 'href="#div_id_region"' not in summary and "js/form-errors.js" in html


def test_the_resume_link_has_a_copy_button(client, social_wave):
    _start(client, social_wave)
    r = client.post(_step(social_wave, 1), {"region": "2", "save_exit": "1"})
    html = client.get(landed(r)).content.decode()
    assert 'data-copy="resume-link"' in html and 'id="resume-link"' in html and "js/copy-link.js" in html
