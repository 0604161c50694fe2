"""Helpers the tests import (fixtures live in the conftest files)."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from surveys import selectors, services
from surveys.forms import SectionForm

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


def fill_response(wave, answers, *, submit=True, invitation=None):
    """A respondent answers every page of ``wave`` (``answers``: each page's answers by its
    number, from 1) through the services, and submits (``submit``). Returns the response and the
    wave's structure."""
    structure = selectors.wave_structure(wave=wave)
    response = services.response_start(wave=wave, invitation=invitation).response
    for step, section in enumerate(structure.sections, start=1):
        questions = structure.questions[section.pk]
        form = SectionForm(answers.get(step, {}), questions=questions, options=structure.options)
        assert form.is_valid(), form.errors
        services.response_save_section(response=response, questions=questions, cleaned_data=form.answers(), step=step)
    if submit:
        services.response_submit(response=response, questions=structure.all_questions, language="en")
    return response, structure
