"""Fixtures for interviews and coding: an open interview wave, one user per role, a codebook,
completed interviews. Import them into a test module with ``from .interview_fixtures import *``."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from surveys import coding_services, interview_services
from surveys.models import Interview, Question, Wave
from surveys.roles import ADMINS, CODERS, INTERVIEWERS, RESEARCHERS

__all__ = ["cluster_managers", "interview_wave", "users", "codebook", "make_interview", "login", "REQUIRED"]

# Answers to every required question of the guide but consent (recorded at the start).
REQUIRED = {"cluster": "Samara aerospace cluster", "region": 3, "specialisation": 1,
            "interview_date": "2026-05-12", "local_benefits": 1}


@pytest.fixture
def cluster_managers(instruments):
    return instruments["cluster-managers"]


@pytest.fixture
def interview_wave(cluster_managers) -> Wave:
    return Wave.objects.create(
        instrument=cluster_managers, title="Interviews 2026", slug="interviews-2026", status=Wave.Status.OPEN,
        access=Wave.Access.INVITATION, opens_at=timezone.now() - dt.timedelta(days=1))


def _user(name: str, group: str | None, **extra) -> User:
    user = User.objects.create_user(name, password="pw", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def users(interview_wave) -> dict[str, User]:
    out = {
        "interviewer": _user("ivan", INTERVIEWERS),
        "interviewer2": _user("irina", INTERVIEWERS),
        "coder": _user("coder_a", CODERS),
        "coder2": _user("coder_b", CODERS),
        "researcher": _user("rita", RESEARCHERS),
        "admin": _user("adam", ADMINS, is_staff=True),
        "outsider": _user("olga", INTERVIEWERS),  # an interviewer not assigned to the wave
    }
    interview_services.interviewer_assign(wave=interview_wave, interviewer=out["interviewer"])
    interview_services.interviewer_assign(wave=interview_wave, interviewer=out["interviewer2"])
    return out


@pytest.fixture
def codebook(cluster_managers):
    return coding_services.codebook_create(
        question=Question.objects.get(instrument=cluster_managers, code="added_value"))


@pytest.fixture
def make_interview(interview_wave, users):
    """Create an interview through the services; ``complete`` answers the required questions too."""

    def make(text: str = "We start joint R&D projects and win project funds.", *, complete: bool = True,
             interviewer=None) -> Interview:
        interviewer = interviewer or users["interviewer"]
        interview = interview_services.interview_start(wave=interview_wave, interviewer=interviewer, consent=1)
        values = dict(REQUIRED, added_value_text=text) if complete else {"added_value_text": text}
        result = interview_services.interview_save(interview=interview, user=interviewer,
                                                   base_version=interview.version, values=values)
        if complete:
            interview = interview_services.interview_complete(interview=result.interview, user=interviewer,
                                                              base_version=result.interview.version)
        return Interview.objects.select_related("response").get(pk=interview.pk)

    return make


def login(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
