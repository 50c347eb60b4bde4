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


@dataclass
class Heading:
    """A numbered sub-heading with its own body (``{tieu_de, noi_dung}``)."""

    tieu_de: str
    noi_dung: list["Block"] = field(default_factory=list)


Block = Union[str, Heading]


@dataclass
class Agency:
    ten: list[str]
    ten_day_du: str
    viet_tat: str
    dia_danh: str
    chu_quan: str | None = None


@dataclass
class Signer:
    chuc_vu: str
    ho_ten: str
    tham_quyen: str | None = None


@dataclass
class Target:
    ma: str
    ten: str
    gia_tri: Decimal
    don_vi: str
    so_sanh: str = "toi-thieu"
    cau: str = ""  # rendered sentence, set after all targets are known
    nhom: str | None = None
    chi_tiet: list["Target"] = field(default_factory=list)
    line: int | None = None
    cau_line: int | None = None

    def all(self):
        """This target and its sub-targets, depth first."""
        yield self
        for sub in self.chi_tiet:
            yield from sub.all()


@dataclass
class Table:
    cot: list[str]
    dong: list[list[str]]


@dataclass
class Appendix:
    tieu_de: str
    bang: Table | None = None
    noi_dung: list[Block] = field(default_factory=list)
    ngang: bool = False


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

    @property
    def template(self) -> str:
        return f"{self.loai}.j2"


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
