"""E-mail is configured from the environment: EMAIL_URL or the separate variables."""
from __future__ import annotations

import pytest
from django.conf import settings

from config.settings.base import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def test_the_tests_keep_mail_in_memory():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_defaults_without_any_variable():
    s = email_settings(SMTP, environ={})
    assert s["EMAIL_BACKEND"] == SMTP and s["EMAIL_HOST"] == "localhost" and s["EMAIL_PORT"] == 25
    assert not s["EMAIL_USE_TLS"] and not s["EMAIL_USE_SSL"]
    assert s["DEFAULT_FROM_EMAIL"] == s["SERVER_EMAIL"] == "webmaster@localhost"
    assert email_settings(CONSOLE, environ={})["EMAIL_BACKEND"] == CONSOLE


def test_separate_variables():
    s = email_settings(CONSOLE, environ={
        "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "survey",
        "EMAIL_HOST_PASSWORD": "secret", "EMAIL_USE_TLS": "1", "DEFAULT_FROM_EMAIL": "Survey <survey@example.org>",
    })
    assert s["EMAIL_BACKEND"] == SMTP  # a host means SMTP, even where the default is the console
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"], s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == (
        "smtp.example.org", 587, "survey", "secret")
    assert s["EMAIL_USE_TLS"] and not s["EMAIL_USE_SSL"]
    assert s["DEFAULT_FROM_EMAIL"] == s["SERVER_EMAIL"] == "Survey <survey@example.org>"


@pytest.mark.parametrize("url,host,port,tls,ssl", [
    ("smtp://mail.example.org", "mail.example.org", 25, False, False),
    ("submission://u:p@mail.example.org", "mail.example.org", 587, True, False),
    ("smtp+tls://u:p@mail.example.org:2525", "mail.example.org", 2525, True, False),
    ("smtps://u:p@mail.example.org", "mail.example.org", 465, False, True),
])
def test_email_url(url, host, port, tls, ssl):
    s = email_settings(CONSOLE, environ={"EMAIL_URL": url, "EMAIL_HOST": "ignored"})
    assert (s["EMAIL_BACKEND"], s["EMAIL_HOST"], s["EMAIL_PORT"], s["EMAIL_USE_TLS"], s["EMAIL_USE_SSL"]) == (
        SMTP, host, port, tls, ssl)


def test_email_url_decodes_the_credentials():
    s = email_settings(SMTP, environ={"EMAIL_URL": "submission://survey%40example.org:p%40ss%2Fw@mail.example.org"})
    assert s["EMAIL_HOST_USER"] == "survey@example.org" and s["EMAIL_HOST_PASSWORD"] == "p@ss/w"


def test_email_url_console_and_unknown_schemes():
    assert email_settings(SMTP, environ={"EMAIL_URL": "console://"})["EMAIL_BACKEND"] == CONSOLE
    with pytest.raises(ValueError, match="unknown scheme"):
        email_settings(SMTP, environ={"EMAIL_URL": "ftp://x"})


def test_tls_and_ssl_are_exclusive():
    with pytest.raises(ValueError, match="exclusive"):
        email_settings(SMTP, environ={"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"})
