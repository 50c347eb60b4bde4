"""Periods (issue 13): ``giai_doan`` years from–to, targets per year (``theo_nam``),
a report on a period plan measured against one year's values or the period's."""

from __future__ import annotations

import docx
import pdfplumber
import pytest

from conftest import libreoffice_pdfs
from helpers_ws import (PLAN, PLAN_RESULTS, docx_text, line_of, make_workspace, replace_once,
                        report)

PERIOD_PLAN = replace_once(
    replace_once(PLAN, "nam: 2023\n", "nam: 2023\ngiai_doan: 2021 - 2025\n"),
    '    don_vi: "%"\n',
    '    don_vi: "%"\n    theo_nam: {2023: 80, 2025: 100}\n')
PERIOD_PLAN = replace_once(PERIOD_PLAN, '"Phấn đấu {{ gia_tri }} các xã',
                           '"Phấn đấu đến năm 2025 có {{ gia_tri }} (năm 2023: '
                           '{{ gia_tri_nam[2023] }}) các xã')

REPORT = report(**PLAN_RESULTS)


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


SUBJECT = "Phòng, chống ma túy và cai nghiện ma túy trên địa bàn tỉnh"


def subject_lines(pdf_path) -> list[str]:
    """The subject's lines as printed: the lines between "KẾ HOẠCH" and the first
    body line (the plan's can_cu starts "Căn cứ")."""
    with pdfplumber.open(str(pdf_path)) as pdf:
        lines = (pdf.pages[0].extract_text() or "").splitlines()
    start = lines.index("KẾ HOẠCH") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Căn cứ"))
    return lines[start:end]


@pytest.fixture(scope="module")
def titled(tmp_path_factory):
    """The period is stated by the subject, or added to it; either way on one line."""
    ws = make_workspace(tmp_path_factory.mktemp("titled"), replace_once(
        PERIOD_PLAN, "trich_yeu: Thực hiện công tác phòng, chống mại dâm, cai nghiện ma túy và "
        "hỗ trợ nạn nhân bị mua bán trở về năm 2023", f"trich_yeu: {SUBJECT}"))
    ws.write("content/xa/2023/kh-ghi-ro.yaml", replace_once(
        ws.path("content/xa/2023/kh.yaml").read_text(encoding="utf-8"),
        f"trich_yeu: {SUBJECT}", f"trich_yeu: {SUBJECT} giai đoạn 2021 - 2025"))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return ws


@pytest.mark.parametrize("name", ["kh", "kh-ghi-ro"])
def test_title_says_the_period_once(titled, name):
    paragraphs = [p.text.replace("\xa0", " ").replace("\n", " ") for p in
                  docx.Document(str(titled.path(f"output/xa/2023/{name}.docx"))).paragraphs]
    assert f"{SUBJECT} giai đoạn 2021 - 2025" in paragraphs
    lines = subject_lines(titled.path(f"output/xa/2023/{name}.pdf"))
    assert " ".join(lines) == f"{SUBJECT} giai đoạn 2021 - 2025", lines


@pytest.mark.parametrize("name", ["kh", "kh-ghi-ro"])
def test_period_never_breaks_across_lines(titled, name, tmp_path):
    """Filling the lines would end the first line inside "giai đoạn 2021 - 2025"; in
    vanban's PDF and in LibreOffice's PDF of the DOCX the period stands whole."""
    docx_path = titled.path(f"output/xa/2023/{name}.docx")
    pdfs = {"vanban": titled.path(f"output/xa/2023/{name}.pdf"),
            "LibreOffice": libreoffice_pdfs([docx_path], tmp_path)[docx_path]}
    for who, pdf in pdfs.items():
        lines = subject_lines(pdf)
        assert len(lines) == 2 and lines[1] == "giai đoạn 2021 - 2025", (who, lines)


def test_subject_naming_another_period_is_refused(tmp_path):
    plan = replace_once(PERIOD_PLAN, "hỗ trợ nạn nhân bị mua bán trở về năm 2023",
                        "hỗ trợ nạn nhân bị mua bán trở về giai đoạn 2016 - 2020")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    line = line_of(plan, "trich_yeu:")
    assert f"kh.yaml:{line}: trich_yeu: trích yếu nêu giai đoạn 2016 - 2020 nhưng giai_doan " \
           "là 2021 - 2025" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("change, field, words", [
    (("nam: 2023\n", "nam: 2027\n"), "nam", ("năm 2027 không thuộc giai đoạn 2021 - 2025",)),
    (("nam: 2023\n", "nam: 2020\n"), "nam", ("năm 2020 không thuộc giai đoạn 2021 - 2025",)),
    (("nam: 2023\n", "nam: 2025\ngiai_doan: 2026 - 2030\n"), "giai_doan",
     ("kế hoạch là giai đoạn 2021 - 2025, báo cáo ghi giai đoạn 2026 - 2030",)),
])
def test_a_report_outside_the_plans_period_is_refused(tmp_path, change, field, words):
    ws = make_workspace(tmp_path, PERIOD_PLAN)
    report = replace_once(REPORT, *change)
    ws.write("content/xa/2023/bc.yaml", report)
    result = ws.run("check", "content/xa/2023/bc.yaml")
    assert result.returncode == 1
    line = line_of(report, f"{field}:")
    said = [s for s in result.stderr.splitlines() if f"bc.yaml:{line}: {field}:" in s]
    assert said and all(w in said[0] for w in words), result.stderr
    assert "Traceback" not in result.stderr


def test_a_year_inside_the_period_is_not_warned(tmp_path):
    ws = make_workspace(tmp_path, PERIOD_PLAN)
    ws.write("content/xa/2023/bc.yaml", replace_once(REPORT, "nam: 2023\n", "nam: 2024\n"))
    result = ws.run("check", "content/xa/2023/bc.yaml")
    assert result.returncode == 0, result.stderr
    assert "cảnh báo: nam" not in result.stderr


@pytest.mark.parametrize("theo_nam, words", [
    ('{"²": 50}', ("'²' không phải là một năm",)),
    ("{2023: 12,5}", ("'5' không phải là một năm", 'ngoặc kép: {2021: "12,5"}')),
])
def test_a_year_that_is_not_a_year_is_named(tmp_path, theo_nam, words):
    plan = PERIOD_PLAN.replace("theo_nam: {2023: 80, 2025: 100}", f"theo_nam: {theo_nam}")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    said = [s for s in result.stderr.splitlines()
            if f"kh.yaml:{line_of(plan, 'theo_nam:')}: chi_tieu" in s]
    assert said and all(w in said[0] for w in words), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("written, words", [
    ("{{ gia_tri_nam }}", ("gia_tri_nam là các giá trị theo năm", "gia_tri_nam[2023]")),
    ("{{ gia_tri_nam[2024] }}", ("không có năm 2024", "2023, 2025")),
    ("{{ gia_tri_nam[2023]|bang_chu }}", ("'80%' không phải là một số",)),
])
def test_a_sentence_misreading_the_years_is_named(tmp_path, written, words):
    plan = replace_once(PERIOD_PLAN, "(năm 2023: {{ gia_tri_nam[2023] }})", f"({written})")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    said = [s for s in result.stderr.splitlines() if "chi_tieu.CT01.cau" in s]
    assert said and all(w in said[0] for w in words), result.stderr
    assert "Traceback" not in result.stderr and "{2023" not in result.stderr


def test_a_value_in_words_with_its_unit(tmp_path):
    plan = replace_once(PERIOD_PLAN, "(năm 2023: {{ gia_tri_nam[2023] }})",
                        "({{ gia_tri_bang_chu }})")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    text = docx_text(ws.path("output/xa/2023/kh.docx")).replace("\xa0", " ")
    assert "Phấn đấu đến năm 2025 có 100% (Một trăm phần trăm) các xã" in text
