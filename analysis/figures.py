"""The report's figures, drawn with matplotlib: sober greyscale charts for print.

Each function takes a table of :mod:`analysis.tables` and returns a matplotlib Figure;
``figure_bytes`` writes it as PNG (300 dpi), SVG (text kept as text) or PDF (TrueType fonts
embedded). Fonts: DejaVu Sans, which has Cyrillic; in PDF files its cut-down copy
(:mod:`analysis.figure_font`), which is embedded three times as fast and draws the same.
"""
from __future__ import annotations

import io
import textwrap
from contextlib import contextmanager
from typing import Iterator, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import figure_font  # noqa: E402

FORMATS = ("png", "svg", "pdf")
PNG_DPI = 300
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


PAGE_WIDTH = 17 / 2.54    # inches: a journal page (17 cm)
COLUMN_WIDTH = 8.5 / 2.54  # a journal column (8.5 cm)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def coded_counts_figure(counts: pd.DataFrame, *, n: int, xlabel: str) -> plt.Figure:
    """Horizontal bars of the number of answers per category, largest at the top (sober, greyscale),
    a page wide. The title and n belong in the caption, not in the image."""
    data = counts.sort_values("count")
    labels = [_wrap(label, 38) for label in data["label"]]
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.42 * len(data) + 0.9))
    ax.barh(range(len(data)), data["count"], color="#595959", edgecolor="black", linewidth=0.6)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(labels, fontsize=8)
    for y, v in enumerate(data["count"]):
        ax.text(v + 0.15, y, str(int(v)), va="center", fontsize=8)
    ax.set_xlim(0, int(data["count"].max() * 1.15) + 1)
    ax.set_xlabel(xlabel, fontsize=9)
    _style(ax)
    fig.tight_layout()
    return fig


def choice_bars_figure(table: pd.DataFrame, *, value: str, xlabel: str, decimal: str = ".") -> plt.Figure:
    """Horizontal bars of a choice question's ``count`` or ``percent`` per row, in the table's order
    from the top (the published figure's), each bar labelled with its value, a page wide."""
    values = table[value].astype(float).to_numpy()
    labels = [_wrap(label, 44) for label in table["label"]]
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.42 * len(table) + 0.9))
    y = np.arange(len(table))[::-1]
    ax.barh(y, values, color="#595959", edgecolor="black", linewidth=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    top = float(np.nanmax(values)) if len(values) else 0.0
    for yy, v in zip(y, values):
        text = str(int(v)) if value == "count" else f"{v:.1f}".replace(".", decimal)
        ax.text(v + top * 0.01 + 0.1, yy, text, va="center", fontsize=8)
    ax.set_xlim(0, (100 if value == "percent" and top > 60 else top * 1.15) + 1)
    ax.set_xlabel(xlabel, fontsize=9)
    _style(ax)
    fig.tight_layout()
    return fig


def table1_figure(table: pd.DataFrame, *, labels: list[str]) -> plt.Figure:
    """Stacked horizontal bars of Table 1 (items top to bottom, categories left to right), a page wide."""
    categories = [c for c in table.columns if c not in ("n", "missing")]
    data = table[categories].astype(float).iloc[::-1]
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.42 * len(data) + 1.3))
    left = np.zeros(len(data))
    for i, category in enumerate(categories):
        ax.barh(range(len(data)), data[category], left=left, color=GREYS[i % len(GREYS)],
                hatch=HATCHES[i % len(HATCHES)], edgecolor="black", linewidth=0.5, label=category)
        left += data[category].to_numpy()
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels([_wrap(label, 34) for label in labels[::-1]], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%", fontsize=9)
    # the legend under the whole figure (not under the axes, which the item labels push right), in
    # two rows when the category labels are long (Russian), so that it never widens the figure
    columns = min(len(categories), 4) if sum(len(str(c)) for c in categories) <= 48 else 2
    rows = -(-len(categories) // columns)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), ncol=columns, fontsize=8, loc="lower center",
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    _style(ax)
    fig.tight_layout(rect=(0, (0.08 + 0.2 * rows) / height, 1, 1))
    return fig


def probability_figure(proba: pd.DataFrame, *, xlabel: str, ylabel: str = "Predicted probability",
                       decimal: str = ".") -> plt.Figure:
    """Predicted probability of each outcome category along a predictor, a column wide."""
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 2.9))
    x = proba.index
    numeric = not isinstance(x[0], str)
    for i, col in enumerate(proba.columns):
        line = ["-", "--", "-.", ":", "-"][i % 5]
        ax.plot(range(len(x)) if not numeric else x, proba[col], line, color=GREYS[min(i, 3)], linewidth=1.5,
                label=_wrap(col, 22), marker="o" if not numeric else None)
    if not numeric:
        ax.set_xticks(range(len(x)))
        ax.set_xticklabels([_wrap(v, 12) for v in x], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_xlabel(_wrap(xlabel, 40), fontsize=8)
    ax.legend(fontsize=6.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)
    ax.tick_params(labelsize=7)
    # one style in every language (0.0 ... 1.0), with the decimal comma of the report's language
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.1f}".replace(".", decimal)))
    if numeric:
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _pos: f"{value:g}".replace(".", decimal).replace("-", "−")))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def figure_bytes(fig: plt.Figure, fmt: str) -> bytes:
    """The figure as PNG (300 dpi), SVG or PDF; closes it."""
    return figure_formats(fig, (fmt,))[fmt]


def figure_formats(fig: plt.Figure, formats: Sequence[str] = FORMATS) -> dict[str, bytes]:
    """The figure in each of ``formats``; closes it. Its tight bounding box is found once, for
    every format (the figure functions lay the figure out themselves, with ``tight_layout``), so
    that each format is drawn once instead of twice."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"Unknown figure format {unknown[0]!r}.")
    out = {}
    try:
        fig.set_layout_engine(None)
        dpi = fig.dpi
        fig.set_dpi(PNG_DPI)  # the texts measured as the PNG draws them (the vector formats within 0.01 in)
        try:
            fig.draw_without_rendering()  # places the ticks and texts the bounding box is made of
            bbox = fig.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
        finally:
            fig.set_dpi(dpi)
        for fmt in formats:
            buffer = io.BytesIO()
            with _pdf_font(fig) if fmt == "pdf" else _unchanged():
                fig.savefig(buffer, format=fmt, dpi=PNG_DPI if fmt == "png" else None, bbox_inches=bbox)
            out[fmt] = buffer.getvalue()
    finally:
        plt.close(fig)
    return out


@contextmanager
def _unchanged() -> Iterator[None]:
    yield


@contextmanager
def _pdf_font(fig: plt.Figure) -> Iterator[None]:
    """Draw the figure's DejaVu Sans texts with the cut-down copy (:mod:`analysis.figure_font`)."""
    if not figure_font.register():
        yield
        return
    texts = [text for text in fig.findobj(Text) if text.get_fontfamily() == [STYLE["font.family"]]]
    try:
        with matplotlib.rc_context({"font.family": figure_font.FAMILY_LIST}):  # for texts made while drawing
            for text in texts:
                text.set_fontfamily(figure_font.FAMILY_LIST)
            yield
    finally:
        for text in texts:
            text.set_fontfamily(STYLE["font.family"])
