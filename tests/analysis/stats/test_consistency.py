"""The consistency check of published percentages (GRIM-like, Brown & Heathers 2016).

The published numbers come from the project's reference files (../shared/reference/):
- table1_social_capital.csv: Table 1 of seed 001, whole percentages said to be of 75 respondents;
  the README there states that between 40 and 120 only n = 100, 110, 111, 114, 116, 119 and 120
  reproduce every row;
- figure7_funding_sources.csv: Figure 7 of seed 002, 64.4, 21.4, 7.1, 7.1 % of 14 (9, 3, 1, 1).
"""
from decimal import Decimal
from fractions import Fraction

import pytest

from analysis.stats.consistency import (PercentageInputError, consistent_n, parse_percentage, parse_values,
                                        percentages_check)

TABLE1 = [  # very high, high, not very high, low; items 1..8
    [15, 22, 35, 28], [33, 22, 39, 6], [12, 21, 32, 35], [18, 21, 41, 20],
    [41, 30, 22, 7], [21, 45, 25, 9], [55, 25, 11, 9], [41, 27, 24, 8],
]
FIGURE7 = ["64.4", "21.4", "7.1", "7.1"]


# --- the two published cases ---------------------------------------------------------------

def test_figure7_64_4_of_14_is_flagged():
    check = percentages_check(FIGURE7, decimals=1, n=14)
    assert check.flagged == [Decimal("64.4")]
    first = check.values[0]
    assert not first.achievable
    assert first.below == (Decimal("64.3"), 9) and first.above == (Decimal("71.4"), 10)
    assert [v.count_range for v in check.values[1:]] == [(3, 3), (1, 1), (1, 1)]
    assert not check.consistent


def test_figure7_as_computed_is_consistent_with_14():
    check = percentages_check(["64.3", "21.4", "7.1", "7.1"], decimals=1, n=14, row_sums_to=100)
    assert check.consistent and check.flagged == []
    assert 14 in consistent_n(["64.3", "21.4", "7.1", "7.1"], decimals=1, n_range=(1, 30), row_sums_to=100)
    assert 14 not in consistent_n(FIGURE7, decimals=1, n_range=(1, 30))


def test_table1_22_percent_of_75_is_flagged():
    check = percentages_check([22], decimals=0, n=75)
    assert check.flagged == [Decimal(22)]
    assert check.values[0].below == (Decimal(21), 16) and check.values[0].above == (Decimal(23), 17)


def test_table1_values_no_count_of_75_produces():
    flat = [v for row in TABLE1 for v in row]
    check = percentages_check(flat, decimals=0, n=75)
    assert sorted(set(check.flagged)) == [6, 18, 22, 30]


def test_n_100_is_consistent_with_table1():
    assert 100 in consistent_n(TABLE1, decimals=0, n_range=(1, 1000), row_sums_to=100)
    assert 100 in consistent_n(TABLE1, decimals=0, n_range=(1, 1000))  # columns pooled, no row sums
    assert 75 not in consistent_n(TABLE1, decimals=0, n_range=(1, 1000))
    for row in TABLE1:
        assert percentages_check(row, decimals=0, n=100, row_sums_to=100).consistent


def test_table1_rows_match_the_reference_readme():
    assert consistent_n(TABLE1, decimals=0, n_range=(40, 120), row_sums_to=100) == [100, 110, 111, 114, 116, 119, 120]
    # n = 120 needs round-half-even somewhere (an exact half); half-up alone does not reach it
    assert 120 not in consistent_n(TABLE1, decimals=0, n_range=(40, 120), row_sums_to=100, rounding="half_up")


# --- hand-checked small cases --------------------------------------------------------------

def test_thirds():
    check = percentages_check([0, 33, 67, 100, 50], decimals=0, n=3)
    assert [v.achievable for v in check.values] == [True, True, True, True, False]
    assert [v.count_range for v in check.values[:4]] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert check.values[4].below == (Decimal(33), 1) and check.values[4].above == (Decimal(67), 2)
    assert check.values[1].exact == Fraction(33, 100)


def test_exact_halves_depend_on_the_rounding_rule():
    # 1/8 = 12.5 %: half-up prints 13, half-even prints 12; 3/8 = 37.5 %: 38 under both
    assert percentages_check([13], decimals=0, n=8, rounding="half_up").consistent
    assert not percentages_check([13], decimals=0, n=8, rounding="half_even").consistent
    assert percentages_check([12], decimals=0, n=8, rounding="half_even").consistent
    assert not percentages_check([12], decimals=0, n=8, rounding="half_up").consistent
    either = percentages_check([12, 13], decimals=0, n=8)
    assert either.flagged == []
    assert either.values[0].rules == ("half_even",) and either.values[1].rules == ("half_up",)
    assert not either.consistent  # one publication, one rule: 12 and 13 together need both
    assert "half-even" in either.note
    assert percentages_check([38], decimals=0, n=8, rounding="half_even").consistent


def test_one_decimal_and_several_counts():
    assert percentages_check(["33.3", "66.7"], decimals=1, n=3).consistent
    assert percentages_check(["33.4"], decimals=1, n=3).flagged == [Decimal("33.4")]
    # n larger than 100 with whole percentages: several counts print the same value
    assert percentages_check([22], decimals=0, n=1000, rounding="half_up").values[0].count_range == (215, 224)
    assert percentages_check([22], decimals=0, n=1000).values[0].count_range == (215, 225)


def test_row_sums():
    # 33, 33, 33 of 3: every value achievable, but the counts 1+1+1 = 3 are fine; of 6, 2+2+2 = 6
    assert percentages_check([33, 33, 33], decimals=0, n=3, row_sums_to=100).consistent
    # 50, 50 of 3: 50 % is not a count of 3 at all
    assert not percentages_check([50, 50], decimals=0, n=3, row_sums_to=100).consistent
    # 40, 40 of 5: each is 2 of 5, but 2 + 2 = 4, not 5
    check = percentages_check([40, 40], decimals=0, n=5, row_sums_to=100)
    assert check.flagged == [] and not check.consistent and check.row_counts == {"half_up": False, "half_even": False}
    assert consistent_n([[40, 60], [20, 80]], decimals=0, n_range=(1, 12), row_sums_to=100) == [5, 10]


def test_consistent_n_small():
    assert consistent_n(["33.3"], decimals=1, n_range=(1, 10)) == [3, 6, 9]
    assert consistent_n([50], decimals=0, n_range=(1, 6)) == [2, 4, 6]
    assert consistent_n([50], decimals=0, n_range=(7, 7)) == []


def test_parse_values():
    assert parse_values("64,4; 21,4\n7,1 7,1", decimals=1) == [Decimal(x) for x in FIGURE7]
    assert parse_values("64.4, 21.4, 7.1", decimals=1) == [Decimal(x) for x in FIGURE7[:3]]
    assert parse_values("15,22,35,28", decimals=0) == [15, 22, 35, 28]
    assert parse_values("22 % 41%", decimals=0) == [22, 41]
    assert parse_percentage(64.4) == Decimal("64.4") and parse_percentage("7.10", 1) == Decimal("7.10")


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, reason", [
    ("-1", "negative"), (-0.5, "negative"), ("100.1", "over_100"), (101, "over_100"),
    (float("nan"), "nan"), ("nan", "nan"), (float("inf"), "nan"), ("abc", "not_a_number"),
    ("12a", "not_a_number"), (True, "not_a_number"), (None, "not_a_number"), ("64.45", "too_many_decimals"),
])
def test_bad_values(value, reason):
    with pytest.raises(PercentageInputError) as exc:
        percentages_check([value], decimals=1, n=14)
    assert exc.value.reason == reason and isinstance(exc.value, ValueError)
    assert repr(value) in str(exc.value) or str(value) in str(exc.value)


def test_bad_text_names_the_value():
    with pytest.raises(PercentageInputError, match="'6x'"):
        parse_values("15 6x 22", decimals=0)
    with pytest.raises(PercentageInputError, match="'64,4,21'"):
        parse_values("64,4,21", decimals=1)


@pytest.mark.parametrize("kwargs, message", [
    ({"decimals": -1, "n": 14}, "decimals must be 0 or more"),
    ({"decimals": 1.5, "n": 14}, "decimals must be a whole number"),
    ({"decimals": 1, "n": 0}, "n must be at least 1"),
    ({"decimals": 1, "n": 14.0}, "n must be a whole number"),
    ({"decimals": 1, "n": 14, "rounding": "up"}, "rounding must be one of"),
    ({"decimals": 1, "n": 14, "row_sums_to": -5}, "row_sums_to"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        percentages_check(["7.1"], **kwargs)


def test_bad_collections_and_ranges():
    with pytest.raises(ValueError, match="no values"):
        percentages_check([], decimals=0, n=10)
    with pytest.raises(ValueError, match="sequence"):
        percentages_check("22 41", decimals=0, n=10)
    with pytest.raises(ValueError, match="above the highest"):
        consistent_n([22], decimals=0, n_range=(10, 5))
    with pytest.raises(ValueError, match="at least 1"):
        consistent_n([22], decimals=0, n_range=(0, 5))
    with pytest.raises(ValueError, match="two whole numbers"):
        consistent_n([22], decimals=0, n_range=5)


def test_agrees_with_trying_every_count():
    """The closed-form count ranges equal a brute force over k = 0..n (exact fractions)."""
    from fractions import Fraction as F

    def rounds(x: F, rule: str) -> int:
        q, r = divmod(x, 1)
        if r > F(1, 2) or (r == F(1, 2) and (rule == "half_up" or q % 2)):
            return int(q) + 1
        return int(q)

    for decimals, values in ((0, range(0, 101, 3)), (1, [Decimal(t) / 10 for t in range(0, 1001, 53)])):
        for n in (1, 2, 3, 7, 8, 14, 40, 75, 120, 250):
            for rule in ("half_up", "half_even"):
                check = percentages_check(list(values), decimals=decimals, n=n, rounding=rule)
                for v in check.values:
                    target = int(v.value * 10 ** decimals)
                    ks = [k for k in range(n + 1) if rounds(F(100 * 10 ** decimals * k, n), rule) == target]
                    assert v.count_range == ((ks[0], ks[-1]) if ks else None), (decimals, n, rule, v.value)
