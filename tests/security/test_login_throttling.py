"""Login throttling (django-axes) on both login pages, through the real login views."""
from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["login", "admin:login"]
PASSWORD = "the-right-password-42"


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("ada", "ada@example.org", PASSWORD, is_staff=True, is_superuser=True)


def _post(client: Client, page: str, password: str, **extra):
    return client.post(reverse(page), {"username": "ada", "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=dt.timedelta(minutes=30))
def test_locked_out_after_the_limit_with_a_clear_page(page, staff):
    client = Client()
    for _ in range(2):
        r = _post(client, page, "wrong")
        assert r.status_code == 200  # the form again, with its error
    locked = _post(client, page, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed logins" in html
    assert "failed 3 times in a row" in html and "Try again in 30 minutes" in html
    assert "Cluster Readiness Survey" in html and "bootstrap" in html  # the site's layout, not a bare text
    assert locked["Retry-After"] == "1800"
    # Even the right password is refused now, without being checked.
    r = _post(client, page, PASSWORD)
    assert r.status_code == 429 and not _logged_in(client)
    # The lock is per user name and address: the same user from elsewhere may log in.
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert _post(other, page, PASSWORD).status_code == 302 and _logged_in(other)


@pytest.mark.parametrize("page", LOGIN_PAGES)
@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_count(page, staff):
    client = Client()
    for _ in range(2):
        _post(client, page, "wrong")
    assert _post(client, page, PASSWORD).status_code == 302 and _logged_in(client)
    assert not AccessAttempt.objects.exists()
    client.post(reverse("logout"))
    for _ in range(2):
        assert _post(client, page, "wrong").status_code == 200
    assert _post(client, page, PASSWORD).status_code == 302 and _logged_in(client)


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=dt.timedelta(minutes=30))
def test_the_lock_ends_after_the_cool_off(staff):
    client = Client()
    for _ in range(2):
        _post(client, "login", "wrong")
    assert _post(client, "login", PASSWORD).status_code == 429
    # An attempt during the lock starts the wait again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=20))
    assert _post(client, "login", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get().attempt_time > timezone.now() - dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert _post(client, "login", PASSWORD).status_code == 302 and _logged_in(client)


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=None)
def test_without_a_cool_off_the_page_says_to_ask_an_administrator(staff):
    client = Client()
    _post(client, "login", "wrong")
    locked = _post(client, "login", "wrong")
    assert locked.status_code == 429
    assert "Ask an administrator to unlock your account." in locked.content.decode()
    assert "Retry-After" not in locked


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=dt.timedelta(minutes=30))
def test_the_lock_out_page_is_translated(staff):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    _post(client, "login", "wrong")
    html = _post(client, "login", "wrong").content.decode()
    assert "Слишком много неудачных попыток входа" in html
    assert "Too many" not in html


def test_the_limits_come_from_the_environment(monkeypatch):
    import importlib

    from config.settings import base

    monkeypatch.setenv("DJANGO_AXES_FAILURE_LIMIT", "7")
    monkeypatch.setenv("DJANGO_AXES_COOLOFF_MINUTES", "15")
    reloaded = importlib.reload(base)
    try:
        assert reloaded.AXES_FAILURE_LIMIT == 7
        assert reloaded.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
        monkeypatch.setenv("DJANGO_AXES_COOLOFF_MINUTES", "0")
        assert importlib.reload(base).AXES_COOLOFF_TIME is None
    finally:
        monkeypatch.undo()
        importlib.reload(base)
