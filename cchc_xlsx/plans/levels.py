"""School levels (cấp học) as short codes, so rows can say which schools they apply to.

A unit list says "Mầm non", "Tiểu học", "THCS", "Trung học cơ sở" or, for a multi-level
school, "Tiểu học, THCS"; form rows say ``levels: [TH, THCS]``. Both fold to the same codes.
"""

from __future__ import annotations

import re
import unicodedata

LEVELS = ("MN", "TH", "THCS", "THPT", "GDTX")
NAMES = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "Trung học cơ sở",
         "THPT": "Trung học phổ thông", "GDTX": "Giáo dục thường xuyên"}
_WORDS = {
    "mn": "MN", "mam non": "MN", "mau giao": "MN", "nha tre": "MN",
    "th": "TH", "tieu hoc": "TH",
    "thcs": "THCS", "trung hoc co so": "THCS",
    "thpt": "THPT", "trung hoc pho thong": "THPT",
    "gdtx": "GDTX", "giao duc thuong xuyen": "GDTX",
}


def _plain(text: str) -> str:
    """"Trường Tiểu học" → "truong tieu hoc" (plans sit below reading, so no normalize)."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).lower().split())


def level_codes(text: str | list | tuple | None) -> tuple[tuple[str, ...], list[str]]:
    """The codes a text names, in LEVELS order, and the parts it could not read."""
    if text is None:
        return (), []
    parts = text if isinstance(text, (list, tuple)) else re.split(r"[,;/+&]| và ", str(text))
    found, unknown = set(), []
    for part in parts:
        words = " ".join(_plain(str(part)).replace("truong", " ").split())
        if not words:
            continue
        code = _WORDS.get(words)
        if code:
            found.add(code)
        else:
            unknown.append(str(part).strip())
    return tuple(c for c in LEVELS if c in found), unknown


def applies(row_levels: tuple[str, ...], unit_levels: tuple[str, ...]) -> bool:
    """A row with no levels applies to every unit; a unit with no known level gets every
    row (its list did not say, so nothing is withheld)."""
    return not row_levels or not unit_levels or bool(set(row_levels) & set(unit_levels))


def unit_levels(level_text: str) -> tuple[str, ...]:
    """A unit's levels from its list's "cấp học" cell; () when it does not say (or says
    something else, e.g. "Liên cấp": the unit then gets every row)."""
    return level_codes(level_text)[0]
