"""A small limiter for guessing links: failed attempts per client address, in the cache.

The counts live in Django's cache, so several web processes share them when a
shared cache (database, Redis) is configured; the default per-process memory cache
limits each process on its own. Fixed windows: the first failure starts a window of
``SURVEYS_TOKEN_RATE_WINDOW`` seconds; after ``SURVEYS_TOKEN_RATE_LIMIT`` failures
the address is refused (HTTP 429) until the window ends.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For."""
    proxies = getattr(settings, "SURVEYS_NUM_PROXIES", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, request: HttpRequest) -> str:
    address = hashlib.sha256(client_address(request).encode("utf-8", "replace")).hexdigest()[:32]
    return f"surveys:ratelimit:{scope}:{address}"


def is_blocked(scope: str, request: HttpRequest) -> bool:
    """True when this address has used up its failed attempts in the current window."""
    limit = settings.SURVEYS_TOKEN_RATE_LIMIT
    if limit <= 0:
        return False
    return (cache.get(_key(scope, request)) or 0) >= limit


def record_failure(scope: str, request: HttpRequest) -> int:
    """Count one failed attempt; return the count in the current window."""
    key = _key(scope, request)
    cache.add(key, 0, timeout=settings.SURVEYS_TOKEN_RATE_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.SURVEYS_TOKEN_RATE_WINDOW)
        return 1


def retry_after() -> int:
    return settings.SURVEYS_TOKEN_RATE_WINDOW
