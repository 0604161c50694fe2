"""One text normaliser on every input path (issue 13, part 1): NFC, line ends, lone surrogates and
control characters refused with a clear message and nothing stored; malformed or over-nested JSON
is a 400; values stored before are repaired by the migration and ``repair_text``."""
from __future__ import annotations

import io
import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.interviews.models import AnswerChange
from surveys.models import Answer, Question, Response
from surveys.text import json_body, JSONBodyError, stored_text_repair, text_normalise, text_repair

from tests.helpers import login

pytestmark = pytest.mark.django_db

DECOMPOSED = "и\u0306"  # и + combining breve: "й" in normal form D
# What an earlier version could have stored: SQLite kept lone surrogates (as their JSON escape);
# PostgreSQL's jsonb never accepted them, so there only control characters got in.
BAD_STORED = "before \ud800 after\x01" if connection.vendor == "sqlite" else "before \x02 after\x01"
BAD_STORED_SHORT = "x\ud800y" if connection.vendor == "sqlite" else "x\x02y"


# --- the normaliser itself -------------------------------------------------------------------------

def test_text_is_stored_in_nfc_with_newline_line_ends():
    assert text_normalise(f"Ма{DECOMPOSED}ка\r\nвторая\rтретья\tконец") == "Майка\nвторая\nтретья\tконец"
    assert unicodedata.is_normalized("NFC", text_normalise("e\u0301")) and text_normalise("e\u0301") == "é"


@pytest.mark.parametrize("text, what, position", [
    ("ab\ud800", "unpaired surrogate (U+D800)", 3),
    ("\udfffx", "unpaired surrogate (U+DFFF)", 1),
    ("a\x01b", "control character U+0001", 2),
    ("bell\x07", "control character U+0007", 5),
    ("x\x1b[31m", "control character U+001B", 2),
    ("del\x7f", "control character U+007F", 4),
    ("c1\x85", "control character U+0085", 3),
])
def test_characters_no_text_may_hold_are_refused_by_name_and_position(text, what, position):
    with pytest.raises(ValidationError) as caught:
        text_normalise(text)
    message = caught.value.messages[0]
    assert what in message and f"position {position}" in message and "nothing was saved" in message
    assert caught.value.error_list[0].code == "invalid_character"


def test_tab_newline_and_every_script_pass():
    text = "Tab\there\nНовая строка; 中文; emoji 😀; العربية"
    assert text_normalise(text) == text


def test_length_is_counted_after_normalisation():
    assert text_normalise(DECOMPOSED * 3, max_length=3) == "ййй"
    with pytest.raises(ValidationError, match="4 characters; at most 3"):
        text_normalise("abcd", max_length=3)


def test_repair_replaces_each_invalid_character_and_keeps_lengths():
    assert text_repair("a\ud800b\x01c") == "a\ufffdb\ufffdc"
    assert text_repair(["ok", "\x02", 3, None]) == ["ok", "\ufffd", 3, None]
    assert text_repair({"k": "\ud801"}) == {"k": "\ufffd"}
    assert text_repair(7) == 7 and text_repair("fine\tline\n") == "fine\tline\n"


@pytest.mark.parametrize("body, message", [
    (b"{", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (json.dumps({"answers": {"a": [[[[[[[[1]]]]]]]]}}).encode(), "nested too deeply"),
    (b"x" * 101, "too large"),
])
def test_json_bodies_are_refused_with_a_reason(body, message):
    with pytest.raises(JSONBodyError, match=message):
        json_body(body, max_bytes=100 if len(body) == 101 else 10_000_000)


# --- the interviewer's autosave -------------------------------------------------------------------

def _autosave(client, interview, body: bytes):
    url = reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid})
    return client.post(url, data=body, content_type="application/json")


def _stored(interview) -> list:
    return sorted((a.question_id, repr(a.value)) for a in Answer.objects.filter(response=interview.response))


def test_a_lone_surrogate_in_the_autosave_is_refused_and_every_page_still_works(make_interview, users):
    interview = make_interview()
    client = login(users["interviewer"])
    before, changes = _stored(interview), AnswerChange.objects.count()
    # the escape json.dumps writes for a lone surrogate, as a tampered client would send it
    body = ('{"version": %d, "answers": {"local_notes": "bad \\ud800 text"}}' % interview.version).encode()
    r = _autosave(client, interview, body)
    assert r.status_code == 422
    assert "unpaired surrogate (U+D800)" in r.json()["errors"]["local_notes"][0]
    assert _stored(interview) == before and AnswerChange.objects.count() == changes
    uuid = interview.response.uuid
    for name in ("interviews:edit", "interviews:history"):
        assert client.get(reverse(name, kwargs={"uuid": uuid})).status_code == 200


def test_control_characters_in_the_autosave_are_refused(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    before = _stored(interview)
    r = _autosave(client, interview, json.dumps({"version": interview.version,
                                                 "answers": {"local_notes": "esc \x1b[2J"}}).encode())
    assert r.status_code == 422 and "U+001B" in r.json()["errors"]["local_notes"][0]
    assert _stored(interview) == before


def test_autosave_text_is_stored_normalised(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    r = _autosave(client, interview, json.dumps({"version": interview.version,
                                                 "answers": {"local_notes": f"Ра{DECOMPOSED}он\r\nцентр"}}).encode())
    assert r.status_code == 200
    assert Answer.objects.get(response=interview.response, question__code="local_notes").value == "Район\nцентр"


@pytest.mark.parametrize("body", [
    b"[" * 50_000 + b"]" * 50_000,
    b'{"version": 1, "answers": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
    b"{not json", b"\xff", b"null", b"[]", b'"text"', b'{"version": "2", "answers": {}}',
    b'{"version": true, "answers": {}}', b'{"version": 1, "answers": []}',
])
def test_malformed_or_over_nested_json_is_a_400(make_interview, users, body):
    interview = make_interview(complete=False)
    before = _stored(interview)
    r = _autosave(login(users["interviewer"]), interview, body)
    assert r.status_code == 400 and r.json()["error"] == "bad_request" and r.json()["message"]
    assert _stored(interview) == before


@pytest.mark.parametrize("value", [{"a": 1}, [["1"]], [{"x": 1}], ["1", ["2"]]])
def test_structured_values_where_one_value_belongs_are_refused(make_interview, users, value):
    interview = make_interview(complete=False)
    before = _stored(interview)
    code = "added_value" if isinstance(value, list) else "local_notes"
    r = _autosave(login(users["interviewer"]), interview,
                  json.dumps({"version": interview.version, "answers": {code: value}}).encode())
    assert r.status_code == 422 and code in r.json()["errors"]
    assert _stored(interview) == before


def test_a_multiple_choice_code_sent_twice_is_stored_once(make_interview, users):
    interview = make_interview(complete=False)
    r = _autosave(login(users["interviewer"]), interview,
                  json.dumps({"version": interview.version, "answers": {"top_advantages": ["2", "1", "2", "1"]}}).encode())
    assert r.status_code == 200
    assert Answer.objects.get(response=interview.response, question__code="top_advantages").value == [1, 2]


ODD_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["\ud800", "a\udc00b", "\x00", "\x1f", "\x7f", "\x9b", "\r\n", "e\u0301", "\ufeff", "\u202e",
                     "x" * 20_001, "😀" * 100]),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ODD_TEXT),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(ODD_TEXT, children, max_size=3)),
    max_leaves=12,
)
CODES = st.sampled_from(["local_notes", "added_value_text", "added_value", "duration_minutes", "interview_date",
                         "region", "consent", "no_such_question"])


@given(answers=st.dictionaries(st.one_of(CODES, ODD_TEXT), JSON_VALUE, max_size=4),
       version=st.one_of(st.just("current"), st.integers(-2, 5), st.text(max_size=3), st.none()),
       raw=st.one_of(st.none(), st.binary(max_size=30)))
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_autosave_fuzzed_never_500_and_stores_only_clean_text(make_interview, users, answers, version, raw):
    """The test client re-raises a server error, so any 500 fails the example."""
    interview = (Response.objects.filter(wave__slug="interviews-2026").first() and
                 users["interviewer"].interviews.first()) or make_interview(complete=False)
    interview.refresh_from_db()
    client = login(users["interviewer"])
    payload = {"version": interview.version if version == "current" else version, "answers": answers}
    body = raw if raw is not None else json.dumps(payload).encode()
    before = _stored(interview)
    r = _autosave(client, interview, body)
    assert r.status_code in (200, 400, 409, 413, 422), r.status_code
    assert r.json()["ok"] is (r.status_code == 200)
    if r.status_code != 200:
        assert _stored(interview) == before and r.json()["message"]
    for answer in Answer.objects.filter(response=interview.response):
        assert text_repair(answer.value) == answer.value  # nothing invalid ever stored
        if isinstance(answer.value, str):
            assert unicodedata.is_normalized("NFC", answer.value) and "\r" not in answer.value
    assert client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).status_code == 200


# --- the respondent's form and the import ------------------------------------------------------------

def test_respondent_text_with_a_control_character_is_a_form_error(instruments, make_user):
    from surveys.forms import SectionForm

    question = Question.objects.filter(instrument=instruments["cluster-managers"], type="long_text").first()
    form = SectionForm({question.code: "ok\x0bno"}, questions=[question], options={})
    assert not form.is_valid()
    assert "control character U+000B at position 3" in form.errors[question.code][0]
    form = SectionForm({question.code: f"ok{DECOMPOSED}\r\n"}, questions=[question], options={})
    assert form.is_valid() and form.cleaned_data[question.code] == "okй"


def test_import_reports_an_invalid_character_by_line_and_stores_nothing(instruments, tmp_path):
    from surveys.imports import read_table, responses_import
    from surveys.models import Wave

    wave = Wave.objects.create(instrument=instruments["cluster-managers"], title="Import", slug="import-text")
    path = tmp_path / "interviews.csv"
    path.write_text("consent,cluster,region,specialisation,interview_date,local_benefits,local_notes\n"
                    "1,Samara,3,1,2026-05-12,1,fine\n"
                    "1,Kazan,3,1,2026-05-13,1,bad\x01cell\n", encoding="utf-8")
    frame, lines = read_table(path)
    report = responses_import(wave=wave, frame=frame, first_row=lines)
    assert not report.ok and Response.objects.filter(wave=wave).count() == 0
    [error] = report.errors
    assert (error.row, error.column) == (3, "local_notes") and "U+0001" in error.message


# --- values stored before: the repair ----------------------------------------------------------------

def test_repair_text_reports_then_repairs_what_was_stored_before(make_interview, users):
    interview = make_interview()
    notes = Question.objects.get(instrument=interview.response.wave.instrument, code="local_notes")
    # stored the way the first version stored it: SQLite keeps a lone surrogate's JSON escape;
    # PostgreSQL's jsonb refuses lone surrogates outright, so there only control characters got in
    bad = BAD_STORED
    Answer.objects.create(response=interview.response, question=notes, value=bad)
    change = AnswerChange.objects.create(interview=interview, question=notes, version=9,
                                         old_value=None, new_value=bad)
    out = io.StringIO()
    call_command("repair_text", "--dry-run", stdout=out)
    assert "surveys.Answer.value: 1 row(s)" in out.getvalue() and "interviews.AnswerChange.new_value: 1" in out.getvalue()
    assert "Nothing was changed" in out.getvalue()
    assert Answer.objects.get(question=notes, response=interview.response).value == bad
    call_command("repair_text", stdout=io.StringIO())
    assert Answer.objects.get(question=notes, response=interview.response).value == "before \ufffd after\ufffd"
    change.refresh_from_db()
    assert change.new_value == "before \ufffd after\ufffd"
    client = login(users["interviewer"])
    for name in ("interviews:edit", "interviews:history"):
        page = client.get(reverse(name, kwargs={"uuid": interview.response.uuid}))
        assert page.status_code == 200 and "before \ufffd after\ufffd" in page.content.decode()
    from django.apps import apps
    assert stored_text_repair(apps.get_model) == {}  # nothing left


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_repairs_a_database_filled_before_it():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    before = migrate([("surveys", "0008_option_missing"), ("interviews", "0001_initial"), ("coding", "0001_initial")])
    try:
        m = {n: before.get_model("surveys", n) for n in ("Instrument", "Section", "Question", "Wave", "Response",
                                                          "Answer", "Invitation")}
        guide = m["Instrument"].objects.create(code="g", kind="interview", title_en="G", title_ru="Г")
        section = m["Section"].objects.create(instrument=guide, code="s", title_en="S", title_ru="S")
        question = m["Question"].objects.create(instrument=guide, section=section, code="notes", type="long_text",
                                                text_en="Q", text_ru="В")
        wave = m["Wave"].objects.create(instrument=guide, title="W", slug="w-repair", status="closed")
        response = m["Response"].objects.create(wave=wave, status="in_progress")
        bad = m["Answer"].objects.create(response=response, question=question, value=BAD_STORED_SHORT)
        fine = m["Answer"].objects.create(response=response, question=question.__class__.objects.create(
            instrument=guide, section=section, code="n2", type="text", text_en="Q", text_ru="В", order=1),
            value="fine")
        label = m["Invitation"].objects.create(wave=wave, token_hash="0" * 64, label="tab\tbell\x07")
        after = migrate(latest)
        Answer, Invitation = after.get_model("surveys", "Answer"), after.get_model("surveys", "Invitation")
        assert Answer.objects.get(pk=bad.pk).value == "x\ufffdy"
        assert Answer.objects.get(pk=fine.pk).value == "fine"
        assert Invitation.objects.get(pk=label.pk).label == "tab\tbell\ufffd"
    finally:
        migrate(latest)


# --- the admin -----------------------------------------------------------------------------------------

def test_the_admin_refuses_a_control_character_and_stores_text_normalised(instruments, client, django_user_model):
    from surveys.models import Wave

    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.org", "pw"))
    instrument = instruments["social-capital"]
    data = {"instrument": instrument.pk, "title": "Bad\x07title", "slug": "bad-title", "status": "draft",
            "access": "open_link", "title_ru": "", "intro_en": "", "intro_ru": "", "privacy_en": "", "privacy_ru": "",
            "contact_en": "", "contact_ru": "",
            "option_sets-TOTAL_FORMS": "0", "option_sets-INITIAL_FORMS": "0", "option_sets-MIN_NUM_FORMS": "0",
            "option_sets-MAX_NUM_FORMS": "1000"}
    r = client.post(reverse("admin:surveys_wave_add"), data)
    assert r.status_code == 200 and "control character U+0007" in r.content.decode()
    assert not Wave.objects.filter(slug="bad-title").exists()
    r = client.post(reverse("admin:surveys_wave_add"), {**data, "title": f"Осень{DECOMPOSED}\r\n"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Wave.objects.get(slug="bad-title").title == "Осеньй"
