"""What a reader sees on a PDF page: lines of text split into column segments,
with their font, size and position in millimetres, and the ruled lines."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MM = 72 / 25.4


@dataclass
class Segment:
    text: str
    x0: float  # mm from the left edge
    x1: float
    top: float  # mm from the top edge
    bottom: float
    sizes: set
    fonts: set

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def bold(self) -> bool:
        return all("Bold" in f for f in self.fonts)

    @property
    def italic(self) -> bool:
        return all("Italic" in f for f in self.fonts)


def segments(page, gap_mm: float = 12.0) -> list[Segment]:
    """Words grouped into lines (same baseline) and split where a wide gap
    separates two columns of the layout grid."""
    words = page.extract_words(extra_attrs=["fontname", "size"], x_tolerance=1.5,
                               keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        if lines and abs(lines[-1][0]["bottom"] - word["bottom"]) < 2.5:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        group = [line[0]]
        for word in line[1:]:
            if (word["x0"] - group[-1]["x1"]) / MM > gap_mm:
                out.append(_segment(group))
                group = []
            group.append(word)
        out.append(_segment(group))
    return out


def _segment(words) -> Segment:
    text = unicodedata.normalize("NFC", " ".join(w["text"] for w in words))
    text = " ".join(text.replace("\xa0", " ").split())  # a no-break space is a space
    return Segment(text, words[0]["x0"] / MM, words[-1]["x1"] / MM,
                   min(w["top"] for w in words) / MM, max(w["bottom"] for w in words) / MM,
                   {round(w["size"], 1) for w in words},
                   {w["fontname"].split("+")[-1] for w in words})


def rules(page) -> list[tuple[float, float, float]]:
    """Horizontal ruled lines as (x0, x1, top) in mm."""
    out = []
    for r in page.rects:
        if r["height"] < 2 and r["width"] > 5:
            out.append((r["x0"] / MM, r["x1"] / MM, r["top"] / MM))
    for ln in page.lines:
        if abs(ln["top"] - ln["bottom"]) < 1:
            out.append((ln["x0"] / MM, ln["x1"] / MM, ln["top"] / MM))
    return sorted(out, key=lambda r: r[2])


def find(segs: list[Segment], text: str) -> Segment:
    for s in segs:
        if s.text == text:
            return s
    raise AssertionError(f"{text!r} not on the page; lines: {[s.text for s in segs]}")


def rule_below(page, seg: Segment, within_mm: float = 4.0):
    """The first ruled line just under ``seg`` and overlapping it horizontally."""
    for x0, x1, top in rules(page):
        if seg.bottom - 1 <= top <= seg.bottom + within_mm and x0 < seg.x1 and x1 > seg.x0:
            return x0, x1, top
    raise AssertionError(f"no rule under {seg.text!r}")


def continued_lines(segs: list[Segment], left_mm: float, size: float = 14.0,
                    gap_mm: float = 2.5) -> list[Segment]:
    """Body lines followed by a line of the same paragraph: the next line starts
    at the left margin and follows at one line's distance (a new paragraph adds
    its 6 pt). These are the lines a justified paragraph brings to the right edge."""
    segs = [s for s in segs if s.sizes == {size}]
    return [a for a, b in zip(segs, segs[1:])
            if abs(b.x0 - left_mm) < 0.5 and 0 < b.top - a.bottom < gap_mm
            and a.x0 < left_mm + 13.5]
