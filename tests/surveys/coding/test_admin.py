"""The coding workflow's records are read-only in the admin: codings (with the codes a coder applied),
coding decisions (consensus and single-coder final codes), seen codes (who can no longer code a unit
blind) and corrections after coding can be viewed, never added, changed or deleted there. Codebooks
keep what researchers set there (the design, whether coders may decide); they are created, and their
categories edited, on the coding pages."""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from surveys.coding.models import (AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode,
                                   UnitCorrection, UnitView)

pytestmark = pytest.mark.django_db

READ_ONLY = [Coding, CodingDecision, UnitView, UnitCorrection]


@pytest.fixture
def boss(interview_demo_wave):
    return User.objects.create_superuser("boss", "boss@example.org", "pw")


@pytest.fixture
def records(interview_demo_wave, boss):
    """One record of each read-only model (the demo wave has no correction after coding: one is made)."""
    coding = Coding.objects.filter(response__wave=interview_demo_wave, status=Coding.Status.FINISHED).first()
    if not UnitCorrection.objects.exists():
        UnitCorrection.objects.create(codebook=coding.codebook, response=coding.response, old_text="before",
                                      new_text="after", reason="typo", changed_by=boss)
    return {model: model.objects.order_by("pk").first() for model in READ_ONLY}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_admin_cannot_add_change_or_delete(client, boss, records, model):
    client.force_login(boss)
    obj = records[model]
    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    count = model.objects.count()

    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "add"), {"codebook": obj.codebook_id, "response": obj.response_id}).status_code == 403
    assert client.post(_url(model, "change", obj.pk), {"codebook": obj.codebook_id, "note": "changed",
                                                         "status": "in_progress", "_save": "Save"}).status_code == 403
    assert client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    changelist = client.post(_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk],
                                                         "post": "yes"})
    assert changelist.status_code in (200, 302)  # no such action: nothing happens

    assert model.objects.count() == count
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_change_page_shows_read_only_fields_and_no_save_button(client, boss, records, model):
    client.force_login(boss)
    page = client.get(_url(model, "change", records[model].pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<div class="readonly">') >= 3
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    form = html.split("<form", 1)[1].split("</form>", 1)[0]
    assert re.findall(r'<(?:select|textarea)\b|<input(?![^>]*type="hidden")[^>]*>', form) == []  # nothing to edit
    changelist = client.get(_url(model, "changelist")).content.decode()
    assert _url(model, "add") not in changelist  # no add button
    assert 'value="delete_selected"' not in changelist  # no bulk deletion


def test_every_coding_record_model_is_read_only_and_codebooks_stay_editable(rf, boss):
    request = rf.get("/")
    request.user = boss
    for model in READ_ONLY:
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                    or model_admin.has_delete_permission(request)), model
    for model in (AppliedCode, FinalCode):  # the codes themselves: only inside their coding or decision
        assert model not in admin.site._registry
    for inline in (*admin.site._registry[Coding].get_inlines(request, None), *admin.site._registry[CodingDecision].inlines):
        assert not (inline(inline.model, admin.site).has_add_permission(request, None)
                    or inline(inline.model, admin.site).has_change_permission(request, None))
    codebook_admin = admin.site._registry[Codebook]
    assert codebook_admin.has_change_permission(request) and not codebook_admin.has_add_permission(request)
    assert CodebookCategory not in admin.site._registry  # shown on its codebook's page
    category_inline = codebook_admin.get_inline_instances(request, None)[0]
    assert not (category_inline.has_add_permission(request, None) or category_inline.has_change_permission(request)
                or category_inline.has_delete_permission(request))


def test_codebook_page_changes_its_design_settings_only(client, boss, interview_demo_wave):
    codebook = Codebook.objects.get(question__instrument=interview_demo_wave.instrument, question__code="added_value")
    labels = list(codebook.categories.values_list("label_en", flat=True))
    client.force_login(boss)
    url = _url(Codebook, "change", codebook.pk)
    page = client.get(url).content.decode()
    assert 'name="coders_may_decide"' in page and 'name="categories-0-label_en"' not in page
    assert reverse("coding:codebook", args=[codebook.pk]) in page  # where the categories are edited
    answer = client.post(url, {"coders_may_decide": "on", "categories-TOTAL_FORMS": "0",
                               "categories-INITIAL_FORMS": "0", "_save": "Save"})
    assert answer.status_code == 302
    codebook.refresh_from_db()
    assert codebook.coders_may_decide and codebook.design == Codebook.Design.DOUBLE  # fixed: coding has started
    assert list(codebook.categories.values_list("label_en", flat=True)) == labels


def test_codes_of_an_unfinished_unit_stay_hidden(client, boss, interview_demo_wave):
    """A coding whose unit is not complete (another coder still at work) shows no codes."""
    coding = Coding.objects.filter(response__wave=interview_demo_wave).first()
    other = Coding.objects.filter(codebook=coding.codebook, response=coding.response).exclude(pk=coding.pk).first()
    other.status, other.finished_at = Coding.Status.IN_PROGRESS, None
    other.save()
    client.force_login(boss)
    html = client.get(_url(Coding, "change", coding.pk)).content.decode()
    assert "hidden until every coding of this answer is finished" in html
    assert "codes-group" not in html
