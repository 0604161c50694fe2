"""The report of a wave: the tables and figures the papers publish, computed from its frame.

Each function takes a wave's frame (from :mod:`analysis.frames`) and returns DataFrames or
result objects of :mod:`analysis.stats`; views, downloads and the ``analyze`` command present
them. Nothing here queries responses.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .stats import crosstab as crosstab_mod  # noqa: E402
from .stats import distribution, ordinal, reliability  # noqa: E402

PROFILE_QUESTIONS = ["region", "sector", "size", "ownership", "position", "cluster_member"]
MODEL_PROFILE_QUESTIONS = ["size", "region"]  # the profile questions of the default model


@dataclass
class Scale:
    """The items of a four-point scale in order, their blocks, and the display order of categories."""

    items: list[str]
    blocks: dict[str, list[str]]
    item_labels: dict[str, str]


def scale_of(variables, groups: dict[str, list[str]]) -> Scale:
    items = [code for block in groups.values() for code in block]
    order = [v.name for v in variables if v.name in set(items)]
    return Scale(items=order, blocks=groups, item_labels={v.name: v.label_en for v in variables if v.name in items})


def table1(frame: pd.DataFrame, items: Sequence[str], *, split_by: str | None = None, whole: bool = True
           ) -> pd.DataFrame:
    """Table 1: per item the % of respondents in each category, highest category first, with n.

    With ``split_by`` (a profile question), one block of rows per group, indexed (group, item).
    """
    if not items:
        raise ValueError("This instrument has no scale items to tabulate.")
    categories = list(frame[items[0]].cat.categories)[::-1]  # Very high ... Low
    if split_by is None:
        return distribution.item_distribution(frame, items, categories, decimals=1, whole=whole)
    if split_by not in frame.columns:
        raise ValueError(f"Unknown profile question {split_by!r}.")
    parts = {}
    for group, sub in frame.groupby(split_by, observed=False):
        if len(sub):
            parts[group] = distribution.item_distribution(sub, items, categories, decimals=1, whole=whole)
    return pd.concat(parts, names=[split_by, "item"])


def block_scores(frame: pd.DataFrame, blocks: dict[str, list[str]]) -> pd.DataFrame:
    """Mean item code (1..4) of each block, per respondent."""
    out = {}
    for name, items in blocks.items():
        codes = pd.DataFrame({i: frame[i].cat.codes.replace(-1, np.nan) + 1 for i in items})
        out[name] = codes.mean(axis=1, skipna=False)
    return pd.DataFrame(out, index=frame.index)


def reliability_tables(frame: pd.DataFrame, scale: Scale) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The block table (alpha with CI, ordinal alpha, omega per block and for the scale) and the item table."""
    table = reliability.block_reliability(frame, scale.blocks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        items = reliability.cronbach_alpha(frame, scale.items).items
    return table, items


def crosstab(frame: pd.DataFrame, item: str, by: str, *, exact_limit: int | None = None
             ) -> crosstab_mod.CrosstabResult:
    return crosstab_mod.crosstab(frame, by, item, exact_limit=exact_limit)


def default_model_data(frame: pd.DataFrame, blocks: dict[str, list[str]]) -> tuple[pd.DataFrame, str]:
    """readiness on the four block scores, size and region: the report's default model."""
    data = pd.concat([frame[["readiness", "size", "region"]], block_scores(frame, blocks)], axis=1)
    formula = "readiness ~ " + " + ".join([*blocks, "size", "region"])
    return data, formula


def model_data(frame: pd.DataFrame, blocks: dict[str, list[str]], outcome: str, predictors: Sequence[str]
               ) -> tuple[pd.DataFrame, str]:
    """Data and formula for a chosen outcome and predictors (block scores, items or profile questions)."""
    scores = block_scores(frame, blocks)
    columns = {}
    for name in [outcome, *predictors]:
        if name in scores:
            columns[name] = scores[name]
        elif name in frame.columns:
            columns[name] = frame[name]
        else:
            raise ValueError(f"Unknown variable {name!r}.")
    if not predictors:
        raise ValueError("Choose at least one predictor.")
    if outcome in predictors:
        raise ValueError("The outcome cannot also be a predictor.")
    data = pd.DataFrame(columns)
    if not isinstance(data[outcome].dtype, pd.CategoricalDtype) or not data[outcome].cat.ordered:
        raise ValueError(f"The outcome {outcome!r} must be an ordered scale question.")
    return data, f"{outcome} ~ " + " + ".join(predictors)


def fit_model(data: pd.DataFrame, formula: str) -> ordinal.OrdinalResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ordinal.fit(data, formula)


def predicted_profiles(result: ordinal.OrdinalResult, data: pd.DataFrame, vary: str) -> pd.DataFrame:
    """Predicted category probabilities as ``vary`` moves over its range, others at typical values."""
    base = {}
    for col in result._rhs_columns:
        series = data[col].dropna()
        base[col] = series.mode().iloc[0] if isinstance(series.dtype, pd.CategoricalDtype) else float(series.mean())
    series = data[vary].dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        grid = [c for c in series.cat.categories if (series == c).any()]
    else:
        grid = list(np.linspace(series.min(), series.max(), 13))
    profiles = pd.DataFrame([{**base, vary: g} for g in grid])
    proba = result.predict_proba(profiles)
    proba.index = pd.Index(grid, name=vary)
    return proba


def figure1_counts(frame: pd.DataFrame, variables, question: str = "added_value", lang: str = "en") -> pd.DataFrame:
    """Figure 1's data: per category of a coded multiple-choice question, the number of interviews
    naming it (largest first), with ``n`` interviews in ``attrs["n"]``."""
    rows = []
    for var in variables:
        if var.question == question and var.name.startswith(f"{question}__"):
            code = int(var.name.split("__", 1)[1])
            label = var.label(lang).split(": ", 1)[-1]
            rows.append({"code": code, "label": label, "count": int(frame[var.name].fillna(0).sum())})
    if not rows:
        raise ValueError(f"This instrument has no coded question {question!r}.")
    table = pd.DataFrame(rows).sort_values(["count", "code"], ascending=[False, True]).set_index("code")
    table.attrs["n"] = len(frame)
    return table


# --- figures ----------------------------------------------------------------------------

GREYS = ["#1a1a1a", "#595959", "#8c8c8c", "#bfbfbf", "#e0e0e0"]
HATCHES = ["", "//", "..", "xx", "\\\\"]


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


def figure1(counts: pd.DataFrame, *, n: int, title: str, note: str, xlabel: str) -> plt.Figure:
    """Horizontal bars of the number of opinions per category, largest at the top (sober, greyscale)."""
    data = counts.sort_values("count")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(data) + 1.4))
    ax.barh(data["label"], data["count"], color="#595959", edgecolor="black", linewidth=0.6)
    for y, v in enumerate(data["count"]):
        ax.text(v + 0.15, y, str(int(v)), va="center", fontsize=9)
    ax.set_xlim(0, max(12, int(data["count"].max()) + 1))
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=11, loc="left")
    fig.text(0.01, 0.01, note, fontsize=8, ha="left", va="bottom")
    _style(ax)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def table1_figure(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Stacked horizontal bars of Table 1 (items top to bottom, categories left to right)."""
    labels = [c for c in table.columns if c not in ("n", "missing")]
    data = table[labels].astype(float).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(data) + 1.6))
    left = np.zeros(len(data))
    for i, label in enumerate(labels):
        ax.barh(range(len(data)), data[label], left=left, color=GREYS[i % len(GREYS)], hatch=HATCHES[i % len(HATCHES)],
                edgecolor="black", linewidth=0.5, label=label)
        left += data[label].to_numpy()
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels([str(i) for i in data.index], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%", fontsize=9)
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(ncol=len(labels), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    _style(ax)
    fig.tight_layout()
    return fig


def probability_figure(proba: pd.DataFrame, *, title: str, xlabel: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4))
    x = proba.index
    numeric = not isinstance(x[0], str)
    for i, col in enumerate(proba.columns):
        style = ["-", "--", "-.", ":", "-"][i % 5]
        ax.plot(range(len(x)) if not numeric else x, proba[col], style, color=GREYS[min(i, 3)], linewidth=1.8,
                label=str(col), marker="o" if not numeric else None)
    if not numeric:
        ax.set_xticks(range(len(x)))
        ax.set_xticklabels([str(v) for v in x], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("P", fontsize=9)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(fontsize=8, frameon=False)
    _style(ax)
    fig.tight_layout()
    return fig


def figure_bytes(fig: plt.Figure, fmt: str) -> bytes:
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"Unknown figure format {fmt!r}.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=300 if fmt == "png" else None, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def coefficient_table(result: ordinal.OrdinalResult) -> pd.DataFrame:
    return result.coefficients[["estimate", "std_err", "z", "p", "odds_ratio", "ci_low", "ci_high"]]


def fit_table(result: ordinal.OrdinalResult) -> pd.DataFrame:
    r2 = result.pseudo_r2
    return pd.DataFrame({"value": {
        "n": result.n, "log-likelihood": result.loglik, "null log-likelihood": result.loglik_null,
        "LR chi2": result.lr_chi2, "df": result.lr_df, "p": result.lr_p, "AIC": result.aic, "BIC": result.bic,
        "McFadden R2": r2["mcfadden"], "Cox-Snell R2": r2["cox_snell"], "Nagelkerke R2": r2["nagelkerke"]}})


def comparison(frame_a: pd.DataFrame, frame_b: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Two waves side by side: per item the mean code, the change, and a Mann-Whitney U test
    (two-sided, normal approximation with tie and continuity correction: R's
    ``wilcox.test(a, b, exact = FALSE)``), with ``p_holm``, Holm's adjustment for testing every
    item (R's ``p.adjust(p, "holm")``)."""
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    rows = []
    for item in items:
        a = frame_a[item].cat.codes.replace(-1, np.nan).dropna() + 1
        b = frame_b[item].cat.codes.replace(-1, np.nan).dropna() + 1
        if len(a) and len(b):
            u = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
            stat, p = float(u.statistic), float(u.pvalue)
            if pd.concat([a, b]).nunique() == 1:  # every answer the same: no test (R gives NaN)
                p = float("nan")
        else:
            stat = p = float("nan")
        rows.append({"item": item, "n_a": len(a), "mean_a": a.mean(), "n_b": len(b), "mean_b": b.mean(),
                     "change": b.mean() - a.mean(), "U": stat, "p": p})
    table = pd.DataFrame(rows).set_index("item")
    tested = table["p"].notna()
    table["p_holm"] = np.nan
    if tested.any():
        table.loc[tested, "p_holm"] = multipletests(table.loc[tested, "p"], method="holm")[1]
    return table

