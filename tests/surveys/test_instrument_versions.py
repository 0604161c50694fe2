"""Instruments change only as versions: an answered version keeps its structure, a new version copies
it with every code kept, the next wave uses it, and a question reaches a running wave only through
the explicit action that says what happens to the responses already in."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys import selectors, services
from surveys.instruments import instrument_import
from surveys.models import (Answer, Block, Instrument, Option, Question, QuestionAddition, Response, Scale, Section,
                            Wave)

from ..helpers import fill_response

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


@pytest.fixture
def answered(open_wave, answers) -> Instrument:
    """The social-capital instrument with one completed response in its open wave."""
    fill_response(open_wave, answers)
    return open_wave.instrument


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def structure(instrument: Instrument) -> dict:
    """Everything a version holds, without primary keys."""
    return {
        "instrument": (instrument.code, instrument.kind, instrument.title_en, instrument.title_ru,
                       instrument.description_en, instrument.description_ru),
        "blocks": sorted(Block.objects.filter(instrument=instrument).values_list("code", "order", "label_en",
                                                                                "label_ru")),
        "scales": sorted(Scale.objects.filter(instrument=instrument).values_list("code", "ordered", "label_en",
                                                                                "label_ru")),
        "options": sorted(Option.objects.filter(scale__instrument=instrument).values_list(
            "scale__code", "code", "order", "label_en", "label_ru", "missing")),
        "sections": sorted(Section.objects.filter(instrument=instrument).values_list(
            "code", "order", "title_en", "title_ru", "intro_en", "intro_ru")),
        "questions": sorted(Question.objects.filter(instrument=instrument).values_list(
            "code", "section__code", "type", "required", "order", "text_en", "text_ru", "label_en", "label_ru",
            "help_en", "help_ru", "scale__code", "group", "role", "min_value", "max_value", "max_length")),
    }


# --- a new version ------------------------------------------------------------------------------

def test_new_version_copies_everything_with_codes_kept(answered):
    new = services.instrument_version_create(instrument=answered)
    assert (new.code, new.version, new.status, new.previous_id) == (answered.code, 2, Instrument.Status.DRAFT,
                                                                    answered.pk)
    assert structure(new) == structure(answered)
    assert Question.objects.filter(instrument=new).count() == Question.objects.filter(instrument=answered).count() > 0
    # the copy's rows point at the copy only
    assert not Question.objects.filter(instrument=new).exclude(section__instrument=new).exists()
    assert not Question.objects.filter(instrument=new, scale__isnull=False).exclude(scale__instrument=new).exists()
    assert Option.objects.filter(scale__instrument=new, missing=True).count() == \
        Option.objects.filter(scale__instrument=answered, missing=True).count() > 0


def test_a_second_draft_of_the_same_instrument_is_refused(answered):
    services.instrument_version_create(instrument=answered)
    with pytest.raises(ValidationError) as exc:
        services.instrument_version_create(instrument=answered)
    assert exc.value.code == "draft_exists"


def test_a_draft_no_wave_uses_can_be_deleted(answered, admin_client):
    new = services.instrument_version_create(instrument=answered)
    with pytest.raises(ValidationError):
        services.instrument_draft_delete(instrument=answered)
    r = admin_client.post(reverse("admin:surveys_instrument_changelist"),
                          {"action": "delete_drafts", "_selected_action": [new.pk, answered.pk]}, follow=True)
    assert r.status_code == 200 and "Only a draft version can be deleted." in r.content.decode()
    assert list(Instrument.objects.filter(code=answered.code)) == [answered]
    assert not Question.objects.filter(instrument_id=new.pk).exists()


def test_the_draft_can_be_edited_and_the_next_wave_uses_it(answered, open_wave):
    new = services.instrument_version_create(instrument=answered)
    section = Section.objects.get(instrument=new, code="readiness")
    services.question_create(instrument=new, section=section, code="support", type=Question.Type.TEXT,
                             text_en="What support would help?", text_ru="Какая поддержка помогла бы?",
                             required=False)
    services.structure_row_delete(row=Question.objects.get(instrument=new, code="comment"))
    next_wave = Wave.objects.create(instrument=new, title="Second wave", slug="second-wave")
    services.wave_open(wave=next_wave)
    new.refresh_from_db()
    answered.refresh_from_db()
    assert new.status == Instrument.Status.PUBLISHED and answered.status == Instrument.Status.RETIRED
    assert selectors.instrument_latest_get(code="social-capital") == new
    codes = {q.code for q in selectors.wave_structure(wave=next_wave).all_questions}
    assert "support" in codes and "comment" not in codes
    # the running wave keeps its own version, unchanged
    old_codes = {q.code for q in selectors.wave_structure(wave=open_wave).all_questions}
    assert "comment" in old_codes and "support" not in old_codes
    # a retired version is not offered to a new wave
    with pytest.raises(ValidationError) as exc:
        Wave(instrument=answered, title="Third", slug="third").full_clean()
    assert exc.value.error_dict["instrument"][0].code == "instrument_retired"


def test_waves_record_their_instrument_version(answered, open_wave, admin_client):
    new = services.instrument_version_create(instrument=answered)
    Wave.objects.create(instrument=new, title="Second wave", slug="second-wave")
    html = admin_client.get(reverse("admin:surveys_wave_changelist")).content.decode()
    assert '<td class="field-instrument_version">2</td>' in html
    assert '<td class="field-instrument_version">1</td>' in html


# --- an answered version is not edited in place ----------------------------------------------------

def test_the_services_refuse_to_edit_an_answered_instrument(answered):
    section = Section.objects.get(instrument=answered, code="readiness")
    with pytest.raises(ValidationError) as exc:
        services.question_create(instrument=answered, section=section, code="new_q", type=Question.Type.TEXT,
                                 text_en="New", text_ru="Новый")
    assert exc.value.code == "instrument_answered" and "new version" in exc.value.messages[0]
    question = Question.objects.get(instrument=answered, code="comment")
    for change in ({"type": Question.Type.TEXT}, {"required": True}, {"section": section.pk}):
        question = Question.objects.get(pk=question.pk)
        with pytest.raises(ValidationError) as exc:
            if "section" in change:
                question.section = Section.objects.get(instrument=answered, code="profile")
                services.question_update(question=question)
            else:
                services.question_update(question=question, **change)
        assert "instrument_answered" in codes(exc.value)
    with pytest.raises(ValidationError):
        services.structure_row_delete(row=Question.objects.get(instrument=answered, code="comment"))
    with pytest.raises(ValidationError):
        services.structure_row_delete(row=Option.objects.filter(scale__instrument=answered).first())
    with pytest.raises(ValidationError):
        Option(scale=Scale.objects.get(instrument=answered, code="level4"), code=9, label_en="x",
               label_ru="х").full_clean()
    with pytest.raises(ValidationError):
        Section(instrument=answered, code="more", order=9, title_en="More", title_ru="Ещё").full_clean()
    with pytest.raises(ValidationError):
        Block(instrument=answered, code="more", label_en="More", label_ru="Ещё").full_clean()
    with pytest.raises(ValidationError):
        services.instrument_edit_check(instrument=answered)
    assert Question.objects.filter(instrument=answered, code="comment", type=Question.Type.LONG_TEXT,
                                   required=False, section__code="readiness").exists()
    services.question_update(question=Question.objects.get(pk=question.pk), text_en="Reworded")  # wording may change


def _question_form_data(admin_client, url, **changes):
    form = admin_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_admin_refuses_to_add_a_question_to_an_answered_instrument(answered, admin_client):
    before = Question.objects.count()
    section = Section.objects.get(instrument=answered, code="readiness")
    r = admin_client.post(reverse("admin:surveys_question_add"), {
        "instrument": answered.pk, "section": section.pk, "code": "new_q", "type": "text", "required": "on",
        "order": "9", "text_en": "New", "text_ru": "Новый", "role": ""})
    assert r.status_code == 200
    html = r.content.decode()
    assert "cannot be changed" in html and "Create a new version" in html
    assert Question.objects.count() == before


def test_admin_refuses_to_change_what_respondents_are_asked(answered, admin_client):
    question = Question.objects.get(instrument=answered, code="comment")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    data = _question_form_data(admin_client, url, type="text", scale="")
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "Create a new version" in r.content.decode()
    assert Question.objects.get(pk=question.pk).type == Question.Type.LONG_TEXT


def test_admin_refuses_to_delete_a_question_of_an_answered_instrument(answered, admin_client):
    question = Question.objects.get(instrument=answered, code="comment")
    r = admin_client.post(reverse("admin:surveys_question_delete", args=[question.pk]), {"post": "yes"}, follow=True)
    assert r.status_code == 200 and "Create a new version" in r.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
    r = admin_client.post(reverse("admin:surveys_question_changelist"),
                          {"action": "delete_selected", "_selected_action": [question.pk], "post": "yes"})
    assert Question.objects.filter(pk=question.pk).exists()


def test_admin_refuses_to_add_an_option_to_an_answered_scale(answered, admin_client):
    scale = Scale.objects.get(instrument=answered, code="level4")
    url = reverse("admin:surveys_scale_change", args=[scale.pk])
    options = list(scale.options.order_by("order", "code"))
    data = {"instrument": answered.pk, "code": scale.code, "ordered": "on", "label_en": scale.label_en,
            "label_ru": scale.label_ru, "options-TOTAL_FORMS": str(len(options) + 1),
            "options-INITIAL_FORMS": str(len(options)), "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000"}
    for i, o in enumerate(options):
        data.update({f"options-{i}-id": o.pk, f"options-{i}-scale": scale.pk, f"options-{i}-code": o.code,
                     f"options-{i}-order": o.order, f"options-{i}-label_en": o.label_en,
                     f"options-{i}-label_ru": o.label_ru})
    n = len(options)
    data.update({f"options-{n}-scale": scale.pk, f"options-{n}-code": "7", f"options-{n}-order": "9",
                 f"options-{n}-label_en": "Extreme", f"options-{n}-label_ru": "Крайний"})
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "Create a new version" in r.content.decode()
    assert scale.options.count() == n
    data.pop(f"options-{n}-code")
    data.update({"options-TOTAL_FORMS": str(n), f"options-0-DELETE": "on"})
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "Create a new version" in r.content.decode()
    assert scale.options.count() == n


def test_admin_new_version_action_creates_an_editable_draft(answered, admin_client):
    r = admin_client.post(reverse("admin:surveys_instrument_changelist"),
                          {"action": "create_new_version", "_selected_action": [answered.pk]}, follow=True)
    new = Instrument.objects.get(code=answered.code, version=2)
    assert r.status_code == 200 and "version 2 created as a draft" in r.content.decode()
    form = admin_client.get(reverse("admin:surveys_instrument_change", args=[new.pk])).context["adminform"].form
    assert "code" not in form.fields  # the draft keeps the code of its versions
    section = Section.objects.get(instrument=new, code="readiness")
    r = admin_client.post(reverse("admin:surveys_question_add"), {
        "instrument": new.pk, "section": section.pk, "code": "new_q", "type": "text", "required": "on",
        "order": "9", "text_en": "New", "text_ru": "Новый", "role": ""})
    assert r.status_code == 302 and Question.objects.filter(instrument=new, code="new_q").exists()
    assert not Question.objects.filter(instrument=answered, code="new_q").exists()


# --- the loader ------------------------------------------------------------------------------------

def _definition() -> dict:
    path = Path(settings.BASE_DIR) / "fixtures" / "instruments" / "social-capital.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_loading_an_unchanged_file_into_an_answered_instrument_makes_no_version(answered):
    data = _definition()
    data["sections"][0]["title"]["en"] = "Reworded title"
    assert instrument_import(data=data) == answered
    assert Instrument.objects.filter(code="social-capital").count() == 1
    assert Section.objects.get(instrument=answered, order=0).title_en == "Reworded title"


def test_loading_a_file_that_adds_a_question_to_an_answered_instrument_makes_a_new_version(answered, open_wave):
    data = copy.deepcopy(_definition())
    data["sections"][-1]["questions"].append({"code": "support", "type": "text", "required": False,
                                              "text": {"en": "Support?", "ru": "Поддержка?"}})
    new = instrument_import(data=data)
    assert (new.version, new.status, new.previous_id) == (2, Instrument.Status.PUBLISHED, answered.pk)
    assert Question.objects.filter(instrument=new, code="support").exists()
    assert not Question.objects.filter(instrument=answered, code="support").exists()
    open_wave.refresh_from_db()
    assert open_wave.instrument_id == answered.pk  # the running wave keeps the version it was opened with


# --- a question added to a running wave: only through the explicit action ------------------------

def test_adding_a_question_to_a_running_wave_needs_the_confirmation(answered, open_wave):
    section = Section.objects.get(instrument=answered, code="readiness")
    with pytest.raises(ValidationError) as exc:
        services.wave_question_add(wave=open_wave, section=section, code="support", type=Question.Type.TEXT,
                                   text_en="Support?", text_ru="Поддержка?")
    assert exc.value.code == "not_confirmed"
    assert not Question.objects.filter(code="support").exists()


def test_adding_a_question_to_a_running_wave_is_recorded(answered, open_wave, answers):
    in_progress, _structure = fill_response(open_wave, answers, submit=False)
    section = Section.objects.get(instrument=answered, code="readiness")
    added = services.wave_question_add(wave=open_wave, section=section, code="support", type=Question.Type.TEXT,
                                       text_en="Support?", text_ru="Поддержка?", confirmed=True)
    assert added.question.required is False
    record = QuestionAddition.objects.get(question=added.question)
    assert (record.wave, record.responses_before, record.completed_before) == (open_wave, 2, 1)
    assert set(record.not_asked()) == set(Response.objects.all())
    assert in_progress in record.not_asked()
    later, _structure = fill_response(open_wave, answers)  # a later respondent is asked
    assert later not in record.not_asked()


def test_adding_a_question_to_a_wave_that_is_not_running_is_refused(answered, open_wave):
    services.wave_close(wave=open_wave)
    section = Section.objects.get(instrument=answered, code="readiness")
    with pytest.raises(ValidationError) as exc:
        services.wave_question_add(wave=open_wave, section=section, code="support", type=Question.Type.TEXT,
                                   text_en="Support?", text_ru="Поддержка?", confirmed=True)
    assert exc.value.code == "not_running"


def test_admin_page_adds_a_question_to_a_running_wave_only_when_confirmed(answered, open_wave, admin_client):
    url = reverse("admin:surveys_wave_add_question", args=[open_wave.pk])
    page = admin_client.get(url).content.decode()
    assert "missing (not asked)" in page and "1 responses have been started" in page
    section = Section.objects.get(instrument=answered, code="readiness")
    data = {"section": section.pk, "code": "support", "type": "text", "text_en": "Support?",
            "text_ru": "Поддержка?"}
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "Confirm what happens" in r.content.decode()
    assert not Question.objects.filter(code="support").exists()
    r = admin_client.post(url, {**data, "confirm": "on"})
    assert r.status_code == 302
    question = Question.objects.get(instrument=answered, code="support")
    assert QuestionAddition.objects.filter(question=question, wave=open_wave).exists()
    r = admin_client.post(url, {**data, "confirm": "on"})  # the code is taken now: a message, no 500
    assert r.status_code == 200 and "already has a question" in r.content.decode()


def test_admin_add_question_page_says_what_is_wrong_with_bad_input(answered, open_wave, cluster_managers,
                                                                   admin_client):
    url = reverse("admin:surveys_wave_add_question", args=[open_wave.pk])
    section = Section.objects.get(instrument=answered, code="readiness")
    data = {"section": section.pk, "code": "support", "type": "single", "text_en": "Support?",
            "text_ru": "Поддержка?", "confirm": "on"}
    r = admin_client.post(url, data)  # a choice question without a scale
    assert r.status_code == 200 and "A choice question needs a scale." in r.content.decode()
    foreign = Section.objects.filter(instrument=cluster_managers).first()
    r = admin_client.post(url, {**data, "type": "text", "section": foreign.pk})  # not a section of this version
    assert r.status_code == 200 and "Select a valid choice" in r.content.decode()
    r = admin_client.post(url, {**data, "type": "text", "code": "not a code!"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert not Question.objects.filter(code="support").exists() and not QuestionAddition.objects.exists()


def test_admin_add_question_page_of_a_closed_wave_says_why_not(answered, open_wave, admin_client):
    services.wave_close(wave=open_wave)
    r = admin_client.get(reverse("admin:surveys_wave_add_question", args=[open_wave.pk]))
    assert r.status_code == 409 and "create a new version" in r.content.decode()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_admin_version_pages_load_in_both_languages(answered, open_wave, admin_client, lang):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    new = services.instrument_version_create(instrument=answered)
    for url in (reverse("admin:surveys_instrument_changelist"), reverse("admin:surveys_instrument_change",
                                                                        args=[new.pk]),
                reverse("admin:surveys_wave_add_question", args=[open_wave.pk]), reverse("admin:surveys_wave_add"),
                reverse("admin:surveys_questionaddition_changelist")):
        assert admin_client.get(url).status_code == 200, url


def test_a_member_of_admins_adds_a_question_and_reads_the_record(answered, open_wave, client, make_user):
    from surveys.roles import ADMINS

    client.force_login(make_user(ADMINS, is_staff=True))
    url = reverse("admin:surveys_wave_add_question", args=[open_wave.pk])
    section = Section.objects.get(instrument=answered, code="readiness")
    r = client.post(url, {"section": section.pk, "code": "support", "type": "text", "text_en": "Support?",
                          "text_ru": "Поддержка?", "confirm": "on"})
    assert r.status_code == 302
    page = client.get(reverse("admin:surveys_questionaddition_changelist"))
    assert page.status_code == 200 and "support" in page.content.decode()
    change = client.get(reverse("admin:surveys_instrument_change", args=[answered.pk])).content.decode()
    assert "blocks-TOTAL_FORMS" in change
