"""Benchmark: one complete submission of the social-capital questionnaire, in-process, as a
respondent makes it: every request, GETs and POSTs.

Measures, with Django's test client against a fresh SQLite database in WAL mode
(a file under a temporary directory, as in production-like use):

* the SQL queries and the median time of each request of a complete submission, as a browser
  makes them: the entry page, the start (answered with page 1), the POST of each of the three
  pages (each answered with the page after it, the last with the review) and the submit (answered
  with the thank-you page): 6 requests, every page a respondent sees rendered; and their sum;
* the median, p90 and max time of a whole submission (all 6 requests), after a warm-up;
* concurrent respondents: THREADS threads completing questionnaires at once (the same 6
  requests), counting "database is locked" errors (must be 0) and completed responses.

The forms are sent as a browser sends them (application/x-www-form-urlencoded).

Run:  .venv/bin/python benchmarks/bench_submission.py [--runs 200] [--threads 8]
(``benchmarks/bench_peer.py`` runs it with ``--json`` beside django-survey-and-report.)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "social-capital-2026"


def respondent_requests(slug: str, answers: dict[int, dict]) -> list[tuple[str, str, dict, int]]:
    """(method, path, data, expected status) of every request of one complete submission, as a
    browser makes them. Each successful POST answers with the next page itself
    (``surveys.views._forward``): the start shows page 1, each page's "Next" the page after it, the
    last page the review, the submit the thank-you page."""
    wave = f"/w/{slug}/"
    requests = [("get", wave, {}, 200), ("post", wave, {}, 200)]
    for n in (1, 2, 3):
        requests.append(("post", f"{wave}page/{n}/", {**answers[n], "next": "1"}, 200))
    requests.append(("post", f"{wave}review/", {}, 200))
    return requests


REQUEST_NAMES = ["entry", "start (page 1)", "page 1 POST (page 2)", "page 2 POST (page 3)",
                 "page 3 POST (review)", "submit (thanks)"]


def browser_post(client, path: str, data: dict):
    """POST ``data`` as a browser sends a form without files (application/x-www-form-urlencoded;
    Django's test client would send multipart/form-data, which costs more to parse)."""
    from urllib.parse import urlencode

    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def questions_for_peer(slug: str) -> list[dict]:
    """The questionnaire's questions as the peer benchmark rebuilds them elsewhere (type, text,
    choices, whether required or conditional, the answer the benchmark gives)."""
    from surveys import selectors
    from surveys.models import Wave
    from tests.conftest import SOCIAL_CAPITAL_ANSWERS

    answers = {code: value for page in SOCIAL_CAPITAL_ANSWERS.values() for code, value in page.items()}
    structure = selectors.wave_structure(wave=Wave.objects.select_related("instrument").get(slug=slug))
    out = []
    for q in structure.all_questions:
        options = structure.options.get(q.pk, [])
        codes = [str(o.code) for o in options]
        given = answers.get(q.code)
        choices = [o.label for o in options] if options else (["Yes", "No"] if q.type == "yes_no" else [])
        out.append({
            "code": q.code, "type": q.type, "text": q.text, "required": q.required,
            "conditional": bool(q.condition), "choices": choices,
            "answer_index": codes.index(given) if isinstance(given, str) and given in codes else None,
            "answer_indexes": [codes.index(v) for v in given] if isinstance(given, list) else None,
            "answer": given if isinstance(given, str) and not options else None,
        })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8, help="0: no concurrent run")
    parser.add_argument("--per-thread", type=int, default=25)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--questions-json", help="write the questions (for benchmarks/bench_peer.py) to this file")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-submission-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    call_command("make_demo_data", verbosity=0)
    from surveys.models import Response
    from tests.conftest import SOCIAL_CAPITAL_ANSWERS as ANSWERS

    requests = respondent_requests(SLUG, ANSWERS)
    names = REQUEST_NAMES

    def send(client: Client, method: str, path: str, data: dict):
        return browser_post(client, path, data) if method == "post" else client.get(path, data)

    def submit(client: Client, per: list | None = None) -> list[int]:
        statuses = []
        for method, path, data, _expected in requests:
            start = time.perf_counter()
            if per is not None:
                with CaptureQueriesContext(connection) as ctx:
                    statuses.append(send(client, method, path, data).status_code)
                per.append((len(ctx), time.perf_counter() - start))
            else:
                statuses.append(send(client, method, path, data).status_code)
        return statuses

    server = Client()  # one handler, its middleware loaded once, as in a server process

    def respondent(client: Client | None = None) -> Client:
        """A new respondent's browser (no cookies) on the same server (``client``, or the main one)."""
        client = client or server
        client.cookies = SimpleCookie()
        return client

    expected = [status for *_rest, status in requests]
    # Query counts of one submission (the first one builds the wave's structure once).
    first: list = []
    assert submit(respondent(), first) == expected
    for _ in range(args.warmup):
        assert submit(respondent()) == expected
    per_request: list[list] = [[] for _ in requests]
    queries: list[int] = []
    for run in range(max(args.runs // 4, 1)):
        measured: list = []
        assert submit(respondent(), measured) == expected
        queries = [count for count, _seconds in measured]
        for k, (_count, seconds) in enumerate(measured):
            per_request[k].append(seconds)
    print(f"SQL queries per request, the first submission (the wave's structure is built once): "
          f"{[count for count, _s in first]}")
    print("SQL queries and median time per request:")
    for name, count, seconds in zip(names, queries, per_request):
        print(f"  {name:<22} {count:>2} queries  {statistics.median(seconds) * 1000:6.2f} ms")
    print(f"SQL queries for one complete submission ({len(requests)} requests): {sum(queries)}")

    # Timing of whole submissions.
    times = []
    for _ in range(args.runs):
        client = respondent()
        start = time.perf_counter()
        statuses = submit(client)
        times.append(time.perf_counter() - start)
        assert statuses == expected, statuses
    times.sort()
    print(f"complete submission, every request, {args.runs} runs: median {statistics.median(times) * 1000:.1f} ms, "
          f"p90 {times[int(0.9 * len(times))] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "name": "Cluster Readiness Survey, social-capital questionnaire (3 pages)", "requests": len(requests),
            "queries": queries, "questions": len(questions_for_peer(SLUG)), "times": times}))
    if args.questions_json:
        Path(args.questions_json).write_text(json.dumps(questions_for_peer(SLUG), ensure_ascii=False))
    if args.threads <= 0:
        return

    # Concurrency on the same SQLite file.
    before = Response.objects.filter(status="completed").count()
    errors: list[str] = []

    def worker() -> None:
        from django.db import connections
        try:
            browser = Client()
            for _ in range(args.per_thread):
                statuses = submit(respondent(browser))
                if statuses != expected:
                    errors.append(f"statuses {statuses}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done = Response.objects.filter(status="completed").count() - before
    locked = sum("locked" in e for e in errors)
    print(f"concurrent: {args.threads} threads x {args.per_thread} submissions in {elapsed:.1f} s; "
          f"completed {done} of {args.threads * args.per_thread}; 'database is locked' errors: {locked}; "
          f"other errors: {len(errors) - locked}")
    if errors:
        print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
