"""coding 0003: coded answers without final codes (an interviewer's ticks, a lone coder's
provisional codes) leave the coded answer and are kept in the interview's audit trail."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_CODING = ("coding", "0002_blind_coding")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state(targets).apps


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coded_answers_without_a_decision_move_to_the_audit_trail():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate([node for node in leaves if node[0] != "coding"] + [BEFORE_CODING])
    get = old.get_model
    user = get("auth", "User").objects.create(username="ivan", password="!")
    guide = get("surveys", "Instrument").objects.create(code="guide", kind="interview", title_en="G", title_ru="Г")
    section = get("surveys", "Section").objects.create(instrument=guide, code="s", title_en="S", title_ru="S")
    scale = get("surveys", "Scale").objects.create(instrument=guide, code="benefits")
    coded = get("surveys", "Question").objects.create(instrument=guide, section=section, code="added_value",
                                                      type="multiple", scale=scale, text_en="Q", text_ru="В")
    text = get("surveys", "Question").objects.create(instrument=guide, section=section, code="added_value_text",
                                                     type="long_text", text_en="Q", text_ru="В", order=1)
    wave = get("surveys", "Wave").objects.create(instrument=guide, title="W", slug="w", status="open")
    codebook = get("coding", "Codebook").objects.create(question=coded, text_question=text)
    responses = []
    for i in range(2):
        response = get("surveys", "Response").objects.create(wave=wave, status="completed", submitted_at=NOW)
        get("surveys", "Answer").objects.create(response=response, question=coded, value=[1, 2])
        get("interviews", "Interview").objects.create(response=response, interviewer=user, consent_at=NOW,
                                                      version=3)
        responses.append(response)
    get("coding", "CodingDecision").objects.create(codebook=codebook, response=responses[1], decided_by=user)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from surveys.interviews.models import AnswerChange
    from surveys.models import Answer

    assert list(Answer.objects.filter(question__code="added_value").values_list("response_id", flat=True)) == [
        responses[1].pk]  # the decided unit keeps its coded answer
    change = AnswerChange.objects.get()
    assert (change.interview.response_id, change.old_value, change.new_value, change.version,
            change.changed_by) == (responses[0].pk, [1, 2], None, 3, None)
