"""Proportional-odds (cumulative link) regression.

The model, in the convention of R's ``ordinal::clm`` and ``MASS::polr``::

    link(P(Y <= j | x)) = theta_j - x'beta,    j = 1, ..., J - 1

with ``link`` the logit or the probit. Estimates are maximum-likelihood, found
by Newton-Raphson with the analytic gradient and Hessian on the data collapsed
into distinct covariate patterns x outcome (frequency-weighted), which is what
makes a million survey responses fast: they hold a few thousand patterns.

Checked against ``ordinal::clm`` and ``MASS::polr`` (estimates, standard
errors, log-likelihoods, predicted probabilities) and against the Brant test
of the R package ``brant`` (re-implemented in the reference script); see
tests/analysis/stats/reference/ordinal/.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import patsy
from scipy import special, stats

__all__ = ["fit", "OrdinalResult"]

_LINKS = ("logit", "probit")
_STATEFUL = re.compile(r"\b(center|standardize|scale)\s*\(")
_GRAD_TOL = 1e-9
_MAX_ITER = 200


# --- links: cdf, pdf and the pdf's derivative ----------------------------------------

def _cdf(z: np.ndarray, link: str) -> np.ndarray:
    return special.expit(z) if link == "logit" else special.ndtr(z)


def _pdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        p = special.expit(z)
        return p * (1.0 - p)
    return np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _dpdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        p = special.expit(z)
        return p * (1.0 - p) * (1.0 - 2.0 * p)
    return -z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


# --- the likelihood on patterns --------------------------------------------------------

@dataclass
class _Patterns:
    X: np.ndarray  # (m, p) design of each pattern, no intercept
    y: np.ndarray  # (m,) outcome index 0..J-1
    w: np.ndarray  # (m,) frequency weights
    J: int


def _loglik_parts(params: np.ndarray, d: _Patterns, link: str, *, derivatives: bool):
    J, p = d.J, d.X.shape[1]
    theta, beta = params[: J - 1], params[J - 1:]
    eta = d.X @ beta if p else np.zeros(len(d.y))
    upper_ok = d.y < J - 1
    lower_ok = d.y > 0
    th_ext = np.concatenate(([0.0], theta, [0.0]))
    a = np.where(upper_ok, th_ext[d.y + 1] - eta, np.inf)   # theta_y - eta
    b = np.where(lower_ok, th_ext[d.y] - eta, -np.inf)      # theta_{y-1} - eta
    Fa = np.where(upper_ok, _cdf(np.where(upper_ok, a, 0.0), link), 1.0)
    Fb = np.where(lower_ok, _cdf(np.where(lower_ok, b, 0.0), link), 0.0)
    prob = Fa - Fb
    if link == "logit":  # accurate differences in the tails
        prob = np.where(upper_ok & lower_ok, prob, np.where(upper_ok, Fa, 1.0 - Fb))
    if np.any(prob <= 0):
        return -np.inf, None, None
    ll = float(np.sum(d.w * np.log(prob)))
    if not derivatives:
        return ll, None, None
    a0, b0 = np.where(upper_ok, a, 0.0), np.where(lower_ok, b, 0.0)
    ga = np.where(upper_ok, _pdf(a0, link), 0.0)
    gb = np.where(lower_ok, _pdf(b0, link), 0.0)
    da = np.where(upper_ok, _dpdf(a0, link), 0.0)
    db = np.where(lower_ok, _dpdf(b0, link), 0.0)
    m, k = len(d.y), J - 1 + p
    D = np.zeros((m, k))  # dp/dparams for each pattern
    rows = np.arange(m)
    D[rows[upper_ok], d.y[upper_ok]] = ga[upper_ok]
    D[rows[lower_ok], d.y[lower_ok] - 1] = -gb[lower_ok]
    if p:
        D[:, J - 1:] = -(ga - gb)[:, None] * d.X
    wp = d.w / prob
    grad = D.T @ wp
    # Hessian of sum w log p = sum w (d2p / p - dp dp' / p^2)
    H = -(D * (wp / prob)[:, None]).T @ D
    th_diag = np.zeros(J - 1)
    np.add.at(th_diag, d.y[upper_ok], (wp * da)[upper_ok])
    np.add.at(th_diag, d.y[lower_ok] - 1, -(wp * db)[lower_ok])
    H[np.arange(J - 1), np.arange(J - 1)] += th_diag
    if p:
        cross = np.zeros((J - 1, p))
        np.add.at(cross, d.y[upper_ok], -(wp * da)[upper_ok, None] * d.X[upper_ok])
        np.add.at(cross, d.y[lower_ok] - 1, (wp * db)[lower_ok, None] * d.X[lower_ok])
        H[: J - 1, J - 1:] += cross
        H[J - 1:, : J - 1] += cross.T
        H[J - 1:, J - 1:] += (d.X * (wp * (da - db))[:, None]).T @ d.X
    return ll, grad, H


def _newton(start: np.ndarray, d: _Patterns, link: str) -> tuple[np.ndarray, float, np.ndarray, int, bool, str]:
    """Maximise the log-likelihood; return params, loglik, Hessian, iterations, converged, message."""
    params = start.copy()
    ll, grad, H = _loglik_parts(params, d, link, derivatives=True)
    if not np.isfinite(ll):
        raise ValueError("The starting values give a zero probability; the data cannot be fitted.")
    message = ""
    for iteration in range(1, _MAX_ITER + 1):
        try:
            step = np.linalg.solve(H, -grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, -grad, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return params, ll, H, iteration, False, "the Hessian is singular"
        scale = 1.0
        for _halving in range(40):
            trial = params + scale * step
            th = trial[: d.J - 1]
            if np.all(np.diff(th) > 0):
                ll_new, g_new, H_new = _loglik_parts(trial, d, link, derivatives=True)
                if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * max(1.0, abs(ll)):
                    break
            scale /= 2.0
        else:
            return params, ll, H, iteration, bool(np.max(np.abs(grad)) < 1e-6), "step halving failed"
        params, ll, grad, H = trial, ll_new, g_new, H_new
        if np.max(np.abs(grad)) < _GRAD_TOL * max(1.0, np.sum(d.w) / 1e4) and np.max(np.abs(scale * step)) < 1e-7:
            return params, ll, H, iteration, True, ""
        if np.max(np.abs(grad)) < 1e-12:
            return params, ll, H, iteration, True, ""
    return params, ll, H, _MAX_ITER, False, f"no convergence in {_MAX_ITER} iterations"


# --- binary logits for the Brant test ---------------------------------------------------

def _logit_fit(X: np.ndarray, z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic regression (X includes the intercept); return beta and fitted P(z=1)."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        eta = X @ beta
        pi = special.expit(eta)
        grad = X.T @ (w * (z - pi))
        info = (X * (w * pi * (1 - pi))[:, None]).T @ X
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError as exc:
            raise _BinarySeparation from exc
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    else:
        raise _BinarySeparation
    if np.max(np.abs(beta)) > 30:
        raise _BinarySeparation
    return beta, special.expit(X @ beta)


class _BinarySeparation(Exception):
    """A binary logit of the Brant test has no finite maximum."""


def _brant(d: _Patterns, names: list[str]) -> pd.DataFrame:
    """Brant (1990) test of proportional odds, as R's brant::brant computes it."""
    J, K = d.J, d.X.shape[1]
    if J < 3 or K == 0:
        return pd.DataFrame(columns=["chi2", "df", "p"], dtype=float)
    X = np.column_stack([np.ones(len(d.y)), d.X])
    betas, pis, invs = [], [], []
    for m in range(J - 1):
        z = (d.y > m).astype(float)
        try:
            beta, pi = _logit_fit(X, z, d.w)
        except _BinarySeparation:
            raise _BinarySeparation(f"the binary split at {m + 1}|{m + 2} is separated by the predictors") from None
        betas.append(beta)
        pis.append(pi)
        invs.append(np.linalg.inv((X * (d.w * pi * (1 - pi))[:, None]).T @ X))
    V = np.zeros(((J - 1) * K, (J - 1) * K))
    for m in range(J - 1):
        V[m * K:(m + 1) * K, m * K:(m + 1) * K] = invs[m][1:, 1:]
        for l in range(m + 1, J - 1):
            wml = d.w * (pis[l] - pis[m] * pis[l])
            block = (invs[m] @ ((X * wml[:, None]).T @ X) @ invs[l])[1:, 1:]
            V[m * K:(m + 1) * K, l * K:(l + 1) * K] = block
            V[l * K:(l + 1) * K, m * K:(m + 1) * K] = block.T
    beta_star = np.concatenate([b[1:] for b in betas])
    D = np.zeros(((J - 2) * K, (J - 1) * K))
    for i in range(J - 2):
        D[i * K:(i + 1) * K, :K] = np.eye(K)
        D[i * K:(i + 1) * K, (i + 1) * K:(i + 2) * K] = -np.eye(K)

    def wald(idx: np.ndarray) -> float:
        Ds = D[:, idx]
        Ds = Ds[~np.all(Ds == 0, axis=1)]
        diff = Ds @ beta_star[idx]
        return float(diff @ np.linalg.solve(Ds @ V[np.ix_(idx, idx)] @ Ds.T, diff))

    rows = {"omnibus": (wald(np.arange((J - 1) * K)), (J - 2) * K)}
    for k, name in enumerate(names):
        rows[name] = (wald(np.arange(k, (J - 1) * K, K)), J - 2)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["chi2", "df"])
    out["df"] = out["df"].astype(int)
    out["p"] = stats.chi2.sf(out["chi2"], out["df"])
    return out


# --- the result -------------------------------------------------------------------------

@dataclass
class OrdinalResult:
    """A fitted proportional-odds model; see :func:`fit`."""

    formula: str
    link: str
    outcome: str
    categories: list[Any]
    coefficients: pd.DataFrame
    thresholds: pd.DataFrame
    vcov: pd.DataFrame
    loglik: float
    loglik_null: float
    n: float
    n_dropped: int
    converged: bool
    iterations: int
    brant: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _design_info: Any = field(default=None, repr=False)
    _rhs_columns: list[str] = field(default_factory=list, repr=False)
    _categoricals: dict[str, pd.CategoricalDtype] = field(default_factory=dict, repr=False)
    _template: pd.DataFrame | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # patsy's design information cannot be pickled; it is rebuilt from the (small) pattern table.
        return {**self.__dict__, "_design_info": None}

    def _design(self) -> Any:
        if self._design_info is None:
            rhs = self.formula.split("~", 1)[1]
            self._design_info = patsy.dmatrix(rhs, self._template, NA_action="raise").design_info
        return self._design_info

    @property
    def k(self) -> int:
        """Number of estimated parameters (thresholds and coefficients)."""
        return len(self.thresholds) + len(self.coefficients)

    @property
    def lr_chi2(self) -> float:
        return 2.0 * (self.loglik - self.loglik_null)

    @property
    def lr_df(self) -> int:
        return len(self.coefficients)

    @property
    def lr_p(self) -> float:
        return float(stats.chi2.sf(self.lr_chi2, self.lr_df)) if self.lr_df else float("nan")

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.k

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + self.k * np.log(self.n)

    @property
    def pseudo_r2(self) -> pd.Series:
        """McFadden, Cox & Snell and Nagelkerke pseudo-R² (as SPSS PLUM reports them)."""
        mcfadden = 1.0 - self.loglik / self.loglik_null
        cox_snell = 1.0 - np.exp(2.0 * (self.loglik_null - self.loglik) / self.n)
        nagelkerke = cox_snell / (1.0 - np.exp(2.0 * self.loglik_null / self.n))
        return pd.Series({"mcfadden": mcfadden, "cox_snell": cox_snell, "nagelkerke": nagelkerke})

    @property
    def proportional_odds_doubtful(self) -> bool:
        """True when the Brant omnibus test rejects proportional odds at the 5 % level."""
        return bool(len(self.brant) and self.brant.loc["omnibus", "p"] < 0.05)

    def predict_proba(self, new_data: pd.DataFrame) -> pd.DataFrame:
        """Category probabilities for the given profiles (one row each)."""
        frame = pd.DataFrame(new_data).copy()
        for col, dtype in self._categoricals.items():
            if col in frame:
                frame[col] = pd.Categorical(frame[col], dtype=dtype)
        missing = [c for c in self._rhs_columns if c not in frame]
        if missing:
            raise ValueError(f"new_data lacks the predictor column(s) {missing}.")
        design_info = self._design()
        X = np.asarray(patsy.build_design_matrices([design_info], frame, NA_action="raise")[0])
        X = X[:, _formula_order(self.formula.split("~", 1)[1], design_info)]
        eta = X @ self.coefficients["estimate"].to_numpy() if len(self.coefficients) else np.zeros(len(frame))
        theta = self.thresholds["estimate"].to_numpy()
        cum = _cdf(theta[None, :] - eta[:, None], self.link)
        cum = np.column_stack([np.zeros(len(eta)), cum, np.ones(len(eta))])
        return pd.DataFrame(np.diff(cum, axis=1), index=frame.index, columns=self.categories)

    def to_frame(self) -> pd.DataFrame:
        """Thresholds and coefficients in one tidy table."""
        th = self.thresholds.assign(kind="threshold")
        co = self.coefficients.assign(kind="coefficient")
        return pd.concat([th, co])[["kind", *[c for c in co.columns if c != "kind"]]]

    def summary(self) -> str:
        lines = [
            f"Cumulative link model ({self.link}): {self.formula}",
            f"link P(Y <= j) = theta_j - x'beta;  n = {self.n:g}"
            + (f" ({self.n_dropped} rows with missing values dropped)" if self.n_dropped else ""),
            f"log-likelihood {self.loglik:.4f}, null {self.loglik_null:.4f}; LR chi2({self.lr_df}) = "
            f"{self.lr_chi2:.3f}, p = {self.lr_p:.4g}; AIC {self.aic:.2f}, BIC {self.bic:.2f}",
            "pseudo-R2: " + ", ".join(f"{k} {v:.4f}" for k, v in self.pseudo_r2.items()),
            f"converged: {self.converged} ({self.iterations} Newton iterations)",
            "",
            "Coefficients:",
            self.coefficients.to_string(float_format=lambda v: f"{v:.5g}") if len(self.coefficients) else "  (none)",
            "",
            "Thresholds:",
            self.thresholds.to_string(float_format=lambda v: f"{v:.5g}"),
        ]
        if len(self.brant):
            lines += ["", "Brant test of proportional odds:", self.brant.to_string(float_format=lambda v: f"{v:.4g}")]
        if self.notes:
            lines += ["", "Notes:", *[f"- {n}" for n in self.notes]]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# --- fitting ----------------------------------------------------------------------------

def _outcome(series: pd.Series) -> tuple[np.ndarray, list[Any], list[str]]:
    """Outcome indices 0..J-1 (NaN-safe as -1), the categories, and notes."""
    notes: list[str] = []
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.cat.ordered:
            raise ValueError(f"The outcome {series.name!r} is an unordered Categorical; make it ordered "
                             "(its category order is the outcome's order).")
        categories = list(series.cat.categories)
        codes = series.cat.codes.to_numpy()
    else:
        numeric = pd.to_numeric(series, errors="coerce")
        if (numeric.isna() & series.notna()).any():
            raise ValueError(f"The outcome {series.name!r} must be an ordered Categorical or integer codes.")
        values = numeric.dropna()
        if len(values) and not np.all(values == np.round(values)):
            raise ValueError(f"The outcome {series.name!r} has non-integer values; give integer codes or an "
                             "ordered Categorical.")
        categories = sorted(int(v) for v in values.unique())
        index = {v: i for i, v in enumerate(categories)}
        codes = np.array([index[int(v)] if pd.notna(v) else -1 for v in numeric], dtype=int) if len(numeric) else \
            np.array([], dtype=int)
    return codes, categories, notes


def _formula_order(rhs: str, design_info: Any) -> list[int]:
    """Design columns (without the intercept) in the formula's term order, as R orders them."""
    terms = patsy.ModelDesc.from_formula(rhs).rhs_termlist
    slices = design_info.term_slices
    columns: list[int] = []
    for term in terms:
        if term in slices and term.factors:
            columns.extend(range(slices[term].start, slices[term].stop))
    return columns


def _r_name(column: str) -> str:
    """patsy's ``size[T.small]`` as R names it: ``sizesmall``."""
    return re.sub(r"\[T\.([^\]]*)\]", r"\1", column)


def _rhs_columns(rhs: str, data: pd.DataFrame) -> list[str]:
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", rhs))
    return [c for c in data.columns if isinstance(c, str) and c in tokens]


def fit(data: pd.DataFrame, formula: str, *, link: str = "logit", weights: str | Sequence[float] | None = None
        ) -> OrdinalResult:
    r"""Fit a proportional-odds (cumulative link) model by maximum likelihood.

    .. math::

        \operatorname{link}\, P(Y \le j \mid x) = \theta_j - x^\top \beta, \qquad j = 1, \dots, J-1

    Parameters
    ----------
    data : DataFrame
        One row per observation.
    formula : str
        ``"outcome ~ predictors"`` in patsy's (R's) syntax, e.g.
        ``"outcome ~ score + C(group) + sector"``. Categorical predictors use the Categorical's
        category order, the first category being the reference (treatment coding). There is no
        intercept: the thresholds take its place (``0 +`` / ``- 1`` are refused).
    link : {"logit", "probit"}
    weights : str or array-like, optional
        Frequency weights (a column name or one value per row).

    Returns
    -------
    OrdinalResult
        ``coefficients`` (estimate, std_err, z, p, odds_ratio, ci_low, ci_high: the 95 % Wald interval
        of the odds ratio for the logit link; for the probit link of the coefficient itself, with
        odds_ratio NaN), ``thresholds`` (estimate, std_err, indexed "1|2", ...), ``loglik``,
        ``loglik_null``, ``lr_chi2``, ``lr_df``, ``lr_p``, ``aic``, ``bic``, ``n``, ``n_dropped``,
        ``converged``, ``pseudo_r2`` (mcfadden, cox_snell, nagelkerke), ``brant`` (Brant test, omnibus
        and per coefficient) and ``predict_proba(new_data)``.

    Raises
    ------
    ValueError
        Fewer than two observed outcome categories; a predictor that is constant, aliased or
        separates the outcome (named); no convergence; a formula with ``0 +``; bad weights.

    Notes
    -----
    Rows with a missing value in the outcome, a predictor or the weight are dropped (listwise); their
    number is ``n_dropped``. An outcome category with no observations is dropped with a warning (R
    would fail); an unused predictor category is dropped likewise. The data are collapsed into
    distinct covariate patterns with summed weights before fitting; Newton-Raphson with the analytic
    gradient and Hessian converges to a maximum absolute gradient below 1e-9 (relative to n / 1e4).
    Standard errors come from the inverse observed information. Checked against ``ordinal::clm`` and
    ``MASS::polr`` (R), and the Brant test against ``brant::brant``'s algorithm.
    """
    if link not in _LINKS:
        raise ValueError(f"link must be one of {_LINKS}, not {link!r}.")
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame.")
    if "~" not in formula:
        raise ValueError("The formula needs an outcome and predictors: 'outcome ~ x1 + x2'.")
    lhs, rhs = (part.strip() for part in formula.split("~", 1))
    if lhs not in data.columns:
        raise ValueError(f"The outcome column {lhs!r} is not in the data.")
    if re.search(r"(^|[+\s])0\s*\+|-\s*1\b", rhs):
        raise ValueError("Remove '0 +' / '- 1' from the formula: the thresholds play the intercept's role.")
    rhs_cols = _rhs_columns(rhs, data)
    notes: list[str] = []

    w_all = np.ones(len(data)) if weights is None else (
        pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float) if isinstance(weights, str)
        else np.asarray(weights, dtype=float))
    if len(w_all) != len(data):
        raise ValueError("weights must have one value per row of data.")
    if np.any(w_all[np.isfinite(w_all)] < 0):
        raise ValueError("Frequency weights cannot be negative.")

    codes, categories, _ = _outcome(data[lhs])
    missing = (codes < 0) | ~np.isfinite(w_all)
    if rhs_cols:
        missing |= data[rhs_cols].isna().any(axis=1).to_numpy()
    keep = ~missing & (w_all > 0)  # rows of zero weight carry no information
    n_dropped = int(missing.sum())
    if n_dropped:
        notes.append(f"{n_dropped} rows with missing values were dropped (listwise).")

    # Collapse into distinct patterns of the raw columns (unless a stateful transform needs every row).
    frame = data.loc[keep, rhs_cols].copy()
    frame["__y"] = codes[keep]
    frame["__w"] = w_all[keep]
    categoricals: dict[str, pd.CategoricalDtype] = {}
    for col in rhs_cols:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            used = frame[col].cat.remove_unused_categories()
            dropped = [c for c in frame[col].cat.categories if c not in set(used.cat.categories)]
            if dropped:
                notes.append(f"Predictor {col!r}: categories with no observations dropped: {dropped}.")
            frame[col] = used
            categoricals[col] = used.dtype
    if _STATEFUL.search(rhs):
        patterns = frame
    else:
        patterns = frame.groupby([*rhs_cols, "__y"], observed=True, sort=False, dropna=False)["__w"].sum()
        patterns = patterns[patterns > 0].reset_index()
        for col, dtype in categoricals.items():
            patterns[col] = pd.Categorical(patterns[col], dtype=dtype)

    observed = sorted(set(patterns["__y"].tolist()))
    if len(observed) < 2:
        raise ValueError(f"The outcome {lhs!r} has fewer than two observed categories; nothing to model.")
    if len(observed) < len(categories):
        empty = [categories[i] for i in range(len(categories)) if i not in observed]
        msg = f"Outcome categories with no observations were dropped: {empty}."
        warnings.warn(msg, UserWarning, stacklevel=2)
        notes.append(msg)
        remap = {old: new for new, old in enumerate(observed)}
        patterns["__y"] = patterns["__y"].map(remap)
        categories = [categories[i] for i in observed]

    try:
        design = patsy.dmatrix(rhs if rhs else "1", patterns, NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ValueError(f"Cannot build the design from {rhs!r}: {exc}") from exc
    if "Intercept" not in design.columns:
        raise ValueError("The formula must keep the intercept (it is replaced by the thresholds).")
    design_info = design.design_info
    order = _formula_order(rhs, design_info)
    X = design.to_numpy(dtype=float)[:, order]
    names = [_r_name(design.columns[i]) for i in order]
    y = patterns["__y"].to_numpy(dtype=int)
    w = patterns["__w"].to_numpy(dtype=float)
    J = len(categories)

    for j, name in enumerate(names):
        col = X[:, j]
        if np.all(col == col[0]):
            raise ValueError(f"The predictor {name!r} is constant in the data used; remove it.")
    if X.shape[1] and np.linalg.matrix_rank(np.column_stack([np.ones(len(y)), X])) < X.shape[1] + 1:
        raise ValueError("The predictors are collinear (the design matrix is rank deficient): "
                         f"{names}. Remove redundant terms.")

    d = _Patterns(X=X, y=y, w=w, J=J)
    totals = np.bincount(y, weights=w, minlength=J)
    n = float(w.sum())
    cum = np.cumsum(totals)[:-1] / n
    quantile = special.logit if link == "logit" else special.ndtri
    start = np.concatenate([quantile(cum), np.zeros(X.shape[1])])
    loglik_null = float(np.sum(totals * np.log(totals / n)))

    params, ll, H, iterations, converged, message = _newton(start, d, link)
    if not converged:
        raise ValueError(f"The model did not converge ({message}). Check for separation or sparse categories.")
    try:
        cov = np.linalg.inv(-H)
    except np.linalg.LinAlgError as exc:
        raise ValueError("The information matrix is singular: a predictor may separate the outcome.") from exc
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    theta, beta = params[: J - 1], params[J - 1:]
    se_theta, se_beta = se[: J - 1], se[J - 1:]

    # Separation: the likelihood keeps rising as a coefficient runs off to infinity; the optimum found
    # then sits on a flat ridge with an enormous standard error.
    for name, b, s in zip(names, beta, se_beta):
        if not np.isfinite(s) or (abs(b) > 8 and s > 10 * abs(b)) or s > 1e3:
            raise ValueError(f"The predictor {name!r} (quasi-)completely separates the outcome categories: its "
                             f"estimate ({b:.3g}) is unbounded. Merge sparse categories or drop the term.")
    if np.any(~np.isfinite(se_theta)) or np.any(se_theta > 1e3):
        raise ValueError("A threshold is unbounded: an outcome category is (nearly) empty given the predictors.")

    z = beta / se_beta if len(beta) else np.array([])
    crit = stats.norm.ppf(0.975)
    coef = pd.DataFrame({"estimate": beta, "std_err": se_beta, "z": z, "p": 2 * stats.norm.sf(np.abs(z))},
                        index=pd.Index(names, name="term"))
    if link == "logit":
        coef["odds_ratio"] = np.exp(beta)
        coef["ci_low"] = np.exp(beta - crit * se_beta)
        coef["ci_high"] = np.exp(beta + crit * se_beta)
    else:
        coef["odds_ratio"] = np.nan
        coef["ci_low"] = beta - crit * se_beta
        coef["ci_high"] = beta + crit * se_beta
    labels = [f"{categories[j]}|{categories[j + 1]}" for j in range(J - 1)]
    thresholds = pd.DataFrame({"estimate": theta, "std_err": se_theta}, index=pd.Index(labels, name="threshold"))
    all_names = labels + names
    vcov = pd.DataFrame(cov, index=all_names, columns=all_names)
    brant = pd.DataFrame(columns=["chi2", "df", "p"], dtype=float)
    if link != "logit":
        notes.append("The Brant test is defined for the logit link only.")
    else:
        try:
            brant = _brant(d, names)
        except _BinarySeparation as exc:
            notes.append(f"The Brant test cannot be computed: {exc}.")
    return OrdinalResult(
        formula=formula, link=link, outcome=lhs, categories=categories, coefficients=coef, thresholds=thresholds,
        vcov=vcov, loglik=ll, loglik_null=loglik_null, n=n, n_dropped=n_dropped, converged=converged,
        iterations=iterations, brant=brant, notes=notes, _design_info=design_info, _rhs_columns=rhs_cols,
        _categoricals=categoricals, _template=patterns[rhs_cols].copy(),
    )
