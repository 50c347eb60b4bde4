"""The shipped Times-New-Roman-compatible face (Liberation Serif 2, SIL OFL).

Liberation Serif has the same advance widths as Times New Roman, so widths measured
here hold for the DOCX opened in Word and for the PDF alike. That is what lets the
ruled lines of the header be "as long as the text" in both renderers.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY_DOCX = "Times New Roman"  # what Word is told; clerks' machines have it
FAMILY_PDF = "Liberation Serif"  # what the PDF embeds; metric-compatible
FACES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
PT_TO_MM = 25.4 / 72


def face_path(bold: bool, italic: bool) -> Path:
    return FONT_DIR / FACES[(bold, italic)]


@lru_cache(maxsize=None)
def _metrics(bold: bool, italic: bool):
    font = TTFont(face_path(bold, italic), lazy=True)
    units = font["head"].unitsPerEm
    hhea = font["hhea"]
    return units, font.getBestCmap(), font["hmtx"].metrics, hhea


def text_width_mm(text: str, size_pt: float, bold: bool = False, italic: bool = False) -> float:
    """Advance width of ``text`` set in the shipped face (kerning ignored)."""
    units, cmap, hmtx, _ = _metrics(bold, italic)
    total = 0
    for ch in unicodedata.normalize("NFC", text):
        glyph = cmap.get(ord(ch))
        total += hmtx[glyph][0] if glyph else units // 2
    return total / units * size_pt * PT_TO_MM


@lru_cache(maxsize=None)
def line_height_factor() -> float:
    """Word's "single" line = (ascent + descent + line gap) / em: 1.15 for this
    face. CSS line-height is a multiple of the em, so the PDF multiplies by this
    to space lines as Word does."""
    units, _, _, hhea = _metrics(False, False)
    return (hhea.ascent - hhea.descent + hhea.lineGap) / units


def missing_glyphs(text: str, bold: bool = False, italic: bool = False) -> set[str]:
    _, cmap, _, _ = _metrics(bold, italic)
    return {ch for ch in set(unicodedata.normalize("NFC", text))
            if ord(ch) not in cmap and not ch.isspace()}
