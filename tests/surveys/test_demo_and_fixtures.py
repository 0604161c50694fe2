"""The instruments load as INSTRUMENTS.md specifies; the demo data reproduce Table 1 exactly."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from surveys import demo
from surveys.models import Answer, Instrument, Question, Response, Wave

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "table1_social_capital.csv"
ITEMS = ["sc1_contacts", "sc2_bonds", "sc3_risk_knowledge", "sc4_culture", "sc5_cooperation",
         "sc6_network_benefit", "sc7_trust", "sc8_knowledge_interest"]


def test_social_capital_instrument_codes(social_capital):
    codes = list(Question.objects.filter(instrument=social_capital)
                 .order_by("section__order", "order").values_list("code", flat=True))
    assert codes == ["region", "sector", "size", "ownership", "position", "cluster_member", "cluster_name", *ITEMS,
                     "readiness", "barriers", "barriers__other", "comment"]
    sc1 = Question.objects.get(instrument=social_capital, code="sc1_contacts")
    assert [(o.code, o.label_en) for o in sc1.scale.options.all()] == [
        (4, "Very high"), (3, "High"), (2, "Not very high"), (1, "Low")]
    groups = dict(Question.objects.filter(instrument=social_capital, code__startswith="sc").values_list("code", "group"))
    assert groups["sc1_contacts"] == groups["sc6_network_benefit"] == "relationships_participation"
    assert groups["sc5_cooperation"] == groups["sc7_trust"] == "trust_understanding"
    assert groups["sc3_risk_knowledge"] == groups["sc8_knowledge_interest"] == "education_knowledge"
    assert groups["sc2_bonds"] == groups["sc4_culture"] == "culture_behaviour"


def test_interview_guide_codes(instruments):
    guide = instruments["cluster-managers"]
    codes = set(Question.objects.filter(instrument=guide).values_list("code", flat=True))
    expected = {"cluster", "region", "specialisation", "interview_date", "duration_minutes", "consent",
                "local_benefits", "local_partners", "local_notes", "added_value_text", "added_value",
                "top_advantages", "inter_sectoral", "international", "international_via_members",
                "cooperation_notes", "sustainable_without_project_funds", "expected_funding", "key_tools",
                "support_needed", "plans", "financing_notes", "expect_business", "expect_academic",
                "expect_investors", "expect_partners", "expect_regional", "expect_federal"}
    assert codes == expected
    added = Question.objects.get(instrument=guide, code="added_value")
    assert added.scale.options.count() == 7


def test_loading_instruments_twice_duplicates_nothing(instruments):
    counts = (Instrument.objects.count(), Question.objects.count())
    call_command("load_instruments", verbosity=0)
    assert (Instrument.objects.count(), Question.objects.count()) == counts == (3, 63)  # with cluster_name, barriers__other and the third instrument


def _reference():
    with open(REFERENCE, encoding="utf-8") as fh:
        return [(int(r["very_high"]), int(r["high"]), int(r["not_very_high"]), int(r["low"])) for r in csv.DictReader(fh)]


def test_demo_reproduces_table1_counts_exactly(instruments):
    call_command("make_demo_data", verbosity=0)
    wave = Wave.objects.get(slug=demo.DEMO_WAVE)
    assert wave.status == Wave.Status.CLOSED
    assert wave.responses.filter(status=Response.Status.COMPLETED).count() == 100
    values = Answer.objects.filter(response__wave=wave).values_list("question__code", "value")
    counts = {code: Counter() for code in ITEMS}
    for code, value in values:
        if code in counts:
            counts[code][value] += 1
    observed = [tuple(counts[c][k] for k in (4, 3, 2, 1)) for c in ITEMS]
    assert observed == _reference()


def test_demo_data_is_idempotent_and_deterministic(instruments):
    call_command("make_demo_data", verbosity=0)
    call_command("make_demo_data", verbosity=0)
    assert Response.objects.filter(wave__slug=demo.DEMO_WAVE).count() == 100
    assert Wave.objects.filter(slug=demo.OPEN_WAVE, status=Wave.Status.OPEN).count() == 1
    assert demo.social_capital_rows() == demo.social_capital_rows()


def test_demo_items_form_a_scale_and_readiness_follows_social_capital():
    rows = demo.social_capital_rows()
    x = np.array([[r[c] for c in ITEMS] for r in rows], dtype=float)
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert 0.70 <= alpha <= 0.85, alpha
    readiness = np.array([r["readiness"] for r in rows])
    size = np.array([r["size"] for r in rows])
    assert np.corrcoef(x.mean(axis=1), readiness)[0, 1] > 0.4
    assert np.corrcoef(size, readiness)[0, 1] > 0.1
    assert Counter(readiness.tolist()) == {1: 18, 2: 31, 3: 33, 4: 18}
