"""Helpers the tests import (fixtures live in the conftest files)."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

# Answers to every required question of the cluster-managers guide but consent (recorded at the start).
INTERVIEW_ANSWERS = {"cluster": "Samara aerospace cluster", "region": 3, "specialisation": 1,
                     "interview_date": "2026-05-12", "local_benefits": 1}


def login(user: User | None) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def landed(reply) -> str:
    """The address a respondent's request took them to: the page a redirect names, or, for a POST
    that answered with the next page itself (``surveys.views._forward``), that page's address
    (``Content-Location``). Fails for a reply that is neither."""
    if reply.status_code in (301, 302, 303):
        return reply["Location"]
    assert reply.status_code == 200 and reply.has_header("Content-Location"), (
        reply.status_code, reply.content.decode()[:1000])
    return reply["Content-Location"]
