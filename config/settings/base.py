"""Settings shared by every environment; values come from the environment.

The default needs no configuration: SQLite in WAL mode under ``var/``.
Production (``config.settings.production``) requires ``DJANGO_SECRET_KEY``
and ``DJANGO_ALLOWED_HOSTS``; ``DATABASE_URL`` selects PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # django.contrib.admin with the project's site (config/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "config.apps.AxesConfig",  # axes, named in the page's language
    "csp",
    "surveys",
    "surveys.interviews",
    "surveys.coding",
    "surveys.fieldwork",
    "analysis",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",  # django_tasks_db, named in the page's language
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.StaffIdleTimeoutMiddleware",
    "config.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL wins; otherwise SQLite under var/ in WAL mode with a
# busy timeout, so concurrent respondents wait for the write lock instead of
# failing with "database is locked".
SQLITE_PATH = VAR_DIR / "db.sqlite3"
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# Who respondents contact about a link that does not work (shown on the invalid-link page).
SURVEY_CONTACT = os.environ.get("DJANGO_SURVEY_CONTACT", "")
LOGIN_REDIRECT_URL = "staff_home"  # the home of each role (config.views.staff_home)
LOGOUT_REDIRECT_URL = "surveys:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Moscow")
USE_TZ = True
# The pages (URL namespaces) whose times are shown in the user's own time zone, from the browser
# (config.middleware.UserTimeZoneMiddleware); every other page uses TIME_ZONE.
USER_TIME_ZONE_NAMESPACES = ["interviews"]
# Date formats of the site's own beside Django's (the short date and time with seconds).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the site writes (report bundles built by the worker): under var/media/ unless set; with
# several machines, a shared volume or an object store (docs/deployment.md).
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # respondents may resume within a month
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Cookies are sent on top-level navigation from other sites (links in invitation
# e-mails keep working) but not on cross-site sub-requests or POSTs. Production
# adds the Secure flag to all three (docs/security.md).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Signed-in users (staff, researchers, coders, interviewers) are logged out after
# this many minutes without a request; 0 turns it off. Respondents are anonymous and
# keep their month-long sessions (config/middleware.py).
STAFF_IDLE_TIMEOUT_MINUTES = int(os.environ.get("DJANGO_STAFF_IDLE_MINUTES", "60"))

# Login throttling (django-axes) on /accounts/login/ and /admin/login/: after
# AXES_FAILURE_LIMIT failed attempts for one user name from one client address,
# that pair is refused for AXES_COOLOFF_TIME (0 minutes: until an admin deletes the
# attempt in the admin or runs `manage.py axes_reset`); a successful login resets
# the count. The attempts are stored in the database, so every worker shares them.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
_AXES_COOLOFF_MINUTES = int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=_AXES_COOLOFF_MINUTES) if _AXES_COOLOFF_MINUTES > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"  # honours DJANGO_NUM_PROXIES
AXES_USERNAME_CALLABLE = "config.security.username"  # cut to the 255 characters axes stores
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# No log of successful logins (address, browser): only the failures that the lock-out
# needs are stored, and a successful login deletes them.
AXES_DISABLE_ACCESS_LOG = True

# Content-Security-Policy (django-csp 4): scripts, styles, images, fonts and
# connections only from this site; no plugins, no framing, no foreign form targets.
# Style *attributes* (style="...") are allowed by style-src-attr, <style> elements
# and foreign style sheets are not; data: images are needed by Bootstrap's icons
# (check boxes, select arrows). See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


def email_settings(default_backend: str, environ=os.environ) -> dict:
    """E-mail settings from the environment.

    ``EMAIL_URL`` (``smtp://``, ``smtp+tls://`` or ``submission://`` for STARTTLS,
    ``smtps://`` or ``smtp+ssl://`` for implicit TLS, ``console://``, ``locmem://``,
    ``dummy://``; user and password URL-encoded) wins over the separate variables
    ``EMAIL_BACKEND``, ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS`` and ``EMAIL_USE_SSL``.
    """
    def flag(name: str) -> bool:
        return environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}

    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    result = {
        "EMAIL_BACKEND": environ.get("EMAIL_BACKEND") or default_backend,
        "EMAIL_HOST": environ.get("EMAIL_HOST", "localhost"),
        "EMAIL_PORT": int(environ.get("EMAIL_PORT") or 25),
        "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": flag("EMAIL_USE_TLS"),
        "EMAIL_USE_SSL": flag("EMAIL_USE_SSL"),
    }
    if not environ.get("EMAIL_BACKEND") and environ.get("EMAIL_HOST"):
        result["EMAIL_BACKEND"] = backends["smtp"]
    url = environ.get("EMAIL_URL", "").strip()
    if url:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        tls = scheme in {"smtp+tls", "submission"}
        ssl = scheme in {"smtps", "smtp+ssl"}
        kind = "smtp" if scheme == "smtp" or tls or ssl else scheme
        if kind not in backends:
            raise ValueError(f"EMAIL_URL: unknown scheme {parts.scheme!r}")
        result.update({
            "EMAIL_BACKEND": backends[kind],
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if ssl else 587 if tls else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": tls,
            "EMAIL_USE_SSL": ssl,
        })
    if result["EMAIL_USE_TLS"] and result["EMAIL_USE_SSL"]:
        raise ValueError("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: choose one.")
    result["EMAIL_TIMEOUT"] = int(environ.get("EMAIL_TIMEOUT") or 10)
    result["DEFAULT_FROM_EMAIL"] = environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
    result["SERVER_EMAIL"] = environ.get("SERVER_EMAIL", result["DEFAULT_FROM_EMAIL"])
    return result


# E-mail (password-reset links): SMTP unless told otherwise; dev prints to the
# console, the tests keep messages in memory.
globals().update(email_settings("django.core.mail.backends.smtp.EmailBackend"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("DJANGO_PASSWORD_RESET_TIMEOUT_HOURS", "24")) * 60 * 60

# Demo mode: `make run` turns it on to create and print demo accounts.
DEMO_MODE = env_bool("DJANGO_DEMO", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Cache: per-process memory by default. Several web processes or machines should
# share one cache so that limits hold across them: set DJANGO_CACHE_BACKEND (e.g.
# django.core.cache.backends.db.DatabaseCache with DJANGO_CACHE_LOCATION=cache_table
# after `manage.py createcachetable`, or django.core.cache.backends.redis.RedisCache
# with a redis:// location).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "cluster-survey"),
    }
}

# Fisher's exact tests of a report's cross-tabulations run side by side in this many threads of
# the server process (0: the processor count, at most 4; 1: one at a time, still beside the rest
# of the report).
ANALYSIS_EXACT_THREADS = int(os.environ.get("DJANGO_ANALYSIS_EXACT_THREADS", "0"))
# Seconds after a wave's new completed responses when the worker computes the exact tests its report
# and bundle will need (analysis.tasks.exact_prepare): the responses completed meanwhile are
# read by the same task. 0: at once, after every submission.
ANALYSIS_EXACT_DELAY = float(os.environ.get("DJANGO_ANALYSIS_EXACT_DELAY", "30"))

# Guessing of invitation and resume links: at most SURVEYS_TOKEN_RATE_LIMIT failed
# attempts per client address in SURVEYS_TOKEN_RATE_WINDOW seconds, then 429 until
# the window ends. Behind N reverse proxies that append to X-Forwarded-For, set
# DJANGO_NUM_PROXIES=N so that the client's own address is counted.
SURVEYS_TOKEN_RATE_LIMIT = int(os.environ.get("DJANGO_TOKEN_RATE_LIMIT", "20"))
SURVEYS_TOKEN_RATE_WINDOW = int(os.environ.get("DJANGO_TOKEN_RATE_WINDOW", "600"))
# A respondent may e-mail their resume link to themselves this many times a day (per response).
SURVEYS_RESUME_MAILS = int(os.environ.get("DJANGO_RESUME_MAILS", "3"))
SURVEYS_NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))

# Background work (django-tasks, the backport of Django 6's tasks framework, with its database
# backend django-tasks-db): e-mail sending and report bundles run in `manage.py run_worker`
# (started by `make run` beside the web server), never in a request. docs/deployment.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Invitations and reminders: at most FIELDWORK_EMAIL_RATE messages a minute per mailing; the
# address the links in e-mails start with (default: the address the admin sent the mailing from).
FIELDWORK_EMAIL_RATE = float(os.environ.get("FIELDWORK_EMAIL_RATE", "30"))
FIELDWORK_BASE_URL = os.environ.get("FIELDWORK_BASE_URL", "")
# A message "sending" for longer than this (seconds) was left by a worker that stopped: it is
# reported as interrupted, never re-sent by itself; a mailing silent that long is taken over.
FIELDWORK_STALE_SECONDS = float(os.environ.get("FIELDWORK_STALE_SECONDS", "120"))
FIELDWORK_JOB_STALE_SECONDS = float(os.environ.get("FIELDWORK_JOB_STALE_SECONDS", str(6 * 60 * 60)))
FIELDWORK_JOBS_DIR = Path(os.environ.get("FIELDWORK_JOBS_DIR", VAR_DIR / "jobs"))
