"""Read a returned self-assessment (or a ranking workbook, for roll-up) with calamine.

Rows are found by the hidden key column (the criterion code), columns by the (1)…(11)
number row, so inserted rows, re-saves by LibreOffice or WPS and a renamed sheet do not
matter. Only values are read: subtotal formulas are recomputed downstream, never trusted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.forms.identity import parse_key_header
from cchc_xlsx.reading.reader import cell_text, open_book, read_identity
from cchc_xlsx.scoring.self_assessment import COLUMNS, FORM_ID, TOTAL_KEYS

HEADER_SCAN_ROWS = 60
_COLNUM = re.compile(r"^\((\d{1,2})\)$")


@dataclass
class ScoreRow:
    code: str
    excel_row: int  # 1-based
    leaf: bool
    values: dict[str, Any]  # column key -> raw value


@dataclass
class ReadBook:
    path: str
    identity: dict[str, Any]
    sheet: str = ""
    letters: dict[str, str] = field(default_factory=dict)  # column key -> "G"
    rows: dict[str, ScoreRow] = field(default_factory=dict)  # code -> row
    totals: dict[str, ScoreRow] = field(default_factory=dict)  # total key -> row
    aggregate: dict[str, Any] | None = None  # a ranking workbook's exact figures

    @property
    def kind(self) -> str:
        return str(self.identity.get("kind", ""))

    def cell(self, code: str, column: str) -> str:
        row = self.rows.get(code) or self.totals.get(code)
        return f"{self.letters.get(column, 'A')}{row.excel_row if row else ''}"


def read_book(path: str | Path) -> ReadBook:
    """Raises ``UnusableFile`` for what is not a readable spreadsheet."""
    _, book, _stray = open_book(path)  # stray far cells are left out by the bounded reader
    ident = read_identity(book)
    out = ReadBook(str(path), ident)
    if ident.get("aggregate"):
        try:
            out.aggregate = json.loads(ident["aggregate"])
        except ValueError:
            out.aggregate = None
        return out
    for name in book.sheet_names:
        if name.startswith("_"):
            continue
        sheet = book.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        grid = sheet.to_python(skip_empty_area=False)
        found = _find_key_header(grid)
        if found is None:
            continue
        r, key_col = found
        _read_table(out, name, grid, r, key_col, start[0], start[1])
        break
    return out


def _find_key_header(grid: list[list[Any]]) -> tuple[int, int] | None:
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        for c, value in enumerate(row):
            parsed = parse_key_header(value)
            if parsed and parsed[0] == FORM_ID:
                return r, c
    return None


def _read_table(out: ReadBook, sheet: str, grid: list[list[Any]], header_row: int,
                key_col: int, r0: int, c0: int) -> None:
    mapping = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
    first = header_row + 1
    if first < len(grid):
        nums = {}
        for c, v in enumerate(grid[first]):
            m = _COLNUM.match(cell_text(v))
            if m:
                nums[int(m.group(1))] = c
        if len(nums) >= len(COLUMNS) // 2:
            mapping = {key: nums.get(i + 1, i) for i, (key, _, _) in enumerate(COLUMNS)}
            first += 1
    out.sheet = sheet
    out.letters = {k: xl_col_to_name(c + c0) for k, c in mapping.items()}
    leaves = {key: attrs.get("leaf") == "1"
              for (form, key), attrs in out.identity.get("rows", {}).items() if form == FORM_ID}
    wanted = [(k, c) for k, c in mapping.items() if k not in ("stt", "name", "guide")]
    for r in range(first, len(grid)):
        row = grid[r]
        code = cell_text(row[key_col]) if key_col < len(row) else ""
        if not code:
            continue
        values = {k: (row[c] if c < len(row) else None) for k, c in wanted}
        entry = ScoreRow(code, r + r0 + 1, leaves.get(code, True), values)
        if code in TOTAL_KEYS:
            out.totals[code] = entry
        elif code not in out.rows:
            out.rows[code] = entry
