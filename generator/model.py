"""The validated content of one document, as plain frozen-ish dataclasses.

Everything here has passed validation: text is NFC, numbers are numbers, dates are
dates, target sentences are already rendered. Templates read these objects; field
names are the clerks' YAML keys so a template author can follow the content file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Union


# Kind names as written in running text and in the register, and their
# abbreviations in the ký hiệu (Phụ lục III).
KIND_NAMES = {"ke-hoach": "Kế hoạch", "bao-cao": "Báo cáo", "quyet-dinh": "Quyết định"}
KIND_CODES = {"ke-hoach": "KH", "bao-cao": "BC", "quyet-dinh": "QĐ"}


@dataclass
class Heading:
    """A numbered sub-heading with its own body (``{tieu_de, noi_dung}``)."""

    tieu_de: str
    noi_dung: list["Block"] = field(default_factory=list)


@dataclass
class Item:
    """A block item of an explicit kind (``{gach: …}``): ``doan`` paragraph, ``gach``
    "- " item, ``cong`` "+ " sub-item, ``so`` paragraph numbered by the generator."""

    kieu: str
    noi_dung: str


ITEM_KINDS = ("doan", "gach", "cong", "so")


@dataclass
class Money:
    """A sum of money in a block list (``{noi_dung, so_tien}``, kinh_phi's figures):
    printed "noi_dung: 1.250.000.000 đồng (Bằng chữ: …)", its parts as "- " lines."""

    noi_dung: str
    so_tien: Decimal
    don_vi: str = "đồng"
    bang_chu: bool = True
    chi_tiet: list["Money"] = field(default_factory=list)


Block = Union[str, Heading, Item, Money]


@dataclass
class Agency:
    ten: list[str]
    ten_day_du: str
    viet_tat: str
    dia_danh: str
    chu_quan: str | None = None
    so_theo_loai: bool = False  # each kind (KH, BC) numbered in its own series


@dataclass
class Signer:
    chuc_vu: str
    ho_ten: str
    # Authority lines, top to bottom ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"); signer.py.
    tham_quyen: list[str] = field(default_factory=list)


@dataclass
class Rule:
    """How a target adds up over the units of an aggregate report (``tong_hop``):
    ``cong``, ``ty_le`` (from ``tu_so`` / ``mau_so``), ``trung_binh`` or
    ``so_don_vi_dat`` (units that met ``muc_dat``, or their own target)."""

    cach: str
    tu_so: str | None = None
    mau_so: str | None = None
    muc_dat: Decimal | None = None
    don_vi: str | None = None  # unit of each unit's own figure (so_don_vi_dat)
    line: int | None = None


@dataclass
class Target:
    ma: str
    ten: str
    gia_tri: Decimal
    don_vi: str
    so_sanh: str = "toi-thieu"  # toi-thieu, toi-da, lon-hon (strictly above), nho-hon
    in_chi_tiet: str = "dong"  # sub-targets: "+" lines, in parentheses ("ngoac"), "khong"
    giu_cuoi_cau: bool = False  # the sentence keeps the ending the clerk wrote
    cau: str = ""  # rendered sentence, set after all targets are known
    nhom: str | None = None
    chi_tiet: list["Target"] = field(default_factory=list)
    line: int | None = None
    cau_line: int | None = None
    co_the_am: bool = False  # the target and its result may be negative
    tong_hop: Rule | None = None  # declared rule for aggregate reports
    theo_nam: dict = field(default_factory=dict)  # year → value, in a period (periods.py)

    def all(self):
        """This target and its sub-targets, depth first."""
        yield self
        for sub in self.chi_tiet:
            yield from sub.all()


@dataclass
class Table:
    cot: list[str]
    dong: list[list[str]]
    nhom: set[int] = field(default_factory=set)  # rows that are a group label
    can: list[str] | None = None  # per column: trai | giua | phai (default by content)
    ty_le: list[float] | None = None  # relative column widths (default from content)


@dataclass
class Appendix:
    tieu_de: str
    bang: Table | None = None
    noi_dung: list[Block] = field(default_factory=list)
    ngang: bool = False
    chi_tieu: bool = False  # a report's targets table, moved to an appendix
    theo_don_vi: bool = False  # an aggregate report's table of results by unit


@dataclass
class Assignment:
    """One entry of ``to_chuc_thuc_hien``: a unit and its tasks."""

    don_vi: str
    nhiem_vu: list[Block]


@dataclass
class Document:
    """Fields common to every document (content-format.md, "Common header")."""

    path: Path
    loai: str
    co_quan: Agency
    nam: int
    trich_yeu: str
    nguoi_ky: Signer
    noi_nhan: list[str]
    ky_hieu: str
    so: int | None = None
    ngay: dt.date | None = None
    can_cu: list[str] = field(default_factory=list)
    mo_dau: list[Block] = field(default_factory=list)
    ket_thuc: list[Block] = field(default_factory=list)
    so_co_so_0: bool = True
    phu_luc: list[Appendix] = field(default_factory=list)
    ten_tep: str | None = None
    warnings: list = field(default_factory=list)
    hang: dict = field(default_factory=dict)  # a batch row's variables
    bo_cuc: list = field(default_factory=list)  # sections.Section, in print order
    giai_doan: object = None  # periods.Period: years from–to the document covers

    @property
    def template(self) -> str:
        return f"{self.loai}.j2"

    @property
    def series(self) -> str:
        """The numbering series within the agency and year: one for all kinds,
        or the kind's code when the agency numbers each kind apart."""
        return KIND_CODES[self.loai] if self.co_quan.so_theo_loai else ""


@dataclass
class Plan(Document):
    muc_dich: list[Block] = field(default_factory=list)
    yeu_cau: list[Block] = field(default_factory=list)
    muc_tieu_chung: list[Block] = field(default_factory=list)
    chi_tieu: list[Target] = field(default_factory=list)
    nhiem_vu: list[Block] = field(default_factory=list)
    kinh_phi: list[Block] = field(default_factory=list)
    to_chuc_thuc_hien: list[Assignment] = field(default_factory=list)

    def targets(self):
        """Every target and sub-target, in document order."""
        for target in self.chi_tieu:
            yield from target.all()


@dataclass
class Result:
    """What was achieved on one target, and how it compares (content-format.md)."""

    target: Target
    stt: str  # "1", "1.1"
    gia_tri: Decimal | None
    ghi_chu: str | None = None
    so_don_vi: tuple[int, int] | None = None  # so_don_vi_dat: (units met, units counted)

    @property
    def status(self) -> str:
        """``vuot``, ``dat``, ``khong-dat`` or ``chua-co`` (no data yet)."""
        if self.gia_tri is None:
            return "chua-co"
        planned = self.target.gia_tri
        if self.target.so_sanh == "toi-da":
            return "dat" if self.gia_tri <= planned else "khong-dat"
        if self.target.so_sanh == "nho-hon":  # "dưới 5%": 5% itself is not met
            return "dat" if self.gia_tri < planned else "khong-dat"
        if self.target.so_sanh == "lon-hon":  # "trên 70%": 70% itself is not met
            return "dat" if self.gia_tri > planned else "khong-dat"
        if self.gia_tri > planned:
            return "vuot"
        return "dat" if self.gia_tri == planned else "khong-dat"

    @property
    def rate(self) -> Decimal | None:
        """Achieved / planned × 100 for "at least" targets; none for "at most"
        targets (a lower figure is better, so a percentage would mislead)."""
        if (self.gia_tri is None or self.target.so_sanh in ("toi-da", "nho-hon")
                or not self.target.gia_tri):
            return None
        return self.gia_tri / self.target.gia_tri * 100


@dataclass
class Report(Document):
    ke_hoach: Plan | None = None
    ket_qua: list[Result] = field(default_factory=list)
    kinh_gui: list[str] = field(default_factory=list)
    tinh_hinh: list[Block] = field(default_factory=list)
    ket_qua_thuc_hien: list[Block] = field(default_factory=list)
    uu_diem: list[Block] = field(default_factory=list)
    han_che: list[Block] = field(default_factory=list)
    nguyen_nhan: list[Block] = field(default_factory=list)
    phuong_huong: list[Block] = field(default_factory=list)
    kien_nghi: list[Block] = field(default_factory=list)
    bang_phu_luc: bool = False  # the targets table goes to an appendix
    bang_ngang: bool = False  # … on a landscape page
    tong_hop: object = None  # aggregate.Aggregate: results added up from the units

    def by_status(self, status: str) -> list[Result]:
        return [r for r in self.ket_qua if r.status == status]
