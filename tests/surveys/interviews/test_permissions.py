"""Every interview and coding page, for every role: allowed or refused as designed."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.coding import services as coding_services
from surveys.coding import urls as coding_urls
from surveys.interviews import urls as interviews_urls
from surveys.models import Instrument, Wave

from tests.helpers import login

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "respondent", "interviewer", "coder", "researcher", "admin"]
INTERVIEWER_ROLES = {"interviewer", "admin"}
CODER_ROLES = {"coder", "researcher", "admin"}
MANAGER_ROLES = {"researcher", "admin"}


@pytest.fixture
def world(make_interview, codebook, users, interview_wave):
    """A completed interview coded by one coder (half-coded), and one coded by both coders (its
    consensus page can be shown), so every page has something to show."""
    interview = make_interview("We start joint R&D projects.")
    coding_services.coding_save(codebook=codebook, response=interview.response, coder=users["coder2"], finish=True,
                                codes=[coding_services.CodeInput(category=codebook.categories.get(code=1))])
    both = make_interview("We win project funds.")
    for coder in (users["coder"], users["coder2"]):
        coding_services.coding_save(codebook=codebook, response=both.response, coder=coder, finish=True,
                                    codes=[coding_services.CodeInput(category=codebook.categories.get(code=2))])
    return {"interview": interview, "both": both, "codebook": codebook, "wave": interview_wave, "users": users}


def client_for(role: str, world) -> Client:
    if role == "anonymous":
        return Client()
    if role == "respondent":  # a session with an in-progress response, no account
        wave = Wave.objects.create(instrument=Instrument.objects.get(code="social-capital"), title="Open",
                                   slug="sc-open", status=Wave.Status.OPEN, opens_at=timezone.now())
        client = Client()
        client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
        assert wave.responses.filter(pk=client.session[f"surveys.response.{wave.pk}"]).exists()
        return client
    return login(world["users"][role])


def pages(world):
    i, cb, wave = world["interview"], world["codebook"], world["wave"]
    uuid, slug, q = i.response.uuid, wave.slug, cb.question.code
    category = cb.categories.get(code=2)
    autosave = json.dumps({"version": i.version, "answers": {}})
    return {
        "interviews:home": ("get", reverse("interviews:home"), None, INTERVIEWER_ROLES),
        "interviews:wave": ("get", reverse("interviews:wave", kwargs={"slug": slug}), None, INTERVIEWER_ROLES),
        "interviews:start": ("get", reverse("interviews:start", kwargs={"slug": slug}), None, INTERVIEWER_ROLES),
        "interviews:edit": ("get", reverse("interviews:edit", kwargs={"uuid": uuid}), None, INTERVIEWER_ROLES),
        "interviews:autosave": ("json", reverse("interviews:autosave", kwargs={"uuid": uuid}), autosave,
                                INTERVIEWER_ROLES),
        "interviews:complete": ("post", reverse("interviews:complete", kwargs={"uuid": uuid}),
                                {"version": i.version}, INTERVIEWER_ROLES),
        "interviews:history": ("get", reverse("interviews:history", kwargs={"uuid": uuid}), None, INTERVIEWER_ROLES),
        "interviews:correct": ("get", reverse("interviews:correct", kwargs={"uuid": uuid,
                                                                          "question": "added_value_text"}), None,
                               INTERVIEWER_ROLES),
        "coding:home": ("get", reverse("coding:home"), None, CODER_ROLES),
        "coding:next": ("get", reverse("coding:next", kwargs={"slug": slug, "question": q}), None, CODER_ROLES),
        "coding:unit": ("get", reverse("coding:unit", kwargs={"slug": slug, "question": q, "uuid": uuid}), None,
                        CODER_ROLES),
        "coding:consensus": ("get", reverse("coding:consensus", kwargs={"slug": slug, "question": q}), None,
                             MANAGER_ROLES),
        "coding:consensus_unit": ("get", reverse("coding:consensus_unit", kwargs={
            "slug": slug, "question": q, "uuid": world["both"].response.uuid}), None, MANAGER_ROLES),
        "coding:codebook_design": ("post", reverse("coding:codebook_design", kwargs={"pk": cb.pk}),
                                   {"design": "double"}, MANAGER_ROLES),
        "coding:codebooks": ("get", reverse("coding:codebooks"), None, MANAGER_ROLES),
        "coding:codebook": ("get", reverse("coding:codebook", kwargs={"pk": cb.pk}), None, MANAGER_ROLES),
        "coding:category_add": ("get", reverse("coding:category_add", kwargs={"pk": cb.pk}), None, MANAGER_ROLES),
        "coding:category_edit": ("get", reverse("coding:category_edit", kwargs={
            "pk": cb.pk, "category_pk": category.pk}), None, MANAGER_ROLES),
        "coding:merge": ("get", reverse("coding:merge", kwargs={"pk": cb.pk}), None, MANAGER_ROLES),
    }


PAGE_NAMES = ["interviews:home", "interviews:wave", "interviews:start", "interviews:edit", "interviews:autosave",
              "interviews:complete", "interviews:history", "interviews:correct", "coding:home", "coding:next", "coding:unit",
              "coding:consensus", "coding:consensus_unit", "coding:codebooks", "coding:codebook",
              "coding:category_add", "coding:category_edit", "coding:merge", "coding:codebook_design"]


def test_the_matrix_covers_every_page_of_interviews_and_coding():
    names = {f"interviews:{p.name}" for p in interviews_urls.urlpatterns} | {
        f"coding:{p.name}" for p in coding_urls.urlpatterns}
    assert names == set(PAGE_NAMES)


def expected(role: str, allowed: set[str]) -> str:
    if role in ("anonymous", "respondent"):
        return "login"
    return "allowed" if role in allowed else "denied"


def outcome(r) -> str:
    if r.status_code == 302 and r["Location"].startswith(reverse("login")):
        return "login"
    if r.status_code == 403 and "Access denied" in r.content.decode():
        return "denied"
    if r.status_code in (200, 302):
        return "allowed"
    return f"status {r.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    """One role against every page (one setup per role keeps the suite fast)."""
    client = client_for(role, world)
    got, want = {}, {}
    for page, (method, url, data, allowed) in pages(world).items():
        if method == "json":
            r = client.post(url, data=data, content_type="application/json")
        elif method == "post":
            r = client.post(url, data)
        else:
            r = client.get(url)
        got[page], want[page] = outcome(r), expected(role, allowed)
    assert got == want
