"""The respondent's lookups compiled once (surveys/prepared.py) give what the ORM gives."""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from surveys import selectors, services
from surveys.models import Answer, Question, Response, Wave
from surveys.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def two_waves(open_wave):
    other = Wave.objects.create(instrument=open_wave.instrument, title="Other", slug="other-wave",
                                status=Wave.Status.OPEN)
    responses = [services.response_start(wave=w).response for w in (open_wave, other, open_wave)]
    return open_wave, other, responses


def test_the_response_with_its_wave_and_instrument_is_the_orm_s(two_waves):
    open_wave, other, (first, second, third) = two_waves
    for pks, slug in (([first.pk], open_wave.slug), ([second.pk, first.pk], other.slug),
                      ([second.pk, first.pk], open_wave.slug), ([third.pk, second.pk, 10**9], open_wave.slug),
                      ([10**9, 10**9 + 1, second.pk, 10**9 + 2], other.slug),
                      ([10**9 + n for n in range(5)] + [second.pk], other.slug)):  # more than RESPONSES_PREPARED: the ORM
        expected = Response.objects.select_related("wave__instrument").filter(pk__in=pks, wave__slug=slug).first()
        with CaptureQueriesContext(connection) as ctx:
            found = selectors.response_by_slug(pks=pks, slug=slug)
            wave, instrument = found.wave, found.wave.instrument  # from the same query
        assert len(ctx) == 1
        assert _fields(found) == _fields(expected) and found._state.adding is False and found._state.db == "default"
        assert _fields(wave) == _fields(expected.wave) and _fields(instrument) == _fields(expected.wave.instrument)
        assert found.started_at.tzinfo is not None and isinstance(instrument.structure_revision, type(
            expected.wave.instrument.structure_revision))
    assert selectors.response_by_slug(pks=[second.pk], slug=open_wave.slug) is None  # another wave's response
    assert selectors.response_by_slug(pks=[first.pk], slug="nowhere") is None
    assert selectors.response_by_slug(pks=[], slug=open_wave.slug) is None


def test_the_wave_by_its_slug_is_the_orm_s(open_wave):
    with CaptureQueriesContext(connection) as ctx:
        wave = selectors.wave_by_slug(slug=open_wave.slug)
        instrument = wave.instrument
    assert len(ctx) == 1
    expected = Wave.objects.select_related("instrument").get(slug=open_wave.slug)
    assert _fields(wave) == _fields(expected) and _fields(instrument) == _fields(expected.instrument)
    assert selectors.wave_by_slug(slug="nowhere") is None


def test_the_answers_are_the_orm_s(open_wave, answers):
    response = services.response_start(wave=open_wave).response
    questions = list(Question.objects.filter(instrument=open_wave.instrument))
    values = {"region": 2, "barriers": [1, 6], "comment": "Нам нужна «поддержка» — региона.\n", "size": 3}
    Answer.objects.bulk_create([Answer(response=response, question=q, value=values[q.code]) for q in questions
                                if q.code in values])
    other = services.response_start(wave=open_wave).response
    Answer.objects.create(response=other, question=questions[0], value=4)
    expected = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
    found = selectors.response_answers(response=response)
    assert found == expected and sorted(found.values(), key=str) == sorted(values.values(), key=str)
    assert selectors.response_answers(response=services.response_start(wave=open_wave).response) == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_thread_compiles_for_its_own_connection(open_wave):
    from django.db import connections

    assert selectors.wave_by_slug(slug=open_wave.slug).pk == open_wave.pk
    here = selectors._WAVE_BY_SLUG._local.state
    found = {}

    def other_thread():
        try:
            found["wave"] = selectors.wave_by_slug(slug=open_wave.slug)
            found["state"] = selectors._WAVE_BY_SLUG._local.state
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found["wave"].pk == open_wave.pk and found["wave"].instrument.pk == open_wave.instrument_id
    assert found["state"][0] is not here[0]  # another connection, another compiler
    assert selectors._WAVE_BY_SLUG._local.state is here


def test_only_plain_queries_with_their_placeholders_are_prepared(open_wave):
    with pytest.raises(ValueError, match="placeholders"):
        PreparedQuery(lambda *v: Wave.objects.filter(slug=v[0]), placeholders=("a", "b")).run("x", "y")
    with pytest.raises(ValueError, match="placeholders"):  # the same value twice: its place is not known
        PreparedQuery(lambda a, b: Wave.objects.filter(slug=a, title=b), placeholders=("a", "a")).run("x", "y")
    with pytest.raises(TypeError):
        PreparedQuery(lambda slug: Wave.objects.filter(slug=slug).annotate(n=Count("responses")),
                      placeholders=("a",)).run("x")
    prepared = PreparedQuery(lambda slug: Wave.objects.filter(slug=slug).values_list("title", flat=False),
                             placeholders=("a",))
    assert prepared.run(open_wave.slug) == [("Open wave",)]
