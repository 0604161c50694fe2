"""Interviewer pages: consent first, one page for the guide, autosave, resume, conflicts, audit."""
from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.interviews import services as interview_services
from surveys.interviews.models import AnswerChange, Interview
from surveys.models import Answer, Question, Response, Wave

from tests.helpers import INTERVIEW_ANSWERS, login

pytestmark = pytest.mark.django_db


def autosave(client, interview, version, answers):
    url = reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid})
    return client.post(url, data=json.dumps({"version": version, "answers": answers}),
                       content_type="application/json")


def stored(interview) -> dict:
    return dict(Answer.objects.filter(response=interview.response).values_list("question__code", "value"))


def test_no_consent_stores_nothing(interview_wave, users):
    client = login(users["interviewer"])
    url = reverse("interviews:start", kwargs={"slug": interview_wave.slug})
    for data in ({}, {"consent": "0"}):
        r = client.post(url, data)
        assert r.status_code == 422
    assert Response.objects.count() == 0 and Interview.objects.count() == 0 and Answer.objects.count() == 0
    assert "nothing has been stored" in client.post(url, {"consent": "0"}).content.decode()


def test_consent_starts_an_interview_of_the_wave(interview_wave, users):
    client = login(users["interviewer"])
    r = client.post(reverse("interviews:start", kwargs={"slug": interview_wave.slug}), {"consent": "1"})
    interview = Interview.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})
    assert interview.response.wave == interview_wave and interview.interviewer == users["interviewer"]
    assert interview.response.status == Response.Status.IN_PROGRESS and interview.consent_at is not None
    assert stored(interview) == {"consent": 1}


def test_the_whole_guide_is_one_page_and_coded_choices_are_left_to_the_coders(make_interview, users):
    interview = make_interview(complete=False)
    page = login(users["interviewer"]).get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}))
    html = page.content.decode()
    assert page.status_code == 200
    for code in ("cluster", "local_benefits", "added_value_text", "inter_sectoral", "sustainable_without_project_funds",
                 "expect_federal"):
        assert f'name="{code}"' in html
    assert 'name="consent"' not in html  # recorded at the start, not editable here
    # the coded question is the coders' final codes: not a field here, named beside its open answer
    assert 'name="added_value"' not in html and 'data-field="added_value"' not in html
    text_box = html[html.index('data-field="added_value_text"'):]
    assert text_box.index("question-coded") < text_box.index('class="question"')
    assert 'rows="8"' in html and "interview-autosave.js" in html and 'id="save-status"' in html


def test_autosave_stores_a_partial_interview_and_it_resumes(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    r = autosave(client, interview, interview.version, {"local_notes": "The university is next door.",
                                                        "top_advantages": ["1", "2"], "duration_minutes": "45"})
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] and data["version"] == interview.version + 1
    assert data["answers"]["top_advantages"] == [1, 2] and data["answers"]["duration_minutes"] == 45
    assert sorted(data["changed"]) == ["duration_minutes", "local_notes", "top_advantages"]
    # leaving and coming back: the page shows what was saved, and the version to continue from
    page = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).content.decode()
    assert "The university is next door." in page and f'data-version="{data["version"]}"' in page
    # clearing an answer deletes it; the same values again change nothing and keep the version
    r = autosave(client, interview, data["version"], {"local_notes": ""})
    assert "local_notes" not in stored(interview) and r.json()["version"] == data["version"] + 1
    again = autosave(client, interview, r.json()["version"], {"top_advantages": ["2", "1"]})
    assert again.json()["version"] == r.json()["version"] and again.json()["changed"] == []


def test_invalid_autosave_changes_nothing(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    before = stored(interview)
    r = autosave(client, interview, interview.version, {"duration_minutes": "abc", "local_notes": "kept?"})
    assert r.status_code == 422 and "duration_minutes" in r.json()["errors"]
    assert stored(interview) == before and Interview.objects.get(pk=interview.pk).version == interview.version
    assert autosave(client, interview, interview.version, {"consent": "0"}).status_code == 422
    assert autosave(client, interview, interview.version, {"nonexistent": "x"}).status_code == 422
    bad = client.post(reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid}), data="not json",
                      content_type="application/json")
    assert bad.status_code == 400 and stored(interview) == before


def test_concurrent_edits_are_refused_with_the_other_version(make_interview, users):
    interview = make_interview(complete=False)
    first, second = login(users["interviewer"]), login(users["interviewer2"])
    loaded = interview.version  # both opened the page at this version
    ok = autosave(first, interview, loaded, {"local_notes": "First interviewer's notes"})
    assert ok.status_code == 200
    refused = autosave(second, interview, loaded, {"local_notes": "Second interviewer's notes"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "conflict" and "ivan" in body["message"]
    assert body["current"]["version"] == loaded + 1 and body["current"]["saved_by"] == "ivan"
    assert body["current"]["answers"]["local_notes"] == "First interviewer's notes"
    assert stored(interview)["local_notes"] == "First interviewer's notes"  # not silently overwritten
    # the second person may then decide to save over it, knowingly, from the version shown
    again = autosave(second, interview, body["current"]["version"], {"local_notes": "Second interviewer's notes"})
    assert again.status_code == 200 and stored(interview)["local_notes"] == "Second interviewer's notes"


def test_conflict_without_javascript_shows_the_other_version(make_interview, users):
    interview = make_interview(complete=False)
    interview_services.interview_save(interview=interview, user=users["interviewer2"], base_version=interview.version,
                                      values={"cooperation_notes": "Saved elsewhere"})
    r = login(users["interviewer"]).post(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}),
                                          {"version": str(interview.version), "cooperation_notes": "Mine"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Saved elsewhere" in html and "irina" in html
    assert stored(interview)["cooperation_notes"] == "Saved elsewhere"


def test_complete_needs_the_required_answers_then_edits_are_audited(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    url = reverse("interviews:complete", kwargs={"uuid": interview.response.uuid})
    client.post(url, {"version": interview.version})
    assert not Interview.objects.get(pk=interview.pk).is_completed
    v = autosave(client, interview, interview.version, {k: str(v) for k, v in INTERVIEW_ANSWERS.items()}).json()["version"]
    r = client.post(url, {"version": v})
    interview.refresh_from_db()
    interview.response.refresh_from_db()
    assert r.status_code == 302 and interview.is_completed and interview.response.status == Response.Status.COMPLETED
    assert interview.response.submitted_at is not None
    # edit later, by someone else: who changed what and when is kept
    autosave(login(users["interviewer2"]), interview, interview.version, {"cluster": "Samara cluster"})
    change = AnswerChange.objects.filter(interview=interview, question__code="cluster").order_by("-version").first()
    assert (change.old_value, change.new_value, change.changed_by) == ("Samara aerospace cluster", "Samara cluster",
                                                                      users["interviewer2"])
    assert interview.history.filter(history_user=users["interviewer2"]).exists()
    # a required answer of a complete interview cannot be emptied
    current = Interview.objects.get(pk=interview.pk).version
    assert autosave(client, interview, current, {"cluster": ""}).status_code == 422
    with translation.override("en"):
        page = client.get(reverse("interviews:history", kwargs={"uuid": interview.response.uuid})).content.decode()
    assert "Samara cluster" in page and "irina" in page
    cluster = Question.objects.get(instrument=interview.response.wave.instrument, code="cluster")
    assert f"<td>{cluster.label_en or cluster.text_en} <code" in page  # the question by its label, its code beside it


def test_closed_wave_is_read_only(make_interview, users, interview_wave):
    interview = make_interview(complete=False)
    Wave.objects.filter(pk=interview_wave.pk).update(status=Wave.Status.CLOSED)
    client = login(users["interviewer"])
    assert autosave(client, interview, interview.version, {"local_notes": "late"}).status_code == 410
    page = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}))
    assert page.status_code == 200 and "<fieldset disabled>" in page.content.decode()
    assert client.post(reverse("interviews:start", kwargs={"slug": interview_wave.slug}),
                       {"consent": "1"}).status_code == 410
    assert Interview.objects.count() == 1


def test_interviewer_sees_only_assigned_waves(interview_wave, users, make_interview):
    interview = make_interview()
    outsider = login(users["outsider"])
    assert interview_wave.title not in outsider.get(reverse("interviews:home")).content.decode()
    assert outsider.get(reverse("interviews:wave", kwargs={"slug": interview_wave.slug})).status_code == 403
    assert outsider.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).status_code == 403
    assert autosave(outsider, interview, interview.version, {"local_notes": "x"}).status_code == 403
    assert interview_wave.title in login(users["interviewer"]).get(reverse("interviews:home")).content.decode()


def test_interview_waves_are_not_offered_to_respondents(interview_wave, client):
    assert client.get(reverse("surveys:wave_entry", kwargs={"slug": interview_wave.slug})).status_code == 404
    Wave.objects.filter(pk=interview_wave.pk).update(access=Wave.Access.OPEN_LINK)
    assert interview_wave.title not in client.get(reverse("surveys:home")).content.decode()
    assert client.post(reverse("surveys:wave_entry", kwargs={"slug": interview_wave.slug})).status_code == 404
    assert Response.objects.count() == 0


def test_interview_page_speaks_russian(make_interview, users):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}),
                      HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert re.search(r'Сохранено: <time datetime="[^"]+">\d\d\.\d\d\.\d{4} \d\d:\d\d \([\w/]+\)</time>, '
                     rf"версия {interview.version}<", html)
    assert "Сохранено: {time}, версия {version}" in html
    assert "Отметить интервью как завершённое" in html


def test_autosave_requires_the_csrf_token(make_interview, users):
    from django.test import Client
    interview = make_interview(complete=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["interviewer"])
    page = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}))
    token = page.context["csrf_token"]
    url = reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid})
    body = json.dumps({"version": interview.version, "answers": {"local_notes": "x"}})
    assert client.post(url, data=body, content_type="application/json").status_code == 403
    assert "local_notes" not in stored(interview)
    r = client.post(url, data=body, content_type="application/json", HTTP_X_CSRFTOKEN=str(token))
    assert r.status_code == 200 and stored(interview)["local_notes"] == "x"


def test_the_guide_s_logic_holds_in_the_autosave_and_the_completion(make_interview, users):
    """expected_funding is asked unless the cluster would be sustainable without project funds."""
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    r = autosave(client, interview, interview.version, {"sustainable_without_project_funds": "1",
                                                        "expected_funding": ["1", "2"]})
    assert r.status_code == 200 and "expected_funding" not in stored(interview)  # hidden: not kept
    v = r.json()["version"]
    r = autosave(client, interview, v, {"sustainable_without_project_funds": "2", "expected_funding": ["1", "2"]})
    assert stored(interview)["expected_funding"] == [1, 2]
    r = autosave(client, interview, r.json()["version"], {"sustainable_without_project_funds": "1"})
    assert "expected_funding" not in stored(interview)  # hidden again: its answer is cleared, and audited
    change = AnswerChange.objects.filter(interview=interview, question__code="expected_funding").order_by("-version")[0]
    assert (change.old_value, change.new_value) == ([1, 2], None)
    page = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).content.decode()
    wrapper = page[page.index('data-code="expected_funding"') - 80:page.index('data-code="expected_funding"') + 300]
    assert "hidden" in wrapper and "data-condition=" in wrapper and "js/logic.js" in page


def test_completing_names_the_missing_questions_by_their_text(make_interview, users):
    interview = make_interview(complete=False)
    r = login(users["interviewer"]).post(reverse("interviews:complete", kwargs={"uuid": interview.response.uuid}),
                                         {"version": interview.version}, follow=True)
    html = r.content.decode()
    assert "Answer the required questions before completing the interview" in html
    assert "“Relies on local benefits”" in html and "local_benefits" not in html.split("Answer the required")[1][:400]
