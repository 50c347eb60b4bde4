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

from . import attached
from ..errors import display_path
from .fields import Fields
from .report import plan_file, plan_named
from ..model import Block, Document, Item, Money, Plan

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
    authority = f.one_line("tham_quyen_ban_hanh", required=True)
    articles = _articles(f)
    plan = _plan(f, path, load_plan)
    if plan is not None and common is not None and not _same_issuer(f, plan, common):
        plan = None
    if common is None or plan is None or authority is None or not articles:
        return None
    return Decision(**common, ke_hoach=plan, tham_quyen_ban_hanh=authority, dieu=articles)


def _articles(f: Fields) -> list:
    """The articles (``dieu``): each a paragraph or a ``{tieu_de, noi_dung}``, which
    the generator opens with "Điều 1.", "Điều 2."… An item of another kind (a "- "
    item, a sum of money) would silently become an article: it belongs inside one."""
    articles = f.blocks("dieu", required=True)
    for index, article in enumerate(articles):
        if isinstance(article, Money) or isinstance(article, Item) and article.kieu != "doan":
            f.col.error(f.line("dieu", index), f.name("dieu", index),
                        "mỗi điều là một đoạn văn bản hoặc {tieu_de: …, noi_dung: […]}; bộ sinh "
                        "thêm \"Điều 1.\", \"Điều 2.\"… Ý gạch đầu dòng, ý đánh số hay khoản "
                        "tiền thì đặt trong noi_dung của một điều")
    return articles


def _plan(f: Fields, path: Path, load_document: Callable[[Path], Document]) -> Plan | None:
    found = plan_file(f, path, example="ke_hoach: _ke-hoach-kem-theo.yaml")
    if found is None:
        return None
    plan_path, head = found
    first = attached.owner(plan_path)
    if first is not None and first.decision != Path(path).resolve():
        f.error("ke_hoach", f"kế hoạch {display_path(plan_path)} đã ban hành kèm theo quyết "
                f"định {first.where()}; một kế hoạch chỉ kèm theo một quyết định. Hãy sao chép "
                "tệp kế hoạch thành tệp mới cho quyết định này và ghi tên tệp mới vào ke_hoach")
        return None
    plan = plan_named(f, plan_path, lambda: load_document(plan_path))
    if plan is None:
        return None
    own = [key for key in ("so", "ngay") if getattr(plan, key) is not None]
    if own:
        lines = ", ".join(f"{display_path(plan_path)}:{head.line((key,))} ({key}:)"
                          if head is not None and head.line((key,)) else f"{key}:"
                          for key in own)
        f.error("ke_hoach", "kế hoạch ban hành kèm theo quyết định không có số, ngày riêng "
                "(số, ngày là của quyết định); xóa dòng "
                + " và ".join(f"{key}:" for key in own) + f" trong tệp kế hoạch: {lines}")
        return None
    return plan


def _same_issuer(f: Fields, plan: Plan, common: dict) -> bool:
    """The attached plan prints under the decision's agency and year: its own must be
    the same, or its header would name another agency under the decision's caption."""
    name = display_path(plan.path)
    ours = common["co_quan"]
    if (plan.co_quan.ten, plan.co_quan.ten_day_du) != (ours.ten, ours.ten_day_du):
        f.error("ke_hoach", f"kế hoạch {name} là của {plan.co_quan.ten_day_du}, quyết định là "
                f"của {ours.ten_day_du}; kế hoạch ban hành kèm theo phải cùng cơ quan với "
                "quyết định: sửa co_quan: trong tệp kế hoạch cho giống quyết định")
        return False
    if plan.nam != common["nam"]:
        f.error("ke_hoach", f"kế hoạch {name} là năm {plan.nam}, quyết định là năm "
                f"{common['nam']}; kế hoạch ban hành kèm theo phải cùng năm với quyết định: "
                "sửa nam: trong tệp kế hoạch cho giống quyết định")
        return False
    return True
