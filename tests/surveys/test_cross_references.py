"""Every cross-reference stays inside one instrument version: a question's section, scale and block,
and a wave's option lists; the models and the admin refuse a foreign one, naming the field."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys import services
from surveys.models import Option, Question, Scale, Section, Wave, WaveOptionSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def _errors(question: Question) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        question.full_clean()
    return exc.value.message_dict


def test_a_question_whose_section_belongs_to_another_instrument_is_refused(social_capital, cluster_managers):
    foreign = Section.objects.filter(instrument=cluster_managers).first()
    question = Question(instrument=social_capital, section=foreign, code="stray", type=Question.Type.TEXT,
                        text_en="Stray", text_ru="Чужой")
    errors = _errors(question)
    assert list(errors) == ["section"]
    assert f"The section “{foreign.code}” belongs to another instrument" in errors["section"][0]


def test_a_question_whose_scale_belongs_to_another_instrument_is_refused(social_capital, cluster_managers):
    section = Section.objects.get(instrument=social_capital, code="readiness")
    foreign = Scale.objects.filter(instrument=cluster_managers).first()
    question = Question(instrument=social_capital, section=section, code="stray", type=Question.Type.SINGLE,
                        scale=foreign, text_en="Stray", text_ru="Чужой")
    errors = _errors(question)
    assert list(errors) == ["scale"] and f"The scale “{foreign.code}” belongs to another instrument" in errors["scale"][0]


def test_a_question_in_a_block_of_no_block_of_its_instrument_is_refused(social_capital):
    question = Question.objects.get(instrument=social_capital, code="sc1_contacts")
    question.group = "no_such_block"
    errors = _errors(question)
    assert list(errors) == ["group"] and "is not a block of" in errors["group"][0]


def test_a_new_version_refers_only_to_its_own_rows(social_capital, cluster_managers):
    new = services.instrument_version_create(instrument=social_capital)
    question = Question.objects.get(instrument=new, code="sc1_contacts")
    question.section = Section.objects.get(instrument=social_capital, code="social_capital")  # version 1's
    errors = _errors(question)
    assert "section" in errors and "another instrument" in errors["section"][0]


def test_a_wave_option_list_for_a_question_of_another_instrument_is_refused(open_wave, cluster_managers):
    foreign = Question.objects.filter(instrument=cluster_managers, scale__isnull=False).first()
    with pytest.raises(ValidationError) as exc:
        WaveOptionSet(wave=open_wave, question=foreign).full_clean()
    assert "question" in exc.value.message_dict
    assert f"The question “{foreign.code}” belongs to another instrument" in exc.value.message_dict["question"][0]


def test_a_wave_option_list_with_options_of_another_scale_is_refused(open_wave):
    region = Question.objects.get(instrument=open_wave.instrument, code="region")
    sector = Option.objects.filter(scale__instrument=open_wave.instrument, scale__code="sector")
    with pytest.raises(ValidationError) as exc:
        WaveOptionSet(wave=open_wave, question=region).options_check(list(sector))
    assert "options" in exc.value.message_dict and "region" in exc.value.message_dict["options"][0]


def test_admin_refuses_a_question_with_a_foreign_section_with_a_message(social_capital, cluster_managers,
                                                                        admin_client):
    foreign = Section.objects.filter(instrument=cluster_managers).first()
    before = Question.objects.count()
    r = admin_client.post(reverse("admin:surveys_question_add"), {
        "instrument": social_capital.pk, "section": foreign.pk, "code": "stray", "type": "text", "required": "on",
        "order": "1", "text_en": "Stray", "text_ru": "Чужой", "role": ""})
    assert r.status_code == 200
    assert "belongs to another instrument" in r.content.decode()
    assert Question.objects.count() == before


def test_admin_refuses_a_question_added_on_a_section_page_with_a_foreign_scale(social_capital, cluster_managers,
                                                                               admin_client):
    section = Section.objects.get(instrument=social_capital, code="readiness")
    foreign = Scale.objects.filter(instrument=cluster_managers).first()
    url = reverse("admin:surveys_section_change", args=[section.pk])
    existing = list(section.questions.all())
    data = {"instrument": social_capital.pk, "code": section.code, "order": section.order,
            "title_en": section.title_en, "title_ru": section.title_ru, "intro_en": "", "intro_ru": "",
            "questions-TOTAL_FORMS": str(len(existing) + 1), "questions-INITIAL_FORMS": str(len(existing)),
            "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000"}
    for i, q in enumerate(existing):
        data.update({f"questions-{i}-id": q.pk, f"questions-{i}-section": section.pk, f"questions-{i}-order": q.order,
                     f"questions-{i}-code": q.code, f"questions-{i}-type": q.type,
                     f"questions-{i}-scale": q.scale_id or "", f"questions-{i}-group": q.group,
                     f"questions-{i}-role": q.role, f"questions-{i}-text_en": q.text_en,
                     f"questions-{i}-text_ru": q.text_ru, **({f"questions-{i}-required": "on"} if q.required else {})})
    n = len(existing)
    data.update({f"questions-{n}-section": section.pk, f"questions-{n}-order": "9", f"questions-{n}-code": "stray",
                 f"questions-{n}-type": "single", f"questions-{n}-scale": foreign.pk, f"questions-{n}-role": "",
                 f"questions-{n}-text_en": "Stray", f"questions-{n}-text_ru": "Чужой"})
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "belongs to another instrument" in r.content.decode()
    assert not Question.objects.filter(code="stray").exists()
    data[f"questions-{n}-scale"] = Scale.objects.get(instrument=social_capital, code="size").pk
    r = admin_client.post(url, data)  # the section page adds the question to the section's instrument
    assert r.status_code == 302
    assert Question.objects.get(code="stray").instrument == social_capital


def test_admin_refuses_a_wave_option_list_of_another_instrument(open_wave, cluster_managers, admin_client):
    foreign = Question.objects.filter(instrument=cluster_managers, scale__isnull=False).first()
    url = reverse("admin:surveys_wave_change", args=[open_wave.pk])
    data = {"instrument": open_wave.instrument_id, "title": open_wave.title, "slug": open_wave.slug,
            "status": open_wave.status, "access": open_wave.access,
            "option_sets-TOTAL_FORMS": "1", "option_sets-INITIAL_FORMS": "0", "option_sets-MIN_NUM_FORMS": "0",
            "option_sets-MAX_NUM_FORMS": "1000", "option_sets-0-question": foreign.pk,
            "option_sets-0-options": [o.pk for o in foreign.scale.options.all()[:1]]}
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "belongs to another instrument" in r.content.decode()
    assert not WaveOptionSet.objects.exists()
    region = Question.objects.get(instrument=open_wave.instrument, code="region")
    sector = Option.objects.filter(scale__instrument=open_wave.instrument, scale__code="sector").first()
    data.update({"option_sets-0-question": region.pk, "option_sets-0-options": [sector.pk]})
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "are not options of the question" in r.content.decode()
    assert not WaveOptionSet.objects.exists()
    assert Wave.objects.get(pk=open_wave.pk).title == open_wave.title


def test_a_codebook_whose_open_question_belongs_to_another_instrument_is_refused(instruments):
    from surveys.coding.models import Codebook

    coded = Question.objects.get(instrument=instruments["cluster-managers"], code="added_value")
    foreign = Question.objects.get(instrument=instruments["social-capital"], code="comment")
    with pytest.raises(ValidationError) as caught:
        Codebook(question=coded, text_question=foreign).full_clean()
    assert "belongs to another instrument" in caught.value.message_dict["text_question"][0]
