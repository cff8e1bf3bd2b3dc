"""Check what a workbook prints, with the fonts' real metrics (see ``font_metrics``).

``clipped`` lists every cell whose text does not fit: a one-line cell wider than its
(merged) columns, or a wrapped cell needing more lines than its (merged) rows are tall.
It reads what Excel and LibreOffice read: stored column widths and row heights, each cell's
font, bold, italic, wrap and rotation; formulas by their cached values.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.utils import range_boundaries

from tests.font_metrics import text_width

DIGIT_PT = 6.0  # a column width unit: the Normal font's digit (Times New Roman 12 pt)
PAD = 4.5  # points of a cell kept free of text (left and right together)
LINE = 1.15  # a line of text is 1.15 × the font size tall (Times New Roman's line gap)
DEFAULT_ROW = 15.0


def _col_widths(ws) -> dict[int, float]:
    """Printed column widths in points; one <col> element may cover several columns."""
    out = {}
    for dim in ws.column_dimensions.values():
        lo, hi = dim.min or 0, dim.max or 0
        for col in range(lo, hi + 1):
            out[col] = 0.0 if dim.hidden else (dim.width or 8.43) * DIGIT_PT
    return out


def _row_pt(ws, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    if dim is not None and dim.hidden:
        return 0.0
    return dim.height if dim is not None and dim.height else DEFAULT_ROW


def _wrap_lines(text: str, room: float, size: float, bold: bool, italic: bool) -> int:
    lines = 0
    space = text_width(" ", size, bold, italic)
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for word in part.split(" "):
            w = text_width(word, size, bold, italic)
            if used and used + space + w > room:
                lines += 1
                used = 0.0
            elif used:
                used += space
            while w > room:
                lines += 1
                w -= room
            used += w
    return lines


def clipped(path: Path) -> list[str]:
    """Every clipped cell of every visible sheet, as "sheet!A1: why"."""
    book = openpyxl.load_workbook(path, data_only=True)
    problems = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        cols = _col_widths(ws)
        spans = {}
        covered = set()
        for rng in ws.merged_cells.ranges:
            c0, r0, c1, r1 = range_boundaries(str(rng))
            spans[(r0, c0)] = (r1, c1)
            covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value.strip():
                    continue
                r, c = cell.row, cell.column
                if (r, c) in covered and (r, c) not in spans:
                    continue
                r1, c1 = spans.get((r, c), (r, c))
                width = sum(cols.get(k, 8.43 * DIGIT_PT) for k in range(c, c1 + 1))
                if width == 0:
                    continue  # a hidden column (the row keys)
                height = sum(_row_pt(ws, k) for k in range(r, r1 + 1))
                font = cell.font
                size = float(font.sz or 12)
                bold, italic = bool(font.b), bool(font.i)
                if cell.alignment.textRotation:
                    need = text_width(value, size, bold, italic)
                    if need > height:
                        problems.append(f"{ws.title}!{cell.coordinate}: upright text "
                                        f"{need:.0f} pt > {height:.0f} pt «{value}»")
                    continue
                room = width - PAD
                if cell.alignment.wrap_text:
                    lines = _wrap_lines(value, room, size, bold, italic)
                    if lines * size * LINE > height + 0.5:
                        problems.append(f"{ws.title}!{cell.coordinate}: {lines} lines of "
                                        f"{size:g} pt need {lines * size * LINE:.0f} pt > "
                                        f"{height:.0f} pt «{value[:60]}»")
                else:
                    need = text_width(value, size, bold, italic)
                    if need > room:
                        problems.append(f"{ws.title}!{cell.coordinate}: {need:.0f} pt > "
                                        f"{room:.0f} pt «{value[:60]}»")
    return problems
