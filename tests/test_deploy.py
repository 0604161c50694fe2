"""Production settings: `check --deploy` is clean, secrets are required, workers are sized."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k3J9-a-long-random-production-secret-that-is-only-for-this-test-4f8Qz1x",
    "DJANGO_ALLOWED_HOSTS": "survey.example.org",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_prints_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_behind_a_tls_proxy_is_clean_too():
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_PROXY_SSL_HEADER": "1", "DJANGO_NUM_PROXIES": "1",
           "DJANGO_CSRF_TRUSTED_ORIGINS": "https://survey.example.org"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production." in result.stderr


def test_production_settings_values():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_ENGINE, s.STORAGES['staticfiles']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **PRODUCTION_ENV},
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == [
        "False", "True", "True", "True", "31536000", "django.contrib.sessions.backends.db",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ], out.stderr


@pytest.mark.parametrize("cores,cap,expected", [(1, 8, 3), (2, 8, 5), (4, 8, 8), (16, 8, 8), (16, 12, 12)])
def test_gunicorn_workers_follow_the_cores_with_a_cap(cores, cap, expected):
    namespace: dict = {}
    exec(compile((ROOT / "config/gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["default_workers"](cores, cap) == expected


# --- collectstatic and a real gunicorn with the production settings -------------------------

def test_no_static_file_points_at_a_missing_source_map():
    """WhiteNoise's manifest storage stops collectstatic on a reference to a missing file."""
    import re

    missing = []
    for f in (ROOT / "static").rglob("*"):
        if f.suffix in {".css", ".js"}:
            for ref in re.findall(r"sourceMappingURL=([^\s*]+)", f.read_text(encoding="utf-8")):
                if not (f.parent / ref).exists():
                    missing.append(f"{f.relative_to(ROOT)} -> {ref}")
    assert not missing, missing


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str], method: str = "GET", body: str | None = None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Host": "localhost", **headers})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


@pytest.fixture
def production_server(tmp_path):
    """collectstatic + migrate with config.settings.production, then gunicorn on a free loopback port."""
    import time

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "EMAIL_"))},
        **PRODUCTION_ENV,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",  # as behind a TLS proxy: X-Forwarded-Proto: https
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    steps = [subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for args in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0", "--skip-checks"))]
    for step in steps:
        out, _ = step.communicate(timeout=120)
        assert step.returncode == 0, out
    assert (tmp_path / "static" / "staticfiles.json").exists()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail("gunicorn did not start:\n" + server.communicate()[0])
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def test_gunicorn_serves_pages_and_static_files_with_the_production_settings(production_server):
    import re

    port = production_server
    https = {"X-Forwarded-Proto": "https"}

    # Plain HTTP is sent to HTTPS.
    plain, _ = _get(port, "/", {})
    assert plain.status == 301 and plain.getheader("Location") == "https://localhost/"

    page, body = _get(port, "/", https)
    assert page.status == 200, body[:2000]
    html = body.decode()
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert page.getheader("X-Content-Type-Options") == "nosniff"
    assert page.getheader("X-Frame-Options") == "DENY"
    assert page.getheader("Referrer-Policy") == "same-origin"
    assert page.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    csp = page.getheader("Content-Security-Policy")
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'self'", "form-action 'self'"):
        assert directive in csp, csp

    # The stylesheet under its hashed name, from WhiteNoise, compressed and cached for ever.
    href = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', html).group(1)
    css, content = _get(port, href, {**https, "Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.getheader("Content-Type").startswith("text/css")
    assert css.getheader("Content-Encoding") == "gzip"
    assert "immutable" in css.getheader("Cache-Control")
    assert css.getheader("X-Content-Type-Options") == "nosniff"
    import gzip
    assert b"Bootstrap" in gzip.decompress(content) and b"sourceMappingURL" not in gzip.decompress(content)
    # The admin's own static files are collected and served too.
    login, login_body = _get(port, "/admin/login/", https)
    assert login.status == 200
    admin_href = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login_body.decode()).group(1)
    assert _get(port, admin_href, https)[0].status == 200

    # Cookies: Secure, SameSite=Lax; the language cookie also HttpOnly.
    cookies = login.msg.get_all("Set-Cookie")
    csrf_cookie = next(c for c in cookies if c.startswith("csrftoken="))
    assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    token = csrf_cookie.split(";")[0].split("=", 1)[1]
    switched, _ = _get(port, "/i18n/setlang/", {
        **https, "Cookie": f"csrftoken={token}", "Origin": "https://localhost", "Referer": "https://localhost/",
        "Content-Type": "application/x-www-form-urlencoded"},
        method="POST", body=f"language=ru&next=/&csrfmiddlewaretoken={token}")
    assert switched.status == 302
    language_cookie = next(c for c in switched.msg.get_all("Set-Cookie") if c.startswith("django_language=ru"))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in language_cookie, language_cookie

def test_wsgi_defaults_to_the_production_settings():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {**clean, **{k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}}
    code = ("import os, config.wsgi; from django.conf import settings; "
            "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]
