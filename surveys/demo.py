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
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .coding import services as coding_services
from .interviews.models import Interview
from .interviews.services import interviewer_assign
from .models import Answer, Instrument, Question, Response, Wave
from .roles import CODERS, INTERVIEWERS, RESEARCHERS
from .selectors import instrument_latest_get
from .signals import responses_completed_notify

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
    instrument = instrument_latest_get(code="social-capital")
    tz = dt.timezone(dt.timedelta(hours=3))
    with transaction.atomic():
        wave, created = Wave.objects.get_or_create(
            slug=DEMO_WAVE,
            defaults={
                "instrument": instrument, "title": "Social capital, demo wave (synthetic data)",
                "title_ru": "Социальный капитал, демонстрационная волна (синтетические данные)",
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
    responses_completed_notify(wave.pk, batch=True)
    return wave, len(rows)


def create_open_wave() -> tuple[Wave, bool]:
    instrument = instrument_latest_get(code="social-capital")
    return Wave.objects.get_or_create(
        slug=OPEN_WAVE,
        defaults={
            "instrument": instrument, "title": "Social capital, 2026 wave", "title_ru": "Социальный капитал, волна 2026 года",
            "status": Wave.Status.OPEN, "access": Wave.Access.OPEN_LINK,
            "opens_at": timezone.now() - dt.timedelta(days=1),
            "closes_at": None,
        },
    )


# --- cluster-managers-demo: 50 recorded, double-coded interviews (Figure 1) ---------------------

CM_DEMO_WAVE = "cluster-managers-demo"
CM_OPEN_WAVE = "cluster-managers-2026"
CM_SEED = 20190612
ILLUSTRATIVE_WAVES = frozenset({DEMO_WAVE, CM_DEMO_WAVE})  # synthetic data: figures made from them say so

DEMO_INTERVIEWER, DEMO_CODERS, DEMO_RESEARCHER = "interviewer", ("coder1", "coder2"), "researcher"

CLUSTERS = [
    # (name en, name ru, region code, specialisation code, interviews)
    ('Technopolis "Noviy Zvezdniy"', "Технополис «Новый Звёздный»", 2, 2, 17),
    ("Samara aerospace cluster", "Самарский аэрокосмический кластер", 3, 1, 17),
    ("Pharmaceutics, Biotechnologies and Biomedicine cluster",
     "Кластер фармацевтики, биотехнологий и биомедицины", 4, 3, 16),
]
# Illustrative Figure 1 counts (the paper lost the bar lengths): the figure's order, within 0..12.
FIGURE1_DEMO_COUNTS = {1: 12, 2: 11, 3: 9, 4: 8, 5: 6, 6: 5, 7: 3}
N_SUSTAINABLE_NO, N_LOCAL_NO = 15, 3
CODER_FLIP_RATE = 0.035  # chance that a coder departs from the intended code on one decision

ADDED_VALUE_PHRASES = {
    1: {"en": ["we start joint R&D projects with other members",
               "members develop new products together in common research projects",
               "the cluster brings partners together for shared R&D"],
        "ru": ["мы запускаем совместные НИОКР с другими участниками",
               "участники вместе разрабатывают новые продукты в общих исследовательских проектах",
               "кластер собирает партнёров для совместных исследований и разработок"]},
    2: {"en": ["it helps us win project funding",
               "members get grants and programme money through joint applications",
               "the cluster attracts project funds that a single firm would not get"],
        "ru": ["он помогает получать финансирование проектов",
               "через совместные заявки участники получают гранты и средства программ",
               "кластер привлекает проектные средства, которые одно предприятие не получило бы"]},
    3: {"en": ["we find partners abroad through the cluster",
               "the cluster opens international cooperation for its members",
               "there are foreign delegations and joint projects with partners abroad"],
        "ru": ["через кластер мы находим партнёров за рубежом",
               "кластер открывает участникам международное сотрудничество",
               "появляются иностранные делегации и совместные проекты с зарубежными партнёрами"]},
    4: {"en": ["knowledge moves from the university to the plants",
               "there is technology transfer between research institutes and companies",
               "members learn from each other's experience and technologies"],
        "ru": ["знания переходят из университета на заводы",
               "идёт трансфер технологий между институтами и предприятиями",
               "участники перенимают опыт и технологии друг у друга"]},
    5: {"en": ["together we are more competitive on the market",
               "the cluster makes the region's firms more competitive",
               "joint work raises our competitiveness against larger rivals"],
        "ru": ["вместе мы конкурентоспособнее на рынке",
               "кластер повышает конкурентоспособность предприятий региона",
               "совместная работа усиливает нас перед крупными конкурентами"]},
    6: {"en": ["we have a common platform to communicate and appear together at fairs",
               "there are joint exhibition stands and a shared communication platform",
               "we present ourselves together under one brand"],
        "ru": ["у нас есть общая площадка для общения и совместного участия в выставках",
               "есть совместные выставочные стенды и общая коммуникационная площадка",
               "мы выступаем вместе под одним брендом"]},
    7: {"en": ["the cluster management offers useful services such as consulting",
               "the management team helps with documents, training and legal advice",
               "the services of the management company save us time"],
        "ru": ["управляющая компания кластера предлагает полезные услуги, например консультации",
               "управляющая команда помогает с документами, обучением и юридическими вопросами",
               "услуги управляющей компании экономят нам время"]},
}
OPENERS = {"en": ["For us the main value is that ", "Above all, ", "I would say that ", "In short: ",
                  "What matters most is that "],
           "ru": ["Для нас главное то, что ", "Прежде всего, ", "Я бы сказал, что ", "Коротко: ",
                  "Важнее всего, что "]}
JOINERS = {"en": "; also, ", "ru": "; кроме того, "}
CLOSERS = {"en": ["", " It took a few years to get there.", " Not every member sees it yet."],
           "ru": ["", " На это ушло несколько лет.", " Не все участники это пока видят."]}
ADDED_VALUE_DESCRIPTIONS = {
    1: ("Members start or run research and development projects together.",
        "Участники начинают или ведут совместные проекты исследований и разработок."),
    2: ("Membership helps to obtain grants, programme money or other project funding.",
        "Членство помогает получать гранты, средства программ или другое финансирование проектов."),
    3: ("The cluster opens contacts and projects with partners abroad.",
        "Кластер открывает контакты и проекты с зарубежными партнёрами."),
    4: ("Knowledge or technology passes between members, universities and institutes.",
        "Знания или технологии передаются между участниками, вузами и институтами."),
    5: ("Members become more competitive on their markets.",
        "Участники становятся конкурентоспособнее на своих рынках."),
    6: ("A shared platform for communication, joint fairs, stands or brand.",
        "Общая площадка для общения, совместные выставки, стенды или бренд."),
    7: ("Services of the cluster's management company: consulting, training, paperwork, legal advice.",
        "Услуги управляющей компании кластера: консультации, обучение, документы, юридическая помощь."),
}
LOCAL_NOTES = {"en": ["Suppliers and the university are close by.", "Most partners are in the same city.",
                      "The regional government supports the cluster."],
               "ru": ["Поставщики и университет рядом.", "Большинство партнёров в том же городе.",
                      "Правительство региона поддерживает кластер."]}
FINANCING_NO = {"en": ["Without project funds we could not pay for the management company.",
                       "Membership fees alone would not cover our costs."],
                "ru": ["Без проектных средств мы не смогли бы содержать управляющую компанию.",
                       "Одних членских взносов не хватило бы на расходы."]}
EXPECT_BUSINESS = {"en": ["New orders and partners.", "Access to markets and funding.", "Less red tape."],
                   "ru": ["Новые заказы и партнёры.", "Доступ к рынкам и финансированию.", "Меньше бюрократии."]}
EXPECT_REGIONAL = {"en": ["Growth of jobs and taxes.", "Investment in the region.", "Export of regional products."],
                   "ru": ["Рост рабочих мест и налогов.", "Инвестиции в регион.", "Экспорт продукции региона."]}


def demo_users() -> dict[str, object]:
    """The demo interviewer, coders and researcher (no usable password until create_demo_accounts)."""
    User = get_user_model()
    roles = {DEMO_INTERVIEWER: INTERVIEWERS, DEMO_CODERS[0]: CODERS, DEMO_CODERS[1]: CODERS,
             DEMO_RESEARCHER: RESEARCHERS}
    users = {}
    for username, group in roles.items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def _pick(rng: np.random.Generator, items: list) -> object:
    return items[int(rng.integers(0, len(items)))]


def _subset(rng: np.random.Generator, codes: list[int], p: float, at_least_one: bool = True) -> list[int]:
    chosen = [c for c in codes if rng.random() < p]
    if at_least_one and not chosen:
        chosen = [int(_pick(rng, codes))]
    return sorted(chosen)


def added_value_truth(seed: int = CM_SEED, n: int = 50) -> list[list[int]]:
    """The intended categories of each interview: every manager names at least one, and the
    counts per category are FIGURE1_DEMO_COUNTS exactly."""
    rng = np.random.default_rng(seed)
    tokens = [code for code, count in FIGURE1_DEMO_COUNTS.items() for _ in range(count)]
    order = rng.permutation(len(tokens))
    tokens = [tokens[i] for i in order]
    units: list[set[int]] = [set() for _ in range(n)]
    # one category for every interview first, then the rest to interviews that lack it
    rest = []
    for i, code in enumerate(tokens):
        if i < n:
            units[i].add(code)
        else:
            rest.append(code)
    for code in rest:
        candidates = [i for i in range(n) if code not in units[i] and len(units[i]) < 3]
        units[candidates[int(rng.integers(0, len(candidates)))]].add(code)
    return [sorted(u) for u in units]


def _compose_text(rng: np.random.Generator, codes: list[int], lang: str) -> tuple[str, dict[int, tuple[int, int]]]:
    text = str(_pick(rng, OPENERS[lang]))
    spans = {}
    for k, code in enumerate(codes):
        if k:
            text += JOINERS[lang]
        phrase = str(_pick(rng, ADDED_VALUE_PHRASES[code][lang]))
        spans[code] = (len(text), len(text) + len(phrase))
        text += phrase
    text += "." + str(_pick(rng, CLOSERS[lang]))
    return text, spans


def _coder_codes(rng: np.random.Generator, truth: list[int]) -> list[int]:
    codes = set(truth)
    for code in FIGURE1_DEMO_COUNTS:
        if rng.random() < CODER_FLIP_RATE:
            if code in codes and len(codes) > 1:
                codes.discard(code)
            elif code not in codes:
                codes.add(code)
    return sorted(codes)


def cluster_managers_rows(seed: int = CM_SEED) -> list[dict[str, object]]:
    """The demo interviews: answers by question code, plus '_lang', '_spans' and coders' codes."""
    rng = np.random.default_rng(seed + 1)
    truth = added_value_truth(seed)
    n = len(truth)
    local_no = set(int(i) for i in rng.choice(n, size=N_LOCAL_NO, replace=False))
    sustain_no = set(int(i) for i in rng.choice(n, size=N_SUSTAINABLE_NO, replace=False))
    start = dt.date(2019, 3, 11)
    rows = []
    i = 0
    for name_en, name_ru, region, specialisation, count in CLUSTERS:
        for _k in range(count):
            lang = "ru" if rng.random() < 0.6 else "en"
            text, spans = _compose_text(rng, truth[i], lang)
            day = start + dt.timedelta(days=int(rng.integers(0, 100)))
            local = 3 if i in local_no else int(rng.choice([1, 1, 1, 2]))
            row: dict[str, object] = {
                "consent": 1, "cluster": name_ru if lang == "ru" else name_en, "region": region,
                "specialisation": specialisation, "interview_date": day.isoformat(),
                "duration_minutes": int(rng.integers(35, 96)), "local_benefits": local,
                "added_value_text": text, "added_value": truth[i],
                "top_advantages": _subset(rng, [1, 2], 0.6),
                "inter_sectoral": int(rng.random() < 0.55), "international": int(rng.random() < 0.45),
                "sustainable_without_project_funds": 2 if i in sustain_no else int(rng.choice([1, 1, 9])),
                "expected_funding": _subset(rng, [1, 2, 3, 4, 5], 0.4),
                "key_tools": _subset(rng, [1, 2, 3], 0.5),
                "support_needed": _subset(rng, [1, 2, 3], 0.4),
                "plans": _subset(rng, [1, 2, 3], 0.5),
                "expect_business": str(_pick(rng, EXPECT_BUSINESS[lang])),
                "expect_regional": str(_pick(rng, EXPECT_REGIONAL[lang])),
                "_lang": lang, "_spans": spans,
                "_coders": [_coder_codes(rng, truth[i]) for _c in DEMO_CODERS],
                "_marks": [[bool(rng.random() < 0.7) for _x in range(8)] for _c in DEMO_CODERS],
            }
            if local != 3:
                row["local_partners"] = _subset(rng, [1, 2, 3], 0.6)
                if rng.random() < 0.5:
                    row["local_notes"] = str(_pick(rng, LOCAL_NOTES[lang]))
            if row["international"]:
                row["international_via_members"] = int(rng.random() < 0.6)
            if row["sustainable_without_project_funds"] == 1:  # the guide asks only the others (its logic)
                del row["expected_funding"]
            if i in sustain_no:
                row["financing_notes"] = str(_pick(rng, FINANCING_NO[lang]))
            rows.append(row)
            i += 1
    return rows


def create_cluster_managers_demo(*, seed: int = CM_SEED) -> tuple[Wave, int]:
    """The closed wave cluster-managers-demo: 50 completed interviews by the demo interviewer,
    each ``added_value_text`` coded by two demo coders, final codes set by the demo researcher.
    A second call creates nothing."""
    instrument = instrument_latest_get(code="cluster-managers")
    tz = dt.timezone(dt.timedelta(hours=3))
    with transaction.atomic():
        users = demo_users()
        wave, _created = Wave.objects.get_or_create(
            slug=CM_DEMO_WAVE,
            defaults={
                "instrument": instrument, "title": "Cluster managers, demo interviews (synthetic data)",
                "title_ru": "Руководители кластеров, демонстрационные интервью (синтетические данные)",
                "status": Wave.Status.CLOSED, "access": Wave.Access.INVITATION,
                "opens_at": dt.datetime(2019, 3, 1, 9, 0, tzinfo=tz),
                "closes_at": dt.datetime(2019, 7, 31, 18, 0, tzinfo=tz),
            },
        )
        interviewer_assign(wave=wave, interviewer=users[DEMO_INTERVIEWER])
        if wave.responses.exists():
            return wave, 0
        questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
        rows = cluster_managers_rows(seed)
        responses = []
        for row in rows:
            day = dt.datetime.fromisoformat(str(row["interview_date"])).replace(hour=11, tzinfo=tz)
            responses.append(Response(
                wave=wave, status=Response.Status.COMPLETED, language=str(row["_lang"]), current_step=0,
                started_at=day, submitted_at=day + dt.timedelta(minutes=int(row["duration_minutes"]) + 30)))
        Response.objects.bulk_create(responses)
        if responses[0].pk is None:
            responses = list(wave.responses.order_by("started_at", "pk"))
        interviewer = users[DEMO_INTERVIEWER]
        bulk_create_with_history([
            Interview(response=r, interviewer=interviewer, consent_at=r.started_at, completed_at=r.submitted_at,
                      updated_at=r.submitted_at, updated_by=interviewer, version=1)
            for r in responses
        ], Interview, default_user=interviewer)
        Answer.objects.bulk_create([
            Answer(response=r, question=questions[code], value=value)
            for r, row in zip(responses, rows) for code, value in row.items() if not code.startswith("_")
        ], batch_size=2000)
        codebook = coding_services.codebook_create(question=questions["added_value"])
        categories = {c.code: c for c in codebook.categories.all()}
        for code, (en, ru) in ADDED_VALUE_DESCRIPTIONS.items():
            c = categories[code]
            coding_services.codebook_category_update(category=c, label_en=c.label_en, label_ru=c.label_ru,
                                                     description_en=en, description_ru=ru)
        for response, row in zip(responses, rows):
            spans = row["_spans"]
            for coder_name, codes, marks in zip(DEMO_CODERS, row["_coders"], row["_marks"]):
                inputs = []
                for code in codes:
                    start, end = spans.get(code, (None, None))
                    if start is not None and marks[code]:
                        inputs.append(coding_services.CodeInput(category=categories[code], start=start, end=end))
                    else:
                        inputs.append(coding_services.CodeInput(category=categories[code]))
                coding_services.coding_save(codebook=codebook, response=response, coder=users[coder_name],
                                            codes=inputs, finish=True)
            coding_services.final_codes_set(codebook=codebook, response=response,
                                            categories=[categories[c] for c in row["added_value"]],
                                            user=users[DEMO_RESEARCHER])
    responses_completed_notify(wave.pk, batch=True)
    return wave, len(rows)


def create_cluster_managers_open_wave() -> tuple[Wave, bool]:
    """The open interview wave cluster-managers-2026 (no interviews), the demo interviewer assigned."""
    instrument = instrument_latest_get(code="cluster-managers")
    with transaction.atomic():
        wave, created = Wave.objects.get_or_create(
            slug=CM_OPEN_WAVE,
            defaults={
                "instrument": instrument, "title": "Cluster managers, 2026 interviews", "title_ru": "Руководители кластеров, интервью 2026 года",
                "status": Wave.Status.OPEN, "access": Wave.Access.INVITATION,
                "opens_at": timezone.now() - dt.timedelta(days=1), "closes_at": None,
            },
        )
        interviewer_assign(wave=wave, interviewer=demo_users()[DEMO_INTERVIEWER])
    return wave, created


# --- cluster-organisations-demo: 17 specialist organisations (Figures 4, 5 and 7) ----------------

CO_DEMO_WAVE = "cluster-organisations-demo"
CO_SEED = 20131201
CO_N = 17
# Figure 4: status counts of the 15 that answered (two left it unanswered).
FIGURE4_STATUS_COUNTS = {1: 8, 2: 4, 3: 1, 4: 1, 5: 1}
# Figure 5: clusters naming each mechanism (several answers allowed); options 2 and 3 ("of which") split the
# nine of option 1 (4 + 5).
FIGURE5_MECHANISM_COUNTS = {1: 9, 2: 4, 3: 5, 4: 8, 5: 3, 6: 2, 7: 1, 8: 1, 9: 0, 10: 0}
# Figure 7: the combinations of funding sources given by the 14 that answered.
FIGURE7_FUNDING_COMBINATIONS = (((1, 2), 9), ((4,), 3), ((3,), 1), ((1, 2, 4), 1))
# Staff: mean 8, from 2 to 23 (sum 136 over 17).
STAFF_COUNTS = (2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 7, 8, 9, 10, 11, 19, 23)
# The questions whose demo answers are illustrative (the paper publishes no figures for them).
CO_ILLUSTRATIVE = frozenset({"priority_activities", "collab_companies", "collab_business_state", "collab_research",
                             "collab_clusters", "collab_international"})
ILLUSTRATIVE_QUESTIONS = {CO_DEMO_WAVE: CO_ILLUSTRATIVE}
CO_REGIONS = [("Samara region", "Самарская область"), ("Perm region", "Пермский край"),
              ("Kaluga region", "Калужская область"), ("Tomsk region", "Томская область"),
              ("Novosibirsk region", "Новосибирская область"), ("Republic of Tatarstan", "Республика Татарстан"),
              ("Moscow region", "Московская область")]


def illustrative_questions(wave_slug: str) -> frozenset[str]:
    """The questions whose answers in a demo wave are illustrative (whatever shows them says so)."""
    return ILLUSTRATIVE_QUESTIONS.get(wave_slug, frozenset())


def cluster_organisations_rows(seed: int = CO_SEED) -> list[dict[str, object]]:
    """The 17 demo answers (question code -> stored value); '_lang' is the respondent's language."""
    rng = np.random.default_rng(seed)
    n = CO_N
    status = [code for code, count in FIGURE4_STATUS_COUNTS.items() for _ in range(count)] + [None, None]
    funding = [list(combo) for combo, count in FIGURE7_FUNDING_COMBINATIONS for _ in range(count)] + [None] * 3
    # mechanisms by respondent: the nine of the general meeting split 4 + 5; the eight others' director is
    # appointed by state bodies; the rarer mechanisms spread over both groups
    mechanisms: list[set[int]] = [set() for _ in range(n)]
    for i in range(9):
        mechanisms[i].update({1, 2 if i < 4 else 3})
    for i in range(9, 17):
        mechanisms[i].add(4)
    for code, members in ((5, (9, 10, 11)), (6, (12, 13)), (7, (14,)), (8, (0,))):
        for i in members:
            mechanisms[i].add(code)
    order = [rng.permutation(n) for _ in range(4)]
    staff = [STAFF_COUNTS[i] for i in order[0]]
    status = [status[i] for i in order[1]]
    funding = [funding[i] for i in order[2]]
    mechanisms = [mechanisms[i] for i in order[3]]
    rows = []
    for i in range(n):
        lang = "ru" if rng.random() < 0.85 else "en"
        region_en, region_ru = CO_REGIONS[int(rng.integers(0, len(CO_REGIONS)))]
        # illustrative: the three activities the paper names as the most pressing come first
        activities = [int(a) for a in rng.choice([1, 2, 3, 4, 5, 6, 7], size=int(rng.integers(1, 4)), replace=False,
                                                 p=[0.26, 0.22, 0.2, 0.1, 0.09, 0.07, 0.06])]
        row: dict[str, object] = {
            "cluster": f"Пилотный кластер {i + 1}" if lang == "ru" else f"Pilot cluster {i + 1}",
            "region": region_ru if lang == "ru" else region_en,
            "staff_count": int(staff[i]),
            "interest_mechanisms": sorted(mechanisms[i]),
            "priority_activities": sorted(activities),
            **{code: int(rng.choice([4, 3, 2, 1], p=p)) for code, p in (
                ("collab_companies", [0.45, 0.35, 0.15, 0.05]), ("collab_business_state", [0.5, 0.3, 0.15, 0.05]),
                ("collab_research", [0.4, 0.35, 0.2, 0.05]), ("collab_clusters", [0.2, 0.35, 0.3, 0.15]),
                ("collab_international", [0.15, 0.3, 0.35, 0.2]))},
            "_lang": lang,
        }
        if status[i] is not None:
            row["org_status"] = status[i]
        if funding[i] is not None:
            row["funding_sources"] = funding[i]
        rows.append(row)
    return rows


def create_cluster_organisations_demo(*, seed: int = CO_SEED) -> tuple[Wave, int]:
    """The closed wave cluster-organisations-demo: 17 completed questionnaires. A second call creates nothing."""
    instrument = instrument_latest_get(code="cluster-organisations")
    tz = dt.timezone(dt.timedelta(hours=3))
    with transaction.atomic():
        wave, _created = Wave.objects.get_or_create(
            slug=CO_DEMO_WAVE,
            defaults={
                "instrument": instrument,
                "title": "Specialist cluster organisations, demo wave (synthetic data)",
                "title_ru": "Специализированные организации кластеров, демонстрационная волна (синтетические данные)",
                "status": Wave.Status.CLOSED, "access": Wave.Access.INVITATION,
                "opens_at": dt.datetime(2013, 11, 1, 9, 0, tzinfo=tz),
                "closes_at": dt.datetime(2013, 12, 20, 18, 0, tzinfo=tz),
            },
        )
        if wave.responses.exists():
            return wave, 0
        questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
        rows = cluster_organisations_rows(seed)
        responses = []
        for i, row in enumerate(rows):
            submitted = wave.opens_at + dt.timedelta(days=2 * i, hours=3)
            responses.append(Response(wave=wave, status=Response.Status.COMPLETED, language=str(row["_lang"]),
                                      current_step=5, started_at=submitted - dt.timedelta(minutes=11),
                                      submitted_at=submitted))
        Response.objects.bulk_create(responses)
        if responses[0].pk is None:
            responses = list(wave.responses.order_by("submitted_at", "pk"))
        Answer.objects.bulk_create([
            Answer(response=r, question=questions[code], value=value)
            for r, row in zip(responses, rows) for code, value in row.items() if not code.startswith("_")
        ])
    responses_completed_notify(wave.pk, batch=True)
    return wave, len(rows)
