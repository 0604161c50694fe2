"""manage.py run_worker: the background worker (django-tasks-db's ``db_worker``) with fieldwork's
recovery: at start and every ``--recover-every`` seconds, messages left ``sending`` by a worker
that stopped are reported as interrupted (never re-sent by themselves) and silent mailings are
taken over. Any number of workers may run, on one machine or several (PostgreSQL)."""
from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from surveys.fieldwork import services

logger = logging.getLogger("surveys.fieldwork")


def _recover() -> None:
    try:
        report = services.fieldwork_recover()
    except Exception:  # noqa: BLE001 - a locked database now is tried again next time
        logger.exception("fieldwork recovery failed")
        return
    if report.interrupted or report.resumed or report.jobs_failed:
        logger.warning("fieldwork recovery: %d interrupted messages, mailings resumed %s, %d jobs failed",
                       report.interrupted, list(report.resumed), report.jobs_failed)


class Command(BaseCommand):
    help = ("Run the background worker: e-mail invitations and reminders, report bundles, analyze. "
            "`make run` starts one beside the web server.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks for new tasks (default 1)")
        parser.add_argument("--recover-every", type=float, default=30.0,
                            help="seconds between recovery checks (default 30)")

    def handle(self, *args, batch: bool, interval: float, recover_every: float, **options):
        _recover()
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(recover_every):
                close_old_connections()
                _recover()
            connection.close()

        thread = threading.Thread(target=loop, name="fieldwork-recovery", daemon=True)
        thread.start()
        try:
            call_command("db_worker", queue_name="*", interval=interval, batch=batch, reload=False,
                         startup_delay=False, verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
