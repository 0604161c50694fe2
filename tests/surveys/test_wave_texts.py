"""Each wave speaks both languages: title, introduction, consent and privacy text, and the
researchers' contact, shown on the first page and when the survey is closed (issue 17)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(social_capital):
    return Wave.objects.create(
        instrument=social_capital, title="Autumn 2026", title_ru="Осень 2026", slug="autumn",
        status=Wave.Status.OPEN, opens_at=timezone.now() - dt.timedelta(days=1),
        intro_en="Ten minutes.", intro_ru="Десять минут.",
        privacy_en="Answers are anonymous.", privacy_ru="Ответы анонимны.",
        contact_en="Dr A. Ivanova, survey@example.org", contact_ru="А. Иванова, survey@example.org")


def test_the_first_page_shows_the_wave_s_texts_in_each_language(client, wave):
    url = reverse("surveys:wave_entry", kwargs={"slug": wave.slug})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ten minutes." in html and "Answers are anonymous." in html and "Consent and privacy" in html
    assert 'href="mailto:survey@example.org"' in html and "Dr A. Ivanova" in html
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Десять минут." in html and "Ответы анонимны." in html and "А. Иванова" in html
    home = client.get(reverse("surveys:home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Осень 2026" in home and "Autumn 2026" not in home


def test_a_russian_text_left_empty_falls_back_to_english(client, wave):
    Wave.objects.filter(pk=wave.pk).update(title_ru="", intro_ru="")
    html = client.get(reverse("surveys:home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Autumn 2026" in html
    wave.refresh_from_db()
    assert wave.local("intro", "ru") == "Ten minutes." and wave.local("title", "ru") == "Autumn 2026"


def test_the_closed_page_names_the_contact(client, wave):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    r = client.get(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    assert r.status_code == 410 and "Dr A. Ivanova, survey@example.org" in r.content.decode()


def test_an_invitation_to_a_draft_wave_says_it_has_not_opened(client, wave):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.DRAFT)
    [issued] = services.invitations_create(wave=wave, count=1)
    r = client.get(reverse("surveys:invitation", kwargs={"token": issued.token}))
    html = r.content.decode()
    assert r.status_code == 410 and "This survey has not opened yet" in html and "Dr A. Ivanova" in html
    assert "Survey not found" not in html


def test_an_invalid_link_names_the_site_s_contact_when_set(client, settings):
    settings.SURVEY_CONTACT = "survey-team@example.org"
    r = client.get(reverse("surveys:invitation", kwargs={"token": "x" * 43}))
    assert r.status_code == 404 and "Contact: survey-team@example.org" in r.content.decode()
