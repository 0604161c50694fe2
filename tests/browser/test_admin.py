"""An admin creates a wave and its invitations in the Django admin, in a real browser."""
from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model

from surveys.models import Invitation, Wave

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser]


def test_admin_creates_a_wave_and_invitations(survey_data, new_page, shoot):
    get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    page = new_page(DESKTOP)
    page.goto("/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("a-long-admin-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto("/admin/surveys/wave/add/")
    page.get_by_label("Instrument").select_option(label="Enterprise readiness to join a regional cluster")
    page.get_by_label("Title (English)").press_sequentially("Spring 2027")  # typed: the slug follows
    assert page.get_by_label("Slug").input_value() == "spring-2027"  # prepopulated from the title
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Access").select_option("invitation")
    shoot(page, "wave-add")
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/surveys/wave/")
    wave = Wave.objects.get(slug="spring-2027")
    assert wave.status == Wave.Status.OPEN and wave.access == Wave.Access.INVITATION
    shoot(page, "wave-list")

    page.get_by_role("link", name="create invitations").first.click()
    page.wait_for_url(f"**/admin/surveys/wave/{wave.pk}/invitations/")
    page.get_by_label("Labels or e-mails (optional, one per line)").fill("Factory A\nceo@example.org\nFactory C")
    shoot(page, "invitations-form")
    with page.expect_download() as download_info:
        page.locator('main input[type="submit"], main button[type="submit"], #content input[type="submit"]').first.click()
    content = open(download_info.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["label"] for r in rows] == ["Factory A", "", "Factory C"]
    assert [r["email"] for r in rows] == ["", "ceo@example.org", ""]
    assert Invitation.objects.filter(wave=wave).count() == 3

    # The link works in a respondent's browser and opens the questionnaire.
    respondent = new_page(DESKTOP)
    respondent.goto(rows[0]["link"])
    respondent.wait_for_url("**/w/spring-2027/page/1/")
