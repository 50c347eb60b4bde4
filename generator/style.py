"""Format constants of Nghị định 30/2020/NĐ-CP (see nd30.md), in one place.

Both renderers read these and nothing else: a size, margin or indent is written
here once. Values are the project defaults inside each rule's range; ``RANGES``
holds the ranges so a configuration outside them is refused (``check_ranges``, run
by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .fonts import line_height_factor

# -- page (PL I, Phần I, Mục I) ----------------------------------------------------
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 20.0
MARGIN_BOTTOM_MM = 20.0
MARGIN_LEFT_MM = 30.0
MARGIN_RIGHT_MM = 15.0

RANGES = {
    "MARGIN_TOP_MM": (20, 25), "MARGIN_BOTTOM_MM": (20, 25),
    "MARGIN_LEFT_MM": (30, 35), "MARGIN_RIGHT_MM": (15, 20),
    "PAGE_NUMBER_PT": (13, 14), "BODY_PT": (13, 14), "FIRST_INDENT_MM": (10, 12.7),
    "LINE_SPACING": (1.0, 1.5), "AGENCY_RULE_RATIO": (1 / 3, 1 / 2),
    "SUBJECT_RULE_RATIO": (1 / 3, 1 / 2),
}

# -- body -------------------------------------------------------------------------
BODY_PT = 14.0
FIRST_INDENT_MM = 12.7
PARAGRAPH_SPACE_PT = 6.0
LINE_SPACING = 1.15  # multiple of "single", as Word counts it
PAGE_NUMBER_PT = 14.0

# -- layout grid --------------------------------------------------------------------
# Mẫu 1.4 uses 67.5 | 100 mm; the left column gives 2.5 mm so the grid fits the
# 165 mm text block at the default margins (the Quốc hiệu needs ~96 mm).
HEADER_COLUMNS_MM = (65.0, 100.0)
CLOSING_COLUMNS_MM = (60.0, 105.0)  # Nơi nhận about 1/3, signature about 2/3
SIGNATURE_GAP_LINES = 4  # blank lines for signature and seal
RULE_PT = 0.75  # thickness of the ruled lines
TIEU_NGU_RULE_RATIO = 1.0  # as long as the text
AGENCY_RULE_RATIO = 0.4
SUBJECT_RULE_RATIO = 0.4
TITLE_SPACE_PT = 12.0  # between the header grid and KẾ HOẠCH / BÁO CÁO
CLOSING_SPACE_PT = 12.0  # between the body and Nơi nhận / the signature
CLOSING_KEEP_PARAGRAPHS = 2  # body paragraphs kept on the signature page


@dataclass(frozen=True)
class TextStyle:
    """How one kind of paragraph looks; the tree names the kind (its role)."""

    size: float
    bold: bool = False
    italic: bool = False
    upper: bool = False
    align: str = "center"  # left | center | right | justify
    first_indent_mm: float = 0.0
    space_before_pt: float = 0.0
    line_spacing: float = 1.0
    keep_with_next: bool = False

    @property
    def line_pt(self) -> float:
        """Height of one line in points, Word's way (see fonts.line_height_factor)."""
        return self.size * self.line_spacing * line_height_factor()


_BODY = TextStyle(BODY_PT, align="justify", first_indent_mm=FIRST_INDENT_MM,
                  space_before_pt=PARAGRAPH_SPACE_PT, line_spacing=LINE_SPACING)
_HEADING = replace(_BODY, keep_with_next=True)
_HO_TEN = TextStyle(14, bold=True)

# Space the signer's name leaves for signature and seal, in points.
SIGNATURE_GAP_PT = SIGNATURE_GAP_LINES * _HO_TEN.line_pt

ROLES: dict[str, TextStyle] = {
    # header grid [1]–[4]
    "quoc-hieu": TextStyle(13, bold=True, upper=True),
    "tieu-ngu": TextStyle(14, bold=True),
    "chu-quan": TextStyle(13, upper=True),
    "co-quan": TextStyle(13, bold=True, upper=True),
    # The rule's lower size, for a name that fits the column at no breaking at 13 pt.
    "co-quan-hep": TextStyle(12, bold=True, upper=True),
    "so": TextStyle(13, space_before_pt=6),
    "ngay": TextStyle(14, italic=True, space_before_pt=6),
    # A long place name (Phan Rang - Tháp Chàm) takes the rule's lower size,
    # 13 pt, so the date line stays on one line in its column (header_lines.py).
    "ngay-hep": TextStyle(13, italic=True, space_before_pt=6),
    # [5a] kind and subject, [9a] Kính gửi
    "ten-loai": TextStyle(14, bold=True, upper=True, space_before_pt=TITLE_SPACE_PT),
    "trich-yeu": TextStyle(14, bold=True),
    "kinh-gui": TextStyle(14, space_before_pt=PARAGRAPH_SPACE_PT),
    # A Kính gửi list: "Kính gửi:" and its recipients left-aligned in a centred block.
    "kinh-gui-noi": TextStyle(14, align="left"),
    # [6] body
    "doan": _BODY,
    "muc": replace(_HEADING, bold=True, upper=True),
    "khoan": replace(_HEADING, bold=True),
    "diem": replace(_HEADING, italic=True),
    "gach": _BODY,
    "cong": _BODY,
    "doan-so": _BODY,  # a paragraph numbered "1.", "2." without a heading
    # a Quyết định: its issuing authority, "QUYẾT ĐỊNH:", its articles (Điều 1.)
    "can-cu": replace(_BODY, italic=True),  # its bases (căn cứ ban hành), in italic
    "tham-quyen-bh": TextStyle(14, bold=True, upper=True, space_before_pt=PARAGRAPH_SPACE_PT),
    "quyet-dinh": TextStyle(14, bold=True, space_before_pt=PARAGRAPH_SPACE_PT,
                            keep_with_next=True),
    "dieu": _BODY,
    # [7] signature, [9b] recipients
    "tham-quyen": TextStyle(14, bold=True, upper=True),
    "chuc-vu": TextStyle(14, bold=True, upper=True),
    "ho-ten": replace(_HO_TEN, space_before_pt=SIGNATURE_GAP_PT),
    "noi-nhan": TextStyle(12, bold=True, italic=True, align="left"),
    "nhan": TextStyle(11, align="left"),
    # appendices
    "phu-luc": TextStyle(14, bold=True),
    "phu-luc-ten": TextStyle(14, bold=True, upper=True),
    "phu-luc-kem": TextStyle(14, italic=True),
    # tables
    "bang-dau": TextStyle(13, bold=True),
    "bang-nhom": TextStyle(13, bold=True, align="left"),
    "bang-o": TextStyle(13, align="left"),
    "bang-so": TextStyle(13, align="right"),
    "bang-giua": TextStyle(13),
    # page number in the top margin
    "so-trang": TextStyle(PAGE_NUMBER_PT),
}

# The prefix each numbered level prints; numbering itself is in compose/builder.py.
BULLETS = {"gach": "- ", "cong": "+ "}

TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
TABLE_CELL_PADDING_MM = 1.0  # data tables; layout grids have none
TABLE_BORDER_PT = 0.5  # the ruled lines of data tables


def page_size_mm(landscape: bool) -> tuple[float, float]:
    return (PAGE_HEIGHT_MM, PAGE_WIDTH_MM) if landscape else (PAGE_WIDTH_MM, PAGE_HEIGHT_MM)


def text_width_mm(landscape: bool = False) -> float:
    return page_size_mm(landscape)[0] - MARGIN_LEFT_MM - MARGIN_RIGHT_MM


def page_number_center_mm() -> float:
    """The page number sits centred vertically in the top margin."""
    return MARGIN_TOP_MM / 2


def check_ranges() -> list[str]:
    """Names of constants outside the decree's range (empty when all is well)."""
    values = globals()
    return [name for name, (low, high) in RANGES.items()
            if not low - 1e-9 <= values[name] <= high + 1e-9]
