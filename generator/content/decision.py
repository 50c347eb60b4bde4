"""A Quyết định that issues an attached plan (``loai: quyet-dinh``).

The decision has its own header, bases (``can_cu``), articles (``dieu``: Điều 1 …
Điều n, numbered by the generator) and signature; the plan it issues (``ke_hoach``,
a plan file with no number of its own) follows on a new page, captioned "(Ban hành
kèm theo Quyết định số …)". The register numbers the whole as one QĐ document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import source
from ..errors import Collector, display_path
from .fields import Fields
from .report import plan_named
from ..model import Block, Document, Plan

DECISION_KEYS = {"ke_hoach", "tham_quyen_ban_hanh", "dieu"}


@dataclass
class Decision(Document):
    ke_hoach: Plan | None = None
    tham_quyen_ban_hanh: str = ""  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …", above the bases
    dieu: list[Block] = field(default_factory=list)

    @property
    def attached(self) -> str:
        """The template of the attached plan."""
        return "ke-hoach-kem.j2"


def read_decision(f: Fields, path: Path, common: dict | None,
                  load_plan: Callable[[Path], Document]) -> Decision | None:
    """``load_plan`` is validate's ``load_document``, passed in so this module does not
    import its caller."""
    authority = f.text("tham_quyen_ban_hanh", required=True)
    articles = f.blocks("dieu", required=True)
    plan = _plan(f, path, load_plan)
    if common is None or plan is None or authority is None or not articles:
        return None
    return Decision(**common, ke_hoach=plan, tham_quyen_ban_hanh=authority, dieu=articles)


def _plan(f: Fields, path: Path, load_document: Callable[[Path], Document]) -> Plan | None:
    name = f.text("ke_hoach", required=True)
    if name is None:
        return None
    plan_path = Path(path).parent / name
    if not plan_path.is_file():
        f.error("ke_hoach", f"không tìm thấy tệp kế hoạch {display_path(plan_path)}")
        return None
    # Only a file that says ``loai: ke-hoach`` is loaded: a decision naming itself, or
    # another decision, would load decisions without end.
    head = source.load(plan_path, Collector(plan_path))
    loai = head.data.get("loai") if head is not None and isinstance(head.data, dict) else None
    if plan_path.resolve() == Path(path).resolve() or loai != "ke-hoach":
        f.error("ke_hoach", f"{display_path(plan_path)} không phải là kế hoạch; ke_hoach "
                "của quyết định phải là tệp kế hoạch (loai: ke-hoach)")
        return None
    plan = plan_named(f, plan_path, lambda: load_document(plan_path))
    if plan is None:
        return None
    if plan.so is not None:
        f.error("ke_hoach", f"kế hoạch {display_path(plan_path)} ban hành kèm theo quyết "
                "định nên không có số riêng; xóa dòng so: trong tệp kế hoạch (số là số "
                "của quyết định)")
        return None
    return plan
