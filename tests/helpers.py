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
