"""A value is data: it never becomes a line of the signature block, a heading, a
recipient or a number of its own (issue 13, "Signature block": a newline inside a
value was the only way to write TM. / KT., and it forged lines).

Each case writes one mistake into the spec's plan and runs the real command: the
file is refused with its line, field and a fix, and nothing is written.
"""

from __future__ import annotations

import pytest

from helpers_ws import PLAN, DOCX, line_of, make_workspace, replace_once

HEADING = "  - tieu_de: Công tác thông tin, tuyên truyền"
ITEM = "      - Đẩy mạnh tuyên truyền về phòng, chống tệ nạn xã hội."
UNIT = "  - don_vi: Sở Lao động - Thương binh và Xã hội"

# (id, line of PLAN, replacement, field named in the message)
LINE_BREAKS = [
    ("authority", "  tham_quyen: KT. CHỦ TỊCH",
     '  tham_quyen: ["TM. ỦY BAN NHÂN DÂN\\nKT. CHỦ TỊCH"]', "nguoi_ky.tham_quyen"),
    ("title", "  chuc_vu: PHÓ CHỦ TỊCH", '  chuc_vu: "PHÓ CHỦ TỊCH\\u2028Nguyễn Văn B"',
     "nguoi_ky.chuc_vu"),
    ("name", "  ho_ten: Nguyễn Văn A", '  ho_ten: "Nguyễn Văn A\\nGIÁM ĐỐC"', "nguoi_ky.ho_ten"),
    ("recipient", "  - TT Tỉnh ủy, TT HĐND tỉnh (b/c)", '  - "TT Tỉnh ủy\\n- Sở Tài chính"',
     "noi_nhan"),
    ("heading", HEADING, '  - tieu_de: "Công tác thông tin\\nII. GIẢ MẠO"', "nhiem_vu"),
    ("unit", UNIT, '  - don_vi: "Sở Lao động\\n@ho-ten Giả"', "to_chuc_thuc_hien"),
    ("item", ITEM, '      - {gach: "Đẩy mạnh\\n- tuyên truyền"}', "nhiem_vu"),
]

HAND_NUMBERS = [
    ("heading", HEADING, "  - tieu_de: II. Công tác thông tin", "II."),
    ("dash", ITEM, '      - {gach: "- Đẩy mạnh tuyên truyền"}', "-"),
    ("plus", ITEM, '      - {cong: "+ Đẩy mạnh tuyên truyền"}', "+"),
    ("number", ITEM, '      - {so: "2. Đẩy mạnh tuyên truyền"}', "2."),
    ("unit", UNIT, "  - don_vi: 1. Sở Tài chính", "1."),
]


def refused(tmp_path, plan: str, line: int, field: str, *words: str) -> str:
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1, result.stderr
    said = [s for s in result.stderr.splitlines() if f"kh.yaml:{line}: {field}" in s]
    assert said, result.stderr
    for word in words:
        assert word in said[0], said[0]
    assert "Traceback" not in result.stderr and not ws.path(DOCX).exists()
    return said[0]


@pytest.mark.parametrize("old, new, field", [c[1:] for c in LINE_BREAKS],
                         ids=[c[0] for c in LINE_BREAKS])
def test_a_line_break_in_a_value_is_refused(tmp_path, old, new, field):
    plan = replace_once(PLAN, old, new)
    refused(tmp_path, plan, line_of(plan, new.strip()[:12]), field, "một dòng")


@pytest.mark.parametrize("old, new, mark", [c[1:] for c in HAND_NUMBERS],
                         ids=[c[0] for c in HAND_NUMBERS])
def test_a_number_typed_by_hand_is_refused(tmp_path, old, new, mark):
    """The generator numbers and bullets; "II. " typed by hand would print twice."""
    plan = replace_once(PLAN, old, new)
    refused(tmp_path, plan, line_of(plan, new.strip()[:12]), "", f"'{mark}'", "gõ tay")


def test_two_authorities_in_one_line_are_refused(tmp_path):
    new = "  tham_quyen: TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH"
    plan = replace_once(PLAN, "  tham_quyen: KT. CHỦ TỊCH", new)
    refused(tmp_path, plan, line_of(plan, new), "nguoi_ky.tham_quyen",
            "tham_quyen: [TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]")


@pytest.mark.parametrize("item, words", [
    ("{soo: Đẩy mạnh}", ("không có kiểu ý 'soo'", "so")),
    ("{so: Đẩy mạnh, gach: tuyên truyền}", ("một ý chỉ có một kiểu", "{so: …} và {gach: …}")),
])
def test_an_item_of_no_kind_is_named(tmp_path, item, words):
    plan = replace_once(PLAN, ITEM, f"      - {item}")
    refused(tmp_path, plan, line_of(plan, item), "nhiem_vu", *words)


def test_kind_letters_of_ky_hieu_as_the_decree_writes_them(tmp_path):
    plan = replace_once(PLAN, "so: 5\n", "so: 5\nky_hieu: kh-UBND\n")
    refused(tmp_path, plan, line_of(plan, "ky_hieu:"), "ky_hieu", "KH-UBND")


SECTIONS = """bo_cuc:
  - tieu_de: Bối cảnh
  - muc: muc_dich_yeu_cau
  - muc: muc_tieu_chi_tieu
    bo_muc_con: true
    ten: {muc_tieu_chung: Mục tiêu}
  - muc: nhiem_vu
    tieu_de: ""
  - muc: kinh_phi
  - muc: to_chuc_thuc_hien
"""


def test_sections_that_would_print_nothing_or_ignore_a_key(tmp_path):
    """An own section with no content (an empty heading), ``ten`` under
    ``bo_muc_con: true`` (never printed) and an empty title are all said."""
    plan = PLAN.replace("nguoi_ky:\n", SECTIONS + "nguoi_ky:\n", 1)
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    for needle, field in (("- tieu_de: Bối cảnh", "bo_cuc[1].noi_dung"),
                          ("ten: {muc_tieu_chung", "bo_cuc[3].ten"),
                          ('tieu_de: ""', "bo_cuc[4].tieu_de")):
        assert f"kh.yaml:{line_of(plan, needle)}: {field}:" in result.stderr, \
            (field, result.stderr)
    assert "Traceback" not in result.stderr


def test_a_recipient_of_kinh_gui_listed_again_is_warned(tmp_path):
    ws = make_workspace(tmp_path)
    report = """loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Tổng kết năm 2023
kinh_gui: Bộ Công an
nguoi_ky: {chuc_vu: CHỦ TỊCH, ho_ten: Nguyễn Văn A}
noi_nhan:
  - Bộ Công an
  - "Lưu: VT"
"""
    ws.write("content/xa/2023/bc.yaml", report)
    result = ws.run("check", "content/xa/2023/bc.yaml")
    assert result.returncode == 0, result.stderr
    assert f"bc.yaml:{line_of(report, '- Bộ Công an')}: cảnh báo: noi_nhan" in result.stderr
    assert "Như trên" in result.stderr


def test_a_batch_figure_too_large_for_words_is_refused(tmp_path):
    plan = replace_once(PLAN, "kinh_phi: Kinh phí thực hiện từ nguồn ngân sách nhà nước theo "
                        "phân cấp hiện hành.",
                        'kinh_phi: "Tổng kinh phí ({kinh_phi|tien_bang_chu})."\n'
                        'cho_moi: {bang: _xa.csv, ten_tep: "{ma}"}')
    ws = make_workspace(tmp_path, replace_once(plan, "so: 5\n", ""))
    ws.write("content/xa/2023/_xa.csv", "ma,kinh_phi\ntan-an,1.000.000.000.000.000.000\n")
    result = ws.render()
    assert result.returncode == 1
    assert "kinh_phi: {kinh_phi|tien_bang_chu}: số 1.000.000.000.000.000.000 quá lớn" \
        in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_problems_are_said_top_to_bottom(tmp_path):
    """All mistakes of a file at once, in the order the clerk reads the file."""
    plan = replace_once(PLAN, "  tham_quyen: KT. CHỦ TỊCH",
                        '  tham_quyen: ["TM. ỦY BAN NHÂN DÂN\\nKT. CHỦ TỊCH"]')
    plan = replace_once(plan, HEADING, "  - tieu_de: II. Công tác thông tin")
    plan = replace_once(plan, ITEM, "      - {soo: Đẩy mạnh}")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    lines = [int(s.split(":")[1]) for s in result.stderr.splitlines()
             if s.startswith("content/xa/2023/kh.yaml:")]
    assert len(lines) == 3 and lines == sorted(lines), result.stderr
