"""The stored CSV line of each response: written once, forgotten by the database as soon as the
response or an answer changes (whatever writes it), rebuilt for a new layout, never lost."""
import csv
import io

import pandas as pd
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis import exports, frames
from analysis.frames import lines
from analysis.models import ResponseLine
from surveys.models import Answer, Question, Response, Section

pytestmark = pytest.mark.django_db


def _rows(wave):
    return list(csv.DictReader(io.StringIO("".join(exports.csv_rows(wave)))))


def test_first_export_stores_one_line_per_completed_response(demo_wave):
    assert not ResponseLine.objects.exists()
    first = "".join(exports.csv_rows(demo_wave))
    assert ResponseLine.objects.filter(response__wave=demo_wave).count() == 100
    with CaptureQueriesContext(connection) as queries:
        second = "".join(exports.csv_rows(demo_wave))
    assert second == first
    assert len(queries) <= 8  # nothing to write: the layout, one check and one read


def test_stored_lines_equal_the_frame(demo_wave):
    "".join(exports.csv_rows(demo_wave))  # lines stored
    from_csv = pd.read_csv(io.StringIO("".join(exports.csv_rows(demo_wave))))
    frame = frames.wave_frame(demo_wave, codes=True)
    assert list(from_csv.columns) == list(frame.columns)
    by_id = from_csv.set_index("response_id")
    for column in ["sc1_contacts", "sc7_trust", "readiness", "region", "size", "barriers__1", "barriers__99"]:
        expected = frame.set_index("response_id")[column].astype("float64")
        assert by_id.loc[expected.index, column].astype("float64").fillna(-1).tolist() == expected.fillna(-1).tolist()


def test_order_is_by_submission_time(demo_wave):
    rows = _rows(demo_wave)
    stamps = [r["submitted_at"] for r in rows]
    assert stamps == sorted(stamps) and len(rows) == 100


@pytest.mark.parametrize("how", ["orm_update", "queryset_update", "raw_sql", "delete", "insert"])
def test_a_changed_answer_is_exported_with_its_new_value(demo_wave, how):
    "".join(exports.csv_rows(demo_wave))
    response = demo_wave.responses.filter(status=Response.Status.COMPLETED).order_by("pk").first()
    answer = Answer.objects.get(response=response, question__code="sc1_contacts")
    new = 1 if answer.value != 1 else 2
    if how == "orm_update":
        answer.value = new
        answer.save()
    elif how == "queryset_update":
        Answer.objects.filter(pk=answer.pk).update(value=new)
    elif how == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Answer._meta.db_table} SET value = %s WHERE id = %s", [str(new), answer.pk])
    elif how == "delete":
        answer.delete()
        new = ""
    else:
        answer.delete()
        "".join(exports.csv_rows(demo_wave))
        Answer.objects.create(response=response, question=answer.question, value=new)
    assert not ResponseLine.objects.filter(response=response).exists()
    row = next(r for r in _rows(demo_wave) if r["response_id"] == str(response.uuid))
    assert row["sc1_contacts"] == str(new)


def test_a_changed_response_is_exported_anew(demo_wave):
    "".join(exports.csv_rows(demo_wave))
    response = demo_wave.responses.filter(status=Response.Status.COMPLETED).order_by("pk").first()
    Response.objects.filter(pk=response.pk).update(language="en" if response.language != "en" else "ru")
    row = next(r for r in _rows(demo_wave) if r["response_id"] == str(response.uuid))
    assert row["language"] == Response.objects.get(pk=response.pk).language
    Response.objects.filter(pk=response.pk).update(status=Response.Status.IN_PROGRESS, submitted_at=None)
    assert len(_rows(demo_wave)) == 99


def test_a_new_question_and_a_renamed_wave_rewrite_the_lines(demo_wave):
    "".join(exports.csv_rows(demo_wave))
    section = Section.objects.filter(instrument=demo_wave.instrument).order_by("-order").first()
    Question.objects.create(instrument=demo_wave.instrument, section=section, code="added_later",
                            type=Question.Type.TEXT, text_en="Added later", text_ru="Добавлен позже", order=999,
                            required=False)
    rows = _rows(demo_wave)
    assert "added_later" in rows[0] and rows[0]["added_later"] == ""
    demo_wave.slug = "renamed-demo"
    demo_wave.save()
    assert {r["wave"] for r in _rows(demo_wave)} == {"renamed-demo"}
    assert set(ResponseLine.objects.values_list("layout", flat=True)) == {lines.csv_layout(demo_wave)}


def test_a_line_missing_while_streaming_is_built_on_the_spot(demo_wave, monkeypatch):
    expected = "".join(exports.csv_rows(demo_wave))
    ResponseLine.objects.all().delete()
    monkeypatch.setattr(lines, "csv_lines_refresh", lambda wave: 0)  # as if deleted after the refresh
    assert "".join(exports.csv_rows(demo_wave)) == expected
    assert not ResponseLine.objects.exists()


def test_refresh_reports_progress_and_writes_only_what_is_missing(demo_wave):
    calls = []
    assert lines.csv_lines_refresh(demo_wave, chunk_size=30, progress=lambda d, t: calls.append((d, t))) == 100
    assert calls == [(30, 100), (60, 100), (90, 100), (100, 100)]
    assert lines.csv_lines_refresh(demo_wave) == 0


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="SQLite serialises writing transactions (BEGIN IMMEDIATE)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_changed_while_its_line_is_written_is_not_lost(instruments, monkeypatch):
    """PostgreSQL: a writer that changes only an answer, while a refresh is reading that response's
    answers, waits for the refresh to commit and then forgets the line it wrote. (SQLite takes the
    write lock at BEGIN, so the two cannot overlap there.)"""
    import threading

    from django.core.management import call_command
    from django.db import connections

    from surveys.models import Wave

    call_command("make_demo_data", verbosity=0)
    wave = Wave.objects.get(slug="social-capital-demo")
    response = wave.responses.filter(status=Response.Status.COMPLETED).order_by("pk").first()
    answer = Answer.objects.get(response=response, question__code="sc1_contacts")
    new = 1 if answer.value != 1 else 2

    def writer():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET lock_timeout = '30s'")
                cursor.execute(f"UPDATE {Answer._meta.db_table} SET value = %s WHERE id = %s", [str(new), answer.pk])
        finally:
            connections["default"].close()

    thread = threading.Thread(target=writer)
    real = lines.answers_by_response

    def racing(responses):
        rows = list(real(responses))
        thread.start()
        thread.join(timeout=1.0)  # the writer now waits for this refresh to commit
        yield from rows

    monkeypatch.setattr(lines, "answers_by_response", racing)
    lines.csv_lines_refresh(wave)
    monkeypatch.setattr(lines, "answers_by_response", real)
    thread.join(timeout=30)
    assert not thread.is_alive()
    row = next(r for r in _rows(wave) if r["response_id"] == str(response.uuid))
    assert row["sc1_contacts"] == str(new)
