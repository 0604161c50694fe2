"""An admin runs a wave's fieldwork in a real browser: writes the invitation, sends it (the worker
runs it), watches the dashboard on a desktop and on a 390-pixel phone, with the keyboard; axe-core
finds no serious violation. The screenshots are those of docs/waves.md."""
from __future__ import annotations

import os
import re
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from surveys import services as survey_services
from surveys.fieldwork.models import Message
from surveys.models import Wave

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser]

DOC_IMAGES = settings.BASE_DIR / "docs" / "img"


def _login(page) -> None:
    page.set_default_timeout(60_000)  # the worker and the live server share two busy cores
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("a-long-admin-password")
    page.get_by_label("Password").press("Enter")  # the keyboard submits the form
    page.wait_for_load_state()


def _fits(page, width: int) -> bool:
    """Nothing scrolls the page sideways (wide tables scroll inside their .table-responsive)."""
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_an_admin_writes_sends_and_watches_the_dashboard(survey_data, new_page, shoot, axe_audit):
    wave = survey_data
    wave.access = Wave.Access.INVITATION
    wave.save()
    get_user_model().objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    survey_services.invitations_create(wave=wave, emails=["anna@example.org", "boris@example.org",
                                                          "vera@example.org"])
    page = new_page(DESKTOP)
    _login(page)
    page.goto(f"/fieldwork/w/{wave.slug}/")
    shots = {"fieldwork-dashboard-empty": shoot(page, "dashboard-empty")}
    assert axe_audit(page, "dashboard-empty") == []

    page.get_by_role("link", name="Write and send invitations and reminders").click()
    subject = page.locator("#id_invitation-subject_en")
    subject.fill("An invitation to {survey}")
    shots["fieldwork-compose"] = shoot(page, "compose")
    assert axe_audit(page, "compose") == []
    page.locator('button[name="save"][value="invitation"]').click()
    page.wait_for_load_state()
    assert "The texts are saved." in page.content()
    page.get_by_label("What to send").select_option("invitation")
    page.get_by_label("Language of the message").select_option("en")
    page.get_by_role("button", name="Queue the messages").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/fieldwork/w/{wave.slug}/")
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 3

    call_command("run_worker", batch=True, interval=0, verbosity=0)  # the worker, as `make run` starts it
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "boris@example.org", "vera@example.org"]
    assert mail.outbox[0].subject == f"An invitation to {wave.title}"
    link = re.search(r"https?://\S+/i/\S+/", mail.outbox[0].body).group(0)

    respondent = new_page(PHONE)
    respondent.set_default_timeout(60_000)
    respondent.goto(link)
    respondent.wait_for_url(f"**/w/{wave.slug}/page/1/")

    page.reload()
    assert page.locator('[data-count="sent"]').inner_text() == "3"
    assert page.locator('[data-count="opened"]').inner_text() == "1"
    shots["fieldwork-dashboard"] = shoot(page, "dashboard")

    phone = new_page(PHONE)
    _login(phone)
    phone.goto(f"/fieldwork/w/{wave.slug}/")
    assert _fits(phone, PHONE["width"]), "the dashboard scrolls sideways at 390 px"
    assert axe_audit(phone, "dashboard-phone") == []
    phone.goto(f"/fieldwork/w/{wave.slug}/messages/")
    assert _fits(phone, PHONE["width"]), "the texts page scrolls sideways at 390 px"
    phone.goto(f"/fieldwork/w/{wave.slug}/invitations/")
    assert _fits(phone, PHONE["width"])
    assert axe_audit(phone, "invitations-phone") == []

    if os.environ.get("UPDATE_DOC_IMAGES") == "1":  # refresh the screenshots of docs/waves.md
        DOC_IMAGES.mkdir(exist_ok=True)
        for name, path in shots.items():
            shutil.copy(path, DOC_IMAGES / f"{name}.png")
