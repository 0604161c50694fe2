"""Hooks for django-axes: the client's address and the lock-out page."""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.ratelimit import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The address axes counts failures for: the same one the link-guessing limiter uses, or None
    when the request has no valid address (PostgreSQL's inet column refuses anything else)."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """A page in the site's layout (HTTP 429) saying why the login was refused and for how long."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if cooloff else 0
    response = render(request, "registration/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


def username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name axes records, cut to its 255-character column (a longer name, which no account
    has, would otherwise fail to be stored on PostgreSQL)."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    return None if name is None else str(name)[:255]
