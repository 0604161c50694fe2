"""Signed-in users are logged out after the idle limit; respondents keep their sessions."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from config import middleware
from surveys import roles
from surveys.models import Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def researcher(client):
    user = get_user_model().objects.create_user("rita", password="pw-123456789")
    user.groups.add(Group.objects.get(name=roles.RESEARCHERS))
    client.force_login(user)
    return user


_started = {"at": 0}


@pytest.fixture(autouse=True)
def _start():
    _started["at"] = int(time.time())


def _later(monkeypatch, seconds: int) -> None:
    """Move the middleware's clock to ``seconds`` after the test started."""
    start = _started["at"]
    monkeypatch.setattr(middleware, "now", lambda: start + seconds)


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=60)
def test_idle_staff_are_logged_out_with_a_message(client, researcher, monkeypatch):
    assert client.get(reverse("analysis:index")).status_code == 200
    assert isinstance(client.session[middleware.LAST_ACTIVITY_KEY], int)
    _later(monkeypatch, 61 * 60)
    page = client.get(reverse("analysis:index"), follow=True)
    assert page.redirect_chain[0][0].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "You were logged out after 60 minutes without activity." in page.content.decode()


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=60)
def test_activity_keeps_staff_signed_in(client, researcher, monkeypatch):
    client.get(reverse("analysis:index"))
    for step in (1, 2, 3):  # a request every 50 minutes: never idle for an hour
        _later(monkeypatch, step * 50 * 60)
        assert client.get(reverse("analysis:index")).status_code == 200
    assert "_auth_user_id" in client.session


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=0)
def test_zero_turns_the_limit_off(client, researcher, monkeypatch):
    client.get(reverse("analysis:index"))
    _later(monkeypatch, 30 * 24 * 60 * 60)
    assert client.get(reverse("analysis:index")).status_code == 200


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=60)
def test_respondents_sessions_are_not_affected(client, open_wave, monkeypatch):
    client.post(reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug}))
    step = reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": 1})
    assert client.get(step).status_code == 200
    assert middleware.LAST_ACTIVITY_KEY not in client.session
    _later(monkeypatch, 3 * 24 * 60 * 60)  # three days later the respondent goes on
    assert client.get(step).status_code == 200
    assert Response.objects.count() == 1


def test_the_limit_comes_from_the_environment(monkeypatch):
    import importlib

    from config.settings import base

    monkeypatch.setenv("DJANGO_STAFF_IDLE_MINUTES", "15")
    try:
        assert importlib.reload(base).STAFF_IDLE_TIMEOUT_MINUTES == 15
    finally:
        monkeypatch.undo()
        importlib.reload(base)
    assert base.STAFF_IDLE_TIMEOUT_MINUTES == 60
