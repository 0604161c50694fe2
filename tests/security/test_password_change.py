"""Changing one's password: the site's own pages (not the admin's, which lack its header for
non-staff users), in both languages, and the new password works."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from surveys.roles import CODERS

pytestmark = pytest.mark.django_db


def test_a_coder_changes_the_password_on_the_sites_page(client, make_user):
    user = make_user(CODERS, username="cora")
    user.set_password("old-password-2026")
    user.save()
    client.force_login(user)
    with translation.override("en"):
        page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "<h1 class=\"h4\">Change your password</h1>" in page.content.decode()
    assert 'id="site-name"' not in page.content.decode()  # the site's header, not the admin's
    r = client.post(reverse("password_change"), {"old_password": "old-password-2026",
                                                 "new_password1": "a-new-password-Ωmega-7",
                                                 "new_password2": "a-new-password-Ωmega-7"})
    assert r.status_code == 302 and r["Location"] == reverse("password_change_done")
    done = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="ru")
    assert "Пароль изменён" in done.content.decode() or "Password changed" in done.content.decode()
    assert get_user_model().objects.get(pk=user.pk).check_password("a-new-password-Ωmega-7")


def test_a_wrong_current_password_is_a_form_error_and_changes_nothing(client, make_user):
    user = make_user(CODERS, username="cora2")
    user.set_password("old-password-2026")
    user.save()
    client.force_login(user)
    r = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x-new-pass-2026-z",
                                                 "new_password2": "x-new-pass-2026-z"})
    assert r.status_code == 200 and 'is-invalid' in r.content.decode()
    assert get_user_model().objects.get(pk=user.pk).check_password("old-password-2026")
