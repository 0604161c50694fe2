"""A respondent e-mails their resume link to themselves from the "answers saved" page: through a
real SMTP server on loopback, in the page's language, a few times a day at most, with a clear
message (and nothing sent) for a bad address or a mail server that refuses."""
from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from surveys.models import Response

from .conftest import body

pytestmark = pytest.mark.django_db


def _saved(client, wave, answers, *, lang="en"):
    """Start, answer page 1, save and leave; return the resume link the page shows."""
    client.cookies["django_language"] = lang
    client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    client.post(reverse("surveys:step", kwargs={"slug": wave.slug, "step": 1}), {**answers[1], "save_exit": "1"})
    page = client.get(reverse("surveys:saved", kwargs={"slug": wave.slug})).content.decode()
    return page.split('readonly value="')[1].split('"')[0]


def _send(client, wave, address):
    return client.post(reverse("surveys:saved_email", kwargs={"slug": wave.slug}), {"email": address})


def test_the_link_arrives_by_e_mail(client, open_wave, answers, smtp):
    link = _saved(client, open_wave, answers)
    r = _send(client, open_wave, "  manager@example.org ")
    assert r.status_code == 302 and r["Location"] == reverse("surveys:saved", kwargs={"slug": open_wave.slug})
    [message] = smtp.to("manager@example.org")
    assert str(message["Subject"]).strip() == f"Your link to continue: {open_wave.title}"
    assert link in body(message) and "anyone with this link can see and change your answers" in body(message)
    page = client.get(r["Location"]).content.decode()
    assert "The link was sent to manager@example.org." in page
    fresh = client.__class__()  # the link from the e-mail continues the response in another browser
    assert fresh.get(link.replace("http://testserver", "")).status_code == 302


def test_in_russian_with_the_contact(client, open_wave, answers, smtp):
    open_wave.title_ru, open_wave.contact_ru = "Кластеры 2026", "Отдел исследований, research@example.org"
    open_wave.save()
    _saved(client, open_wave, answers, lang="ru")
    assert _send(client, open_wave, "ivanova@example.org").status_code == 302
    [message] = smtp.to("ivanova@example.org")
    assert str(message["Subject"]).strip() == "Ваша ссылка для продолжения: Кластеры 2026"
    assert "Отдел исследований, research@example.org" in body(message)


@pytest.mark.parametrize("address", ["", "not an address", "a@b", "x" * 250 + "@example.org"])
def test_a_bad_address_is_refused_and_nothing_is_sent(client, open_wave, answers, address):
    _saved(client, open_wave, answers)
    r = _send(client, open_wave, address)
    assert r.status_code == 400 and not mail.outbox
    page = r.content.decode()
    assert 'aria-invalid="true"' in page and 'id="email-error"' in page
    assert 'readonly value="http://testserver/w/' in page  # the link is still there to copy


def test_at_most_three_a_day(client, open_wave, answers, settings):
    _saved(client, open_wave, answers)
    for _ in range(settings.SURVEYS_RESUME_MAILS):
        assert _send(client, open_wave, "manager@example.org").status_code == 302
    r = _send(client, open_wave, "manager@example.org")
    with translation.override("en"):
        assert r.status_code == 429 and "e-mailed 3 times today already" in r.content.decode()
    assert len(mail.outbox) == 3


def test_a_refusing_mail_server_says_so(client, open_wave, answers, smtp):
    smtp.refuse.add("manager@example.org")
    _saved(client, open_wave, answers)
    r = _send(client, open_wave, "manager@example.org")
    assert r.status_code == 503 and "could not be sent just now" in r.content.decode()
    assert smtp.count() == 0
    assert _send(client, open_wave, "other@example.org").status_code == 302  # a refusal does not count


def test_without_a_response_or_a_resume_link(client, open_wave, invitation_wave):
    r = _send(client, open_wave, "manager@example.org")
    assert r.status_code == 302 and r["Location"] == reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug})
    assert client.get(reverse("surveys:saved_email", kwargs={"slug": open_wave.slug})).status_code == 405
    assert not mail.outbox and not Response.objects.exists()
