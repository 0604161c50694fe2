"""A database made before interviews and coding became apps migrates without losing a row, a
permission or admin history (surveys 0004, interviews 0001, coding 0001)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0003_interviews"), ("admin", "0003_logentry_add_action_flag_choices")]
MOVED = {
    "interviews": ["interviewerassignment", "interview", "historicalinterview", "answerchange"],
    "coding": ["codebook", "codebookcategory", "historicalcodebookcategory", "coding", "appliedcode",
               "codingdecision", "finalcode"],
}
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()  # content types changed under the cache
    return executor.loader.project_state(targets).apps


def _fill_pre_split_database(apps) -> dict[str, int]:
    """Rows in every moved table, through the historical (pre-split) models; their content types
    with the permissions and admin history that point to them."""
    m = {name: apps.get_model("surveys", name) for name in [
        "Instrument", "Section", "Scale", "Option", "Question", "Wave", "Response", "Answer",
        "InterviewerAssignment", "Interview", "HistoricalInterview", "AnswerChange", "Codebook",
        "CodebookCategory", "HistoricalCodebookCategory", "Coding", "AppliedCode", "CodingDecision", "FinalCode"]}
    UserH = apps.get_model("auth", "User")
    ContentTypeH = apps.get_model("contenttypes", "ContentType")
    PermissionH = apps.get_model("auth", "Permission")
    GroupH = apps.get_model("auth", "Group")
    LogEntryH = apps.get_model("admin", "LogEntry")

    user = UserH.objects.create(username="ivan", password="!")
    guide = m["Instrument"].objects.create(code="guide", kind="interview", title_en="Guide", title_ru="Гайд")
    section = m["Section"].objects.create(instrument=guide, code="s", title_en="S", title_ru="S")
    scale = m["Scale"].objects.create(instrument=guide, code="benefits")
    option = m["Option"].objects.create(scale=scale, code=1, label_en="R&D", label_ru="НИОКР")
    coded = m["Question"].objects.create(instrument=guide, section=section, code="added_value", type="multiple",
                                         scale=scale, text_en="Q", text_ru="В")
    text = m["Question"].objects.create(instrument=guide, section=section, code="added_value_text",
                                        type="long_text", text_en="Q", text_ru="В", order=1)
    wave = m["Wave"].objects.create(instrument=guide, title="W", slug="w", status="closed")
    response = m["Response"].objects.create(wave=wave, status="completed", submitted_at=NOW)
    m["Answer"].objects.create(response=response, question=text, value="joint R&D")
    m["Answer"].objects.create(response=response, question=coded, value=[1])
    m["InterviewerAssignment"].objects.create(wave=wave, interviewer=user)
    interview = m["Interview"].objects.create(response=response, interviewer=user, consent_at=NOW, updated_by=user)
    m["HistoricalInterview"].objects.create(id=interview.pk, consent_at=NOW, version=1, updated_at=NOW,
                                            history_date=NOW, history_type="+", response=response,
                                            interviewer=user, history_user=user)
    m["AnswerChange"].objects.create(interview=interview, question=text, version=1, changed_by=user,
                                     new_value="joint R&D")
    codebook = m["Codebook"].objects.create(question=coded, text_question=text)
    category = m["CodebookCategory"].objects.create(codebook=codebook, code=option.code, label_en="R&D",
                                                    label_ru="НИОКР")
    m["HistoricalCodebookCategory"].objects.create(id=category.pk, code=1, label_en="R&D", label_ru="НИОКР",
                                                   history_date=NOW, history_type="+", codebook=codebook)
    coding = m["Coding"].objects.create(codebook=codebook, response=response, coder=user, status="finished",
                                        finished_at=NOW)
    m["AppliedCode"].objects.create(coding=coding, category=category, start=0, end=5, quote="joint")
    decision = m["CodingDecision"].objects.create(codebook=codebook, response=response, decided_by=user)
    m["FinalCode"].objects.create(decision=decision, category=category)

    # What post_migrate and the admin had made: content types (here already, moved back by the
    # backward migration when the test database was migrated), their permissions, a group and a
    # user holding them, admin history of an interview and a codebook.
    group = GroupH.objects.create(name="Interview editors")
    for models in MOVED.values():
        for model in models:
            ct, _created = ContentTypeH.objects.get_or_create(app_label="surveys", model=model)
            for action in ("add", "change", "delete", "view"):
                permission, _created = PermissionH.objects.get_or_create(
                    content_type=ct, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"})
                if model in ("interview", "codebook"):
                    group.permissions.add(permission)
                    user.user_permissions.add(permission)
    for model, pk, flag in [("interview", interview.pk, ADDITION), ("codebook", codebook.pk, CHANGE)]:
        LogEntryH.objects.create(user=user, content_type=ContentTypeH.objects.get(app_label="surveys", model=model),
                                 object_id=str(pk), object_repr=model, action_flag=flag, action_time=NOW)
    return {f"{name.lower()}": model.objects.count() for name, model in m.items()}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pre_split_database_migrates_without_losing_anything():
    old = _migrate(BEFORE)
    counts = _fill_pre_split_database(old)
    ids = {ct.model: ct.pk for ct in ContentType.objects.filter(
        app_label="surveys", model__in=[model for models in MOVED.values() for model in models])}
    assert len(ids) == 11

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from surveys.coding.models import AppliedCode, Codebook, CodebookCategory, Coding, CodingDecision, FinalCode
    from surveys.interviews.models import AnswerChange, Interview, InterviewerAssignment
    from surveys.models import Answer, Response

    moved = {"interviewerassignment": InterviewerAssignment, "interview": Interview,
             "historicalinterview": Interview.history.model, "answerchange": AnswerChange, "codebook": Codebook,
             "codebookcategory": CodebookCategory, "historicalcodebookcategory": CodebookCategory.history.model,
             "coding": Coding, "appliedcode": AppliedCode, "codingdecision": CodingDecision, "finalcode": FinalCode,
             "response": Response, "answer": Answer}
    assert {name: model.objects.count() for name, model in moved.items()} == {
        name: counts[name] for name in moved}
    assert all(counts[name] >= 1 for name in moved)
    interview = Interview.objects.select_related("response").get()
    assert interview.response.interview == interview and interview.history.count() == 1
    assert FinalCode.objects.get().category.codebook.codings.get().codes.get().quote == "joint"

    # Content types keep their ids under the new app labels, so everything pointing to them follows.
    for app_label, models in MOVED.items():
        for model in models:
            assert ContentType.objects.get(app_label=app_label, model=model).pk == ids[model]
    assert not ContentType.objects.filter(app_label="surveys", model__in=ids).exists()
    assert ContentType.objects.get_for_model(Interview).pk == ids["interview"]

    user = User.objects.get(username="ivan")
    assert user.has_perm("interviews.change_interview") and user.has_perm("coding.view_codebook")
    assert set(Group.objects.get(name="Interview editors").permissions.values_list(
        "content_type__app_label", "codename")) == {
        (app, f"{action}_{model}") for app, model in [("interviews", "interview"), ("coding", "codebook")]
        for action in ("add", "change", "delete", "view")}
    assert Permission.objects.filter(content_type__app_label="surveys", codename__endswith="_interview").count() == 0
    history = {(e.content_type.app_label, e.content_type.model, e.object_id) for e in LogEntry.objects.all()}
    assert history == {("interviews", "interview", str(interview.pk)), ("coding", "codebook",
                                                                       str(Codebook.objects.get().pk))}
    assert LogEntry.objects.get(content_type__model="interview").get_edited_object() == interview


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_content_types_made_by_post_migrate_before_the_move_take_over_what_pointed_to_the_old_ones():
    """``migrate surveys 0003`` run with the new code creates interviews.* content types (post_migrate)
    before the move: the move then points permissions and history to those and drops the old ones."""
    old = _migrate(BEFORE)
    _fill_pre_split_database(old)
    ContentTypeH = old.get_model("contenttypes", "ContentType")
    early = ContentTypeH.objects.create(app_label="interviews", model="interview")
    old.get_model("auth", "Permission").objects.create(content_type=early, codename="change_interview",
                                                       name="Can change interview")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from surveys.interviews.models import Interview

    assert ContentType.objects.get_for_model(Interview).pk == early.pk
    assert not ContentType.objects.filter(app_label="surveys", model="interview").exists()
    user = User.objects.get(username="ivan")
    assert user.has_perm("interviews.change_interview") and user.has_perm("interviews.view_interview")
    assert Permission.objects.filter(content_type_id=early.pk).count() == 4
    assert Group.objects.get(name="Interview editors").permissions.filter(content_type_id=early.pk).count() == 4
    assert LogEntry.objects.get(content_type__model="interview").get_edited_object() == Interview.objects.get()
