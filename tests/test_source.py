"""Reading content files: YAML 1.2 semantics, NFC text, lines; and the Vietnamese
number and date conventions of nd30.md."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from generator import vnformat
from generator.errors import Collector
from generator.content.source import load


def read(tmp_path, text: str):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    col = Collector(path)
    return load(path, col), col


def test_yaml_1_2_no_stays_text_and_012_is_twelve(tmp_path):
    src, _ = read(tmp_path, "a: no\nb: yes\nc: on\nd: 012\n")
    assert src.data == {"a": "no", "b": "yes", "c": "on", "d": 12}


def test_text_is_nfc(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Quảng Ninh")
    assert decomposed != "Quảng Ninh"
    src, _ = read(tmp_path, f"ten: {decomposed}\n")
    assert src.data["ten"] == "Quảng Ninh"


def test_dates_stay_text_so_the_validator_names_the_line(tmp_path):
    src, col = read(tmp_path, "nam: 2023\nngay: 2023-02-30\n")
    assert src.data["ngay"] == "2023-02-30" and not col.problems
    assert src.line(("ngay",)) == 2


def test_every_value_has_its_line(tmp_path):
    src, _ = read(tmp_path, "a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert src.line(("b", 1, "c")) == 4
    assert src.line(("b", 0)) == 3


def test_numbers_print_the_vietnamese_way():
    assert vnformat.number(1250000) == "1.250.000"
    assert vnformat.number(Decimal("101.8")) == "101,8"
    assert vnformat.number(0.5) == "0,5"
    assert vnformat.number(Decimal("106.25"), decimals=1) == "106,3"  # half up
    assert vnformat.quantity(2, "xã") == "02 xã"
    assert vnformat.quantity(2, "xã", pad=False) == "2 xã"
    assert vnformat.quantity(100, "%") == "100%"


def test_dates_take_leading_zeros_as_the_decree_says():
    assert (vnformat.day(dt.date(2023, 3, 5)), vnformat.month(dt.date(2023, 3, 5))) == ("05", "3")
    assert vnformat.month(dt.date(2023, 1, 29)) == "01"
    assert vnformat.month(dt.date(2023, 2, 1)) == "02"
    assert vnformat.month(dt.date(2023, 12, 1)) == "12"
    assert vnformat.doc_number(5) == "05" and vnformat.doc_number(827) == "827"


def test_points_use_the_vietnamese_alphabet():
    letters = [vnformat.point_letter(n) for n in range(1, 24)]
    assert letters[:6] == ["a", "b", "c", "d", "đ", "e"]
    assert not set("fjwz") & set(letters)


def test_amounts_in_words():
    assert vnformat.words(125000000) == "Một trăm hai mươi lăm triệu"
