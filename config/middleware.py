"""Signed-in users are logged out after a configurable time without a request; the pages that
show times to interviewers show them in the user's own time zone."""
from __future__ import annotations

import time
from typing import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from surveys.times import TIME_ZONE_COOKIE, time_zone_get

LAST_ACTIVITY_KEY = "_staff_last_activity"


def now() -> int:
    """Seconds since the epoch (a function of its own, so that tests can move the clock)."""
    return int(time.time())


class StaffIdleTimeoutMiddleware:
    """Log out an authenticated user whose previous request is older than the limit.

    The time of each request of a signed-in user is kept in the session
    (``LAST_ACTIVITY_KEY``, seconds since the epoch); when the gap to the next one
    exceeds ``STAFF_IDLE_TIMEOUT_MINUTES`` (0: never), the user is logged out before
    the view runs, so the request is handled as anonymous (a login page for staff
    pages) and a message says why. Anonymous sessions, the respondents', are never
    touched: they keep ``SESSION_COOKIE_AGE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "STAFF_IDLE_TIMEOUT_MINUTES", 0)
        user = getattr(request, "user", None)
        if limit > 0 and user is not None and user.is_authenticated:
            current = now()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and current - last > limit * 60:
                logout(request)
                messages.info(request, ngettext(
                    "You were logged out after %(minutes)d minute without activity. Please log in again.",
                    "You were logged out after %(minutes)d minutes without activity. Please log in again.",
                    limit) % {"minutes": limit})
            else:
                request.session[LAST_ACTIVITY_KEY] = current
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show the times of some pages in the user's own time zone.

    The zone is the ``time_zone`` cookie (``surveys.times.TIME_ZONE_COOKIE``), which
    ``static/js/time-zone.js`` sets from the browser's own zone on every page, when it names a zone
    the system knows (``zoneinfo.available_timezones()``); otherwise, and without the cookie,
    ``TIME_ZONE``. It is kept as ``request.time_zone`` and activated only for the views of the URL
    namespaces in ``USER_TIME_ZONE_NAMESPACES`` (the interviewer's pages): the other pages, whose
    figures count by day (fieldwork, analysis), keep the study's zone for everyone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.time_zone = time_zone_get(request.COOKIES.get(TIME_ZONE_COOKIE)) or timezone.get_default_timezone()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace in getattr(settings, "USER_TIME_ZONE_NAMESPACES", ()):
            timezone.activate(request.time_zone)
        return None
