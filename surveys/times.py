"""Times as people read them: in the current time zone (the user's own on the pages that activate it,
``config.middleware.UserTimeZoneMiddleware``), in the current language's format, with the zone named,
so that nobody has to guess which clock a time is on. Formatted here, on the server; no script
formats a time again in the browser's clock."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Set by static/js/time-zone.js from the browser's Intl.DateTimeFormat().resolvedOptions().timeZone.
TIME_ZONE_COOKIE = "time_zone"
# The language's short date and time with seconds (config/formats/<language>/formats.py).
SECONDS_FORMAT = "SHORT_DATETIME_SECONDS_FORMAT"


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_get(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone of an IANA name the system knows ("Europe/Moscow"), or None for anything else."""
    if not name or len(name) > 64 or name not in _zone_names():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


def local_datetime_text(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """``value`` in the current time zone and language, with the zone's name:
    "05/12/2026 9:05 p.m. (Asia/Vladivostok)", "12.05.2026 21:05 (Asia/Vladivostok)"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    text = formats.date_format(local, SECONDS_FORMAT if seconds else "SHORT_DATETIME_FORMAT")
    return _("%(time)s (%(zone)s)") % {"time": text, "zone": timezone.get_current_timezone_name()}


def local_datetime_html(value: dt.datetime | None, *, seconds: bool = False) -> SafeString | str:
    """The same text in a ``<time>`` element whose ``datetime`` is the moment with its offset."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="seconds"),
                       local_datetime_text(value, seconds=seconds))
