"""Password reset by e-mail, without revealing which addresses have an account."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("olga", "olga@example.org", "old-password-123")


def _text(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_known_address_gets_a_working_link(client, user):
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200 and "Reset your password" in form.content.decode()
    sent = client.post(reverse("password_reset"), {"email": "olga@example.org"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olga@example.org"]
    assert message.subject == "Password reset on testserver"
    assert "olga" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    opened = client.get(link, follow=True)
    assert opened.status_code == 200 and opened.context["validlink"]
    set_password_url = opened.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": "a-new-long-password-7", "new_password2": "a-new-long-password-7"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-new-long-password-7")
    # The link works once only.
    assert "This password-reset link is not valid" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_identical_pages(client, user):
    known = client.post(reverse("password_reset"), {"email": "olga@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert len(mail.outbox) == 1  # only the known one
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert _text(known) == _text(unknown)
    assert "If an account with this e-mail address exists" in _text(unknown)


def test_the_pages_are_in_the_sites_layout_and_translated(client, user):
    client.cookies["django_language"] = "ru"
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        page = client.get(reverse(name))
        html = page.content.decode()
        assert page.status_code == 200
        assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in html
        assert 'lang="ru"' in html
    assert "Сброс пароля" in client.get(reverse("password_reset")).content.decode()
    client.post(reverse("password_reset"), {"email": "olga@example.org"})
    assert "Сброс пароля" in mail.outbox[0].subject


def test_the_login_pages_link_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    assert reverse("admin_password_reset") in client.get(reverse("admin:login")).content.decode()
