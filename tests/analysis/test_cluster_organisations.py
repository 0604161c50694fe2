"""The third survey: the demo wave of the specialist cluster organisations reproduces the published
Figures 4, 5 and 7 (tests/reference/figure*.csv, from the seed paper) and the staff numbers, and its
report shows them in both languages, in the page, the downloads, the bundle and ``analyze``."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from analysis.report import report_build
from analysis.stats.choices import combination_percentages, numeric_summary, option_counts, option_percentages
from surveys import demo
from surveys.models import Answer, Wave

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


def _reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def wave(demo_data, db) -> Wave:
    return Wave.objects.get(slug=demo.CO_DEMO_WAVE)


@pytest.fixture
def report(wave):
    return report_build(wave, lang="en")


def test_the_demo_has_17_completed_questionnaires(wave):
    assert wave.responses.filter(status="completed").count() == 17


def test_figure4_counts_equal_the_reference(report):
    table = report.section("figure4").result
    reference = _reference("figure4_org_status.csv")
    assert [(r["label"], r["count"]) for _c, r in table.iloc[:5].iterrows()] == [
        (row["status"], int(row["count_n15"])) for row in reference]
    assert (table.attrs["n"], table.attrs["missing"]) == (15, 2)
    assert [round(p, 1) for p in table["percent"].iloc[:5]] == [53.3, 26.7, 6.7, 6.7, 6.7]


def test_figure5_counts_equal_the_reference_and_the_of_which_lines_split_the_first(report, wave):
    table = report.section("figure5").result
    reference = _reference("figure5_interest_mechanisms.csv")
    assert [(r["label"], r["count"]) for _c, r in table.iterrows()] == [
        (row["mechanism"], int(row["count"])) for row in reference]
    from analysis import frames
    frame = frames.wave_frame(wave, codes=True)
    first, split_a, split_b = (frame[f"interest_mechanisms__{c}"] == 1 for c in (1, 2, 3))
    assert not (split_a & split_b).any() and ((split_a | split_b) == first).all()
    assert "Several answers were allowed." in report.section("figure5").notes


def test_figure7_combinations_equal_the_reference(report):
    table = report.section("figure7").result
    sets = {frozenset(combo): int(count) for combo, count in table["count"].items()}
    assert sets == {frozenset({1, 2}): 9, frozenset({4}): 3, frozenset({3}): 1, frozenset({1, 2, 4}): 1}
    assert table.attrs["n"] == 14
    published = [int(row["count_n14"]) for row in _reference("figure7_funding_sources.csv")]
    assert sorted(table["count"], reverse=True) == sorted(published, reverse=True)
    assert round(table["percent"].iloc[0], 2) == 64.29  # the paper prints 64.4


def test_staff_mean_8_median_and_range_2_to_23(report):
    table = report.section("numbers").result
    row = table.loc["staff_count"]
    assert (row["n"], row["mean"], row["min"], row["max"], row["median"]) == (17, 8, 2, 23, 7)


def test_the_report_has_figures_4_5_7_and_a_frequency_table_of_every_question(report):
    keys = [s.key for s in report.sections]
    assert keys[:4] == ["figure4", "figure5", "figure7", "numbers"] and keys[-1] == "frequencies"
    assert set(report.figures()) >= {"figure4", "figure5", "figure7"}
    frequencies = {t.name for t in report.section("frequencies").tables}
    assert {"freq_org_status", "freq_interest_mechanisms", "freq_funding_sources", "freq_priority_activities",
            "freq_collab_companies"} <= frequencies
    assert report.section("figure4").title.startswith("Figure 4. ")
    assert "n = 15 respondents" in report.section("figure4").figures[0].note
    assert "n = 14 respondents" in report.section("figure7").figures[0].note


def test_illustrative_items_are_labelled_so(report):
    assert any("Illustrative" in note for note in report.section("table1").notes)
    frequencies = {t.name: t for t in report.section("frequencies").tables}
    assert "Illustrative" in frequencies["freq_collab_companies"].note
    assert "Illustrative" in frequencies["freq_priority_activities"].note
    assert "Illustrative" not in frequencies["freq_org_status"].note
    assert not report.section("figure4").notes


def test_the_russian_report_has_the_same_counts(wave, report):
    ru = report_build(wave, lang="ru")
    assert ru.section("figure4").title.startswith("Рисунок 4. ")
    assert list(ru.section("figure7").result["count"]) == list(report.section("figure7").result["count"])
    assert "," in ru.section("figure4").tables[0].printed.iloc[0, 1]  # 53,3


def test_the_page_downloads_and_bundle_show_the_figures(wave, researcher_client):
    base = f"/analysis/w/{demo.CO_DEMO_WAVE}/"
    page = researcher_client.get(base)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Figure 4." in html and "Figure 5." in html and "Figure 7." in html
    for name in ("figure-figure4.png", "figure-figure7.svg", "figure4.csv", "numbers.csv"):
        response = researcher_client.get(f"{base}download/{name}")
        assert response.status_code == 200, name
    bundle = researcher_client.get(f"{base}download/bundle.zip")
    names = zipfile.ZipFile(io.BytesIO(b"".join(bundle.streaming_content) if bundle.streaming else
                                       bundle.content)).namelist()
    assert any(n.endswith("figures/figure7.png") for n in names)


def test_analyze_writes_the_third_report(demo_data, db, tmp_path):
    call_command("analyze", demo.CO_DEMO_WAVE, "--out", str(tmp_path), verbosity=0)
    written = {p.name for p in tmp_path.rglob("*")}
    assert {"figure4.png", "figure5.png", "figure7.png"} <= written


# --- the statistics behind them, on small frames ---------------------------------------------

def test_option_percentages_count_valid_answers():
    table = option_percentages(pd.Series([1, 1, 2, None], dtype="Int64"), {1: "a", 2: "b", 3: "c"})
    assert list(table["count"]) == [2, 1, 0] and table.attrs == {"n": 3, "missing": 1}


def test_option_counts_and_combinations_of_a_multiple_choice():
    indicators = pd.DataFrame({1: [1, 1, 0, None], 2: [1, 0, 1, None]}, dtype="Int8")
    counts = option_counts(indicators, {1: "a", 2: "b"})
    assert list(counts["count"]) == [2, 2] and counts.attrs["n"] == 3
    combos = combination_percentages(indicators, {1: "a", 2: "b"})
    assert list(combos.index) == [(1,), (1, 2), (2,)] and list(combos["label"]) == ["a", "a, b", "b"]


def test_numeric_summary():
    table = numeric_summary(pd.DataFrame({"x": [2.0, 4.0, None]}), ["x"])
    assert table.loc["x", "mean"] == 3 and table.loc["x", "missing"] == 1


def test_the_limit_of_three_activities_is_said_in_the_table_and_the_codebook(wave, report):
    from analysis.exports import codebook, codebook_json

    frequencies = {t.name: t for t in report.section("frequencies").tables}
    assert "At most 3 options could be chosen." in frequencies["freq_priority_activities"].note
    assert "could be chosen" not in frequencies["freq_interest_mechanisms"].note  # no limit there
    ru = {t.name: t for t in report_build(wave, lang="ru").section("frequencies").tables}
    assert "Можно было выбрать не более 3 вариантов." in ru["freq_priority_activities"].note
    book = codebook(wave).set_index("variable")
    assert "at most 3 of the options of priority_activities" in book.loc["priority_activities__1", "notes"]
    variables = {v["variable"]: v for v in json.loads(codebook_json(wave))["variables"]}
    assert variables["priority_activities__1"]["max_choices"] == 3
    assert variables["interest_mechanisms__1"]["max_choices"] is None
    chosen = list(Answer.objects.filter(response__wave=wave, question__code="priority_activities")
                  .values_list("value", flat=True))
    assert len(chosen) == 17 and max(len(v) for v in chosen) == 3  # the demo keeps to the limit
