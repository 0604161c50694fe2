"""Staff find their way in: a log-in entry on every page, and after logging in each role lands on
its own home (issue 17)."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from surveys.roles import ADMINS, CODERS, INTERVIEWERS, RESEARCHERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("group, staff, home", [
    (INTERVIEWERS, False, "/interviews/"),
    (CODERS, False, "/coding/"),
    (RESEARCHERS, False, "/analysis/"),
    (ADMINS, True, "/admin/"),
    (None, False, "/"),
])
def test_each_role_lands_on_its_home_after_logging_in(make_user, group, staff, home):
    user = make_user(group, username="someone", is_staff=staff) if group else make_user(username="someone")
    user.set_password("a-long-pass-phrase-2026")
    user.save()
    client = Client()
    r = client.post(reverse("login"), {"username": "someone", "password": "a-long-pass-phrase-2026"})
    assert r.status_code == 302 and r["Location"] == reverse("staff_home")
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"] == home


def test_every_page_offers_staff_a_way_in_and_the_favicon(client):
    html = client.get(reverse("surveys:home")).content.decode()
    assert f'href="{reverse("staff_home")}"' in html and "Staff log in" in html
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert "/admin/" not in html  # the admin refuses every role but admins: not the way in
    assert client.get(reverse("staff_home"))["Location"].startswith(reverse("login"))
