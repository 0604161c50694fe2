"""Waves on two versions of one instrument: the comparison and the frame match variables by code and
say which wave lacks which variable."""
from __future__ import annotations

import pytest

from analysis import frames
from analysis.report import comparison_build
from surveys import services
from surveys.models import Question, Section, Wave

from ..conftest import SOCIAL_CAPITAL_ANSWERS
from ..helpers import fill_response

pytestmark = pytest.mark.django_db

LEVELS = ["1", "2", "3", "4"]


def _answers(k: int, *, version: int) -> dict[int, dict]:
    answers = {step: dict(values) for step, values in SOCIAL_CAPITAL_ANSWERS.items()}
    for n, code in enumerate(list(answers[2])):
        answers[2][code] = LEVELS[(k + n) % 4]
    answers[3]["readiness"] = LEVELS[k % 4]
    if version == 2:
        answers[2].pop("sc8_knowledge_interest")
        answers[2]["sc9_shared_goals"] = LEVELS[(k + 1) % 4]
    return answers


@pytest.fixture
def two_versions(open_wave):
    """Wave 1 on version 1; wave 2 on version 2, which drops sc8 and adds sc9 (same block)."""
    for k in range(6):
        fill_response(open_wave, _answers(k, version=1))
    services.wave_close(wave=open_wave)
    v2 = services.instrument_version_create(instrument=open_wave.instrument)
    services.structure_row_delete(row=Question.objects.get(instrument=v2, code="sc8_knowledge_interest"))
    sc7 = Question.objects.get(instrument=v2, code="sc7_trust")
    services.question_create(instrument=v2, section=Section.objects.get(instrument=v2, code="social_capital"),
                             code="sc9_shared_goals", type=Question.Type.SCALE, scale=sc7.scale, group=sc7.group,
                             order=sc7.order + 2, text_en="Shared goals", text_ru="Общие цели")
    second = Wave.objects.create(instrument=v2, title="Second wave", slug="second-wave")
    services.wave_open(wave=second)
    for k in range(5):
        fill_response(second, _answers(k, version=2))
    return open_wave, second


def test_comparison_across_versions_matches_items_by_code_and_names_the_missing(two_versions):
    first, second = two_versions
    table = comparison_build(first, second)
    items = list(table.data.index)
    assert "sc1_contacts" in items and "readiness" in items
    assert "sc8_knowledge_interest" not in items and "sc9_shared_goals" not in items
    assert table.data.loc["sc1_contacts", "n_a"] == 6 and table.data.loc["sc1_contacts", "n_b"] == 5
    assert table.data.attrs["not_in"] == {first.slug: ["sc9_shared_goals"], second.slug: ["sc8_knowledge_interest"]}
    assert "versions 1 and 2" in table.note
    assert f"Not in {first.title} (version 1), so not compared: sc9_shared_goals." in table.note
    assert f"Not in {second.title} (version 2), so not compared: sc8_knowledge_interest." in table.note


def test_comparison_across_versions_in_russian(two_versions):
    first, second = two_versions
    table = comparison_build(first, second, lang="ru")
    assert "sc9_shared_goals" in table.note and "sc8_knowledge_interest" in table.note


def test_frame_of_waves_on_two_versions_has_every_variable_and_says_which_wave_lacks_which(two_versions):
    first, second = two_versions
    frame = frames.wave_frame([first, second])
    assert len(frame) == 11
    assert {"sc8_knowledge_interest", "sc9_shared_goals", "sc1_contacts"} <= set(frame.columns)
    assert frame.attrs["not_asked"] == {first.slug: ["sc9_shared_goals"], second.slug: ["sc8_knowledge_interest"]}
    assert frame.loc[frame["wave"] == second.slug, "sc8_knowledge_interest"].isna().all()
    assert frame.loc[frame["wave"] == first.slug, "sc9_shared_goals"].isna().all()
    assert frame.loc[frame["wave"] == first.slug, "sc8_knowledge_interest"].notna().all()


def test_compare_page_accepts_waves_on_two_versions(two_versions, researcher_client):
    first, second = two_versions
    r = researcher_client.get(f"/analysis/compare/?a={first.slug}&b={second.slug}")
    html = r.content.decode()
    assert r.status_code == 200 and "sc8_knowledge_interest" in html and "so not compared" in html


def test_waves_of_different_instruments_still_cannot_be_compared(open_wave, interview_wave):
    with pytest.raises(ValueError, match="same instrument"):
        comparison_build(open_wave, interview_wave)
