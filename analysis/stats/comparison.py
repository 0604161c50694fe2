"""Two samples of ordinal items side by side: mean codes, change, Mann-Whitney U per item."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests


def _codes(series: pd.Series) -> pd.Series:
    """1-based category codes of an ordered Categorical, missing answers dropped."""
    return series.cat.codes.replace(-1, np.nan).dropna() + 1


def compare_items(frame_a: pd.DataFrame, frame_b: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Per item the mean code in each sample, the change b - a, and a Mann-Whitney U test.

    The test is two-sided, with the normal approximation and tie and continuity correction: R's
    ``wilcox.test(a, b, exact = FALSE)`` (``U`` is R's W). ``p_holm`` is Holm's adjustment for
    testing every item, R's ``p.adjust(p, "holm")``. An item answered the same by everyone in both
    samples is not tested (``p`` NaN, as R) and does not count in the adjustment.

    Parameters
    ----------
    frame_a, frame_b : DataFrame
        The two samples; ``items`` are ordered Categoricals in both.
    items : sequence of str
        The columns to compare.

    Returns
    -------
    DataFrame indexed by item, columns ``n_a``, ``mean_a``, ``n_b``, ``mean_b``, ``change``, ``U``,
    ``p``, ``p_holm``.
    """
    rows = []
    for item in items:
        a, b = _codes(frame_a[item]), _codes(frame_b[item])
        stat = p = float("nan")
        if len(a) and len(b):
            u = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
            stat = float(u.statistic)
            p = float("nan") if pd.concat([a, b]).nunique() == 1 else float(u.pvalue)
        rows.append({"item": item, "n_a": len(a), "mean_a": a.mean(), "n_b": len(b), "mean_b": b.mean(),
                     "change": b.mean() - a.mean(), "U": stat, "p": p})
    table = pd.DataFrame(rows, columns=["item", "n_a", "mean_a", "n_b", "mean_b", "change", "U", "p"]).set_index("item")
    tested = table["p"].notna()
    table["p_holm"] = np.nan
    if tested.any():
        table.loc[tested, "p_holm"] = multipletests(table.loc[tested, "p"], method="holm")[1]
    return table
