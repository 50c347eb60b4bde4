"""The authority lines of a signature block (Nghị định 30, Phụ lục I, khoản 7):
``TM.`` (on behalf of a collective body), ``KT.`` (signing for the head),
``Q.`` (acting head), ``TL.`` (by order), ``TUQ.`` (by delegation).

A block reads top to bottom as at most one line of each stage, in this order:
``TM.`` → ``TL.`` or ``TUQ.`` → ``KT.`` or ``Q.``; the signer's own title
(``chuc_vu``) follows. "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" is the
usual block of a People's Committee.
"""

from __future__ import annotations

import re

# Prefix → its stage in the block (lower stages come first).
STAGES = {"TM.": 0, "TL.": 1, "TUQ.": 1, "KT.": 2, "Q.": 2}
MEANING = {"TM.": "thay mặt", "TL.": "thừa lệnh", "TUQ.": "thừa ủy quyền",
           "KT.": "ký thay", "Q.": "quyền"}
_PREFIX = re.compile(r"^(TM|TL|TUQ|KT|Q)\s*\.\s*(\S.*)$", re.IGNORECASE)
# A second authority inside one line: "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH".
_SECOND = re.compile(r"[\s,;/]+(?:TM|TL|TUQ|KT|Q)\s*\.\s*\S", re.IGNORECASE)

FORMS = ('"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH", "TUQ. CHỦ TỊCH", '
         '"Q. CHỦ TỊCH"; theo thứ tự TM. → TL./TUQ. → KT./Q., ví dụ '
         'tham_quyen: [TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]')


def problems(lines: list[str]) -> list[tuple[int, str]]:
    """(index of the line, plain Vietnamese message) for each line that does not
    follow the decree's forms; empty when the block is well formed."""
    out = []
    last_stage = -1
    for index, line in enumerate(lines):
        match = _PREFIX.match(line)
        if not match:
            out.append((index, f'dòng "{line}" phải bắt đầu bằng TM., KT., Q., TL. hoặc '
                               f"TUQ. rồi đến chức danh; mẫu đúng: {FORMS}"))
            continue
        second = _SECOND.search(line, match.start(2))
        if second:
            first, rest = line[:second.start()].rstrip(" ,;/"), line[second.start():]
            out.append((index, f'dòng "{line}" gộp hai dòng thẩm quyền; mỗi dòng là một mục '
                               f"của danh sách: tham_quyen: [{first}, {rest.strip(' ,;/')}]"))
            continue
        prefix = match.group(1).upper() + "."
        if not line.startswith(prefix):
            out.append((index, f'viết "{prefix}" (chữ in hoa, có dấu chấm) ở đầu dòng '
                               f'"{line}"'))
            continue
        stage = STAGES[prefix]
        if stage <= last_stage:
            out.append((index, f'dòng "{line}" ({MEANING[prefix]}) không đứng được ở vị trí '
                               f"này; thứ tự đúng: {FORMS}"))
        last_stage = max(last_stage, stage)
    return out
