"""The background tasks (django-tasks, database backend): run by ``manage.py run_worker``."""
from __future__ import annotations

from django_tasks import task

from . import sending


@task()
def send_mailing(mailing_id: int) -> dict[str, int]:
    """Send a mailing's queued messages (claim, send, record; throttled)."""
    return sending.mailing_send(mailing_id=mailing_id, worker=sending.worker_name())


@task()
def run_job(job_id: int) -> str:
    """Build a report bundle or run ``analyze`` for a wave."""
    return sending.job_run(job_id=job_id)
