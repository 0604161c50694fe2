"""analysis.frames.coding: the long frame of codings and the coded figure's counts, from stored codings."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.frames.coding import coded_units, coding_frame, figure_counts, final_code_counts
from surveys.coding import services as coding_services


pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "figure1_added_value.csv"
SHARED_REFERENCE = Path("/work/shared/reference/figure1_added_value.csv")


def code_all(codebook, users, interviews, plan):
    """plan: per interview, (coder A's codes, coder B's codes or None, final codes or None)."""
    cats = {c.code: c for c in codebook.categories.all()}
    for interview, (a, b, final) in zip(interviews, plan):
        coding_services.coding_save(codebook=codebook, response=interview.response, coder=users["coder"], finish=True,
                         codes=[coding_services.CodeInput(category=cats[k]) for k in a])
        if b is not None:
            coding_services.coding_save(codebook=codebook, response=interview.response, coder=users["coder2"], finish=True,
                             codes=[coding_services.CodeInput(category=cats[k]) for k in b])
        if final is not None:
            coding_services.final_codes_set(codebook=codebook, response=interview.response,
                                 categories=[cats[k] for k in final], user=users["researcher"])


def test_coding_frame_is_long_and_takes_constant_queries(make_interview, codebook, users, interview_wave):
    interviews = [make_interview(f"Answer {i}") for i in range(3)]
    code_all(codebook, users, interviews[:2], [([1, 2], [1], [1, 2]), ([7], None, None)])
    with CaptureQueriesContext(connection) as small:
        frame = coding_frame(interview_wave, "added_value")
    code_all(codebook, users, interviews[2:], [([3, 4, 5], [], None)])  # B applied no code
    with CaptureQueriesContext(connection) as larger:
        larger_frame = coding_frame(interview_wave, "added_value")
    assert len(small.captured_queries) == len(larger.captured_queries) == 2
    assert list(frame.columns) == ["unit", "coder", "code"] and str(frame["code"].dtype) == "int64"
    u0, u1 = str(interviews[0].response.uuid), str(interviews[1].response.uuid)
    # u1 waits for its second coder: its codes are in no frame yet
    assert frame.values.tolist() == [[u0, "coder_a", 1], [u0, "coder_a", 2], [u0, "coder_b", 1]]
    assert u1 not in set(larger_frame["unit"]) and len(larger_frame) == 6
    units = coded_units(interview_wave, "added_value")
    assert units.shape == (4, 2)
    assert [str(interviews[2].response.uuid), "coder_b"] in units.values.tolist()


def test_unfinished_codings_are_not_in_the_frame(make_interview, codebook, users, interview_wave):
    interview = make_interview("Answer")
    coding_services.coding_save(codebook=codebook, response=interview.response, coder=users["coder"], finish=False,
                     codes=[coding_services.CodeInput(category=codebook.categories.get(code=1))])
    assert coding_frame(interview_wave, "added_value").empty


def test_figure1_counts_final_codes_in_the_figures_order(make_interview, codebook, users, interview_wave):
    interviews = [make_interview(f"Answer {i}") for i in range(5)]
    make_interview("not completed", complete=False)
    code_all(codebook, users, interviews[:4], [
        ([1, 2], [1], [1, 2]),      # consensus: 1, 2
        ([1], [1, 6], [1]),         # consensus: 1
        ([7], None, None),          # one coder of two: not counted yet
        ([3], [4], None),           # two coders, unresolved: not counted yet
    ])
    with CaptureQueriesContext(connection) as queries:
        counts = final_code_counts(interview_wave, "added_value")
    assert len(queries.captured_queries) <= 8
    assert counts["count"].tolist() == [2, 1, 0, 0, 0, 0, 0]
    assert counts["code"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert counts.attrs["n_interviews"] == 5 and counts.attrs["n_coded"] == 2
    assert counts.attrs["illustrative"] is False
    # the figure's top-to-bottom order (as in the reference CSV) is kept in figure_row
    with open(SHARED_REFERENCE if SHARED_REFERENCE.exists() else REFERENCE, encoding="utf-8") as fh:
        reference = [row["category"] for row in sorted(csv.DictReader(fh),
                                                       key=lambda r: int(r["order_in_figure_top_to_bottom"]))]
    top_to_bottom = counts.sort_values("figure_row")["label"].tolist()
    assert len(top_to_bottom) == len(reference) == 7
    assert top_to_bottom[0] == reference[0] == "Services offered by the cluster management"
    assert top_to_bottom[-1] == reference[-1] == "Generating common R&D projects"
    for ours, theirs in zip(top_to_bottom, reference):  # the same categories, worded by the instrument
        assert set(ours.lower().replace(",", "").replace("'s", "").split()) & set(
            theirs.lower().replace(",", "").split()), (ours, theirs)


def test_no_codebook_is_a_clear_error(interview_wave, cluster_managers):
    with pytest.raises(ValueError, match="no codebook"):
        final_code_counts(interview_wave, "top_advantages")
    with pytest.raises(ValueError, match="no codebook"):
        coding_frame(interview_wave, "added_value")


def test_frames_are_plain_pandas(make_interview, codebook, users, interview_wave):
    code_all(codebook, users, [make_interview("A")], [([2], [2], [2])])
    assert isinstance(coding_frame(interview_wave, "added_value"), pd.DataFrame)
    assert final_code_counts(interview_wave, "added_value").set_index("code")["count"].to_dict()[2] == 1


def test_the_report_counts_only_final_codes(make_interview, codebook, users, interview_wave):
    from analysis import frames

    interviews = [make_interview(f"Answer {i}") for i in range(3)]
    frame, variables = frames.wave_frame(interview_wave), frames.variables(interview_wave.instrument)
    uncoded = figure_counts(interview_wave, frame, variables, "added_value")
    assert uncoded.attrs == {"n": 0, "source": "coded", "illustrative": False} and uncoded["count"].sum() == 0
    code_all(codebook, users, interviews[:2], [([6, 2], [6, 2], [6, 2]), ([6], None, None)])
    coded = figure_counts(interview_wave, frame, variables, "added_value")
    assert coded.attrs == {"n": 1, "source": "coded", "illustrative": False}
    assert coded["count"].tolist()[:2] == [1, 1] and sorted(coded.index.tolist()[:2]) == [2, 6]
    assert coded["count"].sum() == 2 and list(coded.columns) == ["label", "count"]


def test_a_question_without_codebook_counts_what_was_recorded(make_interview, interview_wave):
    from analysis import frames

    make_interview("Answer")
    frame, variables = frames.wave_frame(interview_wave), frames.variables(interview_wave.instrument)
    recorded = figure_counts(interview_wave, frame, variables, "top_advantages")
    assert recorded.attrs["source"] == "recorded" and recorded.attrs["n"] == 1
