"""The font of the figures' PDF files: matplotlib's DejaVu Sans cut down to the scripts and signs a
report is written in (Latin, Greek, Cyrillic, punctuation, currency, arrows, mathematical
operators), with all its glyph outlines, metrics, hinting and layout features (kerning, ligatures)
kept, so that a figure is drawn exactly as with the whole font (``tests/analysis/test_figure_font.py``
compares the pixels).

Why: a PDF embeds the font subset its text uses, and fontTools takes three times as long to cut
that subset from the whole font (6 000 glyphs) as from this one (under 2 000): about 0.1 s of every
PDF figure. A glyph outside these ranges (Armenian, say) is taken from the whole DejaVu Sans, which
follows this font in the family list (:data:`FAMILY_LIST`). PNG and SVG files are drawn with the
whole font, as before (an SVG names its fonts; this one is not installed on the reader's computer).

The file is generated from the DejaVu Sans that matplotlib ships and kept in ``analysis/fonts``
with the DejaVu licence (renamed, as the licence asks of modified fonts; its PostScript name stays
``DejaVuSans``, which is what a PDF's font list shows). Make it again after upgrading matplotlib:
``.venv/bin/python -m analysis.figure_font``.
"""
from __future__ import annotations

from pathlib import Path

FAMILY = "DejaVu Sans Figures"
FAMILY_LIST = [FAMILY, "DejaVu Sans"]
PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSansFigures.ttf"

# (first, last) code points kept, inclusive
RANGES = (
    (0x0020, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA extensions, spacing modifier letters
    (0x0300, 0x036F),  # combining diacritical marks
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F),  # general punctuation (dashes, quotes, ellipsis, thin spaces)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x20A0, 0x20CF),  # currency (€, ₽)
    (0x2100, 0x214F),  # letterlike symbols (№, ™)
    (0x2150, 0x218F),  # number forms
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (−, ≤, ≥, ±, ×)
    (0x25A0, 0x25FF),  # geometric shapes
    (0xFFFD, 0xFFFD),  # the replacement character
)


def source() -> str:
    """The path of matplotlib's DejaVu Sans (regular)."""
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def make(out: Path = PATH) -> Path:
    """Write the cut-down font to ``out`` from matplotlib's DejaVu Sans; return ``out``."""
    from fontTools import subset

    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], glyph_names=True,
                             legacy_kern=True, notdef_outline=True, hinting=True)
    options.drop_tables += ["FFTM"]  # FontForge's time stamp
    font = subset.load_font(source(), options)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[code for first, last in RANGES for code in range(first, last + 1)])
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):  # family
            record.string = FAMILY
        elif record.nameID == 4:  # full name
            record.string = FAMILY
        elif record.nameID == 3:  # unique identifier
            record.string = f"{FAMILY}: {record.toUnicode()}"
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


_REGISTERED: list[bool] = []


def register() -> bool:
    """Make the font known to matplotlib (once per process); False when its file is missing."""
    if _REGISTERED:
        return _REGISTERED[0]
    from matplotlib import font_manager

    if PATH.exists():
        font_manager.fontManager.addfont(str(PATH))
    _REGISTERED.append(PATH.exists())
    return _REGISTERED[0]


if __name__ == "__main__":  # pragma: no cover
    print(make())
