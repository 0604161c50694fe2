"""Cross-tabulation with Pearson's and the likelihood-ratio chi-square, Cramer's V, adjusted
residuals and, for sparse tables, Fisher's exact test for any r x c table (exact, as R's
``fisher.test`` computes it, not by Monte Carlo)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = ["crosstab", "fisher_exact_rxc", "CrosstabResult"]

FEXACT_TOL = 3.45254e-7  # R's FEXACT: tables within this log-probability of the observed one count as ties
EXACT_LIMIT = 1_000_000  # steps (sub-tables and partial weights) the exact test may take: about a second


@dataclass
class CrosstabResult:
    """See :func:`crosstab`."""

    row: str
    col: str
    counts: pd.DataFrame
    row_percent: pd.DataFrame
    col_percent: pd.DataFrame
    expected: pd.DataFrame
    adjusted_residuals: pd.DataFrame
    chi2: float
    dof: int
    p: float
    g2: float
    g2_p: float
    cramers_v: float
    n: int
    sparse: bool
    exact_p: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def reading(self) -> str:
        """One plain-language sentence on the result."""
        p = self.exact_p if self.exact_p is not None else self.p
        test = "Fisher's exact test" if self.exact_p is not None else "the chi-square test"
        strength = ("negligible" if self.cramers_v < 0.1 else "weak" if self.cramers_v < 0.3
                    else "moderate" if self.cramers_v < 0.5 else "strong")
        if not np.isfinite(p):
            return "The association could not be tested."
        verdict = "is statistically significant at the 5 % level" if p < 0.05 else \
            "is not statistically significant at the 5 % level"
        sparse = " The table is sparse, so the exact test is used." if self.exact_p is not None else (
            " The table is sparse and the exact test could not be computed; read the chi-square with care."
            if self.sparse else "")
        return (f"The association between {self.row} and {self.col} {verdict} ({test}, p = {p:.3g}); "
                f"its strength is {strength} (Cramer's V = {self.cramers_v:.2f}, n = {self.n}).{sparse}")

    def to_frame(self) -> pd.DataFrame:
        return pd.Series({"chi2": self.chi2, "dof": self.dof, "p": self.p, "g2": self.g2, "g2_p": self.g2_p,
                          "cramers_v": self.cramers_v, "n": self.n, "sparse": self.sparse,
                          "exact_p": self.exact_p}).to_frame("value")

    def __str__(self) -> str:
        parts = [f"Crosstab of {self.row} by {self.col} (n = {self.n})", self.counts.to_string(), "",
                 f"Pearson chi2({self.dof}) = {self.chi2:.4f}, p = {self.p:.4g}; "
                 f"G2 = {self.g2:.4f}, p = {self.g2_p:.4g}; Cramer's V = {self.cramers_v:.4f}"]
        if self.exact_p is not None:
            parts.append(f"Fisher's exact test: p = {self.exact_p:.4g}")
        parts += [f"- {n}" for n in self.notes]
        parts.append(self.reading)
        return "\n".join(parts)


def _codes(series: pd.Series, levels: list[Any]) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.int64)
    return pd.Index(levels).get_indexer(series).astype(np.int64)


def _levels(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return sorted(series.dropna().unique().tolist())


def fisher_exact_rxc(table: np.ndarray, *, limit: int | None = None) -> float | None:
    """Two-sided Fisher exact test for an r x c table, as R's ``fisher.test``.

    The p-value is the total probability, under independence with both margins fixed
    (multivariate hypergeometric), of every table whose probability is at most the observed
    table's probability, within FEXACT's tolerance of 3.45254e-7 on the log scale (R's 2 x 2 path,
    used here for 2 x 2 tables through scipy, uses a relative 1e-7). The computation follows the network algorithm of Mehta
    and Patel (1983), as R's FEXACT does: tables are built column by column; the nodes of a stage
    are the (sorted) remaining row totals, and the partial ("past") weights reaching a node are
    merged. A node whose every completion is at most as probable as the observed table adds its
    whole probability mass at once (known in closed form); a node none of whose completions can be
    is dropped; only the others are expanded. The shortest and longest completions of every node are
    found exactly by dynamic programming over the nodes. Returns ``None`` when the work exceeds ``limit`` (default ``EXACT_LIMIT``) steps.
    """
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 1.0
    if table.shape[0] > table.shape[1]:
        table = table.T
    if table.shape == (2, 2):
        return float(stats.fisher_exact(table, alternative="two-sided")[1])
    rows = table.sum(axis=1)
    cols = [int(c) for c in np.sort(table.sum(axis=0))[::-1]]
    n = int(rows.sum())
    lf = special.gammaln(np.arange(n + 2) + 1.0).tolist()  # log k!, as a list: fast scalar lookups
    const = sum(lf[r] for r in rows) + sum(lf[c] for c in cols) - lf[n]
    cutoff = -sum(lf[v] for v in table.ravel()) + FEXACT_TOL
    suffix_lf = [sum(lf[c] for c in cols[j:]) for j in range(len(cols) + 1)]
    last_stage = len(cols) - 1
    budget = EXACT_LIMIT if limit is None else limit
    work = [0]

    @lru_cache(maxsize=None)
    def bounds(j: int, remaining: tuple[int, ...]) -> tuple[float, float]:
        """Exact (shortest, longest) completion weight -sum log x! over columns j.., by dynamic
        programming over the same nodes (the nodes are few; it is the past weights that are many)."""
        if j == last_stage:
            w = -sum(lf[r] for r in remaining)
            return w, w
        low, high = math.inf, -math.inf
        for x in _compositions(cols[j], remaining):
            work[0] += 1
            if work[0] > budget:
                raise _TooLarge
            w = -sum(lf[v] for v in x)
            child_low, child_high = bounds(j + 1, tuple(sorted([r - xi for r, xi in zip(remaining, x)])))
            if w + child_low < low:
                low = w + child_low
            if w + child_high > high:
                high = w + child_high
        return low, high

    p_value = 0.0
    stage: dict[tuple[int, ...], dict[float, float]] = {tuple(sorted(int(r) for r in rows)): {0.0: 1.0}}
    for j, c in enumerate(cols):
        last = j == len(cols) - 1
        following: dict[tuple[int, ...], dict[float, float]] = {}
        for remaining, pasts in stage.items():
            try:
                low, high = bounds(j, remaining)
            except _TooLarge:
                bounds.cache_clear()
                return None
            log_mass = lf[sum(remaining)] - sum(lf[r] for r in remaining) - suffix_lf[j]
            open_pasts = []
            for past, mult in pasts.items():
                if past + high <= cutoff:
                    p_value += mult * math.exp(const + past + log_mass)
                elif past + low <= cutoff:
                    open_pasts.append((past, mult))
            if not open_pasts:
                continue
            for x in _compositions(c, remaining):
                w = -sum(lf[v] for v in x)
                child = tuple(sorted([r - xi for r, xi in zip(remaining, x)]))
                if last:
                    for past, mult in open_pasts:
                        if past + w <= cutoff:
                            p_value += mult * math.exp(const + past + w)
                    continue
                bucket = following.setdefault(child, {})
                for past, mult in open_pasts:
                    key = round(past + w, 9)
                    bucket[key] = bucket.get(key, 0.0) + mult
                work[0] += len(open_pasts)
                if work[0] > budget:
                    bounds.cache_clear()
                    return None
        stage = following
    bounds.cache_clear()
    return float(min(1.0, p_value))


class _TooLarge(Exception):
    pass


def _compositions(total: int, caps: tuple[int, ...]):
    """Every vector x with sum(x) == total and 0 <= x_i <= caps[i]."""
    k = len(caps)
    suffix = [0] * (k + 1)
    for i in range(k - 1, -1, -1):
        suffix[i] = suffix[i + 1] + caps[i]
    x = [0] * k

    def rec(i: int, left: int):
        if i == k - 1:
            if left <= caps[i]:
                x[i] = left
                yield tuple(x)
            return
        low = max(0, left - suffix[i + 1])
        for v in range(low, min(caps[i], left) + 1):
            x[i] = v
            yield from rec(i + 1, left - v)

    if total <= suffix[0]:
        yield from rec(0, total)


def crosstab(data: pd.DataFrame, row: str, col: str, *, exact: bool | None = None,
             exact_limit: int | None = None) -> CrosstabResult:
    r"""Cross-tabulate two categorical columns and test their independence.

    Pearson's :math:`X^2 = \sum (O - E)^2 / E` (no continuity correction, as
    ``chisq.test(correct = FALSE)``), the likelihood ratio :math:`G^2 = 2 \sum O \log(O / E)`,
    Cramer's :math:`V = \sqrt{X^2 / (n (\min(r, c) - 1))}`, and adjusted standardised residuals
    :math:`(O - E) / \sqrt{E (1 - r_i / n)(1 - c_j / n)}` (R's ``chisq.test()$stdres``, SPSS's
    adjusted residuals).

    Parameters
    ----------
    data : DataFrame
    row, col : str
        Columns to cross. A Categorical keeps all its categories in the displayed tables, empty ones
        included; otherwise the observed values are used, sorted.
    exact : bool, optional
        Compute Fisher's exact test: by default only when the table is sparse (more than 20 % of the
        expected counts below 5, or any below 1).
    exact_limit : int, optional
        Work budget of the exact test (default ``EXACT_LIMIT``); past it ``exact_p`` is None.

    Returns
    -------
    CrosstabResult
        ``counts``, ``row_percent``, ``col_percent``, ``expected``, ``adjusted_residuals``, ``chi2``,
        ``dof``, ``p``, ``g2``, ``g2_p``, ``cramers_v``, ``n``, ``sparse``, ``exact_p`` (None when not
        computed), ``notes`` and ``reading``. Checked against R's ``chisq.test`` and
        ``fisher.test``.

    Notes
    -----
    Empty rows and columns stay in the displayed tables but are left out of the tests (a note says
    so); rows with a missing value in either column are dropped (a note says how many).
    """
    for name in (row, col):
        if name not in data.columns:
            raise ValueError(f"Column {name!r} is not in the data.")
    if row == col:
        raise ValueError("Cross-tabulate two different columns.")
    notes: list[str] = []
    r_col, c_col = data[row], data[col]
    complete = (r_col.notna() & c_col.notna()).to_numpy()
    if not complete.all():
        notes.append(f"{int((~complete).sum())} rows with a missing value were left out.")
    r_levels, c_levels = _levels(r_col), _levels(c_col)
    r_codes, c_codes = _codes(r_col, r_levels)[complete], _codes(c_col, c_levels)[complete]
    counts_arr = np.bincount(r_codes * len(c_levels) + c_codes, minlength=len(r_levels) * len(c_levels)).reshape(
        len(r_levels), len(c_levels)).astype(np.int64)
    counts = pd.DataFrame(counts_arr, index=pd.Index(r_levels, name=row), columns=pd.Index(c_levels, name=col))
    n = int(counts_arr.sum())
    rsum, csum = counts_arr.sum(axis=1), counts_arr.sum(axis=0)
    keep_r, keep_c = rsum > 0, csum > 0
    empty = [f"{row} = {lvl}" for lvl, k in zip(r_levels, keep_r) if not k] + \
            [f"{col} = {lvl}" for lvl, k in zip(c_levels, keep_c) if not k]
    if empty:
        notes.append("Empty categories are shown but left out of the tests: " + ", ".join(map(str, empty)) + ".")
    obs = counts_arr[keep_r][:, keep_c].astype(float)
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        raise ValueError(f"{row} and {col} need at least two non-empty categories each to be tested.")
    with np.errstate(invalid="ignore", divide="ignore"):
        row_percent = counts.div(counts.sum(axis=1), axis=0) * 100
        col_percent = counts.div(counts.sum(axis=0), axis=1) * 100
    expected_arr = np.outer(rsum, csum) / n
    expected = pd.DataFrame(expected_arr, index=counts.index, columns=counts.columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        adj = (counts_arr - expected_arr) / np.sqrt(expected_arr * np.outer(1 - rsum / n, 1 - csum / n))
    adjusted = pd.DataFrame(adj, index=counts.index, columns=counts.columns)
    e = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / n
    chi2 = float(((obs - e) ** 2 / e).sum())
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    positive = obs > 0
    g2 = float(2 * (obs[positive] * np.log(obs[positive] / e[positive])).sum())
    cramers_v = math.sqrt(chi2 / (n * (min(obs.shape) - 1)))
    sparse = bool((e < 5).mean() > 0.2 or (e < 1).any())
    exact_p = None
    if exact or (exact is None and sparse):
        exact_p = fisher_exact_rxc(obs.astype(np.int64), limit=exact_limit)
        if exact_p is None:
            notes.append("The table is too large for the exact test; the chi-square p-value is approximate.")
    return CrosstabResult(
        row=row, col=col, counts=counts, row_percent=row_percent, col_percent=col_percent, expected=expected,
        adjusted_residuals=adjusted, chi2=chi2, dof=dof, p=float(stats.chi2.sf(chi2, dof)), g2=g2,
        g2_p=float(stats.chi2.sf(g2, dof)), cramers_v=cramers_v, n=n, sparse=sparse, exact_p=exact_p, notes=notes,
    )
