"""A real worker process (``manage.py run_worker``) against the test's database, killed mid-batch
and started again: no message goes out twice. Under SQLite the database is a file swapped in for
the test (``shared_db``); under PostgreSQL (`make test-postgres`) it is the test database itself."""
from __future__ import annotations

import collections
import signal
import time

from django_tasks_db.models import DBTaskResult

from surveys import services as survey_services
from surveys.fieldwork import services
from surveys.fieldwork.models import Kind, Mailing, Message
from surveys.models import Instrument, Invitation, Wave, hash_token

from .conftest import token_in, wait_for, worker_process

N = 12


def _wave() -> Wave:
    return Wave.objects.create(instrument=Instrument.objects.get(code="social-capital"), title="Field 2026",
                               slug="field-process", status=Wave.Status.OPEN, access=Wave.Access.INVITATION)


def test_a_worker_killed_mid_batch_and_restarted_sends_no_message_twice(shared_db, smtp, client):
    wave = _wave()
    survey_services.invitations_create(wave=wave, emails=[f"person{k:02d}@example.org" for k in range(N)])
    mailing = services.mailing_create(wave=wave, kind=Kind.INVITATION, base_url="http://testserver/")
    env = dict(shared_db.env, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", FIELDWORK_EMAIL_RATE="0",
               FIELDWORK_STALE_SECONDS="1")
    smtp.delay = 0.4  # each message is stored, then the server holds the connection a moment
    first = worker_process(env)
    try:
        wait_for(lambda: smtp.count() >= 5, timeout=60)
        first.send_signal(signal.SIGKILL)  # dies while the fifth message is on the wire, unrecorded
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    delivered_before = smtp.count()
    assert Message.objects.filter(status=Message.Status.SENDING).count() == 1
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == N - delivered_before
    time.sleep(1.5)  # longer than FIELDWORK_STALE_SECONDS: the mailing's task is silent
    smtp.delay = 0.0
    second = worker_process(env, "--batch")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    counts = collections.Counter(smtp.recipients())
    assert sorted(counts) == [f"person{k:02d}@example.org" for k in range(N)]
    assert set(counts.values()) == {1}, counts  # nobody got a second message
    statuses = collections.Counter(Message.objects.values_list("status", flat=True))
    assert statuses == {Message.Status.SENT: N - 1, Message.Status.INTERRUPTED: 1}
    interrupted = Message.objects.get(status=Message.Status.INTERRUPTED)
    assert "may or may not have been delivered" in interrupted.error
    # the dead worker's task is failed, with its reason, in the task engine's results
    old = DBTaskResult.objects.exclude(id=Mailing.objects.get(pk=mailing.pk).task_id).get()
    assert old.status == "FAILED" and "WorkerLost" in old.exception_class_path
    # the admin, having checked the mail server's log, marks the interrupted message sent
    assert services.messages_mark_sent(messages=[interrupted]) == 1
    # and the links the worker e-mailed open the questionnaire
    message = smtp.to("person07@example.org")[0]
    token = token_in(message)
    assert Invitation.objects.get(email="person07@example.org").token_hash == hash_token(token)
    assert client.get(f"/i/{token}/", follow=True).status_code == 200
