"""Odd input (issue 18): each gets a clear ValueError naming what is wrong, or R's documented
behaviour with a warning. One test per odd input."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import crosstab as ct
from analysis.stats import ordinal
from analysis.stats import reliability as rel

ORD = Path(__file__).parent / "reference" / "ordinal"
LINKS = json.loads((ORD / "links.json").read_text())


def wine():
    df = pd.read_csv(ORD / "wine.csv")
    df["rating"] = pd.Categorical(df["rating"], categories=[1, 2, 3, 4, 5], ordered=True)
    df["temp"] = pd.Categorical(df["temp"], categories=["cold", "warm"])
    df["contact"] = pd.Categorical(df["contact"], categories=["no", "yes"])
    return df


# --- fisher_exact_rxc -------------------------------------------------------------------------

def test_fisher_non_integer_counts_are_rounded_with_a_warning_as_r_does():
    """R: "'x' has been rounded to integer" (a warning), then the test of the rounded table."""
    table = np.array([[2.7, 1, 3], [0, 4.2, 1], [3, 0, 2]])
    with pytest.warns(UserWarning, match="rounded to integer"):
        p = ct.fisher_exact_rxc(table)
    assert p == pytest.approx(ct.fisher_exact_rxc(np.array([[3, 1, 3], [0, 4, 1], [3, 0, 2]])), rel=1e-12)
    assert p != pytest.approx(ct.fisher_exact_rxc(np.array([[2, 1, 3], [0, 4, 1], [3, 0, 2]])), rel=1e-3)


def test_fisher_negative_count_is_refused():
    with pytest.raises(ValueError, match="non-negative and finite"):
        ct.fisher_exact_rxc(np.array([[3, -1, 2], [1, 2, 3]]))


def test_fisher_missing_or_infinite_count_is_refused():
    with pytest.raises(ValueError, match="non-negative and finite"):
        ct.fisher_exact_rxc(np.array([[3, np.nan, 2], [1, 2, np.inf]]))


def test_fisher_one_row_table_is_refused():
    """R: "'x' must have at least 2 rows and columns"."""
    with pytest.raises(ValueError, match="at least 2 rows and 2 columns"):
        ct.fisher_exact_rxc(np.array([[1, 2, 3]]))


def test_fisher_all_zero_table_is_refused():
    with pytest.raises(ValueError, match="no observations"):
        ct.fisher_exact_rxc(np.zeros((3, 3)))


def test_fisher_text_counts_are_refused():
    with pytest.raises(ValueError, match="must be numbers"):
        ct.fisher_exact_rxc(np.array([["a", "b"], ["c", "d"]]))


def test_fisher_empty_row_is_left_out_not_refused():
    """A zero row is no information (R's FEXACT drops it too): the 2 x 3 test of the rest."""
    p = ct.fisher_exact_rxc(np.array([[3, 1, 0], [0, 0, 0], [1, 4, 2]]))
    assert p == pytest.approx(ct.fisher_exact_rxc(np.array([[3, 1, 0], [1, 4, 2]])), rel=1e-12)


# --- ordinal.predict_proba -----------------------------------------------------------------------

def test_predict_proba_unseen_factor_level_is_named():
    res = ordinal.fit(wine(), "rating ~ temp + contact")
    with pytest.raises(ValueError, match=r"level\(s\) \['tepid'\] of the predictor 'temp'.*\['cold', 'warm'\]"):
        res.predict_proba(pd.DataFrame({"temp": ["cold", "tepid"], "contact": ["no", "yes"]}))


def test_predict_proba_missing_value_is_named():
    res = ordinal.fit(wine(), "rating ~ temp + contact")
    with pytest.raises(ValueError, match=r"missing values in the predictor 'contact' \(rows \[1\]\)"):
        res.predict_proba(pd.DataFrame({"temp": ["cold", "warm"], "contact": ["no", None]}))


def test_predict_proba_text_in_a_numeric_predictor_is_named():
    df = wine().assign(x=np.linspace(0, 1, 72))
    res = ordinal.fit(df, "rating ~ temp + x")
    with pytest.raises(ValueError, match="non-numeric values in the numeric predictor 'x'"):
        res.predict_proba(pd.DataFrame({"temp": ["cold"], "x": ["high"]}))


# --- ordinal.fit ---------------------------------------------------------------------------------

def test_infinite_weight_is_refused():
    w = np.ones(72)
    w[5] = np.inf
    with pytest.raises(ValueError, match="1 weights are infinite"):
        ordinal.fit(wine(), "rating ~ temp", weights=w)


def test_text_weight_is_refused():
    df = wine().assign(w=["1"] * 71 + ["heavy"])
    with pytest.raises(ValueError, match="weight column 'w' has non-numeric values \\(e.g. 'heavy'\\)"):
        ordinal.fit(df, "rating ~ temp", weights="w")


def test_missing_weight_drops_the_row_as_r_does():
    df = wine().assign(w=1.0)
    df.loc[3, "w"] = np.nan
    res = ordinal.fit(df, "rating ~ temp + contact", weights="w")
    assert res.n == 71 and res.n_dropped == 1


def test_all_missing_predictor_is_named():
    df = wine().assign(x=np.nan)
    with pytest.raises(ValueError, match="predictor 'x' has no observed values"):
        ordinal.fit(df, "rating ~ temp + x")


def test_empty_outcome_category_is_dropped_as_clm_drops_it():
    """clm drops an outcome level without observations (the old docstring said R fails); the fit
    equals clm's on wine without rating 3, and a warning says so."""
    df = wine()
    df = df[df["rating"] != 3].copy()
    with pytest.warns(UserWarning, match=r"no observations were dropped: \[3\]"):
        res = ordinal.fit(df, "rating ~ temp + contact")
    ref = LINKS["wine_empty_category"]
    assert list(res.thresholds.index) == ref["thresholds"]["names"]
    np.testing.assert_allclose(res.thresholds["estimate"], ref["thresholds"]["estimate"], atol=1e-6)
    np.testing.assert_allclose(res.coefficients["estimate"], ref["coefficients"]["estimate"], atol=1e-6)
    assert res.loglik == pytest.approx(ref["loglik"], abs=1e-7)
    assert "clm drops it" in ordinal.fit.__doc__


def test_no_complete_row_is_refused():
    df = wine().assign(x=[np.nan, 1.0] * 36)
    df.loc[1::2, "temp"] = np.nan
    with pytest.raises(ValueError, match="No row has the outcome, every predictor"):
        ordinal.fit(df, "rating ~ temp + x")


# --- polychoric ----------------------------------------------------------------------------------

def test_polychoric_refuses_an_item_with_many_values():
    """psych: "You have more than 8 categories for your items, polychoric is probably not needed"."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.permutation(300), "b": rng.integers(1, 5, 300), "c": rng.integers(1, 5, 300)})
    with pytest.raises(ValueError, match=r"more than 8 distinct values.*\{'a': 300\}"):
        rel.polychoric(df)
    assert rel.polychoric(df[["b", "c"]]).matrix.shape == (2, 2)
    assert rel.polychoric(df, max_categories=400).matrix.shape == (3, 3)
