"""Every request of a respondent's submission takes a fixed, small number of SQL queries (at most 8,
transaction statements included), whatever the number of questions: the wave's structure comes
from the cache, the response with its wave and instrument from one query."""
from __future__ import annotations

import pytest
from django.urls import reverse

from surveys import selectors
from surveys.models import Instrument, Option, Question, Scale, Section, Wave

from ..helpers import landed

pytestmark = pytest.mark.django_db

# (name, method, expected queries). The session, the response with its wave, the answers; a page's
# POST adds its transaction (begin, the response's step, one upsert, one delete, commit) and shows
# the next page with the answers it stored, without reading them again; the submit locks the
# response and reads the answers in its transaction, then shows the thank-you page. The GETs are
# the same pages loaded again (a reload, a resumed response).
FLOW = [
    ("page 1", "get", 3), ("page 1", "post", 8),
    ("page 2", "get", 3), ("page 2", "post", 8),
    ("page 3", "get", 3), ("page 3", "post", 8),
    ("review", "get", 3), ("review", "post", 7),
    ("thanks", "get", 2),
]


FOLLOWING = {"page 1": "page 2", "page 2": "page 3", "page 3": "review", "review": "thanks"}


def _url(wave: Wave, name: str) -> str:
    if name.startswith("page"):
        return reverse("surveys:step", kwargs={"slug": wave.slug, "step": int(name.split()[1])})
    return reverse(f"surveys:{name}", kwargs={"slug": wave.slug})


def _walk(client, wave: Wave, answers: dict[int, dict], django_assert_num_queries) -> None:
    client.get(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    client.post(reverse("surveys:wave_entry", kwargs={"slug": wave.slug}))
    selectors.wave_structure(wave=Wave.objects.select_related("instrument").get(pk=wave.pk))  # built once
    for name, method, expected in FLOW:
        data = {**answers[int(name.split()[1])], "next": "1"} if name.startswith("page") and method == "post" else {}
        with django_assert_num_queries(expected):
            reply = getattr(client, method)(_url(wave, name), data)
        if method == "get":
            assert reply.status_code == 200, (name, reply.status_code)
        else:
            assert landed(reply) == _url(wave, FOLLOWING[name]), (name, reply.status_code)


def test_each_request_of_the_social_capital_questionnaire_takes_fixed_queries(
        client, open_wave, answers, django_assert_num_queries):
    _walk(client, open_wave, answers, django_assert_num_queries)


def test_starting_takes_at_most_8_queries(client, open_wave, django_assert_max_num_queries):
    url = reverse("surveys:wave_entry", kwargs={"slug": open_wave.slug})
    selectors.wave_structure(wave=Wave.objects.select_related("instrument").get(pk=open_wave.pk))
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):  # starts the response and shows its first page
        assert landed(client.post(url)) == _url(open_wave, "page 1")


def _large_instrument(per_page: int) -> tuple[Wave, dict[int, dict]]:
    """Three pages of ``per_page`` questions each: a grid of scale items, single and multiple
    choices, texts and numbers, and a conditional question."""
    instrument = Instrument.objects.create(code="large", title_en="Large", title_ru="Большой",
                                           status=Instrument.Status.PUBLISHED)
    scale = Scale.objects.create(instrument=instrument, code="level", ordered=True)
    for code in (1, 2, 3, 4):
        Option.objects.create(scale=scale, code=code, label_en=f"Level {code}", label_ru=f"Уровень {code}",
                              order=5 - code)
    answers: dict[int, dict] = {}
    kinds = [Question.Type.SCALE, Question.Type.SCALE, Question.Type.SINGLE, Question.Type.MULTIPLE,
             Question.Type.TEXT, Question.Type.NUMBER]
    for page in (1, 2, 3):
        section = Section.objects.create(instrument=instrument, code=f"s{page}", order=page, title_en=f"Page {page}",
                                         title_ru=f"Страница {page}", grid=True)
        answers[page] = {}
        for n in range(per_page):
            kind = kinds[n % len(kinds)]
            code = f"q{page}_{n}"
            Question.objects.create(
                instrument=instrument, section=section, code=code, type=kind, order=n, text_en=f"Question {code}",
                text_ru=f"Вопрос {code}", scale=scale if kind in Question.CHOICE_TYPES else None,
                required=kind != Question.Type.MULTIPLE)
            answers[page][code] = {Question.Type.MULTIPLE: ["1", "3"], Question.Type.TEXT: "text",
                                   Question.Type.NUMBER: "12"}.get(kind, "2")
        Question.objects.create(instrument=instrument, section=section, code=f"why{page}", type=Question.Type.TEXT,
                                order=per_page, text_en="Why?", text_ru="Почему?", required=False,
                                condition={"q": f"q{page}_0", "op": "eq", "value": 1})
    wave = Wave.objects.create(instrument=instrument, title="Large", slug="large", status=Wave.Status.OPEN)
    return wave, answers


def test_a_larger_instrument_takes_the_same_queries(client, db, django_assert_num_queries):
    wave, answers = _large_instrument(per_page=60)
    structure = selectors.wave_structure(wave=Wave.objects.select_related("instrument").get(pk=wave.pk))
    assert len(structure.all_questions) == 183
    _walk(client, wave, answers, django_assert_num_queries)
