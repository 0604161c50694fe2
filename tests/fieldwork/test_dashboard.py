"""The fieldwork dashboard on a wave with known counts: the rates are checked against hand-computed
values (AAPOR Standard Definitions, RR1 and RR2)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services as survey_services
from surveys.fieldwork import selectors
from surveys.fieldwork.models import Contact, Kind, Mailing, Message
from surveys.models import Answer, Question, Response
from surveys.roles import ADMINS, INTERVIEWERS, RESEARCHERS

DAY1 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def known(field_wave):
    """Ten invitations, e-mailed (one e-mail failed): 3 completed, 2 started (pages saved), 1 opened
    only, 1 opted out after the e-mail, 1 whose e-mail failed, 2 silent; plus one completed response
    by the open link."""
    issued = survey_services.invitations_create(wave=field_wave, emails=[f"p{k}@example.org" for k in range(10)])
    inv = [i.invitation for i in issued]
    mailing = Mailing.objects.create(wave=field_wave, kind=Kind.INVITATION, base_url="http://testserver/")
    for k, invitation in enumerate(inv):
        status = {6: Message.Status.FAILED, 7: Message.Status.SENT}.get(k, Message.Status.SENT)
        Message.objects.create(mailing=mailing, invitation=invitation, kind=Kind.INVITATION, status=status,
                               error="550 no such user" if status == Message.Status.FAILED else "",
                               sent_at=DAY1 if status == Message.Status.SENT else None)
    for k, day in ((0, 0), (1, 0), (2, 2)):  # completed: two on the first day, one two days later
        when = DAY1 + dt.timedelta(days=day)
        Response.objects.create(wave=field_wave, invitation=inv[k], status=Response.Status.COMPLETED,
                                current_step=3, submitted_at=when)
        inv[k].used_at = when
        inv[k].save()
    for k, step in ((3, 1), (4, 2), (5, 0)):  # started (pages 1, 1-2 saved); opened only
        Response.objects.create(wave=field_wave, invitation=inv[k], current_step=step)
    Contact.objects.create(invitation=inv[7], link_salt="x", opted_out_at=timezone.now())
    Response.objects.create(wave=field_wave, status=Response.Status.COMPLETED, current_step=3, submitted_at=DAY1,
                            resume_token_hash="open-link")
    return inv


def test_the_rates_equal_the_hand_computed_ones(known, field_wave):
    board = selectors.dashboard_get(wave=field_wave)
    # I = 3 complete, P = 2 partial, R = 1 opted out, NC = 1 failed e-mail, other = 3 (opened 1, sent 2)
    assert (board.completes, board.partials, board.refusals, board.non_contacts, board.other) == (3, 2, 1, 1, 3)
    assert board.rr1.numerator == 3 and board.rr1.denominator == 10 and board.rr1.value == pytest.approx(0.3)
    assert board.rr2.numerator == 5 and board.rr2.denominator == 10 and board.rr2.value == pytest.approx(0.5)
    assert dict((key, n) for key, _label, n in board.funnel) == {
        "invited": 10, "sent": 9, "opened": 6, "started": 5, "completed": 3, "opted_out": 1}
    assert board.states == {"created": 0, "sending": 0, "interrupted": 0, "failed": 1, "sent": 2, "opened": 1,
                            "started": 2, "completed": 3, "opted_out": 1}
    assert board.open_link_completed == 1
    assert board.per_day == [(dt.date(2026, 3, 2), 3), (dt.date(2026, 3, 3), 0), (dt.date(2026, 3, 4), 1)]
    assert [(row["page"], row["code"], row["count"]) for row in board.stops] == [
        (1, "profile", 1), (2, "social_capital", 1), (3, "readiness", 1), (4, "review", 0)]


def test_the_page_shows_the_rates_with_their_formulas_and_a_chart(known, field_wave, client, make_user):
    client.force_login(make_user(RESEARCHERS))
    page = client.get(reverse("fieldwork:dashboard", kwargs={"slug": field_wave.slug}))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-rate="RR1">30\.0<', html) and re.search(r'data-rate="RR2">50\.0<', html)
    assert "RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))" in html
    assert "RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO))" in html
    # the chart is drawn by the server: two SVGs, and no script of the page's own (the layout's
    # files only)
    assert html.count("<svg") == 2
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/vendor/bootstrap/bootstrap.bundle.min.js" defer>',
        '<script src="/static/js/time-zone.js" defer>']
    assert 'class="table-responsive"' in html
    assert "Write and send invitations" not in html  # researchers watch; admins send


def test_who_may_open_the_dashboard(field_wave, client, make_user):
    url = reverse("fieldwork:dashboard", kwargs={"slug": field_wave.slug})
    assert client.get(url).status_code == 302  # to the login
    client.force_login(make_user(INTERVIEWERS))
    assert client.get(url).status_code == 403
    client.force_login(make_user(ADMINS, is_staff=True))
    assert "Write and send invitations" in client.get(url).content.decode()


def test_partial_responses_download_with_status_and_last_page(known, field_wave, client, make_user):
    started = Response.objects.get(invitation=known[3])
    Answer.objects.create(response=started, question=Question.objects.get(instrument=field_wave.instrument, code="region"), value=2)
    Answer.objects.create(response=started, question=Question.objects.get(instrument=field_wave.instrument, code="barriers"), value=[1, 6])
    Answer.objects.create(response=started, question=Question.objects.get(instrument=field_wave.instrument, code="comment"),
                          value="=HYPERLINK(\"http://x\")")
    client.force_login(make_user(RESEARCHERS))
    response = client.get(reverse("fieldwork:partial_csv", kwargs={"slug": field_wave.slug}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3  # the two started and the one opened; no completed response
    by_uuid = {row["response_uuid"]: row for row in rows}
    row = by_uuid[str(started.uuid)]
    assert (row["status"], row["pages_saved"], row["last_page"], row["last_page_code"]) == (
        "in_progress", "1", "2", "social_capital")
    assert row["region"] == "2" and row["barriers"] == "1;6" and row["sector"] == ""
    assert row["comment"] == "'=HYPERLINK(\"http://x\")"  # never run as a formula by a spreadsheet
    assert {r["last_page_code"] for r in rows} == {"profile", "social_capital", "readiness"}
