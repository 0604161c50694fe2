"""analysis.stats.reliability against psych (reference/reliability/make_reference.R)."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import reliability as rel

REF_DIR = Path(__file__).parent / "reference" / "reliability"
REF = json.loads((REF_DIR / "reference.json").read_text())
BFI = pd.read_csv(REF_DIR / "bfi_agreeableness.csv")
DEMO = pd.read_csv(REF_DIR / "demo_social_capital.csv")
SETS = {
    "bfi": BFI[["A2", "A3", "A4", "A5"]].dropna(),
    "bfi_reversed": BFI.dropna(),
    "demo": DEMO.iloc[:, :8],
    "demo_block": DEMO[["sc1_contacts", "sc6_network_benefit"]],
}
BLOCKS = {
    "relationships_participation": ["sc1_contacts", "sc6_network_benefit"],
    "trust_understanding": ["sc5_cooperation", "sc7_trust"],
    "education_knowledge": ["sc3_risk_knowledge", "sc8_knowledge_interest"],
    "culture_behaviour": ["sc2_bonds", "sc4_culture"],
}


@pytest.mark.parametrize("name", list(SETS))
def test_alpha_matches_psych(name):
    ref, data = REF[name], SETS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rel.cronbach_alpha(data)
    assert res.alpha == pytest.approx(ref["alpha"], abs=1e-12)
    assert res.standardized_alpha == pytest.approx(ref["std_alpha"], abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref["feldt"]), abs=1e-12)
    assert res.n == ref["n"] and res.k == ref["k"]
    np.testing.assert_allclose(res.items["mean"], ref["mean"], atol=1e-12)
    np.testing.assert_allclose(res.items["sd"], ref["sd"], atol=1e-12)
    np.testing.assert_allclose(res.items["item_rest_r"], ref["r_drop"], atol=1e-12)
    if res.k > 2:
        np.testing.assert_allclose(res.items["alpha_if_deleted"], ref["alpha_drop"], atol=1e-12)
    else:  # alpha of a single remaining item is undefined
        assert res.items["alpha_if_deleted"].isna().all()


def test_demo_alpha_value():
    assert rel.cronbach_alpha(SETS["demo"]).alpha == pytest.approx(0.7379027232244919, abs=1e-12)


def test_reverse_keyed_item_warns_and_is_named():
    with pytest.warns(UserWarning, match=r"\['A1'\]"):
        res = rel.cronbach_alpha(SETS["bfi_reversed"])
    assert res.items.loc["A1", "item_rest_r"] < 0


def test_n_counts_cases_after_listwise_dropping():
    res = rel.cronbach_alpha(BFI[["A2", "A3", "A4", "A5"]])
    assert res.n == REF["bfi"]["n"] and res.n_dropped == len(BFI) - REF["bfi"]["n"] > 0
    assert res.alpha == pytest.approx(REF["bfi"]["alpha"], abs=1e-12)


@pytest.mark.parametrize("name", list(SETS))
def test_polychoric_and_ordinal_alpha_match_psych(name):
    data = SETS[name]
    res = rel.polychoric(data)
    # psych optimises each correlation with optimize() (tolerance about 1e-4); ours to 1e-10
    np.testing.assert_allclose(res.matrix.to_numpy(), REF[name]["polychoric"], atol=5e-5)
    assert rel.ordinal_alpha(data) == pytest.approx(REF[name]["ordinal_alpha"], abs=5e-5)


OMEGA = json.loads((REF_DIR.parent / "omega" / "reference.json").read_text())


@pytest.mark.parametrize("name", ["bfi", "bfi_reversed", "demo"])
def test_omega_loadings_match_psych_fa_minres(name):
    """psych::fa(r, 1, fm = "minres") loadings; omega reverses negatively loading items (A1 here)."""
    res = rel.omega(SETS[name])
    np.testing.assert_allclose(res.loadings.to_numpy() * res.key.to_numpy(), REF[name]["loadings"], atol=2e-5)
    assert (res.key.to_numpy() < 0).any() == (name == "bfi_reversed")


def test_omega_of_two_items_is_not_identified():
    res = rel.omega(SETS["demo_block"])
    assert np.isnan(res.omega_total) and "not identified" in res.notes[0]


def test_block_reliability_table():
    table = rel.block_reliability(DEMO, BLOCKS)
    assert list(table.index) == [*BLOCKS, "scale"]
    assert list(table.columns) == ["k", "n", "alpha", "ci_low", "ci_high", "standardized_alpha", "ordinal_alpha",
                                   "omega"]
    assert table.loc["scale", "alpha"] == pytest.approx(REF["demo"]["alpha"], abs=1e-12)
    assert table.loc["scale", "omega"] == pytest.approx(OMEGA["demo"]["omega_tot"], abs=1e-6)  # psych::omega
    assert table.loc["relationships_participation", "alpha"] == pytest.approx(REF["demo_block"]["alpha"], abs=1e-12)
    assert table.loc["relationships_participation", "k"] == 2 and np.isnan(table.loc["culture_behaviour", "omega"])


def test_bvn_cdf_is_exact():
    from scipy import stats
    for h, k, r in [(0.3, -0.2, 0.5), (-1.0, 1.5, -0.7), (0.0, 0.4, 0.3), (0.0, 0.0, 0.6), (2.0, 2.0, 0.95)]:
        expected = stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf([h, k])
        assert rel._bvn_cdf(np.array([h]), np.array([k]), r)[0] == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("data,message", [
    (pd.DataFrame({"a": [1, 2, 3]}), "at least two items"),
    (pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 2]}), "no variance"),
    (pd.DataFrame({"a": [1, None], "b": [2, 3]}), "Too few complete cases"),
    (pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 2, 3]}), "non-numeric"),
])
def test_bad_input(data, message):
    with pytest.raises(ValueError, match=message):
        rel.cronbach_alpha(data)


PAIRWISE = {"bfi_pairwise": BFI[["A2", "A3", "A4", "A5"]],
            "demo_pairwise": pd.read_csv(REF_DIR / "demo_missing.csv")}


@pytest.mark.parametrize("name", list(PAIRWISE))
def test_pairwise_alpha_matches_psych_default(name):
    """missing="pairwise" is psych::alpha's default, use = "pairwise" (reference: demo_missing.csv
    has a third of the rows with one missing item and two rows with none answered)."""
    ref, data = REF[name], PAIRWISE[name]
    assert data.isna().any().any()
    res = rel.cronbach_alpha(data, missing="pairwise")
    assert res.alpha == pytest.approx(ref["alpha"], abs=1e-12)
    assert res.standardized_alpha == pytest.approx(ref["std_alpha"], abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref["psych_feldt"]), abs=1e-12)
    assert res.n == ref["n"] == len(data) and res.k == ref["k"]
    np.testing.assert_allclose(res.items["mean"], ref["mean"], atol=1e-12)
    np.testing.assert_allclose(res.items["sd"], ref["sd"], atol=1e-12)
    np.testing.assert_allclose(res.items["item_rest_r"], ref["r_drop"], atol=1e-12)
    np.testing.assert_allclose(res.items["alpha_if_deleted"], ref["alpha_drop"], atol=1e-12)
    assert "pairwise" in res.notes[0]
    listwise = rel.cronbach_alpha(data)
    assert listwise.n < res.n and listwise.alpha != pytest.approx(res.alpha, abs=1e-6)


def test_pairwise_equals_listwise_on_complete_data():
    a, b = rel.cronbach_alpha(SETS["demo"]), rel.cronbach_alpha(SETS["demo"], missing="pairwise")
    assert (a.alpha, a.standardized_alpha, a.ci_low, a.n) == pytest.approx((b.alpha, b.standardized_alpha, b.ci_low, b.n),
                                                                             abs=1e-12)
    pd.testing.assert_frame_equal(a.items, b.items, atol=1e-12)
    with pytest.raises(ValueError, match="'listwise' or 'pairwise'"):
        rel.cronbach_alpha(SETS["demo"], missing="mean")
