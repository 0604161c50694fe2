"""The exact tests of a report's cross-tabulations run side by side in background threads
(analysis.tables.exact_prefetch), each once, and give the p-values the serial computation gives."""
from __future__ import annotations

import sys
import threading
import time

import pandas as pd
import pytest
from django.core.cache import cache

from analysis import tables
from analysis.report import forget_reports, report_build
from analysis.stats import crosstab as crosstab_mod
from surveys.models import Wave


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def _frame() -> pd.DataFrame:
    # a: 3 x 3 sparse against b and c; d constant (cannot be tested)
    a = ["x"] * 6 + ["y"] * 6 + ["z"] * 6
    b = ["p", "p", "q", "q", "r", "p", "q", "r", "r", "r", "q", "r", "p", "p", "p", "q", "r", "p"]
    c = ["u", "v"] * 9
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": ["k"] * 18})


@pytest.fixture
def slow_tests(monkeypatch):
    """The exact test, recording the thread of each call; two calls must meet (a barrier of two)
    before either goes on, which only tests running side by side can do."""
    calls: list[str] = []
    real = crosstab_mod.fisher_exact_rxc
    meet = threading.Barrier(2, timeout=20)

    def slow(table, *, limit):
        calls.append(threading.current_thread().name)
        meet.wait()
        return real(table, limit=limit)

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", slow)
    slow.calls, slow.real = calls, real
    return slow


def test_prefetched_tests_run_in_threads_once_and_agree_with_the_serial_test(slow_tests, settings):
    settings.ANALYSIS_EXACT_THREADS = 2
    frame = _frame()
    jobs = [("a", "b", None), ("a", "c", None), ("d", "b", None)]
    before = sys.getswitchinterval()
    final = tables.exact_prefetch(frame, jobs)
    assert final == {}  # both tables are sparse: their tests are running; d cannot be tabulated
    assert sys.getswitchinterval() == pytest.approx(tables.SWITCH_INTERVAL)
    # waits for the running tests (computed twice, or one after the other, the barrier would break)
    results = {by: tables.crosstab(frame, "a", by) for by in ("b", "c")}
    assert len(slow_tests.calls) == 2 and all(name.startswith("exact-test") for name in slow_tests.calls)
    for _ in range(50):  # the last thread restores the interval as it leaves
        if sys.getswitchinterval() == pytest.approx(before):
            break
        time.sleep(0.01)
    assert sys.getswitchinterval() == pytest.approx(before)
    # the p-values of the same tables tested one at a time in this thread
    for by, result in results.items():
        table = pd.crosstab(frame[by], frame["a"]).to_numpy()
        assert result.exact_p is not None
        assert result.exact_p == slow_tests.real(table, limit=crosstab_mod.EXACT_LIMIT)
    # kept: asking again computes nothing, and the prefetch now returns the tables as final
    assert set(tables.exact_prefetch(frame, jobs[:2])) == {("a", "b", None), ("a", "c", None)}
    assert len(slow_tests.calls) == 2


def test_a_table_without_an_exact_test_is_final_at_once(slow_tests):  # the barrier is never reached
    frame = pd.DataFrame({"a": ["x", "y"] * 60, "b": ["p"] * 60 + ["q"] * 60})
    final = tables.exact_prefetch(frame, [("a", "b", None)])
    assert final[("a", "b", None)].exact_p is None and final[("a", "b", None)].n == 120
    assert slow_tests.calls == []


def test_a_test_that_gives_up_is_kept_for_its_budget(monkeypatch):
    calls = []

    def gives_up(table, *, limit):
        calls.append(limit)
        return None

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", gives_up)
    frame = _frame()
    assert tables.exact_prefetch(frame, [("a", "b", 5)]) == {}
    result = tables.crosstab(frame, "a", "b", exact_limit=5)
    assert result.exact_p is None and calls == [5]
    assert "too large for the exact test" in " ".join(result.notes)
    assert set(tables.exact_prefetch(frame, [("a", "b", 5)])) == {("a", "b", 5)} and calls == [5]


def test_the_bundles_crosstabs_with_threads_equal_those_without(demo_wave, settings, monkeypatch):
    """Every cross-tabulation of the demo bundle (16, most sparse): the same p-values whether the
    exact tests run in threads or one after the other in the request."""
    wave = Wave.objects.select_related("instrument").get(pk=demo_wave.pk)
    settings.ANALYSIS_EXACT_THREADS = 2
    threaded = report_build(wave, all_crosstabs=True)
    forget_reports()
    cache.clear()
    monkeypatch.setattr(tables, "exact_prefetch", lambda frame, jobs: {})
    serial = report_build(wave, all_crosstabs=True)

    def exact(report):
        section = next(s for s in report.sections if s.key == "crosstab")
        return {t.name: (t.result.exact_p, t.result.chi2, t.result.n) for t in section.tables}

    got, expected = exact(threaded), exact(serial)
    assert len(got) == 17 and got == expected
    assert sum(p is not None for p, _chi2, _n in got.values()) >= 10  # most of them sparse: exact tests


def test_the_bundle_starts_its_exact_tests_before_writing_its_data(demo_wave, monkeypatch, tmp_path):
    from analysis import bundle, exports
    from analysis import report as report_module

    order: list[str] = []
    real_prefetch, real_write = tables.exact_prefetch, exports.write_data

    def prefetch(frame, jobs):
        order.append(f"prefetch {len(jobs)}")
        return real_prefetch(frame, jobs)

    def write(*args, **kwargs):
        order.append("data")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(tables, "exact_prefetch", prefetch)
    monkeypatch.setattr(exports, "write_data", write)
    wave = Wave.objects.select_related("instrument").get(pk=demo_wave.pk)
    bundle.wave_bundle_write(wave, tmp_path, lang="en")
    # 16 cross-tabulations and the page's, started before the first data file; the report's own
    # prefetch then finds them kept or running (nothing left to start)
    assert order[0] == "prefetch 17" and order[1] == "data"
    assert len(list(tmp_path.glob("crosstab_*_by_*.csv"))) == 16
    order.clear()
    forget_reports()
    monkeypatch.setattr(report_module, "PREFETCH_RESPONSES", 99)  # the demo wave has 100
    report_module.report_prefetch(wave, lang="en")
    assert order == []


def test_the_bundles_figures_are_drawn_with_the_report_the_pages_are_not(demo_wave):
    wave = Wave.objects.select_related("instrument").get(pk=demo_wave.pk)
    page = report_build(wave)
    assert page.figures() and all(not figure.rendered for figure in page.figures().values())
    full = report_build(wave, all_crosstabs=True)
    assert full.figures() and all(set(figure.rendered) == {"png", "svg", "pdf"}
                                  for figure in full.figures().values())


def test_a_forked_process_starts_without_the_parents_pool(settings):
    """A server worker forked after the pool was made gets a pool of its own, whose threads run."""
    import os

    settings.ANALYSIS_EXACT_THREADS = 2
    tables._pool()
    assert tables._POOL
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a fresh pool computes a test
        ok = False
        try:
            ok = not tables._POOL and not tables._RUNNING and tables._pool().submit(lambda: 41 + 1).result(10) == 42
        finally:
            os.write(write, b"1" if ok else b"0")
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"


def test_the_p_values_are_kept_in_the_database_for_every_process(monkeypatch):
    from analysis.models import ExactTest

    frame = _frame()
    tables.exact_prefetch(frame, [("a", "b", None)])  # computed in a test thread
    threaded = tables.crosstab(frame, "a", "b").exact_p
    inline = tables.crosstab(frame, "a", "c").exact_p  # computed in this thread
    stored = dict(ExactTest.objects.values_list("key", "p_value"))
    assert sorted(stored.values()) == sorted([threaded, inline]) and all(len(key) == 64 for key in stored)
    # another process (an empty cache) takes them from the database, computing nothing

    def refuse(table, *, limit):
        raise AssertionError("computed again")

    cache.clear()
    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)
    assert tables.crosstab(frame, "a", "b").exact_p == threaded
    assert tables.exact_prefetch(frame, [("a", "c", None)])[("a", "c", None)].exact_p == inline
