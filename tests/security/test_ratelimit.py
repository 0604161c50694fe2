"""Guessing invitation and resume links is rate-limited per client address."""
from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from surveys import services
from surveys.models import Invitation, Response

pytestmark = pytest.mark.django_db


def _page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)


def _invitation_url(token: str) -> str:
    return reverse("surveys:invitation", kwargs={"token": token})


@override_settings(SURVEYS_TOKEN_RATE_LIMIT=3, SURVEYS_TOKEN_RATE_WINDOW=60)
def test_guessing_invitations_is_refused_after_the_limit(client, invitation_wave):
    issued = services.invitations_create(wave=invitation_wave, count=1)
    for n in range(3):
        assert client.get(_invitation_url(f"guess-{n}")).status_code == 404
    blocked = client.get(_invitation_url("guess-4"))
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert "Too many attempts" in blocked.content.decode()
    # Even a valid link waits: the limiter answers before any lookup.
    assert client.get(_invitation_url(issued[0].token)).status_code == 429
    assert not Response.objects.exists()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(_invitation_url(issued[0].token)).status_code == 302


@override_settings(SURVEYS_TOKEN_RATE_LIMIT=2, SURVEYS_TOKEN_RATE_WINDOW=60)
def test_resume_links_share_the_limit(client, open_wave):
    url = reverse("surveys:resume", kwargs={"slug": open_wave.slug, "token": "nope"})
    assert client.get(url).status_code == 404
    assert client.get(_invitation_url("nope")).status_code == 404
    assert client.get(url).status_code == 429


@override_settings(SURVEYS_TOKEN_RATE_LIMIT=2, SURVEYS_TOKEN_RATE_WINDOW=60)
def test_valid_links_do_not_count_against_the_limit(open_wave, invitation_wave):
    issued = services.invitations_create(wave=invitation_wave, count=5)
    for item in issued:
        fresh = Client()
        assert fresh.get(_invitation_url(item.token)).status_code == 302
    assert Client().get(_invitation_url("unknown")).status_code == 404


@override_settings(SURVEYS_TOKEN_RATE_LIMIT=2, SURVEYS_TOKEN_RATE_WINDOW=60, SURVEYS_NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_counted():
    a = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    b = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    for _ in range(2):
        a.get(_invitation_url("nope"))
    assert a.get(_invitation_url("nope")).status_code == 429
    assert b.get(_invitation_url("nope")).status_code == 404
    # A spoofed left-most entry does not help: only the entry our proxy appended counts.
    spoofed = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    assert spoofed.get(_invitation_url("nope")).status_code == 429


def test_used_and_unknown_invitations_get_the_same_page_and_path(client, invitation_wave, answers,
                                                                   django_assert_num_queries):
    issued = services.invitations_create(wave=invitation_wave, count=1)
    Invitation.objects.filter(pk=issued[0].invitation.pk).update(used_at="2026-01-01T00:00:00Z")
    # One query each (the hashed lookup), whatever the state of the invitation.
    with django_assert_num_queries(1):
        used = Client().get(_invitation_url(issued[0].token))
    with django_assert_num_queries(1):
        unknown = Client().get(_invitation_url("A" * 43))
    assert used.status_code == unknown.status_code == 404
    assert _page_text(used) == _page_text(unknown)
    assert used.headers.get("Content-Length") == unknown.headers.get("Content-Length")
