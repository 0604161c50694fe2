"""The admin's fieldwork pages: texts and sending from the browser, bad input answered with a form
error (never a 500), the opt-out page, background jobs and their downloads."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from surveys.fieldwork import services
from surveys.fieldwork.models import Job, Kind, Mailing, MessageTemplate
from surveys.roles import ADMINS, RESEARCHERS

from .conftest import invite, run_worker


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(ADMINS, is_staff=True))
    return client


def compose_url(wave) -> str:
    return reverse("fieldwork:compose", kwargs={"slug": wave.slug})


def _texts(prefix: str, **changes) -> dict[str, str]:
    data = {"subject_en": "Survey {survey}", "body_en": "Open {link}", "subject_ru": "Опрос {survey}",
            "body_ru": "Откройте {link}", **changes}
    return {f"{prefix}-{k}": v for k, v in data.items()} | {"save": prefix}


def test_the_admin_saves_texts_and_goes_back_to_the_defaults(admin_client, field_wave):
    page = admin_client.get(compose_url(field_wave))
    assert page.status_code == 200 and "{link}" in page.content.decode()
    assert admin_client.post(compose_url(field_wave), _texts("reminder")).status_code == 302
    saved = MessageTemplate.objects.get(wave=field_wave, kind=Kind.REMINDER)
    assert saved.body_ru == "Откройте {link}"
    admin_client.post(compose_url(field_wave), {"reset": "reminder"})
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize("changes, error", [
    ({"body_en": "No link here"}, "must contain {link}"),
    ({"subject_ru": ""}, "This field is required"),
    ({"subject_en": "Two\nlines"}, "A subject is one line"),
    ({"body_ru": "x" * 10_001 + "{link}"}, "at most 10000"),
    ({"body_en": "Bad \x00 {link}"}, ""),
])
def test_bad_texts_get_a_form_error(admin_client, field_wave, changes, error):
    response = admin_client.post(compose_url(field_wave), _texts("invitation", **changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_sending_from_the_page_queues_the_messages(admin_client, field_wave):
    invite(field_wave, "anna@example.org")
    response = admin_client.post(compose_url(field_wave), {"kind": "invitation", "language": "both", "send": "1"})
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.base_url == "http://testserver/" and mailing.messages.count() == 1
    again = admin_client.post(compose_url(field_wave), {"kind": "invitation", "language": "both", "send": "1"})
    assert again.status_code == 400 and "Nobody to send this to" in again.content.decode()
    bad = admin_client.post(compose_url(field_wave), {"kind": "postcard", "language": "fr", "send": "1"})
    assert bad.status_code == 400


def test_researchers_may_not_send(client, make_user, field_wave):
    client.force_login(make_user(RESEARCHERS))
    assert client.get(compose_url(field_wave)).status_code == 403
    assert client.post(reverse("fieldwork:retry", kwargs={"slug": field_wave.slug})).status_code == 403


def test_an_invalid_opt_out_link_is_a_page_saying_so(client):
    response = client.get(reverse("fieldwork:opt_out", kwargs={"token": "not-a-valid-token"}))
    assert response.status_code == 404 and "This link is not valid" in response.content.decode()


def _complete(field_wave, answers) -> None:
    from django.test import Client

    respondent = Client()
    issued = invite(field_wave, "anna@example.org")
    respondent.get(f"/i/{issued[0].token}/")
    for step, data in answers.items():
        respondent.post(reverse("surveys:step", kwargs={"slug": field_wave.slug, "step": step}), data)
    respondent.post(reverse("surveys:review", kwargs={"slug": field_wave.slug}))


def test_a_report_bundle_is_built_by_the_worker_and_downloaded(client, make_user, field_wave, answers):
    _complete(field_wave, answers)
    client.force_login(make_user(RESEARCHERS))
    queued = client.post(reverse("fieldwork:job_create", kwargs={"slug": field_wave.slug}),
                         {"kind": "bundle", "lang": "ru"})
    assert queued.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED  # nothing is built in the request
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    download = client.get(reverse("fieldwork:job_download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert "data.csv" in names and "README.txt" in names
    bad = client.post(reverse("fieldwork:job_create", kwargs={"slug": field_wave.slug}), {"kind": "nonsense"})
    assert bad.status_code == 302 and Job.objects.count() == 1


def test_analyze_runs_as_a_job(field_wave, answers, settings, tmp_path):
    settings.FIELDWORK_JOBS_DIR = tmp_path
    _complete(field_wave, answers)
    job = services.job_create(wave=field_wave, kind="analyze")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (tmp_path / f"{field_wave.slug}-analyze-{job.pk}" / "README.txt").exists()
