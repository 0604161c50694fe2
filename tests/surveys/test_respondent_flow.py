"""The respondent's form through the test client, in both access modes."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Answer, Invitation, Response, Wave

from ..helpers import landed

pytestmark = pytest.mark.django_db


def _step(slug, n):
    return reverse("surveys:step", kwargs={"slug": slug, "step": n})


def _page_text(response):
    """The page without its per-request parts (CSRF token, its own path)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)


def _complete(client, slug, answers):
    for n in (1, 2, 3):
        r = client.post(_step(slug, n), {**answers[n], "next": "1"})
        assert landed(r) == (_step(slug, n + 1) if n < 3 else reverse("surveys:review", kwargs={"slug": slug}))
    r = client.post(reverse("surveys:review", kwargs={"slug": slug}))
    assert landed(r) == reverse("surveys:thanks", kwargs={"slug": slug})
    return r


def test_open_link_flow_stores_one_complete_response(client, open_wave, answers):
    r = client.get(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    assert r.status_code == 200
    r = client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    assert landed(r) == _step(open_wave.slug, 1)
    page = client.get(_step(open_wave.slug, 2))  # cannot skip ahead
    assert page.status_code == 302 and page["Location"] == _step(open_wave.slug, 1)
    _complete(client, open_wave.slug, answers)
    response = Response.objects.get()
    assert response.status == Response.Status.COMPLETED
    assert response.language == "en"
    stored = dict(response.answers.values_list("question__code", "value"))
    assert stored["sc1_contacts"] == 4 and stored["sc4_culture"] == 1
    assert stored["barriers"] == [1, 6]
    assert stored["comment"] == "Нам нужна поддержка региона."
    assert client.get(reverse("surveys:thanks", kwargs={"slug": open_wave.slug})).status_code == 200


def test_the_items_on_one_scale_are_one_grid_with_radios_in_scale_order(client, open_wave):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**{"region": "1", "sector": "1", "size": "1", "ownership": "1",
                                                "position": "1", "cluster_member": "2"}, "next": "1"})
    html = client.get(_step(open_wave.slug, 2)).content.decode()
    grid = html[html.index('<table class="table align-middle grid-table">'):html.index("</table>")]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', grid)
    assert headers == ["Very high", "High", "Not very high", "Low"]  # as in Table 1
    rows = re.findall(r'<tr id="div_id_(\w+)"', grid)
    assert rows == ["sc1_contacts", "sc2_bonds", "sc3_risk_knowledge", "sc4_culture", "sc5_cooperation",
                    "sc6_network_benefit", "sc7_trust", "sc8_knowledge_interest"]
    assert grid.count('<th scope="row"') == 8
    positions = [grid.index(f'name="sc1_contacts" value="{code}"') for code in (4, 3, 2, 1)]
    assert positions == sorted(positions)  # Very high first
    # every radio has its own label (shown on phones) and is described by its row's question
    assert grid.count('<input type="radio"') == grid.count('class="grid-option-label"') == 32
    assert 'aria-describedby="id_sc1_contacts_question"' in grid


def test_a_question_of_its_own_is_a_fieldset_with_a_legend(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    for n in (1, 2):
        client.post(_step(open_wave.slug, n), {**answers[n], "next": "1"})
    html = client.get(_step(open_wave.slug, 3)).content.decode()
    assert "<fieldset" in html and "<legend" in html and "grid-table" not in html


def test_russian_interface_records_language(client, open_wave, answers):
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    html = client.get(_step(open_wave.slug, 1)).content.decode()
    assert "В каком регионе работает ваше предприятие?" in html
    _complete(client, open_wave.slug, answers)
    assert Response.objects.get().language == "ru"


def test_invitation_flow_and_single_use(client, invitation_wave, answers):
    issued = services.invitations_create(wave=invitation_wave, count=2)
    token = issued[0].token
    r = client.get(reverse("surveys:invitation", kwargs={"token": token}))
    assert r["Location"] == _step(invitation_wave.slug, 1)
    _complete(client, invitation_wave.slug, answers)
    assert Invitation.objects.get(pk=issued[0].invitation.pk).used_at is not None
    other = client.__class__()
    used = other.get(reverse("surveys:invitation", kwargs={"token": token}))
    unknown = other.get(reverse("surveys:invitation", kwargs={"token": "x" * 43}))
    assert used.status_code == unknown.status_code == 404
    assert _page_text(used) == _page_text(unknown)  # a used link cannot be told from an unknown one
    assert Response.objects.filter(invitation=issued[0].invitation).count() == 1


def test_invitation_wave_refuses_open_link(client, invitation_wave):
    r = client.post(reverse("surveys:wave_entry", kwargs={"slug": invitation_wave.slug}))
    assert r.status_code == 403
    assert not Response.objects.exists()


def test_resume_through_resume_link(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**answers[1], "save_exit": "1"})
    saved = client.get(reverse("surveys:saved", kwargs={"slug": open_wave.slug})).content.decode()
    link = saved.split('readonly value="')[1].split('"')[0]
    path = link.replace("http://testserver", "")
    fresh = client.__class__()  # another browser
    r = fresh.get(path)
    assert r.status_code == 302 and r["Location"] == _step(open_wave.slug, 2)
    page = fresh.get(_step(open_wave.slug, 1)).content.decode()
    assert 'value="2" class="form-check-input" id="id_region_1" required checked' in page or 'checked' in page
    assert fresh.get("/w/open-wave/resume/not-a-token/").status_code == 404


def test_back_keeps_answers(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**answers[1], "next": "1"})
    partial = {"sc1_contacts": "2", "back": "1"}  # incomplete page: back still keeps what is valid
    r = client.post(_step(open_wave.slug, 2), partial)
    assert landed(r) == _step(open_wave.slug, 1)
    assert Answer.objects.get(question__code="sc1_contacts").value == 2


@pytest.mark.parametrize("field,value", [
    ("sc1_contacts", "5"), ("sc1_contacts", "Very high"), ("sc1_contacts", ""), ("sc1_contacts", "4.0"),
])
def test_tampered_or_missing_scale_value_is_refused_and_nothing_stored(client, open_wave, answers, field, value):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**answers[1], "next": "1"})
    before = Answer.objects.count()
    r = client.post(_step(open_wave.slug, 2), {**answers[2], field: value, "next": "1"})
    assert r.status_code == 422
    assert "Please correct the answers marked below." in r.content.decode()
    assert Answer.objects.count() == before


def test_tampered_multiple_choice_and_text_length(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**answers[1], "next": "1"})
    client.post(_step(open_wave.slug, 2), {**answers[2], "next": "1"})
    before = Answer.objects.count()
    assert client.post(_step(open_wave.slug, 3), {**answers[3], "barriers": ["1", "42"], "next": "1"}).status_code == 422
    assert client.post(_step(open_wave.slug, 3), {**answers[3], "comment": "x" * 20_001, "next": "1"}).status_code == 422
    assert Answer.objects.count() == before


@pytest.mark.parametrize("status,closes,expected", [
    (Wave.Status.DRAFT, None, 404), (Wave.Status.CLOSED, None, 410), (Wave.Status.OPEN, -1, 410),
])
def test_unavailable_waves_get_a_clear_page(client, social_capital, status, closes, expected):
    now = timezone.now()
    Wave.objects.create(instrument=social_capital, title="W", slug="w", status=status,
                        opens_at=now - dt.timedelta(days=3),
                        closes_at=now + dt.timedelta(days=closes) if closes else None)
    r = client.get(reverse("surveys:wave_entry", kwargs={"slug": "w"}))
    assert r.status_code == expected
    assert b"<h1" in r.content


def test_unknown_wave_and_invitation(client, db):
    assert client.get("/w/nope/").status_code == 404
    assert client.get("/i/nope/").status_code == 404
    assert client.get("/w/nope/page/1/").status_code == 404


def test_double_submit_gives_one_response(client, open_wave, answers):
    _complete_pages = [client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))]
    for n in (1, 2, 3):
        client.post(_step(open_wave.slug, n), {**answers[n], "next": "1"})
    review = reverse("surveys:review", kwargs={"slug": open_wave.slug})
    first, second = client.post(review), client.post(review)
    # the first shows the thank-you page, the second is sent there
    assert landed(first) == landed(second) == reverse("surveys:thanks", kwargs={"slug": open_wave.slug})
    assert first.status_code == 200 and second.status_code == 302
    assert Response.objects.filter(status=Response.Status.COMPLETED).count() == 1
    assert Answer.objects.count() == 17


def test_submission_query_count_is_constant(client, open_wave, answers, django_assert_max_num_queries):
    """A complete submission (every page POST and the final submit) takes a bounded number of queries."""
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    counts = []
    for n in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            client.post(_step(open_wave.slug, n), {**answers[n], "next": "1"})
        counts.append(len(ctx))
    with CaptureQueriesContext(connection) as ctx:
        client.post(reverse("surveys:review", kwargs={"slug": open_wave.slug}))
    counts.append(len(ctx))
    # Page 1 has 6 questions, page 2 has 8, page 3 has 3: the same number of queries.
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] <= 16 and counts[3] <= 16, counts


def test_language_follows_the_browser(client, open_wave):
    r = client.get(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}), HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    html = r.content.decode()
    assert '<html lang="ru">' in html and "Начать" in html
    r = client.get(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="en">' in r.content.decode()


def test_every_input_is_labelled(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    for n in (1, 2, 3):
        html = client.get(_step(open_wave.slug, n)).content.decode()
        ids = re.findall(r'<(?:input|textarea|select)[^>]*\sid="([^"]+)"', html)
        assert ids
        for element_id in ids:
            assert f'for="{element_id}"' in html, f"page {n}: #{element_id} has no label"
        client.post(_step(open_wave.slug, n), {**answers[n], "next": "1"})


def test_save_and_exit_half_way_keeps_valid_answers(client, open_wave, answers):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    client.post(_step(open_wave.slug, 1), {**answers[1], "next": "1"})
    r = client.post(_step(open_wave.slug, 2), {"sc1_contacts": "2", "sc2_bonds": "9", "save_exit": "1"})
    assert landed(r) == reverse("surveys:saved", kwargs={"slug": open_wave.slug})
    assert dict(Answer.objects.filter(question__section__order__gte=0).values_list("question__code", "value")) \
        .get("sc1_contacts") == 2
    assert not Answer.objects.filter(question__code="sc2_bonds").exists()  # invalid value not stored
    assert Response.objects.get().current_step == 1  # page 2 is not complete: resume there
