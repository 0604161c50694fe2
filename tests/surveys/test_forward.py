"""A respondent's successful POST answers with the next page itself (surveys.views._forward): the
page is the one its GET shows, at its own address, with the answers just stored."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from surveys import selectors, services
from surveys.forms import SectionForm
from surveys.models import Response, Wave

from ..helpers import landed
from .test_query_counts import _large_instrument

pytestmark = pytest.mark.django_db


def _step(wave: Wave, n: int) -> str:
    return reverse("surveys:step", kwargs={"slug": wave.slug, "step": n})


def _text(reply) -> str:
    """The page without what differs between two requests (the CSRF token) and the script that
    gives a shown page its own address in the browser's history."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", reply.content.decode())
    return re.sub(r'<script src="/static/js/page-url\.js" data-page-url="[^"]+" defer></script>', "", html)


def test_each_page_shown_after_a_post_is_the_page_its_get_shows(client, open_wave, answers):
    review = reverse("surveys:review", kwargs={"slug": open_wave.slug})
    shown = client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    for n, following in ((1, _step(open_wave, 2)), (2, _step(open_wave, 3)), (3, review)):
        assert shown.status_code == 200 and shown["Content-Location"] == _step(open_wave, n)
        html = shown.content.decode()
        assert f'<form method="post" action="{_step(open_wave, n)}" novalidate id="step-form">' in html
        assert f'data-page-url="{_step(open_wave, n)}"' in html
        assert f'name="next" type="hidden" value="{_step(open_wave, n)}"' in html  # the language buttons come back here
        assert _text(shown) == _text(client.get(_step(open_wave, n)))
        shown = client.post(_step(open_wave, n), {**answers[n], "next": "1"})
    assert shown["Content-Location"] == review and f'action="{review}"' in shown.content.decode()
    assert _text(shown) == _text(client.get(review))
    assert "Нам нужна поддержка региона." in shown.content.decode()  # the answers just stored, on the review
    thanks = client.post(review)
    assert thanks.status_code == 200 and thanks["Content-Location"] == reverse("surveys:thanks",
                                                                                kwargs={"slug": open_wave.slug})
    assert _text(thanks) == _text(client.get(thanks["Content-Location"]))
    assert Response.objects.get().is_completed


def test_back_shows_the_page_before_with_its_answers(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave, 1), {**answers[1], "next": "1"})
    back = client.post(_step(open_wave, 2), {"sc1_contacts": "2", "back": "1"})  # incomplete: kept, then back
    assert landed(back) == _step(open_wave, 1) and back.status_code == 200
    checked = [tag for tag in re.findall(r'<input[^>]*name="region"[^>]*>', back.content.decode()) if " checked" in tag]
    assert len(checked) == 1 and 'value="2"' in checked[0]
    assert _text(back) == _text(client.get(_step(open_wave, 1)))
    forward = client.post(_step(open_wave, 1), {**answers[1], "next": "1"})
    assert landed(forward) == _step(open_wave, 2)
    checked = [tag for tag in re.findall(r'<input[^>]*name="sc1_contacts"[^>]*>', forward.content.decode())
               if " checked" in tag]
    assert len(checked) == 1 and 'value="2"' in checked[0]  # kept when going back, shown again
    assert _text(forward) == _text(client.get(_step(open_wave, 2)))


def test_a_refused_page_is_not_forwarded(client, open_wave):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    refused = client.post(_step(open_wave, 1), {"region": "2", "next": "1"})
    assert refused.status_code == 422 and not refused.has_header("Content-Location")
    assert "js/page-url.js" not in refused.content.decode()


def test_the_answers_handed_on_are_those_read_back_from_the_database(db):
    """services.answers_after_section gives, without a query, what the page after would read."""
    wave, answers = _large_instrument(per_page=6)
    structure = selectors.wave_structure(wave=Wave.objects.select_related("instrument").get(pk=wave.pk))
    response = services.response_start(wave=wave).response
    stored = {}
    for n, section in enumerate(structure.sections, start=1):
        questions = structure.questions[section.pk]
        data = {**answers[n], f"q{n}_0": "1", f"why{n}": "Ünïcode — «text»", f"q{n}_5": "12.75"}
        if n == 2:
            data[f"why{n}"] = ""  # left empty: not stored
        form = SectionForm(data, questions=questions, options=structure.options, grid=section.grid,
                           shown=lambda page: structure.shown(page).questions)
        assert form.is_valid(), form.errors
        hidden = [structure.questions[structure.sections[0].pk][-1]] if n == 3 else []  # cleared by the logic
        services.response_save_section(response=response, questions=questions, cleaned_data=form.answers(),
                                       step=n, hidden=hidden)
        stored = services.answers_after_section(stored=stored, questions=questions, cleaned_data=form.answers(),
                                                hidden=hidden)
        read = selectors.response_answers(response=Response.objects.get(pk=response.pk))
        assert stored == read and [type(v) for v in stored.values()] == [type(read[k]) for k in stored]
    assert 12.75 in stored.values() and "Ünïcode — «text»" in stored.values() and [1, 3] in stored.values()
    assert structure.questions[structure.sections[0].pk][-1].pk not in stored
