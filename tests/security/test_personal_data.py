"""Erasing a respondent's personal data on request; no export leaks personal data."""
from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client

from surveys import services
from surveys.models import Answer, Invitation, Response

from .personal_data import EXPORT_SURFACES, find_personal_data

pytestmark = pytest.mark.django_db


def _respond(wave, invitation, answers, comment):
    response = services.response_start(wave=wave, invitation=invitation).response
    from surveys.selectors import wave_structure

    structure = wave_structure(wave=wave)
    for number, section in enumerate(structure.sections, start=1):
        data = {k: (int(v) if isinstance(v, str) and v.isdigit() else [int(x) for x in v] if isinstance(v, list)
                    else v) for k, v in answers[number].items()}
        data["comment"] = comment
        services.response_save_section(response=response, questions=structure.questions[section.pk],
                                       cleaned_data=data, step=number)
    services.response_submit(response=response, questions=structure.all_questions)
    return response


@pytest.fixture
def two_respondents(invitation_wave, answers):
    a, b = services.invitations_create(wave=invitation_wave, labels=["Factory A", ""],
                                       emails=["", "Director@Example.org"])
    ra = _respond(invitation_wave, a.invitation, answers, "I am Ivan Petrov of Factory A.")
    rb = _respond(invitation_wave, b.invitation, answers, "Call me at +7 900 000-00-00.")
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456789")
    LogEntry.objects.log_actions(admin.pk, [Invitation.objects.get(pk=b.invitation.pk)], CHANGE,
                                 change_message="[]", single_object=True)
    return ra, rb


def _run(*args) -> str:
    out = io.StringIO()
    call_command("erase_personal_data", *args, stdout=out)
    return out.getvalue()


def test_erase_by_email_clears_the_person_and_keeps_coded_answers(two_respondents):
    ra, rb = two_respondents
    coded_before = Answer.objects.filter(response=rb).exclude(question__code="comment").count()
    out = _run("--email", "director@example.org")  # e-mail matched case-insensitively
    assert "e-mail addresses cleared:   1" in out and "free-text answers deleted:  1 (questions: comment)" in out
    assert f"coded answers kept:         {coded_before}" in out
    invitation = Invitation.objects.get(pk=rb.invitation_id)
    assert invitation.email == "" and invitation.label == ""
    assert not Answer.objects.filter(response=rb, question__code="comment").exists()
    assert Answer.objects.filter(response=rb).count() == coded_before == 16
    assert Response.objects.get(pk=rb.pk).status == Response.Status.COMPLETED
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Invitation))
    assert entry.object_repr == f"#{invitation.pk}"
    # The other respondent is untouched.
    assert Invitation.objects.get(pk=ra.invitation_id).label == "Factory A"
    assert Answer.objects.get(response=ra, question__code="comment").value == "I am Ivan Petrov of Factory A."


def test_erase_by_response_uuid_and_by_label(two_respondents):
    ra, rb = two_respondents
    _run("--response", str(ra.uuid), "--keep-free-text")
    assert Invitation.objects.get(pk=ra.invitation_id).label == ""
    assert Answer.objects.filter(response=ra, question__code="comment").exists()  # kept on request
    # The label went with the response's invitation: asking by it again finds nothing.
    with pytest.raises(CommandError, match="No invitation or response matches"):
        _run("--label", "Factory A")


def test_dry_run_changes_nothing(two_respondents):
    ra, _rb = two_respondents
    out = _run("--label", "Factory A", "--dry-run")
    assert out.startswith("Would erase:") and "Dry run: nothing was changed." in out
    assert "labels cleared:             1" in out
    assert Invitation.objects.get(pk=ra.invitation_id).label == "Factory A"
    assert Answer.objects.filter(response=ra, question__code="comment").exists()


@pytest.mark.parametrize("args,message", [
    ((), "Say whose data to erase"),
    (("--response", "not-a-uuid"), "is not a response UUID"),
    (("--email", "nobody@example.org"), "No invitation or response matches"),
])
def test_bad_requests_are_refused_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


@pytest.mark.parametrize("surface", EXPORT_SURFACES, ids=lambda s: s.name)
def test_no_export_contains_personal_data(two_respondents, invitation_wave, surface):
    text = surface.render(invitation_wave)
    assert find_personal_data(text, invitation_wave, surface.allowed) == []


def test_invitation_csv_holds_only_its_own_columns(invitation_wave):
    text = EXPORT_SURFACES[0].render(invitation_wave)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["invitation_id", "label", "email", "link"]
    assert len(rows) == 3 and rows[1][1:3] == ["New firm", ""] and rows[2][1:3] == ["", "new@example.org"]
    assert all(r[3].startswith("https://survey.example.org/i/") and len(r[3].rsplit("/", 2)[1]) == 43
               for r in rows[1:])


def test_the_checker_finds_leaks(two_respondents, invitation_wave):
    leaky = "id,comment\n1,I am Ivan Petrov of Factory A.\n"
    assert find_personal_data(leaky, invitation_wave) == [
        "label: Factory A", "free_text: I am Ivan Petrov of Factory A."]


def test_respondent_pages_show_no_one_elses_data(two_respondents, open_wave):
    page = Client().get(f"/w/{open_wave.slug}/").content.decode() + Client().get("/").content.decode()
    wave = two_respondents[0].wave
    assert find_personal_data(page, wave) == []
