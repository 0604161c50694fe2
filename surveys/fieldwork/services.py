"""Writes of fieldwork: e-mail texts, mailings (queued for the worker), retries, opt-outs, the
recovery after a worker stopped, background jobs. Keyword-only, typed, atomic."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from surveys.models import Invitation, Wave

from . import sending, tasks, texts
from .models import Contact, Job, Kind, Language, Mailing, Message, MessageTemplate
from .selectors import mailing_recipients

INTERRUPTED_ERROR = ("The worker stopped while this message was being sent: it may or may not have been "
                     "delivered. It is not sent again by itself; check, then retry it or mark it sent.")
WORKER_LOST = "surveys.fieldwork.services.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped before it finished."""


# --- texts ------------------------------------------------------------------------------------

def template_save(*, wave: Wave, kind: str, subject_en: str, body_en: str, subject_ru: str,
                  body_ru: str) -> MessageTemplate:
    with transaction.atomic():
        template, _created = MessageTemplate.objects.update_or_create(
            wave=wave, kind=kind,
            defaults={"subject_en": subject_en, "body_en": body_en, "subject_ru": subject_ru, "body_ru": body_ru})
    return template


def template_reset(*, wave: Wave, kind: str) -> None:
    """Back to the default texts."""
    MessageTemplate.objects.filter(wave=wave, kind=kind).delete()


# --- mailings ---------------------------------------------------------------------------------

def _enqueue(mailing: Mailing) -> None:
    result = tasks.send_mailing.enqueue(mailing.pk)
    Mailing.objects.filter(pk=mailing.pk).update(task_id=str(result.id), finished_at=None)
    mailing.task_id = str(result.id)


def mailing_create(*, wave: Wave, kind: str, language: str = Language.BOTH, base_url: str,
                   user=None) -> Mailing:
    """Queue one message per recipient and the task that sends them (in one transaction)."""
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of message."), code="kind")
    if language not in Language.values:
        raise ValidationError(_("Unknown language."), code="language")
    if not wave.is_accepting():
        raise ValidationError(_("The wave is not open: open it before sending, so that the links work."),
                              code="wave_closed")
    try:
        with transaction.atomic():
            # One mailing of a wave is created at a time (a double click, two admins): the wave's row
            # is locked on PostgreSQL; SQLite's write transactions are serialised anyway.
            Wave.objects.select_for_update().filter(pk=wave.pk).first()
            ids = list(mailing_recipients(wave=wave, kind=kind).order_by("pk").values_list("pk", flat=True))
            if not ids:
                raise ValidationError(_("Nobody to send this to: no invitation with an e-mail address is "
                                        "waiting for it."), code="nobody")
            mailing = Mailing.objects.create(wave=wave, kind=kind, language=language, base_url=base_url,
                                             created_by=user if getattr(user, "pk", None) else None)
            Message.objects.bulk_create([Message(mailing=mailing, invitation_id=pk, kind=kind) for pk in ids],
                                        batch_size=1000)
            _enqueue(mailing)
    except IntegrityError as exc:  # an invitation is e-mailed its invitation once (a unique constraint)
        raise ValidationError(_("Another mailing of this wave was created at the same moment; look at the "
                                "dashboard before sending again."), code="concurrent") from exc
    return mailing


def messages_retry(*, messages: Iterable[Message]) -> int:
    """Queue failed (or, as the admin decides, interrupted) messages again; return how many."""
    pks = [m.pk for m in messages]
    with transaction.atomic():
        retry = Message.objects.filter(pk__in=pks, status__in=[Message.Status.FAILED, Message.Status.INTERRUPTED])
        mailing_ids = set(retry.values_list("mailing_id", flat=True))
        count = retry.update(status=Message.Status.QUEUED, claimed_at=None, claimed_by="")
        for mailing in Mailing.objects.filter(pk__in=mailing_ids):
            _enqueue(mailing)
    return count


def messages_mark_sent(*, messages: Iterable[Message]) -> int:
    """Record interrupted messages as delivered (the admin checked the mail server's log)."""
    return Message.objects.filter(pk__in=[m.pk for m in messages], status=Message.Status.INTERRUPTED).update(
        status=Message.Status.SENT, sent_at=timezone.now(), error="")


def opt_out(*, invitation: Invitation) -> Contact:
    """The invitee asks for no more messages; queued ones are skipped when their turn comes."""
    with transaction.atomic():
        contact = sending.contact_for(invitation)
        if contact.opted_out_at is None:
            contact.opted_out_at = timezone.now()
            contact.save(update_fields=["opted_out_at"])
    return contact


# --- recovery after a worker stopped ---------------------------------------------------------

@dataclass(frozen=True)
class RecoveryReport:
    interrupted: int
    resumed: tuple[int, ...]
    jobs_failed: int


def _lose_task(task_id: str, now: dt.datetime) -> None:
    if task_id:
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=now, exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: the worker running this task stopped before it finished.\n")


def fieldwork_recover(*, now: dt.datetime | None = None) -> RecoveryReport:
    """Run by every worker at start and every little while:

    - messages ``sending`` for longer than ``FIELDWORK_STALE_SECONDS`` become ``interrupted``
      (reported to the admin, never re-sent by themselves);
    - a mailing with queued messages whose task stopped showing signs of life is taken over (one
      conditional UPDATE, so one worker does it): its old task is marked failed and a new one is
      queued, which sends only what is still ``queued``;
    - a job ``running`` for longer than ``FIELDWORK_JOB_STALE_SECONDS`` is failed.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.FIELDWORK_STALE_SECONDS)
    interrupted = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=stale).update(
        status=Message.Status.INTERRUPTED, error=INTERRUPTED_ERROR)
    resumed = []
    queued = Message.objects.filter(mailing=OuterRef("pk"), status=Message.Status.QUEUED)
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    for mailing in Mailing.objects.filter(silent, Exists(queued)):
        if DBTaskResult.objects.filter(id=mailing.task_id or None, status="READY").exists():
            continue  # still waiting for a worker: nothing lost
        with transaction.atomic():
            taken = Mailing.objects.filter(pk=mailing.pk, heartbeat_at=mailing.heartbeat_at,
                                           task_id=mailing.task_id).update(heartbeat_at=now)
            if not taken:
                continue
            _lose_task(mailing.task_id, now)
            _enqueue(mailing)
        resumed.append(mailing.pk)
    job_stale = now - dt.timedelta(seconds=settings.FIELDWORK_JOB_STALE_SECONDS)
    lost_jobs = list(Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=job_stale))
    for job in lost_jobs:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, finished_at=now, error=_("The worker stopped before the job finished."))
        _lose_task(job.task_id, now)
    return RecoveryReport(interrupted=interrupted, resumed=tuple(resumed), jobs_failed=len(lost_jobs))


# --- background jobs -------------------------------------------------------------------------

def job_create(*, wave: Wave, kind: str, lang: str = "en", free_text: bool = False, user=None) -> Job:
    if kind not in Job.JobKind.values:
        raise ValidationError(_("Unknown kind of job."), code="kind")
    if lang not in texts.LANGUAGES:
        raise ValidationError(_("Unknown language."), code="language")
    with transaction.atomic():
        job = Job.objects.create(wave=wave, kind=kind, lang=lang, free_text=free_text,
                                 requested_by=user if getattr(user, "pk", None) else None)
        result = tasks.run_job.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job
