"""How numbers are printed in tables, as APA 7 prescribes and as SPSS output and R's papaja are read.

- p-values with three decimals, "< .001" below that, no leading zero (".047");
- statistics that cannot exceed 1 in absolute value (alpha, omega, correlations, kappa, R²) with
  no leading zero (".74");
- other statistics with a fixed number of decimals per column; counts as whole numbers;
- confidence intervals in brackets: "[1.18, 4.33]".

Russian output writes the decimal comma everywhere and, as Russian journals print them, keeps the
leading zero ("0,047", "< 0,001"); the two bounds of an interval are then separated by a
semicolon ("[1,18; 4,33]"). English output uses the decimal point. Missing values print as a dash.
Nothing here rounds stored values: these functions only write text.
"""
from __future__ import annotations

import math
from typing import Any

DASH = "—"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def _localise(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "ru" else text


def _strip_zero(text: str) -> str:
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def number(value: Any, decimals: int = 2, lang: str = "en") -> str:
    """A statistic with ``decimals`` decimals ("2.45", "2,45"); a minus sign, not a hyphen."""
    if _missing(value):
        return DASH
    text = f"{float(value):.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return _localise(text, lang).replace("-", "−")


def bounded(value: Any, decimals: int = 2, lang: str = "en") -> str:
    """A statistic bounded by 1 (alpha, r, kappa, R²): no leading zero in English (".74")."""
    if _missing(value):
        return DASH
    text = f"{float(value):.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    if lang != "ru":
        text = _strip_zero(text)
    return _localise(text, lang).replace("-", "−")


def integer(value: Any, lang: str = "en") -> str:
    if _missing(value):
        return DASH
    return str(int(round(float(value)))).replace("-", "−")


def percent(value: Any, decimals: int = 1, lang: str = "en") -> str:
    return number(value, decimals, lang)


def p_value(value: Any, lang: str = "en") -> str:
    """A p-value: ".047", "< .001" (English); "0,047", "< 0,001" (Russian)."""
    if _missing(value):
        return DASH
    p = float(value)
    if p < 0.001:
        return "< " + ("0,001" if lang == "ru" else ".001")
    text = f"{p:.3f}"
    if lang != "ru":
        text = _strip_zero(text)
    return _localise(text, lang)


def interval(low: Any, high: Any, decimals: int = 2, lang: str = "en", *, is_bounded: bool = False) -> str:
    """A confidence interval: "[1.18, 4.33]" (English), "[1,18; 4,33]" (Russian)."""
    if _missing(low) or _missing(high):
        return DASH
    fmt = bounded if is_bounded else number
    separator = "; " if lang == "ru" else ", "
    return f"[{fmt(low, decimals, lang)}{separator}{fmt(high, decimals, lang)}]"


def stars(p: Any) -> str:
    """Significance marks: * p < .05, ** p < .01, *** p < .001."""
    if _missing(p):
        return ""
    p = float(p)
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
