"""The admin pages of the interview and coding models open for an administrator."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from surveys.coding import services as coding_services

pytestmark = pytest.mark.django_db


def test_admin_pages(make_interview, codebook, users, client):
    interview = make_interview("We start joint R&D projects.")
    coding_services.coding_save(codebook=codebook, response=interview.response, coder=users["coder"], finish=True,
                                codes=[coding_services.CodeInput(category=codebook.categories.get(code=1))])
    client.force_login(User.objects.create_superuser("root", password="pw"))
    for app, model in [("interviews", "interviewerassignment"), ("interviews", "interview"), ("coding", "codebook"),
                       ("coding", "coding"), ("coding", "codingdecision")]:
        assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:interviews_interview_change", args=[interview.pk])).status_code == 200
    assert client.get(reverse("admin:interviews_interview_history", args=[interview.pk])).status_code == 200
    assert client.get(reverse("admin:coding_codebook_change", args=[codebook.pk])).status_code == 200
    assert client.get(reverse("admin:interviews_interviewerassignment_add")).status_code == 200
