"""Agreement between coders of open answers: percent agreement, Cohen's kappa, Krippendorff's alpha."""
from __future__ import annotations

from typing import Sequence

import krippendorff
import numpy as np
import pandas as pd

__all__ = ["percent_agreement", "cohens_kappa", "krippendorff_alpha", "agreement_table"]


def _pairs(a: Sequence, b: Sequence) -> tuple[np.ndarray, np.ndarray]:
    a, b = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if len(a) != len(b):
        raise ValueError("Both coders must code the same units (sequences of equal length).")
    keep = a.notna() & b.notna()
    if not keep.any():
        raise ValueError("No unit was coded by both coders.")
    return a[keep].to_numpy(), b[keep].to_numpy()


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units (coded by both) on which the two coders agree, in percent."""
    x, y = _pairs(a, b)
    return float(np.mean(x == y) * 100)


def cohens_kappa(a: Sequence, b: Sequence) -> float:
    r"""Cohen's kappa for two coders, nominal categories: :math:`(p_o - p_e) / (1 - p_e)`.

    :math:`p_o` is the observed agreement and :math:`p_e = \sum_k p_{a,k} p_{b,k}` the agreement
    expected from each coder's marginal distribution (as ``irr::kappa2``, unweighted). Units coded
    by only one coder are left out. NaN when :math:`p_e = 1` (both coders used one category).
    """
    x, y = _pairs(a, b)
    categories = sorted(set(x) | set(y), key=str)
    po = np.mean(x == y)
    pe = sum(np.mean(x == c) * np.mean(y == c) for c in categories)
    return float("nan") if pe == 1 else float((po - pe) / (1 - pe))


def krippendorff_alpha(reliability_data, level: str = "nominal") -> float:
    r"""Krippendorff's alpha: :math:`1 - D_o / D_e`, any number of coders, missing codings allowed.

    ``reliability_data`` is coders × units (rows are coders; NaN where a coder did not code a unit).
    Computed by the ``krippendorff`` package; checked against the worked example of Krippendorff
    (2011), "Computing Krippendorff's alpha-reliability" (nominal, four coders, missing data:
    0.743).
    """
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2:
        raise ValueError("Give a coders × units array with at least two coders.")
    pairable = np.sum(~np.isnan(data), axis=0) >= 2
    if not pairable.any():
        raise ValueError("No unit was coded by two coders or more.")
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if len(values) < 2:
        return float("nan")  # a single value used throughout: alpha is undefined
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def agreement_table(codings: pd.DataFrame, *, unit: str = "unit", coder: str = "coder", code: str = "code",
                    codes: Sequence | None = None) -> pd.DataFrame:
    """Agreement per code and overall, from a long table with one row per unit × coder × code applied.

    Each code is a binary decision per unit and coder (applied or not), over the units each coder
    coded (a unit × coder pair with no code at all is written with ``code`` NaN). Per code: the number
    of units, percent agreement and Cohen's kappa (when exactly two coders) and Krippendorff's alpha
    (nominal). "overall" pools the binary decisions of every code.
    """
    for col in (unit, coder, code):
        if col not in codings.columns:
            raise ValueError(f"Column {col!r} is not in the codings.")
    coders = sorted(codings[coder].dropna().unique(), key=str)
    if len(coders) < 2:
        raise ValueError("Agreement needs at least two coders.")
    units = sorted(codings[unit].dropna().unique(), key=str)
    applied = codings.dropna(subset=[code])
    all_codes = list(codes) if codes is not None else sorted(applied[code].unique(), key=str)
    coded_pairs = set(zip(codings[unit], codings[coder]))
    present = set(zip(applied[unit], applied[coder], applied[code]))
    rows, pooled = [], {c: [] for c in coders}
    for c in all_codes:
        matrix = np.full((len(coders), len(units)), np.nan)
        for i, cd in enumerate(coders):
            for j, u in enumerate(units):
                if (u, cd) in coded_pairs:
                    matrix[i, j] = 1.0 if (u, cd, c) in present else 0.0
        for i, cd in enumerate(coders):
            pooled[cd].extend(matrix[i].tolist())
        rows.append(_row(c, matrix, len(coders)))
    rows.append(_row("overall", np.array([pooled[cd] for cd in coders]), len(coders)))
    return pd.DataFrame(rows).set_index("code")


def _row(name, matrix: np.ndarray, n_coders: int) -> dict:
    both = np.all(~np.isnan(matrix), axis=0)
    row = {"code": name, "units": int(both.sum()),
           "percent_agreement": float(np.mean(np.all(matrix[:, both] == matrix[0, both], axis=0)) * 100)
           if both.any() else float("nan")}
    row["cohens_kappa"] = cohens_kappa(matrix[0], matrix[1]) if n_coders == 2 and both.any() else float("nan")
    try:
        row["krippendorff_alpha"] = krippendorff_alpha(matrix)
    except ValueError:
        row["krippendorff_alpha"] = float("nan")
    return row
