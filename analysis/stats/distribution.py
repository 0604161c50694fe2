"""Item distributions: the paper's Table 1 (per item, % of respondents in each category)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["item_distribution", "largest_remainder", "ItemDistribution"]


def largest_remainder(percentages: Sequence[float], total: int = 100) -> np.ndarray:
    """Round percentages to whole numbers that still sum to ``total`` (largest-remainder method).

    Each value is floored; the units still missing go to the largest remainders. Ties go to the
    earlier column (a stable, documented rule), so the result is deterministic. A row of NaN (no
    valid answers) stays NaN.
    """
    values = np.asarray(percentages, dtype=float)
    if np.all(np.isnan(values)):
        return values
    floors = np.floor(values + 1e-9)
    remainders = values - floors
    missing = int(round(total - floors.sum()))
    order = np.argsort(-remainders, kind="stable")
    floors[order[:missing]] += 1
    return floors


@dataclass
class ItemDistribution:
    """Per item, the percentage of valid answers in each category, with ``n`` and ``missing``."""

    table: pd.DataFrame       # percentages (unrounded) + n + missing
    counts: pd.DataFrame      # counts per category
    categories: list[Any]
    labels: list[str]
    notes: list[str] = field(default_factory=list)

    def rounded(self, decimals: int = 1, *, whole: bool = False) -> pd.DataFrame:
        """The table for presentation: ``decimals`` places, or whole numbers summing to 100."""
        pct = self.table[self.labels]
        if whole:
            pct = pct.apply(lambda row: pd.Series(largest_remainder(row.to_numpy()), index=row.index), axis=1)
            pct = pct.astype("Int64")
        else:
            pct = pct.round(decimals)
        return pd.concat([pct, self.table[["n", "missing"]]], axis=1)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __str__(self) -> str:
        return "Item distribution (% of valid answers)\n" + self.rounded(1).to_string()


def item_distribution(
    data: pd.DataFrame,
    items: Sequence[str],
    categories: Sequence[Any],
    *,
    decimals: int | None = 1,
    whole: bool = False,
    labels: Sequence[str] | Mapping[Any, str] | None = None,
    item_labels: Mapping[str, str] | None = None,
) -> pd.DataFrame | ItemDistribution:
    """Distribution of answers per item: Table 1 of the paper.

    For item *i* and category *c*: ``100 * count(i == c) / n_i`` where ``n_i`` is the number of
    valid (non-missing) answers to *i*. Checked by hand against Table 1 (counts equal percentages
    when n = 100) and against R's ``prop.table(table(factor(x, levels)))``.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    items : sequence of str
        Item columns, in the order of the rows of the table.
    categories : sequence
        The categories in the order of the columns (e.g. ``[4, 3, 2, 1]`` for Very high ... Low, or
        the labels when the columns are Categoricals). Empty categories are kept.
    decimals : int or None
        Places to round to; ``None`` returns the :class:`ItemDistribution` object (unrounded, with
        counts).
    whole : bool
        Round to whole numbers that still sum to 100 in every row (largest remainder).
    labels : sequence or mapping, optional
        Column headings for the categories (default: the categories themselves).
    item_labels : mapping, optional
        Row headings for the items (default: the item codes).

    Returns
    -------
    DataFrame
        One row per item; one column per category, then ``n`` (valid answers) and ``missing``.

    Raises
    ------
    ValueError
        Unknown item columns; values outside ``categories``; no categories.
    """
    if not len(categories):
        raise ValueError("Give the categories, in the order of the table's columns.")
    missing_cols = [c for c in items if c not in data.columns]
    if missing_cols:
        raise ValueError(f"Items not in the data: {missing_cols}.")
    if labels is None:
        heads = [str(c) for c in categories]
    elif isinstance(labels, Mapping):
        heads = [str(labels.get(c, c)) for c in categories]
    else:
        heads = [str(x) for x in labels]
        if len(heads) != len(categories):
            raise ValueError("labels must have one entry per category.")
    rows, count_rows = [], []
    for item in items:
        col = data[item]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        valid = col.dropna()
        known = valid.isin(list(categories))
        if not known.all():
            bad = sorted({str(v) for v in valid[~known].unique()})[:5]
            raise ValueError(f"Item {item!r} has values outside the categories: {bad}.")
        counts = valid.value_counts().reindex(list(categories), fill_value=0).to_numpy(dtype=float)
        n = int(len(valid))
        pct = counts / n * 100 if n else np.full(len(categories), np.nan)
        rows.append([*pct, n, int(len(col) - n)])
        count_rows.append(counts.astype(int))
    index = pd.Index([(item_labels or {}).get(i, i) for i in items], name="item")
    table = pd.DataFrame(rows, index=index, columns=[*heads, "n", "missing"])
    table["n"] = table["n"].astype(int)
    table["missing"] = table["missing"].astype(int)
    result = ItemDistribution(table=table, counts=pd.DataFrame(count_rows, index=index, columns=heads),
                              categories=list(categories), labels=heads)
    if decimals is None and not whole:
        return result
    return result.rounded(decimals or 0, whole=whole)
