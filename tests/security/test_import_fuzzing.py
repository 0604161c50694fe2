"""Property-based fuzzing of the import (issue 13, part 2): random cells, separators, encodings,
line breaks, byte-order marks. Never an unhandled exception: either a clean import of every row or
a refusal whose every message names a row of the file (its line), with nothing stored."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from surveys.imports import ImportFileError, read_table, responses_import
from surveys.instruments import instrument_import
from surveys.models import Answer, Response, Wave

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

INSTRUMENT = {
    "code": "fuzzed", "title": {"en": "Fuzzed", "ru": "Фаззинг"},
    "scales": [{"code": "ynd", "label": {"en": "Y/N/DK", "ru": "Д/Н/НЗ"}, "options": [
        {"code": 1, "label": {"en": "Yes", "ru": "Да"}}, {"code": 2, "label": {"en": "No", "ru": "Нет"}},
        {"code": 9, "label": {"en": "Don't know", "ru": "Не знаю"}, "missing": True}]}],
    "sections": [{"code": "s", "title": {"en": "S", "ru": "С"}, "questions": [
        {"code": "agree", "type": "single", "scale": "ynd", "text": {"en": "Agree?", "ru": "Согласны?"}},
        {"code": "picks", "type": "multiple", "scale": "ynd", "required": False, "text": {"en": "Picks", "ru": "Выбор"}},
        {"code": "amount", "type": "number", "required": False, "text": {"en": "Amount", "ru": "Сумма"}},
        {"code": "visit", "type": "date", "required": False, "text": {"en": "Visit", "ru": "Визит"}},
        {"code": "note", "type": "long_text", "required": False, "text": {"en": "Note", "ru": "Заметка"}}]}],
}
COLUMNS = ["response_id", "submitted_at", "language", "agree", "picks", "picks__1", "amount", "visit", "note",
           "unknown"]
CELL = st.one_of(
    st.sampled_from(["", "NA", "1", "2", "9", "Yes", "Да", "не знаю", "0", "1;9", "3", "-1.5", "1e309", "nan",
                     "2024-02-29", "2023-02-29", "29.02.2024", "02/03/2024", "2024-13-01", "Привет, мир",
                     "=HYPERLINK(\"x\")", "line\nbreak", 'quote " inside', "\x00", "\ud800", "a;b", "\t",
                     "7d2b3c1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "2024-01-02T03:04:05+00:00", "x" * 30_000]),
    st.text(max_size=40),
)
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "latin-1", "utf-16"])


def _csv(header: list[str], rows: list[list[str]], sep: str) -> str:
    def field(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in (sep, '"', "\n", "\r")) else text
    return "".join(sep.join(field(c) for c in line) + "\n" for line in [header, *rows])


@given(header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=7), min_size=0, max_size=4),
       sep=st.sampled_from([",", ";", "\t"]), encoding=ENCODING, date_format=st.sampled_from(["iso", "dmy"]),
       junk=st.one_of(st.just(b""), st.binary(max_size=8)))
@FUZZ
def test_import_never_crashes_and_is_all_or_nothing(tmp_path_factory, header, rows, sep, encoding, date_format, junk):
    wave = Wave.objects.filter(slug="fuzzed").first() or Wave.objects.create(
        instrument=instrument_import(data=INSTRUMENT), title="F", slug="fuzzed", status=Wave.Status.CLOSED)
    text = _csv(header, [r[: len(header)] for r in rows], sep)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(data + junk)
    before = (Response.objects.count(), Answer.objects.count())
    n_lines = (data + junk).count(b"\n") + 1
    try:
        frame, lines = read_table(path, date_format=date_format)
    except ImportFileError as exc:
        event("file refused")
        assert str(exc)  # a clear refusal
        assert (Response.objects.count(), Answer.objects.count()) == before
        return
    report = responses_import(wave=wave, frame=frame, first_row=lines, date_format=date_format)
    after = (Response.objects.count(), Answer.objects.count())
    event("imported" if report.ok else "errors reported")
    if report.ok:
        assert report.created == len(frame) and after[0] == before[0] + len(frame)
    else:
        assert after == before and report.created == 0
        assert all(1 <= e.row <= n_lines for e in report.errors), [str(e) for e in report.errors]
        assert all(str(e).startswith(f"row {e.row}, column ") for e in report.errors)
