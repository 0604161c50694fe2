"""The figures' PDF font (analysis.figure_font): the kept file is what the generator makes from
matplotlib's DejaVu Sans, it draws every text as the whole font does, PDF files embed it (and the
whole font for a glyph it lacks) as TrueType, and SVG and PNG files are drawn as before."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from analysis import figure_font, figures

LABELS = ["Contacts between employees and management", "Доверие в сотрудничестве — «нормы» №1",
          "Cooperation α ≤ 0.05 ± 1 € ₽ … fi ffl", "Égalité, Ærø, Ţară, Łódź, Việt", "Ёлка, Қазақ, Ўзбек, Ґанок"]


def test_kept_font_is_what_the_generator_makes_from_matplotlib_dejavu(tmp_path):
    made = figure_font.make(tmp_path / "font.ttf")
    assert made.read_bytes() == figure_font.PATH.read_bytes(), "run: .venv/bin/python -m analysis.figure_font"
    font, whole = TTFont(str(made)), TTFont(figure_font.source())
    kept = set(font.getBestCmap())
    wanted = {code for first, last in figure_font.RANGES for code in range(first, last + 1)}
    assert kept == wanted & set(whole.getBestCmap())  # every character of the ranges DejaVu Sans has
    assert {ord(c) for c in "".join(LABELS)} <= kept
    assert 1500 < len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 2
    names = {record.nameID: record.toUnicode() for record in font["name"].names if record.langID == 0x409}
    assert names[1] == figure_font.FAMILY and names[6] == "DejaVuSans"
    assert "Bitstream" in names[0] and "Vera" not in names[1] + names[4]  # the licence's notice kept, the name changed
    assert {"GPOS", "GSUB", "kern"} <= set(font.keys())  # kerning and ligatures kept
    assert (figure_font.PATH.parent / "LICENSE_DEJAVU").exists()


def _bars(family) -> bytes:
    table = pd.DataFrame({"label": LABELS, "count": range(1, 6), "percent": [10.0, 20.0, 30.0, 25.0, 15.0]})
    with plt.rc_context({"font.family": family}):
        fig = figures.choice_bars_figure(table, value="percent", xlabel="% — доля")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150)
        plt.close(fig)
    return buffer.getvalue()


def test_the_cut_down_font_draws_exactly_as_the_whole_font():
    assert figure_font.register()
    whole, cut = (np.asarray(Image.open(io.BytesIO(_bars(family)))) for family in
                  ("DejaVu Sans", figure_font.FAMILY))
    assert whole.shape == cut.shape and (whole == cut).all()
    assert (whole < 128).any()  # something was drawn


def _figure():
    table = pd.DataFrame({"label": [*LABELS, "Հայերեն"], "count": range(1, 7), "percent": [10.0] * 6})
    return figures.choice_bars_figure(table, value="percent", xlabel="%")


def test_pdf_embeds_the_cut_down_font_and_the_whole_one_for_what_it_lacks(tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = figures.figure_formats(_figure())
    path = tmp_path / "figure.pdf"
    path.write_bytes(out["pdf"])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    # the cut-down font (its ligatures "fi" and "ffl" in a subset of their own), and the whole one
    # for the Armenian word: all TrueType, embedded, each with its Unicode map
    assert len(fonts) >= 2, fonts
    assert all(re.match(r"[A-Z]{6}\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes yes yes", f) for f in fonts), fonts
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Доверие в сотрудничестве" in text and "Հայերեն" in text


def test_svg_and_png_name_and_use_dejavu_sans_only_and_the_figure_keeps_its_fonts():
    fig = _figure()
    families_before = {tuple(t.get_fontfamily()) for t in fig.findobj(plt.Text)}
    out = figures.figure_formats(fig, ("pdf", "svg", "png"))  # the PDF first: the SVG after it unchanged
    svg = out["svg"].decode()
    assert set(re.findall(r"font-family: ([^;\"]+)", svg)) == {"'DejaVu Sans'"}
    assert figure_font.FAMILY not in svg
    assert families_before == {("DejaVu Sans",)}
    assert {tuple(t.get_fontfamily()) for t in fig.findobj(plt.Text)} == families_before
    png = Image.open(io.BytesIO(out["png"]))
    assert png.info["dpi"][0] == pytest.approx(figures.PNG_DPI, abs=0.1)


def test_one_bounding_box_serves_every_format_and_the_png_is_as_tight_as_matplotlib_makes_it():
    fig = _figure()
    out = figures.figure_formats(fig, ("png",))
    fig = _figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=figures.PNG_DPI, bbox_inches="tight")
    plt.close(fig)
    ours, theirs = (np.asarray(Image.open(io.BytesIO(b))) for b in (out["png"], buffer.getvalue()))
    assert ours.shape == theirs.shape and (ours == theirs).all()
    svg = figures.figure_formats(_figure(), ("svg",))["svg"].decode()
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    assert width == pytest.approx(ours.shape[1] / figures.PNG_DPI * 72, abs=0.5)  # the same box, in points
