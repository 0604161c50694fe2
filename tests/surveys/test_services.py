"""Services and models: wave status, invitations, code immutability, idempotent and atomic submission."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from surveys import selectors, services
from surveys.forms import SectionForm
from surveys.models import Answer, Invitation, Option, Question, Response, Wave, hash_token
from ..helpers import fill_response

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status,opens,closes,accepting", [
    (Wave.Status.DRAFT, None, None, False),
    (Wave.Status.OPEN, None, None, True),
    (Wave.Status.OPEN, +1, None, False),
    (Wave.Status.OPEN, -2, -1, False),
    (Wave.Status.OPEN, -2, +1, True),
    (Wave.Status.CLOSED, -2, +1, False),
])
def test_wave_accepts_answers_only_when_open_and_within_dates(social_capital, status, opens, closes, accepting):
    now = timezone.now()
    wave = Wave(instrument=social_capital, status=status,
                opens_at=now + dt.timedelta(days=opens) if opens else None,
                closes_at=now + dt.timedelta(days=closes) if closes else None)
    assert wave.is_accepting(now) is accepting


def test_wave_open_and_close(social_capital):
    wave = Wave.objects.create(instrument=social_capital, title="t", slug="t")
    assert services.wave_open(wave=wave).status == Wave.Status.OPEN
    assert services.wave_close(wave=wave).status == Wave.Status.CLOSED
    wave.closes_at = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.wave_open(wave=wave)
    assert exc.value.code == "closes_in_past"


def test_wave_must_close_after_it_opens(social_capital):
    now = timezone.now()
    wave = Wave(instrument=social_capital, title="t", slug="t", opens_at=now, closes_at=now - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        wave.full_clean()
    assert "closes_at" in exc.value.message_dict


def test_invitations_store_only_a_hash(invitation_wave):
    issued = services.invitations_create(wave=invitation_wave, count=3, labels=["a", "b"])
    assert len(issued) == 3 and Invitation.objects.count() == 3
    tokens = {i.token for i in issued}
    assert len(tokens) == 3 and all(len(t) >= 43 for t in tokens)
    stored = set(Invitation.objects.values_list("token_hash", flat=True))
    assert stored == {hash_token(t) for t in tokens}
    assert not stored & tokens
    assert [i.invitation.label for i in issued] == ["a", "b", ""]


@pytest.mark.parametrize("count", [0, -1, 100_001])
def test_invitations_count_is_validated(invitation_wave, count):
    with pytest.raises(ValidationError):
        services.invitations_create(wave=invitation_wave, count=count)
    assert Invitation.objects.count() == 0


def test_an_invitation_yields_one_response(invitation_wave):
    invitation = services.invitations_create(wave=invitation_wave, count=1)[0].invitation
    first = services.response_start(wave=invitation_wave, invitation=invitation).response
    second = services.response_start(wave=invitation_wave, invitation=invitation).response
    assert first.pk == second.pk
    with pytest.raises(IntegrityError):
        Response.objects.create(wave=invitation_wave, invitation=invitation)


def test_submit_marks_invitation_used(invitation_wave, answers):
    invitation = services.invitations_create(wave=invitation_wave, count=1)[0].invitation
    fill_response(invitation_wave, answers, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.used_at is not None


def test_submit_is_idempotent(open_wave, answers):
    response, structure = fill_response(open_wave, answers, submit=False)
    first = services.response_submit(response=response, questions=structure.all_questions, language="ru")
    second = services.response_submit(response=response, questions=structure.all_questions, language="en")
    assert first.created is True and second.created is False
    assert Response.objects.filter(status=Response.Status.COMPLETED).count() == 1
    assert Response.objects.get().language == "ru"
    with pytest.raises(services.ResponseClosed):
        services.response_save_section(response=response, questions=structure.all_questions[:1],
                                       cleaned_data={"region": 1}, step=1)


def test_submit_refuses_missing_required_answers(open_wave, answers):
    structure = selectors.wave_structure(wave=open_wave)
    response = services.response_start(wave=open_wave).response
    with pytest.raises(ValidationError) as exc:
        services.response_submit(response=response, questions=structure.all_questions)
    assert exc.value.code == "missing"
    assert "sc1_contacts" in exc.value.messages[0]
    assert Response.objects.get().status == Response.Status.IN_PROGRESS


def test_submit_refused_after_the_wave_closes(open_wave, answers):
    response, structure = fill_response(open_wave, answers, submit=False)
    services.wave_close(wave=open_wave)
    response.wave.refresh_from_db()
    with pytest.raises(services.ResponseClosed):
        services.response_submit(response=response, questions=structure.all_questions)
    assert Response.objects.get().status == Response.Status.IN_PROGRESS


def test_a_failure_half_way_through_saving_stores_nothing(open_wave, answers):
    structure = selectors.wave_structure(wave=open_wave)
    response = services.response_start(wave=open_wave).response
    questions = structure.questions[structure.sections[1].pk]
    form = SectionForm(answers[2], questions=questions, options=structure.options)
    assert form.is_valid()
    with mock.patch.object(Answer.objects, "filter", side_effect=RuntimeError("disk full")):
        cleaned = {**form.answers(), "sc4_culture": None}  # forces the delete step after the upsert
        with pytest.raises(RuntimeError):
            services.response_save_section(response=response, questions=questions, cleaned_data=cleaned, step=2)
    assert Answer.objects.count() == 0
    assert Response.objects.get().current_step == 0


def test_a_failure_half_way_through_submitting_completes_nothing(invitation_wave, answers):
    invitation = services.invitations_create(wave=invitation_wave, count=1)[0].invitation
    response, structure = fill_response(invitation_wave, answers, submit=False, invitation=invitation)
    with mock.patch.object(Invitation.objects, "filter", side_effect=RuntimeError("connection lost")):
        with pytest.raises(RuntimeError):
            services.response_submit(response=response, questions=structure.all_questions)
    assert Response.objects.get().status == Response.Status.IN_PROGRESS
    assert Invitation.objects.get().used_at is None


def test_question_code_is_locked_once_answered(open_wave, answers):
    fill_response(open_wave, answers)
    question = Question.objects.get(instrument=open_wave.instrument, code="sc1_contacts")
    with pytest.raises(ValidationError) as exc:
        services.question_update(question=question, code="sc1_renamed")
    assert exc.value.error_dict["code"][0].code == "code_locked"
    assert Question.objects.filter(code="sc1_contacts").exists()
    services.question_update(question=Question.objects.get(pk=question.pk), text_en="Reworded")  # texts may change


def test_question_code_may_change_before_any_answer(social_capital):
    question = Question.objects.get(instrument=social_capital, code="comment")
    services.question_update(question=question, code="remarks")
    assert Question.objects.filter(code="remarks").exists()


def test_option_code_is_locked_once_used(open_wave, answers):
    fill_response(open_wave, answers)
    option = Option.objects.get(scale__instrument=open_wave.instrument, scale__code="level4", code=4)
    with pytest.raises(ValidationError) as exc:
        services.option_update(option=option, code=5)
    assert exc.value.error_dict["code"][0].code == "code_locked"
    barrier = Option.objects.get(scale__instrument=open_wave.instrument, scale__code="barriers", code=6)
    with pytest.raises(ValidationError):  # used inside a multiple-choice answer
        services.option_update(option=barrier, code=7)
    unused = Option.objects.get(scale__instrument=open_wave.instrument, scale__code="barriers", code=2)
    services.option_update(option=unused, code=8)


def test_wave_option_set_restricts_the_choices(open_wave, client):
    from surveys.models import WaveOptionSet
    region = Question.objects.get(instrument=open_wave.instrument, code="region")
    option_set = WaveOptionSet.objects.create(wave=open_wave, question=region)
    option_set.options.set(Option.objects.filter(scale=region.scale, code__in=[2, 99]))
    structure = selectors.wave_structure(wave=open_wave)
    assert [o.code for o in structure.options[region.pk]] == [2, 99]
    form = SectionForm({"region": "1"}, questions=[region], options=structure.options)
    assert not form.is_valid() and "region" in form.errors
