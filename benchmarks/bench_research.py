"""Benchmark the researchers' pages: the report page and the report bundle, on the demo waves and
on a wave of 100 000 responses (a temporary SQLite database, the test settings' in-memory cache).

For each wave it reports the report page (GET /analysis/w/<slug>/ as a researcher, through the
whole Django stack: middleware, permissions, template):

* cold: nothing of the wave cached (the cache and the report memo emptied before each request;
  the process itself is warm: imports done, one other page served);
* for the demo waves, cold with the exact tests known ("tests known": the worker ran the task new
  responses queue, ``analysis.tasks.exact_prepare``; nothing else is kept);
* warm: the same page asked for again, unchanged wave;
* for the large wave, also its very first report, which writes every response's stored line
  (analysis.frames.lines; the frame is read from them);
* for the demo waves, the bundle (bundle.zip, every table, figure and data file) the first time
  (nothing cached, no exact test or bundle kept); the first time after the task new responses
  queue (``analysis.tasks.exact_prepare``, run here as the worker runs it, then this process's
  cache and memo emptied: the exact tests, and nothing else, are in the database); after the
  report page's task
  (``analysis.tasks.bundle_prepare``, run here as the worker runs it, then this process's cache and
  memo emptied: the bundle and its exact tests are in the database); in the other language just
  after the first (Russian after English: the exact tests reused, the Russian bundle built); and
  the second time (this process's cache).

Every figure is the median of ``--runs`` requests (5 by default; the 100 000-response cold page
of 3). The targets (docs/testing.md): the demo report under 300 ms cold, the 100 000-response
report under 1 s cold and under 150 ms warm, the demo bundle under 2 s the first time (with the exact tests computed once per wave version:
"after tests").

Run:  .venv/bin/python benchmarks/bench_research.py [--runs 5] [--size 100000] [--no-large]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_WAVES = ("social-capital-demo", "cluster-managers-demo", "cluster-organisations-demo")


def timed(fn, runs: int, *, before=None) -> tuple[float, object]:
    """The median time of ``runs`` calls of ``fn`` in ms (``before`` called untimed before each)."""
    times, out = [], None
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--no-large", action="store_true", help="only the demo waves")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-research-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from analysis import report as report_module

    from benchmarks.large_wave import make_wave

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_instruments", verbosity=0)
    call_command("make_demo_data", verbosity=0)
    user = get_user_model().objects.create_user("bench-researcher", password="x")
    user.groups.add(Group.objects.get(name="Researchers"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en", SERVER_NAME="localhost")
    client.force_login(user)
    client_ru = Client(HTTP_ACCEPT_LANGUAGE="ru", SERVER_NAME="localhost")
    client_ru.force_login(user)
    assert client.get("/analysis/").status_code == 200  # the process is warm

    from analysis import tasks as analysis_tasks
    from analysis.models import ExactTest, PreparedBundle
    from surveys.models import Wave

    def forget() -> None:  # nothing known: the cache, the memo, the exact tests and bundles kept in the database
        cache.clear()
        report_module.forget_reports()
        ExactTest.objects.all().delete()
        PreparedBundle.objects.all().delete()

    def get(path: str, by=None):
        def request():
            response = (by or client).get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return request

    print(f"{'wave':34} {'page cold':>10} {'tests known':>12} {'page warm':>10} {'bundle 1st':>11} "
          f"{'after tests':>12} {'after task':>11} {'other lang':>11} {'bundle 2nd':>11}")
    for slug in DEMO_WAVES:
        page = f"/analysis/w/{slug}/"
        cold, _ = timed(get(page), args.runs, before=forget)

        def tests_known():  # the worker computed the wave's exact tests; nothing else is known
            cache.clear()
            report_module.forget_reports()
            PreparedBundle.objects.all().delete()

        forget()
        analysis_tasks.exact_prepare.call(Wave.objects.get(slug=slug).pk)
        known, _ = timed(get(page), args.runs, before=tests_known)
        warm, _ = timed(get(page), args.runs)
        bundle = f"/analysis/w/{slug}/download/bundle.zip"
        first, _ = timed(get(bundle), max(1, args.runs // 2), before=forget)

        def english_bundle_only():  # everything forgotten but what the English bundle computed
            forget()
            get(bundle)()
            report_module.forget_reports()

        def after_tests():  # the worker ran the task new responses queued; nothing else is known
            forget()
            analysis_tasks.exact_prepare.call(Wave.objects.get(slug=slug).pk)
            cache.clear()
            report_module.forget_reports()

        def after_task():  # the worker ran the task the page queued; this process has nothing cached
            forget()
            analysis_tasks.bundle_prepare.call(Wave.objects.get(slug=slug).pk, "en")
            cache.clear()
            report_module.forget_reports()

        tested, _ = timed(get(bundle), max(1, args.runs // 2), before=after_tests)
        after, _ = timed(get(bundle), max(1, args.runs // 2), before=after_task)
        other, _ = timed(get(bundle, client_ru), max(1, args.runs // 2), before=english_bundle_only)
        second, _ = timed(get(bundle), args.runs)
        print(f"{slug:34} {cold:8.0f} ms {known:10.0f} ms {warm:8.0f} ms {first:9.0f} ms {tested:10.0f} ms {after:9.0f} ms "
              f"{other:9.0f} ms {second:9.0f} ms")
    if args.no_large:
        return
    t0 = time.perf_counter()
    wave = make_wave(args.size)
    print(f"\n{args.size:,} responses created in {time.perf_counter() - t0:.1f} s")
    page = f"/analysis/w/{wave.slug}/"
    first, _ = timed(get(page), 1, before=forget)
    print(f"first report of the wave, every response's line written first: {first:.0f} ms")
    cold, _ = timed(get(page), max(1, min(args.runs, 3)), before=forget)
    warm, _ = timed(get(page), args.runs)
    print(f"{'wave':34} {'page cold':>10} {'page warm':>10}")
    print(f"{wave.slug:34} {cold:8.0f} ms {warm:8.0f} ms")


if __name__ == "__main__":
    main()
