"""Reading the bytes of a clerk's file as text, whatever saved it.

UTF-8 (with or without BOM) is the norm. Excel saves "Unicode text" as UTF-16 with a
BOM, and old Vietnamese editors save Windows-1258; both are read, and the caller
warns with the encoding's name so the clerk can save the file again as UTF-8.
charset-normalizer judges whether bytes that are not UTF-8 read as sensible
Windows-1258 text; anything else is refused with the fix.
"""

from __future__ import annotations

import codecs
import unicodedata

# The encodings a clerk's files come in, as named in messages.
NAMES = {"utf_16": "UTF-16", "cp1258": "Windows-1258"}


class Undecodable(ValueError):
    """Bytes that are none of the accepted encodings; ``line`` is where UTF-8 failed."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(line)


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text (NFC) and, when it was not UTF-8, the encoding's name."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _nfc(raw.decode("utf-16")), NAMES["utf_16"]
        except UnicodeDecodeError:
            raise Undecodable(1) from None
    try:
        return _nfc(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1258"]).best()
    if best is None:
        raise Undecodable(line)
    return _nfc(str(best)), NAMES["cp1258"]


def _nfc(text: str) -> str:
    # Windows-1258 writes tone marks as combining characters: "ế" is ê + U+0301.
    return unicodedata.normalize("NFC", text)


def message(name: str) -> str:
    """The warning for a file read in another encoding than UTF-8."""
    return (f"tệp được lưu bằng mã {name}; đã đọc theo mã này. Nên lưu lại tệp với mã "
            "UTF-8 (trong Excel: Lưu thành → CSV UTF-8; trong trình soạn thảo: "
            "Encoding → UTF-8)")


UNDECODABLE = ("không đọc được tệp: không phải mã UTF-8, UTF-16 hay Windows-1258; hãy "
               "mở tệp và lưu lại với mã UTF-8")
