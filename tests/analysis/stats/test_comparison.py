"""The wave comparison statistic (compare_items) against R's wilcox.test and p.adjust."""
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.stats.comparison import compare_items


def test_wave_comparison_matches_r():
    """compare_items against wilcox.test(exact = FALSE) and p.adjust(, "holm")
    (reference/comparison/make_reference.R)."""
    here = Path(__file__).parent
    ref = json.loads((here / "reference" / "comparison" / "reference.json").read_text())
    data = pd.read_csv(here / "reference" / "reliability" / "demo_social_capital.csv")
    frame = data[ref["items"]].apply(lambda s: pd.Categorical(s, categories=[1, 2, 3, 4], ordered=True))
    table = compare_items(frame[data["readiness"] <= 2], frame[data["readiness"] >= 3], ref["items"])
    assert table["U"].tolist() == pytest.approx(ref["U"], abs=1e-9)
    assert table["p"].tolist() == pytest.approx(ref["p"], rel=1e-9)
    assert table["p_holm"].tolist() == pytest.approx(ref["p_holm"], rel=1e-9)
    assert table["mean_a"].tolist() == pytest.approx(ref["mean_a"], abs=1e-12)
    assert table["mean_b"].tolist() == pytest.approx(ref["mean_b"], abs=1e-12)


def test_wave_comparison_item_without_variation_is_not_tested():
    """An item answered the same by everyone in both waves has no test (R: p = NaN) and does not
    count in Holm's adjustment. R: wilcox.test(exact = FALSE) on the three items below gives
    W = 6, 4.5, 1 and p = NaN, 0.716289750540843, 0.0954832320975473; p.adjust(p, "holm") gives
    NaN, 0.716289750540843, 0.190966464195095."""
    def cat(values):
        return pd.Categorical(values, categories=[1, 2, 3, 4], ordered=True)

    a = pd.DataFrame({"x": cat([1, 1, 1, 1]), "y": cat([1, 2, 3, 4]), "w": cat([1, 2, 2, 3])})
    b = pd.DataFrame({"x": cat([1, 1, 1]), "y": cat([2, 3, 4]), "w": cat([3, 3, 4])})
    table = compare_items(a, b, ["x", "y", "w"])
    assert table["U"].tolist() == [6, 4.5, 1]
    assert pd.isna(table.loc["x", "p"]) and pd.isna(table.loc["x", "p_holm"])
    assert table.loc[["y", "w"], "p"].tolist() == pytest.approx([0.716289750540843, 0.0954832320975473], rel=1e-9)
    assert table.loc[["y", "w"], "p_holm"].tolist() == pytest.approx([0.716289750540843, 0.190966464195095], rel=1e-9)
