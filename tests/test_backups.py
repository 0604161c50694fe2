"""A backup restores everything it holds: SQLite always; PostgreSQL when DATABASE_URL points at it."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from surveys import services
from surveys.models import Answer, Invitation, Response


def _everything() -> list:
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", "--exclude", "sessions", "--exclude", "admin.logentry",
                 "--indent", "0", stdout=out)
    return sorted(json.loads(out.getvalue()), key=lambda o: (o["model"], str(o.get("pk"))))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_loses_nothing(tmp_path, open_wave, invitation_wave):
    issued = services.invitations_create(wave=invitation_wave, labels=["Factory A", "Factory B"])
    started = services.response_start(wave=open_wave, language="ru")
    services.response_start(wave=invitation_wave, invitation=issued[0].invitation)
    from surveys.selectors import wave_structure

    structure = wave_structure(wave=open_wave)
    first = structure.sections[0]
    services.response_save_section(response=started.response, questions=structure.questions[first.pk],
                                   cleaned_data={"region": 2, "sector": 1}, step=1)
    before = _everything()
    path = tmp_path / f"backup.{'dump' if connection.vendor == 'postgresql' else 'sqlite3'}"
    out = io.StringIO()
    call_command("backup_db", "--out", str(path), stdout=out)
    assert f"Backup written to {path}" in out.getvalue() and path.stat().st_size > 0

    # Damage after the backup: delete a response, change an invitation, add one.
    Response.objects.filter(pk=started.response.pk).delete()
    Invitation.objects.filter(pk=issued[1].invitation.pk).update(label="changed")
    services.invitations_create(wave=open_wave, count=3)
    assert _everything() != before

    call_command("restore_db", str(path), "--yes", stdout=io.StringIO())
    assert _everything() == before
    assert Answer.objects.filter(response__uuid=started.response.uuid).count() == 2
    # The site works on the restored data: new rows get fresh keys.
    assert services.invitations_create(wave=open_wave, count=1)[0].invitation.pk > issued[1].invitation.pk


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_text("hello")
    with pytest.raises(CommandError):
        call_command("restore_db", str(bogus), "--yes")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore_db", str(tmp_path / "missing"), "--yes")
