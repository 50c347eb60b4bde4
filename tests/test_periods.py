"""Periods (issue 13): ``giai_doan`` years from–to, targets per year (``theo_nam``),
a report on a period plan measured against one year's values or the period's."""

from __future__ import annotations

import docx
import pytest

from helpers_ws import PLAN, docx_text, make_workspace, replace_once

PERIOD_PLAN = replace_once(
    replace_once(PLAN, "nam: 2023\n", "nam: 2023\ngiai_doan: 2021 - 2025\n"),
    '    don_vi: "%"\n',
    '    don_vi: "%"\n    theo_nam: {2023: 80, 2025: 100}\n')
PERIOD_PLAN = replace_once(PERIOD_PLAN, '"Phấn đấu {{ gia_tri }} các xã',
                           '"Phấn đấu đến năm 2025 có {{ gia_tri }} (năm 2023: '
                           '{{ gia_tri_nam[2023] }}) các xã')

REPORT = """loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Kết quả thực hiện năm 2023
ke_hoach: kh.yaml
ket_qua:
  CT01: 85
  CT02: 550
  CT02a: 500
  CT02b: 50
nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - "Lưu: VT"
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("period"), PERIOD_PLAN)
    ws.write("content/xa/2023/bc.yaml", REPORT)
    ws.write("content/xa/2023/bc-giai-doan.yaml",
             REPORT.replace("nam: 2023\n", "nam: 2025\ngiai_doan: 2021 - 2025\n"))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return ws


def row_ct01(ws, name):
    table = docx.Document(str(ws.path(f"output/xa/2023/{name}.docx"))).tables[1]
    return [c.text for c in table.rows[1].cells]


def test_plan_sentence_gives_the_year_and_the_period(rendered):
    text = docx_text(rendered.path("output/xa/2023/kh.docx")).replace("\xa0", " ")
    assert "Phấn đấu đến năm 2025 có 100% (năm 2023: 80%) các xã" in text


def test_year_report_measures_against_that_year(rendered):
    row = row_ct01(rendered, "bc")
    assert row[3:5] == ["80", "85"] and row[-1] == "Vượt", row
    text = docx_text(rendered.path("output/xa/2023/bc.docx"))
    assert "Kết quả thực hiện các chỉ tiêu năm 2023 của Kế hoạch giai đoạn 2021 - 2025 " \
           "như sau:" in text.replace("\xa0", " ")


def test_period_report_measures_against_the_period(rendered):
    row = row_ct01(rendered, "bc-giai-doan")
    assert row[3:5] == ["100", "85"] and row[-1] == "Không đạt", row


@pytest.mark.parametrize("written", ["2025 - 2021", "2021 đến 2025"])
def test_a_wrong_period_is_named(tmp_path, written):
    ws = make_workspace(tmp_path, PERIOD_PLAN.replace("giai_doan: 2021 - 2025",
                                                      f"giai_doan: {written}"))
    result = ws.render()
    assert result.returncode != 0
    assert "kh.yaml:4: giai_doan:" in result.stderr and "Traceback" not in result.stderr
