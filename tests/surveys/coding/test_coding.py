"""Coding of open answers: codebooks, blind double coding, consensus, merging."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.coding import selectors as coding_selectors
from surveys.coding import services as coding_services
from surveys.coding.models import AppliedCode, CodebookCategory, Coding
from surveys.models import Answer, Option

from tests.helpers import login

pytestmark = pytest.mark.django_db

TEXT = "We start joint R&D projects and win project funds."


def cat(codebook, code) -> CodebookCategory:
    return codebook.categories.get(code=code)


def unit_url(name, interview, codebook, **kw):
    return reverse(f"coding:{name}", kwargs={"slug": interview.response.wave.slug,
                                             "question": codebook.question.code,
                                             "uuid": interview.response.uuid, **kw})


def coded_answer(interview):
    return Answer.objects.filter(response=interview.response, question__code="added_value").values_list(
        "value", flat=True).first()


def test_codebook_is_seeded_from_the_questions_options(codebook):
    cats = list(codebook.categories.order_by("order"))
    assert [c.code for c in cats] == [1, 2, 3, 4, 5, 6, 7]
    assert cats[0].label_en == "Generating common R&D projects"
    assert cats[-1].label_en == "Services offered by the cluster management"
    assert codebook.text_question.code == "added_value_text"
    assert coding_services.codebook_create(question=codebook.question) == codebook  # a second call changes nothing


def test_coder_page_shows_one_answer_and_the_span_is_stored(make_interview, codebook, users):
    interview = make_interview(TEXT)
    client = login(users["coder"])
    r = client.get(reverse("coding:next", kwargs={"slug": interview.response.wave.slug, "question": "added_value"}))
    assert r.status_code == 302 and r["Location"] == unit_url("unit", interview, codebook)
    page = client.get(r["Location"]).content.decode()
    assert TEXT.replace("&", "&amp;") in page and "What added value does the cluster bring" in page
    start = TEXT.index("joint R&D projects")
    r = client.post(r["Location"], {f"code_{cat(codebook, 1).pk}": "on", f"start_{cat(codebook, 1).pk}": start,
                                    f"end_{cat(codebook, 1).pk}": start + 18,
                                    f"quote_{cat(codebook, 1).pk}": "joint R&D projects", "save": "1"})
    assert r.status_code == 302
    applied = AppliedCode.objects.get()
    assert (applied.category.code, applied.start, applied.end, applied.quote) == (1, start, start + 18,
                                                                                   "joint R&D projects")
    # a span that is not in the text is refused, and nothing changes
    r = client.post(unit_url("unit", interview, codebook), {
        f"code_{cat(codebook, 2).pk}": "on", f"start_{cat(codebook, 2).pk}": 0, f"end_{cat(codebook, 2).pk}": 4,
        f"quote_{cat(codebook, 2).pk}": "not in the answer", "finish": "1"})
    assert r.status_code == 422 and list(AppliedCode.objects.values_list("category__code", flat=True)) == [1]
    assert Coding.objects.get().status == Coding.Status.IN_PROGRESS


def test_blind_double_coding_then_consensus_sets_the_final_codes(make_interview, codebook, users):
    interview = make_interview(TEXT)
    a, b, researcher = login(users["coder"]), login(users["coder2"]), login(users["researcher"])
    url = unit_url("unit", interview, codebook)
    c1, c2, c3 = (cat(codebook, k).pk for k in (1, 2, 3))
    a.post(url, {f"code_{c1}": "on", f"code_{c2}": "on", "finish": "1"})
    # coder B sees the answer but none of A's codes
    page = b.get(url).content.decode()
    assert "checked" not in page
    # before B finishes, nobody (not even a researcher) sees the codes side by side
    b.post(url, {f"code_{c1}": "on", f"code_{c3}": "on", "save": "1"})
    assert researcher.get(unit_url("consensus_unit", interview, codebook)).status_code == 409
    listing = researcher.get(reverse("coding:consensus", kwargs={"slug": interview.response.wave.slug,
                                                                 "question": "added_value"}))
    assert listing.status_code == 200 and "coding in progress" in listing.content.decode()
    units = coding_selectors.unit_summary_list(codebook=codebook, wave=interview.response.wave)
    assert units[0].state == coding_selectors.UnitState.CODING and units[0].codes_by_coder == {}
    # A finished: A cannot change the codes any more, and sees only their own
    assert "checked" in a.get(url).content.decode()
    a.post(url, {f"code_{c3}": "on", "finish": "1"})
    assert set(AppliedCode.objects.filter(coding__coder=users["coder"]).values_list("category__code", flat=True)) == {1, 2}
    b.post(url, {f"code_{c1}": "on", f"code_{c3}": "on", "finish": "1"})
    # a third coder is refused
    assert login(users["admin"]).get(url).status_code == 409
    detail = coding_selectors.consensus_get(codebook=codebook, response=interview.response)
    assert detail["disagreements"] == 2
    assert [(r.category.code, r.agree) for r in detail["rows"]][:3] == [(1, True), (2, False), (3, False)]
    page = researcher.get(unit_url("consensus_unit", interview, codebook)).content.decode()
    assert "coder_a" in page and "coder_b" in page and "disagreement" in page
    assert coded_answer(interview) is None  # two codings, no consensus yet: no final codes
    r = researcher.post(unit_url("consensus_unit", interview, codebook), {"categories": [c1, c2]})
    assert r.status_code == 302
    assert coding_selectors.final_codes(codebook=codebook, wave=interview.response.wave) == {interview.response.pk: {1, 2}}
    assert coded_answer(interview) == [1, 2]  # the final codes are what exports carry


def test_in_single_coding_the_coders_finish_sets_the_final_codes(make_interview, codebook, users):
    coding_services.codebook_design_set(codebook=codebook, design="single", coders_may_decide=False)
    interview = make_interview(TEXT)
    login(users["coder"]).post(unit_url("unit", interview, codebook), {f"code_{cat(codebook, 4).pk}": "on",
                                                                       "finish": "1"})
    assert coding_selectors.final_codes(codebook=codebook, wave=interview.response.wave) == {interview.response.pk: {4}}
    assert coded_answer(interview) == [4]
    # the unit takes no second coder
    assert login(users["coder2"]).get(unit_url("unit", interview, codebook)).status_code == 409


def test_in_double_coding_one_finished_coder_gives_no_final_codes(make_interview, codebook, users):
    interview = make_interview(TEXT)
    login(users["coder"]).post(unit_url("unit", interview, codebook), {f"code_{cat(codebook, 4).pk}": "on",
                                                                       "finish": "1"})
    assert coding_selectors.final_codes(codebook=codebook, wave=interview.response.wave) == {}
    assert coded_answer(interview) is None


def test_accept_agreed_units_in_one_step(make_interview, codebook, users):
    agreed, disputed = make_interview(TEXT), make_interview("Services of the management company.")
    for interview, codes in ((agreed, ([1], [1])), (disputed, ([7], [6]))):
        for user, mine in zip((users["coder"], users["coder2"]), codes):
            coding_services.coding_save(codebook=codebook, response=interview.response, coder=user,
                             codes=[coding_services.CodeInput(category=cat(codebook, k)) for k in mine], finish=True)
    login(users["researcher"]).post(reverse("coding:consensus", kwargs={
        "slug": agreed.response.wave.slug, "question": "added_value"}), {"accept_agreed": "1"})
    assert coding_selectors.final_codes(codebook=codebook, wave=agreed.response.wave) == {agreed.response.pk: {1}}


def test_codebook_add_and_rename(codebook, users):
    client = login(users["researcher"])
    r = client.post(reverse("coding:category_add", kwargs={"pk": codebook.pk}), {
        "label_en": "Access to qualified staff", "label_ru": "Доступ к квалифицированным кадрам",
        "description_en": "Members hire or train staff through the cluster."})
    assert r.status_code == 302
    new = codebook.categories.get(code=8)
    assert new.description_en.startswith("Members hire")
    assert Option.objects.get(scale=codebook.question.scale, code=8).label_en == "Access to qualified staff"
    one = cat(codebook, 1)
    client.post(reverse("coding:category_edit", kwargs={"pk": codebook.pk, "category_pk": one.pk}), {
        "label_en": "Common R&D projects", "label_ru": "Совместные НИОКР", "description_en": "", "description_ru": ""})
    one.refresh_from_db()
    assert one.label_en == "Common R&D projects" and one.code == 1
    assert one.history.count() == 2  # renames are audited
    # a label already taken is refused with a message; nothing changes
    r = client.post(reverse("coding:category_add", kwargs={"pk": codebook.pk}), {
        "label_en": "Gaining project funds", "label_ru": "x"})
    assert r.status_code == 422 and codebook.categories.count() == 8


def test_merging_two_codes_keeps_every_coded_answer(make_interview, codebook, users):
    interviews = [make_interview(f"Answer {i}: we transfer technology and knowledge.") for i in range(3)]
    k4, k5 = cat(codebook, 4), cat(codebook, 5)
    plan = {0: ([k4], [k4, k5]), 1: ([k5], [k5]), 2: ([k4], [k4])}
    for i, (codes_a, codes_b) in plan.items():
        response = interviews[i].response
        coding_services.coding_save(codebook=codebook, response=response, coder=users["coder"], finish=True,
                         codes=[coding_services.CodeInput(category=c, start=8 if c == k4 else None, end=14 if c == k4 else None)
                                for c in codes_a])
        if codes_b:
            coding_services.coding_save(codebook=codebook, response=response, coder=users["coder2"], finish=True,
                             codes=[coding_services.CodeInput(category=c) for c in codes_b])
    coding_services.final_codes_set(codebook=codebook, response=interviews[0].response, categories=[k4, k5],
                         user=users["researcher"])
    coding_services.final_codes_set(codebook=codebook, response=interviews[2].response, categories=[k4],
                                    user=users["researcher"])
    wave = interviews[0].response.wave
    coded_before = {(ac.coding_id) for ac in AppliedCode.objects.filter(category__in=[k4, k5])}
    r = login(users["researcher"]).post(reverse("coding:merge", kwargs={"pk": codebook.pk}),
                                        {"source": k5.pk, "target": k4.pk})
    assert r.status_code == 302
    k5.refresh_from_db()
    assert k5.merged_into == k4 and not k5.is_active
    assert {ac.coding_id for ac in AppliedCode.objects.filter(category=k4)} == coded_before
    assert not AppliedCode.objects.filter(category=k5).exists()
    assert AppliedCode.objects.get(coding__response=interviews[0].response, coding__coder=users["coder"]).quote == \
        interviews[0].response.answers.get(question__code="added_value_text").value[8:14]
    finals = coding_selectors.final_codes(codebook=codebook, wave=wave)
    assert finals == {interviews[0].response.pk: {4}, interviews[2].response.pk: {4}}
    assert coded_answer(interviews[0]) == [4] and coded_answer(interviews[2]) == [4]
    assert [c.code for c in coding_selectors.category_list(codebook=codebook)] == [1, 2, 3, 4, 6, 7]
    with pytest.raises(ValidationError):
        coding_services.codebook_categories_merge(source=k5, target=k4)


def test_from_interview_to_figure1_through_the_pages(interview_wave, codebook, users):
    """An interviewer records an interview, two coders code it, a researcher resolves the codes;
    the Figure 1 counts and the codings frame come out of the stored data."""
    import json

    from analysis.frames.coding import coding_frame, final_code_counts

    interviewer = login(users["interviewer"])
    r = interviewer.post(reverse("interviews:start", kwargs={"slug": interview_wave.slug}), {"consent": "1"})
    uuid = r["Location"].rstrip("/").split("/")[-1]
    text = "Together we are more competitive, and the cluster brings partners together for shared R&D."
    answers = {"cluster": "Samara aerospace cluster", "region": "3", "specialisation": "1",
               "interview_date": "2026-05-12", "local_benefits": "2", "added_value_text": text}
    saved = interviewer.post(reverse("interviews:autosave", kwargs={"uuid": uuid}), content_type="application/json",
                             data=json.dumps({"version": 1, "answers": answers})).json()
    interviewer.post(reverse("interviews:complete", kwargs={"uuid": uuid}), {"version": saved["version"]})
    c1, c5 = cat(codebook, 1).pk, cat(codebook, 5).pk
    unit = reverse("coding:unit", kwargs={"slug": interview_wave.slug, "question": "added_value", "uuid": uuid})
    login(users["coder"]).post(unit, {f"code_{c1}": "on", f"code_{c5}": "on", "finish": "1"})
    login(users["coder2"]).post(unit, {f"code_{c5}": "on", "finish": "1"})
    researcher = login(users["researcher"])
    listing = researcher.get(reverse("coding:consensus", kwargs={"slug": interview_wave.slug,
                                                                 "question": "added_value"})).content.decode()
    assert "coders disagree: 1" in listing
    researcher.post(unit + "consensus/", {"categories": [c1, c5]})
    counts = final_code_counts(interview_wave, "added_value")
    assert counts.set_index("code")["count"].to_dict() == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0}
    assert counts.attrs["n_interviews"] == 1 and counts.attrs["illustrative"] is False
    assert coding_frame(interview_wave, "added_value").values.tolist() == [[uuid, "coder_a", 1], [uuid, "coder_a", 5],
                                                            [uuid, "coder_b", 5]]
