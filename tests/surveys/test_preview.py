"""Admins and researchers preview any wave's questionnaire (a draft's too) as a respondent sees it;
every page can be opened and submitted, answers are validated, and nothing is ever stored."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.models import Answer, Response, Wave
from surveys.roles import ADMINS, INTERVIEWERS, RESEARCHERS

from ..conftest import SOCIAL_CAPITAL_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_wave(social_capital) -> Wave:
    return Wave.objects.create(instrument=social_capital, title="Draft wave", slug="draft-wave")


def _counts():
    return Response.objects.count(), Answer.objects.count()


@pytest.mark.parametrize("role", [RESEARCHERS, ADMINS])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_preview_walks_every_page_and_stores_nothing(client, make_user, draft_wave, role, lang):
    client.force_login(make_user(role, is_staff=role == ADMINS))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    before = _counts()
    start = client.get(reverse("surveys:preview", kwargs={"slug": draft_wave.slug}))
    assert start.status_code == 200 and 'id="preview-banner"' in start.content.decode()
    pages = len(SOCIAL_CAPITAL_ANSWERS)
    for step in range(1, pages + 1):
        url = reverse("surveys:preview_step", kwargs={"slug": draft_wave.slug, "step": step})
        page = client.get(url)
        assert page.status_code == 200 and 'id="preview-banner"' in page.content.decode()
        assert 'name="save_exit"' not in page.content.decode()
        r = client.post(url, SOCIAL_CAPITAL_ANSWERS[step])
        assert r.status_code == 302
        expected = (reverse("surveys:preview_review", kwargs={"slug": draft_wave.slug}) if step == pages else
                    reverse("surveys:preview_step", kwargs={"slug": draft_wave.slug, "step": step + 1}))
        assert r["Location"] == expected
    review = client.post(reverse("surveys:preview_review", kwargs={"slug": draft_wave.slug}))
    assert review.status_code == 200 and 'id="preview-banner"' in review.content.decode()
    assert _counts() == before


def test_preview_validates_answers_without_storing_them(client, make_user, open_wave):
    client.force_login(make_user(RESEARCHERS))
    before = _counts()
    url = reverse("surveys:preview_step", kwargs={"slug": open_wave.slug, "step": 1})
    r = client.post(url, {"region": "12345"})
    assert r.status_code == 422 and "Please correct the answers marked below." in r.content.decode()
    back = client.post(reverse("surveys:preview_step", kwargs={"slug": open_wave.slug, "step": 2}), {"back": "1"})
    assert back.status_code == 302 and back["Location"] == url
    assert _counts() == before


def test_preview_pages_can_be_opened_in_any_order(client, make_user, draft_wave):
    client.force_login(make_user(RESEARCHERS))
    r = client.get(reverse("surveys:preview_step", kwargs={"slug": draft_wave.slug, "step": 3}))
    assert r.status_code == 200
    missing = client.get(reverse("surveys:preview_step", kwargs={"slug": draft_wave.slug, "step": 99}))
    assert missing.status_code == 404


def test_preview_of_an_interview_guide(client, make_user, interview_wave):
    client.force_login(make_user(RESEARCHERS))
    before = _counts()
    r = client.get(reverse("surveys:preview_step", kwargs={"slug": interview_wave.slug, "step": 1}))
    assert r.status_code == 200 and 'id="preview-banner"' in r.content.decode()
    assert _counts() == before


def test_preview_is_for_admins_and_researchers_only(client, make_user, draft_wave):
    url = reverse("surveys:preview", kwargs={"slug": draft_wave.slug})
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse(settings.LOGIN_URL))
    client.force_login(make_user(INTERVIEWERS))
    assert client.get(url).status_code == 403
    step = reverse("surveys:preview_step", kwargs={"slug": draft_wave.slug, "step": 1})
    assert client.post(step, SOCIAL_CAPITAL_ANSWERS[1]).status_code == 403


def test_preview_of_an_unknown_wave_is_not_found(client, make_user, social_capital):
    client.force_login(make_user(RESEARCHERS))
    assert client.get(reverse("surveys:preview", kwargs={"slug": "nothing-here"})).status_code == 404


def test_the_respondent_pages_of_a_draft_wave_stay_closed(client, draft_wave):
    assert client.get(reverse("surveys:wave_entry", kwargs={"slug": draft_wave.slug})).status_code == 404


def test_the_wave_list_links_to_the_preview(client, make_user, draft_wave):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    html = client.get(reverse("admin:surveys_wave_changelist")).content.decode()
    assert reverse("surveys:preview", kwargs={"slug": draft_wave.slug}) in html
