"""Each report table as it is printed: labels instead of codes, headers in words, numbers in the
style of :mod:`analysis.style`, in the report's language.

Every function takes a table's values (as :mod:`analysis.tables` and :mod:`analysis.stats` return
them) and returns a DataFrame of strings whose index is the table's first column (its name is the
column's header). The values stay in ``Table.data`` for the machine-readable downloads.
"""
from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd
from django.utils.translation import gettext as _

from . import style

Label = Callable[[str], str]


def _frame(rows: list[list[str]], index: list[str], columns: list[str], stub: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=pd.Index(index, name=stub), columns=columns, dtype=object)
    return frame


def distribution(data: pd.DataFrame, lang: str, label: Label, *, split_label: Label | None = None) -> pd.DataFrame:
    """Table 1: an item per row (its short label), the % of each category, n and missing answers."""
    categories = [c for c in data.columns if c not in ("n", "missing")]
    rows, index = [], []
    for key, row in data.iterrows():
        if isinstance(key, tuple):
            group, item = key
            index.append(f"{split_label(str(group)) if split_label else group}: {label(item)}")
        else:
            index.append(label(key))
        rows.append([style.integer(row[c], lang) for c in categories]
                    + [style.integer(row["n"], lang)] + ([style.integer(row["missing"], lang)]
                                                         if "missing" in data.columns else []))
    columns = [str(c) for c in categories] + ["n"] + ([_("Missing")] if "missing" in data.columns else [])
    return _frame(rows, index, columns, _("Item"))


def reliability(data: pd.DataFrame, lang: str, block_label: Label) -> pd.DataFrame:
    rows, index = [], []
    for key, row in data.iterrows():
        index.append(_("Whole scale") if key == "scale" else block_label(key))
        rows.append([style.integer(row["k"], lang), style.integer(row["n"], lang),
                     style.bounded(row["alpha"], 2, lang),
                     style.interval(row["ci_low"], row["ci_high"], 2, lang, is_bounded=True),
                     style.bounded(row["standardized_alpha"], 2, lang), style.bounded(row["ordinal_alpha"], 2, lang),
                     style.bounded(row["omega"], 2, lang)])
    return _frame(rows, index, ["k", "n", "α", _("95% CI"), _("α (std.)"), _("α (ordinal)"), "ω"], _("Block"))


def item_statistics(data: pd.DataFrame, lang: str, label: Label) -> pd.DataFrame:
    rows = [[style.number(r["mean"], 2, lang), style.number(r["sd"], 2, lang), style.bounded(r["item_rest_r"], 2, lang),
             style.bounded(r["alpha_if_deleted"], 2, lang)] for _key, r in data.iterrows()]
    return _frame(rows, [label(k) for k in data.index], ["M", "SD", _("Item-rest r"), _("α if deleted")], _("Item"))


def coefficients(data: pd.DataFrame, lang: str, label: Label, factors: dict[str, Sequence[str]]) -> pd.DataFrame:
    """Coefficients with the reference category of every factor named in a header row
    ("Size (ref. Micro)"), the levels below it."""
    rows, index, seen = [], [], set()
    for term, r in data.iterrows():
        factor = next((f for f in factors if term.startswith(f) and term[len(f):] in factors[f]), None)
        if factor is not None and factor not in seen:
            seen.add(factor)
            index.append(_("%(factor)s (ref. %(reference)s)") % {"factor": label(factor),
                                                                  "reference": factors[factor][0]})
            rows.append([""] * 6)
        name = f"    {term[len(factor):]}" if factor is not None else label(term)
        index.append(name)
        rows.append([style.number(r["estimate"], 2, lang), style.number(r["std_err"], 2, lang),
                     style.number(r["z"], 2, lang), style.p_value(r["p"], lang), style.number(r["odds_ratio"], 2, lang),
                     style.interval(r["ci_low"], r["ci_high"], 2, lang)])
    return _frame(rows, index, ["B", _("SE"), "z", "p", _("OR"), _("95% CI (OR)")], _("Predictor"))


def thresholds(data: pd.DataFrame, lang: str, label: Label | None = None) -> pd.DataFrame:
    """Thresholds "A | B"; in a partial proportional-odds model, ``"A|B.(Intercept)"`` is the threshold
    and ``"A|B.<term>"`` the term's effect on it."""
    rows, index = [], []
    for key, r in data.iterrows():
        threshold, _dot, term = str(key).partition(".")
        name = threshold.replace("|", " | ")
        if term and term != "(Intercept)":
            name = f"{label(term) if label else term}: {name}"
        index.append(name)
        rows.append([style.number(r["estimate"], 2, lang), style.number(r["std_err"], 2, lang)])
    return _frame(rows, index, [_("Estimate"), _("SE")], _("Threshold"))


def fit(data: pd.DataFrame, lang: str) -> pd.DataFrame:
    values = data["value"]
    names = {
        "n": ("n", style.integer), "log-likelihood": (_("Log-likelihood"), style.number),
        "null log-likelihood": (_("Null log-likelihood"), style.number),
        "LR chi2": (_("Likelihood-ratio χ²"), style.number), "df": ("df", style.integer), "p": ("p", style.p_value),
        "AIC": ("AIC", style.number), "BIC": ("BIC", style.number),
        "McFadden R2": (_("McFadden R²"), style.bounded), "Cox-Snell R2": (_("Cox–Snell R²"), style.bounded),
        "Nagelkerke R2": (_("Nagelkerke R²"), style.bounded),
    }
    rows, index = [], []
    for key, value in values.items():
        title, fmt = names.get(key, (str(key), style.number))
        index.append(title)
        rows.append([fmt(value, lang) if fmt in (style.integer, style.p_value) else fmt(value, 2, lang)])
    return _frame(rows, index, [_("Value")], _("Statistic"))


def tests(data: pd.DataFrame, lang: str, label: Label, *, statistic: str = "chi2") -> pd.DataFrame:
    """A table of tests per term (the Brant test, the nominal and scale tests): statistic, df, p."""
    rows, index = [], []
    for key, r in data.iterrows():
        index.append(_("Omnibus") if key == "omnibus" else label(str(key)))
        rows.append([style.number(r[statistic], 2, lang), style.integer(r["df"], lang), style.p_value(r["p"], lang)])
    return _frame(rows, index, ["χ²", "df", "p"], _("Predictor"))


def counts(data: pd.DataFrame, lang: str, n: int) -> pd.DataFrame:
    """A coded figure's counts: category, n and the % of the n answers counted."""
    rows = [[style.integer(r["count"], lang), style.percent(100 * r["count"] / n if n else float("nan"), 1, lang)]
            for _k, r in data.iterrows()]
    return _frame(rows, [str(v) for v in data["label"]], ["n", "%"], _("Category"))


def agreement(data: pd.DataFrame, lang: str, categories: dict[int, str]) -> pd.DataFrame:
    rows, index = [], []
    for key, r in data.iterrows():
        index.append(_("Overall") if key == "overall" else categories.get(key, str(key)))
        rows.append([style.integer(r["units"], lang), style.percent(r["percent_agreement"], 1, lang),
                     style.bounded(r["cohens_kappa"], 2, lang), style.bounded(r["krippendorff_alpha"], 2, lang)])
    return _frame(rows, index, [_("Units"), _("% agreement"), _("Cohen's κ"), _("Krippendorff's α")], _("Category"))


def crosstab(data: pd.DataFrame, lang: str, row_label: str, col_label: str) -> pd.DataFrame:
    rows = [[style.integer(v, lang) for v in r] for r in data.to_numpy().tolist()]
    return _frame(rows, [str(i) for i in data.index], [str(c) for c in data.columns], f"{row_label} \\ {col_label}")


def comparison(data: pd.DataFrame, lang: str, label: Label) -> pd.DataFrame:
    rows = [[style.integer(r["n_a"], lang), style.number(r["mean_a"], 2, lang), style.integer(r["n_b"], lang),
             style.number(r["mean_b"], 2, lang), style.number(r["change"], 2, lang), style.number(r["U"], 1, lang),
             style.p_value(r["p"], lang), style.p_value(r["p_holm"], lang)] for _k, r in data.iterrows()]
    return _frame(rows, [label(k) for k in data.index],
                  ["n (a)", "M (a)", "n (b)", "M (b)", _("Change"), "U", "p", _("p (Holm)")], _("Item"))


def frequencies(rows: list[tuple[str, int, float | None]], lang: str, *, missing: int | None,
                cases: bool) -> pd.DataFrame:
    """A question's frequency table: each option's n and % of valid answers (or, for a multiple
    choice, % of cases); the missing answers on a last row."""
    header = (_("%(percent)s of cases") if cases else _("%(percent)s of valid answers")) % {"percent": "%"}
    out = [[style.integer(n, lang), style.percent(pct, 1, lang)] for _label, n, pct in rows]
    index = [label for label, _n, _p in rows]
    if missing is not None:
        out.append([style.integer(missing, lang), ""])
        index.append(_("Missing"))
    return _frame(out, index, ["n", header], _("Answer"))


def numeric_summary(data: pd.DataFrame, lang: str, label: Label) -> pd.DataFrame:
    """Numeric questions: n, M, SD, median, minimum, maximum and the missing answers."""
    rows = [[style.integer(r["n"], lang), style.number(r["mean"], 1, lang), style.number(r["sd"], 1, lang),
             style.number(r["median"], 1, lang), style.number(r["min"], 0, lang), style.number(r["max"], 0, lang),
             style.integer(r["missing"], lang)] for _k, r in data.iterrows()]
    return _frame(rows, [label(k) for k in data.index],
                  ["n", "M", "SD", _("Median"), _("Minimum"), _("Maximum"), _("Missing")], _("Question"))
