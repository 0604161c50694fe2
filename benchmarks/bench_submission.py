"""Benchmark: one complete submission of the social-capital questionnaire, in-process.

Measures, with Django's test client against a fresh SQLite database in WAL mode
(a file under a temporary directory, as in production-like use):

* the number of SQL queries of each request of a complete submission
  (start, three section pages, final submit) and in total;
* the median, p90 and max time of a complete submission (all five requests);
* concurrent respondents: THREADS threads completing questionnaires at once,
  counting "database is locked" errors (must be 0) and completed responses.

Run:  .venv/bin/python benchmarks/bench_submission.py [--runs 200] [--threads 8]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=25)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-submission-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("make_demo_data", verbosity=0)
    from surveys.models import Response

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import SOCIAL_CAPITAL_ANSWERS as ANSWERS

    slug = "social-capital-2026"
    urls = [f"/w/{slug}/"] + [f"/w/{slug}/page/{n}/" for n in (1, 2, 3)] + [f"/w/{slug}/review/"]
    payloads = [{}] + [{**ANSWERS[n], "next": "1"} for n in (1, 2, 3)] + [{}]

    def submit(client: Client) -> list[int]:
        statuses = []
        for url, data in zip(urls, payloads):
            statuses.append(client.post(url, data).status_code)
        return statuses

    # Query counts of one submission.
    client = Client()
    per_request = []
    for url, data in zip(urls, payloads):
        with CaptureQueriesContext(connection) as ctx:
            status = client.post(url, data).status_code
        assert status == 302, (url, status)
        per_request.append(len(ctx))
    print(f"SQL queries per request (start, page 1 [6 questions], page 2 [8], page 3 [3], submit): {per_request}")
    print(f"SQL queries for one complete submission: {sum(per_request)}")

    # Timing.
    times = []
    for _ in range(args.runs):
        c = Client()
        t0 = time.perf_counter()
        statuses = submit(c)
        times.append(time.perf_counter() - t0)
        assert statuses == [302] * 5, statuses
    times.sort()
    print(f"complete submission, {args.runs} runs: median {statistics.median(times) * 1000:.1f} ms, "
          f"p90 {times[int(0.9 * len(times))] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")

    # Concurrency on the same SQLite file.
    before = Response.objects.filter(status="completed").count()
    errors: list[str] = []

    def worker() -> None:
        from django.db import connections
        try:
            for _ in range(args.per_thread):
                statuses = submit(Client())
                if statuses != [302] * 5:
                    errors.append(f"statuses {statuses}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    done = Response.objects.filter(status="completed").count() - before
    locked = sum("locked" in e for e in errors)
    print(f"concurrent: {args.threads} threads x {args.per_thread} submissions in {elapsed:.1f} s; "
          f"completed {done} of {args.threads * args.per_thread}; 'database is locked' errors: {locked}; "
          f"other errors: {len(errors) - locked}")
    if errors:
        print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
