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


PANEL_JS = """() => {
  const region = document.querySelector('.wave-panel-scroll');
  const heading = document.getElementById(region.getAttribute('aria-labelledby'));
  return {role: region.getAttribute('role'), tabindex: region.getAttribute('tabindex'), name: heading.textContent,
          scroll: region.scrollWidth, width: region.clientWidth, page: document.documentElement.scrollWidth,
          rows: region.querySelectorAll('tbody tr').length};
}"""


@pytest.mark.slow
def test_waves_panel_fits_on_a_desktop_and_scrolls_in_its_region_on_a_phone(
        transactional_db, live_server, role_groups, new_page, shoot):
    """The admin's home page with the demo waves: at 1280 px every column of the panel is on screen;
    at 390 px the table scrolls inside its labelled region, which takes the focus, and the page does not."""
    from django.core.management import call_command

    from .test_page_walk import _restore_roles

    _restore_roles(role_groups)
    call_command("make_demo_data", verbosity=0)
    get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    for locale, heading in (("en-GB", "Waves"), ("ru-RU", "Волны")):
        page = new_page({"width": 1280, "height": 900}, locale=locale)
        page.goto("/admin/login/")
        page.locator("#id_username").fill("boss")
        page.locator("#id_password").fill("a-long-admin-password")
        page.locator('input[type="submit"]').click()
        page.wait_for_url("**/admin/")
        panel = page.evaluate(PANEL_JS)
        assert panel["rows"] == Wave.objects.count() == 5
        assert panel["scroll"] <= panel["width"], f"{locale}: columns off screen at 1280 px: {panel}"
        assert (panel["role"], panel["tabindex"], panel["name"]) == ("region", "0", heading)
        shoot(page, f"index-{locale}-1280")

        page.set_viewport_size({"width": 390, "height": 844})
        panel = page.evaluate(PANEL_JS)
        assert panel["scroll"] > panel["width"] and panel["page"] <= 390, panel
        page.locator(".wave-panel-scroll").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(100)
        assert page.evaluate("() => document.querySelector('.wave-panel-scroll').scrollLeft") > 0
        shoot(page, f"index-{locale}-390")
