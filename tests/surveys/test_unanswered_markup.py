"""The questions of a page nothing is answered on yet are rendered once per structure revision,
section, language and hidden questions (surveys.views._unanswered_markup), and the page is the
same as when they are rendered each time."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from surveys import views

from ..helpers import landed

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html


def _start(client, slug, **headers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": slug}), **headers)


def test_an_unanswered_page_is_rendered_once_and_is_the_same_page(client, open_wave, monkeypatch):
    views._UNANSWERED.clear()
    _start(client, open_wave.slug)
    page = reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": 1})
    first = client.get(page)
    assert first.status_code == 200 and len(views._UNANSWERED) == 1
    rendered = []
    real = views.render_to_string
    monkeypatch.setattr(views, "render_to_string", lambda *a, **k: rendered.append(a) or real(*a, **k))
    second = client.get(page)
    assert rendered == [] and _text(second) == _text(first)  # from memory, the same markup
    # rendered each time instead, the page is the same
    monkeypatch.setattr(views, "UNANSWERED_MAX", 0)
    rendered.clear()
    assert _text(client.get(page)) == _text(first) and rendered == []  # the page's own template, with its form


def test_each_language_has_its_own_and_answers_are_never_taken_from_it(client, open_wave, answers):
    views._UNANSWERED.clear()
    _start(client, open_wave.slug)
    page = reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": 1})
    english = client.get(page).content.decode()
    russian = client.get(page, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert len(views._UNANSWERED) == 2 and english != russian
    # answered: the page shows the answers, from a page rendered for them
    assert landed(client.post(page, {**answers[1], "save_exit": "1"})) == reverse(
        "surveys:saved", kwargs={"slug": open_wave.slug})
    shown = client.get(page).content.decode()
    assert len(views._UNANSWERED) == 2 and " checked" in shown and " checked" not in english
    # a page with errors is never taken from it either
    invalid = client.post(page, {"next": "1"})
    assert invalid.status_code == 422 and "is-invalid" in invalid.content.decode()
    assert len(views._UNANSWERED) == 2
