"""Deterministic synthetic demo data.

``social-capital-demo``: 100 complete responses whose item distributions equal
Table 1 of the paper exactly (n = 100, so counts equal the percentages). Items
share a general latent factor plus a factor per block, so they correlate as a
real scale does; categories are assigned by rank, which fixes every item's
marginal counts while keeping the correlation. ``readiness`` depends on the
social-capital score and on enterprise size.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from .models import Answer, Instrument, Question, Response, Wave

SEED = 20190401
N_RESPONSES = 100

# Table 1 (percent = count for n = 100): very high, high, not very high, low.
TABLE1 = {
    "sc1_contacts": (15, 22, 35, 28),
    "sc2_bonds": (33, 22, 39, 6),
    "sc3_risk_knowledge": (12, 21, 32, 35),
    "sc4_culture": (18, 21, 41, 20),
    "sc5_cooperation": (41, 30, 22, 7),
    "sc6_network_benefit": (21, 45, 25, 9),
    "sc7_trust": (55, 25, 11, 9),
    "sc8_knowledge_interest": (41, 27, 24, 8),
}
BLOCKS = {
    "relationships_participation": ("sc1_contacts", "sc6_network_benefit"),
    "trust_understanding": ("sc5_cooperation", "sc7_trust"),
    "education_knowledge": ("sc3_risk_knowledge", "sc8_knowledge_interest"),
    "culture_behaviour": ("sc2_bonds", "sc4_culture"),
}
# Readiness counts, not ready .. fully ready.
READINESS_COUNTS = (18, 31, 33, 18)

DEMO_WAVE = "social-capital-demo"
OPEN_WAVE = "social-capital-2026"


def _by_rank(latent: np.ndarray, counts_low_to_high: tuple[int, ...]) -> np.ndarray:
    """Codes 1..k assigned by rank so that code j occurs exactly counts[j-1] times."""
    order = np.argsort(latent, kind="stable")
    codes = np.empty(len(latent), dtype=int)
    start = 0
    for code, count in enumerate(counts_low_to_high, start=1):
        codes[order[start:start + count]] = code
        start += count
    return codes


def social_capital_rows(seed: int = SEED) -> list[dict[str, object]]:
    """The demo responses as dicts of question code -> stored value."""
    rng = np.random.default_rng(seed)
    n = N_RESPONSES
    size = rng.choice([1, 2, 3, 4], size=n, p=[0.25, 0.35, 0.22, 0.18])
    general = rng.normal(size=n) + 0.25 * (size - 2.5)
    items: dict[str, np.ndarray] = {}
    for block_items in BLOCKS.values():
        block = rng.normal(size=n)
        for code in block_items:
            latent = 0.55 * general + 0.4 * block + 0.75 * rng.normal(size=n)
            vh, h, nvh, low = TABLE1[code]
            items[code] = _by_rank(latent, (low, nvh, h, vh))
    sc_mean = np.mean([items[c] for c in TABLE1], axis=0)
    z = (sc_mean - sc_mean.mean()) / sc_mean.std()
    readiness_latent = 1.3 * z + 0.45 * (size - 2.5) + rng.logistic(size=n)
    readiness = _by_rank(readiness_latent, READINESS_COUNTS)
    region = rng.choice([1, 2, 3, 4, 99], size=n, p=[0.24, 0.26, 0.24, 0.2, 0.06])
    sector = rng.choice([1, 2, 3, 4, 5, 99], size=n, p=[0.45, 0.15, 0.15, 0.08, 0.07, 0.10])
    ownership = rng.choice([1, 2, 3, 4], size=n, p=[0.62, 0.18, 0.14, 0.06])
    position = rng.choice([1, 2, 3, 99], size=n, p=[0.45, 0.3, 0.2, 0.05])
    member = rng.choice([1, 2, 9], size=n, p=[0.3, 0.6, 0.1])
    barrier_base = {1: "sc7_trust", 2: "sc3_risk_knowledge", 3: "sc3_risk_knowledge", 4: "sc1_contacts",
                    5: "sc6_network_benefit"}
    rows = []
    for i in range(n):
        barriers = [b for b, item in barrier_base.items() if items[item][i] <= 2 and rng.random() < 0.6]
        if rng.random() < 0.2:
            barriers.append(6)
        row: dict[str, object] = {
            "region": int(region[i]), "sector": int(sector[i]), "size": int(size[i]),
            "ownership": int(ownership[i]), "position": int(position[i]), "cluster_member": int(member[i]),
            **{code: int(values[i]) for code, values in items.items()},
            "readiness": int(readiness[i]),
        }
        if barriers:
            row["barriers"] = sorted(barriers)
        rows.append(row)
    return rows


def create_social_capital_demo(*, seed: int = SEED) -> tuple[Wave, int]:
    """Create the closed demo wave with its responses; a second call creates nothing."""
    instrument = Instrument.objects.get(code="social-capital")
    tz = dt.timezone(dt.timedelta(hours=3))
    with transaction.atomic():
        wave, created = Wave.objects.get_or_create(
            slug=DEMO_WAVE,
            defaults={
                "instrument": instrument, "title": "Social capital, demo wave (synthetic data)",
                "status": Wave.Status.CLOSED, "access": Wave.Access.OPEN_LINK,
                "opens_at": dt.datetime(2019, 4, 1, 9, 0, tzinfo=tz),
                "closes_at": dt.datetime(2019, 5, 31, 18, 0, tzinfo=tz),
            },
        )
        if wave.responses.exists():
            return wave, 0
        questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
        rng = np.random.default_rng(seed + 1)
        responses, answers = [], []
        rows = social_capital_rows(seed)
        for i, row in enumerate(rows):
            submitted = wave.opens_at + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 58)))
            responses.append(Response(
                wave=wave, status=Response.Status.COMPLETED, language="ru" if rng.random() < 0.8 else "en",
                current_step=3, started_at=submitted - dt.timedelta(minutes=6), submitted_at=submitted,
            ))
        Response.objects.bulk_create(responses)
        responses = list(wave.responses.order_by("submitted_at", "pk")) if responses[0].pk is None else responses
        for response, row in zip(responses, rows):
            for code, value in row.items():
                answers.append(Answer(response=response, question=questions[code], value=value))
        Answer.objects.bulk_create(answers, batch_size=2000)
    return wave, len(rows)


def create_open_wave() -> tuple[Wave, bool]:
    instrument = Instrument.objects.get(code="social-capital")
    return Wave.objects.get_or_create(
        slug=OPEN_WAVE,
        defaults={
            "instrument": instrument, "title": "Social capital, 2026 wave",
            "status": Wave.Status.OPEN, "access": Wave.Access.OPEN_LINK,
            "opens_at": timezone.now() - dt.timedelta(days=1),
            "closes_at": None,
        },
    )


# --- cluster-manager interviews -----------------------------------------------------------

INTERVIEW_WAVE = "cluster-managers-demo"
# Illustrative counts of the coded added value (the paper lost the bar lengths; only the order of
# Figure 1 survives: common R&D projects largest, services of the cluster management smallest).
ADDED_VALUE_COUNTS = {1: 12, 2: 11, 3: 9, 4: 8, 5: 6, 6: 5, 7: 3}
CLUSTERS = [  # name, region code, specialisation code, interviews
    ('Technopolis "Noviy Zvezdniy"', 2, 2, 17),
    ("Samara aerospace cluster", 3, 1, 17),
    ("Pharmaceutics, Biotechnologies and Biomedicine cluster", 4, 3, 16),
]
ADDED_VALUE_PHRASES = {
    1: "joint R&D projects with members and universities",
    2: "access to project funding and grants",
    3: "contacts with foreign partners and international cooperation",
    4: "transfer of knowledge and technologies between members",
    5: "the competitiveness of the cluster as a whole",
    6: "a common communication platform and joint appearance at fairs",
    7: "services offered by the cluster management",
}


def interview_rows(seed: int = SEED) -> list[dict[str, object]]:
    """50 synthetic interviews with cluster managers (see docs/demo-data.md)."""
    rng = np.random.default_rng(seed + 7)
    n = sum(c[3] for c in CLUSTERS)
    added = [[] for _ in range(n)]
    for code, count in ADDED_VALUE_COUNTS.items():
        for i in rng.choice(n, size=count, replace=False):
            added[i].append(code)
    not_local = set(rng.choice(n, size=3, replace=False).tolist())
    not_sustainable = set(rng.choice(n, size=15, replace=False).tolist())
    rows, i = [], 0
    for name, region, specialisation, count in CLUSTERS:
        for _ in range(count):
            codes = sorted(added[i])
            text = ("The cluster mainly gives its members " + "; ".join(ADDED_VALUE_PHRASES[c] for c in codes) + "."
                    if codes else "Hard to say; the cluster is still young.")
            rows.append({
                "consent": 1, "cluster": name, "region": region, "specialisation": specialisation,
                "interview_date": (dt.date(2019, 3, 1) + dt.timedelta(days=int(rng.integers(0, 90)))).isoformat(),
                "duration_minutes": int(rng.integers(35, 95)),
                "local_benefits": 3 if i in not_local else int(rng.choice([1, 2])),
                "added_value_text": text,
                **({"added_value": codes} if codes else {}),
                "sustainable_without_project_funds": 2 if i in not_sustainable else int(rng.choice([1, 9])),
                "international": int(rng.random() < 0.6), "inter_sectoral": int(rng.random() < 0.5),
            })
            i += 1
    return rows


def create_interview_demo(*, seed: int = SEED) -> tuple[Wave, int]:
    """The closed demo wave of 50 interviews with cluster managers; a second call creates nothing."""
    instrument = Instrument.objects.get(code="cluster-managers")
    tz = dt.timezone(dt.timedelta(hours=3))
    with transaction.atomic():
        wave, _created = Wave.objects.get_or_create(
            slug=INTERVIEW_WAVE,
            defaults={"instrument": instrument, "title": "Cluster managers, 2019 interviews (illustrative demo data)",
                      "status": Wave.Status.CLOSED, "access": Wave.Access.INVITATION,
                      "opens_at": dt.datetime(2019, 3, 1, 9, 0, tzinfo=tz),
                      "closes_at": dt.datetime(2019, 6, 1, 18, 0, tzinfo=tz)},
        )
        if wave.responses.exists():
            return wave, 0
        questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
        rows = interview_rows(seed)
        responses = [Response(wave=wave, status=Response.Status.COMPLETED, language="ru", current_step=6,
                              started_at=wave.opens_at, submitted_at=wave.opens_at + dt.timedelta(days=i))
                     for i in range(len(rows))]
        Response.objects.bulk_create(responses)
        if responses[0].pk is None:
            responses = list(wave.responses.order_by("submitted_at", "pk"))
        Answer.objects.bulk_create([Answer(response=r, question=questions[code], value=value)
                                    for r, row in zip(responses, rows) for code, value in row.items()])
    return wave, len(rows)
