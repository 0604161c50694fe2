"""Twenty "Start" clicks at once in one session start one response (issue 13, part 3)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Response

from ..helpers import landed

CLICKS = 20


def test_the_same_start_key_starts_one_response(open_wave):
    first = services.response_start(wave=open_wave, start_key="key-1")
    again = services.response_start(wave=open_wave, start_key="key-1")
    other = services.response_start(wave=open_wave, start_key="key-2")
    assert first.response.pk == again.response.pk != other.response.pk
    assert first.resume_token == again.resume_token != other.resume_token
    assert Response.objects.filter(wave=open_wave).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent writers: SQLite's in-memory test database locks whole tables "
                           "(the PostgreSQL run of the suite, `make test-postgres`, runs it)")
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_start_clicks_in_one_session_make_one_response(open_wave):
    url = reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug})
    browser = Client()
    assert browser.get(url).status_code == 200  # the entry page: the session gets its start key
    cookies = browser.cookies
    barrier = threading.Barrier(CLICKS)

    def click(_n: int) -> tuple[int, str]:
        client = Client()
        client.cookies = cookies
        barrier.wait()
        try:
            r = client.post(url)
            return r.status_code, landed(r)
        finally:
            connection.close()

    with ThreadPoolExecutor(CLICKS) as pool:
        results = list(pool.map(click, range(CLICKS)))
    assert {status for status, _l in results} == {200}  # each shows the first page of the one response
    assert {location for _s, location in results} == {reverse("surveys:step", kwargs={"slug": open_wave.slug,
                                                                                        "step": 1})}
    assert Response.objects.filter(wave=open_wave).count() == 1
    # and the page afterwards continues that response
    browser.cookies = cookies
    assert landed(browser.post(url)) == reverse("surveys:step", kwargs={"slug": open_wave.slug, "step": 1})
    assert Response.objects.filter(wave=open_wave).count() == 1


def test_a_new_session_starts_a_new_response(open_wave):
    url = reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug})
    for _ in range(2):
        client = Client()
        client.get(url)
        client.post(url)
    assert Response.objects.filter(wave=open_wave).count() == 2
