"""The admin pages of the interview and coding models open for an administrator."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from surveys import coding_services as csvc

from .interview_fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db


def test_admin_pages(make_interview, codebook, users, client):
    interview = make_interview("We start joint R&D projects.")
    csvc.coding_save(codebook=codebook, response=interview.response, coder=users["coder"], finish=True,
                     codes=[csvc.CodeInput(category=codebook.categories.get(code=1))])
    client.force_login(User.objects.create_superuser("root", password="pw"))
    for model in ("interviewerassignment", "interview", "codebook", "coding", "codingdecision"):
        assert client.get(reverse(f"admin:surveys_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:surveys_interview_change", args=[interview.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_interview_history", args=[interview.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_codebook_change", args=[codebook.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_interviewerassignment_add")).status_code == 200
