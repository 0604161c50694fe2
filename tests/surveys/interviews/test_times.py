"""The interviewer's pages on one clock: every time in the user's time zone (the ``time_zone``
cookie, else TIME_ZONE), in the language's format, with the zone named, formatted by the server."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from config.middleware import UserTimeZoneMiddleware
from surveys.interviews.models import AnswerChange, Interview
from surveys.times import TIME_ZONE_COOKIE, local_datetime_html, local_datetime_text, time_zone_get

from tests.helpers import login

MOMENT = dt.datetime(2026, 5, 12, 11, 5, 9, tzinfo=dt.timezone.utc)  # 21:05:09 in Vladivostok (UTC+10)
ZONE = "Asia/Vladivostok"
TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
INVALID = ["Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/Moscow;", "A" * 200, "europe/moscow", "Local"]


@pytest.mark.parametrize("lang, minutes, seconds", [
    ("en", "05/12/2026 9:05 p.m. (Asia/Vladivostok)", "05/12/2026 9:05:09 p.m. (Asia/Vladivostok)"),
    ("ru", "12.05.2026 21:05 (Asia/Vladivostok)", "12.05.2026 21:05:09 (Asia/Vladivostok)"),
])
def test_a_utc_moment_reads_as_the_local_time_of_the_zone_in_the_language(lang, minutes, seconds):
    with translation.override(lang), timezone.override(ZoneInfo(ZONE)):
        assert local_datetime_text(MOMENT) == minutes
        assert local_datetime_text(MOMENT, seconds=True) == seconds
        assert local_datetime_html(MOMENT) == f'<time datetime="2026-05-12T21:05:09+10:00">{minutes}</time>'
        template = engines["django"].from_string('{% load interview_times %}{{ t|local_datetime }}|'
                                                 '{{ t|local_datetime:"seconds" }}|{{ none|local_datetime }}')
        assert template.render({"t": MOMENT, "none": None}) == (
            f'<time datetime="2026-05-12T21:05:09+10:00">{minutes}</time>|'
            f'<time datetime="2026-05-12T21:05:09+10:00">{seconds}</time>|')


@pytest.mark.parametrize("name", INVALID + [None])
def test_only_known_zone_names_are_taken(name):
    assert time_zone_get(name) is None
    assert time_zone_get("Europe/Moscow") == ZoneInfo("Europe/Moscow")
    assert time_zone_get("America/Argentina/Buenos_Aires") == ZoneInfo("America/Argentina/Buenos_Aires")


def _through_middleware(path_namespace: str, cookie: str | None) -> tuple[str, str, str]:
    """(the zone the view saw, request.time_zone, the zone active after the response)."""
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse("")

    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[TIME_ZONE_COOKIE] = cookie
    def get_response(r):
        middleware.process_view(r, view, (), {})
        return view(r)

    middleware = UserTimeZoneMiddleware(get_response)
    request.resolver_match = type("Match", (), {"namespace": path_namespace})()
    middleware(request)
    return seen["zone"], str(request.time_zone), timezone.get_current_timezone_name()


def test_the_middleware_activates_the_cookie_zone_on_the_interviewer_pages_only():
    assert _through_middleware("interviews", ZONE) == (ZONE, ZONE, settings.TIME_ZONE)
    # the other pages (fieldwork's counts per day, the analyses, coding) keep the study's zone
    for namespace in ("coding", "fieldwork", "analysis", "surveys", ""):
        assert _through_middleware(namespace, ZONE) == (settings.TIME_ZONE, ZONE, settings.TIME_ZONE)


@pytest.mark.parametrize("cookie", INVALID + [None])
def test_an_invalid_or_missing_zone_cookie_falls_back_to_the_default(cookie):
    assert _through_middleware("interviews", cookie) == (settings.TIME_ZONE,) * 3


# --- the pages ----------------------------------------------------------------------------------

def _pages(client, interview) -> dict[str, str]:
    uuid = interview.response.uuid
    wave = interview.response.wave
    return {name: client.get(url).content.decode() for name, url in {
        "home": reverse("interviews:home"),
        "wave": reverse("interviews:wave", kwargs={"slug": wave.slug}),
        "edit": reverse("interviews:edit", kwargs={"uuid": uuid}),
        "history": reverse("interviews:history", kwargs={"uuid": uuid}),
    }.items()}


def _main(html: str) -> str:
    return html[html.index('<main id="main"'):html.index("</main>")]


def _moments(interview) -> list[dt.datetime]:
    """Every stored time the interviewer's pages show."""
    interview = Interview.objects.get(pk=interview.pk)
    found = [interview.consent_at, interview.updated_at]
    found += list(AnswerChange.objects.filter(interview=interview).values_list("changed_at", flat=True))
    found += list(interview.history.values_list("history_date", flat=True))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_interviewer_pages_show_every_time_in_the_users_zone_and_no_other(make_interview, users, lang):
    interview = make_interview(complete=True)
    Interview.objects.filter(pk=interview.pk).update(consent_at=MOMENT, updated_at=MOMENT + dt.timedelta(hours=1))
    client = login(users["interviewer"])
    client.cookies[TIME_ZONE_COOKIE] = ZONE
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    pages = _pages(client, interview)
    others = [ZoneInfo(settings.TIME_ZONE), ZoneInfo("UTC")]
    with translation.override(lang):
        for name, html in pages.items():
            main = _main(html)
            times = TIME.findall(main)
            if name != "home":
                assert times, f"{name}: no time shown"
            for iso, text in times:
                moment = dt.datetime.fromisoformat(iso)
                assert moment.utcoffset() == ZoneInfo(ZONE).utcoffset(moment.replace(tzinfo=None)), (name, iso)
                assert text.endswith(f"({ZONE})"), (name, text)
                with timezone.override(ZoneInfo(ZONE)):
                    assert text in (local_datetime_text(moment), local_datetime_text(moment, seconds=True))
            # no time outside the <time> elements (the server's clock, a script's): none at all
            assert not CLOCK.search(TIME.sub("", main)), (name, CLOCK.findall(TIME.sub("", main)))
            for zone in others:  # and none of these moments on another clock
                with timezone.override(zone):
                    for moment in _moments(interview):
                        for text in (local_datetime_text(moment), local_datetime_text(moment, seconds=True)):
                            assert text.rsplit(" (", 1)[0] not in main, (name, zone, text)
            assert f"({settings.TIME_ZONE})" not in main or settings.TIME_ZONE == ZONE
    wave_page = _main(pages["wave"])
    consent = "05/12/2026 9:05 p.m." if lang == "en" else "12.05.2026 21:05"
    saved = "05/12/2026 10:05 p.m." if lang == "en" else "12.05.2026 22:05"
    assert f'<time datetime="2026-05-12T21:05:09+10:00">{consent} ({ZONE})</time>' in wave_page
    assert f'<time datetime="2026-05-12T22:05:09+10:00">{saved} ({ZONE})</time>' in wave_page


@pytest.mark.django_db
def test_without_the_cookie_the_pages_show_the_default_zone_and_name_it(make_interview, users):
    interview = make_interview(complete=False)
    Interview.objects.filter(pk=interview.pk).update(consent_at=MOMENT)
    client = login(users["interviewer"])
    client.cookies[TIME_ZONE_COOKIE] = "Mars/Olympus_Mons"
    main = _main(_pages(client, interview)["edit"])
    with timezone.override(ZoneInfo(settings.TIME_ZONE)):
        expected = local_datetime_html(MOMENT)
    assert expected in main and f"({settings.TIME_ZONE})" in expected


@pytest.mark.django_db
def test_autosave_answers_with_the_saved_time_as_the_page_shows_it(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    client.cookies[TIME_ZONE_COOKIE] = ZONE
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    url = reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid})
    r = client.post(url, data=json.dumps({"version": interview.version, "answers": {"local_notes": "Notes."}}),
                    content_type="application/json")
    data = r.json()
    saved = Interview.objects.get(pk=interview.pk).updated_at
    with translation.override("ru"), timezone.override(ZoneInfo(ZONE)):
        assert data["saved_at_display"] == local_datetime_text(saved)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d \(Asia/Vladivostok\)", data["saved_at_display"])
    # someone else's save in between: the conflict names their time on the same clock, with seconds
    r = client.post(url, data=json.dumps({"version": interview.version, "answers": {"local_notes": "Other."}}),
                    content_type="application/json")
    assert r.status_code == 409
    with translation.override("ru"), timezone.override(ZoneInfo(ZONE)):
        assert local_datetime_text(saved, seconds=True) in r.json()["message"]
        assert local_datetime_text(saved) == r.json()["current"]["saved_at_display"]


def test_no_script_formats_a_time_in_the_browsers_clock():
    """Times come formatted from the server; the browser's zone is only reported (time-zone.js)."""
    scripts = sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js"))
    assert scripts
    clock = re.compile(r"toLocale(Date|Time)?String|\.get(UTC)?(Hours|Minutes|Seconds)\(|"
                       r"Intl\.DateTimeFormat\([^)]*\)\.format|new Date\(")
    wrong = [f"{p.name}: {m.group(0)}" for p in scripts for m in clock.finditer(p.read_text(encoding="utf-8"))]
    assert not wrong, wrong
    assert "resolvedOptions().timeZone" in (Path(settings.BASE_DIR) / "static/js/time-zone.js").read_text()
