"""Local development and demo: `make run` uses these settings."""
from .base import *  # noqa: F401,F403
from .base import email_settings, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("DJANGO_DEMO", True)
# E-mails (password-reset links) are printed by `runserver` unless EMAIL_URL,
# EMAIL_BACKEND or EMAIL_HOST say otherwise.
globals().update(email_settings("django.core.mail.backends.console.EmailBackend"))
