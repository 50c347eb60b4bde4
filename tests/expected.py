"""What a document must show, computed straight from its YAML and nd30.md, without
calling the code under test: the tests compare the outputs against this."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont
from ruamel.yaml import YAML

from conftest import CONTENT, REPO

MM = 72 / 25.4  # points per millimetre
FONT_DIR = REPO / "generator" / "fonts"


def load(path: Path) -> dict:
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    agency = data["co_quan"]
    if isinstance(agency, str):
        agencies = YAML(typ="safe", pure=True).load(
            (CONTENT / "_co-quan.yaml").read_text(encoding="utf-8"))
        data["co_quan"] = agencies[agency]
    return data


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def agency_lines(data) -> list[str]:
    ten = data["co_quan"]["ten"]
    return [nfc(t).upper() for t in ([ten] if isinstance(ten, str) else ten)]


def number_line(data) -> str:
    kind = {"ke-hoach": "KH", "bao-cao": "BC", "quyet-dinh": "QĐ"}[data["loai"]]
    ky_hieu = data.get("ky_hieu") or f"{kind}-{data['co_quan']['viet_tat']}"
    so = data.get("so")
    return f"Số: {so:02d}/{ky_hieu}" if so else f"Số:      /{ky_hieu}"


def date_line(data) -> str:
    place = nfc(data["co_quan"]["dia_danh"])
    ngay = data.get("ngay")
    if ngay is None:
        return f"{place}, ngày      tháng      năm {data['nam']}"
    d = ngay if isinstance(ngay, dt.date) else dt.date.fromisoformat(str(ngay))
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


@functools.lru_cache(maxsize=None)
def _face(bold: bool, italic: bool):
    face = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
            (True, True): "BoldItalic"}[(bold, italic)]
    font = TTFont(FONT_DIR / f"LiberationSerif-{face}.ttf")
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def text_width_mm(text: str, size: float, bold=False, italic=False) -> float:
    cmap, hmtx, units = _face(bool(bold), bool(italic))
    return sum(hmtx[cmap[ord(c)]][0] for c in nfc(text)) / units * size / MM
