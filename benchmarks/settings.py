"""Benchmark-only settings: production settings served over plain HTTP on loopback,
with the URL configuration that adds the ceiling view (benchmarks/urls.py)."""
from config.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False  # loopback, no TLS
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SURVEYS_TOKEN_RATE_LIMIT = 0  # every simulated respondent comes from 127.0.0.1
