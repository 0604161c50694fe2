"""analysis.stats.distribution: Table 1, checked by hand (n = 100: counts are percentages)."""
import numpy as np
import pandas as pd
import pytest

from analysis.stats import distribution

TABLE1 = [(15, 22, 35, 28), (33, 22, 39, 6), (12, 21, 32, 35), (18, 21, 41, 20),
          (41, 30, 22, 7), (21, 45, 25, 9), (55, 25, 11, 9), (41, 27, 24, 8)]
ITEMS = [f"sc{i}" for i in range(1, 9)]


def _table1_data():
    cols = {}
    for item, counts in zip(ITEMS, TABLE1):
        cols[item] = np.repeat([4, 3, 2, 1], counts)
    return pd.DataFrame(cols).sample(frac=1, random_state=1).reset_index(drop=True)


def test_reproduces_table1_exactly():
    table = distribution.item_distribution(_table1_data(), ITEMS, [4, 3, 2, 1], whole=True,
                                           labels=["Very high", "High", "Not very high", "Low"])
    assert list(table.columns) == ["Very high", "High", "Not very high", "Low", "n", "missing"]
    assert [tuple(r) for r in table[["Very high", "High", "Not very high", "Low"]].to_numpy()] == TABLE1
    assert (table["n"] == 100).all() and (table["missing"] == 0).all()


def test_one_decimal_and_missing_and_empty_categories():
    df = pd.DataFrame({"a": [1, 1, 2, None, 4, 4, 4], "b": [1, 1, 1, 1, 1, 1, 1]})
    table = distribution.item_distribution(df, ["a", "b"], [4, 3, 2, 1])
    assert table.loc["a"].tolist() == [50.0, 0.0, 16.7, 33.3, 6, 1]
    assert table.loc["b"].tolist() == [0.0, 0.0, 0.0, 100.0, 7, 0]  # empty categories kept


def test_largest_remainder_sums_to_100():
    assert distribution.largest_remainder([100 / 3] * 3).tolist() == [34, 33, 33]  # ties: earlier column
    assert distribution.largest_remainder([12.5, 12.5, 37.5, 37.5]).tolist() == [13, 13, 37, 37]
    # n = 75: 11/75 = 14.67 %, 16/75 = 21.33 %, 26/75 = 34.67 %, 22/75 = 29.33 %
    pct = np.array([11, 16, 26, 22]) / 75 * 100
    out = distribution.largest_remainder(pct)
    assert out.tolist() == [15, 21, 35, 29] and out.sum() == 100
    assert np.isnan(distribution.largest_remainder([np.nan] * 4)).all()


def test_categoricals_with_labels():
    cat = pd.CategoricalDtype(["Low", "Not very high", "High", "Very high"], ordered=True)
    df = pd.DataFrame({"x": pd.Categorical(["Low", "High", "High", "Very high"], dtype=cat)})
    table = distribution.item_distribution(df, ["x"], ["Very high", "High", "Not very high", "Low"], decimals=0)
    assert table.loc["x", ["Very high", "High", "Not very high", "Low"]].tolist() == [25, 50, 0, 25]


def test_result_object_keeps_counts():
    res = distribution.item_distribution(_table1_data(), ITEMS, [4, 3, 2, 1], decimals=None)
    assert res.counts.loc["sc7"].tolist() == [55, 25, 11, 9]
    assert "Item distribution" in str(res)


def test_bad_input():
    df = pd.DataFrame({"x": [1, 2, 5]})
    with pytest.raises(ValueError, match="outside the categories"):
        distribution.item_distribution(df, ["x"], [4, 3, 2, 1])
    with pytest.raises(ValueError, match="not in the data"):
        distribution.item_distribution(df, ["y"], [4, 3, 2, 1])
    with pytest.raises(ValueError, match="Give the categories"):
        distribution.item_distribution(df, ["x"], [])
