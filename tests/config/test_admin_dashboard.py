"""The waves panel of the admin's home page: counts, titles in the page's language, links."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from config.admin_dashboard import wave_rows
from surveys.models import Response, Wave
from surveys.roles import ADMINS

pytestmark = pytest.mark.django_db


def _responses(wave: Wave, completed: int, in_progress: int) -> None:
    now = timezone.now()
    for _ in range(completed):
        Response.objects.create(wave=wave, status=Response.Status.COMPLETED, submitted_at=now)
    for _ in range(in_progress):
        Response.objects.create(wave=wave, status=Response.Status.IN_PROGRESS)


@pytest.fixture
def waves(open_wave, social_capital, interview_wave, make_interview, codebook):
    open_wave.title_ru = "Открытая волна"
    open_wave.closes_at = open_wave.opens_at + dt.timedelta(days=30)
    open_wave.save()
    _responses(open_wave, completed=3, in_progress=2)
    make_interview()
    make_interview("Joint projects.")
    make_interview("Started, not finished.", complete=False)
    draft = Wave.objects.create(instrument=social_capital, title="Draft wave", slug="draft-wave")
    return {"open": open_wave, "interviews": interview_wave, "draft": draft}


@pytest.fixture
def boss(db):
    return User.objects.create_superuser("boss", "boss@example.org", "pw")


def _row(html: str, slug: str) -> str:
    match = re.search(rf'<tr data-wave="{slug}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def _counts(row: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="(\w+)">(.*?)</td>', row, re.S))


def test_rows_count_completed_and_in_progress_responses_and_interviews(waves, boss, django_assert_num_queries):
    with django_assert_num_queries(2):  # the waves with their counts, the codebooks
        rows = {row.wave.slug: row for row in wave_rows(boss)}
    assert [rows[s].completed for s in ("open-wave", "interviews-2026", "draft-wave")] == [3, 2, 0]
    assert [rows[s].in_progress for s in ("open-wave", "interviews-2026", "draft-wave")] == [2, 1, 0]
    assert rows["interviews-2026"].interviews == 3
    assert rows["open-wave"].interviews is None and rows["draft-wave"].interviews is None


def test_home_page_shows_the_counts_and_links(waves, boss, client):
    client.force_login(boss)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'role="region" aria-labelledby="wave-panel-heading" tabindex="0"' in html
    assert "Authentication and Authorization" in html  # the app list stays

    row = _row(html, "open-wave")
    assert _counts(row)["completed"] == "3" and _counts(row)["in_progress"] == "2"
    assert "not an interview wave" in _counts(row)["interviews"]
    assert f'href="{reverse("admin:surveys_wave_change", args=[waves["open"].pk])}">Open wave</a>' in row
    assert reverse("fieldwork:dashboard", kwargs={"slug": "open-wave"}) in row
    assert reverse("analysis:report", kwargs={"slug": "open-wave"}) == "/analysis/w/open-wave/"
    assert 'href="/analysis/w/open-wave/"' in row
    assert reverse("interviews:wave", kwargs={"slug": "open-wave"}) not in row  # a questionnaire

    row = _row(html, "interviews-2026")
    assert _counts(row) == {"completed": "2", "in_progress": "1", "interviews": "3"}
    assert reverse("interviews:wave", kwargs={"slug": "interviews-2026"}) in row
    assert reverse("coding:consensus", kwargs={"slug": "interviews-2026", "question": "added_value"}) in row
    assert 'href="/analysis/w/interviews-2026/"' in row

    row = _row(html, "draft-wave")
    assert _counts(row) == {"completed": "0", "in_progress": "0",
                            "interviews": '<span aria-hidden="true">–</span><span class="visually-hidden">'
                                          'not an interview wave</span>'}
    assert "no dates set" in row


def test_titles_and_statuses_in_the_pages_language(waves, boss, client):
    client.force_login(boss)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    row = _row(html, "open-wave")
    assert ">Открытая волна</a>" in row and "Открыта" in row
    assert "Draft wave" in _row(html, "draft-wave")  # no Russian title: the English one


def test_links_follow_the_users_permissions(waves, make_user, client):
    """A member of Admins (not a superuser) has the role permissions: every area; a staff user
    without them sees the counts and the admin links only."""
    member = make_user(ADMINS, is_staff=True)
    rows = {row.wave.slug: row for row in wave_rows(member)}
    assert [link.url for link in rows["interviews-2026"].links] == [
        "/interviews/w/interviews-2026/", "/coding/w/interviews-2026/added_value/consensus/",
        "/analysis/w/interviews-2026/"]
    assert rows["draft-wave"].links[-1].url == "/analysis/w/draft-wave/"
    assert not any("interviews" in link.url or "coding" in link.url for link in rows["draft-wave"].links)

    staff = make_user(is_staff=True)
    assert all(row.links == [] for row in wave_rows(staff))
    assert [(r.completed, r.in_progress) for r in wave_rows(staff)] == [(0, 0), (2, 1), (3, 2)]  # newest first
