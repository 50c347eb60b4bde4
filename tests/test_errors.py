"""A clerk's mistakes, through the real ``vanban`` command run as a process.

Each case starts from a valid plan (helpers_ws.PLAN), renders it, then makes one
mistake and renders again. The command must refuse with exit status 1, print
``file:line: field: message`` in Vietnamese without a traceback, and leave the
previous outputs exactly as they were (spec: /work/shared/spec/content-format.md, "Parsing
rules"). Line numbers are derived from the text the test wrote, never typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from helpers_ws import (DOC, DOCX, PDF, PLAN, file_lines, has_vietnamese,
                        line_of, make_workspace, names_field, replace_once,
                        snapshot, squeeze, value_on_line)


@dataclass(frozen=True)
class Case:
    id: str
    old: str            # text of PLAN to replace (exactly one occurrence)
    new: str            # the mistake
    at: str             # the error must name the line holding this text (in the broken file)
    field: str          # ... and this field
    nth: int = 1        # which line holding ``at``, when several do
    also: tuple = ()    # further text the message must contain
    or_at: tuple = ()   # other lines that are an equally right place for the error


TRICH_YEU = ("trich_yeu: Thực hiện công tác phòng, chống mại dâm, cai nghiện ma túy "
             "và hỗ trợ nạn nhân bị mua bán trở về năm 2023\n")
CAU = 'cau: "Cai nghiện ma túy cho {{ gia_tri }}"'
NOI_NHAN = ("noi_nhan:\n  - Bộ Lao động - Thương binh và Xã hội (b/c)\n"
            "  - TT Tỉnh ủy, TT HĐND tỉnh (b/c)\n  - Lưu: VT, VX\n")

CASES = [
    # 1. YAML syntax
    Case("yaml-thut-le", "  chuc_vu: PHÓ CHỦ TỊCH", " chuc_vu: PHÓ CHỦ TỊCH",
         at=" chuc_vu:", field="chuc_vu"),
    Case("yaml-hai-cham-khong-ngoac-kep", "trich_yeu: Thực hiện công tác",
         "trich_yeu: Kế hoạch: thực hiện công tác", at="trich_yeu:", field="trich_yeu",
         also=("ngoặc kép",)),
    # 2. a required key missing: named at the line of the mapping that should hold it
    Case("thieu-trich-yeu", TRICH_YEU, "", at="loai:", field="trich_yeu"),
    Case("thieu-ho-ten", "  ho_ten: Nguyễn Văn A\n", "", at="nguoi_ky:", field="ho_ten"),
    # 3. wrong type
    Case("nam-khong-phai-so", "nam: 2023", "nam: hai nghìn", at="nam:", field="nam"),
    Case("noi-nhan-la-bang-khoa", NOI_NHAN, "noi_nhan:\n  Bộ Lao động: 5\n  Lưu: VT, VX\n",
         at="noi_nhan:", field="noi_nhan"),
    # 4. impossible date
    Case("ngay-khong-co-that", "ngay: 2023-01-04", "ngay: 2023-02-30", at="ngay:",
         field="ngay", also=("2023-02-30",)),
    # 5. duplicate target code: the second use is the mistake
    Case("ma-chi-tieu-trung", "  - ma: CT02\n", "  - ma: CT01\n", at="- ma: CT01", nth=2,
         field="chi_tieu", also=("CT01",)),
    # 6. sub-targets that do not add up: 510 + 50 = 560, parent says 550
    Case("chi-tiet-khong-khop-tong", "gia_tri: 500,", "gia_tri: 510,", at="chi_tiet:",
         or_at=("gia_tri: 550",), field="chi_tiet", also=("550", "560")),
    # 7. unknown agency
    Case("co-quan-khong-co", "co_quan: ubnd-quang-ninh", "co_quan: khong-co",
         at="co_quan:", field="co_quan", also=("khong-co",)),
    # 8. a target sentence reaching for Python internals
    Case("cau-class", CAU, "cau: \"Cai nghiện {{ ''.__class__ }}\"", at="__class__",
         field="cau"),
    Case("cau-mro", CAU, "cau: \"Cai nghiện {{ ''.__class__.__mro__ }}\"", at="__mro__",
         field="cau"),
    # 10. a control character (BEL) written as a YAML escape
    Case("ky-tu-dieu-khien", TRICH_YEU, 'trich_yeu: "Kế hoạch\\u0007 năm 2023"\n',
         at="trich_yeu:", field="trich_yeu"),
    # 11. an output name leaving output/
    Case("ten-tep-ra-ngoai", "nam: 2023\n", "nam: 2023\nten_tep: ../../thoat\n",
         at="ten_tep:", field="ten_tep"),
]
IDS = [c.id for c in CASES]


@dataclass
class Outcome:
    text: str            # the broken content file
    result: object       # CompletedProcess of the second render
    before: dict         # snapshot of the whole tmp tree after the good render
    after: dict          # ... and after the refused one

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def reports(self) -> list[str]:
        return file_lines(self.result.stderr, DOC)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, rendered_plan):
    """Runs each case once (a copy of the rendered valid plan, break, render
    again), shared by the checks."""
    cache: dict[str, Outcome] = {}

    def get(case: Case) -> Outcome:
        if case.id not in cache:
            root = tmp_path_factory.mktemp(case.id)
            ws = rendered_plan(root)
            before = snapshot(root)
            text = replace_once(PLAN, case.old, case.new)
            ws.write(DOC, text)
            before[f"ws/{DOC}"] = None  # the one file the test changed itself
            result = ws.render()
            after = snapshot(root)
            after[f"ws/{DOC}"] = None
            cache[case.id] = Outcome(text, result, before, after)
        return cache[case.id]

    return get


def expected_lines(case: Case, text: str) -> list[int]:
    return [line_of(text, case.at, case.nth)] + [line_of(text, n) for n in case.or_at]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refused_with_exit_status_1(case, outcome):
    assert outcome(case).result.returncode == 1, outcome(case).stderr


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_names_file_and_line(case, outcome):
    o = outcome(case)
    places = [f"{DOC}:{n}:" for n in expected_lines(case, o.text)]
    assert any(place in o.stderr for place in places), \
        f"expected one of {places} in stderr:\n{o.stderr}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_names_field(case, outcome):
    o = outcome(case)
    assert any(names_field(line, case.field) for line in o.reports), \
        f"field {case.field!r} not named in:\n{o.stderr}"


@pytest.mark.parametrize("case", [c for c in CASES if c.also], ids=[c.id for c in CASES if c.also])
def test_message_gives_details(case, outcome):
    o = outcome(case)
    missing = [t for t in case.also if not any(t in line for line in o.reports)]
    assert not missing, f"{missing} not in:\n{o.stderr}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_message_is_vietnamese(case, outcome):
    o = outcome(case)
    echoed = value_on_line(o.text, line_of(o.text, case.at, case.nth))
    messages = [line.replace(echoed, "") if echoed else line for line in o.reports]
    assert messages and all(has_vietnamese(m) for m in messages), o.stderr


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_traceback(case, outcome):
    assert "Traceback" not in outcome(case).stderr


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_keeps_old_outputs(case, outcome):
    o = outcome(case)
    for rel in (DOCX, PDF):
        assert o.after.get(f"ws/{rel}") == o.before[f"ws/{rel}"], f"{rel} was changed"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_writes_no_other_file(case, outcome):
    """No new file anywhere in the tmp tree: no *.part leftovers, nothing outside output/."""
    o = outcome(case)
    assert sorted(o.after) == sorted(o.before)


def test_sandbox_does_not_leak_python_internals(outcome):
    o = outcome(next(c for c in CASES if c.id == "cau-mro"))
    assert "<class" not in o.stderr


# -- 9. markup in ordinary text is literal ------------------------------------------

LITERAL = {
    "trich_yeu": "Thử <script>alert(1)</script> và {{ 7*7 }} trong trích yếu",
    "mo_dau": "Mở đầu <script>alert(1)</script> và {{ 7*7 }} như sau:",
}


@pytest.fixture(scope="module")
def literal(tmp_path_factory):
    text = replace_once(PLAN, TRICH_YEU, f'trich_yeu: "{LITERAL["trich_yeu"]}"\n')
    text = re.sub(r'(?m)^mo_dau: .*$', lambda m: f'mo_dau: "{LITERAL["mo_dau"]}"', text)
    return make_workspace(tmp_path_factory.mktemp("literal"), text).render_and_read()


def test_literal_markup_renders(literal):
    result, _ = literal
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("field", list(LITERAL))
def test_literal_markup_printed_as_written(literal, field, fmt):
    _, texts = literal
    assert squeeze(LITERAL[field]) in squeeze(texts.get(fmt, "")), texts.get(fmt)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("field", list(LITERAL))
def test_literal_braces_not_evaluated(literal, field, fmt):
    _, texts = literal
    evaluated = LITERAL[field].replace("{{ 7*7 }}", "49")
    assert squeeze(evaluated) not in squeeze(texts.get(fmt, ""))


# -- 12, 13. every error at once -----------------------------------------------------

SECOND = "content/xa/2023/kh-bo-sung.yaml"


@dataclass(frozen=True)
class Mistake:
    old: str
    new: str
    at: str
    nth: int = 1


def with_mistakes(mistakes: list[Mistake]) -> tuple[str, list[int]]:
    """PLAN with every mistake made; and the lines where each must be reported."""
    text = PLAN
    for m in mistakes:
        text = replace_once(text, m.old, m.new)
    return text, sorted(line_of(text, m.at, m.nth) for m in mistakes)


def reported_lines(stderr: str, rel: str) -> list[int]:
    return sorted(int(line[len(rel) + 1:].split(":")[0]) for line in file_lines(stderr, rel))


CHECK_MISTAKES = [
    Mistake("ngay: 2023-01-04", "ngay: 2023-02-30", at="ngay:"),
    Mistake(NOI_NHAN, "noi_nhan: 5\n", at="noi_nhan:"),
    Mistake("  - ma: CT02\n", "  - ma: CT01\n", at="- ma: CT01", nth=2),
]


@pytest.fixture(scope="module")
def broken_folder(tmp_path_factory):
    """Two broken plans: kh.yaml with three mistakes, kh-bo-sung.yaml with one."""
    ws = make_workspace(tmp_path_factory.mktemp("check"))
    text, lines = with_mistakes(CHECK_MISTAKES)
    ws.write(DOC, text)
    second, second_lines = with_mistakes([Mistake("nam: 2023", "nam: hai nghìn", at="nam:")])
    ws.write(SECOND, second)
    return ws.run("check", "content"), lines, second_lines


def test_check_broken_folder_exits_1(broken_folder):
    result, _, _ = broken_folder
    assert result.returncode == 1, result.stderr


def test_check_reports_both_files(broken_folder):
    result, _, _ = broken_folder
    assert file_lines(result.stderr, DOC) and file_lines(result.stderr, SECOND), result.stderr


def test_check_reports_every_error_of_a_file(broken_folder):
    result, lines, _ = broken_folder
    assert reported_lines(result.stderr, DOC) == lines, result.stderr


def test_check_reports_the_other_files_error(broken_folder):
    result, _, second_lines = broken_folder
    assert reported_lines(result.stderr, SECOND) == second_lines, result.stderr


def test_check_good_folder_exits_0(tmp_path):
    result = make_workspace(tmp_path).run("check", "content")
    assert result.returncode == 0, result.stderr


RENDER_MISTAKES = [
    Mistake("nam: 2023", "nam: hai nghìn", at="nam:"),
    Mistake("ngay: 2023-01-04", "ngay: 2023-02-30", at="ngay:"),
    Mistake("gia_tri: 500,", "gia_tri: 510,", at="chi_tiet:"),
]


def test_render_reports_every_error_of_a_file(tmp_path):
    ws = make_workspace(tmp_path)
    text, lines = with_mistakes(RENDER_MISTAKES)
    ws.write(DOC, text)
    result = ws.render()
    assert reported_lines(result.stderr, DOC) == lines, result.stderr


# -- the command itself ----------------------------------------------------------------

def test_version(tmp_path):
    result = make_workspace(tmp_path).run("--version")
    assert result.returncode == 0 and re.search(r"\d+\.\d+", result.stdout), result


@pytest.mark.parametrize("args", [["--help"], ["render", "--help"], ["check", "--help"]],
                         ids=["main", "render", "check"])
def test_help_is_vietnamese(tmp_path, args):
    result = make_workspace(tmp_path).run(*args)
    assert result.returncode == 0 and has_vietnamese(result.stdout), result
