"""Missing-value options ("Don't know", "Unsure", "Refused") are left out of the statistics by
default, and every table that leaves them out says so (issue 13, part 2)."""
from __future__ import annotations

import pytest
from scipy.stats import chi2_contingency

from analysis import frames
from analysis.report import Options, report_build

pytestmark = pytest.mark.django_db


def _dont_know(demo_wave) -> int:
    answers = frames.wave_frame(demo_wave)
    return int((answers["cluster_member"] == "Don't know").sum())


def test_the_frame_the_statistics_use_has_dont_know_as_missing(demo_wave):
    answers = frames.wave_frame(demo_wave)
    stats, excluded = frames.missing_as_na(answers, frames.variables(demo_wave.instrument))
    k = _dont_know(demo_wave)
    assert k > 0  # the demo has some
    assert list(stats["cluster_member"].cat.categories) == ["Yes", "No"]  # the scale's order kept
    assert int(stats["cluster_member"].isna().sum()) == k + int(answers["cluster_member"].isna().sum())
    assert excluded == {"cluster_member": {"Don't know": k}}
    assert list(answers["cluster_member"].cat.categories) == ["Yes", "No", "Don't know"]  # untouched


def test_frequencies_show_dont_know_but_count_percentages_of_valid_answers(demo_wave):
    k = _dont_know(demo_wave)
    table = report_build(demo_wave).table("freq_cluster_member")
    data = table.data.set_index("option")
    valid = 100 - k
    assert data.loc["Yes", "percent_of_valid"] == pytest.approx(100 * data.loc["Yes", "n"] / valid)
    assert data.loc["Yes", "percent_of_valid"] + data.loc["No", "percent_of_valid"] == pytest.approx(100)
    assert data.loc["Don't know", "n"] == k and data.loc["Don't know", "percent_of_valid"] != data.loc[
        "Don't know", "percent_of_valid"]  # NaN: not a valid answer
    assert f"% of the {valid} valid answers. Don't know: a missing value" in table.note
    assert table.display.loc["Don't know"].tolist() == [str(k), "—"]


def test_the_crosstab_leaves_dont_know_out_and_says_so(demo_wave):
    k = _dont_know(demo_wave)
    report = report_build(demo_wave, options=Options(item="sc7_trust", by="cluster_member"))
    table = report.table("crosstab")
    assert list(table.data.index) == ["Yes", "No"] and table.result.n == 100 - k
    assert f"Left out as missing values: Don't know (Cluster member, n = {k})." in table.note
    chi2, _p, dof, _e = chi2_contingency(table.data.to_numpy(), correction=False)  # by hand, on the 2 rows
    assert table.result.chi2 == pytest.approx(chi2, rel=1e-12) and table.result.dof == dof == 3


def test_the_russian_report_says_so_too(demo_wave):
    report = report_build(demo_wave, lang="ru", options=Options(item="sc7_trust", by="cluster_member"))
    assert "Не знаю" in report.table("crosstab").note and "пропущен" in report.table("crosstab").note.lower()
    assert "Не знаю" in report.table("freq_cluster_member").note
