"""The format constants of style.py stay inside the ranges of Nghị định 30."""

from generator import style


def test_constants_inside_the_decree_ranges():
    assert style.check_ranges() == []


def test_signature_gap_is_four_lines_of_the_name():
    # The name's own style gives the gap, computed once, not patched in afterwards.
    gap = style.SIGNATURE_GAP_LINES * style.ROLES["ho-ten"].line_pt
    assert style.ROLES["ho-ten"].space_before_pt == gap > 0
