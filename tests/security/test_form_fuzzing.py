"""Property-based fuzzing of every form POST: never a 500, nothing stored when rejected.

Missing, extra and tampered fields, huge texts, wrong types, odd unicode, NUL bytes.
The Django test client re-raises any server error, so a 500 fails the example.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import Answer, Response

from ..helpers import landed

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ODD = st.sampled_from([
    "", " ", "\x00", "1\x00", "0", "-1", "99999999999999999999", "1e309", "nan", "inf", "-inf", "4.0", "4 ",
    "٤", "Ⅳ", "𝟒", "\u202e4", "\ufeff3", "<script>alert(1)</script>", "' OR 1=1 --", "x" * 20_001,
    "😀" * 3000, "true", "null", "[1,2]", '{"a": 1}', "2026-02-30", "9999-12-31", "0000-00-00",
])
VALUE = st.one_of(ODD, st.text(max_size=200), st.integers().map(str))
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=0, max_size=4))
FIELD_NAME = st.one_of(st.sampled_from(["csrfmiddlewaretoken", "status", "wave", "response", "uuid", "step",
                                        "language", "back", "save_exit", "next", "value"]),
                       st.text(min_size=1, max_size=30))


@st.composite
def tampered(draw, valid: dict):
    """A section's valid answers with fields dropped, changed and added."""
    data = {k: v for k, v in valid.items() if not draw(st.booleans())} if draw(st.booleans()) else dict(valid)
    for key in draw(st.lists(st.sampled_from(sorted(valid)), max_size=len(valid), unique=True)):
        data[key] = draw(VALUES)
    for _ in range(draw(st.integers(0, 3))):
        data[draw(FIELD_NAME)] = draw(VALUES)
    data["next"] = "1"
    return data


def _state(response: Response) -> tuple:
    response.refresh_from_db()
    answers = sorted((a.question_id, repr(a.value)) for a in Answer.objects.filter(response=response))
    return response.status, response.current_step, answers


def _started(client: Client, wave, answers, pages_done: int) -> Response:
    client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    for n in range(1, pages_done + 1):
        r = client.post(reverse("surveys:step", kwargs={"slug": wave.slug, "step": n}), {**answers[n], "next": "1"})
        assert landed(r) == (reverse("surveys:step", kwargs={"slug": wave.slug, "step": n + 1}) if n < 3
                             else reverse("surveys:review", kwargs={"slug": wave.slug}))
    return Response.objects.latest("started_at")


@pytest.mark.parametrize("page", [1, 2, 3])
def test_section_pages_reject_tampering_without_storing(client, open_wave, answers, page):
    response = _started(client, open_wave, answers, pages_done=page - 1)
    url = reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": page})

    @FUZZ
    @given(data=tampered(answers[page]))
    def check(data):
        before = _state(response)
        r = client.post(url, data)
        assert r.status_code in (200, 302, 422), r.status_code
        if r.status_code == 422:
            assert _state(response) == before  # rejected: nothing stored
        else:
            landed(r)  # accepted: the next page (or the one the buttons asked for), shown or redirected to
            for answer in Answer.objects.filter(response=response):
                assert "\x00" not in repr(answer.value)

    check()


def test_review_submit_with_a_missing_answer_stores_nothing(client, open_wave, answers):
    response = _started(client, open_wave, answers, pages_done=3)
    Answer.objects.filter(response=response, question__code="sc3_risk_knowledge").delete()
    url = reverse("surveys:review", kwargs={"slug": open_wave.slug})

    @FUZZ
    @given(data=st.dictionaries(FIELD_NAME, VALUES, max_size=5))
    def check(data):
        before = _state(response)
        r = client.post(url, data)
        assert r.status_code == 422
        assert _state(response) == before

    check()


def test_wave_entry_starts_at_most_one_response(client, open_wave):
    url = reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug})

    @FUZZ
    @given(data=st.dictionaries(FIELD_NAME, VALUES, max_size=5))
    def check(data):
        r = client.post(url, data)
        assert landed(r) == reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": 1})
        assert Response.objects.count() == 1

    check()


def test_set_language_accepts_only_known_languages(open_wave):
    @FUZZ
    @given(language=VALUE, next_url=VALUE)
    def check(language, next_url):
        client = Client()
        r = client.post(reverse("set_language"), {"language": language, "next": next_url})
        assert r.status_code in (200, 204, 302)
        cookie = client.cookies.get("django_language")
        assert cookie is None or cookie.value in ("en", "ru")
        if r.status_code == 302:
            assert not r["Location"].startswith(("http:", "https:", "//"))  # no open redirect

    check()


def test_login_refuses_junk_and_signs_nobody_in(db):
    get_user_model().objects.create_user("researcher", password="correct-horse-battery")

    @FUZZ
    @given(data=st.fixed_dictionaries({"username": VALUE, "password": VALUE},
                                      optional={"next": VALUE, "extra": VALUES}))
    def check(data):
        client = Client()
        r = client.post(reverse("login"), data)
        assert r.status_code == 200
        assert "_auth_user_id" not in client.session

    check()


def test_posts_without_csrf_token_are_refused_and_store_nothing(open_wave, answers):
    client = Client(enforce_csrf_checks=True)
    r = client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    assert r.status_code == 403
    assert not Response.objects.exists()
