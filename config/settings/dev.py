"""Local development and demo: `make run` uses these settings."""
from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("DJANGO_DEMO", True)
