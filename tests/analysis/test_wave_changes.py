"""The analysis cache's wave version follows every in-place change of a completed response or its
answers, whatever wrote it (database triggers), and not respondents' drafts."""
from __future__ import annotations

import pytest

from analysis import frames
from surveys.models import Answer, Response, Wave


@pytest.fixture
def wave(demo_data, db) -> Wave:
    return Wave.objects.get(slug="social-capital-demo")


def test_a_repaired_or_edited_answer_changes_the_version(wave):
    before = frames.wave_version(wave)
    assert frames.wave_version(wave) == before
    answer = Answer.objects.filter(response__wave=wave, response__status=Response.Status.COMPLETED,
                                   question__code="sc1_contacts").first()
    Answer.objects.filter(pk=answer.pk).update(value=5 - answer.value)  # a bulk write: no signal, no save()
    after_update = frames.wave_version(wave)
    assert after_update != before
    Answer.objects.filter(pk=answer.pk).delete()
    after_delete = frames.wave_version(wave)
    assert after_delete != after_update
    Answer.objects.create(response=answer.response, question=answer.question, value=answer.value)
    assert frames.wave_version(wave) != after_delete


def test_a_completed_response_changed_in_place_changes_the_version(wave):
    before = frames.wave_version(wave)
    response = Response.objects.filter(wave=wave, status=Response.Status.COMPLETED).first()
    Response.objects.filter(pk=response.pk).update(language="ru" if response.language != "ru" else "en")
    assert frames.wave_version(wave) != before


def test_a_respondents_draft_does_not_change_the_version(wave):
    draft = Response.objects.create(wave=wave, status=Response.Status.IN_PROGRESS)
    before = frames.wave_version(wave)
    question = wave.instrument.questions.get(code="comment")
    Answer.objects.create(response=draft, question=question, value="draft text")
    Answer.objects.filter(response=draft).update(value="draft text, edited")
    assert frames.wave_version(wave) == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wave_with_changed_answers_can_be_deleted(instruments):
    """Deleting a completed response (and then its wave) deletes answers whose trigger counts on:
    the counter has no foreign-key constraint, so nothing it leaves stops a deletion or a flush."""
    import datetime as dt

    from django.utils import timezone

    from analysis.models import WaveChange

    wave = Wave.objects.create(instrument=instruments["social-capital"], title="Gone", slug="gone",
                               status=Wave.Status.OPEN, access=Wave.Access.OPEN_LINK,
                               opens_at=timezone.now() - dt.timedelta(days=1))
    response = Response.objects.create(wave=wave, status=Response.Status.COMPLETED, submitted_at=timezone.now())
    question = wave.instrument.questions.get(code="sc1_contacts")
    answer = Answer.objects.create(response=response, question=question, value=3)
    Answer.objects.filter(pk=answer.pk).update(value=4)
    assert WaveChange.objects.get(wave=wave).n == 2
    response.delete()
    assert WaveChange.objects.get(wave=wave).n == 3
    wave.delete()
    assert not Wave.objects.filter(slug="gone").exists()
