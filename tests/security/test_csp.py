"""Content-Security-Policy: on every page, and no template needs inline scripts."""
from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

REQUIRED = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
            "base-uri 'self'", "form-action 'self'", "style-src 'self'"]


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["surveys:home", "login", "password_reset", "admin:login"])
def test_pages_carry_the_policy(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in header, header
    directives = _directives(header)
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'unsafe-inline'" not in directives["style-src"]


@pytest.mark.django_db
def test_the_admin_works_under_the_policy(client):
    """The admin's pages load their scripts by src only (Django 5 has no inline scripts)."""
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(admin)
    for url in (reverse("admin:index"), reverse("admin:surveys_wave_changelist"),
                reverse("admin:surveys_wave_add"), reverse("admin:surveys_wave_add") + "?_popup=1"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Content-Security-Policy" in page
        html = page.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates(*roots: Path):
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            yield path, path.read_text(encoding="utf-8")


def test_no_template_has_inline_scripts_or_event_handlers():
    admin_templates = Path(django.__file__).parent / "contrib" / "admin" / "templates"
    wrong = []
    for path, text in _templates(Path(settings.BASE_DIR) / "templates", admin_templates):
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                wrong.append(f"{path}: {match.group(0)[:80]}")
    assert not wrong, "Blocked by script-src 'self' (docs/security.md):\n" + "\n".join(wrong)


def test_no_template_has_a_style_element():
    """<style> elements are blocked (style-src 'self'); only style="..." attributes are allowed. The
    bundle's report.html is a file the researcher opens from disk, never served: it carries its own."""
    wrong = [str(p) for p, text in _templates(Path(settings.BASE_DIR) / "templates")
             if re.search(r"<style\b", text) and p.name != "bundle_report.html"]
    assert not wrong, wrong
