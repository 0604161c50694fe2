"""The admin's shared presentation: titles declined in Russian, yes/no icons with translated text,
choice lists that name their choices by label (surveys/admin_mixins.py, config/admin_site.py)."""
from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from surveys.admin_mixins import ACCUSATIVE, accusative, choice_label
from surveys.models import Question, Wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return User.objects.create_superuser("boss", "boss@example.org", "pw")


@pytest.fixture
def ru(client, boss):
    client.force_login(boss)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html).group(1)


def _add_another(html: str) -> list[str]:
    """The "Add another" texts of a change form's inlines (in their data-inline-formset JSON)."""
    return [json.loads(html_lib.unescape(data))["options"]["addText"]
            for data in re.findall(r'data-inline-formset="([^"]*)"', html)]


def test_wave_changelist_and_add_page_in_russian_are_declined(ru, open_wave):
    html = ru.get(reverse("admin:surveys_wave_changelist")).content.decode()
    assert _h1(html) == "Выберите волну для изменения"
    assert "<title>Выберите волну для изменения |" in html
    assert re.search(r'class="addlink">\s*Добавить волну\s*</a>', html)
    assert "волна" not in _h1(html)

    html = ru.get(reverse("admin:surveys_wave_add")).content.decode()
    assert _h1(html) == "Добавить волну"
    assert "&rsaquo; Добавить волну" in html  # the breadcrumb
    assert _add_another(html) == ["Добавить ещё список вариантов для этой волны"]

    html = ru.get(reverse("admin:surveys_wave_change", args=[open_wave.pk])).content.decode()
    assert _h1(html) == "Изменить волну"


def test_other_models_and_djangos_own_are_declined(ru, instruments):
    assert _h1(ru.get(reverse("admin:auth_user_changelist")).content.decode()) == "Выберите пользователя для изменения"
    assert _h1(ru.get(reverse("admin:auth_group_add")).content.decode()) == "Добавить группу"
    assert _h1(ru.get(reverse("admin:surveys_scale_changelist")).content.decode()) == "Выберите шкалу для изменения"
    assert _h1(ru.get(reverse("admin:surveys_response_changelist")).content.decode()) == "Выберите анкету для изменения"
    assert _h1(ru.get(reverse("admin:fieldwork_contact_changelist")).content.decode()) == "Выберите адресата для изменения"
    assert _h1(ru.get(reverse("admin:coding_coding_changelist")).content.decode()) == "Выберите кодирование для просмотра"


def test_the_delete_action_names_the_models_as_a_label(ru, instruments):
    """"Удалить выбранные пользователи" would not agree; the name stands as a label instead."""
    html = ru.get(reverse("admin:auth_user_changelist")).content.decode()
    assert '<option value="delete_selected">Удалить выбранное: пользователи</option>' in html


def test_english_titles_are_djangos(client, boss, open_wave):
    client.force_login(boss)
    html = client.get(reverse("admin:surveys_wave_changelist")).content.decode()
    assert _h1(html) == "Select wave to change" and re.search(r'class="addlink">\s*Add wave\s*</a>', html)
    assert _h1(client.get(reverse("admin:surveys_wave_add")).content.decode()) == "Add wave"


def test_every_registered_model_and_inline_has_its_accusative():
    """Each model the admin shows (and each inline's) is in ACCUSATIVE; in English the accusative is
    the verbose name itself, in Russian a translation of its own."""
    labels = set()
    for model, model_admin in admin.site._registry.items():
        labels.add(model._meta.label_lower)
        labels |= {inline.model._meta.label_lower for inline in model_admin.inlines}
    assert labels - set(ACCUSATIVE) == set()
    with translation.override("en"):
        for model, model_admin in admin.site._registry.items():
            assert accusative(model_admin) == str(model._meta.verbose_name), model
    with translation.override("ru"):
        assert [str(ACCUSATIVE[label]) for label in ("surveys.wave", "surveys.scale", "surveys.response",
                                                     "coding.codebook", "auth.user", "fieldwork.contact")] == [
            "волну", "шкалу", "анкету", "кодовую книгу", "пользователя", "адресата"]


def test_inline_add_another_and_messages_are_worded_for_russian(ru, instruments, open_wave):
    scale = open_wave.instrument.scales.first()
    html = ru.get(reverse("admin:surveys_scale_change", args=[scale.pk])).content.decode()
    assert _add_another(html) == ["Добавить ещё вариант"]

    page = ru.post(reverse("admin:surveys_wave_delete", args=[open_wave.pk]), {"post": "yes"}, follow=True)
    assert "Удалено: волна «Open wave»." in page.content.decode()


def test_yes_no_icons_say_yes_and_no_in_the_pages_language(ru, client, boss, instruments):
    html = ru.get(reverse("admin:surveys_instrument_changelist")).content.decode()
    assert 'alt="Да"' in html or 'alt="Нет"' in html
    assert 'alt="True"' not in html and 'alt="False"' not in html
    html = ru.get(reverse("admin:surveys_question_changelist")).content.decode()
    assert 'alt="Да"' in html and 'alt="True"' not in html
    assert 'column-required' in html and 'class="field-required"' in html  # the column keeps its name (sortable)
    html = ru.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'alt="Да"' in html and 'alt="True"' not in html  # Django's own admins too


def test_search_icon_is_translated(ru, instruments):
    html = ru.get(reverse("admin:surveys_question_changelist")).content.decode()
    assert 'alt="Найти"' in html and 'alt="Search"' not in html


def _choice_fields(page):
    """Every choice field of an admin add or change page: the form's and its inlines' forms'."""
    context = page.context
    forms_ = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms_ += [inline.formset.empty_form, *inline.formset.forms]
    for form in forms_:
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and not field.widget.is_hidden:  # not the rows' keys
                yield f"{type(form).__name__}.{name}", field


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_choice_list_of_the_admin_names_its_choices_by_label(client, boss, demo_data, lang):
    """On every add and change page of the project's models, each choice of a foreign key or
    many-to-many list is named as ``choice_label`` says: questions by label and code, sections by
    title, waves by their title in the page's language, users by name (never a bare code or slug)."""
    client.force_login(boss)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"surveys", "interviews", "coding", "fieldwork"}:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        urls = [reverse(f"{prefix}_add")] + ([reverse(f"{prefix}_change", args=[obj.pk])] if obj else [])
        for url in urls:
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            if page.status_code == 403:
                continue  # no add page (records written elsewhere)
            assert page.status_code == 200, url
            with translation.override(lang):
                for name, field in _choice_fields(page):
                    for choice in field.queryset[:30]:
                        label = field.label_from_instance(choice)
                        assert label == choice_label(choice), (url, name)
                        if isinstance(choice, Question):
                            assert label != choice.code and label.endswith(f"({choice.code})"), (url, name)
                        if isinstance(choice, Wave):
                            assert label == choice.local_title != choice.slug, (url, name)
                        checked += 1
    assert checked > 100


def test_question_choice_labels(instruments):
    question = Question.objects.get(instrument__code="social-capital", code="sc1_contacts")
    with translation.override("en"):
        assert choice_label(question) == f"{question.label_en} (sc1_contacts)"
    with translation.override("ru"):
        assert choice_label(question) == f"{question.label_ru} (sc1_contacts)"


def test_interviewer_list_holds_the_interviewers_only(client, boss, users, interview_wave):
    client.force_login(boss)
    page = client.get(reverse("admin:interviews_interviewerassignment_add"))
    field = page.context["adminform"].form.fields["interviewer"]
    assert {u.username for u in field.queryset} == {"ivan", "irina", "olga"}
    assert 'class="select2' not in page.content.decode()  # a plain labelled select, no autocomplete widget
