"""Cross-tabulation with Pearson's and the likelihood-ratio chi-square, Cramer's V, adjusted
residuals and, for sparse tables, Fisher's exact test for any r x c table (exact, as R's
``fisher.test`` computes it, not by Monte Carlo)."""
from __future__ import annotations

import math
import os
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = ["crosstab", "fisher_exact_rxc", "fisher_monte_carlo", "CrosstabResult"]

FEXACT_TOL = 3.45254e-7  # R's FEXACT: tables within this log-probability of the observed one count as ties
# Bounds of the exact test. Time: network edges plus weights generated (about 15 million a second
# here, so about 10 s). Memory (together well under 1 GB): edges x rows held, and weights held.
EXACT_LIMIT = 300_000_000  # crosstab's default (interactive)
FISHER_LIMIT = 4_000_000_000  # fisher_exact_rxc's default: a minute or two, as long as R's fisher.test may take
EDGE_CELLS = 32_000_000
HELD_WEIGHTS = 4_000_000
NETWORK_EDGES = 500_000_000  # edges walked (not held) by the compiled network: about 30 s


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
    used here for 2 x 2 tables through scipy, uses a relative 1e-7).

    The tables are enumerated as paths through the network of Mehta and Patel (1983), the
    algorithm of R's FEXACT: the table is built column by column, a node of stage j is the
    sorted vector of row totals left after j columns, and an edge adds one column x with weight
    -sum log x!. Paths reaching a node with equal weight are merged (weights are kept as integers
    on a grid of at most 1e-12, so equal sums merge exactly). The shortest and longest
    completion of every node are found by dynamic programming; a past whose every completion is
    at most as probable as the observed table adds its whole mass at once (known in closed form),
    a past none of whose completions can be is dropped. The past weights are carried forwards
    from the first column and the completion weights backwards from the last, advancing the
    cheaper side, until they meet at one stage, where each past is matched with the prefix sums of
    the sorted completions, or are one stage apart, where they are joined across its edges without
    holding the pairs. With numba the network runs in compiled kernels (docs/stats.md); without it,
    and for small networks, in numpy.

    Parameters
    ----------
    table : array of int
    limit : int, optional
        Largest number of network edges and weights the test may walk (default ``FISHER_LIMIT``:
        one to three minutes here; ``crosstab`` uses ``EXACT_LIMIT``, about 10 s). The budget is
        checked at every edge, so a give-up comes at most one edge's weights past it. Past it, or
        past the memory bounds ``NETWORK_EDGES``, ``EDGE_CELLS`` and ``HELD_WEIGHTS`` (together well
        under 1 GB), the function returns ``None``: :func:`fisher_monte_carlo` then gives R's
        ``simulate.p.value`` p-value.

    Raises
    ------
    ValueError
        As R's ``fisher.test``: fewer than 2 rows or columns, a negative, infinite or missing count;
        also a table of zeros. Non-integer counts are rounded with a ``UserWarning``, as R rounds
        them (with a warning). Rows and columns of zeros are left out.

    Returns
    -------
    float or None
        The p-value, checked against R's ``fisher.test`` (to 1e-8 relative) and against a full
        enumeration of small tables, or ``None``.
    """
    table = _counts(table)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 1.0
    if table.shape[0] > table.shape[1]:
        table = table.T
    if table.shape == (2, 2):
        return float(stats.fisher_exact(table, alternative="two-sided")[1])
    budget = [FISHER_LIMIT if limit is None else limit]
    try:
        return _network_p(table, budget)
    except _TooLarge:
        return None


def fisher_monte_carlo(table: np.ndarray, *, b: int = 100_000, seed: int | None = None) -> tuple[float, float]:
    """Fisher's test by simulation, as R's ``fisher.test(x, simulate.p.value = TRUE, B = b)``: ``b``
    tables with the observed margins drawn at random (scipy's ``random_table``, Patefield's
    algorithm, as R's ``r2dtable``), p = (1 + the number at most as probable as the observed table)
    / (b + 1), with R's relative tolerance of 64 machine epsilons. For tables too large for
    :func:`fisher_exact_rxc`. Returns the p-value and its Monte Carlo standard error."""
    table = _counts(table)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 1.0, 0.0
    if b < 1:
        raise ValueError("The number of simulated tables b must be at least 1.")
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    statistic = -special.gammaln(table + 1.0).sum()
    rng = np.random.default_rng(seed)
    hits = 0
    for first in range(0, b, 10_000):  # in blocks: bounded memory
        count = min(10_000, b - first)
        sims = stats.random_table(rows, cols, seed=rng).rvs(count, method="patefield")
        hits += int(np.sum(-special.gammaln(sims + 1.0).sum(axis=(1, 2)) <= statistic / (1 + 64 * np.finfo(float).eps)))
    p = (1 + hits) / (b + 1)
    return p, math.sqrt(p * (1 - p) / b)


def _counts(table) -> np.ndarray:
    """The table as integer counts, refusing or rounding what R's fisher.test refuses or rounds."""
    raw = np.asarray(table)
    if raw.ndim != 2:
        raise ValueError(f"The table must be two-dimensional (rows x columns), not of shape {raw.shape}.")
    if raw.shape[0] < 2 or raw.shape[1] < 2:
        raise ValueError(f"The table must have at least 2 rows and 2 columns, not {raw.shape[0]} x {raw.shape[1]} "
                         "(R's fisher.test refuses it too).")
    if raw.dtype.kind == "b" or raw.dtype.kind not in "iuf":
        try:
            raw = raw.astype(float)
        except (TypeError, ValueError):
            raise ValueError("The table's entries must be numbers (counts).") from None
    x = raw.astype(float)
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("All entries of the table must be non-negative and finite counts "
                         "(R's fisher.test refuses the table too).")
    rounded = np.round(x)  # half to even, as R's round()
    if not np.array_equal(rounded, x):
        diff = float(np.abs(rounded - x).sum() / np.abs(x).sum())
        warnings.warn(f"The table has been rounded to integer counts (mean relative difference {diff:.4g}), "
                      "as R's fisher.test rounds it.", UserWarning, stacklevel=3)
    if rounded.sum() == 0:
        raise ValueError("The table has no observations (every count is 0): nothing to test.")
    return rounded.astype(np.int64)


class _TooLarge(Exception):
    pass


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise _TooLarge


SMALL_NETWORK = 2_000_000  # edges and weights: a network this small is walked in numpy (no compiling)


def _network_p(table: np.ndarray, budget: list[int]) -> float:
    rows = np.sort(table.sum(axis=1))
    base = int(rows.max()) + 1
    if len(rows) * math.log2(base) >= 62:
        return _network_p_numpy(table, budget)
    if not _KERNELS or budget[0] <= SMALL_NETWORK:
        # Before the kernels are loaded (the first call in a process loads or compiles them: one to
        # thirty seconds) a small network is walked in numpy, which gives up as soon as the network
        # proves larger than SMALL_NETWORK; then the compiled network starts again.
        trial = [min(SMALL_NETWORK, budget[0])]
        try:
            return _network_p_numpy(table, trial)
        except _TooLarge:
            if budget[0] <= SMALL_NETWORK:
                raise
            _spend(budget, SMALL_NETWORK - max(trial[0], 0))
    kernels = _kernels()
    if kernels is None:
        return _network_p_numpy(table, budget)
    return _network_p_compiled(table, budget, kernels)


# ---------------------------------------------------------------------------------------------
# The compiled network (numba). The same algorithm as _network_p_numpy, but no edge is held:
# the kernels walk the compositions of a column for every node of a stage, three times in all
# (forward to find the nodes, the shortest and longest path from the first node and the in- and
# out-degrees; backward for the shortest and longest completions; and once more when the weights
# are carried across the stage), so the memory is that of the nodes and of the weights held.

def _walk_forward(par, c, radix, qlf, fl_par, fh_par, most, budget):  # pragma: no cover - compiled
    """The children of every node of a stage: their codes (unsorted, -1 for free slots of the hash),
    the shortest and longest path to them, their in-degrees, and the out-degrees of the parents."""
    m, k = par.shape
    cap = 1024
    keys = np.full(cap, -1, np.int64)
    fl = np.empty(cap, np.int64)
    fh = np.empty(cap, np.int64)
    indeg = np.zeros(cap, np.int64)
    outdeg = np.zeros(m, np.int64)
    count = 0
    work = 0
    status = 0
    x = np.empty(k, np.int64)
    left = np.empty(k + 1, np.int64)
    suf = np.zeros(k + 1, np.int64)
    child = np.empty(k, np.int64)
    for p in range(m):
        u = par[p]
        for i in range(k - 1, -1, -1):
            suf[i] = suf[i + 1] + u[i]
        if suf[0] < c:
            continue
        left[0] = c
        for i in range(k - 1):
            x[i] = max(0, left[i] - suf[i + 1])
            left[i + 1] = left[i] - x[i]
        x[k - 1] = left[k - 1]
        while True:
            if work >= budget:  # checked at every edge, so that a give-up is prompt
                return keys, fl, fh, indeg, outdeg, 2, work
            work += 1
            outdeg[p] += 1
            w = 0
            for i in range(k):
                w -= qlf[x[i]]
                child[i] = u[i] - x[i]
            for i in range(1, k):
                v = child[i]
                j = i - 1
                while j >= 0 and child[j] > v:
                    child[j + 1] = child[j]
                    j -= 1
                child[j + 1] = v
            code = 0
            for i in range(k):
                code += child[i] * radix[i]
            mask = cap - 1
            h = code * -7046029254386353131
            h = (h ^ (h >> 31)) & mask
            while keys[h] != -1 and keys[h] != code:
                h = (h + 1) & mask
            if keys[h] == -1:
                keys[h] = code
                fl[h] = fl_par[p] + w
                fh[h] = fh_par[p] + w
                indeg[h] = 1
                count += 1
                if count > most:
                    return keys, fl, fh, indeg, outdeg, 1, work
                if 2 * count > cap:  # grow the hash
                    ncap = 2 * cap
                    nkeys = np.full(ncap, -1, np.int64)
                    nfl = np.empty(ncap, np.int64)
                    nfh = np.empty(ncap, np.int64)
                    nin = np.zeros(ncap, np.int64)
                    nmask = ncap - 1
                    for s in range(cap):
                        if keys[s] != -1:
                            g = keys[s] * -7046029254386353131
                            g = (g ^ (g >> 31)) & nmask
                            while nkeys[g] != -1:
                                g = (g + 1) & nmask
                            nkeys[g] = keys[s]
                            nfl[g] = fl[s]
                            nfh[g] = fh[s]
                            nin[g] = indeg[s]
                    keys, fl, fh, indeg, cap = nkeys, nfl, nfh, nin, ncap
            else:
                fl[h] = min(fl[h], fl_par[p] + w)
                fh[h] = max(fh[h], fh_par[p] + w)
                indeg[h] += 1
            i = k - 2
            while i >= 0 and x[i] >= min(u[i], left[i]):
                i -= 1
            if i < 0:
                break
            x[i] += 1
            left[i + 1] = left[i] - x[i]
            for t in range(i + 1, k - 1):
                x[t] = max(0, left[t] - suf[t + 1])
                left[t + 1] = left[t] - x[t]
            x[k - 1] = left[k - 1]
        if work > budget:
            return keys, fl, fh, indeg, outdeg, 2, work
    return keys, fl, fh, indeg, outdeg, status, work


def _walk(par, c, radix, qlf, codes, mode, lo_c, hi_c, lo_p, hi_p,
          seg, eq, em, logmass, const, scale, cutoff, most, budget):  # pragma: no cover - compiled
    """Walk every edge from the nodes ``par`` of a stage to the sorted child ``codes``.

    mode 0: the shortest and longest completion of each parent (into lo_p, hi_p) from its children's
    (lo_c, hi_c). mode 1: carry the past weights (eq, em, grouped by parent through seg) to the
    children, adding the mass of those every completion of which counts (hi_c) and keeping those
    some completion may (lo_c). mode 2: carry the completion weights (grouped by child through seg)
    to the parents, keeping those some past may bring under the cutoff (lo_p: shortest path from the
    first node) and folding those every past does (hi_p: longest path) into one entry per parent.
    Modes 1 and 2 return the (node, weight) entries kept, equal ones merged in a hash."""
    m, k = par.shape
    cap = 1024
    hid = np.full(cap, -1, np.int64)
    hq = np.empty(cap, np.int64)
    hm = np.zeros(cap, np.float64)
    count = 0
    work = 0
    mass = 0.0
    x = np.empty(k, np.int64)
    left = np.empty(k + 1, np.int64)
    suf = np.zeros(k + 1, np.int64)
    child = np.empty(k, np.int64)
    lcap = 1024  # the child codes in a hash: code -> position
    while lcap < 4 * len(codes):
        lcap *= 2
    lmask = lcap - 1
    lkeys = np.full(lcap, -1, np.int64)
    lidx = np.empty(lcap, np.int64)
    for s in range(len(codes)):
        g = codes[s] * -7046029254386353131
        g = (g ^ (g >> 31)) & lmask
        while lkeys[g] != -1:
            g = (g + 1) & lmask
        lkeys[g] = codes[s]
        lidx[g] = s
    for p in range(m):
        if mode == 1 and seg[p] == seg[p + 1]:
            continue
        u = par[p]
        for i in range(k - 1, -1, -1):
            suf[i] = suf[i + 1] + u[i]
        if suf[0] < c:
            continue
        left[0] = c
        for i in range(k - 1):
            x[i] = max(0, left[i] - suf[i + 1])
            left[i + 1] = left[i] - x[i]
        x[k - 1] = left[k - 1]
        while True:
            if work >= budget:  # checked at every edge (after its weights), so that a give-up is prompt
                return hid, hq, hm, mass, 2, work
            work += 1
            w = 0
            for i in range(k):
                w -= qlf[x[i]]
                child[i] = u[i] - x[i]
            for i in range(1, k):
                v = child[i]
                j = i - 1
                while j >= 0 and child[j] > v:
                    child[j + 1] = child[j]
                    j -= 1
                child[j + 1] = v
            code = 0
            for i in range(k):
                code += child[i] * radix[i]
            g = code * -7046029254386353131
            g = (g ^ (g >> 31)) & lmask
            while lkeys[g] != code:  # every child is in the table
                g = (g + 1) & lmask
            ci = lidx[g]
            if mode == 0:
                lo_p[p] = min(lo_p[p], w + lo_c[ci])
                hi_p[p] = max(hi_p[p], w + hi_c[ci])
            else:
                if mode == 1:
                    e0, e1, target = seg[p], seg[p + 1], ci
                else:
                    e0, e1, target = seg[ci], seg[ci + 1], p
                work += e1 - e0
                for e in range(e0, e1):
                    t = eq[e] + w
                    me = em[e]
                    if mode == 1:
                        if t + hi_c[ci] <= cutoff:
                            mass += me * np.exp(const + t / scale + logmass[ci])
                            continue
                        if t + lo_c[ci] > cutoff:
                            continue
                    elif t + lo_p[p] > cutoff:
                        continue
                    elif t + hi_p[p] <= cutoff:
                        # every past of the parent brings it under the cutoff: fold it into one entry
                        # at the largest such weight (its multiplicity scaled by a factor <= 1)
                        me *= np.exp((t - (cutoff - hi_p[p])) / scale)
                        t = cutoff - hi_p[p]
                    mask = cap - 1
                    h = target * -7046029254386353131 + t * 0x2545F4914F6CDD1D
                    h = (h ^ (h >> 29)) & mask
                    while hid[h] != -1 and (hid[h] != target or hq[h] != t):
                        h = (h + 1) & mask
                    if hid[h] == -1:
                        hid[h] = target
                        hq[h] = t
                        hm[h] = me
                        count += 1
                        if count > most:
                            return hid, hq, hm, mass, 1, work
                        if 2 * count > cap:
                            ncap = 2 * cap
                            nid = np.full(ncap, -1, np.int64)
                            nq = np.empty(ncap, np.int64)
                            nm = np.zeros(ncap, np.float64)
                            nmask = ncap - 1
                            for s in range(cap):
                                if hid[s] != -1:
                                    g = hid[s] * -7046029254386353131 + hq[s] * 0x2545F4914F6CDD1D
                                    g = (g ^ (g >> 29)) & nmask
                                    while nid[g] != -1:
                                        g = (g + 1) & nmask
                                    nid[g] = hid[s]
                                    nq[g] = hq[s]
                                    nm[g] = hm[s]
                            hid, hq, hm, cap = nid, nq, nm, ncap
                    else:
                        hm[h] += me
            i = k - 2
            while i >= 0 and x[i] >= min(u[i], left[i]):
                i -= 1
            if i < 0:
                break
            x[i] += 1
            left[i + 1] = left[i] - x[i]
            for t2 in range(i + 1, k - 1):
                x[t2] = max(0, left[t2] - suf[t2 + 1])
                left[t2 + 1] = left[t2] - x[t2]
            x[k - 1] = left[k - 1]
        if work > budget:
            return hid, hq, hm, mass, 2, work
    return hid, hq, hm, mass, 0, work


def _first_above(v, lo, hi, lim):  # pragma: no cover - compiled
    """The first index in [lo, hi) of the ascending v with v > lim (hi if none)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if v[mid] <= lim:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _cross(par, c, radix, qlf, codes, pseg, pq, prel, pcum, ptop, fseg, fq, frel, fcum, ftop,
           const, scale, cutoff, budget):  # pragma: no cover - compiled
    """Where the two sides are one stage apart: walk every edge from a node ``par[p]`` that holds
    pasts to a child that holds completions and add the mass of the pairs (past, completion) whose
    total weight is at most the cutoff, without holding them. Both sides are sorted by weight within
    their node, with prefix sums of their masses relative to the node's largest weight (pcum, fcum;
    ptop, ftop; prel, frel: each entry's own), so per edge the smaller side is walked and the other one found by bisection; an
    edge whose every pair counts (or none does) costs one step."""
    m, k = par.shape
    work = 0
    mass = 0.0
    x = np.empty(k, np.int64)
    left = np.empty(k + 1, np.int64)
    suf = np.zeros(k + 1, np.int64)
    child = np.empty(k, np.int64)
    lcap = 1024
    while lcap < 4 * len(codes):
        lcap *= 2
    lmask = lcap - 1
    lkeys = np.full(lcap, -1, np.int64)
    lidx = np.empty(lcap, np.int64)
    for s in range(len(codes)):
        g = codes[s] * -7046029254386353131
        g = (g ^ (g >> 31)) & lmask
        while lkeys[g] != -1:
            g = (g + 1) & lmask
        lkeys[g] = codes[s]
        lidx[g] = s
    for p in range(m):
        a0, a1 = pseg[p], pseg[p + 1]
        if a0 == a1:
            continue
        u = par[p]
        for i in range(k - 1, -1, -1):
            suf[i] = suf[i + 1] + u[i]
        if suf[0] < c:
            continue
        left[0] = c
        for i in range(k - 1):
            x[i] = max(0, left[i] - suf[i + 1])
            left[i + 1] = left[i] - x[i]
        x[k - 1] = left[k - 1]
        while True:
            if work >= budget:
                return mass, 2, work
            work += 1
            w = 0
            for i in range(k):
                w -= qlf[x[i]]
                child[i] = u[i] - x[i]
            for i in range(1, k):
                v = child[i]
                j = i - 1
                while j >= 0 and child[j] > v:
                    child[j + 1] = child[j]
                    j -= 1
                child[j + 1] = v
            code = 0
            for i in range(k):
                code += child[i] * radix[i]
            g = code * -7046029254386353131
            g = (g ^ (g >> 31)) & lmask
            while lkeys[g] != code:
                g = (g + 1) & lmask
            ci = lidx[g]
            b0, b1 = fseg[ci], fseg[ci + 1]
            if b0 < b1 and pq[a0] + w + fq[b0] <= cutoff:
                if ptop[p] + w + ftop[ci] <= cutoff:  # every pair counts
                    mass += np.exp(const + (ptop[p] + w + ftop[ci]) / scale) * pcum[a1 - 1] * fcum[b1 - 1]
                else:
                    base = np.exp(const + (ptop[p] + w + ftop[ci]) / scale)
                    # pasts up to pa pair with every completion, from pb on with none (and the same
                    # for the completions, fa and fb): only the band between is walked, the
                    # smaller of the two bands
                    pa = _first_above(pq, a0, a1, cutoff - w - ftop[ci])
                    pb = _first_above(pq, pa, a1, cutoff - w - fq[b0])
                    fa = _first_above(fq, b0, b1, cutoff - w - ptop[p])
                    fb = _first_above(fq, fa, b1, cutoff - w - pq[a0])
                    acc = 0.0
                    if pa > a0:
                        acc += pcum[pa - 1] * fcum[b1 - 1]
                    if pb - pa <= fb - fa:
                        work += pb - pa
                        top = b1
                        for e in range(pa, pb):
                            top = _first_above(fq, b0, top, cutoff - pq[e] - w)
                            acc += prel[e] * fcum[top - 1]
                    else:
                        # the completions of the band with the pasts past pa (those before are counted)
                        work += fb - fa
                        if fa > b0:
                            acc += fcum[fa - 1] * (pcum[a1 - 1] - (pcum[pa - 1] if pa > a0 else 0.0))
                        top = a1
                        for f in range(fa, fb):
                            top = _first_above(pq, a0, top, cutoff - fq[f] - w)
                            if top > pa:
                                acc += frel[f] * (pcum[top - 1] - (pcum[pa - 1] if pa > a0 else 0.0))
                    mass += base * acc
            i = k - 2
            while i >= 0 and x[i] >= min(u[i], left[i]):
                i -= 1
            if i < 0:
                break
            x[i] += 1
            left[i + 1] = left[i] - x[i]
            for t2 in range(i + 1, k - 1):
                x[t2] = max(0, left[t2] - suf[t2 + 1])
                left[t2 + 1] = left[t2] - x[t2]
            x[k - 1] = left[k - 1]
    return mass, 0, work


_KERNELS: list = []
_KERNELS_LOCK = threading.Lock()


def fisher_prepare() -> None:
    """Compile (or load from numba's cache) the exact test's kernels now: before tests run in
    several threads, which then share them."""
    _kernels()


def _kernels():
    """The compiled kernels, or None without numba. Compiled on first use (10-30 s for the three)
    and cached on disk by numba: in NUMBA_CACHE_DIR when it is set, else beside this module when
    its folder is writable, else in the project's var/numba-cache when that is, else in the user's
    cache; with no writable cache they are compiled in every process. Once per process, whatever
    the threads asking."""
    if _KERNELS:
        return _KERNELS[0]
    with _KERNELS_LOCK:
        return _kernels_load()


def _kernels_load():
    if not _KERNELS:
        try:
            import numba
        except ImportError:
            _KERNELS.append(None)
            return None
        _cache_dir(numba)
        global _first_above  # called by _cross: compiled first
        try:
            _first_above = numba.njit(cache=True, nogil=True)(_first_above)
        except Exception:
            _first_above = numba.njit(nogil=True)(_first_above)
        compiled = []
        for fn in (_walk_forward, _walk, _cross):
            try:
                compiled.append(numba.njit(cache=True, nogil=True)(fn))
            except Exception:  # no writable cache: compile on every run instead
                compiled.append(numba.njit(nogil=True)(fn))
        _KERNELS.append(tuple(compiled))
    return _KERNELS[0]


_HERE = os.path.dirname(os.path.abspath(__file__))


def _cache_dir(numba, here: str = _HERE, var: str = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "var")) -> None:
    """Point numba's cache at var/numba-cache when this package's folder is read-only (a deployed
    copy) and no cache folder was chosen (NUMBA_CACHE_DIR)."""
    if numba.config.CACHE_DIR:
        return
    pycache = os.path.join(here, "__pycache__")
    if os.access(pycache if os.path.isdir(pycache) else here, os.W_OK):
        return
    target = os.path.join(var, "numba-cache")
    try:
        os.makedirs(target, exist_ok=True)
    except OSError:
        return
    if os.access(target, os.W_OK):
        numba.config.CACHE_DIR = target


_NONE_I = np.zeros(0, np.int64)
_NONE_F = np.zeros(0, np.float64)


def _network_p_compiled(table: np.ndarray, budget: list[int], kernels) -> float:
    walk_forward, walk, cross = kernels
    rows = np.sort(table.sum(axis=1))
    cols = _column_order(table.sum(axis=0))
    n = int(rows.sum())
    lf = special.gammaln(np.arange(n + 1) + 1.0)
    scale = min(1e12, 2.0 ** 60 / max(lf[n], 1.0))
    qlf = np.rint(lf * scale).astype(np.int64)
    const = lf[rows].sum() + lf[cols].sum() - lf[n]
    cutoff = math.floor((-lf[table.ravel()].sum() + FEXACT_TOL) * scale)
    nstage, k = len(cols), len(rows)
    base = int(rows.max()) + 1
    radix = base ** np.arange(k, dtype=np.int64)
    imax, imin = np.iinfo(np.int64).max, np.iinfo(np.int64).min

    def spend(work):
        _spend(budget, int(work))

    # forward: the nodes of every stage (sorted codes), shortest and longest path to them, degrees
    codes = [rows @ radix]
    nodes = [rows[None, :]]
    first_low, first_high = [np.zeros(1, np.int64)], [np.zeros(1, np.int64)]
    outdeg, indeg = [], [np.ones(1, np.int64)]
    edges = 0
    for j in range(nstage - 1):
        edges += _count_edges(nodes[j], int(cols[j]))
        if edges > NETWORK_EDGES or 2 * edges > budget[0]:  # walked twice at least: stop before
            raise _TooLarge
        keys, fl, fh, ind, outd, status, work = walk_forward(
            nodes[j], int(cols[j]), radix, qlf, first_low[j], first_high[j], HELD_WEIGHTS, max(budget[0], 0))
        spend(work)
        if status:
            raise _TooLarge
        used = keys != -1
        order = np.argsort(keys[used])
        codes.append(keys[used][order])
        nodes.append(codes[-1][:, None] // radix % base)
        first_low.append(fl[used][order])
        first_high.append(fh[used][order])
        indeg.append(ind[used][order])
        outdeg.append(outd)
    # backward: shortest and longest completion of every node
    last = -qlf[nodes[-1]].sum(axis=1)
    low, high = [last] * nstage, [last] * nstage
    for j in range(nstage - 2, -1, -1):
        low[j] = np.full(len(nodes[j]), imax)
        high[j] = np.full(len(nodes[j]), imin)
        *_, status, work = walk(nodes[j], int(cols[j]), radix, qlf, codes[j + 1], 0, low[j + 1], high[j + 1],
                                low[j], high[j], _NONE_I, _NONE_I, _NONE_F, _NONE_F, 0.0, 1.0, 0, 0,
                                max(budget[0], 0))
        spend(work)
        if status:
            raise _TooLarge
    log_mass = [lf[nd.sum(axis=1)] - lf[nd].sum(axis=1) - lf[cols[j:]].sum() for j, nd in enumerate(nodes)]

    p = 0.0
    if high[0][0] <= cutoff:
        return 1.0
    past = (np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1))  # node, weight, count
    future = (np.arange(len(last)), last, np.ones(len(last)))
    future = _keep_future(future, nstage - 1, first_low, first_high, cutoff, scale, len(nodes[-1]))
    jf, jb = 0, nstage - 1
    while jf < jb and len(past[0]) and len(future[0]):
        if jb == jf + 1:  # one stage apart: join across it, holding nothing
            mass, status, work = cross(nodes[jf], int(cols[jf]), radix, qlf, codes[jb],
                                       *_sides(past, len(nodes[jf]), scale), *_sides(future, len(nodes[jb]), scale),
                                       const, scale, cutoff, max(budget[0], 0))
            spend(work)
            if status:
                raise _TooLarge
            return float(min(1.0, p + mass))
        forward_cost = int(outdeg[jf][past[0]].sum())
        backward_cost = int(indeg[jb][future[0]].sum())
        if forward_cost <= backward_cost:
            ids, q, mult = past
            seg = np.searchsorted(ids, np.arange(len(nodes[jf]) + 1))
            hid, hq, hm, mass, status, work = walk(
                nodes[jf], int(cols[jf]), radix, qlf, codes[jf + 1], 1, low[jf + 1], high[jf + 1], _NONE_I,
                _NONE_I, seg, q, mult, log_mass[jf + 1], const, scale, cutoff, HELD_WEIGHTS, max(budget[0], 0))
            jf += 1
            spend(work)
            if status:
                raise _TooLarge
            p += mass
            used = hid != -1
            past = _merge(hid[used], hq[used], hm[used])
        else:
            ids, q, mult = future
            seg = np.searchsorted(ids, np.arange(len(nodes[jb]) + 1))
            hid, hq, hm, _, status, work = walk(
                nodes[jb - 1], int(cols[jb - 1]), radix, qlf, codes[jb], 2, _NONE_I, _NONE_I, first_low[jb - 1],
                first_high[jb - 1], seg, q, mult, _NONE_F, const, scale, cutoff, HELD_WEIGHTS, max(budget[0], 0))
            jb -= 1
            spend(work)
            if status:
                raise _TooLarge
            used = hid != -1
            future = _keep_future((hid[used], hq[used], hm[used]), jb, first_low, first_high, cutoff, scale,
                                  len(nodes[jb]))
    if jf == jb and len(past[0]) and len(future[0]):
        p += _join(past, future, cutoff, const, scale)
    return float(min(1.0, p))


def _sides(entries, nnodes, scale):
    """Entries sorted by node, then weight, as the cross join reads them: the segment of each node,
    the weights, each multiplicity times exp(weight - the node's largest weight), their prefix sums
    within the node, and that largest weight."""
    ids, q, mult = entries
    seg = np.searchsorted(ids, np.arange(nnodes + 1))
    top = np.zeros(nnodes, np.int64)
    has = seg[1:] > seg[:-1]
    top[has] = q[seg[1:][has] - 1]
    rel = mult * np.exp((q - top[ids]) / scale)
    cum = pd.Series(rel).groupby(ids).cumsum().to_numpy() if len(ids) else rel  # within each node
    return seg, q, rel, cum, top


def _column_order(cols):
    """The order of the stages: the largest column first (one node fans out), the second largest last
    (its stage has no edges), the others from the largest down (measured: esoph's 4 x 4 walks 40 %
    fewer edges than in descending order, a 4 x 6 with even margins as many)."""
    desc = np.sort(cols)[::-1]
    if len(desc) < 3:
        return desc
    return np.r_[desc[:1], desc[2:], desc[1:2]]


def _count_edges(caps: np.ndarray, total: int) -> float:
    """Number of compositions of ``total`` bounded by each row of ``caps`` (the edges leaving the
    nodes of a stage), summed; by a dynamic programme over the parts, in blocks of nodes."""
    out = 0.0
    for first in range(0, len(caps), 4096):
        block = caps[first:first + 4096]
        ways = np.zeros((len(block), total + 1))
        ways[:, 0] = 1.0
        for i in range(block.shape[1]):
            cum = np.cumsum(ways, axis=1)
            lag = np.arange(total + 1)[None, :] - block[:, i:i + 1] - 1
            ways = cum - np.where(lag >= 0, np.take_along_axis(cum, np.maximum(lag, 0), axis=1), 0.0)
        out += float(ways[:, total].sum())
    return out


def _keep_future(entries, j, first_low, first_high, cutoff, scale, nnodes):
    """Completions at stage j: drop those no past can bring under the cutoff; fold those every past
    does into one entry per node at the node's largest such weight (multiplicities scaled by at most
    1); merged and sorted by node, then weight."""
    ids, q, mult = entries
    keep = q + first_low[j][ids] <= cutoff
    ids, q, mult = ids[keep], q[keep], mult[keep]
    always = q + first_high[j][ids] <= cutoff
    if always.any():
        floor = np.full(nnodes, np.iinfo(np.int64).min)
        np.maximum.at(floor, ids[always], q[always])
        mult = mult.copy()
        mult[always] *= np.exp((q[always] - floor[ids[always]]) / scale)
        q = np.where(always, floor[ids], q)
    return _merge(ids, q, mult)


def _network_p_numpy(table: np.ndarray, budget: list[int]) -> float:
    """The network in numpy, every edge held (the fallback when numba is missing or the nodes do not
    fit one integer key)."""
    rows = np.sort(table.sum(axis=1))
    cols = np.sort(table.sum(axis=0))[::-1]
    n = int(rows.sum())
    lf = special.gammaln(np.arange(n + 1) + 1.0)
    # Weights live on an integer grid: sum log x! over a table never exceeds log n!, so the grid
    # is as fine as int64 allows, and at most 1e-12.
    scale = min(1e12, 2.0 ** 60 / max(lf[n], 1.0))
    qlf = np.rint(lf * scale).astype(np.int64)
    const = lf[rows].sum() + lf[cols].sum() - lf[n]
    cutoff = math.floor((-lf[table.ravel()].sum() + FEXACT_TOL) * scale)
    nstage, k = len(cols), len(rows)
    base = int(rows.max()) + 1
    radix = base ** np.arange(k, dtype=np.int64) if k * math.log2(base) < 62 else None
    # The network: nodes[j] holds the sorted row totals left before column j; edges[j] joins
    # nodes[j] (parent) to nodes[j + 1] (child), with the column's weight on the grid.
    nodes, edges = [rows[None, :]], []
    cells = [EDGE_CELLS]
    for j in range(nstage - 1):
        owners, weights, codes = [], [], []
        for first in range(0, len(nodes[j]), 256):
            block = nodes[j][first:first + 256]
            owner, x = _compositions(int(cols[j]), block, cells[0] // k)
            _spend(cells, len(owner) * k)
            _spend(budget, len(owner))
            children = np.sort(block[owner] - x, axis=1)
            owners.append(owner + first)
            weights.append(-qlf[x].sum(axis=1))
            codes.append(children @ radix if radix is not None else children)
        if radix is not None:
            unique_codes, inverse = np.unique(np.concatenate(codes), return_inverse=True)
            unique = unique_codes[:, None] // radix % base
        else:
            unique, inverse = np.unique(np.concatenate(codes), axis=0, return_inverse=True)
        nodes.append(unique)
        edges.append((np.concatenate(owners), inverse.ravel(), np.concatenate(weights)))
    last = -qlf[nodes[-1]].sum(axis=1)
    low, high = [last] * nstage, [last] * nstage
    for j in range(nstage - 2, -1, -1):
        parent, child, w = edges[j]
        low[j] = np.full(len(nodes[j]), np.iinfo(np.int64).max)
        high[j] = np.full(len(nodes[j]), np.iinfo(np.int64).min)
        np.minimum.at(low[j], parent, w + low[j + 1][child])
        np.maximum.at(high[j], parent, w + high[j + 1][child])
    log_mass = [lf[nd.sum(axis=1)] - lf[nd].sum(axis=1) - lf[cols[j:]].sum() for j, nd in enumerate(nodes)]

    # shortest and longest path from the first node to every node
    first_low, first_high = [np.zeros(1, np.int64)], [np.zeros(1, np.int64)]
    for j in range(nstage - 1):
        parent, child, w = edges[j]
        first_low.append(np.full(len(nodes[j + 1]), np.iinfo(np.int64).max))
        first_high.append(np.full(len(nodes[j + 1]), np.iinfo(np.int64).min))
        np.minimum.at(first_low[j + 1], child, first_low[j][parent] + w)
        np.maximum.at(first_high[j + 1], child, first_high[j][parent] + w)

    p = [0.0]

    def settle_past(j, ids, q, mult):
        """Add the pasts at stage j whose every completion counts; keep those some completion may."""
        closed = q + high[j][ids] <= cutoff
        if closed.any():
            p[0] += float(np.sum(mult[closed] * np.exp(const + q[closed] / scale + log_mass[j][ids[closed]])))
        keep = ~closed & (q + low[j][ids] <= cutoff)
        return ids[keep], q[keep], mult[keep]

    def settle_future(j, ids, q, mult):
        """Drop the completions at stage j that no past can bring under the cutoff; those that every
        past does are folded into one entry per node, at the node's largest such weight (so the
        multiplicities are scaled by factors of at most 1 and cannot overflow)."""
        keep = q + first_low[j][ids] <= cutoff
        ids, q, mult = ids[keep], q[keep], mult[keep]
        always = q + first_high[j][ids] <= cutoff
        if always.any():
            floor = np.full(len(nodes[j]), np.iinfo(np.int64).min)
            np.maximum.at(floor, ids[always], q[always])
            mult = mult.copy()
            mult[always] *= np.exp((q[always] - floor[ids[always]]) / scale)
            q = np.where(always, floor[ids], q)
        return ids, q, mult

    past = settle_past(0, np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1))  # node, weight, count
    future = (np.arange(len(last)), last, np.ones(len(last)))
    jf, jb = 0, nstage - 1
    while jf < jb and len(past[0]) and len(future[0]):
        forward_cost = int(np.bincount(past[0], minlength=len(nodes[jf]))[edges[jf][0]].sum())
        backward_cost = int(np.bincount(future[0], minlength=len(nodes[jb]))[edges[jb - 1][1]].sum())
        if forward_cost <= backward_cost:
            jf += 1
            past = _expand(past, edges[jf - 1][0], edges[jf - 1][1], edges[jf - 1][2], budget,
                           lambda *e: settle_past(jf, *e))
        else:
            jb -= 1
            future = _expand(future, edges[jb][1], edges[jb][0], edges[jb][2], budget,
                             lambda *e: settle_future(jb, *e))
    if jf == jb and len(past[0]) and len(future[0]):
        p[0] += _join(past, future, cutoff, const, scale)
    return float(min(1.0, p[0]))


EXPAND_CHUNK = 1_000_000  # weights generated at once: bounds the memory of one step


def _expand(entries, source, target, w, budget, settle):
    """Carry the weights of every source node along its edges (one entry per edge and weight),
    settle them at the target stage, and merge equal ones."""
    ids, q, mult = entries
    if len(ids) > 1 and (ids[1:] < ids[:-1]).any():
        order = np.argsort(ids, kind="stable")
        ids, q, mult = ids[order], q[order], mult[order]
    count = np.bincount(ids, minlength=int(source.max()) + 1)
    start = np.cumsum(count) - count
    per_edge = count[source]
    _spend(budget, int(per_edge.sum()))
    ends = np.cumsum(per_edge)
    cuts = np.searchsorted(ends, np.arange(EXPAND_CHUNK, int(ends[-1]), EXPAND_CHUNK), side="left")
    parts = []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(source)]):
        pe = per_edge[lo:hi]
        total = int(pe.sum())
        e = lo + np.repeat(np.arange(hi - lo), pe)
        idx = start[source[e]] + (np.arange(total) - np.repeat(np.cumsum(pe) - pe, pe))
        parts.append(_merge(*settle(target[e], q[idx] + w[e], mult[idx])))
        if sum(len(part[0]) for part in parts) > HELD_WEIGHTS:
            raise _TooLarge
    if len(parts) == 1:
        return parts[0]
    return _merge(*(np.concatenate(a) for a in zip(*parts)))


def _merge(ids, q, mult):
    """Merge entries of equal (node, weight), summing their multiplicities; sorted by node, weight."""
    if not len(ids):
        return ids, q, mult
    qmin = int(q.min())
    span = int(q.max()) - qmin + 1
    if (int(ids.max()) + 1) * span < 2 ** 62:  # one integer key: hash it, then sort the distinct keys
        codes, keys = pd.factorize(ids * span + (q - qmin), sort=True)
        return keys // span, keys % span + qmin, np.bincount(codes, weights=mult, minlength=len(keys))
    order = np.lexsort((q, ids))
    ids, q, mult = ids[order], q[order], mult[order]
    new = np.r_[True, (ids[1:] != ids[:-1]) | (q[1:] != q[:-1])]
    starts = np.flatnonzero(new)
    return ids[starts], q[starts], np.add.reduceat(mult, starts)


def _join(past, future, cutoff, const, scale):
    """Where the two sides meet: every past with the completions that keep the total weight at
    most the cutoff, through prefix sums of the sorted completions of its node."""
    b_ids, b_q, b_m = future  # sorted by node, then weight
    seg = np.searchsorted(b_ids, np.arange(int(b_ids.max()) + 2))
    ids, q, mult = past
    order = np.argsort(ids, kind="stable")
    ids, q, mult = ids[order], q[order], mult[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    p = 0.0
    for s, e in zip(starts, np.r_[starts[1:], len(ids)]):
        v = ids[s]
        fq, fm = b_q[seg[v]:seg[v + 1]], b_m[seg[v]:seg[v + 1]]
        top = fq[-1]
        cum = np.cumsum(fm * np.exp((fq - top) / scale))
        pos = np.searchsorted(fq, cutoff - q[s:e], side="right")
        hit = pos > 0
        p += float(np.sum(mult[s:e][hit] * np.exp(const + (q[s:e][hit] + top) / scale) * cum[pos[hit] - 1]))
    return p


def _compositions(total: int, caps: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Every x with sum(x) == total and 0 <= x <= caps, for every row of ``caps`` at once.
    Returns the row each composition belongs to and the compositions, one per row. Raises
    ``_TooLarge`` as soon as there are more than ``most`` (every partial vector is the prefix
    of at least one composition, so their number only grows)."""
    m, k = caps.shape
    suffix = np.zeros((m, k + 1), dtype=np.int64)
    suffix[:, :k] = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1]
    owner = np.flatnonzero(suffix[:, 0] >= total)
    left = np.full(len(owner), total, dtype=np.int64)
    parts: list[np.ndarray] = []
    for i in range(k - 1):
        lo = np.maximum(0, left - suffix[owner, i + 1])
        cnt = np.minimum(caps[owner, i], left) - lo + 1
        if int(cnt.sum()) > most:
            raise _TooLarge
        rep = np.repeat(np.arange(len(left)), cnt)
        v = lo[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        parts = [c[rep] for c in parts] + [v]
        owner, left = owner[rep], left[rep] - v
    parts.append(left)
    return owner, np.column_stack(parts)


def crosstab(data: pd.DataFrame, row: str, col: str, *, exact: bool | None = None,
             exact_limit: int | None = None, exact_test=None) -> CrosstabResult:
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
    exact_test : callable, optional
        ``exact_test(table, limit=...)`` in place of :func:`fisher_exact_rxc`, which it must equal
        (a caller's cache of its results).

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
        exact_p = (exact_test or fisher_exact_rxc)(obs.astype(np.int64),
                                                   limit=EXACT_LIMIT if exact_limit is None else exact_limit)
        if exact_p is None:
            notes.append("The table is too large for the exact test; the chi-square p-value is approximate "
                         "(fisher_monte_carlo gives a simulated p-value, as R's fisher.test(simulate.p.value = TRUE)).")
    return CrosstabResult(
        row=row, col=col, counts=counts, row_percent=row_percent, col_percent=col_percent, expected=expected,
        adjusted_residuals=adjusted, chi2=chi2, dof=dof, p=float(stats.chi2.sf(chi2, dof)), g2=g2,
        g2_p=float(stats.chi2.sf(g2, dof)), cramers_v=cramers_v, n=n, sparse=sparse, exact_p=exact_p, notes=notes,
    )
