"""A content file reads only the workspace's own files (issue 13's adversarial pass:
``ke_hoach: ../../../../etc/passwd`` was opened and parsed). A plan, a base
(``dua_tren``), a batch table (``cho_moi.bang``) or the units' sheet (``tong_hop.bang``)
outside the content folder is refused on its line and never opened."""

from __future__ import annotations

import pytest

from helpers_ws import PLAN, PLAN_RESULTS, line_of, make_workspace, replace_once, report

COPY = """dua_tren: {base}
so: 6
"""


def outside_plan(tmp_path):
    """A valid plan outside the workspace (beside it)."""
    outside = tmp_path / "ngoai"
    outside.mkdir()
    (outside / "kh.yaml").write_text(PLAN, encoding="utf-8")
    return outside / "kh.yaml"


@pytest.mark.parametrize("how", ["relative", "absolute", "system"])
@pytest.mark.parametrize("kind", ["ke_hoach", "dua_tren"])
def test_a_named_file_outside_the_workspace_is_refused(tmp_path, kind, how):
    ws = make_workspace(tmp_path / "ws")
    plan = outside_plan(tmp_path)
    name = {"relative": "../../../../ngoai/kh.yaml", "absolute": str(plan),
            "system": "../../../../../../../../../etc/passwd"}[how]
    text = report(name, **PLAN_RESULTS) if kind == "ke_hoach" else COPY.format(base=name)
    ws.write("content/xa/2023/van-ban.yaml", text)
    result = ws.run("check", "content/xa/2023/van-ban.yaml")
    assert result.returncode == 1
    said = f"van-ban.yaml:{line_of(text, kind)}: {kind}: tệp {name} nằm ngoài thư mục content"
    assert said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("key", ["cho_moi", "tong_hop"])
def test_a_table_outside_the_workspace_is_refused(tmp_path, key):
    ws = make_workspace(tmp_path / "ws")
    (tmp_path / "ngoai").mkdir()
    (tmp_path / "ngoai" / "xa.csv").write_text("ma\ntan-an\n", encoding="utf-8")
    if key == "cho_moi":
        text = replace_once(PLAN, "so: 5\n", "") + \
            'cho_moi: {bang: ../../../../ngoai/xa.csv, ten_tep: "{ma}"}\n'
        field = "cho_moi.bang"
    else:
        text = report().replace("ket_qua:\n", "tong_hop: {bang: ../../../../ngoai/xa.csv}\n")
        field = "tong_hop.bang"
    ws.write("content/xa/2023/van-ban.yaml", text)
    result = ws.run("check", "content/xa/2023/van-ban.yaml")
    assert result.returncode == 1
    assert f"van-ban.yaml:{line_of(text, 'bang:')}: {field}: tệp ../../../../ngoai/xa.csv " \
           "nằm ngoài thư mục content" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
