"""The report's figures, drawn with matplotlib: sober greyscale charts for print.

Each function takes a table of :mod:`analysis.tables` and returns a matplotlib Figure;
``figure_bytes`` writes it as PNG (300 dpi), SVG (text kept as text) or PDF (TrueType fonts
embedded). Fonts: DejaVu Sans, which has Cyrillic.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

FORMATS = ("png", "svg", "pdf")
STYLE = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,   # TrueType, embedded (journals reject Type 3)
    "ps.fonttype": 42,
    "svg.fonttype": "none",  # text stays text
}
matplotlib.rcParams.update(STYLE)

GREYS = ["#1a1a1a", "#595959", "#8c8c8c", "#bfbfbf", "#e0e0e0"]
HATCHES = ["", "//", "..", "xx", "\\\\"]


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


def coded_counts_figure(counts: pd.DataFrame, *, n: int, title: str, note: str, xlabel: str) -> plt.Figure:
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
    """The figure as PNG (300 dpi), SVG or PDF; closes it."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown figure format {fmt!r}.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=300 if fmt == "png" else None, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
