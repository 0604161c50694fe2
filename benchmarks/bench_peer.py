"""Benchmark: a whole respondent submission here against django-survey-and-report (DSR), in one run.

Both sides run in-process with Django's test client against a fresh SQLite file database, one
after the other, each in its own interpreter:

* here: ``benchmarks/bench_submission.py --json`` (the social-capital questionnaire, three pages:
  the entry page, the start, the POST of each page and the submit, each POST answered with the
  page after it, so every page a respondent sees is rendered: every request a browser makes);
* DSR 1.5.0 (PyPI ``django-survey-and-report==1.5.0``), installed by this script into its own
  virtualenv under ``var/bench-peer/venv`` (created on the first run): a one-page survey with the
  same number of questions, of the nearest types and with the same choices, answered in full
  (the GET of the survey, its POST and the confirmation page DSR redirects to).

Both sides send their forms as a browser does (application/x-www-form-urlencoded).

It runs both sides ROUNDS times (3 unless ``--rounds``), taking turns to go first, and prints for each
round each side's median and p90 time of a whole submission, its SQL queries and the ratio of the two
medians (here / DSR), then the median of the rounds' ratios. Run on demand (not in CI): ``make bench-peer`` or

    .venv/bin/python benchmarks/bench_peer.py [--runs 200] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT / "var" / "bench-peer"
PEER_VENV = PEER_DIR / "venv"
PEER_PACKAGE = "django-survey-and-report==1.5.0"


# --- the DSR side (runs in DSR's virtualenv) ---------------------------------------------------

DSR_TYPES = {  # question type here -> DSR's nearest type
    "scale": "radio", "single": "radio", "yes_no": "radio", "multiple": "select-multiple",
    "text": "short-text", "long_text": "text", "number": "float", "date": "date",
}


def dsr_side(questions: list[dict], runs: int, warmup: int) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench-peer-dsr-")
    from django.conf import settings

    settings.configure(
        DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="survey.urls",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.messages", "django.contrib.staticfiles", "survey"],
        MIDDLEWARE=["django.middleware.security.SecurityMiddleware",
                    "django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.locale.LocaleMiddleware",
                    "django.middleware.common.CommonMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.contrib.messages.middleware.MessageMiddleware",
                    "django.middleware.clickjacking.XFrameOptionsMiddleware"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.i18n",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages"]}}],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{tmp}/dsr.sqlite3",
                               "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                           "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"}}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField", USE_TZ=True, LANGUAGE_CODE="en", STATIC_URL="/static/",
        CHOICES_SEPARATOR=",", USER_DID_NOT_ANSWER="Left blank", LOGIN_URL="/login/",
        LOGGING={"version": 1, "disable_existing_loggers": True},
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils.text import slugify
    from survey.models import Question, Response, Survey

    from bench_submission import browser_post

    call_command("migrate", verbosity=0)
    survey = Survey.objects.create(name="Social capital", description="Benchmark", need_logged_user=False,
                                   display_method=Survey.ALL_IN_ONE_PAGE)
    data = {}
    for order, spec in enumerate(questions):
        kind = DSR_TYPES[spec["type"]]
        labels = [label.replace(",", " ") for label in spec["choices"]] or None
        question = Question.objects.create(survey=survey, text=spec["text"], order=order, type=kind,
                                           required=spec["required"] and not spec["conditional"],
                                           choices=",".join(labels) if labels else None)
        name = f"question_{question.pk}"
        if spec["conditional"]:
            continue  # not shown here either (the logic hides it for these answers)
        if kind == "radio":
            data[name] = slugify(labels[spec["answer_index"] or 0], allow_unicode=True)
        elif kind == "select-multiple":
            data[name] = [slugify(labels[i], allow_unicode=True) for i in (spec["answer_indexes"] or [0])]
        else:
            data[name] = spec["answer"] or "text"
    url = f"/{survey.pk}/"

    def submit(client: Client, per: list | None = None) -> None:
        requests = [("get", url, None), ("post", url, data)]
        for method, path, payload in requests:
            with CaptureQueriesContext(connection) as ctx:
                reply = browser_post(client, path, payload) if payload is not None else client.get(path)
            if per is not None:
                per.append(len(ctx))
            if method == "post":
                assert reply.status_code == 302, reply.content[:500]
                requests.append(("get", reply["Location"], None))
            else:
                assert reply.status_code == 200, (path, reply.status_code)

    server = Client()  # one handler, its middleware loaded once, as in a server process

    def respondent() -> Client:
        server.cookies = SimpleCookie()  # a new respondent's browser
        return server

    queries: list[int] = []
    submit(respondent(), queries)
    for _ in range(warmup):
        submit(respondent())
    times = []
    for _ in range(runs):
        client = respondent()
        start = time.perf_counter()
        submit(client)
        times.append(time.perf_counter() - start)
    assert Response.objects.count() == runs + warmup + 1
    return {"name": "django-survey-and-report 1.5.0, one page", "requests": len(queries), "queries": queries,
            "questions": len(questions), "times": times}


# --- the parent ----------------------------------------------------------------------------------

def peer_python() -> Path:
    """DSR's virtualenv (created, with the pinned release, on the first run)."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        PEER_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    installed = subprocess.run([str(python), "-m", "pip", "show", "django-survey-and-report"],
                               capture_output=True, text=True)
    if "Version: 1.5.0" not in installed.stdout:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", PEER_PACKAGE], check=True)
    return python


def summary(side: dict) -> str:
    times = sorted(side["times"])
    return (f"{side['name']}: {side['questions']} questions, {side['requests']} requests, "
            f"{sum(side['queries'])} SQL queries {side['queries']}; whole submission median "
            f"{statistics.median(times) * 1000:.1f} ms, p90 {times[int(0.9 * len(times))] * 1000:.1f} ms "
            f"({len(times)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="runs of both sides, taking turns to go first")
    parser.add_argument("--dsr-side", metavar="QUESTIONS_JSON", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dsr_side:
        result = dsr_side(json.loads(Path(args.dsr_side).read_text()), args.runs, args.warmup)
        Path(args.out).write_text(json.dumps(result))
        return

    PEER_DIR.mkdir(parents=True, exist_ok=True)
    ours_json, questions_json, dsr_json = (PEER_DIR / name for name in ("ours.json", "questions.json", "dsr.json"))
    python = peer_python()

    def run_ours() -> dict:
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "benchmarks" / "bench_submission.py"),
                        "--runs", str(args.runs), "--warmup", str(args.warmup), "--threads", "0",
                        "--json", str(ours_json), "--questions-json", str(questions_json)], check=True,
                       stdout=subprocess.DEVNULL)
        return json.loads(ours_json.read_text())

    def run_dsr() -> dict:
        subprocess.run([str(python), str(Path(__file__).resolve()), "--dsr-side", str(questions_json),
                        "--runs", str(args.runs), "--warmup", str(args.warmup), "--out", str(dsr_json)], check=True,
                       env={**os.environ, "PYTHONPATH": ""})
        return json.loads(dsr_json.read_text())

    ratios = []
    for number in range(1, args.rounds + 1):
        # the sides take turns going first, so that a machine slowing down or speeding up during the
        # run weighs on both
        if number % 2:
            ours = run_ours()
            dsr = run_dsr()
        else:  # after round 1, which wrote the questions DSR's side builds
            dsr = run_dsr()
            ours = run_ours()
        ratio = statistics.median(ours["times"]) / statistics.median(dsr["times"])
        ratios.append(ratio)
        print(f"round {number} of {args.rounds}:")
        print("  " + summary(ours))
        print("  " + summary(dsr))
        print(f"  ratio of the medians, here / DSR: {ratio:.2f}")
    print(f"ratio of the medians, here / DSR, median of {len(ratios)} rounds: {statistics.median(ratios):.2f} "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; the target is at most 0.50); "
          f"SQL queries {sum(ours['queries'])} / {sum(dsr['queries'])}")


if __name__ == "__main__":
    main()
