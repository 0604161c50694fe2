"""Consistency of published percentages with a claimed n (in the spirit of the GRIM test).

A percentage of ``n`` respondents is ``100 * k / n`` for some whole count ``k`` in ``0..n``. Printed
with ``d`` decimals, only the values ``round(100 * k / n, d)`` can appear; any other printed value
cannot come from ``n`` respondents (a typo, another ``n``, a count that was changed, or percentages
of a different base). Brown and Heathers (2016) proposed this check for means of integer data (the
GRIM test); for percentages it is the same arithmetic.

Everything is computed exactly with integers (no floating point): with ``M = 100 * 10**d`` and the
printed value scaled to an integer ``T = value * 10**d``, the value is achievable when some ``k``
gives ``round(M * k / n) == T``. Exact halves (``M * k / n`` ending in .5) are where rounding
conventions differ: round-half-up (school rounding, Excel, SPSS) and round-half-even (banker's
rounding, R's and Python's ``round``). By default both are accepted, and every result says under
which rule each value is reproduced.

References
----------
Brown, N. J. L., & Heathers, J. A. J. (2016). The GRIM test: A simple technique detects numerous
anomalies in the reporting of results in psychology. *Social Psychological and Personality
Science*, 8(4), 363-369. https://doi.org/10.1177/1948550616673876
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Iterable, Sequence

__all__ = [
    "ROUNDINGS", "PercentageInputError", "ValueCheck", "PercentagesCheck",
    "parse_percentage", "parse_values", "percentages_check", "consistent_n",
]

#: Accepted values of ``rounding``; "either" accepts a value reproduced under one of the two rules.
ROUNDINGS = ("either", "half_up", "half_even")
_RULES = {"either": ("half_up", "half_even"), "half_up": ("half_up",), "half_even": ("half_even",)}
MAX_DECIMALS = 10


class PercentageInputError(ValueError):
    """A value that is not a percentage: ``value`` is the text as given, ``reason`` one of
    ``"not_a_number"``, ``"nan"``, ``"negative"``, ``"over_100"``, ``"too_many_decimals"``."""

    MESSAGES = {
        "not_a_number": "{value!r} is not a number",
        "nan": "{value!r} is not a finite number",
        "negative": "{value!r} is negative: a percentage is between 0 and 100",
        "over_100": "{value!r} is over 100: a percentage is between 0 and 100",
        "too_many_decimals": "{value!r} has more decimals than the {decimals} given",
    }

    def __init__(self, value, reason: str, decimals: int | None = None):
        self.value, self.reason, self.decimals = value, reason, decimals
        super().__init__(self.MESSAGES[reason].format(value=value, decimals=decimals))


# --- input ------------------------------------------------------------------------------------

def _check_decimals(decimals) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise ValueError(f"decimals must be a whole number, not {decimals!r}")
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    if decimals > MAX_DECIMALS:
        raise ValueError(f"decimals must be at most {MAX_DECIMALS}, not {decimals}")
    return decimals


def _check_n(n, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{name} must be a whole number, not {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, not {n}")
    return n


def _check_rounding(rounding: str) -> tuple[str, ...]:
    if rounding not in _RULES:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    return _RULES[rounding]


def parse_percentage(value, decimals: int | None = None) -> Decimal:
    """One percentage as a :class:`~decimal.Decimal`: a number, or text with a decimal point or a
    decimal comma (``"64.4"``, ``"64,4"``, ``"22 %"``). Refuses NaN, infinities, negative values,
    values over 100 and, when ``decimals`` is given, values with more decimals than that (a printed
    ``7.10`` with ``decimals=1`` is fine: it is 7.1)."""
    if isinstance(value, bool):
        raise PercentageInputError(value, "not_a_number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise PercentageInputError(value, "nan")
        number = Decimal(repr(value))  # the shortest text that is this float: 64.4, not 64.400000000000005...
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip().replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
                raise PercentageInputError(value, "nan")
            raise PercentageInputError(value, "not_a_number")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
            raise PercentageInputError(value, "not_a_number") from None
    else:
        try:
            number = Decimal(repr(float(value)))  # numpy scalars and the like
        except (TypeError, ValueError):
            raise PercentageInputError(value, "not_a_number") from None
        if not number.is_finite():
            raise PercentageInputError(value, "nan")
    if not number.is_finite():
        raise PercentageInputError(value, "nan")
    if number < 0:
        raise PercentageInputError(value, "negative")
    if number > 100:
        raise PercentageInputError(value, "over_100")
    if decimals is not None and (number * 10 ** decimals) != (number * 10 ** decimals).to_integral_value():
        raise PercentageInputError(value, "too_many_decimals", decimals)
    return number


def parse_values(text: str, *, decimals: int = 0) -> list[Decimal]:
    """The percentages of a text as typed or pasted: separated by spaces, newlines, semicolons or
    commas. A comma directly followed by a digit is a decimal comma when ``decimals > 0`` and the
    text has no decimal point (``"64,4; 21,4"`` or ``"64,4 21,4"``); otherwise commas separate
    (``"15,22,35,28"``, ``"64.4, 21.4"``). A ``%`` after a value is ignored. Raises
    :class:`PercentageInputError` naming the first value that is not a percentage."""
    decimals = _check_decimals(decimals)
    if not isinstance(text, str):
        raise ValueError(f"expected text, not {type(text).__name__}")
    decimal_comma = decimals > 0 and "." not in text
    pattern = r"[\s;]+|,(?!\d)" if decimal_comma else r"[\s;,]+"
    tokens = [t for t in re.split(pattern, text.replace("%", " ")) if t]
    return [parse_percentage(t, decimals) for t in tokens]


# --- exact rounding ----------------------------------------------------------------------------

def _round(num: int, den: int, rule: str) -> int:
    """``num / den`` (both >= 0) rounded to a whole number under ``rule``."""
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and (rule == "half_up" or q % 2)):
        return q + 1
    return q


def _counts(target: int, n: int, decimals: int, rule: str) -> tuple[int, int] | None:
    """The counts ``k`` (a contiguous range ``lo..hi``) whose percentage rounds to ``target / 10**d``.

    With ``x = M k / n``, ``round(x) == T`` means ``T - 1/2 <= x < T + 1/2`` under half-up; under
    half-even both ends are included when ``T`` is even and excluded when it is odd. In counts:
    ``(2T - 1) n <= 2 M k`` and ``2 M k < (2T + 1) n`` (or ``<=``), solved with integer division.
    """
    m2 = 2 * 100 * 10 ** decimals
    low, high = (2 * target - 1) * n, (2 * target + 1) * n  # bounds on 2 M k
    closed_low = rule == "half_up" or target % 2 == 0
    closed_high = rule == "half_even" and target % 2 == 0
    lo = -(-low // m2) if closed_low else low // m2 + 1              # smallest k with 2Mk >= low (or > low)
    hi = high // m2 if closed_high else -(-high // m2) - 1           # largest k with 2Mk <= high (or < high)
    lo, hi = max(lo, 0), min(hi, n)
    return (lo, hi) if lo <= hi else None


def _value(k: int, n: int, decimals: int, rule: str) -> Decimal:
    return Decimal(_round(100 * 10 ** decimals * k, n, rule)).scaleb(-decimals)


# --- results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ValueCheck:
    """One printed value against ``n``.

    ``achievable``: some count reproduces it under an accepted rule; ``counts``: for each rule
    that reproduces it, the range ``(lo, hi)`` of counts that do (usually one count: ``lo == hi``);
    ``below`` / ``above``: the nearest achievable printed values on either side, each with its
    count, as ``(value, k)`` (``None`` at 0 or 100).
    """

    value: Decimal
    achievable: bool
    counts: dict[str, tuple[int, int]]
    below: tuple[Decimal, int] | None
    above: tuple[Decimal, int] | None
    exact: Fraction  # the value as a fraction of 100, for reference

    @property
    def rules(self) -> tuple[str, ...]:
        """The rounding rules under which some count reproduces the value."""
        return tuple(self.counts)

    @property
    def count_range(self) -> tuple[int, int] | None:
        """The counts that reproduce the value under any accepted rule, as ``(lo, hi)``."""
        if not self.counts:
            return None
        return min(lo for lo, _ in self.counts.values()), max(hi for _, hi in self.counts.values())


@dataclass(frozen=True)
class PercentagesCheck:
    """The result of :func:`percentages_check`.

    ``values``: one :class:`ValueCheck` per printed value, in order; ``flagged``: the printed
    values no whole count of ``n`` reproduces; ``consistent``: every value (and the row sum, when
    asked) is reproduced under one and the same rounding rule (``consistent_rules`` names them).
    ``row_counts``: with ``row_sums_to``, per rule, whether counts reproducing every value can sum
    to ``n * row_sums_to / 100``.
    """

    n: int
    decimals: int
    rounding: str
    values: list[ValueCheck]
    consistent_rules: tuple[str, ...]
    row_sums_to: Decimal | None = None
    row_counts: dict[str, bool] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[str, ...]:
        return _RULES[self.rounding]

    @property
    def flagged(self) -> list[Decimal]:
        return [v.value for v in self.values if not v.achievable]

    @property
    def consistent(self) -> bool:
        return bool(self.consistent_rules)

    @property
    def note(self) -> str:
        if self.rounding == "either":
            return ("Rounding: a value counts as achievable when round-half-up or round-half-even "
                    "reproduces it (they differ only at exact halves).")
        return f"Rounding: {self.rounding.replace('_', '-')} only."

    def __str__(self) -> str:
        lines = [f"n = {self.n}, {self.decimals} decimal(s). {self.note}"]
        for v in self.values:
            if v.achievable:
                lo, hi = v.count_range
                lines.append(f"  {v.value}: achievable ({lo if lo == hi else f'{lo}-{hi}'} of {self.n})")
            else:
                near = "; ".join(f"{val} = {k}/{self.n}" for val, k in (v.below, v.above) if (val, k) != (None, None))
                lines.append(f"  {v.value}: NOT achievable (nearest: {near})")
        lines.append("consistent" if self.consistent else f"inconsistent: {', '.join(map(str, self.flagged)) or 'row sum'}")
        return "\n".join(lines)


def _row_total(n: int, row_sums_to) -> int | None:
    total = Fraction(row_sums_to) * n / 100
    return int(total) if total.denominator == 1 else None


def _row_feasible(ranges: Sequence[tuple[int, int] | None], total: int | None) -> bool:
    """Counts in the given ranges (one per value) can sum to ``total``: each range is contiguous,
    so any sum between the smallest and the largest is reachable."""
    if total is None or any(r is None for r in ranges):
        return False
    return sum(lo for lo, _ in ranges) <= total <= sum(hi for _, hi in ranges)


def _check_row_sums_to(row_sums_to):
    if row_sums_to is None:
        return None
    try:
        value = parse_percentage(row_sums_to)
    except PercentageInputError as exc:
        raise ValueError(f"row_sums_to: {exc}") from None
    if value == 0:
        raise ValueError("row_sums_to must be more than 0")
    return value


def _values(values, decimals: int) -> list[Decimal]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError("values must be a sequence of percentages (use parse_values for text)")
    parsed = [parse_percentage(v, decimals) for v in values]
    if not parsed:
        raise ValueError("no values given")
    return parsed


def _target(value: Decimal, decimals: int) -> int:
    return int(value.scaleb(decimals))


def percentages_check(values, *, decimals: int, n: int, rounding: str = "either",
                      row_sums_to=None) -> PercentagesCheck:
    r"""Which printed percentages no whole count of ``n`` can produce.

    For each printed value :math:`v` with :math:`d` decimals, look for a count :math:`k \in
    \{0, \dots, n\}` with

    .. math:: \operatorname{round}_d\!\left(\frac{100\,k}{n}\right) = v,

    computed exactly: with :math:`M = 100 \cdot 10^d` and :math:`T = v \cdot 10^d`, only the two
    counts :math:`\lfloor T n / M \rfloor` and :math:`\lfloor T n / M \rfloor + 1` can be the
    nearest, and when :math:`n > M` the neighbouring counts that round to the same value are added.

    Parameters
    ----------
    values : sequence of numbers or numeric text
        The percentages as printed (``"64,4"`` is read as 64.4). Between 0 and 100.
    decimals : int
        The number of decimals they were printed with (0 for whole percentages).
    n : int
        The claimed number of respondents (the base of the percentages), at least 1.
    rounding : {"either", "half_up", "half_even"}
        The rounding rule of the publication. ``"either"`` (default) accepts a value when
        round-half-up or round-half-even reproduces it, since papers rarely say which they used;
        the two differ only when :math:`100k/n` falls exactly on a half. ``consistent`` still
        requires one rule for all values.
    row_sums_to : number, optional
        The values form one row of a distribution from the same respondents (one answer each), so
        their counts must sum to :math:`n \cdot \text{row\_sums\_to} / 100` (give 100 for a
        complete row, like every row of Table 1).

    Returns
    -------
    PercentagesCheck
        Per value: achievable or not, the counts that reproduce it, the nearest achievable values.

    Raises
    ------
    ValueError
        A value that is not a number, NaN, negative, over 100 or with more decimals than
        ``decimals`` (:class:`PercentageInputError`); ``decimals`` < 0; ``n`` < 1; an unknown
        ``rounding``.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2016). The GRIM test: A simple technique detects
    numerous anomalies in the reporting of results in psychology. *Social Psychological and
    Personality Science*, 8(4), 363-369.

    Examples
    --------
    Figure 7 of the specialist organisations survey prints 64.4 % of 14; 9/14 is 64.29 %:

    >>> check = percentages_check(["64.4", "21.4", "7.1", "7.1"], decimals=1, n=14)
    >>> [str(v) for v in check.flagged]
    ['64.4']
    >>> check.values[0].below, check.values[0].above
    ((Decimal('64.3'), 9), (Decimal('71.4'), 10))
    """
    decimals = _check_decimals(decimals)
    n = _check_n(n)
    rules = _check_rounding(rounding)
    row_sums_to = _check_row_sums_to(row_sums_to)
    checks = []
    for value in _values(values, decimals):
        target = _target(value, decimals)
        counts = {rule: c for rule in rules if (c := _counts(target, n, decimals, rule)) is not None}
        k = target * n // (100 * 10 ** decimals)
        below = above = None
        if not counts:
            below = (max(_value(k, n, decimals, r) for r in rules), k)
            if k + 1 <= n:
                above = (min(_value(k + 1, n, decimals, r) for r in rules), k + 1)
        checks.append(ValueCheck(value=value, achievable=bool(counts), counts=counts, below=below, above=above,
                                 exact=Fraction(value) / 100))
    consistent = tuple(r for r in rules if all(r in c.counts for c in checks))
    row_counts = {}
    if row_sums_to is not None:
        total = _row_total(n, row_sums_to)
        row_counts = {r: _row_feasible([c.counts.get(r) for c in checks], total) for r in rules}
        consistent = tuple(r for r in consistent if row_counts[r])
    return PercentagesCheck(n=n, decimals=decimals, rounding=rounding, values=checks, consistent_rules=consistent,
                            row_sums_to=row_sums_to, row_counts=row_counts)


def _rows(values, decimals: int) -> list[list[Decimal]]:
    """A flat sequence is one group; a sequence of sequences is one group per inner sequence."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError("values must be a sequence of percentages, or of rows of percentages")
    items = list(values)
    if items and all(isinstance(v, Iterable) and not isinstance(v, (str, bytes)) for v in items):
        return [_values(row, decimals) for row in items]
    return [_values(items, decimals)]


def consistent_n(values, *, decimals: int, n_range: tuple[int, int] = (1, 1000), rounding: str = "either",
                 row_sums_to=None) -> list[int]:
    r"""The ``n`` in ``n_range`` (both ends included) for which every printed value is achievable.

    Parameters
    ----------
    values : sequence of numbers, or sequence of rows
        The printed percentages. A sequence of sequences is read as rows (Table 1: one row per
        item); without ``row_sums_to`` the rows are simply pooled.
    decimals : int
        The number of decimals they were printed with.
    n_range : (int, int)
        The smallest and largest ``n`` to try, at least 1.
    rounding : {"either", "half_up", "half_even"}
        As in :func:`percentages_check`; with ``"either"`` an ``n`` is consistent when one rule
        reproduces every value (the same rule throughout, as one publication uses one rule).
    row_sums_to : number, optional
        Every row is a distribution of the same ``n`` respondents: its counts must also sum to
        :math:`n \cdot \text{row\_sums\_to} / 100` (100 for complete rows).

    Returns
    -------
    list of int
        The consistent ``n``, in increasing order (empty when none is).

    Examples
    --------
    Table 1's rows are whole percentages said to be of 75 respondents; between 40 and 120 only
    these ``n`` reproduce every row with counts summing to ``n``:

    >>> table1 = [[15, 22, 35, 28], [33, 22, 39, 6], [12, 21, 32, 35], [18, 21, 41, 20],
    ...           [41, 30, 22, 7], [21, 45, 25, 9], [55, 25, 11, 9], [41, 27, 24, 8]]
    >>> consistent_n(table1, decimals=0, n_range=(40, 120), row_sums_to=100)
    [100, 110, 111, 114, 116, 119, 120]
    """
    decimals = _check_decimals(decimals)
    rules = _check_rounding(rounding)
    row_sums_to = _check_row_sums_to(row_sums_to)
    try:
        lo, hi = n_range
    except (TypeError, ValueError):
        raise ValueError(f"n_range must be two whole numbers (lowest, highest), not {n_range!r}") from None
    lo, hi = _check_n(lo, "the lowest n"), _check_n(hi, "the highest n")
    if lo > hi:
        raise ValueError(f"n_range: the lowest n ({lo}) is above the highest ({hi})")
    rows = _rows(values, decimals)
    targets = [[_target(v, decimals) for v in row] for row in rows]
    found = []
    for n in range(lo, hi + 1):
        total = _row_total(n, row_sums_to) if row_sums_to is not None else None
        for rule in rules:
            ok = True
            for row in targets:
                ranges = [_counts(t, n, decimals, rule) for t in row]
                if any(r is None for r in ranges) or (row_sums_to is not None and not _row_feasible(ranges, total)):
                    ok = False
                    break
            if ok:
                found.append(n)
                break
    return found
