"""Sections as the clerk names them (``bo_cuc``): the order of a document's
``I.``, ``II.``… sections, a standard section renamed or with its ``1./2.``
sub-headings renamed or dropped, and sections of the clerk's own anywhere.

Without ``bo_cuc`` the standard sections follow in the order of
content-format.md. Numbering stays the generator's; the wording of the standard
titles stays in the templates (a ``Section`` carries only what the clerk wrote).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fields import Fields
from ..model import Block

# Standard section key → the content keys it prints (its sub-headings, in order).
STANDARD = {
    "ke-hoach": {
        "muc_dich_yeu_cau": ("muc_dich", "yeu_cau"),
        "muc_tieu_chi_tieu": ("muc_tieu_chung", "chi_tieu"),
        "nhiem_vu": ("nhiem_vu",),
        "kinh_phi": ("kinh_phi",),
        "to_chuc_thuc_hien": ("to_chuc_thuc_hien",),
    },
    "bao-cao": {
        "tinh_hinh": ("tinh_hinh",),
        "ket_qua_thuc_hien": ("ket_qua_thuc_hien",),
        "danh_gia": ("uu_diem", "han_che", "nguyen_nhan"),
        "phuong_huong": ("phuong_huong",),
        "kien_nghi": ("kien_nghi",),
    },
}


@dataclass
class Section:
    """One ``I.`` section: a standard one (``muc``) or the clerk's own (``tieu_de``
    and ``noi_dung``). ``ten`` renames sub-headings; ``bo_muc_con`` prints the
    content straight under the section, without its ``1.``/``2.`` sub-headings."""

    muc: str | None = None
    tieu_de: str | None = None
    noi_dung: list[Block] = field(default_factory=list)
    ten: dict[str, str] = field(default_factory=dict)
    bo_muc_con: bool = False


def default(kind: str) -> list[Section]:
    return [Section(muc=key) for key in STANDARD.get(kind, {})]


def read(f: Fields, kind: str) -> list[Section]:
    """The ``bo_cuc`` list, or the standard order when it is absent."""
    standard = STANDARD.get(kind, {})
    if not f.has("bo_cuc"):
        return default(kind)
    names = ", ".join(standard)
    out, seen = [], set()
    for s in f.mappings("bo_cuc", required=True):
        s.only({"muc", "tieu_de", "noi_dung", "ten", "bo_muc_con"})
        key = s.text("muc")
        if key is None:
            title = s.one_line("tieu_de", required=True, heading=True)
            body = s.blocks("noi_dung", required=True)
            for unused in ("ten", "bo_muc_con"):
                if s.has(unused):
                    s.error(unused, f"{unused} chỉ dùng cho mục chuẩn (có muc:); "
                            "mục riêng chỉ có tieu_de và noi_dung")
            if title is not None and body:
                out.append(Section(tieu_de=title, noi_dung=body))
            continue
        if key not in standard:
            s.error("muc", f'không có mục chuẩn "{key}"; các mục chuẩn là: {names}. '
                    "Mục riêng thì ghi tieu_de và noi_dung thay cho muc")
            continue
        if key in seen:
            s.error("muc", f'mục "{key}" đã có ở trên; mỗi mục chuẩn chỉ ghi một lần')
            continue
        seen.add(key)
        if s.has("noi_dung"):
            s.error("noi_dung", f'nội dung của mục chuẩn "{key}" ghi ở khóa '
                    f'{", ".join(standard[key])} như thường lệ, không ghi ở đây')
        renames = {}
        flat = s.boolean("bo_muc_con", False)
        if s.has("ten"):
            t = s.child("ten")
            t.only(set(standard[key]))
            renames = {k: v for k in standard[key]
                       if t.has(k) and (v := t.one_line(k, required=True, heading=True))}
            if flat:
                s.error("ten", "bo_muc_con: true bỏ các tiêu đề con, nên tên đặt ở ten sẽ "
                        "không được in; bỏ ten hoặc bỏ bo_muc_con")
        title = s.one_line("tieu_de", required=s.has("tieu_de"), heading=True)
        out.append(Section(muc=key, tieu_de=title, ten=renames, bo_muc_con=flat))
    for key, content in standard.items():
        written = [c for c in content if f.has(c)]
        if key not in seen and written:
            f.error("bo_cuc", f"đã ghi {written[0]} nhưng bo_cuc không có mục "
                    f'"{key}", nên nội dung ấy sẽ không được in; thêm "- muc: {key}" '
                    f"vào bo_cuc ở vị trí muốn in, hoặc xóa khóa {written[0]}")
    return out
