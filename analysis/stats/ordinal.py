"""Cumulative link (proportional-odds) regression, as R's ``ordinal::clm``.

The model, in the convention of ``ordinal::clm`` and ``MASS::polr``::

    link(P(Y <= j | x)) = (theta_j(v) - x'beta) / exp(z'zeta),    j = 1, ..., J - 1

with ``link`` one of clm's five: logit, probit, cloglog, loglog, cauchit. ``theta_j(v) = alpha_j +
v'gamma_j`` holds nominal effects (partial proportional odds: ``nominal=`` in :func:`fit`, clm's
``nominal = ~ v``) and ``exp(z'zeta)`` scale effects (``scale=``, clm's ``scale = ~ z``); without
either it is the proportional-odds model ``theta_j - x'beta``. Estimates are maximum-likelihood,
found by Newton-Raphson with the analytic gradient and Hessian on the data collapsed into distinct
covariate patterns x outcome (frequency-weighted), which is what makes a million survey responses
fast: they hold a few thousand patterns. When the patterns are (nearly) all distinct, as with
continuous predictors, the collapsing is skipped and the fit works on the rows directly.

:func:`nominal_test` and :func:`scale_test` are ``ordinal::nominal_test`` and ``scale_test``:
likelihood-ratio tests, per predictor, of proportional odds and of equal scale.

Checked against ``ordinal::clm``, ``nominal_test``, ``scale_test`` and ``MASS::polr`` (estimates,
standard errors, log-likelihoods, predicted probabilities, for every link) and against the Brant
test of the R package ``brant`` (re-implemented in the reference script); see
tests/analysis/stats/reference/ordinal/.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import patsy
from scipy import special, stats

__all__ = ["fit", "nominal_test", "scale_test", "OrdinalResult", "LINKS", "Note"]


# --- messages ------------------------------------------------------------------------------------
# The notes and errors a report can show are Notes: the English text itself, with a key and the
# values it was made from, so that an interface can say it in another language
# (analysis/core_messages.py). Exceptions carry a Note as their message: str(exc) is the English.

class Note(str):
    """An English message with its ``key`` and ``params`` (``template.format(**params)``)."""

    key: str
    template: str
    params: dict[str, Any]

    def __new__(cls, key: str, template: str, params: dict[str, Any] | None = None) -> "Note":
        params = dict(params or {})
        self = super().__new__(cls, template.format(**params))
        self.key, self.template, self.params = key, template, params
        return self

    def __reduce__(self):  # results holding notes are cached (pickled)
        return (Note, (self.key, self.template, self.params))

    def prefixed(self, term: str) -> "Note":
        """The same note about one term of a model ("size: ..."); the note itself is its ``note``."""
        return Note(f"term:{self.key}", "{term}: {note}", {"term": term, "note": self})


LINKS = ("logit", "probit", "cloglog", "loglog", "cauchit")
_LINKS = LINKS
_STATEFUL = re.compile(r"\b(center|standardize|scale)\s*\(")
_GRAD_TOL = 1e-9
_MAX_ITER = 200
_DISTINCT = 0.5  # skip the collapsing when a numeric predictor has more distinct values than this share of rows


# --- links: cdf, survival function, pdf and the pdf's derivative ------------------------------
# cloglog: F(z) = 1 - exp(-exp(z)); loglog: F(z) = exp(-exp(-z)); cauchit: F(z) = 1/2 + atan(z)/pi
# (R's ordinal: pgumbel(max = FALSE), pgumbel(), pcauchy()).

def _clip(z: np.ndarray) -> np.ndarray:
    return np.clip(z, -745.0, 709.0)


def _cdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        return special.expit(z)
    if link == "probit":
        return special.ndtr(z)
    if link == "cloglog":
        return -np.expm1(-np.exp(_clip(z)))
    if link == "loglog":
        return np.exp(-np.exp(_clip(-z)))
    return np.arctan2(1.0, -z) / np.pi


def _sf(z: np.ndarray, link: str) -> np.ndarray:
    """1 - F(z), accurate in the upper tail."""
    if link == "logit":
        return special.expit(-z)
    if link == "probit":
        return special.ndtr(-z)
    if link == "cloglog":
        return np.exp(-np.exp(_clip(z)))
    if link == "loglog":
        return -np.expm1(-np.exp(_clip(-z)))
    return np.arctan2(1.0, z) / np.pi


def _pdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        return special.expit(z) * special.expit(-z)
    if link == "probit":
        return np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    if link == "cloglog":
        zc = _clip(z)
        return np.exp(zc - np.exp(zc))
    if link == "loglog":
        zc = _clip(-z)
        return np.exp(zc - np.exp(zc))
    return 1.0 / (np.pi * (1.0 + z * z))


def _dpdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        p = special.expit(z)
        return p * (1.0 - p) * (1.0 - 2.0 * p)
    if link == "probit":
        return -z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    if link == "cloglog":
        zc = _clip(z)
        ez = np.exp(zc)
        return np.exp(zc - ez) * (1.0 - ez)
    if link == "loglog":
        zc = _clip(-z)
        ez = np.exp(zc)
        return np.exp(zc - ez) * (ez - 1.0)
    return -2.0 * z / (np.pi * (1.0 + z * z) ** 2)


def _link_parts(z: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """F(z), 1 - F(z), f(z) and f'(z) at once, sharing the work (the same values as the functions above)."""
    if link == "logit":
        F, S = special.expit(z), special.expit(-z)
        f = F * S
        return F, S, f, f * (S - F)
    if link == "probit":
        f = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
        return special.ndtr(z), special.ndtr(-z), f, -z * f
    if link == "cloglog":
        ez = np.exp(_clip(z))
        S = np.exp(-ez)
        f = ez * S
        return -np.expm1(-ez), S, f, f * (1.0 - ez)
    if link == "loglog":
        e = np.exp(_clip(-z))
        F = np.exp(-e)
        f = e * F
        return F, -np.expm1(-e), f, f * (e - 1.0)
    q = 1.0 / (1.0 + z * z)
    return np.arctan2(1.0, -z) / np.pi, np.arctan2(1.0, z) / np.pi, q / np.pi, -2.0 * z * q * q / np.pi


def _quantile(p: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        return special.logit(p)
    if link == "probit":
        return special.ndtri(p)
    if link == "cloglog":
        return np.log(-np.log1p(-p))
    if link == "loglog":
        return -np.log(-np.log(p))
    return np.tan(np.pi * (p - 0.5))


def _interval(a: np.ndarray, b: np.ndarray, upper_ok: np.ndarray, lower_ok: np.ndarray, link: str) -> np.ndarray:
    """F(a) - F(b) (a = +inf where not upper_ok, b = -inf where not lower_ok), accurate in both tails."""
    Fa = np.where(upper_ok, _cdf(a, link), 1.0)
    Fb = np.where(lower_ok, _cdf(b, link), 0.0)
    upper_tail = Fb > 0.5
    if not upper_tail.any():
        return Fa - Fb
    Sa = np.where(upper_ok, _sf(a, link), 0.0)
    Sb = np.where(lower_ok, _sf(b, link), 1.0)
    return np.where(upper_tail, Sb - Sa, Fa - Fb)


# --- the likelihood on patterns: proportional odds (the fast path) ---------------------------

@dataclass
class _Patterns:
    X: np.ndarray  # (m, p) design of each pattern, no intercept
    y: np.ndarray  # (m,) outcome index 0..J-1
    w: np.ndarray  # (m,) frequency weights
    J: int


_LAZY_BRANT = 200_000  # rows past which the Brant test waits until it is asked for
_WARM = 50_000  # rows of the subset that gives the starting values of a large fit
_CHUNK = 65_536  # rows per block: the temporaries of a block stay small and are reused (no page faults)


def _chunked(parts: Callable, d: Any, params: np.ndarray, link: str, derivatives: bool, fields: Sequence[str]):
    """Sum a row-separable log-likelihood (and its derivatives) block by block."""
    m = len(d.y)
    if m <= 2 * _CHUNK:
        return parts(params, d, link, derivatives=derivatives)
    ll, grad, H = 0.0, None, None
    for start in range(0, m, _CHUNK):
        block = type(d)(**{f: (getattr(d, f)[start:start + _CHUNK] if f != "J" else d.J) for f in fields})
        l, g, h = parts(params, block, link, derivatives=derivatives)
        if not np.isfinite(l):
            return -np.inf, None, None
        ll += l
        if derivatives:
            grad = g if grad is None else grad + g
            H = h if H is None else H + h
    return ll, grad, H


def _loglik(params: np.ndarray, d: "_Patterns", link: str, *, derivatives: bool):
    return _chunked(_loglik_parts, d, params, link, derivatives, ("X", "y", "w", "J"))


def _general(params: np.ndarray, d: "_General", link: str, *, derivatives: bool):
    return _chunked(_general_parts, d, params, link, derivatives, ("X", "N", "Z", "y", "w", "J"))


def _loglik_parts(params: np.ndarray, d: _Patterns, link: str, *, derivatives: bool):
    J, p = d.J, d.X.shape[1]
    theta, beta = params[: J - 1], params[J - 1:]
    eta = d.X @ beta if p else np.zeros(len(d.y))
    upper_ok = d.y < J - 1
    lower_ok = d.y > 0
    th_lo = np.concatenate(([0.0], theta))       # theta_{y-1} (0 stands for -inf: masked)
    th_up = np.concatenate((theta, [0.0]))       # theta_y (0 stands for +inf: masked)
    a = th_up[d.y] - eta   # theta_y - eta
    b = th_lo[d.y] - eta   # theta_{y-1} - eta
    Fa, Sa, ga, da = _link_parts(a, link)
    Fb, Sb, gb, db = _link_parts(b, link)
    Fa, Sa, ga, da = np.where(upper_ok, Fa, 1.0), Sa * upper_ok, ga * upper_ok, da * upper_ok
    Fb, Sb, gb, db = Fb * lower_ok, np.where(lower_ok, Sb, 1.0), gb * lower_ok, db * lower_ok
    prob = np.where(Fb > 0.5, Sb - Sa, Fa - Fb)  # the difference of the smaller tail: accurate in both
    if not np.all(prob > 0):
        return -np.inf, None, None
    ll = float(d.w @ np.log(prob))
    if not derivatives:
        return ll, None, None
    k = J - 1 + p
    wp = d.w / prob
    wpp = wp / prob
    # Gradient and Hessian of sum w log p = sum w (d2p / p - dp dp' / p^2). dp/dtheta has at most two
    # non-zero entries per row (theta_y: f(a), theta_{y-1}: -f(b)): the threshold parts go through
    # bincount on y (category J, whose theta_y does not exist, and category 1, whose theta_{y-1}
    # does not, are masked to zero and cut off).
    y = d.y
    grad = np.zeros(k)
    grad[: J - 1] = (np.bincount(y, weights=wp * ga, minlength=J)[: J - 1]
                     - np.bincount(y, weights=wp * gb, minlength=J)[1:])
    H = np.zeros((k, k))
    idx = np.arange(J - 1)
    H[idx, idx] = (np.bincount(y, weights=wp * da - wpp * ga * ga, minlength=J)[: J - 1]
                   + np.bincount(y, weights=-wp * db - wpp * gb * gb, minlength=J)[1:])
    if J > 2:  # theta_{y-1}, theta_y of the middle categories
        off = np.bincount(y, weights=wpp * ga * gb, minlength=J)[1: J - 1]
        H[idx[:-1], idx[1:]] = off
        H[idx[1:], idx[:-1]] = off
    if p:
        g = ga - gb
        grad[J - 1:] = -(wp * g) @ d.X
        # beta-beta: sum wp (da - db) x x' - wpp g^2 x x'
        cb = wp * (da - db) - wpp * g * g
        H[J - 1:, J - 1:] = d.X.T @ (d.X * cb[:, None])
        # theta_j-beta: d/dbeta of dp/dtheta_j, through one (m, J) matrix of row weights
        cu = -wp * da + wpp * ga * g      # zero where not upper_ok
        cl = wp * db - wpp * gb * g       # zero where not lower_ok
        C = np.zeros((len(y), J + 1))
        rows = np.arange(len(y))
        C[rows, y + 1] = cu               # column y + 1 stands for theta_y
        C[rows, y] += cl                  # column y stands for theta_{y-1}
        cross = C[:, 1:J].T @ d.X
        H[: J - 1, J - 1:] = cross
        H[J - 1:, : J - 1] = cross.T
    return ll, grad, H


# --- the likelihood with nominal and scale effects (the general path) ----------------------

@dataclass
class _General:
    X: np.ndarray  # (m, p) location design, no intercept
    N: np.ndarray  # (m, q) nominal design, intercept first (q = 1 without nominal effects)
    Z: np.ndarray  # (m, s) scale design, no intercept
    y: np.ndarray
    w: np.ndarray
    J: int


def _general_parts(params: np.ndarray, d: _General, link: str, *, derivatives: bool):
    J, m = d.J, len(d.y)
    q, p, s = d.N.shape[1], d.X.shape[1], d.Z.shape[1]
    na = q * (J - 1)
    kl = na + p
    alpha = params[:na].reshape(q, J - 1)
    beta, zeta = params[na:kl], params[kl:]
    theta = d.N @ alpha
    xb = d.X @ beta if p else np.zeros(m)
    upper_ok, lower_ok = d.y < J - 1, d.y > 0
    rows = np.arange(m)
    a_loc = np.where(upper_ok, theta[rows, np.minimum(d.y, J - 2)] - xb, 0.0)
    b_loc = np.where(lower_ok, theta[rows, np.maximum(d.y - 1, 0)] - xb, 0.0)
    sigma = np.exp(d.Z @ zeta) if s else np.ones(m)
    if not np.all(np.isfinite(sigma)):
        return -np.inf, None, None
    a, b = a_loc / sigma, b_loc / sigma
    prob = _interval(a, b, upper_ok, lower_ok, link)
    if not np.all(prob > 0):
        return -np.inf, None, None
    ll = float(d.w @ np.log(prob))
    if not derivatives:
        return ll, None, None
    fa = np.where(upper_ok, _pdf(a, link), 0.0)
    fb = np.where(lower_ok, _pdf(b, link), 0.0)
    dfa = np.where(upper_ok, _dpdf(a, link), 0.0)
    dfb = np.where(lower_ok, _dpdf(b, link), 0.0)
    U = np.zeros((m, kl))
    L = np.zeros((m, kl))
    for c in range(q):
        U[rows[upper_ok], c * (J - 1) + d.y[upper_ok]] = d.N[upper_ok, c]
        L[rows[lower_ok], c * (J - 1) + d.y[lower_ok] - 1] = d.N[lower_ok, c]
    if p:
        U[:, na:] = -d.X
        L[:, na:] = -d.X
    Ga = np.hstack([U / sigma[:, None], -a[:, None] * d.Z])
    Gb = np.hstack([L / sigma[:, None], -b[:, None] * d.Z])
    dp = fa[:, None] * Ga - fb[:, None] * Gb
    wp = d.w / prob
    grad = dp.T @ wp
    H = (Ga * (wp * dfa)[:, None]).T @ Ga - (Gb * (wp * dfb)[:, None]).T @ Gb - (dp * (wp / prob)[:, None]).T @ dp
    if s:
        cross = -((fa * wp / sigma)[:, None] * U - (fb * wp / sigma)[:, None] * L).T @ d.Z
        H[:kl, kl:] += cross
        H[kl:, :kl] += cross.T
        H[kl:, kl:] += (d.Z * (wp * (fa * a - fb * b))[:, None]).T @ d.Z
    return ll, grad, H


def _ascent_step(H: np.ndarray, grad: np.ndarray) -> np.ndarray | None:
    """The Newton step -H^-1 g; where -H is not positive definite (far from the optimum, e.g. with
    scale effects), the Levenberg-Marquardt step -(H - lambda I)^-1 g with the smallest lambda that
    makes it so."""
    A = -H
    ridge = 0.0
    bump = 1e-8 * max(1.0, float(np.max(np.abs(np.diag(A)))))
    for _ in range(60):
        try:
            c = np.linalg.cholesky(A + ridge * np.eye(len(A)))
        except np.linalg.LinAlgError:
            ridge = bump if ridge == 0.0 else ridge * 10.0
            continue
        step = np.linalg.solve(c.T, np.linalg.solve(c, grad))
        return step if np.all(np.isfinite(step)) else None
    return None


def _newton(start: np.ndarray, parts: Callable, valid: Callable[[np.ndarray], bool], n: float
            ) -> tuple[np.ndarray, float, np.ndarray, int, bool, str]:
    """Maximise the log-likelihood; return params, loglik, Hessian, iterations, converged, message."""
    params = start.copy()
    ll, grad, H = parts(params, derivatives=True)
    if not np.isfinite(ll):
        raise ValueError("The starting values give a zero probability; the data cannot be fitted.")
    for iteration in range(1, _MAX_ITER + 1):
        step = _ascent_step(H, grad)
        if step is None:
            return params, ll, H, iteration, False, "the Hessian is singular"
        scale = 1.0
        for _halving in range(40):
            trial = params + scale * step
            if valid(trial):
                ll_new, g_new, H_new = parts(trial, derivatives=True)
                if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * max(1.0, abs(ll)):
                    break
            scale /= 2.0
        else:
            return params, ll, H, iteration, bool(np.max(np.abs(grad)) < 1e-6), "step halving failed"
        params, ll, grad, H = trial, ll_new, g_new, H_new
        if np.max(np.abs(grad)) < _GRAD_TOL * max(1.0, n / 1e4) and np.max(np.abs(scale * step)) < 1e-7:
            return params, ll, H, iteration, True, ""
        if np.max(np.abs(grad)) < 1e-12:
            return params, ll, H, iteration, True, ""
    return params, ll, H, _MAX_ITER, False, f"no convergence in {_MAX_ITER} iterations"


# --- binary logits for the Brant test ---------------------------------------------------

def _xtwx(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """X' diag(v) X, block by block (no n x p temporary)."""
    out = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, len(X), _CHUNK):
        xb = X[start:start + _CHUNK]
        out += xb.T @ (xb * v[start:start + _CHUNK, None])
    return out


def _logit_fit(X: np.ndarray, z: np.ndarray, w: np.ndarray, start: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic regression (X includes the intercept); return beta and fitted P(z=1)."""
    beta = np.zeros(X.shape[1])
    zbar = float(w @ z / w.sum())
    if start is not None and np.all(np.isfinite(start)):
        beta = np.array(start, dtype=float)
    elif 0 < zbar < 1:
        beta[0] = special.logit(zbar)  # the first column is the intercept
    for _ in range(100):
        eta = X @ beta
        pi = special.expit(eta)
        grad = X.T @ (w * (z - pi))
        info = _xtwx(X, w * pi * (1 - pi))
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


def _brant(d: _Patterns, names: list[str], start: np.ndarray | None = None) -> pd.DataFrame:
    """Brant (1990) test of proportional odds, as R's brant::brant computes it."""
    J, K = d.J, d.X.shape[1]
    if J < 3 or K == 0:
        return pd.DataFrame(columns=["chi2", "df", "p"], dtype=float)
    X = np.column_stack([np.ones(len(d.y)), d.X])
    betas, pis, invs = [], [], []
    for m in range(J - 1):
        z = (d.y > m).astype(float)
        try:
            # under proportional odds P(y > m) = expit(x'beta - theta_m): the ordinal fit is a close start
            beta, pi = _logit_fit(X, z, d.w, None if start is None else np.r_[-start[m], start[J - 1:]])
        except _BinarySeparation:
            raise _BinarySeparation(f"the binary split at {m + 1}|{m + 2} is separated by the predictors") from None
        betas.append(beta)
        pis.append(pi)
        invs.append(np.linalg.inv(_xtwx(X, d.w * pi * (1 - pi))))
    V = np.zeros(((J - 1) * K, (J - 1) * K))
    for m in range(J - 1):
        V[m * K:(m + 1) * K, m * K:(m + 1) * K] = invs[m][1:, 1:]
        for l in range(m + 1, J - 1):
            wml = d.w * (pis[l] - pis[m] * pis[l])
            block = (invs[m] @ _xtwx(X, wml) @ invs[l])[1:, 1:]
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
class _Spec:
    """One design (location, nominal or scale): its right-hand side, columns kept and their R names."""

    rhs: str
    columns: list[int]
    names: list[str]
    info: Any = None


@dataclass
class OrdinalResult:
    """A fitted cumulative link model; see :func:`fit`."""

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
    notes: list[str] = field(default_factory=list)
    nominal: list[str] = field(default_factory=list)
    scale: list[str] = field(default_factory=list)
    scale_coefficients: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["estimate", "std_err", "z", "p"], dtype=float))
    _design_info: Any = field(default=None, repr=False)
    _rhs_columns: list[str] = field(default_factory=list, repr=False)
    _categoricals: dict[str, pd.CategoricalDtype] = field(default_factory=dict, repr=False)
    _template: pd.DataFrame | None = field(default=None, repr=False)
    _specs: dict[str, _Spec] = field(default_factory=dict, repr=False)
    _numeric: list[str] = field(default_factory=list, repr=False)
    _brant_value: pd.DataFrame | None = field(default=None, repr=False)
    _brant_input: Any = field(default=None, repr=False)

    @property
    def brant(self) -> pd.DataFrame:
        """Brant test of proportional odds (chi2, df, p; omnibus and per coefficient). On large data
        (more than 200,000 distinct rows) it is computed when first asked for."""
        if self._brant_value is None:
            self._brant_value = pd.DataFrame(columns=["chi2", "df", "p"], dtype=float)
            if self._brant_input is not None:
                d, names, params = self._brant_input
                self._brant_input = None
                try:
                    self._brant_value = _brant(d, names, params)
                except _BinarySeparation as exc:
                    self.notes.append(Note("brant_separated", "The Brant test cannot be computed: {reason}.",
                                           {"reason": str(exc)}))
        return self._brant_value

    def __getstate__(self) -> dict[str, Any]:
        # patsy's design information cannot be pickled; it is rebuilt from the (small) pattern table.
        self.brant  # noqa: B018 (computed now, so the rows it needs are not pickled)
        specs = {k: _Spec(v.rhs, v.columns, v.names, None) for k, v in self._specs.items()}
        return {**self.__dict__, "_design_info": None, "_specs": specs}

    def _design(self, kind: str = "location") -> Any:
        spec = self._specs.get(kind)
        if spec is None:  # results pickled by an older version
            rhs = self.formula.split("~", 1)[1]
            if self._design_info is None:
                self._design_info = patsy.dmatrix(rhs, self._template, NA_action="raise").design_info
            return self._design_info
        if spec.info is None:
            spec.info = patsy.dmatrix(spec.rhs, self._template, NA_action="raise").design_info
        return spec.info

    @property
    def k(self) -> int:
        """Number of estimated parameters (thresholds, coefficients, scale effects)."""
        return len(self.thresholds) + len(self.coefficients) + len(self.scale_coefficients)

    @property
    def lr_chi2(self) -> float:
        return 2.0 * (self.loglik - self.loglik_null)

    @property
    def lr_df(self) -> int:
        """Parameters beyond the null model's J - 1 thresholds."""
        return self.k - (len(self.categories) - 1)

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

    def _new_frame(self, new_data: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(new_data).copy()
        missing = [c for c in self._rhs_columns if c not in frame]
        if missing:
            raise ValueError(f"new_data lacks the predictor column(s) {missing}.")
        for col in self._rhs_columns:
            values = frame[col]
            if values.isna().any():
                rows = list(frame.index[values.isna().to_numpy()][:5])
                raise ValueError(f"new_data has missing values in the predictor {col!r} (rows {rows}); "
                                 "give a value for every predictor of every profile.")
            if col in self._categoricals:
                dtype = self._categoricals[col]
                raw = values.astype(object) if not isinstance(values.dtype, pd.CategoricalDtype) else \
                    values.astype(object)
                unseen = sorted({v for v in raw if v not in set(dtype.categories)}, key=str)
                if unseen:
                    raise ValueError(f"new_data has level(s) {unseen} of the predictor {col!r} that the model was "
                                     f"not fitted on; its levels are {list(dtype.categories)}.")
                frame[col] = pd.Categorical(raw, dtype=dtype)
            elif col in self._numeric:
                numeric = pd.to_numeric(values, errors="coerce")
                if numeric.isna().any():
                    raise ValueError(f"new_data has non-numeric values in the numeric predictor {col!r}.")
                frame[col] = numeric
        return frame

    def _matrix(self, kind: str, frame: pd.DataFrame) -> np.ndarray:
        spec = self._specs.get(kind)
        try:
            X = np.asarray(patsy.build_design_matrices([self._design(kind)], frame, NA_action="raise")[0])
        except patsy.PatsyError as exc:
            raise ValueError(f"Cannot build the model's design from new_data: {exc}") from exc
        if spec is None:
            return X[:, _formula_order(self.formula.split("~", 1)[1], self._design())]
        return X[:, spec.columns]

    def predict_proba(self, new_data: pd.DataFrame) -> pd.DataFrame:
        """Category probabilities for the given profiles (one row each).

        Raises ValueError, naming the column, for a missing predictor column, a missing value, a
        level of a categorical predictor the model was not fitted on, or text in a numeric one."""
        frame = self._new_frame(new_data)
        m, J = len(frame), len(self.categories)
        X = self._matrix("location", frame)
        eta = X @ self.coefficients["estimate"].to_numpy() if len(self.coefficients) else np.zeros(m)
        alpha = self.thresholds["estimate"].to_numpy()
        if self.nominal:
            N = np.column_stack([np.ones(m), self._matrix("nominal", frame)])
            theta = N @ alpha.reshape(N.shape[1], J - 1)
        else:
            theta = np.broadcast_to(alpha, (m, J - 1))
        sigma = np.exp(self._matrix("scale", frame) @ self.scale_coefficients["estimate"].to_numpy()) \
            if self.scale else np.ones(m)
        cum = _cdf((theta - eta[:, None]) / sigma[:, None], self.link)
        cum = np.column_stack([np.zeros(m), cum, np.ones(m)])
        return pd.DataFrame(np.diff(cum, axis=1), index=frame.index, columns=self.categories)

    def to_frame(self) -> pd.DataFrame:
        """Thresholds, coefficients and scale effects in one tidy table."""
        th = self.thresholds.assign(kind="threshold")
        co = self.coefficients.assign(kind="coefficient")
        parts = [th, co]
        if len(self.scale_coefficients):
            parts.append(self.scale_coefficients.assign(kind="scale"))
        return pd.concat(parts)[["kind", *[c for c in co.columns if c != "kind"]]]

    def summary(self) -> str:
        model = "theta_j - x'beta"
        if self.nominal:
            model = "theta_j(v) - x'beta, nominal effects of " + ", ".join(self.nominal)
        if self.scale:
            model = f"({model}) / exp(z'zeta), scale effects of " + ", ".join(self.scale)
        lines = [
            f"Cumulative link model ({self.link}): {self.formula}",
            f"link P(Y <= j) = {model};  n = {self.n:g}"
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
        if len(self.scale_coefficients):
            lines += ["", "Scale effects:", self.scale_coefficients.to_string(float_format=lambda v: f"{v:.5g}")]
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
        codes = series.cat.codes.to_numpy().astype(int)
    else:
        numeric = pd.to_numeric(series, errors="coerce")
        if (numeric.isna() & series.notna()).any():
            raise ValueError(f"The outcome {series.name!r} must be an ordered Categorical or integer codes.")
        values = numeric.dropna()
        if len(values) and not np.all(values == np.round(values)):
            raise ValueError(f"The outcome {series.name!r} has non-integer values; give integer codes or an "
                             "ordered Categorical.")
        if len(values) and not np.all(np.isfinite(values)):
            raise ValueError(f"The outcome {series.name!r} has infinite values.")
        categories = sorted(int(v) for v in values.unique())
        arr = numeric.to_numpy(dtype=float)
        ok = ~np.isnan(arr)
        codes = np.full(len(arr), -1, dtype=int)
        if ok.any():
            codes[ok] = np.searchsorted(np.asarray(categories, dtype=float), arr[ok])
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


def _term_labels(rhs: str) -> list[str]:
    """The terms of a right-hand side, as patsy (and R's term.labels) name them."""
    return [t.name() for t in patsy.ModelDesc.from_formula(rhs).rhs_termlist if t.factors]


def _effects_rhs(effects: str | Sequence[str] | None, what: str) -> str:
    """``nominal=`` / ``scale=``: a one-sided formula ``"~ x + z"`` or a list of terms -> ``"x + z"``."""
    if effects is None:
        return ""
    if isinstance(effects, str):
        text = effects.strip()
        if text.startswith("~"):
            text = text[1:].strip()
        terms = [text] if text else []
    else:
        terms = [str(t).strip() for t in effects]
        if any(not t for t in terms):
            raise ValueError(f"{what}: empty term.")
    return " + ".join(terms)


@dataclass
class _Prepared:
    formula: str
    lhs: str
    rhs: str
    link: str
    patterns: pd.DataFrame
    categories: list[Any]
    categoricals: dict[str, pd.CategoricalDtype]
    numeric: list[str]
    rhs_cols: list[str]
    n_dropped: int
    notes: list[str]
    collapsed: bool
    # the design matrices built from ``patterns``, by (rhs, what): the effect tests fit one model
    # per term, each with the same location design
    designs: dict = field(default_factory=dict, repr=False, compare=False)


def _weights(data: pd.DataFrame, weights: str | Sequence[float] | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(data))
    if isinstance(weights, str):
        if weights not in data.columns:
            raise ValueError(f"The weight column {weights!r} is not in the data.")
        col = data[weights]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        numeric = pd.to_numeric(col, errors="coerce")
        bad = numeric.isna() & col.notna()
        if bad.any():
            raise ValueError(f"The weight column {weights!r} has non-numeric values (e.g. {col[bad].iloc[0]!r}); "
                             "frequency weights must be numbers.")
        w = numeric.to_numpy(dtype=float)
    else:
        try:
            w = np.asarray(weights, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weights must be numbers: {exc}.") from None
        if w.ndim != 1:
            raise ValueError("weights must be one-dimensional: one value per row of data.")
    if len(w) != len(data):
        raise ValueError("weights must have one value per row of data.")
    if np.isinf(w).any():
        raise ValueError(f"{int(np.isinf(w).sum())} weights are infinite; frequency weights must be finite "
                         "(R's clm refuses them too).")
    if np.any(w[~np.isnan(w)] < 0):
        raise ValueError("Frequency weights cannot be negative.")
    return w


def _prepare(data: pd.DataFrame, formula: str, link: str, weights, extra_rhs: Sequence[str] = ()) -> _Prepared:
    if link not in _LINKS:
        raise ValueError(f"link must be one of {_LINKS}, not {link!r}.")
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame.")
    if not isinstance(formula, str) or "~" not in formula:
        raise ValueError("The formula needs an outcome and predictors: 'outcome ~ x1 + x2'.")
    lhs, rhs = (part.strip() for part in formula.split("~", 1))
    if lhs not in data.columns:
        raise ValueError(f"The outcome column {lhs!r} is not in the data.")
    if re.search(r"(^|[+\s])0\s*\+|-\s*1\b", rhs):
        raise ValueError("Remove '0 +' / '- 1' from the formula: the thresholds play the intercept's role.")
    rhs_cols = _rhs_columns(" + ".join([rhs, *extra_rhs]), data)
    if lhs in rhs_cols:
        raise ValueError(f"The outcome {lhs!r} cannot also be a predictor.")
    notes: list[str] = []
    w_all = _weights(data, weights)
    codes, categories, _ = _outcome(data[lhs])
    for col in rhs_cols:
        if data[col].isna().all():
            raise ValueError(Note("predictor_unobserved", "The predictor {column!r} has no observed values (every "
                                  "row is missing); remove it from the formula.", {"column": col}))
    missing = (codes < 0) | np.isnan(w_all)
    if rhs_cols:
        missing |= data[rhs_cols].isna().any(axis=1).to_numpy()
    keep = ~missing & (w_all > 0)  # rows of zero weight carry no information
    n_dropped = int(missing.sum())
    if not keep.any():
        raise ValueError(Note("no_complete_row", "No row has the outcome, every predictor and the weight observed "
                              "(and a positive weight); nothing to model."))
    if n_dropped:
        notes.append(Note("dropped_listwise", "{n} rows with missing values were dropped (listwise).",
                          {"n": n_dropped}))

    frame = data.loc[keep, rhs_cols].copy()
    categoricals: dict[str, pd.CategoricalDtype] = {}
    numeric: list[str] = []
    for col in rhs_cols:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            used = s.cat.remove_unused_categories()
            dropped = [c for c in s.cat.categories if c not in set(used.cat.categories)]
            if dropped:
                notes.append(Note("predictor_categories_dropped",
                                  "Predictor {column!r}: categories with no observations dropped: {categories}.",
                                  {"column": col, "categories": dropped}))
            frame[col] = used
            categoricals[col] = used.dtype
        elif pd.api.types.is_bool_dtype(s.dtype):
            pass
        elif pd.api.types.is_numeric_dtype(s.dtype):
            if not np.all(np.isfinite(s.to_numpy(dtype=float))):
                raise ValueError(f"The predictor {col!r} has infinite values.")
            numeric.append(col)
        else:  # text: a factor with its sorted levels, as patsy (and R) would take it
            frame[col] = pd.Categorical(s.astype(str) if s.map(type).nunique() > 1 else s)
            categoricals[col] = frame[col].dtype
    frame["__y"] = codes[keep]
    frame["__w"] = w_all[keep]
    head = frame.iloc[:20_000]  # the share of distinct values among the first rows tells well enough
    distinct = any(head[c].nunique() > _DISTINCT * len(head) for c in numeric) if len(frame) > 1000 else False
    if _STATEFUL.search(" + ".join([rhs, *extra_rhs])) or distinct:
        patterns, collapsed = frame.reset_index(drop=True), False
    else:
        patterns = frame.groupby([*rhs_cols, "__y"], observed=True, sort=False, dropna=False)["__w"].sum()
        patterns = patterns[patterns > 0].reset_index()
        for col, dtype in categoricals.items():
            patterns[col] = pd.Categorical(patterns[col], dtype=dtype)
        collapsed = True

    observed = np.flatnonzero(np.bincount(patterns["__y"].to_numpy(dtype=int), minlength=len(categories)))
    if len(observed) < 2:
        raise ValueError(Note("outcome_one_category",
                              "The outcome {column!r} has fewer than two observed categories; nothing to model.",
                              {"column": lhs}))
    if len(observed) < len(categories):
        empty = [categories[i] for i in range(len(categories)) if i not in set(observed)]
        msg = Note("outcome_categories_dropped", "Outcome categories with no observations were dropped: {categories}.",
                   {"categories": empty})
        warnings.warn(msg, UserWarning, stacklevel=3)
        notes.append(msg)
        remap = np.full(len(categories), -1)
        remap[observed] = np.arange(len(observed))
        patterns["__y"] = remap[patterns["__y"].to_numpy(dtype=int)]
        categories = [categories[i] for i in observed]
    return _Prepared(formula=formula, lhs=lhs, rhs=rhs, link=link, patterns=patterns, categories=categories,
                     categoricals=categoricals, numeric=numeric, rhs_cols=rhs_cols, n_dropped=n_dropped,
                     notes=notes, collapsed=collapsed)


def _build(prep: _Prepared, rhs: str, what: str) -> tuple[np.ndarray, _Spec]:
    key = (rhs, what)
    if key not in prep.designs:
        prep.designs[key] = _design(prep, rhs, what)
    X, spec = prep.designs[key]
    return X.copy(), spec


def _design(prep: _Prepared, rhs: str, what: str) -> tuple[np.ndarray, _Spec]:
    try:
        design = patsy.dmatrix(rhs if rhs else "1", prep.patterns, NA_action="raise")
    except patsy.PatsyError as exc:
        raise ValueError(f"Cannot build the {what} design from {rhs!r}: {exc}") from exc
    info = design.design_info
    if what == "location" and "Intercept" not in info.column_names:
        raise ValueError("The formula must keep the intercept (it is replaced by the thresholds).")
    order = _formula_order(rhs, info) if rhs else []
    X = np.asarray(design, dtype=float)[:, order]
    return X, _Spec(rhs=rhs if rhs else "1", columns=order, names=[_r_name(info.column_names[i]) for i in order],
                    info=info)


def _check_columns(X: np.ndarray, names: list[str], what: str) -> None:
    for j, name in enumerate(names):
        col = X[:, j]
        if np.all(col == col[0]):
            raise ValueError(f"The predictor {name!r} is constant in the data used; remove it.")
    if X.shape[1] and np.linalg.matrix_rank(np.column_stack([np.ones(len(X)), X])) < X.shape[1] + 1:
        raise ValueError(f"The {what} predictors are collinear (the design matrix is rank deficient): "
                         f"{names}. Remove redundant terms.")


def _wald(estimate: np.ndarray, se: np.ndarray, names: list[str], index_name: str) -> pd.DataFrame:
    z = estimate / se if len(estimate) else np.array([])
    return pd.DataFrame({"estimate": estimate, "std_err": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z))},
                        index=pd.Index(names, name=index_name))


def _fit_prepared(prep: _Prepared, nominal_rhs: str = "", scale_rhs: str = "", *, brant: bool = True,
                  lenient: bool = False) -> OrdinalResult:
    """Fit a prepared model. ``lenient`` (for the LR tests): an unbounded estimate is kept, with NaN
    standard errors and a note, since the log-likelihood's supremum is still what the test needs
    (R's clm reports it with a warning)."""
    link, J = prep.link, len(prep.categories)
    X, loc = _build(prep, prep.rhs, "location")
    specs = {"location": loc}
    N = np.ones((len(X), 1))
    nominal_terms: list[str] = []
    if nominal_rhs:
        Nx, nom = _build(prep, nominal_rhs, "nominal")
        aliased = [i for i, name in enumerate(loc.names) if name in set(nom.names)]
        if aliased:  # clm: a location effect that is also nominal is aliased and dropped
            keep = [i for i in range(len(loc.names)) if i not in set(aliased)]
            X = X[:, keep]
            loc = _Spec(loc.rhs, [loc.columns[i] for i in keep], [loc.names[i] for i in keep], loc.info)
            specs["location"] = loc
        _check_columns(np.column_stack([X, Nx]), loc.names + nom.names, "location and nominal")
        N = np.column_stack([N, Nx])
        specs["nominal"] = nom
        nominal_terms = _term_labels(nominal_rhs)
    else:
        _check_columns(X, loc.names, "location")
    Z = np.zeros((len(X), 0))
    scale_terms: list[str] = []
    if scale_rhs:
        Z, sc = _build(prep, scale_rhs, "scale")
        _check_columns(Z, sc.names, "scale")
        specs["scale"] = sc
        scale_terms = _term_labels(scale_rhs)
    y = prep.patterns["__y"].to_numpy(dtype=int)
    w = prep.patterns["__w"].to_numpy(dtype=float)
    names = loc.names
    totals = np.bincount(y, weights=w, minlength=J)
    n = float(w.sum())
    cum = np.cumsum(totals)[:-1] / n
    loglik_null = float(np.sum(totals * np.log(totals / n)))
    q, p, s = N.shape[1], X.shape[1], Z.shape[1]
    start = np.concatenate([_quantile(cum, link), np.zeros((q - 1) * (J - 1) + p + s)])
    if q == 1 and s == 0:
        d = _Patterns(X=X, y=y, w=w, J=J)
        if len(y) > 4 * _WARM:  # start from the fit to an evenly spaced subset: fewer passes over every row
            step = len(y) // _WARM
            sub = _Patterns(X=X[::step], y=y[::step], w=w[::step], J=J)
            if len(np.unique(sub.y)) == J:
                try:
                    warm = _newton(start, lambda prm, derivatives: _loglik(prm, sub, link, derivatives=derivatives),
                                   lambda prm: bool(np.all(np.diff(prm[: J - 1]) > 0)), float(sub.w.sum()))
                    if warm[4] and np.all(np.isfinite(warm[0])):
                        start = warm[0]
                except ValueError:
                    pass
        params, ll, H, iterations, converged, message = _newton(
            start, lambda prm, derivatives: _loglik(prm, d, link, derivatives=derivatives),
            lambda prm: bool(np.all(np.diff(prm[: J - 1]) > 0)), n)
    else:
        g = _General(X=X, N=N, Z=Z, y=y, w=w, J=J)
        params, ll, H, iterations, converged, message = _newton(
            start, lambda prm, derivatives: _general(prm, g, link, derivatives=derivatives),
            lambda prm: True, n)
    if not converged:
        raise ValueError(f"The model did not converge ({message}). Check for separation or sparse categories.")
    notes = list(prep.notes)
    try:
        cov = np.linalg.inv(-H)
        if not np.all(np.isfinite(cov)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError as exc:
        if not lenient:
            raise ValueError("The information matrix is singular: a predictor may separate the outcome.") from exc
        cov = np.full_like(H, np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    na = q * (J - 1)
    if lenient:
        unbounded = ~np.isfinite(se) | (se > 1e3) | ((np.abs(params) > 8) & (se > 10 * np.abs(params)))
        if unbounded.any():
            notes.append(Note("unbounded", "Some estimates are unbounded (an outcome category is empty in a group); "
                              "the log-likelihood is its supremum, as R's clm reports it."))
            se = np.where(unbounded, np.nan, se)
    alpha, beta, zeta = params[:na], params[na:na + p], params[na + p:]
    se_alpha, se_beta, se_zeta = se[:na], se[na:na + p], se[na + p:]

    # Separation: the likelihood keeps rising as a coefficient runs off to infinity; the optimum found
    # then sits on a flat ridge with an enormous standard error.
    for name, b, sb in zip(names, beta, se_beta):
        if lenient:
            break
        if not np.isfinite(sb) or (abs(b) > 8 and sb > 10 * abs(b)) or sb > 1e3:
            raise ValueError(f"The predictor {name!r} (quasi-)completely separates the outcome categories: its "
                             f"estimate ({b:.3g}) is unbounded. Merge sparse categories or drop the term.")
    if lenient:
        pass
    elif np.any(~np.isfinite(se_alpha)) or np.any(se_alpha > 1e3) or np.any(~np.isfinite(se_zeta)) \
            or np.any(se_zeta > 1e3):
        raise ValueError("A threshold (or a nominal or scale effect) is unbounded: an outcome category is (nearly) "
                         "empty given the predictors.")

    crit = stats.norm.ppf(0.975)
    coef = _wald(beta, se_beta, names, "term")
    if link == "logit":
        coef["odds_ratio"] = np.exp(beta)
        coef["ci_low"] = np.exp(beta - crit * se_beta)
        coef["ci_high"] = np.exp(beta + crit * se_beta)
    else:
        coef["odds_ratio"] = np.nan
        coef["ci_low"] = beta - crit * se_beta
        coef["ci_high"] = beta + crit * se_beta
    cats = prep.categories
    labels = [f"{cats[j]}|{cats[j + 1]}" for j in range(J - 1)]
    if q > 1:
        labels = [f"{lab}.{col}" for col in ["(Intercept)", *specs["nominal"].names] for lab in labels]
    thresholds = pd.DataFrame({"estimate": alpha, "std_err": se_alpha}, index=pd.Index(labels, name="threshold"))
    scale_names = specs["scale"].names if s else []
    scale_coef = _wald(zeta, se_zeta, scale_names, "term")
    all_names = labels + names + scale_names
    vcov = pd.DataFrame(cov, index=all_names, columns=all_names)
    brant_input = None
    if not brant:
        pass
    elif q > 1 or s:
        notes.append(Note("brant_scale", "The Brant test is computed for proportional-odds models without scale "
                          "effects only."))
    elif link != "logit":
        notes.append(Note("brant_link", "The Brant test is defined for the logit link only."))
    else:
        brant_input = (_Patterns(X=X, y=y, w=w, J=J), names, params)
    template = prep.patterns[prep.rhs_cols]
    if not _STATEFUL.search(" + ".join([prep.rhs, nominal_rhs, scale_rhs])):
        template = template.head(50)
    result = OrdinalResult(
        formula=prep.formula, link=link, outcome=prep.lhs, categories=list(cats), coefficients=coef,
        thresholds=thresholds, vcov=vcov, loglik=ll, loglik_null=loglik_null, n=n, n_dropped=prep.n_dropped,
        converged=converged, iterations=iterations, notes=notes, nominal=nominal_terms,
        scale=scale_terms, scale_coefficients=scale_coef, _design_info=loc.info, _rhs_columns=list(prep.rhs_cols),
        _categoricals=dict(prep.categoricals), _template=template.copy(), _specs=specs, _numeric=list(prep.numeric),
        _brant_input=brant_input,
    )
    if brant_input is not None and len(y) <= _LAZY_BRANT:
        result.brant  # noqa: B018 (small data: computed now, so its notes are there at once)
    return result


def fit(data: pd.DataFrame, formula: str, *, link: str = "logit", weights: str | Sequence[float] | None = None,
        nominal: str | Sequence[str] | None = None, scale: str | Sequence[str] | None = None) -> OrdinalResult:
    r"""Fit a cumulative link model by maximum likelihood, as R's ``ordinal::clm``.

    .. math::

        \operatorname{link}\, P(Y \le j \mid x) = \frac{\theta_j(v) - x^\top \beta}{\exp(z^\top \zeta)},
        \qquad j = 1, \dots, J-1

    Without ``nominal`` and ``scale`` this is the proportional-odds model
    :math:`\theta_j - x^\top\beta`.

    Parameters
    ----------
    data : DataFrame
        One row per observation.
    formula : str
        ``"outcome ~ predictors"`` in patsy's (R's) syntax, e.g.
        ``"outcome ~ score + C(group) + sector"``. Categorical predictors use the Categorical's
        category order, the first category being the reference (treatment coding); text columns are
        factors with sorted levels. There is no intercept: the thresholds take its place (``0 +`` /
        ``- 1`` are refused).
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}
        clm's links: cloglog :math:`F(z) = 1 - e^{-e^z}`, loglog :math:`F(z) = e^{-e^{-z}}`, cauchit
        the Cauchy distribution function.
    weights : str or array-like, optional
        Frequency weights (a column name or one value per row). Missing weights drop the row;
        infinite or non-numeric weights are refused.
    nominal : str or list of str, optional
        Terms with nominal effects (partial proportional odds), as clm's ``nominal = ~ x``: a
        one-sided formula ``"~ x"`` or a list of term names. Each threshold gets its own effect of
        these terms, :math:`\theta_j(v) = \alpha_j + v^\top\gamma_j`; a location effect of the same
        term is aliased and dropped, as clm does. The thresholds table then holds clm's ``alpha``:
        ``"1|2.(Intercept)"``, ..., ``"1|2.x"``, ...
    scale : str or list of str, optional
        Terms with scale effects, as clm's ``scale = ~ z``; their coefficients are in
        ``scale_coefficients``.

    Returns
    -------
    OrdinalResult
        ``coefficients`` (estimate, std_err, z, p, odds_ratio, ci_low, ci_high: the 95 % Wald interval
        of the odds ratio for the logit link; for the other links of the coefficient itself, with
        odds_ratio NaN), ``thresholds`` (estimate, std_err, indexed "1|2", ...), ``scale_coefficients``
        (estimate, std_err, z, p), ``loglik``, ``loglik_null``, ``lr_chi2``, ``lr_df``, ``lr_p``,
        ``aic``, ``bic``, ``n``, ``n_dropped``, ``converged``, ``pseudo_r2`` (mcfadden, cox_snell,
        nagelkerke), ``brant`` (Brant test, omnibus and per coefficient; logit proportional-odds
        models only) and ``predict_proba(new_data)``.

    Raises
    ------
    ValueError
        Fewer than two observed outcome categories; a predictor that is constant, aliased, has no
        observed value or separates the outcome (named); no convergence; a formula with ``0 +``;
        negative, infinite or non-numeric weights.

    Notes
    -----
    Rows with a missing value in the outcome, a predictor or the weight are dropped (listwise); their
    number is ``n_dropped``. An outcome category with no observations is dropped with a warning, as
    clm drops it (its thresholds are those of the observed categories); an unused predictor category
    is dropped likewise. The data are collapsed into distinct covariate patterns with summed weights
    before fitting (skipped when a numeric predictor is nearly all distinct); Newton-Raphson with the
    analytic gradient and Hessian converges to a maximum absolute gradient below 1e-9 (relative to
    n / 1e4). Standard errors come from the inverse observed information. Checked against
    ``ordinal::clm`` for every link, with nominal and with scale effects, and ``MASS::polr`` (R), and
    the Brant test against ``brant::brant``'s algorithm.
    """
    nominal_rhs = _effects_rhs(nominal, "nominal")
    scale_rhs = _effects_rhs(scale, "scale")
    prep = _prepare(data, formula, link, weights, [r for r in (nominal_rhs, scale_rhs) if r])
    return _fit_prepared(prep, nominal_rhs, scale_rhs)


def _effect_tests(data, formula, link, weights, kind: str) -> pd.DataFrame:
    prep = _prepare(data, formula, link, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        base = _fit_prepared(prep, brant=False)
    notes = list(base.notes)
    rows = {}
    for term in _term_labels(prep.rhs):
        try:
            res = _fit_prepared(prep, term if kind == "nominal" else "", term if kind == "scale" else "",
                                brant=False, lenient=True)
        except ValueError as exc:
            rows[term] = (np.nan, np.nan, np.nan, np.nan, np.nan)
            notes.append(Note("term_unfitted", "{term}: the model with {kind} effects of {term} cannot be fitted "
                              "({reason}); its test is NaN.", {"term": term, "kind": kind,
                                                             "reason": exc.args[0] if exc.args else str(exc)}))
            continue
        notes += [note.prefixed(term) if isinstance(note, Note) else f"{term}: {note}"
                  for note in res.notes if note not in base.notes]
        lr = max(0.0, 2.0 * (res.loglik - base.loglik))
        df = res.k - base.k
        rows[term] = (df, res.loglik, res.aic, lr, float(stats.chi2.sf(lr, df)) if df > 0 else np.nan)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["df", "loglik", "aic", "lr", "p"])
    out.index.name = "term"
    out = out[["lr", "df", "p", "loglik", "aic"]]
    out.attrs.update({"loglik": base.loglik, "aic": base.aic, "df_model": base.k, "n": base.n, "link": link,
                      "test": kind, "notes": notes})
    return out


def nominal_test(data: pd.DataFrame, formula: str, *, link: str = "logit",
                 weights: str | Sequence[float] | None = None) -> pd.DataFrame:
    """Likelihood-ratio tests of proportional odds, per term, as R's ``ordinal::nominal_test``.

    For each term of the formula, the model with that term's effect nominal (a separate effect for
    every threshold, clm's ``nominal = ~ term``) is compared with the proportional-odds model.

    Returns
    -------
    DataFrame
        Indexed by term (R's term labels, e.g. ``size``, ``sc_mean``); columns ``lr`` (the LR
        statistic, R's ``LRT``), ``df``, ``p`` (R's ``Pr(>Chi)``), ``loglik`` and ``aic`` of the model
        with the nominal effect. ``attrs``: ``loglik``, ``aic`` and ``df_model`` of the proportional-odds
        model (R's ``<none>`` row), ``n``, ``link``, ``test`` and ``notes`` (say why a row is NaN:
        the nominal model cannot be fitted, e.g. its thresholds cross). A small p rejects
        proportional odds for that term; :func:`fit` with ``nominal=[term]`` fits the partial model.
    """
    return _effect_tests(data, formula, link, weights, "nominal")


def scale_test(data: pd.DataFrame, formula: str, *, link: str = "logit",
               weights: str | Sequence[float] | None = None) -> pd.DataFrame:
    """Likelihood-ratio tests of equal scale, per term, as R's ``ordinal::scale_test``.

    For each term of the formula, the model with a scale effect of that term (clm's
    ``scale = ~ term``) is compared with the model without. Same columns and attrs as
    :func:`nominal_test`.
    """
    return _effect_tests(data, formula, link, weights, "scale")
