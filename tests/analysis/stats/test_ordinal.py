"""analysis.stats.ordinal against R (ordinal::clm, MASS::polr, the brant algorithm).

Reference values: tests/analysis/stats/reference/ordinal/reference.json, written by make_reference.R.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import ordinal

REF_DIR = Path(__file__).parent / "reference" / "ordinal"
REF = json.loads((REF_DIR / "reference.json").read_text())
COEF_TOL = 1e-6      # estimates and thresholds
SE_TOL = 1e-5        # standard errors (relative)
LL_TOL = 1e-7


def _wine():
    df = pd.read_csv(REF_DIR / "wine.csv")
    df["rating"] = pd.Categorical(df["rating"], categories=[1, 2, 3, 4, 5], ordered=True)
    df["temp"] = pd.Categorical(df["temp"], categories=["cold", "warm"])
    df["contact"] = pd.Categorical(df["contact"], categories=["no", "yes"])
    return df


def _housing():
    df = pd.read_csv(REF_DIR / "housing.csv")
    df["Sat"] = pd.Categorical(df["Sat"], categories=["Low", "Medium", "High"], ordered=True)
    df["Infl"] = pd.Categorical(df["Infl"], categories=["Low", "Medium", "High"])
    df["Type"] = pd.Categorical(df["Type"], categories=["Tower", "Apartment", "Atrium", "Terrace"])
    df["Cont"] = pd.Categorical(df["Cont"], categories=["Low", "High"])
    return df


def _synthetic():
    df = pd.read_csv(REF_DIR / "synthetic.csv")
    df["size"] = pd.Categorical(df["size"], categories=["micro", "small", "medium", "large"])
    df["region"] = pd.Categorical(df["region"], categories=["Irkutsk", "Perm", "Samara", "Kaluga", "other"])
    return df


def _check(res, ref, *, brant=True):
    assert list(res.thresholds.index) == ref["thresholds"]["names"]
    np.testing.assert_allclose(res.thresholds["estimate"], ref["thresholds"]["estimate"], atol=COEF_TOL, rtol=0)
    np.testing.assert_allclose(res.thresholds["std_err"], ref["thresholds"]["std_err"], rtol=SE_TOL)
    assert list(res.coefficients.index) == ref["coefficients"]["names"]
    np.testing.assert_allclose(res.coefficients["estimate"], ref["coefficients"]["estimate"], atol=COEF_TOL, rtol=0)
    np.testing.assert_allclose(res.coefficients["std_err"], ref["coefficients"]["std_err"], rtol=SE_TOL)
    np.testing.assert_allclose(res.coefficients["z"], ref["coefficients"]["z"], rtol=SE_TOL)
    np.testing.assert_allclose(res.coefficients["p"], ref["coefficients"]["p"], rtol=1e-4)
    assert res.loglik == pytest.approx(ref["loglik"], abs=LL_TOL)
    assert res.loglik_null == pytest.approx(ref["loglik_null"], abs=LL_TOL)
    assert res.n == ref["n"]
    assert res.aic == pytest.approx(ref["aic"], abs=1e-6)
    assert res.bic == pytest.approx(ref["bic"], abs=1e-6)
    for key in ("mcfadden", "cox_snell", "nagelkerke"):
        assert res.pseudo_r2[key] == pytest.approx(ref[key], abs=1e-8)
    if brant:
        assert list(res.brant.index) == ref["brant"]["terms"]
        np.testing.assert_allclose(res.brant["chi2"], ref["brant"]["chi2"], rtol=1e-5)
        np.testing.assert_array_equal(res.brant["df"], ref["brant"]["df"])
        np.testing.assert_allclose(res.brant["p"], ref["brant"]["p"], rtol=1e-4)


def test_wine_logit_matches_clm():
    res = ordinal.fit(_wine(), "rating ~ temp + contact")
    _check(res, REF["wine_logit"], brant=False)
    assert res.converged
    ci = res.coefficients.loc["tempwarm"]
    assert ci["odds_ratio"] == pytest.approx(np.exp(REF["wine_logit"]["coefficients"]["estimate"][0]), rel=1e-6)
    assert ci["ci_low"] < ci["odds_ratio"] < ci["ci_high"]


def test_wine_predicted_probabilities_match_clm():
    res = ordinal.fit(_wine(), "rating ~ temp + contact")
    profiles = pd.DataFrame({"temp": ["cold", "warm"], "contact": ["no", "yes"]})
    proba = res.predict_proba(profiles)
    np.testing.assert_allclose(proba.to_numpy(), REF["wine_logit"]["predict"], atol=1e-7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(proba.columns) == [1, 2, 3, 4, 5]


def test_wine_probit_matches_clm():
    res = ordinal.fit(_wine(), "rating ~ temp + contact", link="probit")
    _check(res, REF["wine_probit"], brant=False)
    assert res.coefficients["odds_ratio"].isna().all()


def test_frequency_weights_match_clm_on_housing():
    res = ordinal.fit(_housing(), "Sat ~ Infl + Type + Cont", weights="Freq")
    _check(res, REF["housing_weighted"])
    assert list(res.thresholds.index) == ["Low|Medium", "Medium|High"]


def test_weights_equal_expanded_rows():
    housing = _housing()
    expanded = housing.loc[housing.index.repeat(housing["Freq"])].reset_index(drop=True)
    a = ordinal.fit(housing, "Sat ~ Infl + Type + Cont", weights="Freq")
    b = ordinal.fit(expanded, "Sat ~ Infl + Type + Cont")
    np.testing.assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"], atol=1e-9)
    np.testing.assert_allclose(a.coefficients["std_err"], b.coefficients["std_err"], rtol=1e-9)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)


def test_synthetic_survey_matches_clm_and_polr():
    data = _synthetic()
    res = ordinal.fit(data, "readiness ~ sc_mean + size + region")
    _check(res, REF["synthetic"])
    assert res.n_dropped == REF["synthetic"]["n_dropped"] == 5
    assert "5 rows with missing values" in res.summary()
    polr = REF["synthetic_polr"]
    np.testing.assert_allclose(res.thresholds["estimate"], polr["thresholds"], atol=1e-4)  # polr's own tolerance
    np.testing.assert_allclose(res.coefficients["estimate"], polr["coefficients"], atol=1e-4)
    profiles = pd.DataFrame({"sc_mean": [1.5, 2.5, 3.5], "size": ["micro", "medium", "large"],
                             "region": ["Irkutsk", "Samara", "other"]})
    np.testing.assert_allclose(res.predict_proba(profiles).to_numpy(), REF["synthetic"]["predict"], atol=1e-7)


def test_integer_codes_and_ordered_categorical_agree():
    data = _synthetic()
    as_codes = ordinal.fit(data, "readiness ~ sc_mean + size")
    data["readiness"] = pd.Categorical(data["readiness"].map({1: "not", 2: "rather not", 3: "rather", 4: "fully"}),
                                       categories=["not", "rather not", "rather", "fully"], ordered=True)
    as_cat = ordinal.fit(data, "readiness ~ sc_mean + size")
    np.testing.assert_allclose(as_codes.coefficients["estimate"], as_cat.coefficients["estimate"], atol=1e-12)
    assert list(as_codes.thresholds.index) == ["1|2", "2|3", "3|4"]
    assert list(as_cat.thresholds.index) == ["not|rather not", "rather not|rather", "rather|fully"]


def test_result_renders_as_text_and_frame():
    res = ordinal.fit(_wine(), "rating ~ temp + contact")
    text = str(res)
    assert "theta_j - x'beta" in text and "tempwarm" in text and "1|2" in text
    frame = res.to_frame()
    assert list(frame["kind"]) == ["threshold"] * 4 + ["coefficient"] * 2


# --- refusals ----------------------------------------------------------------------------

def test_fewer_than_two_outcome_categories():
    df = pd.DataFrame({"y": [2, 2, 2, 2], "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match="fewer than two observed categories"):
        ordinal.fit(df, "y ~ x")


def test_empty_outcome_category_is_dropped_with_a_warning():
    df = _wine()
    df = df[df["rating"] != 3].copy()
    with pytest.warns(UserWarning, match=r"no observations were dropped: \[3\]"):
        res = ordinal.fit(df, "rating ~ temp + contact")
    assert list(res.thresholds.index) == ["1|2", "2|4", "4|5"]
    assert np.all(np.isfinite(res.thresholds["estimate"]))


def test_constant_predictor_is_named():
    df = _wine().assign(const=1.0)
    with pytest.raises(ValueError, match="'const' is constant"):
        ordinal.fit(df, "rating ~ temp + const")


def test_explicit_no_intercept_is_refused():
    with pytest.raises(ValueError, match="thresholds play the intercept"):
        ordinal.fit(_wine(), "rating ~ 0 + temp")


def test_separation_is_detected_and_named():
    rng = np.random.default_rng(1)
    x = np.r_[np.zeros(50), np.ones(50)]
    y = np.where(x == 1, rng.choice([3, 4], 100), rng.choice([1, 2], 100))  # x separates low from high
    df = pd.DataFrame({"y": y, "x": x, "z": rng.normal(size=100)})
    with pytest.raises(ValueError, match="'x'.*separates"):
        ordinal.fit(df, "y ~ x + z")


def test_collinear_predictors_are_refused():
    df = _synthetic().dropna()
    df["twice"] = 2 * df["sc_mean"]
    with pytest.raises(ValueError, match="collinear"):
        ordinal.fit(df, "readiness ~ sc_mean + twice")


@pytest.mark.parametrize("formula,message", [("readiness", "needs an outcome"), ("nope ~ x", "not in the data")])
def test_bad_formulas(formula, message):
    with pytest.raises(ValueError, match=message):
        ordinal.fit(_synthetic(), formula)


def test_unordered_outcome_is_refused():
    df = _wine()
    df["rating"] = pd.Categorical(df["rating"].astype(int), ordered=False)
    with pytest.raises(ValueError, match="unordered"):
        ordinal.fit(df, "rating ~ temp")


def test_bad_link_and_weights():
    with pytest.raises(ValueError, match="link"):
        ordinal.fit(_wine(), "rating ~ temp", link="identity")
    with pytest.raises(ValueError, match="negative"):
        ordinal.fit(_wine(), "rating ~ temp", weights=-np.ones(72))


def test_result_pickles_and_still_predicts():
    import pickle
    res = ordinal.fit(_wine(), "rating ~ temp + contact")
    again = pickle.loads(pickle.dumps(res))
    profiles = pd.DataFrame({"temp": ["cold", "warm"], "contact": ["no", "yes"]})
    np.testing.assert_allclose(again.predict_proba(profiles).to_numpy(), REF["wine_logit"]["predict"], atol=1e-7)


# --- the paths for large data (distinct rows, blocks, warm start, lazy Brant) ---------------------

def test_large_data_paths_give_the_same_fit(monkeypatch):
    """Skipping the collapsing, summing in blocks, starting from a subset and computing the Brant
    test lazily (thresholds lowered so the synthetic survey takes every path) change nothing."""
    from analysis.stats import ordinal as mod
    data = _synthetic()
    ref = ordinal.fit(data, "readiness ~ sc_mean + size + region")
    monkeypatch.setattr(mod, "_CHUNK", 257)
    monkeypatch.setattr(mod, "_WARM", 400)
    monkeypatch.setattr(mod, "_LAZY_BRANT", 100)
    monkeypatch.setattr(mod, "_DISTINCT", 0.0)  # every numeric predictor counts as all distinct
    res = ordinal.fit(data, "readiness ~ sc_mean + size + region")
    assert res._brant_input is not None and res._brant_value is None  # not computed yet
    np.testing.assert_allclose(res.coefficients["estimate"], ref.coefficients["estimate"], atol=1e-9)
    np.testing.assert_allclose(res.coefficients["std_err"], ref.coefficients["std_err"], rtol=1e-8)
    np.testing.assert_allclose(res.thresholds["estimate"], ref.thresholds["estimate"], atol=1e-9)
    assert res.loglik == pytest.approx(ref.loglik, abs=1e-8)
    np.testing.assert_allclose(res.brant["chi2"], REF["synthetic"]["brant"]["chi2"], rtol=1e-5)
    assert res._brant_input is None
