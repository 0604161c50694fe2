"""Shared fixtures: the instruments as loaded from fixtures/, waves, a respondent client."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from surveys.models import Instrument, Wave


@pytest.fixture
def instruments(db):
    call_command("load_instruments", verbosity=0)
    return {i.code: i for i in Instrument.objects.all()}


@pytest.fixture
def social_capital(instruments) -> Instrument:
    return instruments["social-capital"]


@pytest.fixture
def open_wave(social_capital) -> Wave:
    return Wave.objects.create(
        instrument=social_capital, title="Open wave", slug="open-wave", status=Wave.Status.OPEN,
        access=Wave.Access.OPEN_LINK, opens_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.fixture
def invitation_wave(social_capital) -> Wave:
    return Wave.objects.create(
        instrument=social_capital, title="Invited wave", slug="invited-wave", status=Wave.Status.OPEN,
        access=Wave.Access.INVITATION,
    )


# A complete, valid set of answers to the social-capital questionnaire, by section.
SOCIAL_CAPITAL_ANSWERS = {
    1: {"region": "2", "sector": "1", "size": "3", "ownership": "1", "position": "1", "cluster_member": "2"},
    2: {"sc1_contacts": "4", "sc2_bonds": "3", "sc3_risk_knowledge": "2", "sc4_culture": "1",
        "sc5_cooperation": "4", "sc6_network_benefit": "3", "sc7_trust": "4", "sc8_knowledge_interest": "3"},
    3: {"readiness": "3", "barriers": ["1", "6"], "comment": "Нам нужна поддержка региона."},
}


@pytest.fixture
def answers():
    return {k: dict(v) for k, v in SOCIAL_CAPITAL_ANSWERS.items()}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (rate-limit counters live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
