"""Invitations and reminders through a real SMTP server on loopback, sent by the worker command."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.fieldwork import services
from surveys.fieldwork.models import Contact, Kind, Language, Mailing, Message
from surveys.fieldwork.selectors import State, invitations_with_state
from surveys.models import Invitation, Response, hash_token

from .conftest import body, invite, opt_out_path, run_worker, token_in

BASE = "http://testserver/"


def send(wave, kind=Kind.INVITATION, language=Language.BOTH) -> Mailing:
    mailing = services.mailing_create(wave=wave, kind=kind, language=language, base_url=BASE)
    run_worker()
    return mailing


def test_invitations_arrive_with_a_link_that_opens_the_questionnaire(smtp, field_wave, client):
    invite(field_wave, "anna@example.org", "boris@example.org")
    send(field_wave)
    assert sorted(smtp.recipients()) == ["anna@example.org", "boris@example.org"]
    message = smtp.to("anna@example.org")[0]
    assert "Cluster survey 2026" in message["Subject"]
    assert message["List-Unsubscribe"].strip().startswith("<http://testserver/fieldwork/opt-out/")
    token = token_in(message)
    invitation = Invitation.objects.get(email="anna@example.org")
    assert invitation.token_hash == hash_token(token)  # only the hash is stored
    response = client.get(f"/i/{token}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("surveys:step", kwargs={"slug": field_wave.slug, "step": 1})
    assert b'name="region"' in response.content  # the first page of the questionnaire
    assert Message.objects.filter(status=Message.Status.SENT).count() == 2


def test_every_message_has_the_texts_in_both_languages_and_an_opt_out_link(smtp, field_wave):
    invite(field_wave, "anna@example.org")
    send(field_wave, language=Language.RU)
    text = body(smtp.messages[0])
    assert "/fieldwork/opt-out/" in text and "/i/" in text
    assert "{link}" not in text and "{survey}" not in text


def test_the_admin_s_own_text_is_sent(smtp, field_wave):
    services.template_save(wave=field_wave, kind=Kind.INVITATION, subject_en="Please answer {survey}",
                           body_en="Hello! Your link: {link}", subject_ru="Ответьте на {survey}",
                           body_ru="Здравствуйте! Ваша ссылка: {link}")
    invite(field_wave, "anna@example.org")
    send(field_wave, language=Language.EN)
    message = smtp.messages[0]
    assert message["Subject"] == "Please answer Cluster survey 2026"
    assert body(message).startswith("Hello! Your link: http://testserver/i/")


def test_sending_twice_sends_nobody_a_second_invitation(smtp, field_wave):
    invite(field_wave, "anna@example.org")
    send(field_wave)
    with pytest.raises(ValidationError) as exc:
        services.mailing_create(wave=field_wave, kind=Kind.INVITATION, base_url=BASE)
    assert exc.value.code == "nobody"
    invite(field_wave, "boris@example.org")  # a newcomer gets one; anna does not get a second
    send(field_wave)
    assert sorted(smtp.recipients()) == ["anna@example.org", "boris@example.org"]


def test_reminders_reach_only_those_who_have_not_completed_and_did_not_opt_out(smtp, field_wave, client, answers):
    invite(field_wave, "done@example.org", "optout@example.org", "started@example.org", "silent@example.org")
    invite(field_wave, "")  # no address: never e-mailed
    send(field_wave)
    tokens = {m["To"]: token_in(m) for m in smtp.messages}
    assert len(tokens) == 4
    # one completes the questionnaire through the link in the e-mail
    done = client.get(f"/i/{tokens['done@example.org']}/", follow=True)
    assert done.status_code == 200
    for step, data in answers.items():
        client.post(reverse("surveys:step", kwargs={"slug": field_wave.slug, "step": step}), data)
    client.post(reverse("surveys:review", kwargs={"slug": field_wave.slug}))
    assert Response.objects.get(invitation__email="done@example.org").status == Response.Status.COMPLETED
    # one opts out through the link in the e-mail (the page asks; the POST opts out)
    path = opt_out_path(smtp.to("optout@example.org")[0])
    other = type(client)()
    assert other.get(path).status_code == 200
    assert not Contact.objects.filter(opted_out_at__isnull=False).exists()
    assert other.post(path).status_code == 200
    # one starts and saves the first page
    third = type(client)()
    third.get(f"/i/{tokens['started@example.org']}/")
    third.post(reverse("surveys:step", kwargs={"slug": field_wave.slug, "step": 1}), answers[1])
    smtp.messages.clear()
    send(field_wave, kind=Kind.REMINDER)
    assert sorted(smtp.recipients()) == ["silent@example.org", "started@example.org"]
    # the reminder carries the same personal link, which still works (and resumes the response)
    assert token_in(smtp.to("started@example.org")[0]) == tokens["started@example.org"]
    resumed = third.get(f"/i/{tokens['started@example.org']}/")
    assert resumed.status_code == 302
    states = dict(invitations_with_state(wave=field_wave).values_list("email", "state"))
    assert states == {"done@example.org": State.COMPLETED, "optout@example.org": State.OPTED_OUT,
                      "started@example.org": State.STARTED, "silent@example.org": State.SENT, "": State.CREATED}


def test_a_message_queued_before_an_opt_out_is_not_sent(smtp, field_wave):
    issued = invite(field_wave, "anna@example.org", "boris@example.org")
    services.mailing_create(wave=field_wave, kind=Kind.INVITATION, base_url=BASE)
    services.opt_out(invitation=issued[0].invitation)
    run_worker()
    assert smtp.recipients() == ["boris@example.org"]
    assert Message.objects.get(invitation=issued[0].invitation).status == Message.Status.SKIPPED


def test_an_smtp_failure_marks_the_invitation_failed_and_the_admin_s_retry_sends_it(smtp, field_wave, client):
    smtp.refuse.add("bounce@example.org")
    invite(field_wave, "bounce@example.org", "fine@example.org")
    send(field_wave)
    assert smtp.recipients() == ["fine@example.org"]
    failed = Message.objects.get(invitation__email="bounce@example.org")
    assert failed.status == Message.Status.FAILED
    assert "550" in failed.error and "Mailbox unavailable" in failed.error
    states = dict(invitations_with_state(wave=field_wave).values_list("email", "state"))
    assert states["bounce@example.org"] == State.FAILED
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    page = client.get(reverse("fieldwork:invitations", kwargs={"slug": field_wave.slug}), {"state": "failed"})
    assert b"Mailbox unavailable" in page.content and b"bounce@example.org" in page.content
    smtp.refuse.clear()  # the address was fixed on the mail server's side
    changelist = reverse("admin:fieldwork_message_changelist")
    response = client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Message.Status.QUEUED
    run_worker()
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT and failed.attempts == 2
    assert sorted(smtp.recipients()) == ["bounce@example.org", "fine@example.org"]


def test_sending_is_throttled(smtp, field_wave, settings):
    settings.FIELDWORK_EMAIL_RATE = 240  # one message every quarter of a second
    invite(field_wave, "a@example.org", "b@example.org", "c@example.org")
    began = time.monotonic()
    send(field_wave)
    assert smtp.count() == 3
    assert time.monotonic() - began >= 0.5  # two pauses at least between three messages


def test_a_closed_wave_sends_nothing(smtp, field_wave):
    invite(field_wave, "anna@example.org")
    field_wave.status = field_wave.Status.CLOSED
    field_wave.save()
    with pytest.raises(ValidationError) as exc:
        services.mailing_create(wave=field_wave, kind=Kind.INVITATION, base_url=BASE)
    assert exc.value.code == "wave_closed"


def test_a_failed_task_is_visible_to_the_admin_with_its_error(field_wave, client, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from surveys.fieldwork import sending
    from surveys.fieldwork.models import Job

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("analysis.bundle.report_build", broken)
    job = services.job_create(wave=field_wave, kind="bundle")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "the disk is full" in job.error
    result = DBTaskResult.objects.get(id=job.task_id)
    assert result.status == "FAILED" and "the disk is full" in result.traceback
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk]))
    assert b"the disk is full" in page.content
    assert sending  # the module the worker ran
