"""The Nghị định 30/2020 page furniture around a table, written with xlsxwriter.

Header blocks, appendix heading, signature block, page setup and the fonts of each element
follow NĐ 30/2020 Phụ lục I (see shared/reference/vn-official-formats.md §1). The table
itself is the generator's job; this module knows only the official layout.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xlsxwriter.worksheet import Worksheet

FONT = "Times New Roman"
TABLE_SIZE = 12
MM = 1 / 25.4  # inches per millimetre

# NĐ 30/2020 Phụ lục I, Mục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"left": 30 * MM, "right": 15 * MM, "top": 20 * MM, "bottom": 20 * MM}
A4 = 9

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = ""
    for value, numeral in ROMAN:
        while n >= value:
            out += numeral
            n -= value
    return out


# Format definitions by name: a workbook creates each once, on first use.
FORMATS: dict[str, dict[str, Any]] = {
    "superior": {"size": 12, "align": "center", "valign": "top", "text_wrap": True},
    "issuer": {"size": 12, "bold": True, "align": "center", "valign": "top", "text_wrap": True},
    "nation": {"size": 12, "bold": True, "align": "center", "valign": "top"},
    "motto": {"size": 13, "bold": True, "align": "center", "valign": "top", "underline": 1},
    "number": {"size": 13, "align": "center", "valign": "top"},
    "dateline": {"size": 13, "italic": True, "align": "center", "valign": "top",
                 "text_wrap": True},
    "pl": {"size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "title": {"size": 13, "bold": True, "align": "center", "valign": "vcenter",
              "text_wrap": True},
    "attached": {"size": 13, "italic": True, "align": "center", "valign": "top",
                 "text_wrap": True},
    "note": {"size": 12, "italic": True, "align": "left", "valign": "top", "text_wrap": True},
    "th": {"size": TABLE_SIZE, "bold": True, "align": "center", "valign": "vcenter",
           "text_wrap": True, "border": 1},
    "colnum": {"size": 11, "italic": True, "align": "center", "valign": "vcenter", "border": 1},
    "td": {"size": TABLE_SIZE, "valign": "top", "text_wrap": True, "border": 1},
    "td_center": {"size": TABLE_SIZE, "valign": "top", "align": "center", "text_wrap": True,
                  "border": 1},
    "td_group": {"size": TABLE_SIZE, "bold": True, "valign": "top", "text_wrap": True,
                 "border": 1},
    "td_group_center": {"size": TABLE_SIZE, "bold": True, "valign": "top", "align": "center",
                        "text_wrap": True, "border": 1},
    "td_group_column": {"size": TABLE_SIZE, "bold": True, "valign": "vcenter",
                        "align": "center", "text_wrap": True, "border": 1},
    "total": {"size": TABLE_SIZE, "bold": True, "valign": "top", "align": "center",
              "text_wrap": True, "border": 1},
    "sig_title": {"size": 13, "bold": True, "align": "center", "valign": "top",
                  "text_wrap": True},
    "sig_name": {"size": 13, "bold": True, "align": "center", "valign": "top"},
    "recipients_title": {"size": 12, "bold": True, "italic": True, "valign": "top"},
    "recipient": {"size": 11, "valign": "top", "text_wrap": True},
    "required": {"bg_color": "#FFF2CC"},
    "rule": {"size": 12, "bold": True, "align": "center", "valign": "bottom"},
    "key": {"size": 8, "font_color": "#808080"},
}


class Formats:
    """Lazily created xlsxwriter formats of one workbook, by name plus extra properties."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[tuple, Any] = {}

    def get(self, name: str, **extra: Any) -> Any:
        return self.by_key((name, tuple(sorted(extra.items()))))

    def by_key(self, key: tuple[str, tuple]) -> Any:
        """The format for a precomputed (name, sorted extra properties) key."""
        fmt = self.cache.get(key)
        if fmt is None:
            props = {"font_name": FONT, **FORMATS[key[0]], **dict(key[1])}
            fmt = self.cache[key] = self.workbook.add_format(props)
        return fmt


@lru_cache(maxsize=16384)
def text_lines(text: str, width: float, size: float = TABLE_SIZE) -> int:
    """How many lines a wrapped cell needs; errs on the tall side so nothing is clipped.

    Excel stores no row height for wrapped text it has not laid out, and LibreOffice keeps a
    stored height, so the generator must size rows itself. A column ``width`` (in Excel's
    character units) holds about 1.18 × ``width`` characters of 12-pt Times New Roman
    (measured on LibreOffice's PDF output); 1.05 leaves room for Excel's own metrics.
    """
    if not text:
        return 1
    per_line = max(1, int(width * 1.05 * TABLE_SIZE / size) - 1)
    lines = 0
    for part in str(text).split("\n"):
        lines += max(1, len(textwrap.wrap(part, per_line, break_long_words=True)) or 1)
    return lines


def row_height(lines: int, size: float = TABLE_SIZE) -> float:
    return math.ceil(lines * size * 1.25 + 4)


@dataclass(frozen=True)
class HeaderTexts:
    """What the page furniture says; differs per unit, so it is kept apart from the table."""

    superior: str
    issuer: str
    number_line: str
    date_line: str
    appendix_label: str  # "Phụ lục I" or "Phụ lục"
    title: str
    attached_line: str
    period_line: str  # "" for plan appendices
    notes: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str
    recipients: tuple[str, ...]


def signer_lines(title: str) -> tuple[str, ...]:
    """The signature's title lines: "KT. HIỆU TRƯỞNG|PHÓ HIỆU TRƯỞNG" → two lines, capitals."""
    return tuple(p.strip().upper() for p in re.split(r"[|\n]", title) if p.strip())


def split_blocks(widths: list[float]) -> int:
    """The column where the right header block starts: the left one takes about 40 %."""
    total = sum(widths)
    acc = 0.0
    for i, w in enumerate(widths):
        acc += w
        if acc >= total * 0.4:
            return max(1, min(i + 1, len(widths) - 1))
    return max(1, len(widths) - 1)


def _merge(ws: Worksheet, row: int, c0: int, c1: int, text: str, fmt: Any) -> None:
    if c1 > c0:
        ws.merge_range(row, c0, row, c1, text, fmt)
    else:
        ws.write_string(row, c0, text, fmt)


def write_page_header(ws: Worksheet, fm: Formats, widths: list[float], h: HeaderTexts) -> int:
    """Write everything above the table; return the first free row."""
    last = len(widths) - 1
    split = split_blocks(widths)
    left_w = sum(widths[:split])
    right_w = sum(widths[split:])
    r = 0
    sup_lines = text_lines(h.superior.upper(), left_w, 12)
    iss_lines = text_lines(h.issuer.upper(), left_w, 12)
    _merge(ws, r, 0, split - 1, h.superior.upper(), fm.get("superior"))
    _merge(ws, r, split, last, NATION, fm.get("nation"))
    ws.set_row(r, row_height(max(sup_lines, 1), 12))
    r += 1
    _merge(ws, r, 0, split - 1, h.issuer.upper(), fm.get("issuer"))
    _merge(ws, r, split, last, MOTTO, fm.get("motto"))
    ws.set_row(r, row_height(max(iss_lines, 1), 13))
    # the short rule under the issuing body: 1/3–1/2 of its text, centred
    rule_chars = min(len(h.issuer), max(8, len(h.issuer) // max(iss_lines, 1))) * 0.45
    r += 1
    _rule(ws, fm, r, split - 1, rule_chars)
    ws.set_row(r, 9)
    r += 1
    _merge(ws, r, 0, split - 1, h.number_line, fm.get("number"))
    _merge(ws, r, split, last, h.date_line, fm.get("dateline"))
    ws.set_row(r, row_height(max(text_lines(h.date_line, right_w, 13), 1), 13))
    r += 2
    total_w = sum(widths)
    _merge(ws, r, 0, last, h.appendix_label, fm.get("pl"))
    ws.set_row(r, 21)
    r += 1
    _merge(ws, r, 0, last, h.title, fm.get("title"))
    ws.set_row(r, row_height(text_lines(h.title, total_w, 13), 13))
    r += 1
    _merge(ws, r, 0, last, h.attached_line, fm.get("attached"))
    ws.set_row(r, row_height(text_lines(h.attached_line, total_w, 13), 13))
    r += 1
    if h.period_line:
        _merge(ws, r, 0, last, h.period_line, fm.get("attached"))
        ws.set_row(r, row_height(text_lines(h.period_line, total_w, 13), 13))
        r += 1
    for note in h.notes:
        _merge(ws, r, 0, last, note, fm.get("note"))
        ws.set_row(r, row_height(text_lines(note, total_w, 12), 12))
        r += 1
    return r + 1


def _rule(ws: Worksheet, fm: Formats, row: int, last_col: int, chars: float) -> None:
    """The short solid rule under the issuing body, as a run of underscores centred in the
    left block: it prints as one line in Excel, LibreOffice and WPS alike, and costs a
    string cell instead of a drawing part on every sheet (profiled at 10 % of generate)."""
    _merge(ws, row, 0, last_col, "_" * max(6, round(chars)), fm.get("rule"))


def write_signature(ws: Worksheet, fm: Formats, widths: list[float], row: int,
                    h: HeaderTexts) -> int:
    """Nơi nhận on the left, the signer's title and name on the right; return next row."""
    last = len(widths) - 1
    split = split_blocks(widths)
    left_w = sum(widths[:split])
    r = row + 1
    _merge(ws, r, 0, split - 1, "Nơi nhận:", fm.get("recipients_title"))
    rr = r + 1
    for rec in h.recipients:
        _merge(ws, rr, 0, split - 1, rec, fm.get("recipient"))
        ws.set_row(rr, row_height(text_lines(rec, left_w, 11), 11))
        rr += 1
    sr = r
    for line in h.signer_lines:
        _merge(ws, sr, split, last, line, fm.get("sig_title"))
        sr += 1
    sr += 4  # room for the signature and the seal
    for blank in range(sr - 4, sr):
        if blank >= rr:
            ws.set_row(blank, 18)
    _merge(ws, sr, split, last, h.signer_name, fm.get("sig_name"))
    return max(rr, sr + 1)


def setup_page(ws: Worksheet, landscape: bool, header_first: int, header_last: int) -> None:
    """A4, NĐ 30 margins, repeated table header, fit to width, page number from page 2."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.set_header(f'&C&"{FONT},Regular"&13&P', {"margin": 10 * MM})
    ws.set_start_page(1)  # each appendix is numbered on its own (NĐ 30, Phụ lục I, Mục III)
    ws.repeat_rows(header_first, header_last)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
