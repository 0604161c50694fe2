"""Choice questions as the figures of a publication: the % of each option of a single choice, the
number of respondents naming each option of a multiple choice, the combinations of options given,
and the summary of a numeric answer. Pure functions on DataFrames (no Django).

Every table is indexed by option code (or, for combinations, a tuple of option codes), keeps the
instrument's order (the published figure's), and carries ``attrs["n"]`` (the respondents counted)
and ``attrs["missing"]`` (those who left the question unanswered).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["option_percentages", "option_counts", "combination_percentages", "numeric_summary"]


def option_percentages(codes: pd.Series, labels: Mapping[int, str]) -> pd.DataFrame:
    """A single choice: per option (in the order of ``labels``), ``count`` and ``percent`` of the
    respondents who answered (``n``). ``codes`` holds option codes, missing where unanswered.

    Percentages are ``100 * count / n``, unrounded (R: ``prop.table(table(x)) * 100``)."""
    valid = codes.dropna().astype(int)
    n = int(len(valid))
    counts = valid.value_counts()
    frame = pd.DataFrame({"label": [labels[c] for c in labels],
                          "count": [int(counts.get(c, 0)) for c in labels]},
                         index=pd.Index(list(labels), name="code"))
    frame["percent"] = 100 * frame["count"] / n if n else np.nan
    frame.attrs.update({"n": n, "missing": int(len(codes) - n)})
    return frame


def option_counts(indicators: pd.DataFrame, labels: Mapping[int, str]) -> pd.DataFrame:
    """A multiple choice: per option, the number of respondents naming it (``count``) and the % of
    the ``n`` who answered the question (several answers allowed, so they can sum to more than 100).

    ``indicators`` has a 0/1 column per option code of ``labels`` (missing where unanswered)."""
    if list(indicators.columns) != list(labels):
        raise ValueError("Give one 0/1 column per option, in the order of the labels.")
    answered = indicators.notna().any(axis=1)
    n = int(answered.sum())
    counts = [int(indicators.loc[answered, c].fillna(0).sum()) for c in labels]
    frame = pd.DataFrame({"label": list(labels.values()), "count": counts}, index=pd.Index(list(labels), name="code"))
    frame["percent"] = 100 * frame["count"] / n if n else np.nan
    frame.attrs.update({"n": n, "missing": int(len(indicators) - n)})
    return frame


def combination_percentages(indicators: pd.DataFrame, labels: Mapping[int, str], *, separator: str = ", "
                            ) -> pd.DataFrame:
    """A multiple choice as the combinations respondents gave: per distinct set of options, its
    ``count`` and ``percent`` of the ``n`` who answered; the most frequent first (ties in the order
    of their first option). ``label`` joins the options' labels with ``separator``."""
    if list(indicators.columns) != list(labels):
        raise ValueError("Give one 0/1 column per option, in the order of the labels.")
    answered = indicators.notna().any(axis=1)
    n = int(answered.sum())
    position = {code: i for i, code in enumerate(labels)}
    combos: dict[tuple[int, ...], int] = {}
    for _index, row in indicators.loc[answered].iterrows():
        combo = tuple(code for code in labels if row[code] == 1)
        combos[combo] = combos.get(combo, 0) + 1
    ordered = sorted(combos.items(), key=lambda kv: (-kv[1], [position[c] for c in kv[0]]))
    frame = pd.DataFrame({
        "label": [separator.join(labels[c] for c in combo) for combo, _count in ordered],
        "count": [count for _combo, count in ordered],
    }, index=pd.Index([combo for combo, _count in ordered], name="options", tupleize_cols=False))
    frame["percent"] = 100 * frame["count"] / n if n else np.nan
    frame.attrs.update({"n": n, "missing": int(len(indicators) - n)})
    return frame


def numeric_summary(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per numeric column: ``n`` (answers), ``mean``, ``sd`` (n − 1), ``median``, ``min``, ``max``
    and ``missing`` (R: ``mean``, ``sd``, ``median``, ``range``)."""
    rows = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64").dropna()
        n = int(len(values))
        rows.append({"n": n, "mean": values.mean() if n else np.nan, "sd": values.std(ddof=1) if n > 1 else np.nan,
                     "median": values.median() if n else np.nan, "min": values.min() if n else np.nan,
                     "max": values.max() if n else np.nan, "missing": int(len(frame) - n)})
    return pd.DataFrame(rows, index=pd.Index(list(columns), name="variable"))
