"""What the worker does: send a mailing's messages one by one (claimed, sent, recorded), and run a
wave's background job. Called by :mod:`surveys.fieldwork.tasks`, never in a request.

No message is e-mailed twice:

1. a message is *claimed* by one conditional UPDATE (``queued`` -> ``sending``) in its own
   transaction, committed before the SMTP conversation starts; two workers cannot both claim it;
2. it is sent; 3. ``sent`` (or ``failed`` with the error) is recorded.

A worker that dies between 1 and 3 leaves the message ``sending``; it is never claimed again.
After ``FIELDWORK_STALE_SECONDS`` :func:`surveys.fieldwork.services.fieldwork_recover` marks it
``interrupted`` for the admin, who checks and retries it or marks it sent.
"""
from __future__ import annotations

import base64
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from surveys.models import Invitation, Response, hash_token

from . import texts
from .models import Contact, Job, Mailing, Message

LINK_SALT = "surveys.fieldwork.invitation-link"
OPT_OUT_SALT = "surveys.fieldwork.opt-out"
MAX_ERROR = 2000


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


# --- links ------------------------------------------------------------------------------------

def contact_for(invitation: Invitation) -> Contact:
    contact = Contact.objects.filter(invitation=invitation).first()
    if contact is None:
        contact, _created = Contact.objects.get_or_create(
            invitation=invitation, defaults={"link_salt": secrets.token_hex(16)})
    return contact


def link_token(invitation: Invitation, contact: Contact) -> str:
    """The invitation's personal token, derived (HMAC-SHA256 under the project's secret) from its
    id and its contact's random salt: the same in the invitation and every reminder, never stored."""
    digest = salted_hmac(LINK_SALT, f"{invitation.pk}:{contact.link_salt}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_issue(invitation: Invitation) -> str:
    """The token to e-mail; the invitation's stored hash becomes its SHA-256 (replacing the token
    of a CSV of links, if one was handed out). Run inside the claiming transaction."""
    token = link_token(invitation, contact_for(invitation))
    token_hash = hash_token(token)
    if invitation.token_hash != token_hash:
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
        invitation.token_hash = token_hash
    return token


def opt_out_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=OPT_OUT_SALT, compress=True)


def opt_out_invitation_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _absolute(base_url: str, path: str) -> str:
    return (settings.FIELDWORK_BASE_URL or base_url).rstrip("/") + path


# --- sending ----------------------------------------------------------------------------------

def skip_reason(message: Message) -> str:
    """Why this message must not go out now ("" when it may)."""
    invitation = message.invitation
    if not invitation.email:
        return "no e-mail address"
    if Contact.objects.filter(invitation=invitation, opted_out_at__isnull=False).exists():
        return "opted out"
    if invitation.used_at is not None or Response.objects.filter(
            invitation=invitation, status=Response.Status.COMPLETED).exists():
        return "completed"
    if not invitation.wave.is_accepting():
        return "the wave is not open"
    return ""


@dataclass(frozen=True)
class Claimed:
    message: Message
    token: str


def message_claim_next(*, mailing: Mailing, worker: str) -> Claimed | None | bool:
    """Claim the next queued message of ``mailing``: a ``Claimed`` to send, ``True`` when one was
    skipped (recorded as such), ``None`` when none is left."""
    candidates = list(Message.objects.filter(mailing=mailing, status=Message.Status.QUEUED)
                      .order_by("pk").values_list("pk", flat=True)[:20])
    for pk in candidates:
        with transaction.atomic():
            claimed = Message.objects.filter(pk=pk, status=Message.Status.QUEUED).update(
                status=Message.Status.SENDING, claimed_at=timezone.now(), claimed_by=worker,
                attempts=F("attempts") + 1, error="")
            if not claimed:
                continue  # another worker has it
            message = Message.objects.select_related("invitation", "invitation__wave").get(pk=pk)
            reason = skip_reason(message)
            if reason:
                Message.objects.filter(pk=pk).update(status=Message.Status.SKIPPED, error=reason)
                return True
            token = link_issue(message.invitation)
        return Claimed(message=message, token=token)
    return None


def message_email(claimed: Claimed, mailing: Mailing, connection=None) -> EmailMessage:
    invitation = claimed.message.invitation
    link = _absolute(mailing.base_url, reverse("surveys:invitation", kwargs={"token": claimed.token}))
    opt_out = _absolute(mailing.base_url, reverse("fieldwork:opt_out", kwargs={"token": opt_out_token(invitation)}))
    composed = texts.compose(texts.texts_for(mailing.wave, claimed.message.kind), language=mailing.language,
                             survey=mailing.wave.title, link=link, opt_out_url=opt_out)
    return EmailMessage(composed.subject, composed.body, settings.DEFAULT_FROM_EMAIL, [invitation.email],
                        headers={"List-Unsubscribe": f"<{opt_out}>"}, connection=connection)


def _record(message: Message, *, error: str = "") -> None:
    if error:
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED, error=error[:MAX_ERROR])
    else:
        Message.objects.filter(pk=message.pk, status__in=[Message.Status.SENDING, Message.Status.INTERRUPTED]).update(
            status=Message.Status.SENT, sent_at=timezone.now(), error="")


def _heartbeat(mailing: Mailing) -> None:
    Mailing.objects.filter(pk=mailing.pk).update(heartbeat_at=timezone.now())


def _pause(mailing: Mailing, seconds: float) -> None:
    """Wait between messages (the throttle), showing signs of life."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 5.0))
        _heartbeat(mailing)


def mailing_send(*, mailing_id: int, worker: str = "") -> dict[str, int]:
    """Send every queued message of a mailing, at most ``FIELDWORK_EMAIL_RATE`` a minute."""
    mailing = Mailing.objects.select_related("wave").get(pk=mailing_id)
    worker = worker or worker_name()
    interval = 60.0 / settings.FIELDWORK_EMAIL_RATE if settings.FIELDWORK_EMAIL_RATE > 0 else 0.0
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    connection = None
    try:
        while True:
            _heartbeat(mailing)
            claimed = message_claim_next(mailing=mailing, worker=worker)
            if claimed is None:
                break
            if claimed is True:
                counts["skipped"] += 1
                continue
            began = time.monotonic()
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                message_email(claimed, mailing, connection).send(fail_silently=False)
            except Exception as exc:  # any SMTP or network failure: recorded on the message
                _record(claimed.message, error=f"{type(exc).__name__}: {exc}")
                counts["failed"] += 1
                if connection is not None:
                    try:
                        connection.close()
                    except Exception:  # noqa: BLE001 - the connection is being dropped anyway
                        pass
                    connection = None
            else:
                _record(claimed.message)
                counts["sent"] += 1
            _pause(mailing, interval - (time.monotonic() - began))
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
    if not Message.objects.filter(mailing=mailing, status=Message.Status.QUEUED).exists():
        Mailing.objects.filter(pk=mailing.pk).update(finished_at=timezone.now())
    return counts


# --- background jobs -------------------------------------------------------------------------

def job_run(*, job_id: int) -> str:
    """Build a job's report bundle or run ``analyze``; the output's path is stored on the job."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return "not queued"
    job = Job.objects.select_related("wave", "wave__instrument").get(pk=job_id)
    try:
        if job.kind == Job.JobKind.BUNDLE:
            from analysis.bundle import bundle_zip_for

            # In the default file storage (STORAGES["default"]), which every web process can read.
            path = default_storage.save(f"jobs/{job.wave.slug}-bundle-{job.pk}.zip",
                                        ContentFile(bundle_zip_for(job.wave, lang=job.lang, free_text=job.free_text)))
        else:
            from django.core.management import call_command

            # A folder on the worker's machine, as `manage.py analyze` writes it.
            path = Path(settings.FIELDWORK_JOBS_DIR) / f"{job.wave.slug}-analyze-{job.pk}"
            call_command("analyze", job.wave.slug, out=path, lang=job.lang, verbosity=0)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR],
                                             finished_at=timezone.now())
        raise  # the task is failed too, with its traceback, in the admin's task results
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, output=str(path), finished_at=timezone.now())
    return str(path)

