""""Có phải ý bạn là …?": the nearest known name to a misspelt one.

A clerk's slips are mostly case (``Trich_yeu``, ``ct07``), diacritics typed on a
key (``trích_yếu``), a space for ``_`` (``noi nhan``) or a missing zero (``CT6``).
Names are compared folded (without those differences); failing an exact folded
match, difflib's ratio finds a near one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata


def fold(name: str) -> str:
    text = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[\s\-]+", "_", text.strip())
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


def nearest(name: str, known) -> str | None:
    """The known name the clerk most likely meant, or None."""
    known = [str(k) for k in known if str(k) != str(name)]
    folded = {fold(k): k for k in known}
    if fold(name) in folded:
        return folded[fold(name)]
    close = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def hint(name: str, known) -> str:
    """`` Có phải ý bạn là X?`` (with a leading space), or nothing."""
    found = nearest(name, known)
    return f" Có phải ý bạn là {found}?" if found else ""
