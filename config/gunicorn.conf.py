"""gunicorn settings for `make serve` (and any deployment that wants them).

Workers: WEB_CONCURRENCY if set, else 2 x CPU cores + 1, capped at
GUNICORN_MAX_WORKERS (default 8): each worker holds one database connection, and
past a handful per core they only queue on the database. Every worker is
stateless (sessions and cached counters live in the database or a shared cache),
so more machines behind a proxy scale the same way.
"""
import multiprocessing
import os


def default_workers(cores: int | None = None, cap: int | None = None) -> int:
    cores = cores or multiprocessing.cpu_count()
    cap = cap or int(os.environ.get("GUNICORN_MAX_WORKERS", "8"))
    return max(1, min(2 * cores + 1, cap))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or default_workers()
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
