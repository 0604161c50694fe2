"""A respondent in a real browser: phone and desktop, leave and resume, Russian; axe on every page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Invitation, Response, Wave

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser]

SECTION_ANSWERS = [
    {"region": "2", "sector": "1", "size": "3", "ownership": "1", "position": "1", "cluster_member": "2"},
    {"sc1_contacts": "4", "sc2_bonds": "3", "sc3_risk_knowledge": "2", "sc4_culture": "1",
     "sc5_cooperation": "4", "sc6_network_benefit": "3", "sc7_trust": "4", "sc8_knowledge_interest": "3"},
    {"readiness": "3", "barriers": ["1", "99"], "barriers__other": "No broadband in the district",
     "comment": "We need the region's support."},
]


def fill_section(page, answers: dict) -> None:
    for code, value in answers.items():
        if isinstance(value, list):
            for v in value:
                page.locator(f'input[name="{code}"][value="{v}"]').check()
        elif page.locator(f'textarea[name="{code}"]').count():
            page.locator(f'textarea[name="{code}"]').fill(value)
        elif page.locator(f'input[type="text"][name="{code}"]').count():  # e.g. "Other, please specify"
            page.locator(f'input[type="text"][name="{code}"]').fill(value)
        else:
            page.locator(f'input[name="{code}"][value="{value}"]').check()


def audited(page, name, shoot, axe_audit) -> None:
    shoot(page, name)
    serious = axe_audit(page, name)
    assert serious == [], f"{name}: serious or critical accessibility violations: {serious}"


def stored(response: Response) -> dict:
    return dict(response.answers.values_list("question__code", "value"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_respondent_completes_the_questionnaire(survey_data, new_page, shoot, axe_audit, viewport):
    page = new_page(viewport)
    page.goto(f"/w/{survey_data.slug}/")
    audited(page, "0-entry", shoot, axe_audit)
    page.get_by_role("button", name="Start").click()
    for number, answers in enumerate(SECTION_ANSWERS, start=1):
        page.wait_for_url(f"**/w/{survey_data.slug}/page/{number}/")
        assert page.get_by_text(f"Page {number} of 3").is_visible()
        audited(page, f"{number}-section", shoot, axe_audit)
        fill_section(page, answers)
        page.get_by_role("button", name="Review answers" if number == 3 else "Next").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/review/")
    assert page.get_by_text("We need the region's support.").is_visible()
    audited(page, "4-review", shoot, axe_audit)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/thanks/")
    assert page.get_by_role("heading", name="Thank you!").is_visible()
    audited(page, "5-thanks", shoot, axe_audit)
    if viewport == PHONE:  # nothing wider than the phone's screen
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    response = Response.objects.get(wave=survey_data)
    assert response.status == Response.Status.COMPLETED and response.language == "en"
    answers = stored(response)
    assert answers["region"] == 2 and answers["sc1_contacts"] == 4 and answers["sc4_culture"] == 1
    assert answers["barriers"] == [1, 99] and answers["barriers__other"] == "No broadband in the district"
    assert answers["comment"] == "We need the region's support."
    assert len(answers) == 18


def test_respondent_leaves_half_way_and_resumes_elsewhere(survey_data, new_page, shoot, axe_audit):
    page = new_page(PHONE)
    page.goto(f"/w/{survey_data.slug}/")
    page.get_by_role("button", name="Start").click()
    fill_section(page, SECTION_ANSWERS[0])
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/page/2/")
    fill_section(page, {"sc1_contacts": "2", "sc2_bonds": "2"})  # half of page 2, then leave
    page.get_by_role("button", name="Save and continue later").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/saved/")
    audited(page, "saved", shoot, axe_audit)
    link = page.get_by_label("Resume link").input_value()
    assert "/resume/" in link
    page.context.close()

    # Another device: the link brings the respondent back to where they stopped.
    other = new_page(DESKTOP)
    other.goto(link)
    other.wait_for_url("**/page/2/")
    assert other.locator('input[name="sc1_contacts"][value="2"]').is_checked()  # partial page was kept
    other.get_by_role("button", name="Back").click()
    other.wait_for_url("**/page/1/")
    assert other.locator('input[name="region"][value="2"]').is_checked()
    other.get_by_role("button", name="Next").click()
    fill_section(other, SECTION_ANSWERS[1])
    other.get_by_role("button", name="Next").click()
    other.wait_for_url("**/page/3/")
    fill_section(other, SECTION_ANSWERS[2])
    other.get_by_role("button", name="Review answers").click()
    other.get_by_role("button", name="Submit answers").click()
    other.wait_for_url("**/thanks/")
    response = Response.objects.get(wave=survey_data)
    assert response.status == Response.Status.COMPLETED
    assert stored(response)["sc1_contacts"] == 4  # changed on the second device
    assert Response.objects.count() == 1


def test_respondent_switches_to_russian(survey_data, new_page, shoot, axe_audit):
    page = new_page(PHONE)
    page.goto(f"/w/{survey_data.slug}/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/page/1/")
    page.get_by_role("button", name="Русский").click()
    page.wait_for_url("**/page/1/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_text("В каком регионе работает ваше предприятие?").is_visible()
    audited(page, "ru-1-section", shoot, axe_audit)
    for number, answers in enumerate(SECTION_ANSWERS, start=1):
        fill_section(page, answers)
        page.locator('button[name="next"]').click()  # the same button, whatever its translated label
    page.wait_for_url("**/review/")
    audited(page, "ru-review", shoot, axe_audit)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url("**/thanks/")
    audited(page, "ru-thanks", shoot, axe_audit)
    assert Response.objects.get(wave=survey_data).language == "ru"


def test_unavailable_pages_are_accessible(survey_data, new_page, shoot, axe_audit):
    Wave.objects.create(instrument=survey_data.instrument, title="Closed", slug="closed-wave",
                        status=Wave.Status.CLOSED, opens_at=timezone.now() - dt.timedelta(days=9))
    invited = Wave.objects.create(instrument=survey_data.instrument, title="Invited", slug="invited-wave",
                                  status=Wave.Status.OPEN, access=Wave.Access.INVITATION)
    issued = services.invitations_create(wave=invited, count=1)
    Invitation.objects.filter(pk=issued[0].invitation.pk).update(used_at=timezone.now())
    page = new_page(PHONE)
    for name, url, heading in [
        ("home", "/", "Cluster Readiness Survey"),
        ("unknown-wave", "/w/no-such-wave/", "Survey not found"),
        ("closed-wave", "/w/closed-wave/", "This survey is closed"),
        ("invitation-only", "/w/invited-wave/", "Invitation required"),
        ("used-invitation", f"/i/{issued[0].token}/", "This link is not valid"),
        ("unknown-page", "/no/such/page/", "Page not found"),
        ("login", "/accounts/login/", None),
    ]:
        page.goto(url)
        if heading:
            assert page.get_by_role("heading", name=heading).is_visible(), name
        audited(page, name, shoot, axe_audit)


def test_a_page_shown_in_answer_to_a_form_is_reloaded_and_revisited_by_its_own_address(survey_data, new_page):
    """Each "Next" answers with the next page itself (surveys.views._forward); the browser's history
    then holds each page's own address, so reloading a page or going back to one asks for it again
    (GET) and never sends a form a second time."""
    from urllib.parse import urlparse

    page = new_page(DESKTOP)
    documents: list[tuple[str, str]] = []
    page.on("request", lambda r: documents.append((r.method, urlparse(r.url).path))
            if r.resource_type == "document" else None)
    base = f"/w/{survey_data.slug}/"
    page.goto(base)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**{base}page/1/")
    fill_section(page, SECTION_ANSWERS[0])
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"**{base}page/2/")
    assert documents == [("GET", base), ("POST", base), ("POST", f"{base}page/1/")]

    documents.clear()
    page.reload()
    assert documents == [("GET", f"{base}page/2/")]
    assert page.get_by_text("Page 2 of 3").is_visible() and urlparse(page.url).path == f"{base}page/2/"
    page.go_back()
    page.wait_for_url(f"**{base}page/1/")
    assert page.get_by_text("Page 1 of 3").is_visible()
    assert page.locator('input[name="region"][value="2"]').is_checked()  # the answers given there
    page.go_forward()
    page.wait_for_url(f"**{base}page/2/")
    assert all(method == "GET" for method, _path in documents), documents
    response = Response.objects.get(wave=survey_data)
    assert response.current_step == 1 and len(stored(response)) == 6
