"""analysis.stats.ordinal against R for every link of ordinal::clm, nominal_test, scale_test, and
models with nominal (partial proportional odds) and scale effects.

Reference values: tests/analysis/stats/reference/ordinal/links.json, written by make_links.R from
ordinal::wine, MASS::survey (exercise on sex, pulse and age: continuous predictors, missing values)
and ordinal::soup. One class per link reuses the checks of ``LinkChecks``.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import ordinal

REF_DIR = Path(__file__).parent / "reference" / "ordinal"
REF = json.loads((REF_DIR / "links.json").read_text())
COEF_TOL = 1e-6      # estimates and thresholds (R fitted to gradTol 1e-10)
SE_TOL = 1e-5        # standard errors (relative)
LL_TOL = 1e-7
TEST_TOL = 2e-5      # LR statistics of nominal_test (R's fits there stop at gradTol 1e-6)


def wine():
    df = pd.read_csv(REF_DIR / "wine.csv")
    df["rating"] = pd.Categorical(df["rating"], categories=[1, 2, 3, 4, 5], ordered=True)
    df["temp"] = pd.Categorical(df["temp"], categories=["cold", "warm"])
    df["contact"] = pd.Categorical(df["contact"], categories=["no", "yes"])
    return df


def survey():
    df = pd.read_csv(REF_DIR / "survey.csv", keep_default_na=False, na_values=[""])  # "None" is a level
    df["Exer"] = pd.Categorical(df["Exer"], categories=["None", "Some", "Freq"], ordered=True)
    df["Sex"] = pd.Categorical(df["Sex"], categories=["Female", "Male"])
    return df


def soup():
    df = pd.read_csv(REF_DIR / "soup.csv")
    df["SURENESS"] = pd.Categorical(df["SURENESS"], categories=[1, 2, 3, 4, 5, 6], ordered=True)
    df["PROD"] = pd.Categorical(df["PROD"], categories=["Ref", "Test"])
    df["DAY"] = pd.Categorical(df["DAY"], categories=[1, 2])
    df["SOUPTYPE"] = pd.Categorical(df["SOUPTYPE"], categories=["Self-made", "Canned", "Dry-mix"])
    return df


WINE_NEW = pd.DataFrame({"temp": ["cold", "warm", "warm"], "contact": ["no", "yes", "no"]})
SURVEY_NEW = pd.DataFrame({"Sex": ["Female", "Male", "Male"], "Pulse": [60.0, 75.0, 92.0], "Age": [18.5, 21.0, 40.0]})


def names(value):
    """R's toJSON(auto_unbox = TRUE) writes a list of one name as a bare string."""
    return [value] if isinstance(value, str) else list(value)


def check_fit(res, ref):
    assert list(res.thresholds.index) == names(ref["thresholds"]["names"])
    np.testing.assert_allclose(res.thresholds["estimate"], ref["thresholds"]["estimate"], atol=COEF_TOL, rtol=0)
    np.testing.assert_allclose(res.thresholds["std_err"], ref["thresholds"]["std_err"], rtol=SE_TOL)
    assert list(res.coefficients.index) == names(ref["coefficients"]["names"])
    np.testing.assert_allclose(res.coefficients["estimate"], ref["coefficients"]["estimate"], atol=COEF_TOL, rtol=0)
    np.testing.assert_allclose(res.coefficients["std_err"], ref["coefficients"]["std_err"], rtol=SE_TOL)
    if "z" in ref["coefficients"]:
        np.testing.assert_allclose(res.coefficients["z"], ref["coefficients"]["z"], rtol=SE_TOL)
        np.testing.assert_allclose(res.coefficients["p"], ref["coefficients"]["p"], rtol=1e-4)
    if "scale" in ref:
        assert list(res.scale_coefficients.index) == names(ref["scale"]["names"])
        np.testing.assert_allclose(res.scale_coefficients["estimate"], ref["scale"]["estimate"], atol=COEF_TOL)
        np.testing.assert_allclose(res.scale_coefficients["std_err"], ref["scale"]["std_err"], rtol=SE_TOL)
    else:
        assert res.scale_coefficients.empty
    assert res.loglik == pytest.approx(ref["loglik"], abs=LL_TOL)
    assert res.k == ref["df"] and res.n == ref["n"]
    assert res.aic == pytest.approx(ref["aic"], abs=1e-6)
    assert res.converged


@functools.cache
def fitted(data: str, link: str):
    if data == "wine":
        return ordinal.fit(wine(), "rating ~ temp + contact", link=link)
    return ordinal.fit(survey(), "Exer ~ Sex + Pulse + Age", link=link)


def exact(ref):
    """For cauchit, clm's stand-in of 1e5 for an infinite threshold costs 3.2e-6 of probability in
    the extreme categories (see make_links.R); the reference there is the exact maximum likelihood
    found in R, with clm's names, n and df."""
    if "exact" not in ref:
        return ref
    out = {**ref, "loglik": ref["exact"]["loglik"], "predict": ref["exact"]["predict"],
           "aic": -2 * ref["exact"]["loglik"] + 2 * ref["df"]}
    out["thresholds"] = {**ref["thresholds"], **ref["exact"]["thresholds"]}
    out["coefficients"] = {**ref["coefficients"], **ref["exact"]["coefficients"]}
    del out["coefficients"]["z"], out["coefficients"]["p"]
    return out


class LinkChecks:
    """Checks of one link on wine (two factors) and survey (a factor, two continuous predictors)."""

    link: str

    def test_wine_estimates_ses_loglik(self):
        res = fitted("wine", self.link)
        check_fit(res, exact(REF[f"wine_{self.link}"]))
        assert res.link == self.link

    def test_wine_predictions(self):
        proba = fitted("wine", self.link).predict_proba(WINE_NEW)
        np.testing.assert_allclose(proba.to_numpy(), exact(REF[f"wine_{self.link}"])["predict"], atol=1e-7)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)

    def test_survey_estimates_ses_loglik(self):
        res = fitted("survey", self.link)
        check_fit(res, exact(REF[f"survey_{self.link}"]))
        assert res.n_dropped == 46  # rows missing Pulse (45) or Sex (1), as clm drops them

    def test_survey_predictions(self):
        np.testing.assert_allclose(fitted("survey", self.link).predict_proba(SURVEY_NEW).to_numpy(),
                                   exact(REF[f"survey_{self.link}"])["predict"], atol=1e-7)

    def test_odds_ratio_only_for_logit(self):
        res = fitted("wine", self.link)
        assert res.coefficients["odds_ratio"].notna().all() == (self.link == "logit")
        ci = res.coefficients[["ci_low", "ci_high"]].to_numpy()
        assert np.all(ci[:, 0] < ci[:, 1])


class TestLogit(LinkChecks):
    link = "logit"


class TestProbit(LinkChecks):
    link = "probit"


class TestCloglog(LinkChecks):
    link = "cloglog"


class TestLoglog(LinkChecks):
    link = "loglog"


class TestCauchit(LinkChecks):
    link = "cauchit"

    @pytest.mark.parametrize("data", ["wine", "survey"])
    def test_close_to_clm_itself(self, data):
        """clm's own cauchit estimates (with its finite stand-in for infinite thresholds) are within
        2e-4 of the exact ones, and its log-likelihood a little lower."""
        res, ref = fitted(data, "cauchit"), REF[f"{data}_cauchit"]
        np.testing.assert_allclose(res.thresholds["estimate"], ref["thresholds"]["estimate"], atol=2e-4)
        np.testing.assert_allclose(res.coefficients["estimate"], ref["coefficients"]["estimate"], atol=2e-4)
        assert 0 < res.loglik - ref["loglik"] < 2e-3


def test_links_differ_from_each_other():
    """The five fits are five different models (no link silently falling back on another)."""
    lls = {link: ordinal.fit(wine(), "rating ~ temp + contact", link=link).loglik for link in ordinal.LINKS}
    assert len({round(v, 6) for v in lls.values()}) == 5


def test_link_tails_are_accurate():
    """F(a) - F(b) far in the upper tail, where 1 - F would lose every digit, for every link."""
    from analysis.stats.ordinal import _interval
    a, b = np.array([40.0]), np.array([39.0])
    ok = np.array([True])
    expected = {"logit": np.exp(-39) - np.exp(-40), "cauchit": (np.arctan(1 / 39) - np.arctan(1 / 40)) / np.pi,
                "loglog": -np.expm1(-np.exp(-40)) + np.expm1(-np.exp(-39))}
    for link, value in expected.items():
        assert _interval(a, b, ok, ok, link)[0] == pytest.approx(value, rel=1e-9)


# --- nominal_test and scale_test ------------------------------------------------------------

TESTS = [
    ("nominal_test_wine", ordinal.nominal_test, wine, "rating ~ temp + contact", "logit"),
    ("nominal_test_survey", ordinal.nominal_test, survey, "Exer ~ Sex + Pulse + Age", "logit"),
    ("nominal_test_soup", ordinal.nominal_test, soup, "SURENESS ~ PROD + DAY + SOUPTYPE", "logit"),
    ("nominal_test_soup_probit", ordinal.nominal_test, soup, "SURENESS ~ PROD + DAY + SOUPTYPE", "probit"),
    ("scale_test_wine", ordinal.scale_test, wine, "rating ~ temp + contact", "logit"),
    ("scale_test_survey", ordinal.scale_test, survey, "Exer ~ Sex + Pulse + Age", "logit"),
    ("scale_test_soup", ordinal.scale_test, soup, "SURENESS ~ PROD + DAY + SOUPTYPE", "logit"),
]


@pytest.mark.parametrize("name,func,data,formula,link", TESTS, ids=[t[0] for t in TESTS])
def test_lr_tests_match_ordinal(name, func, data, formula, link):
    ref = REF[name]
    table = func(data(), formula, link=link)
    assert list(table.index) == ref["terms"]
    assert list(table.columns) == ["lr", "df", "p", "loglik", "aic"]
    np.testing.assert_array_equal(table["df"], ref["df"])
    np.testing.assert_allclose(table["lr"], ref["lr"], atol=TEST_TOL, rtol=1e-6)
    np.testing.assert_allclose(table["p"], ref["p"], atol=TEST_TOL, rtol=1e-5)
    np.testing.assert_allclose(table["loglik"], ref["loglik"], atol=TEST_TOL / 2)
    np.testing.assert_allclose(table["aic"], ref["aic"], atol=TEST_TOL)
    assert table.attrs["loglik"] == pytest.approx(ref["loglik_base"], abs=1e-7)
    assert table.attrs["aic"] == pytest.approx(ref["aic_base"], abs=1e-6)
    assert table.attrs["test"] == name.split("_")[0]


def test_nominal_test_keeps_an_unbounded_fit_with_a_note():
    """In wine no cold wine is rated 5: the nominal effect of temp runs off to infinity. R's
    nominal_test reports the likelihood's supremum (LRT 3.175); so do we, and the note says why."""
    table = ordinal.nominal_test(wine(), "rating ~ temp + contact")
    assert table.loc["temp", "lr"] == pytest.approx(REF["nominal_test_wine"]["lr"][0], abs=TEST_TOL)
    assert any(n.startswith("temp:") and "unbounded" in n for n in table.attrs["notes"])
    assert not any(n.startswith("contact:") for n in table.attrs["notes"])
    with pytest.raises(ValueError, match="unbounded"):  # fit itself refuses that model
        ordinal.fit(wine(), "rating ~ contact", nominal=["temp"])


# --- partial proportional odds and scale effects ----------------------------------------------

PARTIAL = [
    ("wine_nominal_contact", wine, "rating ~ temp", dict(nominal="~ contact"), WINE_NEW),
    ("survey_nominal_sex", survey, "Exer ~ Pulse + Age", dict(nominal=["Sex"]), SURVEY_NEW),
    ("survey_nominal_pulse_probit", survey, "Exer ~ Sex + Age", dict(nominal=["Pulse"], link="probit"), SURVEY_NEW),
    ("soup_nominal_souptype", soup, "SURENESS ~ PROD + DAY", dict(nominal=["SOUPTYPE"]), None),
    ("soup_scale_prod", soup, "SURENESS ~ PROD + DAY", dict(scale=["PROD"]),
     pd.DataFrame({"PROD": ["Ref", "Test"], "DAY": [1, 2]})),
    ("survey_scale_age_cloglog", survey, "Exer ~ Sex + Pulse", dict(scale="~Age", link="cloglog"), SURVEY_NEW),
]


@pytest.mark.parametrize("name,data,formula,kwargs,new", PARTIAL, ids=[p[0] for p in PARTIAL])
def test_nominal_and_scale_effects_match_clm(name, data, formula, kwargs, new):
    ref = REF[name]
    res = ordinal.fit(data(), formula, **kwargs)
    check_fit(res, ref)
    if new is not None:
        np.testing.assert_allclose(res.predict_proba(new).to_numpy(), ref["predict"], atol=1e-7)
    assert res.lr_df == res.k - (len(res.categories) - 1)
    assert res.brant.empty and any("Brant" in n for n in res.notes)


def test_location_term_that_is_also_nominal_is_aliased_as_in_clm():
    a = ordinal.fit(wine(), "rating ~ temp + contact", nominal=["contact"])
    b = ordinal.fit(wine(), "rating ~ temp", nominal=["contact"])
    assert list(a.coefficients.index) == ["tempwarm"]
    assert a.loglik == pytest.approx(REF["wine_nominal_contact"]["loglik"], abs=LL_TOL)
    np.testing.assert_allclose(a.thresholds["estimate"], b.thresholds["estimate"], atol=1e-10)
    assert a.nominal == ["contact"] and "nominal effects of contact" in str(a)


def test_general_path_agrees_with_the_fast_path():
    """The proportional-odds model fitted by the general (nominal / scale) likelihood equals the fast path."""
    from analysis.stats.ordinal import _General, _Patterns, _general_parts, _loglik_parts
    res = ordinal.fit(survey(), "Exer ~ Sex + Pulse + Age", link="cauchit")
    params = np.r_[res.thresholds["estimate"], res.coefficients["estimate"]] + 0.01
    d = survey().dropna()
    X = np.column_stack([(d["Sex"] == "Male").astype(float), d["Pulse"], d["Age"]])
    y = d["Exer"].cat.codes.to_numpy()
    w = np.ones(len(y))
    fast = _loglik_parts(params, _Patterns(X=X, y=y, w=w, J=3), "cauchit", derivatives=True)
    general = _general_parts(params, _General(X=X, N=np.ones((len(y), 1)), Z=np.zeros((len(y), 0)), y=y, w=w, J=3),
                             "cauchit", derivatives=True)
    assert fast[0] == pytest.approx(general[0], rel=1e-13)
    np.testing.assert_allclose(fast[1], general[1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast[2], general[2], rtol=1e-9, atol=1e-9)
