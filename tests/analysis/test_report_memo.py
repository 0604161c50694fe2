"""Each process keeps the reports it built: an unchanged wave's report is not built again, a
changed one (responses, answers, texts, title, options, language) is."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis import report as report_module
from analysis.report import Options, forget_reports, report_build
from surveys.models import Answer, Response, Wave


def _fresh(wave):
    return Wave.objects.select_related("instrument").get(pk=wave.pk)


@pytest.fixture
def builds(monkeypatch):
    """The languages of the reports actually built (not taken from the memo)."""
    built = []
    real = report_module._Builder.build

    def counting(self):
        built.append(self.lang)
        return real(self)

    monkeypatch.setattr(report_module._Builder, "build", counting)
    return built


def test_an_unchanged_wave_is_not_built_again(demo_wave, builds):
    first = report_build(_fresh(demo_wave))
    with CaptureQueriesContext(connection) as queries:
        again = report_build(_fresh(demo_wave))
    assert builds == ["en"]
    assert again.sections is first.sections and again.n == first.n == 100
    assert len(queries) <= 8  # the report version's queries only
    report_build(_fresh(demo_wave), lang="ru")
    report_build(_fresh(demo_wave), options=Options(item="sc2_norms"))
    assert builds == ["en", "ru", "en"]
    forget_reports()
    report_build(_fresh(demo_wave))
    assert builds == ["en", "ru", "en", "en"]


def test_the_wave_returned_is_the_one_asked_for(demo_wave, builds):
    report_build(_fresh(demo_wave))
    wave = _fresh(demo_wave)
    wave.status = Wave.Status.OPEN
    assert report_build(wave).wave is wave and builds == ["en"]


@pytest.mark.parametrize("change", ["answer", "response", "title"])
def test_a_change_builds_the_report_again(demo_wave, builds, change):
    before = report_build(_fresh(demo_wave))
    response = Response.objects.filter(wave=demo_wave, status=Response.Status.COMPLETED).order_by("pk").first()
    if change == "answer":
        answer = Answer.objects.get(response=response, question__code="sc1_contacts")
        answer.value = 1 if answer.value != 1 else 2
        answer.save()
    elif change == "response":
        response.delete()
    else:
        Wave.objects.filter(pk=demo_wave.pk).update(title_ru="Новое название")
    after = report_build(_fresh(demo_wave))
    assert builds == ["en", "en"]
    if change == "response":
        assert after.n == before.n - 1 == 99
    if change == "answer":
        assert not after.frame["sc1_contacts"].equals(before.frame["sc1_contacts"])


def test_a_figure_is_drawn_once_for_all_its_formats(demo_wave, monkeypatch):
    report = report_build(_fresh(demo_wave))
    figure = next(iter(report.figures().values()))
    draws = []
    real = figure.draw
    monkeypatch.setattr(figure, "draw", lambda: draws.append(1) or real())
    files = figure.render_all()
    assert set(files) == {"png", "svg", "pdf"} and files["png"].startswith(b"\x89PNG") and draws == [1]
    assert figure.render("pdf") == files["pdf"] and figure.render("svg").lstrip().startswith(b"<?xml")
    assert draws == [1]


def test_an_exact_test_is_computed_once_per_table_of_counts(monkeypatch, db):
    import numpy as np

    from analysis import tables
    from analysis.stats import crosstab as crosstab_mod

    calls = []
    real = crosstab_mod.fisher_exact_rxc

    def counting(table, *, limit):
        calls.append(limit)
        return None if limit < 10 else real(table, limit=limit)

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", counting)
    table = np.array([[3, 1, 0], [0, 2, 4]])
    p = tables.fisher_cached(table, limit=10**6)
    assert p == pytest.approx(0.03333333333, abs=1e-10)  # R: fisher.test(matrix(c(3,0,1,2,0,4), 2))$p.value
    assert tables.fisher_cached(table.copy(), limit=10**6) == p and tables.fisher_cached(table, limit=5) == p
    assert calls == [10**6]
    other = np.array([[3, 1, 1], [0, 2, 4]])
    assert tables.fisher_cached(other, limit=5) is None and tables.fisher_cached(other, limit=5) is None
    assert calls == [10**6, 5]  # a give-up is kept for its budget
    assert tables.fisher_cached(other, limit=10**6) is not None and calls == [10**6, 5, 10**6]


def test_the_report_in_another_language_reuses_the_exact_tests(demo_wave, monkeypatch):
    from analysis.stats import crosstab as crosstab_mod

    calls = []
    real = crosstab_mod.fisher_exact_rxc
    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", lambda table, *, limit: calls.append(1) or real(
        table, limit=limit))
    en = report_build(_fresh(demo_wave))
    first = len(calls)
    ru = report_build(_fresh(demo_wave), lang="ru")
    assert first >= 1 and len(calls) == first
    assert ru.section("crosstab").tables[0].result.exact_p == en.section("crosstab").tables[0].result.exact_p
