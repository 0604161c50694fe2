"""Scale reliability: Cronbach's alpha with Feldt's interval and the item table, polychoric
correlations, ordinal alpha, McDonald's omega, and all of them block by block."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["cronbach_alpha", "polychoric", "ordinal_alpha", "omega", "block_reliability",
           "AlphaResult", "PolychoricResult", "OmegaResult"]


def _items(data: pd.DataFrame, items: Sequence[str] | None) -> list[str]:
    cols = list(items) if items is not None else list(data.columns)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError(f"Items not in the data: {missing}.")
    if len(cols) < 2:
        raise ValueError("Reliability needs at least two items.")
    return cols


def _numeric(data: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = {}
    for c in cols:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            if s.cat.ordered:
                codes = s.cat.codes.astype(float)
                out[c] = codes.where(codes >= 0) + 1  # 1..k in category order
                continue
            raise ValueError(f"Item {c!r} is an unordered Categorical; reliability needs ordered items.")
        out[c] = pd.to_numeric(s, errors="coerce")
        if (out[c].isna() & s.notna()).any():
            raise ValueError(f"Item {c!r} has non-numeric values.")
    return pd.DataFrame(out, index=data.index)


def _complete(data: pd.DataFrame, items, min_cases: int = 2) -> tuple[list[str], np.ndarray, int]:
    cols = _items(data, items)
    frame = _numeric(data, cols)
    complete = frame.dropna()
    dropped = len(frame) - len(complete)
    x = complete.to_numpy(dtype=float)
    if len(x) < min_cases:
        raise ValueError(f"Too few complete cases ({len(x)}) to estimate reliability.")
    sd = x.std(axis=0, ddof=1)
    constant = [c for c, s in zip(cols, sd) if s == 0]
    if constant:
        raise ValueError(f"Items with no variance cannot enter a scale: {constant}.")
    return cols, x, dropped


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def _standardized_from_corr(corr: np.ndarray) -> float:
    k = corr.shape[0]
    return k / (k - 1) * (1 - k / corr.sum())


@dataclass
class AlphaResult:
    """Cronbach's alpha; see :func:`cronbach_alpha`."""

    alpha: float
    standardized_alpha: float
    ci_low: float
    ci_high: float
    ci: float
    n: int
    n_dropped: int
    k: int
    items: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.Series({"alpha": self.alpha, "standardized_alpha": self.standardized_alpha,
                          "ci_low": self.ci_low, "ci_high": self.ci_high, "n": self.n, "k": self.k}).to_frame("value")

    def __str__(self) -> str:
        lines = [f"Cronbach's alpha = {self.alpha:.4f} ({self.ci:.0%} CI {self.ci_low:.4f} to {self.ci_high:.4f}, "
                 f"Feldt); standardized alpha = {self.standardized_alpha:.4f}; n = {self.n}, k = {self.k}",
                 self.items.to_string(float_format=lambda v: f"{v:.4f}")]
        return "\n".join(lines + [f"- {n}" for n in self.notes])


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str] | None = None, *, ci: float = 0.95,
                   missing: str = "listwise") -> AlphaResult:
    r"""Cronbach's alpha with Feldt's confidence interval and the item table.

    .. math::

        \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s_i^2}{s_X^2}\right), \qquad
        \alpha_{std} = \frac{k \bar r}{1 + (k-1)\bar r}

    Feldt's interval: :math:`1 - (1-\alpha) F_{1-\gamma/2}` to :math:`1 - (1-\alpha) F_{\gamma/2}` with
    :math:`F` the F distribution on :math:`n-1` and :math:`(n-1)(k-1)` degrees of freedom.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; items as numbers or ordered Categoricals (scored 1..k).
    items : sequence of str, optional
        The item columns (default: every column).
    ci : float
        Confidence level of the interval.
    missing : {"listwise", "pairwise"}
        ``"listwise"``: respondents with any missing item are dropped; ``n`` counts the cases used.
        ``"pairwise"``: as ``psych::alpha``'s default (``use = "pairwise"``): every statistic comes
        from the covariance matrix of pairwise-complete cases (correlations are that matrix scaled
        by ``cov2cor``), item means and SDs from each item's answers, and Feldt's interval uses
        ``n`` = every row, as psych does.

    Returns
    -------
    AlphaResult
        ``alpha``, ``standardized_alpha``, ``ci_low``, ``ci_high``, ``n`` (cases used, after dropping),
        ``n_dropped``, ``k``, and ``items``: per item ``mean``, ``sd``, ``item_rest_r`` (corrected
        item-total correlation, psych's ``r.drop``) and ``alpha_if_deleted`` (psych's ``raw_alpha`` in
        ``alpha.drop``). Checked against ``psych::alpha`` (and ``psych::alpha.ci`` for Feldt's interval).

    Warns
    -----
    UserWarning
        Naming items that correlate negatively with the rest of the scale (reverse keyed?).
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError("missing must be 'listwise' or 'pairwise'.")
    if not 0 < ci < 1:
        raise ValueError("ci must be between 0 and 1.")
    if missing == "pairwise":
        cols = _items(data, items)
        frame = _numeric(data, cols)
        cov = frame.cov(min_periods=2).to_numpy()  # pairwise-complete, as R's cov(use = "pairwise")
        if np.isnan(cov).any():
            raise ValueError("Some pairs of items have fewer than two respondents in common.")
        constant = [c for c, v in zip(cols, np.diag(cov)) if v == 0]
        if constant:
            raise ValueError(f"Items with no variance cannot enter a scale: {constant}.")
        n, dropped = len(frame), 0
        means, sds = frame.mean().to_numpy(), frame.std(ddof=1).to_numpy()
        incomplete = int(frame.isna().any(axis=1).sum())
        notes = [f"Missing answers handled pairwise: {incomplete} respondents with a missing item kept; "
                 f"n = {n} rows, as psych::alpha counts them."] if incomplete else []
    else:
        cols, x, dropped = _complete(data, items)
        cov = np.cov(x, rowvar=False)
        n, means, sds = len(x), x.mean(axis=0), x.std(axis=0, ddof=1)
        notes = [f"{dropped} respondents with a missing item were dropped (listwise)."] if dropped else []
    k = len(cols)
    sd = np.sqrt(np.diag(cov))
    alpha = _alpha_from_cov(cov)
    f_low, f_high = stats.f.ppf([1 - (1 - ci) / 2, (1 - ci) / 2], n - 1, (n - 1) * (k - 1))
    rows = []
    for i, c in enumerate(cols):
        keep = [j for j in range(k) if j != i]
        rest = cov[np.ix_(keep, keep)]
        r_rest = (cov[:, i].sum() - cov[i, i]) / np.sqrt(cov[i, i] * rest.sum())  # item with the sum of the rest
        rows.append((c, means[i], sds[i], r_rest, _alpha_from_cov(rest) if k > 2 else np.nan))
    table = pd.DataFrame(rows, columns=["item", "mean", "sd", "item_rest_r", "alpha_if_deleted"]).set_index("item")
    negative = table.index[table["item_rest_r"] < 0].tolist()
    if negative:
        message = f"Items correlating negatively with the rest of the scale (reverse keyed?): {negative}."
        warnings.warn(message, UserWarning, stacklevel=2)
        notes.append(message)
    return AlphaResult(alpha=alpha, standardized_alpha=_standardized_from_corr(cov / np.outer(sd, sd)),
                       ci_low=1 - (1 - alpha) * f_low, ci_high=1 - (1 - alpha) * f_high, ci=ci, n=n,
                       n_dropped=dropped, k=k, items=table, notes=notes)


# --- polychoric correlations -----------------------------------------------------------

_BIG = 50.0  # stands for an infinite threshold (Phi(50) == 1 in double precision)


def _bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X <= h, Y <= k) for the standard bivariate normal with correlation rho (Owen's T)."""
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    if abs(rho) >= 1:
        return special.ndtr(np.minimum(h, k)) if rho > 0 else np.maximum(0.0, special.ndtr(h) - special.ndtr(-k))
    s = np.sqrt(1 - rho * rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        ah = np.where(h != 0, (k - rho * h) / (h * s), 0.0)
        ak = np.where(k != 0, (h - rho * k) / (k * s), 0.0)
    out = 0.5 * special.ndtr(h) + 0.5 * special.ndtr(k) - special.owens_t(h, ah) - special.owens_t(k, ak)
    out = out - 0.5 * ((h * k < 0) | ((h * k == 0) & (h + k < 0)))
    # h == 0 or k == 0 (but not both): Owen's T formula with the limit of the argument
    zero_h = (h == 0) & (k != 0)
    zero_k = (k == 0) & (h != 0)
    both = (h == 0) & (k == 0)
    if zero_h.any() or zero_k.any() or both.any():
        out = np.where(both, 0.25 + np.arcsin(rho) / (2 * np.pi), out)
        kk = k[zero_h] if zero_h.any() else None
        if kk is not None:
            out[zero_h] = _bvn_cdf(np.full(kk.shape, 1e-300), kk, rho)
        hh = h[zero_k] if zero_k.any() else None
        if hh is not None:
            out[zero_k] = _bvn_cdf(hh, np.full(hh.shape, 1e-300), rho)
    return np.clip(out, 0.0, 1.0)


def _thresholds(codes: np.ndarray, levels: int, weights: np.ndarray | None = None) -> np.ndarray:
    counts = np.bincount(codes, minlength=levels).astype(float)
    cum = np.cumsum(counts)[:-1] / counts.sum()
    return special.ndtri(cum)


def _polychoric_pair(table: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray) -> float:
    tx = np.concatenate(([-_BIG], np.clip(tau_x, -_BIG, _BIG), [_BIG]))
    ty = np.concatenate(([-_BIG], np.clip(tau_y, -_BIG, _BIG), [_BIG]))
    H, K = np.meshgrid(tx, ty, indexing="ij")
    h, kk = H.ravel(), K.ravel()
    positive = table > 0

    def negll(rho: float) -> float:
        F = _bvn_cdf(h, kk, rho).reshape(H.shape)
        P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
        P = np.maximum(P, 1e-300)
        return -float(np.sum(table[positive] * np.log(P[positive])))

    res = optimize.minimize_scalar(negll, bounds=(-0.9999, 0.9999), method="bounded",
                                   options={"xatol": 1e-10, "maxiter": 500})
    return float(res.x)


@dataclass
class PolychoricResult:
    """Polychoric correlation matrix and the thresholds of each item."""

    matrix: pd.DataFrame
    thresholds: dict[str, np.ndarray]
    n: int
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.matrix.copy()

    def __str__(self) -> str:
        return f"Polychoric correlations (n = {self.n})\n" + self.matrix.to_string(float_format=lambda v: f"{v:.4f}")


def polychoric(data: pd.DataFrame, items: Sequence[str] | None = None, *, max_categories: int = 8
               ) -> PolychoricResult:
    r"""Polychoric correlations of ordinal items, by maximum likelihood (two-step).

    Each item's thresholds are the normal quantiles of its cumulative marginal proportions; each
    correlation then maximises :math:`\sum_{ab} n_{ab} \log P_{ab}(\rho)` with the thresholds fixed,
    :math:`P_{ab}` being the bivariate-normal probability of cell (a, b) (Olsson 1979). The
    bivariate normal distribution function is computed exactly through Owen's T function. As
    ``psych::polychoric(x, correct = 0)`` (listwise complete cases; no continuity correction for
    empty cells), against which it is checked.

    An item with more than ``max_categories`` distinct values (psych's ``max.cat = 8``) is refused
    with a ValueError naming it, as psych refuses it: it is not an ordinal item.
    """
    cols, x, dropped = _complete(data, items)
    many = {c: len(np.unique(x[:, i])) for i, c in enumerate(cols) if len(np.unique(x[:, i])) > max_categories}
    if many:
        raise ValueError(f"Items with more than {max_categories} distinct values are not ordinal items for a "
                         f"polychoric correlation (psych refuses them too): {many}. Use Pearson correlations.")
    codes, levels = [], []
    for i in range(x.shape[1]):
        values, inverse = np.unique(x[:, i], return_inverse=True)
        codes.append(inverse)
        levels.append(len(values))
    taus = [_thresholds(c, l) for c, l in zip(codes, levels)]
    k = len(cols)
    R = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            table = np.bincount(codes[i] * levels[j] + codes[j], minlength=levels[i] * levels[j]).reshape(
                levels[i], levels[j]).astype(float)
            R[i, j] = R[j, i] = _polychoric_pair(table, taus[i], taus[j])
    notes = [f"{dropped} respondents with a missing item were dropped (listwise)."] if dropped else []
    return PolychoricResult(matrix=pd.DataFrame(R, index=cols, columns=cols),
                            thresholds={c: t for c, t in zip(cols, taus)}, n=x.shape[0], notes=notes)


def ordinal_alpha(data: pd.DataFrame, items: Sequence[str] | None = None) -> float:
    r"""Ordinal alpha (Zumbo, Gadermann and Zeisser 2007): standardized alpha of the polychoric matrix.

    :math:`\alpha_{ord} = \frac{k}{k-1}\left(1 - \frac{k}{\sum_{ij} \rho_{ij}}\right)`; checked against
    ``psych::alpha(psych::polychoric(x, correct = 0)$rho)``.
    """
    return float(_standardized_from_corr(polychoric(data, items).matrix.to_numpy()))


# --- omega ------------------------------------------------------------------------------

@dataclass
class OmegaResult:
    omega_total: float
    loadings: pd.Series
    n: int
    notes: list[str] = field(default_factory=list)
    key: pd.Series | None = None

    def __float__(self) -> float:
        return float(self.omega_total)

    def __str__(self) -> str:
        text = f"McDonald's omega total = {self.omega_total:.4f} (one factor, minres; n = {self.n})"
        return "\n".join([text, *[f"- {n}" for n in self.notes]])


def _minres_one_factor(R: np.ndarray) -> np.ndarray:
    """Loadings of one factor by minimum residuals (unweighted least squares), as psych::fa(fm="minres")."""
    k = R.shape[0]
    off = ~np.eye(k, dtype=bool)

    def loss(lam: np.ndarray) -> float:
        resid = (R - np.outer(lam, lam))[off]
        return float(resid @ resid)

    def grad(lam: np.ndarray) -> np.ndarray:
        resid = R - np.outer(lam, lam)
        np.fill_diagonal(resid, 0)
        return -4 * resid @ lam

    eigval, eigvec = np.linalg.eigh(R)
    start = eigvec[:, -1] * np.sqrt(max(eigval[-1], 0.0))
    start = start if start.sum() >= 0 else -start
    res = optimize.minimize(loss, start, jac=grad, method="BFGS", options={"gtol": 1e-12, "maxiter": 2000})
    lam = res.x
    return lam if lam.sum() >= 0 else -lam


def omega(data: pd.DataFrame, items: Sequence[str] | None = None, *, polychoric_matrix: bool = False,
          missing: str = "listwise") -> OmegaResult:
    r"""McDonald's omega total from a one-factor model, as ``psych::omega(x, nfactors = 1)$omega.tot``.

    .. math::

        \omega_t = \frac{V_t - \sum_i u_i^2}{V_t}, \qquad V_t = \sum_{ij} r_{ij}, \quad u_i^2 = 1 - \lambda_i^2

    with the observed total variance :math:`V_t` (the sum of the correlation matrix) and the
    standardized loadings :math:`\lambda` of one factor fitted by minimum residuals (psych's default
    ``fm = "minres"``) to the Pearson (or, with ``polychoric_matrix=True``, polychoric) correlations.
    As psych does, items loading negatively on the factor are reversed first (their rows and columns
    of the correlation matrix change sign): a note names them, ``key`` holds psych's key (1 or -1 per
    item) and ``loadings`` the loadings after reversal. Checked against ``psych::omega`` on bfi (each
    scale, reverse-keyed items unreversed, and all 25 items), lsat6, lsat7 and psychTools' ability.

    Parameters
    ----------
    missing : {"listwise", "pairwise"}
        ``"pairwise"`` is psych's: correlations of pairwise-complete cases (``n`` counts every row).

    Returns NaN with a note, never a value outside [0, 1], when the one-factor solution is a Heywood
    case (a loading of magnitude 1 or more: a communality of at least 1, a uniqueness of at most 0)
    or omega is otherwise outside [0, 1]; with two items, where one factor is not identified, NaN with
    a note (use alpha).
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError("missing must be 'listwise' or 'pairwise'.")
    if missing == "pairwise" and not polychoric_matrix:
        cols = _items(data, items)
        frame = _numeric(data, cols)
        R_df = frame.corr(min_periods=2)
        if R_df.isna().to_numpy().any():
            raise ValueError("Some pairs of items have fewer than two respondents in common, or an item has no "
                             "variance.")
        R, n = R_df.to_numpy(), len(frame)
        incomplete = int(frame.isna().any(axis=1).sum())
        notes = [f"Missing answers handled pairwise: {incomplete} respondents with a missing item kept."] \
            if incomplete else []
    else:
        cols, x, dropped = _complete(data, items)
        notes = [f"{dropped} respondents with a missing item were dropped (listwise)."] if dropped else []
        n = x.shape[0]
        R = None
    if len(cols) < 3:
        return OmegaResult(omega_total=float("nan"), loadings=pd.Series(np.nan, index=cols), n=n,
                           notes=notes + ["Omega needs at least three items: a one-factor model of two items "
                                          "is not identified."])
    if R is None:
        R = polychoric(data, cols).matrix.to_numpy() if polychoric_matrix else np.corrcoef(x, rowvar=False)
    lam = _minres_one_factor(R)
    key = np.where(lam < 0, -1, 1)
    if np.any(key < 0):
        reversed_items = [c for c, k in zip(cols, key) if k < 0]
        notes.append(f"Items loading negatively on the factor were reversed, as psych::omega reverses them: "
                     f"{reversed_items}.")
        R = R * np.outer(key, key)
        lam = lam * key
    loadings = pd.Series(lam, index=cols)
    heywood = [c for c, v in zip(cols, lam) if abs(v) >= 1]
    if heywood:
        kind = "ultra-Heywood" if np.any(np.abs(lam) > 1 + 1e-9) else "Heywood"
        notes.append(f"The one-factor solution is {'an' if kind[0] == 'u' else 'a'} {kind} case: the loading of {heywood} reaches "
                     f"{np.max(np.abs(lam)):.4g} (a communality of at least 1, a uniqueness of at most 0), so "
                     "omega is undefined (NaN). Too few respondents or items for a factor model?")
        return OmegaResult(omega_total=float("nan"), loadings=loadings, n=n, notes=notes,
                           key=pd.Series(key, index=cols))
    vt = float(R.sum())
    omega_t = (vt - float(np.sum(1 - lam * lam))) / vt
    if not 0 <= omega_t <= 1:
        notes.append(f"Omega computed as {omega_t:.4g}, outside [0, 1]: the one-factor model does not fit these "
                     "items; reported as NaN.")
        omega_t = float("nan")
    return OmegaResult(omega_total=float(omega_t), loadings=loadings, n=n, notes=notes,
                       key=pd.Series(key, index=cols))


def block_reliability(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], *, scale_name: str = "scale",
                      ci: float = 0.95) -> pd.DataFrame:
    """Reliability of each block and of the whole scale (all the blocks' items), one row each.

    Columns: ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``, ``standardized_alpha``, ``ordinal_alpha``,
    ``omega`` (NaN for two-item blocks, where it is not identified).
    """
    if not blocks:
        raise ValueError("Give at least one block: a mapping of block name to items.")
    groups = dict(blocks)
    everything = [i for items in groups.values() for i in items]
    if len(set(everything)) != len(everything):
        raise ValueError("An item appears in more than one block.")
    groups[scale_name] = everything
    rows = []
    for name, items in groups.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            a = cronbach_alpha(data, items, ci=ci)
        rows.append({"block": name, "k": a.k, "n": a.n, "alpha": a.alpha, "ci_low": a.ci_low, "ci_high": a.ci_high,
                     "standardized_alpha": a.standardized_alpha, "ordinal_alpha": ordinal_alpha(data, items),
                     "omega": omega(data, items).omega_total})
    return pd.DataFrame(rows).set_index("block")
