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


# --- the page rules of issue 14, on LibreOffice's PDF (pdftotext per page) ---------------

SIGNER_TITLES = ("TRƯỞNG PHÒNG", "GIÁM ĐỐC", "HIỆU TRƯỞNG", "CHỦ TỊCH", "THỦ TRƯỞNG")


def squash(text: str) -> str:
    """Text without spaces, NFC: how a word is found on a page whatever the wrapping."""
    import re
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def pages_by_sheet(pdf: Path) -> list[list[str]]:
    """The PDF's pages (pdftotext -layout), grouped per printed sheet: each sheet's first
    page carries the Quốc hiệu."""
    import subprocess

    from cchc_xlsx.forms.official_layout import NATION

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    by_sheet: list[list[str]] = []
    for page in (p for p in text.split("\f") if p.strip()):
        if squash(NATION) in squash(page) or not by_sheet:
            by_sheet.append([])
        by_sheet[-1].append(page)
    return by_sheet


def visible_sheets(path: Path) -> list:
    book = openpyxl.load_workbook(path, data_only=True)
    return [ws for ws in book.worksheets if ws.sheet_state == "visible"]


def _hidden_cols(ws) -> set[int]:
    return {c for c, w in _col_widths(ws).items() if w == 0}


def row_word(ws, r: int) -> str:
    """A word row ``r`` prints (its longest text's first word, squashed), or "" for none."""
    hidden = _hidden_cols(ws)
    texts = [c.value for c in ws[r] if isinstance(c.value, str) and c.value.strip()
             and c.column not in hidden and not c.value.startswith("=")]
    return squash(max(texts, key=len).split()[0])[:8] if texts else ""


def _first_row_with(ws, text: str, upto: int | None = None) -> int | None:
    for r in range(1, (upto or ws.max_row) + 1):
        if any(c.value == text for c in ws[r]):
            return r
    return None


def signature_row(ws) -> int | None:
    """1-based row of "Nơi nhận:" (the signature block's first row), or None."""
    return _first_row_with(ws, "Nơi nhận:")


def table_rows(ws) -> list[int]:
    """1-based rows of the table body that print some text: after the first table header
    ("STT", and its number row), before the signature; a repeated header row, a number row
    ("(1) (2) …") and a sheet's later table headers are not body rows."""
    import re

    sig = signature_row(ws) or ws.max_row + 2
    stt = _first_row_with(ws, "STT", sig)
    if stt is None:
        return []
    out = []
    for r in range(stt + 1, sig - 1):
        texts = [c.value.strip() for c in ws[r] if isinstance(c.value, str) and c.value.strip()]
        if "STT" in texts or (texts and all(re.fullmatch(r"\(\d+\)", t) for t in texts)):
            continue
        if row_word(ws, r):
            out.append(r)
    return out


def _used(ws, first: int, last: int) -> float:
    """Points rows ``first``…``last`` (1-based) take, plus the repeated header rows."""
    import re

    rows = set(range(first, last + 1))
    if ws.print_title_rows:
        a, b = (int(x) for x in re.findall(r"\d+", ws.print_title_rows)[:2])
        rows |= set(range(a, b + 1))
    return sum(_row_pt(ws, r) for r in rows)


def _room(ws) -> float:
    """The printable height of the sheet's A4 page, in points."""
    landscape = ws.page_setup.orientation == "landscape"
    m = ws.page_margins
    return (595.3 if landscape else 841.9) - ((m.top or 0.75) + (m.bottom or 0.75)) * 72


def _key_col(ws) -> int | None:
    """The hidden column of row keys ("task:3#2", "grp:1") when the sheet has one."""
    for col in _hidden_cols(ws):
        if any(str(ws.cell(r, col).value or "").startswith(("task:", "grp:"))
               for r in range(1, ws.max_row + 1)):
            return col
    return None


def _task_of(key: object) -> str | None:
    import re

    text = str(key or "")
    return re.split(r"[#/]", text)[0] if text.startswith("task:") else None


def page_faults(name: str, path: Path, by_sheet: list[list[str]]) -> list[str]:
    """Every break of issue 14's page rules (1, 2, 6) in a rendered workbook: one line each.

    For each visible sheet, with its pages from ``pages_by_sheet``: the pages are the ones
    the workbook's breaks make (LibreOffice added none: every page fits); each page holds a
    table row with text besides the repeated header (the first page too); the signature
    block with Nơi nhận and a signer's title is on the last page only, with the last table
    row; no lone last row; no merge and no task's rows across a break; 100 %, no fit."""
    from openpyxl.utils import range_boundaries

    faults: list[str] = []
    sheets = visible_sheets(path)
    if len(sheets) != len(by_sheet):
        return [f"{name}: {len(sheets)} sheets but {len(by_sheet)} printed ones"]
    for ws, pages in zip(sheets, by_sheet, strict=True):
        where = f"{name}/{ws.title}"
        fit = ws.sheet_properties.pageSetUpPr
        if fit is not None and fit.fitToPage:
            faults.append(f"{where}: fit to page")
        if ws.page_setup.scale not in (None, 100):
            faults.append(f"{where}: printed at {ws.page_setup.scale} %")
        ends = [b.id for b in ws.row_breaks.brk]  # 1-based rows that end a page
        if len(pages) != len(ends) + 1:
            faults.append(f"{where}: {len(pages)} pages printed for {len(ends) + 1} laid out")
        rows = table_rows(ws)
        bounds = [0, *ends, ws.max_row + 1]
        for k in range(min(len(pages), len(bounds) - 1)):
            on_page = [r for r in rows if bounds[k] < r <= bounds[k + 1]]
            if rows and not on_page:
                faults.append(f"{where}: page {k + 1} holds no table row")
            elif on_page and row_word(ws, on_page[0]) not in squash(pages[k]):
                faults.append(f"{where}: page {k + 1} lacks row {on_page[0]} "
                              f"«{row_word(ws, on_page[0])}»")
        if not rows and "Phụlục" not in squash(pages[0]):
            continue  # not an appendix (a chart page): no table, no signature
        last = squash(pages[-1])
        holding = [n for n, p in enumerate(pages) if squash("Nơi nhận:") in squash(p)]
        if holding != [len(pages) - 1]:
            faults.append(f"{where}: Nơi nhận on pages {[n + 1 for n in holding]} "
                          f"of {len(pages)}")
        elif not any(squash(t) in last.split(squash("Nơi nhận:"))[-1] or squash(t) in last
                     for t in SIGNER_TITLES):
            faults.append(f"{where}: no signer's title beside Nơi nhận")
        if rows and row_word(ws, rows[-1]) not in last:
            faults.append(f"{where}: the last table row is not on the signature's page")
        if ends and len(rows) >= 3:
            on_last = [r for r in rows if r > ends[-1]]
            before = [r for r in rows if r <= ends[-1]]
            # alone is a fault only when the row before it would fit on that page too
            if len(on_last) == 1 and before and (_used(ws, ends[-1] + 1, ws.max_row)
                                                 + _used(ws, before[-1], ends[-1])
                                                 <= _room(ws)):
                faults.append(f"{where}: row {on_last[0]} alone on the last page")
        for rng in ws.merged_cells.ranges:
            _, r0, _, r1 = range_boundaries(str(rng))
            if any(r0 <= b < r1 for b in ends):
                faults.append(f"{where}: merge {rng} crosses a page break")
        key = _key_col(ws)
        if key is not None:
            for b in ends:
                here, after = ws.cell(b, key).value, ws.cell(b + 1, key).value
                if _task_of(here) and _task_of(here) == _task_of(after):
                    faults.append(f"{where}: {_task_of(here)} split after row {b}")
                if str(here or "").startswith("grp:"):
                    faults.append(f"{where}: group title {here} ends page at row {b}")
    return faults


def padded(path: Path, spare_lines: int = 2) -> list[str]:
    """Rows taller than their text by more than ``spare_lines`` blank lines (issue 14, rule
    3: "a task of about 15 lines gets 273.75 pt"), as "sheet!row: why". Rows with an input
    cell (unlocked: room left to write in), a vertical merge or no text are not judged."""
    book = openpyxl.load_workbook(path, data_only=True)
    problems = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        cols = _col_widths(ws)
        spans, tall = {}, set()
        for rng in ws.merged_cells.ranges:
            c0, r0, c1, r1 = range_boundaries(str(rng))
            spans[(r0, c0)] = c1
            if r1 > r0:
                tall.update(range(r0, r1 + 1))
        for row in ws.iter_rows():
            r = row[0].row
            if r in tall or any(c.protection is not None and c.protection.locked is False
                                for c in row if c.value is None or isinstance(c.value, str)):
                continue
            need = 0.0
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value.strip() or value.startswith("="):
                    continue
                width = sum(cols.get(k, 8.43 * DIGIT_PT)
                            for k in range(cell.column, spans.get((r, cell.column),
                                                                  cell.column) + 1))
                if width == 0 or cell.alignment.textRotation:
                    continue
                font = cell.font
                size = float(font.sz or 12)
                lines = (_wrap_lines(value, width - PAD, size, bool(font.b), bool(font.i))
                         if cell.alignment.wrap_text else 1)
                need = max(need, lines * size * LINE)
            height = _row_pt(ws, r)
            if need and height - need > spare_lines * 12 * LINE + 1:
                problems.append(f"{ws.title}!{r}: {height:.0f} pt for {need:.0f} pt of text")
    return problems
