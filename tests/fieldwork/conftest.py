"""A real SMTP server on loopback (aiosmtpd), a wave with e-mail invitations, and a database a real
worker process can share (the PostgreSQL test database, or a file SQLite database swapped in)."""
from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

from surveys import services
from surveys.models import Wave

ROOT = Path(settings.BASE_DIR)
LINK = re.compile(r"https?://[^\s]+/i/([A-Za-z0-9_-]+)/")
OPT_OUT = re.compile(r"https?://[^\s]+(/fieldwork/opt-out/[^\s/]+/)")


@dataclass
class Mailbox:
    """What the SMTP server received; ``refuse`` holds addresses answered with 550."""

    messages: list = field(default_factory=list)
    refuse: set = field(default_factory=set)
    delay: float = 0.0  # seconds to hold each DATA after storing it (to kill a worker mid-send)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def token_in(message) -> str:
    return LINK.search(body(message)).group(1)


def opt_out_path(message) -> str:
    return OPT_OUT.search(body(message)).group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend is pointed at it."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    mailbox.port = port
    yield mailbox
    controller.stop()


@pytest.fixture
def field_wave(social_capital) -> Wave:
    return Wave.objects.create(instrument=social_capital, title="Cluster survey 2026", slug="field-2026",
                               status=Wave.Status.OPEN, access=Wave.Access.INVITATION)


def invite(wave: Wave, *emails: str):
    return services.invitations_create(wave=wave, emails=list(emails), labels=["" for _e in emails])


def run_worker() -> None:
    """The worker command, in this process, until nothing is queued. Its loop closes "old"
    connections as a request does, which inside the test's transaction would close the test's own
    connection (PostgreSQL): that hygiene step is left out here; the worker process test has it."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("run_worker", batch=True, interval=0, verbosity=0)


# --- a database a worker process can share --------------------------------------------------

@dataclass
class SharedDatabase:
    env: dict[str, str]


@pytest.fixture
def shared_db(django_db_serialized_rollback, transactional_db, tmp_path):
    """The test's database, reachable from another process: PostgreSQL's test database as it is;
    under SQLite (whose test database lives in this process's memory) a file database, migrated
    and swapped in as the default connection for the test's duration. Rolled back by
    serialization, as the other transactional tests are, so the content types keep their keys."""
    old = connections["default"]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_"))}
    base_env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DJANGO_DEBUG="0", DJANGO_DEMO="0",
                    DJANGO_SECRET_KEY=settings.SECRET_KEY, DJANGO_VAR_DIR=str(tmp_path))
    if old.vendor == "postgresql":
        s = old.settings_dict
        base_env["DATABASE_URL"] = (f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:"
                                    f"{s['PORT'] or 5432}/{s['NAME']}")
        call_command("load_instruments", verbosity=0)
        yield SharedDatabase(env=base_env)
        return
    path = tmp_path / "shared.sqlite3"
    settings_dict = dict(old.settings_dict, NAME=str(path))
    new = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="default")
    connections["default"] = new
    try:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_instruments", verbosity=0)
        base_env["DATABASE_URL"] = f"sqlite:///{path}"
        yield SharedDatabase(env=base_env)
    finally:
        new.close()
        connections["default"] = old


def worker_process(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--interval", "0.2", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, timeout: float = 30.0, step: float = 0.02) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting")

