"""``{{ moment|local_datetime }}`` (``|local_datetime:"seconds"`` with seconds): a time of the
interviewer's pages in the user's time zone and language with the zone named, in a ``<time>``
element (``surveys.times``)."""
from __future__ import annotations

from django import template

from surveys.times import local_datetime_html

register = template.Library()


@register.filter
def local_datetime(value, precision: str = ""):
    return local_datetime_html(value, seconds=precision == "seconds")
