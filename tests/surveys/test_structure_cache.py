"""The structure of a wave (sections, questions, options, conditions) is built once per structure
revision of its instrument version and then read from the cache; any change to the structure gives
the version a new revision, so a cached structure is never out of date."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import selectors, services
from surveys.forms import SectionForm
from surveys.models import Instrument, Option, Question, Scale, Section, Wave, WaveOptionSet

pytestmark = pytest.mark.django_db


def shape(structure: selectors.WaveStructure) -> list:
    """Everything a respondent's page reads from a structure, as plain data."""
    return [
        (s.pk, s.code, s.order, s.title_en, s.title_ru, s.intro_en, s.condition, s.grid, [
            (q.pk, q.code, q.type, q.required, q.order, q.text_en, q.text_ru, q.help_en, q.condition, q.scale_id,
             q.min_value, q.max_value, q.max_length, q.specify_for_id, q.section.pk,
             [(o.pk, o.code, o.label_en, o.label_ru, o.order, o.specify) for o in structure.options.get(q.pk, [])])
            for q in structure.questions[s.pk]])
        for s in structure.sections
    ]


def fresh(wave: Wave) -> selectors.WaveStructure:
    return selectors.wave_structure_build(wave=Wave.objects.select_related("instrument").get(pk=wave.pk))


def reloaded(wave: Wave) -> Wave:
    """The wave as the next request loads it."""
    return Wave.objects.select_related("instrument").get(pk=wave.pk)


def test_the_cached_structure_equals_a_fresh_build_and_costs_no_query(open_wave):
    wave = reloaded(open_wave)
    first = selectors.wave_structure(wave=wave)
    with CaptureQueriesContext(connection) as ctx:
        cached = selectors.wave_structure(wave=wave)
    assert len(ctx) == 0
    assert shape(cached) == shape(first) == shape(fresh(open_wave))
    assert cached.wave is wave  # the wave itself (status, dates) is never taken from the cache
    assert cached.has_logic and cached.codes == first.codes


def test_the_key_names_the_wave_the_version_and_its_revision(open_wave):
    wave = reloaded(open_wave)
    key = selectors.structure_cache_key(wave=wave)
    assert key.endswith(f":{wave.pk}:{wave.instrument_id}:{wave.instrument.structure_revision.hex}")
    selectors.wave_structure(wave=wave)
    assert cache.get(key) is not None


def test_changing_a_draft_gives_a_new_structure(open_wave, answers):
    draft = services.instrument_version_create(instrument=open_wave.instrument)
    wave = Wave.objects.create(instrument=draft, title="Next", slug="next-wave")
    before = selectors.wave_structure(wave=reloaded(wave))
    section = Section.objects.get(instrument=draft, code="readiness")

    services.question_create(instrument=draft, section=section, code="support", type=Question.Type.TEXT,
                             text_en="What support would help?", text_ru="Какая поддержка помогла бы?",
                             required=False)
    after = selectors.wave_structure(wave=reloaded(wave))
    assert "support" in after.codes and "support" not in before.codes
    assert shape(after) == shape(fresh(wave))

    services.question_update(question=Question.objects.get(instrument=draft, code="comment"),
                             text_en="Anything else?", condition={"q": "readiness", "op": "ge", "value": 3})
    comment = next(q for q in selectors.wave_structure(wave=reloaded(wave)).all_questions if q.code == "comment")
    assert comment.text_en == "Anything else?" and comment.condition == {"q": "readiness", "op": "ge", "value": 3}

    option = Option.objects.get(scale__instrument=draft, scale__code="level4", code=4)
    services.option_update(option=option, label_en="Very, very high")
    labels = [o.label_en for o in selectors.wave_structure(wave=reloaded(wave)).options[
        Question.objects.get(instrument=draft, code="sc1_contacts").pk]]
    assert labels[0] == "Very, very high"

    Section.objects.filter(instrument=draft, code="readiness").get().delete()
    assert "readiness" not in {s.code for s in selectors.wave_structure(wave=reloaded(wave)).sections}
    assert shape(selectors.wave_structure(wave=reloaded(wave))) == shape(fresh(wave))


def test_rewording_a_published_version_reaches_its_running_wave(open_wave):
    wave = reloaded(open_wave)
    selectors.wave_structure(wave=wave)
    question = Question.objects.get(instrument=open_wave.instrument, code="region")
    services.question_update(question=question, text_en="Where does your enterprise operate?")
    region = next(q for q in selectors.wave_structure(wave=reloaded(open_wave)).all_questions if q.code == "region")
    assert region.text == "Where does your enterprise operate?"


def test_a_wave_option_list_changes_that_wave_only(open_wave, social_capital):
    other = Wave.objects.create(instrument=social_capital, title="Other", slug="other-wave", status=Wave.Status.OPEN)
    region = Question.objects.get(instrument=social_capital, code="region")
    full = [o.code for o in selectors.wave_structure(wave=reloaded(open_wave)).options[region.pk]]
    selectors.wave_structure(wave=reloaded(other))
    option_set = WaveOptionSet.objects.create(wave=open_wave, question=region)
    option_set.options.set(Option.objects.filter(scale=region.scale, code__in=[1, 2]))
    assert [o.code for o in selectors.wave_structure(wave=reloaded(open_wave)).options[region.pk]] == [1, 2]
    assert [o.code for o in selectors.wave_structure(wave=reloaded(other)).options[region.pk]] == full
    option_set.delete()
    assert [o.code for o in selectors.wave_structure(wave=reloaded(open_wave)).options[region.pk]] == full


def test_a_new_version_has_a_structure_of_its_own(open_wave):
    old = selectors.wave_structure(wave=reloaded(open_wave))
    draft = services.instrument_version_create(instrument=open_wave.instrument)
    wave = Wave.objects.create(instrument=draft, title="Next", slug="next-wave")
    new = selectors.wave_structure(wave=reloaded(wave))
    assert selectors.structure_cache_key(wave=reloaded(wave)) != selectors.structure_cache_key(
        wave=reloaded(open_wave))
    assert new.codes == old.codes
    assert {q.pk for q in new.all_questions}.isdisjoint({q.pk for q in old.all_questions})
    assert all(q.section.instrument_id == draft.pk for q in Question.objects.filter(instrument=draft))


def test_a_change_reaches_the_callers_instrument_object(open_wave):
    """A caller that changes the structure through rows holding its instrument object reads the new one."""
    wave = reloaded(open_wave)
    selectors.wave_structure(wave=wave)
    before = wave.instrument.structure_revision
    scale = Scale.objects.create(instrument=wave.instrument, code="extra")
    assert wave.instrument.structure_revision != before
    assert Instrument.objects.get(pk=wave.instrument_id).structure_revision == wave.instrument.structure_revision
    scale.delete()


def test_answers_validate_against_the_cached_structure(open_wave, answers):
    selectors.wave_structure(wave=reloaded(open_wave))
    structure = selectors.wave_structure(wave=reloaded(open_wave))
    for step, section in enumerate(structure.sections, start=1):
        form = SectionForm(answers[step], questions=structure.questions[section.pk], options=structure.options)
        assert form.is_valid(), form.errors
    grid = structure.questions[structure.sections[1].pk]
    form = SectionForm({**answers[2], "sc1_contacts": "7"}, questions=grid, options=structure.options)
    assert not form.is_valid() and "sc1_contacts" in form.errors


def test_a_process_keeps_a_bounded_number_of_structures(open_wave, social_capital, monkeypatch):
    monkeypatch.setattr(selectors, "IN_PROCESS_MAX", 2)
    waves = [open_wave] + [Wave.objects.create(instrument=social_capital, title=f"W{n}", slug=f"w-{n}",
                                               status=Wave.Status.OPEN) for n in range(3)]
    for wave in waves:
        selectors.wave_structure(wave=reloaded(wave))
    assert len(selectors._IN_PROCESS) == 2
    assert list(selectors._IN_PROCESS) == [selectors.structure_cache_key(wave=reloaded(w)) for w in waves[2:]]
    wave = reloaded(open_wave)
    with CaptureQueriesContext(connection) as ctx:  # the ones it forgot come from the cache
        structure = selectors.wave_structure(wave=wave)
    assert len(ctx) == 0
    assert shape(structure) == shape(fresh(open_wave))
