"""Blind double coding is blind, and coded answers stay coded (issue 12, parts 1 and 2).

While a unit is half-coded (coder A finished, coder B not yet), A's codes reach nobody but A: no
page, JSON response, export, admin page, figure or agreement table shows them, for any role. Final
codes come only from a decision; an interviewer's correction of a coded answer is recorded and
withdraws the final codes until a researcher re-confirms or re-codes; Figure 1, the exports and the
consensus page agree after every step.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from analysis.frames.coding import agreement_long, coded_units, coding_frame, final_code_counts
from analysis.report import report_build
from analysis.stats.agreement import agreement_table
from surveys.coding import selectors as coding_selectors
from surveys.coding import services as coding_services
from surveys.coding.models import Coding, UnitCorrection, UnitView
from surveys.interviews import services as interview_services
from surveys.interviews.models import AnswerChange, Interview
from surveys.models import Answer

from tests.helpers import login

pytestmark = pytest.mark.django_db

TEXT = "We start joint R&D projects and win project funds; the platform speaks for us."
QUOTE = "the platform speaks for us"  # only coder A marks it (category 6)


def cat(codebook, code):
    return codebook.categories.get(code=code)


def code(codebook, response, user, codes, *, finish=True, quote_for=None):
    text = Answer.objects.get(response=response, question__code="added_value_text").value
    inputs = []
    for k in codes:
        if k == quote_for:
            start = text.index(QUOTE)
            inputs.append(coding_services.CodeInput(category=cat(codebook, k), start=start, end=start + len(QUOTE),
                                                    quote=QUOTE))
        else:
            inputs.append(coding_services.CodeInput(category=cat(codebook, k)))
    return coding_services.coding_save(codebook=codebook, response=response, coder=user, codes=inputs,
                                       finish=finish)


def unit_url(name, interview, **kw):
    return reverse(f"coding:{name}", kwargs={"slug": interview.response.wave.slug, "question": "added_value",
                                             "uuid": interview.response.uuid, **kw})


def data_csv(client, wave) -> list[dict[str, str]]:
    url = reverse("analysis:download", kwargs={"slug": wave.slug, "name": "data", "fmt": "csv"})
    text = b"".join(client.get(url).streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(params=["queued", "second_draft"])
def half_coded(request, make_interview, codebook, users):
    """Coder A finished one unit (categories 1 and 6, with a quote for 6); it waits for a second
    coder ("queued"), or coder B has a draft ("second_draft")."""
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1, 6], quote_for=6)
    if request.param == "second_draft":
        code(codebook, interview.response, users["coder2"], [2], finish=False)
    users["admin"].is_superuser = True
    users["admin"].save()
    return interview


def leaks(html: str) -> list[str]:
    """Traces of coder A's codes in a page seen by someone other than A."""
    found = []
    if f"<q>{QUOTE}</q>" in html or f'value="{QUOTE}"' in html:
        found.append("quote")
    if "✓" in html:
        found.append("tick")
    for state in ("coders agree", "coders disagree", "final codes set"):
        if f">{state}<" in html or f"{state}: " in html:  # a unit's state, or the count of units in it
            found.append(state)
    return found


def test_half_coded_unit_reaches_no_one_but_its_coder(half_coded, codebook, users, interview_wave):
    """Every coding and interview page, the autosave JSON, data.csv, Figure 1 (table and counts),
    the agreement table and the admin pages, as each role, while the unit is half-coded."""
    interview = half_coded
    wave = interview_wave
    coding_pages = [
        reverse("coding:home"),
        reverse("coding:next", kwargs={"slug": wave.slug, "question": "added_value"}),
        reverse("coding:consensus", kwargs={"slug": wave.slug, "question": "added_value"}),
        unit_url("consensus_unit", interview),
        reverse("coding:codebook", kwargs={"pk": codebook.pk}),
    ]
    interview_pages = [reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}),
                       reverse("interviews:history", kwargs={"uuid": interview.response.uuid})]
    admin_pages = [reverse("admin:coding_coding_changelist"),
                   *[reverse("admin:coding_coding_change", args=[c.pk]) for c in Coding.objects.all()],
                   reverse("admin:coding_codingdecision_changelist"),
                   reverse("admin:surveys_response_change", args=[interview.response.pk])]
    for role in ("interviewer", "coder2", "researcher", "admin"):
        client = login(users[role])
        for url in coding_pages + interview_pages + (admin_pages if role == "admin" else []):
            r = client.get(url)
            assert r.status_code < 500, (role, url)
            html = r.content.decode()
            assert not leaks(html), (role, url, leaks(html))
        if role == "admin":
            for url in admin_pages[1:2]:
                html = client.get(url).content.decode()
                assert "hidden until every coding of this answer is finished" in html
                assert "applied code" not in html.lower()
        # coder B's own page shows B's draft (if any) and nothing of A's
        if role == "coder2":
            html = client.get(unit_url("unit", interview)).content.decode()
            assert html.count("checked") <= 1 and f'value="{QUOTE}"' not in html
    # the consensus page of a half-coded unit says why it shows nothing
    r = login(users["researcher"]).get(unit_url("consensus_unit", interview))
    assert r.status_code == 409 and "every coding this answer needs" in r.content.decode()
    # coder A sees A's own codes (and only on A's page)
    own = login(users["coder"]).get(unit_url("unit", interview)).content.decode()
    assert f'value="{QUOTE}"' in own
    # the interviewer's autosave JSON carries no coded answer
    state = login(users["interviewer"]).post(
        reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid}), content_type="application/json",
        data=json.dumps({"version": interview.version, "answers": {"local_notes": "ok"}})).json()
    assert state["ok"] and "added_value" not in state["answers"] and "added_value" not in state["display"]
    # exports: data.csv has no coded categories for the unit, whoever downloads it
    for role in ("researcher", "admin"):
        rows = data_csv(login(users[role]), wave)
        assert [row for row in rows if row["response_id"] == str(interview.response.uuid)]
        for row in rows:
            assert all(row[f"added_value__{k}"] in ("", "0") for k in range(1, 8)), row
    # the report page and Figure 1's table as downloaded: nothing counted, no agreement table
    for role in ("researcher", "admin"):
        client = login(users[role])
        page = client.get(reverse("analysis:report", kwargs={"slug": wave.slug}))
        assert page.status_code == 200 and not leaks(page.content.decode())
        table = client.get(reverse("analysis:download", kwargs={"slug": wave.slug, "name": "figure1", "fmt": "csv"})
                           + "?values=1").content.decode()
        assert [int(float(r["count"])) for r in csv.DictReader(io.StringIO(table))] == [0] * 7, table
        assert client.get(reverse("analysis:download", kwargs={"slug": wave.slug, "name": "agreement",
                                                               "fmt": "csv"})).status_code == 404
    # Figure 1: no final codes, nothing counted
    counts = final_code_counts(wave, "added_value")
    assert counts["count"].sum() == 0 and counts.attrs["n_coded"] == 0
    report = report_build(wave, lang="en")
    assert report.table("figure1").data["count"].sum() == 0
    assert report.table("agreement") is None
    # agreement: the half-coded unit is not in the coders' frames
    assert coding_frame(wave, "added_value").empty and coded_units(wave, "added_value").empty
    long, _codes = agreement_long(wave, "added_value")
    assert long.empty
    assert coding_selectors.final_codes(codebook=codebook, wave=wave) == {}
    assert Answer.objects.filter(question__code="added_value").count() == 0


def test_a_researcher_who_codes_a_unit_cannot_set_its_consensus(make_interview, codebook, users, interview_wave):
    """The researcher holds the coding permission: coding blind is fine, deciding their own unit is not."""
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1, 6], quote_for=6)
    researcher = login(users["researcher"])
    assert researcher.get(unit_url("consensus_unit", interview)).status_code == 409  # nothing shown before
    r = researcher.post(unit_url("unit", interview), {f"code_{cat(codebook, 1).pk}": "on", "finish": "1"})
    assert r.status_code == 302
    r = researcher.get(unit_url("consensus_unit", interview))
    assert r.status_code == 403 and "did not code it" in r.content.decode()
    r = researcher.post(unit_url("consensus_unit", interview), {"categories": [cat(codebook, 1).pk]})
    assert r.status_code == 403
    listing = researcher.get(reverse("coding:consensus", kwargs={"slug": interview_wave.slug,
                                                                 "question": "added_value"})).content.decode()
    assert "you coded it" in listing and "did not code it" in listing
    researcher.post(reverse("coding:consensus", kwargs={"slug": interview_wave.slug, "question": "added_value"}),
                    {"accept_agreed": "1"})
    assert coding_selectors.final_codes(codebook=codebook, wave=interview_wave) == {}
    # another researcher decides
    other = User.objects.create_user("rosa")
    other.groups.add(users["researcher"].groups.first())
    r = login(other).post(unit_url("consensus_unit", interview), {"categories": [cat(codebook, 1).pk]})
    assert r.status_code == 302
    assert coding_selectors.final_codes(codebook=codebook, wave=interview_wave) == {interview.response.pk: {1}}
    # unless the codebook allows it, stated on the page
    coding_services.codebook_design_set(codebook=codebook, design="double", coders_may_decide=True)
    page = researcher.get(unit_url("consensus_unit", interview))
    assert page.status_code == 200 and "allows a coder of an answer to set its consensus" in page.content.decode()


def test_who_saw_a_units_codes_cannot_code_it(make_interview, codebook, users, interview_wave):
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1])
    coding_services.unit_seen(codebook=codebook, response=interview.response, user=users["researcher"])
    r = login(users["researcher"]).get(unit_url("unit", interview))
    assert r.status_code == 403 and "cannot code it blind" in r.content.decode()
    with pytest.raises(Exception) as exc:
        code(codebook, interview.response, users["researcher"], [1])
    assert getattr(exc.value, "code", "") == "seen"
    next_url = reverse("coding:next", kwargs={"slug": interview_wave.slug, "question": "added_value"})
    assert login(users["researcher"]).get(next_url).status_code == 200  # nothing offered: the "done" page
    # opening the consensus page records the view
    code(codebook, interview.response, users["coder2"], [1])
    login(users["admin"]).get(unit_url("consensus_unit", interview))
    assert UnitView.objects.filter(user=users["admin"], response=interview.response).exists()


def test_design_is_stated_and_locked_once_coding_starts(make_interview, codebook, users):
    assert codebook.design == "double" and codebook.required_codings == 2
    client = login(users["researcher"])
    page = client.get(reverse("coding:codebook", kwargs={"pk": codebook.pk})).content.decode()
    assert "Double coding" in page and "Single coding" in page
    r = client.post(reverse("coding:codebook_design", kwargs={"pk": codebook.pk}), {"design": "single"})
    assert r.status_code == 302
    codebook.refresh_from_db()
    assert codebook.design == "single"
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1], finish=False)
    r = client.post(reverse("coding:codebook_design", kwargs={"pk": codebook.pk}), {"design": "double"})
    assert r.status_code == 422 and "can no longer change" in r.content.decode()


def test_admin_shows_codes_only_of_complete_units(make_interview, codebook, users):
    interview = make_interview(TEXT)
    a = code(codebook, interview.response, users["coder"], [6], quote_for=6)
    admin = login(User.objects.create_superuser("root", password="pw"))
    url = reverse("admin:coding_coding_change", args=[a.pk])
    assert QUOTE not in admin.get(url).content.decode().split("</h1>", 1)[1].split("added_value_text")[0]
    assert admin.get(reverse("admin:coding_coding_add")).status_code == 403
    assert admin.post(url, {"status": "in_progress"}).status_code == 403
    code(codebook, interview.response, users["coder2"], [6])
    assert f"{QUOTE}" in admin.get(url).content.decode()


def test_the_agreement_table_follows_the_current_codings(make_interview, codebook, users, interview_wave):
    one, two = make_interview(TEXT), make_interview("Services of the management company.")
    for interview in (one, two):
        code(codebook, interview.response, users["coder"], [1])
        code(codebook, interview.response, users["coder2"], [1])
    before = report_build(interview_wave, lang="en").table("agreement").data
    assert before.loc["overall", "percent_agreement"] == pytest.approx(100)
    three = make_interview("Knowledge transfer.")
    code(codebook, three.response, users["coder"], [4])
    code(codebook, three.response, users["coder2"], [5])
    after = report_build(interview_wave, lang="en").table("agreement").data
    long, codes = agreement_long(interview_wave, "added_value")
    live = agreement_table(long, unit="unit", coder="coder", code="code", codes=codes)
    assert after.loc["overall", "percent_agreement"] < 100
    assert after.loc["overall", "krippendorff_alpha"] == pytest.approx(live.loc["overall", "krippendorff_alpha"])


# --- coded answers that stay coded ------------------------------------------------------------------

def test_interviewer_cannot_silently_change_a_coded_answer(make_interview, codebook, users):
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1], finish=False)  # coding has started
    client = login(users["interviewer"])
    interview = Interview.objects.get(pk=interview.pk)
    r = client.post(reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid}),
                    content_type="application/json",
                    data=json.dumps({"version": interview.version, "answers": {"added_value_text": "Other text."}}))
    assert r.status_code == 422 and "Correct this answer" in r.json()["errors"]["added_value_text"][0]
    # nor the coded categories, which interviewers never record
    r = client.post(reverse("interviews:autosave", kwargs={"uuid": interview.response.uuid}),
                    content_type="application/json",
                    data=json.dumps({"version": interview.version, "answers": {"added_value": ["3"]}}))
    assert r.status_code == 422
    # the form without JavaScript keeps the text whatever is posted
    page = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).content.decode()
    assert "Correct this answer" in page
    client.post(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid}),
                {"version": interview.version, "added_value_text": "Other text.", "cluster": "Samara aerospace cluster",
                 "region": "3", "specialisation": "1", "interview_date": "2026-05-12", "local_benefits": "1"})
    assert Answer.objects.get(response=interview.response, question__code="added_value_text").value == TEXT
    with pytest.raises(Exception) as exc:
        interview_services.interview_save(interview=interview, user=users["interviewer"],
                                          base_version=Interview.objects.get(pk=interview.pk).version,
                                          values={"added_value_text": "Other text."})
    assert getattr(exc.value, "code", "") == "coded_text"
    # the correction page needs a reason, and refuses an empty answer
    url = reverse("interviews:correct", kwargs={"uuid": interview.response.uuid, "question": "added_value_text"})
    version = Interview.objects.get(pk=interview.pk).version
    r = client.post(url, {"text": "Other text.", "reason": "", "version": version})
    assert r.status_code == 422 and "This field is required" in r.content.decode()
    r = client.post(url, {"text": "   ", "reason": "typo", "version": version})
    assert r.status_code == 422 and "cannot be emptied" in r.content.decode()
    # an answer nobody codes is not corrected there
    other = reverse("interviews:correct", kwargs={"uuid": interview.response.uuid, "question": "local_notes"})
    assert client.get(other).status_code == 403


def outputs(client, wave, codebook, interview) -> dict:
    """What Figure 1, data.csv and the consensus page say about the unit's final codes."""
    counts = final_code_counts(wave, "added_value").set_index("code")["count"].to_dict()
    figure = report_build(wave, lang="en").table("figure1").data["count"].to_dict()
    row = next(r for r in data_csv(client, wave) if r["response_id"] == str(interview.response.uuid))
    exported = {k for k in range(1, 8) if row[f"added_value__{k}"] == "1"}
    listing = client.get(reverse("coding:consensus", kwargs={"slug": wave.slug, "question": "added_value"}))
    unit = next(u for u in coding_selectors.unit_summary_list(codebook=codebook, wave=wave)
                if u.response.pk == interview.response.pk)
    final = coding_selectors.final_codes(codebook=codebook, wave=wave).get(interview.response.pk, set())
    return {"figure": {k for k, n in counts.items() if n}, "report": {k for k, n in figure.items() if n},
            "export": exported, "final": final, "state": unit.state, "listing": listing.content.decode()}


def assert_agree(out, codes: set[int]):
    assert out["figure"] == out["report"] == out["export"] == out["final"] == codes, out


def test_figure_exports_and_consensus_agree_at_every_step(make_interview, codebook, users, interview_wave):
    """Coding started, first coder finished, second finished, consensus, interviewer correction,
    researcher re-confirm; then a second correction and a re-code."""
    wave = interview_wave
    interview = make_interview(TEXT)
    researcher = login(users["researcher"])
    States = coding_selectors.UnitState

    code(codebook, interview.response, users["coder"], [1, 6], quote_for=6, finish=False)
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, set())
    assert out["state"] == States.CODING

    code(codebook, interview.response, users["coder"], [1, 6], quote_for=6)
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, set())
    assert out["state"] == States.CODING and not leaks(out["listing"])

    code(codebook, interview.response, users["coder2"], [1])
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, set())
    assert out["state"] == States.DISAGREED

    r = researcher.post(unit_url("consensus_unit", interview), {"categories": [cat(codebook, 1).pk,
                                                                              cat(codebook, 6).pk]})
    assert r.status_code == 302
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, {1, 6})
    assert out["state"] == States.DECIDED

    # the interviewer corrects the text: recorded, marked, final codes withdrawn everywhere
    interviewer = login(users["interviewer"])
    corrected = "We start joint R&D projects and win project funds."
    url = reverse("interviews:correct", kwargs={"uuid": interview.response.uuid, "question": "added_value_text"})
    version = Interview.objects.get(pk=interview.pk).version
    r = interviewer.post(url, {"text": corrected, "reason": "The last sentence was another manager's.",
                               "version": version})
    assert r.status_code == 302
    change = AnswerChange.objects.filter(interview=interview, question__code="added_value_text").first()
    assert change.old_value == TEXT and change.new_value == corrected and change.changed_by == users["interviewer"]
    assert UnitCorrection.objects.get().is_open
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, set())
    assert out["state"] == States.CHANGED and "changed after coding" in out["listing"]
    # the researcher sees the old and the new text side by side, and the quote that is gone
    page = researcher.get(unit_url("consensus_unit", interview)).content.decode()
    assert 'id="old-text"' in page and 'id="new-text"' in page and "no longer in the text" in page
    assert page.index(QUOTE) < page.index('id="new-text"')
    assert "another manager" in page

    r = researcher.post(unit_url("consensus_unit", interview), {"confirm": "1"})
    assert r.status_code == 302
    assert UnitCorrection.objects.get().resolution == UnitCorrection.Resolution.CONFIRMED
    out = outputs(researcher, wave, codebook, interview)
    assert_agree(out, {1, 6})
    assert out["state"] == States.DECIDED

    # a second correction, then a re-code
    version = Interview.objects.get(pk=interview.pk).version
    interviewer.post(url, {"text": "We win project funds.", "reason": "Transcript checked.", "version": version})
    assert_agree(outputs(researcher, wave, codebook, interview), set())
    researcher.post(unit_url("consensus_unit", interview), {"categories": [cat(codebook, 2).pk]})
    assert UnitCorrection.objects.order_by("-pk").first().resolution == UnitCorrection.Resolution.RECODED
    assert_agree(outputs(researcher, wave, codebook, interview), {2})


def test_corrections_only_while_the_wave_is_open(make_interview, codebook, users, interview_wave):
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1], finish=False)
    interview_wave.status = interview_wave.Status.CLOSED
    interview_wave.save()
    url = reverse("interviews:correct", kwargs={"uuid": interview.response.uuid, "question": "added_value_text"})
    r = login(users["interviewer"]).post(url, {"text": "x", "reason": "y", "version": 1})
    assert r.status_code == 410 and "closed" in r.content.decode()


def test_single_coding_correction_needs_a_researcher(make_interview, codebook, users, interview_wave):
    coding_services.codebook_design_set(codebook=codebook, design="single", coders_may_decide=False)
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1])
    assert coding_selectors.final_codes(codebook=codebook, wave=interview_wave) == {interview.response.pk: {1}}
    interview = Interview.objects.get(pk=interview.pk)
    interview_services.interview_answer_correct(interview=interview, user=users["interviewer"],
                                                base_version=interview.version, question_code="added_value_text",
                                                text="Corrected.", reason="typo")
    assert coding_selectors.final_codes(codebook=codebook, wave=interview_wave) == {}
    assert login(users["coder"]).get(unit_url("consensus_unit", interview)).status_code == 403  # not a researcher
    r = login(users["researcher"]).post(unit_url("consensus_unit", interview), {"confirm": "1"})
    assert r.status_code == 302
    assert coding_selectors.final_codes(codebook=codebook, wave=interview_wave) == {interview.response.pk: {1}}


# --- the pages stay valid in English and Russian ---------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker:
    """Balanced tags, unique ids, labels and aria-describedby pointing at ids of the page."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.stack, self.ids, self.refs, self.problems = [], [], [], []
        checker = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if attrs.get("id"):
                    checker.ids.append(attrs["id"])
                if tag == "label" and attrs.get("for"):
                    checker.refs.append(attrs["for"])
                for ref in (attrs.get("aria-describedby") or "").split():
                    checker.refs.append(ref)
                if tag not in VOID:
                    checker.stack.append(tag)

            def handle_endtag(self, tag):
                if tag in VOID:
                    return
                if not checker.stack or checker.stack[-1] != tag:
                    checker.problems.append(f"</{tag}> closes <{checker.stack[-1] if checker.stack else None}>")
                    if tag in checker.stack:
                        while checker.stack and checker.stack.pop() != tag:
                            pass
                else:
                    checker.stack.pop()

        Parser().feed(html)
        if self.stack:
            self.problems.append(f"unclosed {self.stack}")
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            self.problems.append(f"duplicate ids {sorted(duplicates)}")
        missing = sorted(set(self.refs) - set(self.ids))
        if missing:
            self.problems.append(f"references to missing ids {missing}")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_coding_and_correction_pages_are_valid_in_both_languages(lang, make_interview, codebook, users,
                                                                 interview_wave):
    interview = make_interview(TEXT)
    code(codebook, interview.response, users["coder"], [1, 6], quote_for=6)
    code(codebook, interview.response, users["coder2"], [1])
    coding_services.final_codes_set(codebook=codebook, response=interview.response,
                                    categories=[cat(codebook, 1)], user=users["admin"])
    fresh = Interview.objects.get(pk=interview.pk)
    interview_services.interview_answer_correct(interview=fresh, user=users["interviewer"],
                                                base_version=fresh.version, question_code="added_value_text",
                                                text="We start joint R&D projects.", reason="typo")
    half = make_interview("Another answer.")
    code(codebook, half.response, users["coder"], [2], finish=False)
    pages = [
        (users["researcher"], reverse("coding:consensus", kwargs={"slug": interview_wave.slug,
                                                                  "question": "added_value"}), 200),
        (users["researcher"], unit_url("consensus_unit", interview), 200),
        (users["researcher"], unit_url("consensus_unit", half), 409),
        (users["researcher"], reverse("coding:codebook", kwargs={"pk": codebook.pk}), 200),
        (users["coder"], unit_url("unit", half), 200),
        (users["coder"], unit_url("consensus_unit", interview), 403),
        (users["admin"], unit_url("unit", interview), 403),  # the decider saw its codes
        (users["interviewer"], reverse("interviews:edit", kwargs={"uuid": half.response.uuid}), 200),
        (users["interviewer"], reverse("interviews:correct", kwargs={"uuid": half.response.uuid,
                                                                     "question": "added_value_text"}), 200),
        (users["interviewer"], reverse("interviews:correct", kwargs={"uuid": half.response.uuid,
                                                                     "question": "local_notes"}), 403),
    ]
    russian = {"consensus": "Согласование", "correct": "Исправ", "unit": "Кодирование", "refused": "нечего исправлять"}
    for user, url, status in pages:
        client = login(user)
        r = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert r.status_code == status, (url, r.status_code)
        html = r.content.decode()
        assert f'lang="{lang}"' in html, url
        assert not _Checker(html).problems, (url, _Checker(html).problems)
        if lang == "ru":
            assert any(word in html for word in russian.values()), url
    r = login(users["researcher"]).post(reverse("coding:codebook_design", kwargs={"pk": codebook.pk}),
                                        {"design": "single"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 422 and not _Checker(r.content.decode()).problems
    if lang == "ru":
        assert "схему кодирования больше нельзя изменить" in r.content.decode()
