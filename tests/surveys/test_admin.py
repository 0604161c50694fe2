"""The admin: pages load, counts are shown, invitations are created and downloaded once."""
from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from surveys.models import Invitation, Question, Wave, hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo_data, db):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["instrument", "scale", "section", "question", "wave", "invitation", "response"])
def test_changelists_load(admin_client, name):
    assert admin_client.get(reverse(f"admin:surveys_{name}_changelist")).status_code == 200


def test_wave_list_shows_started_and_completed_counts(admin_client):
    html = admin_client.get(reverse("admin:surveys_wave_changelist")).content.decode()
    assert '<td class="field-completed">100</td>' in html


def test_response_page_shows_answers_with_labels(admin_client):
    wave = Wave.objects.get(slug="social-capital-demo")
    response = wave.responses.first()
    html = admin_client.get(reverse("admin:surveys_response_change", args=[response.pk])).content.decode()
    assert "sc1_contacts" in html and ("= Very high" in html or "= Low" in html or "= High" in html)


def test_create_invitations_downloads_links_once(admin_client):
    wave = Wave.objects.get(slug="social-capital-2026")
    url = reverse("admin:surveys_wave_invitations", args=[wave.pk])
    assert admin_client.get(url).status_code == 200
    r = admin_client.post(url, {"count": "3", "labels": "Acme Ltd\nceo@example.org"})
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [row["label"] for row in rows] == ["Acme Ltd", ""] and rows[1]["email"] == "ceo@example.org"
    token = rows[0]["link"].rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.filter(token_hash=hash_token(token)).exists()


def test_create_invitations_rejects_bad_emails(admin_client):
    wave = Wave.objects.get(slug="social-capital-2026")
    r = admin_client.post(reverse("admin:surveys_wave_invitations", args=[wave.pk]),
                          {"count": "1", "labels": "good\nbad@@example"})
    assert r.status_code == 200 and "Line 2" in r.content.decode()
    assert Invitation.objects.count() == 0


def test_open_and_close_actions(admin_client):
    wave = Wave.objects.get(slug="social-capital-2026")
    admin_client.post(reverse("admin:surveys_wave_changelist"), {"action": "close_waves", "_selected_action": [wave.pk]})
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.CLOSED
    admin_client.post(reverse("admin:surveys_wave_changelist"), {"action": "open_waves", "_selected_action": [wave.pk]})
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.OPEN


def test_admin_refuses_to_rename_an_answered_question(admin_client):
    question = Question.objects.get(instrument__code="social-capital", code="sc1_contacts")
    url = reverse("admin:surveys_question_change", args=[question.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"code": "renamed", "section": question.section_id, "instrument": question.instrument_id,
                 "scale": question.scale_id, "required": "on"})
    r = admin_client.post(url, data)
    assert r.status_code == 200
    assert "cannot be changed" in r.content.decode()
    assert Question.objects.filter(pk=question.pk, code="sc1_contacts").exists()


def test_create_invitations_command(demo_data, db, tmp_path):
    out = tmp_path / "links.csv"
    call_command("create_invitations", "social-capital-2026", "--count", "5", "--out", str(out))
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5 and all("/i/" in r["link"] for r in rows)
    assert Invitation.objects.count() == 5


def test_scales_show_their_label_with_the_code_in_choice_lists(instruments):
    from django.utils import translation

    from surveys.models import Scale

    scale = Scale.objects.get(instrument=instruments["social-capital"], code="level4")
    with translation.override("en"):
        assert str(scale) == "Level (level4)"
    with translation.override("ru"):
        assert str(scale) == "Уровень (level4)"
    assert str(Scale(code="bare")) == "bare"


@pytest.mark.django_db
def test_the_wave_form_takes_one_date_and_time_value_and_refuses_a_bad_one(instruments, client, django_user_model):
    from django.urls import reverse

    from surveys.models import Wave

    client.force_login(django_user_model.objects.create_superuser("dt-boss", "dt@example.org", "pw"))
    data = {"instrument": instruments["social-capital"].pk, "title": "Timed", "slug": "timed", "status": "draft",
            "access": "open_link", "title_ru": "", "intro_en": "", "intro_ru": "", "privacy_en": "",
            "privacy_ru": "", "contact_en": "", "contact_ru": "", "option_sets-TOTAL_FORMS": "0",
            "option_sets-INITIAL_FORMS": "0", "option_sets-MIN_NUM_FORMS": "0", "option_sets-MAX_NUM_FORMS": "1000"}
    page = client.get(reverse("admin:surveys_wave_add")).content.decode()
    assert 'type="datetime-local" name="opens_at"' in page
    assert client.post(reverse("admin:surveys_wave_add"), {**data, "opens_at": "yesterday"}).status_code == 200
    assert not Wave.objects.filter(slug="timed").exists()
    r = client.post(reverse("admin:surveys_wave_add"), {**data, "opens_at": "2026-05-01T09:30"})
    assert r.status_code == 302
    wave = Wave.objects.get(slug="timed")
    assert wave.opens_at is not None and wave.closes_at is None
