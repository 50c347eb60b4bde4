"""The command line speaks Vietnamese to the clerk, also when it is misused."""

from __future__ import annotations

import pytest

from conftest import run_vanban


@pytest.mark.parametrize("args, expected", [
    (["render"], "thiếu đối số FILES"),
    (["rendr", "x"], "không có lệnh 'rendr'"),
    (["build", "--bogus"], "không có tùy chọn --bogus"),
    (["render", "--format", "odt", "content"], "định dạng không hỗ trợ: odt"),
])
def test_usage_mistakes_are_explained_in_vietnamese(args, expected):
    result = run_vanban(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Xem hướng dẫn:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [[], ["render"], ["check"], ["build"], ["new", "bao-cao"],
                                     ["number"], ["register", "export"], ["archive", "add"]])
def test_help_is_vietnamese(command):
    result = run_vanban(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Cách dùng: vanban")
    assert "In hướng dẫn này và thoát." in result.stdout
    assert "Usage" not in result.stdout and "Show this message" not in result.stdout
