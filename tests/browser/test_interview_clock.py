"""The interviewer's pages in a real browser on another clock than the server's: the browser's own
zone reaches the server (static/js/time-zone.js), and every time, the autosave's too, is shown on
it, in the server's format for the language, with the zone named."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from surveys.interviews import services
from surveys.models import Instrument, Wave

from .conftest import storage_state

pytestmark = [pytest.mark.browser]

ZONE = "Asia/Vladivostok"  # UTC+10, seven hours ahead of the server's Europe/Moscow


@pytest.fixture
def recorded(transactional_db, live_server):
    call_command("load_instruments", verbosity=0)
    wave = Wave.objects.create(
        instrument=Instrument.objects.get(code="cluster-managers"), title="Clock wave", slug="clock-wave",
        status=Wave.Status.OPEN, access=Wave.Access.INVITATION, opens_at=timezone.now() - dt.timedelta(days=1))
    user = get_user_model().objects.create_superuser("clock-admin", "clock-admin@example.org", "unused-pw-123")
    interview = services.interview_start(wave=wave, interviewer=user, consent=1)
    return interview, storage_state(user, live_server)


@pytest.mark.parametrize("lang, locale, shown", [
    # Django's English time: "1:05 p.m.", but "1 p.m." on the hour, "noon" and "midnight"
    ("en", "en-GB", r"\d\d/\d\d/\d{4} (?:\d{1,2}(?::\d\d)? [ap]\.m\.|noon|midnight)"),
    ("ru", "ru-RU", r"\d\d\.\d\d\.\d{4} \d\d:\d\d"),
])
def test_the_interview_page_shows_the_browsers_zone_in_the_servers_format(recorded, browser, live_server,
                                                                         lang, locale, shown):
    interview, state = recorded
    context = browser.new_context(locale=locale, timezone_id=ZONE, base_url=live_server.url, storage_state=state,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/", wait_until="load")  # any page reports the zone
    assert {c["name"]: c["value"] for c in context.cookies()}.get("time_zone") == ZONE
    page.goto(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}), wait_until="load")
    times = page.locator("main time")
    assert times.count() >= 2
    for k in range(times.count()):
        assert times.nth(k).get_attribute("datetime").endswith("+10:00")
        assert re.fullmatch(rf"{shown} \({ZONE}\)", times.nth(k).inner_text())
    page.locator('textarea[name="local_notes"]').fill("The university is next door.")
    page.locator('input[name="cluster"]').focus()  # leaving the field saves it
    page.wait_for_function("""v => { const s = document.getElementById('save-status');
      return s.dataset.state === 'saved' && s.textContent.trim().endsWith(' ' + v); }""", arg=interview.version + 1)
    word = {"en": r"Saved at", "ru": r"Сохранено:"}[lang]
    status = page.locator("#save-status").inner_text()
    assert re.fullmatch(rf"{word} {shown} \({ZONE}\), \w+ {interview.version + 1}", status), status
    context.close()
