"""The partial responses of a wave as CSV: one row per response not submitted, with its status and
the last page reached, then every stored answer (codes; lists joined by ";"). Text a spreadsheet
would run as a formula starts with an apostrophe, as in the analysis' CSV for Excel."""
from __future__ import annotations

import csv
import io

from surveys.models import Wave

from . import selectors

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def partial_responses_csv(wave: Wave) -> str:
    header, rows = selectors.partial_responses(wave=wave)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()
