"""The one report: the page, every download and the bundle show the same tables with the same
numbers, every download link of the page works, and what the report holds is read from the
instrument's roles, not from question codes."""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import timezone

from analysis import frames
from analysis.report import Options, report_build
from surveys.instruments import instrument_import
from surveys.models import Answer, Question, Response, Wave

pytestmark = pytest.mark.django_db


def _csv(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), index_col=0)


def test_page_downloads_and_bundle_agree(researcher_client, demo_wave):
    page = researcher_client.get("/analysis/w/social-capital-demo/")
    report = page.context["report"]
    names = set(report.tables())
    assert {"table1", "reliability", "reliability_items", "crosstab", "ordinal_coefficients",
            "ordinal_thresholds", "ordinal_fit", "ordinal_nominal_test", "freq_size"} <= names
    html = page.content.decode()
    bundle = researcher_client.get("/analysis/w/social-capital-demo/download/bundle.zip")
    assert bundle.status_code == 200
    base = "/analysis/w/social-capital-demo/download"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        files = set(zf.namelist())
        for name, table in report.tables().items():
            values = _csv(researcher_client.get(f"{base}/{name}.csv?values=1").content)
            pd.testing.assert_frame_equal(values.reset_index(drop=True), table.data.reset_index(drop=True),
                                          check_dtype=False, check_names=False, check_index_type=False,
                                          check_column_type=False)
            printed = researcher_client.get(f"{base}/{name}.csv").content
            for cell in table.printed.iloc[0]:  # as printed on the page
                assert f">{cell}<" in html, (name, cell)
            if name != "crosstab":  # the bundle has every cross-tabulation under its own name
                assert zf.read(f"{name}.csv") == printed, name
                pd.testing.assert_frame_equal(_csv(zf.read(f"values/{name}.csv")), values)
        # the page's default cross-tabulation is one of the bundle's
        item, by = report.section("crosstab").result
        assert zf.read(f"crosstab_{item}_by_{by}.csv") == researcher_client.get(f"{base}/crosstab.csv").content
        assert {"figures/table1.pdf", "figures/probabilities.svg", "report.html", "report.docx",
                "README.txt"} <= files
        readme = zf.read("README.txt").decode()
        assert "table1.csv: Table 1. Distribution of answers (%), n = 100" in readme


def test_every_download_link_of_the_first_view_works(researcher_client, demo_wave):
    for slug in ("social-capital-demo", "cluster-managers-demo"):
        html = researcher_client.get(f"/analysis/w/{slug}/").content.decode()
        links = sorted(set(re.findall(r'href="(/analysis/w/[^"]+/download/[^"]+)"', html)))
        links = [link.replace("&amp;", "&") for link in links if "bundle.zip" not in link]
        assert len(links) > (20 if slug == "social-capital-demo" else 8), links
        for link in links:
            assert researcher_client.get(link).status_code == 200, link
        images = re.findall(r'<img src="([^"]+)"', html)
        assert images and all(researcher_client.get(src.replace("&amp;", "&")).status_code == 200 for src in images)


def test_the_model_is_fitted_once_per_build(demo_wave, monkeypatch):
    from analysis import tables

    calls = []
    real = tables.fit_model
    monkeypatch.setattr(tables, "fit_model", lambda data, formula, **kw: calls.append((formula, kw.get("nominal")))
                        or real(data, formula, **kw))
    report = report_build(demo_wave, all_crosstabs=True)
    report.figure("probabilities").render("png")
    assert [nominal for _f, nominal in calls] == [None, ["trust_understanding"]]  # the model and its partial one


MIXED = {
    "code": "mixed", "kind": "interview", "title": {"en": "Mixed", "ru": "Смешанный"},
    "scales": [
        {"code": "agree", "ordered": True, "label": {"en": "Agreement", "ru": "Согласие"}, "options": [
            {"code": 3, "label": {"en": "Agree", "ru": "Согласен"}},
            {"code": 2, "label": {"en": "Neutral", "ru": "Нейтрально"}},
            {"code": 1, "label": {"en": "Disagree", "ru": "Не согласен"}}]},
        {"code": "kind", "label": {"en": "Kind", "ru": "Вид"}, "options": [
            {"code": 1, "label": {"en": "A", "ru": "А"}}, {"code": 2, "label": {"en": "B", "ru": "Б"}}]},
        {"code": "benefit", "label": {"en": "Benefits named", "ru": "Названные выгоды"}, "options": [
            {"code": 1, "label": {"en": "Funds", "ru": "Средства"}}, {"code": 2, "label": {"en": "Partners", "ru": "Партнёры"}},
            {"code": 3, "label": {"en": "Visibility", "ru": "Известность"}}]},
    ],
    "sections": [{"code": "main", "title": {"en": "Main", "ru": "Основное"}, "questions": [
        {"code": "kind_q", "type": "single", "scale": "kind", "role": "covariate", "text": {"en": "Kind?", "ru": "Вид?"}},
        *[{"code": f"item{i}", "type": "scale", "scale": "agree", "group": "block_a" if i < 3 else "block_b",
           "text": {"en": f"Item {i}", "ru": f"Пункт {i}"}} for i in range(1, 5)],
        {"code": "overall", "type": "scale", "scale": "agree", "role": "outcome",
         "text": {"en": "Overall", "ru": "В целом"}},
        {"code": "benefit_text", "type": "long_text", "required": False, "text": {"en": "Benefits?", "ru": "Выгоды?"}},
        {"code": "benefit_coded", "type": "multiple", "scale": "benefit", "required": False, "role": "figure",
         "label": {"en": "Benefits named", "ru": "Названные выгоды"}, "text": {"en": "Benefits (coded)", "ru": "Выгоды (коды)"}},
    ]}],
}


@pytest.fixture
def mixed_wave(db):
    instrument = instrument_import(data=MIXED)
    wave = Wave.objects.create(instrument=instrument, title="Mixed wave", slug="mixed", status=Wave.Status.CLOSED)
    questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
    rng = np.random.default_rng(1)
    for i in range(40):
        response = Response.objects.create(wave=wave, status=Response.Status.COMPLETED, submitted_at=timezone.now())
        latent = rng.normal()
        values = {f"item{j}": int(np.clip(np.round(2 + latent + rng.normal(scale=0.7)), 1, 3)) for j in range(1, 5)}
        values["overall"] = int(np.clip(np.round(2 + latent + rng.normal(scale=0.7)), 1, 3))
        values["kind_q"] = 1 + i % 2
        values["benefit_coded"] = [1] + ([2] if i % 3 == 0 else [])
        Answer.objects.bulk_create(Answer(response=response, question=questions[c], value=v) for c, v in values.items())
    return wave


def test_an_instrument_with_scale_items_and_coded_answers_gets_table1_and_figure1(researcher_client, mixed_wave,
                                                                                   tmp_path):
    page = researcher_client.get("/analysis/w/mixed/")
    report = page.context["report"]
    assert [s.key for s in report.sections] == ["figure1", "table1", "reliability", "crosstab", "model",
                                                "frequencies"]
    assert report.table("figure1").data["count"].tolist() == [40, 14, 0]
    assert report.section("figure1").title == "Figure 1. Benefits named"
    assert report.table("table1").data.index.tolist() == ["item1", "item2", "item3", "item4"]
    assert report.section("crosstab").result == ("item1", "kind_q")
    assert "overall ~ block_a + block_b + kind_q" == report.section("model").result.formula
    for name in ("table1.csv", "figure1.csv", "figure-figure1.png", "figure-table1.pdf"):
        assert researcher_client.get(f"/analysis/w/mixed/download/{name}").status_code == 200, name
    call_command("analyze", "mixed", "--out", str(tmp_path), verbosity=0)
    for name in ("table1.csv", "figure1.csv", "reliability.csv", "ordinal_coefficients.csv",
                 "crosstab_item1_by_kind_q.csv", "figures/figure1.pdf"):
        assert (tmp_path / name).exists(), name


def test_roles_come_from_the_instrument(mixed_wave):
    roles = frames.roles(mixed_wave.instrument)
    assert roles.blocks == {"block_a": ["item1", "item2"], "block_b": ["item3", "item4"]}
    assert roles.outcome == "overall" and roles.covariates == ["kind_q"] and roles.profile == ["kind_q"]
    assert roles.figures == ["benefit_coded"]


def test_an_instrument_that_declares_no_roles_still_gets_its_tables(db):
    data = {**MIXED, "code": "plain", "sections": [{**MIXED["sections"][0], "questions": [
        {k: v for k, v in q.items() if k not in ("role", "group")} for q in MIXED["sections"][0]["questions"]]}]}
    instrument = instrument_import(data=data)
    roles = frames.roles(instrument)
    assert roles.blocks == {"agree": ["item1", "item2", "item3", "item4", "overall"]}
    assert roles.outcome is None and roles.figures == [] and roles.profile == ["kind_q"]


def test_an_unknown_role_is_refused(db):
    from django.core.exceptions import ValidationError

    bad = {**MIXED, "code": "bad", "sections": [{**MIXED["sections"][0], "questions": [
        {**MIXED["sections"][0]["questions"][0], "role": "dependent"}]}]}
    with pytest.raises(ValidationError, match="unknown role 'dependent'"):
        instrument_import(data=bad)


def test_the_report_in_russian(demo_wave):
    report = report_build(demo_wave, lang="ru", options=Options(split="size"))
    assert report.section("table1").title == "Таблица 1. Распределение ответов"
    assert report.table("table1").data.index.names == ["size", "item"]


def test_comparing_interview_waves_says_why_not(researcher_client, demo_wave):
    other = Wave.objects.create(instrument=Wave.objects.get(slug="cluster-managers-demo").instrument,
                                title="Second", slug="cm-second", status=Wave.Status.CLOSED)
    r = researcher_client.get(f"/analysis/compare/?a=cluster-managers-demo&b={other.slug}")
    assert r.status_code == 200 and "no ordered scale items to compare" in r.content.decode()


def test_analysis_code_names_no_question_of_an_instrument():
    """What the report does with a question is instrument data (roles), never a code in analysis/."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "analysis"
    pattern = re.compile(r"readiness|added_value|[\"'](size|region)[\"']")
    hits = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py")
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if pattern.search(line)]
    assert hits == []
