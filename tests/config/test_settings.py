"""Settings come from the environment; production refuses to start without its secrets."""
from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def _run(args, env):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_default_database_is_sqlite_in_wal_mode_with_busy_timeout():
    db = settings.DATABASES["default"]
    if "sqlite" not in db["ENGINE"]:
        return  # the suite also runs against PostgreSQL
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_production_requires_secret_key_and_hosts():
    result = _run(["check"], {"DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_check_deploy_is_clean(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64 + "-a-long-random-production-secret",
        "DJANGO_ALLOWED_HOSTS": "survey.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_accounts_are_refused_outside_demo_mode():
    result = _run(["create_demo_accounts"], {"DJANGO_SETTINGS_MODULE": "config.settings.test"})
    assert result.returncode != 0
    assert "only created with demo settings" in result.stderr
