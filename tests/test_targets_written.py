"""Targets as written (issue 13): a breakdown in parentheses is not printed a
second time as "+" lines, a breakdown may be left out, a sentence keeps its own
ending, and ``lon-hon`` ("trên 70%") is strictly above."""

from __future__ import annotations

import pytest

from helpers_ws import (PLAN, PLAN_RESULTS, docx_text, make_workspace, pdf_text, replace_once,
                        report, squeeze)

CT02 = """    cau: "Cai nghiện ma túy cho {{ gia_tri }}"
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người}
      - {ma: CT02b, ten: Cai nghiện tại gia đình và cộng đồng, gia_tri: 50, don_vi: lượt người}
"""
IN_PARENTHESES = """    cau: "Cai nghiện ma túy cho {{ gia_tri }}"
    in_chi_tiet: ngoac
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người, cau: "tập trung {{ gia_tri }}"}
      - {ma: CT02b, ten: Cai nghiện tại gia đình, gia_tri: 50, don_vi: lượt người, cau: "tại gia đình {{ gia_tri }}"}
"""


def outputs(tmp_path, plan):
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return docx_text(ws.path("output/xa/2023/kh.docx")), pdf_text(ws.path("output/xa/2023/kh.pdf"))


def test_breakdown_in_parentheses_is_printed_once(tmp_path):
    docx, pdf = outputs(tmp_path, replace_once(PLAN, CT02, IN_PARENTHESES))
    line = "- Cai nghiện ma túy cho 550 lượt người (tập trung 500 lượt người, tại gia đình 50 lượt người)."
    assert line in docx.replace("\xa0", " ").splitlines()
    assert squeeze(line) in squeeze(pdf)
    for text in (docx, pdf):
        assert "trong đó" not in text and "+ tập trung" not in text


def test_breakdown_left_out(tmp_path):
    docx, pdf = outputs(tmp_path, replace_once(PLAN, CT02, CT02.replace(
        "    chi_tiet:\n", "    in_chi_tiet: khong\n    chi_tiet:\n")))
    assert "- Cai nghiện ma túy cho 550 lượt người." in docx.replace("\xa0", " ").splitlines()
    for text in (docx, pdf):
        assert "Cai nghiện tập trung" not in text and "trong đó" not in text


def test_sentence_keeps_its_own_ending(tmp_path):
    plan = replace_once(PLAN, 'tệ nạn xã hội"\n  - ma: CT02',
                        'tệ nạn xã hội."\n    giu_cuoi_cau: true\n  - ma: CT02')
    docx, _ = outputs(tmp_path, plan)
    assert any(line.startswith("- Phấn đấu 100% các xã") and line.endswith("tệ nạn xã hội.")
               for line in docx.replace("\xa0", " ").splitlines()), docx


REPORT = report(**{**PLAN_RESULTS, "CT01": 100})


@pytest.mark.parametrize("comparison, verdict", [("lon-hon", "Không đạt"),
                                                  ("toi-thieu", "Đạt")])
def test_strictly_above(tmp_path, comparison, verdict):
    plan = replace_once(PLAN, '    don_vi: "%"\n', f'    don_vi: "%"\n    so_sanh: {comparison}\n')
    ws = make_workspace(tmp_path, plan)
    ws.write("content/xa/2023/bc.yaml", REPORT)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    import docx
    table = docx.Document(str(ws.path("output/xa/2023/bc.docx"))).tables[1]
    row = [c.text for c in table.rows[1].cells]
    assert row[1].startswith("Xã, phường") and row[-1] == verdict, row
