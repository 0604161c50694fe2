"""Load and fault benchmark: many respondents at once against gunicorn + PostgreSQL, on loopback.

    make load-test                      # 10 000 responses, 200 at once (a throwaway PostgreSQL)
    make load-test ARGS="--respondents 1000 --concurrency 100"

or, against a PostgreSQL you started yourself (its contents are not touched beyond a
new wave and one benchmark table):

    DATABASE_URL=postgres://... python benchmarks/load_test.py [--respondents N] ...

What it does, all on 127.0.0.1 only, bounded in requests and in time (--max-seconds):

1. migrates the database, loads the instruments and opens a new wave;
2. starts gunicorn (config/gunicorn.conf.py: 2 x cores + 1 workers) with production
   settings over plain HTTP (benchmarks/settings.py);
3. warm-up: --warmup-requests requests, --concurrency at once, half to the bare view and half
   to the wave's entry page, not counted (every worker has then loaded Django, its templates
   and its database connection);
   ceiling: --ceiling-requests POSTs, --concurrency at once, to a bare Django view that
   inserts one row (benchmarks/urls.py, not in the product's URLs), measured after the warm-up;
4. respondents: --respondents simulated respondents, --concurrency at once, each making the
   requests a browser makes: the entry page, the start (which answers with page 1), a POST of
   valid answers on every page (each answers with the page after it, the last with the review),
   the submit (which answers with the thank-you page); --double-rate of the submits are sent twice at
   once (a double click); one gunicorn worker is killed with SIGKILL when --kill-at of
   the respondents have finished. A request that fails (connection reset by the kill,
   a 5xx) is retried, as a browser's reload would, up to 3 times;
5. checks the database: completed responses = distinct accepted submissions, no
   response stored twice, no completed response with answers missing (each respondent
   writes its own marker into the comment question), and prints throughput, latency
   percentiles and errors by kind, and the throughput as a ratio of the ceiling.
"""
from __future__ import annotations

import argparse
import datetime
import asyncio
import collections
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RETRIES = 3


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--respondents", type=int, default=10_000, help="completed responses to aim for (default 10000)")
    p.add_argument("--concurrency", type=int, default=200, help="respondents at once (default 200)")
    p.add_argument("--ceiling-requests", type=int, default=10_000, help="requests to the ceiling view")
    p.add_argument("--warmup-requests", type=int, default=2_000,
                   help="requests before the ceiling is measured, not counted (default 2000)")
    p.add_argument("--double-rate", type=float, default=0.05, help="share of submits sent twice (default 0.05)")
    p.add_argument("--kill-at", type=float, default=0.4, help="kill a worker after this share of respondents")
    p.add_argument("--port", type=int, default=8017, help="gunicorn's port on 127.0.0.1 (default 8017)")
    p.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: 2 x cores + 1, capped)")
    p.add_argument("--max-seconds", type=float, default=3600,
                   help="stop the respondents after this long whatever (default 3600)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/load_test.json")
    args = p.parse_args(argv)
    if not 1 <= args.concurrency <= 1000 or not 1 <= args.respondents <= 100_000:
        p.error("--concurrency must be 1..1000 and --respondents 1..100000")
    if args.ceiling_requests > 100_000 or not 0 <= args.warmup_requests <= 100_000:
        p.error("--ceiling-requests and --warmup-requests must be at most 100000")
    return args


# --- Django, in this process, for set-up and the checks afterwards ------------------------------

def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("load_test: set DATABASE_URL to a PostgreSQL database (or run `make load-test`).")
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    import django

    django.setup()


def prepare(seed: int) -> tuple[str, dict]:
    """Migrate, load the instruments, open a new wave; return its slug and the valid answers per page."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.urls import CEILING_TABLE
    from surveys import selectors
    from surveys.models import Instrument, Wave

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_instruments", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {CEILING_TABLE} (id bigserial PRIMARY KEY, "
                       "payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
    slug = f"load-{int(time.time())}-{seed}"
    wave = Wave.objects.create(instrument=Instrument.objects.get(code="social-capital"), title="Load test",
                               slug=slug, status=Wave.Status.OPEN, access=Wave.Access.OPEN_LINK,
                               opens_at=timezone.now() - datetime.timedelta(minutes=1))
    structure = selectors.wave_structure(wave=wave)
    pages = []
    for section in structure.sections:
        questions = []
        for q in structure.questions[section.pk]:
            codes = [o.code for o in structure.options.get(q.pk, [])]
            questions.append({"code": q.code, "type": q.type, "codes": codes, "required": q.required})
        pages.append(questions)
    return slug, {"pages": pages}


def answers_for(pages: list, rng: random.Random, marker: str) -> list[dict]:
    out = []
    for questions in pages:
        data = {}
        for q in questions:
            if q["type"] == "multiple":
                data[q["code"]] = [str(c) for c in rng.sample(q["codes"], rng.randint(1, min(3, len(q["codes"]))))]
            elif q["codes"]:
                data[q["code"]] = str(rng.choice(q["codes"]))
            elif q["type"] in ("text", "long_text"):
                data[q["code"]] = f"{marker} Нам нужна поддержка региона."
            elif q["type"] == "number":
                data[q["code"]] = str(rng.randint(1, 100))
            elif q["type"] == "yes_no":
                data[q["code"]] = rng.choice(["0", "1"])
            elif q["type"] == "date":
                data[q["code"]] = "2026-05-01"
        out.append(data)
    return out


def check_database(slug: str, accepted: set[str]) -> dict:
    from surveys import selectors
    from surveys.models import Answer, Response, Wave

    wave = Wave.objects.get(slug=slug)
    completed = Response.objects.filter(wave=wave, status=Response.Status.COMPLETED)
    structure = selectors.wave_structure(wave=wave)
    stored: dict[int, dict[int, object]] = collections.defaultdict(dict)
    for response_id, question_id, value in Answer.objects.filter(response__in=completed).values_list(
            "response_id", "question_id", "value"):
        stored[response_id][question_id] = value
    half_stored = 0
    for response_id in completed.values_list("pk", flat=True):
        # every respondent answers every question it is shown (and the logic drops the others):
        # the codes answered must be exactly the codes the stored answers show
        answers = structure.answers_by_code(stored.get(response_id, {}))
        shown = {code for code, visible in structure.shown(answers).questions.items() if visible}
        half_stored += set(answers) != shown
    markers = collections.Counter(
        str(v).split(" ", 1)[0]
        for v in Answer.objects.filter(response__in=completed, question__code="comment").values_list("value", flat=True)
    )
    with_marker = set(markers)
    return {
        "completed_in_db": completed.count(),
        "accepted_submissions": len(accepted),
        "lost": len(accepted - with_marker),
        "duplicated": sum(n - 1 for n in markers.values() if n > 1),
        "completed_without_marker": completed.count() - sum(markers.values()),
        "stored_but_not_acknowledged": len(with_marker - accepted),
        "half_stored": half_stored,
        "in_progress_left": Response.objects.filter(wave=wave, status=Response.Status.IN_PROGRESS).count(),
    }


# --- gunicorn ------------------------------------------------------------------------------------

def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_ACCESS_LOG": "", "GUNICORN_MAX_REQUESTS": "0", "DJANGO_LOG_LEVEL": "ERROR"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                             "config.wsgi:application"], cwd=ROOT, env=env, start_new_session=True)
    if workers:
        expected = workers
    else:
        namespace: dict = {}
        exec(compile((ROOT / "config/gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
        expected = namespace["default_workers"]()
    deadline = time.time() + 30
    import socket

    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("load_test: gunicorn did not start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if len(worker_pids(proc.pid)) >= expected:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit("load_test: gunicorn did not answer within 30 s")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- the load ------------------------------------------------------------------------------------

class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.requests = 0

    def summary(self, seconds: float) -> dict:
        everything = sorted(x for values in self.latency.values() for x in values)
        by_kind = {kind: percentiles(sorted(v)) for kind, v in sorted(self.latency.items())}
        return {"requests_ok": len(everything), "requests_sent": self.requests, "seconds": round(seconds, 2),
                "requests_per_second": round(len(everything) / seconds, 1) if seconds else 0.0,
                "latency_ms": percentiles(everything), "latency_ms_by_kind": by_kind,
                "errors": dict(self.errors)}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}

    def at(q: float) -> float:
        return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(1000 * values[-1], 1)}


class Abandoned(Exception):
    pass


async def call(session, stats: Stats, kind: str, method: str, path: str, data=None, expect=(200,)):
    import aiohttp

    for attempt in range(RETRIES + 1):
        stats.requests += 1
        started = time.perf_counter()
        try:
            async with session.request(method, path, data=data, allow_redirects=False) as r:
                await r.read()
                elapsed = time.perf_counter() - started
                if r.status >= 500:
                    stats.errors[f"HTTP {r.status} on {kind}"] += 1
                elif r.status in expect:
                    stats.latency[kind].append(elapsed)
                    # where it led: a redirect's target, or the page a POST answered with
                    return r.status, r.headers.get("Location") or r.headers.get("Content-Location", "")
                else:
                    stats.errors[f"unexpected HTTP {r.status} on {kind}"] += 1
                    raise Abandoned(kind)
        except aiohttp.ServerDisconnectedError:
            stats.errors["server disconnected (worker killed)"] += 1
        except aiohttp.ClientOSError as exc:
            stats.errors[f"connection error: {exc.strerror or type(exc).__name__}"] += 1
        except asyncio.TimeoutError:
            stats.errors["timeout"] += 1
        except aiohttp.ClientError as exc:
            stats.errors[f"client error: {type(exc).__name__}"] += 1
        await asyncio.sleep(0.1 * (attempt + 1))
    raise Abandoned(kind)


def csrf(session) -> str:
    for cookie in session.cookie_jar:
        if cookie.key == "csrftoken":
            return cookie.value
    return ""


async def respondent(number: int, base: str, slug: str, plan: dict, rng: random.Random, double: bool,
                     stats: Stats, accepted: set[str], outcome: collections.Counter) -> None:
    import aiohttp

    marker = f"respondent-{number:06d}"
    pages = answers_for(plan["pages"], rng, marker)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(base_url=base, cookie_jar=jar, timeout=timeout, connector=connector) as s:
        try:
            await call(s, stats, "entry GET", "GET", f"/w/{slug}/")
            # Each POST answers with the next page itself (200, Content-Location), as a browser sees it:
            # the start shows page 1, each page's "Next" the page after it, the last the review.
            _, shown = await call(s, stats, "entry POST", "POST", f"/w/{slug}/", {"csrfmiddlewaretoken": csrf(s)})
            for page_number, data in enumerate(pages, start=1):
                if not shown.endswith(f"/w/{slug}/page/{page_number}/"):
                    raise Abandoned(f"page {page_number} (shown: {shown or 'no address'})")
                _, shown = await call(s, stats, "page POST", "POST", f"/w/{slug}/page/{page_number}/",
                                      {**data, "next": "1", "csrfmiddlewaretoken": csrf(s)})
            if not shown.endswith(f"/w/{slug}/review/"):
                raise Abandoned(f"review (shown: {shown or 'no address'})")
            form = {"csrfmiddlewaretoken": csrf(s)}
            sends = 2 if double else 1
            # the thank-you page (200), or for the second of a double click a redirect to it (302)
            results = await asyncio.gather(
                *[call(s, stats, "submit POST", "POST", f"/w/{slug}/review/", form, expect=(200, 302))
                  for _ in range(sends)], return_exceptions=True)
            ok = [r for r in results if not isinstance(r, BaseException)]
            if ok and all(loc.endswith(f"/w/{slug}/thanks/") for _status, loc in ok):
                accepted.add(marker)
                outcome["double submits" if double else "single submits"] += 1
            else:
                outcome["submit not acknowledged"] += 1
        except Abandoned as exc:
            outcome[f"abandoned at {exc}"] += 1


async def _requests(base: str, requests: int, concurrency: int, send) -> dict:
    """``requests`` numbered requests, ``concurrency`` at once, each made by ``send(session, stats, n)``."""
    import aiohttp

    stats = Stats()
    queue = iter(range(requests))
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=60)) as s:
        async def worker():
            for n in queue:
                try:
                    await send(s, stats, n)
                except Abandoned:
                    pass

        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return stats.summary(time.perf_counter() - started)


async def ceiling(base: str, requests: int, concurrency: int) -> dict:
    """The bare view: one INSERT per POST."""
    async def send(s, stats, n):
        await call(s, stats, "insert POST", "POST", "/bench/insert/", {"payload": f"row-{n}"})

    return await _requests(base, requests, concurrency, send)


async def warm_up(base: str, slug: str, requests: int, concurrency: int) -> dict:
    """Requests whose figures are not kept: the bare view and the entry page, until every worker
    has served some of each (Django, the templates and the connection loaded)."""
    async def send(s, stats, n):
        if n % 2:
            await call(s, stats, "warm-up GET", "GET", f"/w/{slug}/")
        else:
            await call(s, stats, "warm-up POST", "POST", "/bench/insert/", {"payload": f"warm-{n}"})

    return await _requests(base, requests, concurrency, send)


async def respondents(base: str, slug: str, plan: dict, args, master_pid: int) -> dict:
    stats, accepted, outcome = Stats(), set(), collections.Counter()
    rng = random.Random(args.seed)
    doubles = set(rng.sample(range(args.respondents), round(args.double_rate * args.respondents)))
    queue = iter(range(args.respondents))
    finished = 0
    killed: dict = {}
    kill_after = int(args.kill_at * args.respondents)

    async def worker():
        nonlocal finished
        for n in queue:
            await respondent(n, base, slug, plan, random.Random(args.seed * 1_000_003 + n), n in doubles,
                             stats, accepted, outcome)
            finished += 1
            if not killed and finished >= kill_after and args.kill_at < 1:
                pids = worker_pids(master_pid)
                if pids:
                    victim = random.Random(args.seed).choice(pids)
                    os.kill(victim, signal.SIGKILL)
                    killed.update(pid=victim, after_respondents=finished,
                                  at_seconds=round(time.perf_counter() - started, 2))
                    print(f"  killed gunicorn worker {victim} (SIGKILL) after {finished} respondents", flush=True)

    async def progress():
        while True:
            await asyncio.sleep(15)
            print(f"  {finished}/{args.respondents} respondents, {len(accepted)} accepted, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    reporter = asyncio.create_task(progress())
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(*[worker() for _ in range(args.concurrency)]),
                               timeout=args.max_seconds)
    except asyncio.TimeoutError:
        timed_out = True
    reporter.cancel()
    seconds = time.perf_counter() - started
    summary = stats.summary(seconds)
    summary.update(respondents_finished=finished, accepted=sorted(accepted), outcomes=dict(outcome),
                   killed_worker=killed, stopped_by_time_limit=timed_out,
                   completed_per_second=round(len(accepted) / seconds, 1) if seconds else 0.0)
    return summary


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop gunicorn (finally: below) when told to stop
    setup_django()
    slug, plan = prepare(args.seed)
    from django.db import connections

    connections.close_all()
    proc = start_gunicorn(args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    workers = len(worker_pids(proc.pid))
    print(f"load_test: gunicorn with {workers} workers on {base}, wave {slug}", flush=True)
    try:
        print(f"warm-up: {args.warmup_requests} requests (not counted) ...", flush=True)
        warm = asyncio.run(warm_up(base, slug, args.warmup_requests, args.concurrency))
        print(f"ceiling: {args.ceiling_requests} inserts, {args.concurrency} at once ...", flush=True)
        ceil = asyncio.run(ceiling(base, args.ceiling_requests, args.concurrency))
        print(f"respondents: {args.respondents}, {args.concurrency} at once, {args.double_rate:.0%} double "
              f"submits, a worker killed after {args.kill_at:.0%} ...", flush=True)
        load = asyncio.run(respondents(base, slug, plan, args, proc.pid))
    finally:
        stop_gunicorn(proc)
    accepted = set(load.pop("accepted"))
    checks = check_database(slug, accepted)
    ratio = load["requests_per_second"] / ceil["requests_per_second"] if ceil["requests_per_second"] else 0.0
    report = {"gunicorn_workers": workers, "cores": os.cpu_count(), "warmup": warm, "ceiling": ceil, "respondents": load,
              "database": checks, "ratio_to_ceiling": round(ratio, 3),
              "args": {k: str(v) for k, v in vars(args).items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    bad = checks["lost"] or checks["duplicated"] or checks["half_stored"] or checks["completed_without_marker"] \
        or checks["completed_in_db"] != checks["accepted_submissions"] + checks["stored_but_not_acknowledged"]
    return 1 if bad else 0


def print_report(r: dict) -> None:
    c, load, db = r["ceiling"], r["respondents"], r["database"]
    print("\n=== load and fault benchmark ===")
    print(f"machine: {r['cores']} cores; gunicorn {r['gunicorn_workers']} sync workers; PostgreSQL on loopback")
    print(f"ceiling (bare view, one INSERT): {c['requests_per_second']} req/s; latency ms {c['latency_ms']}")
    print(f"respondents: {load['respondents_finished']} finished in {load['seconds']} s"
          f"{' (stopped by the time limit)' if load['stopped_by_time_limit'] else ''}")
    print(f"  throughput: {load['requests_per_second']} req/s, {load['completed_per_second']} completed responses/s")
    print(f"  ratio to the ceiling (req/s): {r['ratio_to_ceiling']:.2f}")
    print(f"  latency ms (all requests): {load['latency_ms']}")
    for kind, pct in load["latency_ms_by_kind"].items():
        print(f"    {kind:<12} {pct}")
    print(f"  outcomes: {load['outcomes']}")
    print(f"  killed worker: {load['killed_worker'] or 'none'}")
    print(f"  errors by kind: {load['errors'] or 'none'}")
    print("database checks:")
    for key, value in db.items():
        print(f"  {key:<28} {value}")


if __name__ == "__main__":
    sys.exit(main())
