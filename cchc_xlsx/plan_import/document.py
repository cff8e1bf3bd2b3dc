"""What a plan document is made of, once read: paragraphs and tables in reading order.

Word files and spreadsheets are read into this one shape, so the table and prose parsers
never know where the text came from. Every cell keeps how it was merged, because merges
carry meaning in these tables (a group cell merged down, a shared lead, one task with
several product rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc_xlsx.reading.normalize import INVISIBLE, detect_legacy, legacy_to_unicode, nfc


@dataclass
class Cell:
    text: str = ""  # lines joined by "\n", cleaned
    bold: bool = False
    above: bool = False  # continues the cell above it (vertical merge); text copied
    left: bool = False  # continues the cell on its left (horizontal merge); text copied
    number: bool = False  # a spreadsheet stored it as a number ("1.10" typed, 1.1 kept)


@dataclass
class Table:
    label: str  # "bảng 3" or "trang tính «Nhiệm vụ»", for messages
    rows: list[list[Cell]]
    row_labels: list[str]  # "dòng 5" per row, as the user would count them

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Para:
    text: str
    bold: bool = False


@dataclass
class Document:
    source: str
    blocks: list[Para | Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. legacy text converted

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# bullets drawn as symbols; "+" and "*" are typed marks of sub-items and stay as printed
_BULLET = re.compile(r"^[•●▪◦·\uf0b7\uf0a7\uf0d8\u2013\u2014]\s*")


def clean_line(text: str) -> str:
    """One line as the document shows it: NFC, invisible characters dropped, NBSP and other
    odd spaces typed as plain ones (runs of spaces are kept: "ngày      tháng 12" leaves room
    for the day by hand), bullets drawn as symbols written as "- "."""
    text = _SPACES.sub(" ", nfc(text).translate(INVISIBLE)).strip()
    text = "".join(ch for ch in text if ch.isprintable())  # control characters
    if _BULLET.match(text):
        text = "- " + _BULLET.sub("", text, count=1)
    return text


def clean_lines(lines: list[str]) -> str:
    """A cell's text: its non-empty lines, cleaned, joined by newlines."""
    parts = (part for x in lines for part in x.splitlines())  # \r\n, \r, U+2028 too
    return "\n".join(line for line in (clean_line(x) for x in parts) if line)


def unlegacy(text: str, font: str | None, notes: list[str], where: str) -> str:
    """Convert legacy TCVN3/VNI text (by its font or its letters) to Unicode, noting it."""
    encoding = detect_legacy(text, font)
    if encoding is None:
        return text
    converted = legacy_to_unicode(text, encoding, font_name=font)
    notes.append(f"{where}: chữ mã {encoding.upper()} cũ «{text.strip()[:40]}» đã được "
                 f"chuyển sang Unicode «{converted.strip()[:40]}».")
    return converted
