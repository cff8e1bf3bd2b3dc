"""An xlsxwriter worksheet that writes plain cells with less work, byte for byte the same.

A consolidation of 1,000 units is ~90,000 cells, and xlsxwriter spends most of the write
on per-cell steps: the public ``write_*`` methods first try to read the row as "A1"
notation (a decorator, an ``int()`` and a ``try`` per call); at ``close()`` each cell's
``<c>`` element is built through a list of attributes, each searched by a regular
expression for characters to escape (a cell reference "AB12" and a format index never hold
one) and written on its own, and the row spans are found by scanning every column of every
row. Profiled, these were about a third of writing the consolidated workbook.

``FastCellsWorksheet`` skips the notation check when the row is already an ``int``, stores a
row of texts with one bounds check (``write_text_row``, for the units × tasks grid), finds
the spans from each row's lowest and highest column, and writes a row's string, number,
date and blank cells that have a format as one string, exactly as xlsxwriter would
(``tests/test_fast_cells.py`` writes every kind of cell both ways and compares the sheet
XML byte for byte, so an xlsxwriter release that changes its output fails there, not in an
office). Every other case — no format, a formula, a rich string, a boolean,
``constant_memory`` — goes to xlsxwriter's own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

_STRING, _NUMBER, _BLANK = 0, 1, 2
_COLUMNS: dict[int, str] = {}  # column number → letters ("AB")
_KINDS = {CellStringTuple: _STRING, CellNumberTuple: _NUMBER, CellDatetimeTuple: _NUMBER,
          CellBlankTuple: _BLANK}


class FastCellsWorksheet(Worksheet):
    """``Worksheet`` with a shorter path for the common cells; same calls, same XML."""

    def write_string(self, row: Any, col: Any, *args: Any, **kwargs: Any) -> Any:
        if type(row) is int:  # already (row, col): no "A1" to parse
            return self._write_string(row, col, *args, **kwargs)
        return super().write_string(row, col, *args, **kwargs)

    def write_number(self, row: Any, col: Any, *args: Any, **kwargs: Any) -> Any:
        if type(row) is int:
            return self._write_number(row, col, *args, **kwargs)
        return super().write_number(row, col, *args, **kwargs)

    def write_blank(self, row: Any, col: Any, *args: Any, **kwargs: Any) -> Any:
        if type(row) is int:
            return self._write_blank(row, col, *args, **kwargs)
        return super().write_blank(row, col, *args, **kwargs)

    def write_text_row(self, row: int, col: int, texts: Sequence[str],
                       formats: Sequence[Any]) -> None:
        """Texts from (row, col) rightwards, each as a string, or as a blank keeping its
        format when empty: the same cells as ``write_string``/``write_blank`` one by one
        (``user_text.store_text``), with the bounds checked once for the row (a units ×
        tasks grid is 50,000 such cells)."""
        last = col + len(texts) - 1
        if (self.constant_memory or not texts or self._check_dimensions(row, col)
                or self._check_dimensions(row, last)):
            for j, (text, fmt) in enumerate(zip(texts, formats, strict=True)):
                if text:
                    self.write_string(row, col + j, text, fmt)
                else:
                    self.write_blank(row, col + j, None, fmt)
            return
        index = self.str_table._get_shared_string_index
        cells = self.table[row]
        half = self.xls_strmax // 2
        for j, (text, fmt) in enumerate(zip(texts, formats, strict=True)):
            if not text:
                if fmt is not None:
                    cells[col + j] = CellBlankTuple(fmt)
            elif len(text) > half:  # may need cutting to Excel's limit: xlsxwriter's own
                self._write_string(row, col + j, text, fmt)
            else:
                cells[col + j] = CellStringTuple(index(text), fmt)

    def _calculate_spans(self) -> None:
        """xlsxwriter's ``spans`` of each block of 16 rows (first:last column with a cell or
        a comment), from each row's lowest and highest column instead of a scan of every
        column of every row."""
        if self.constant_memory:
            super()._calculate_spans()
            return
        spans: dict[int, str] = {}
        lo = hi = None
        cmin, cmax, last = self.dim_colmin, self.dim_colmax, self.dim_rowmax
        sources = (self.table, self.comments)
        for row_num in range(self.dim_rowmin, last + 1):
            for source in sources:
                cols = source.get(row_num)
                if cols:
                    inside = [c for c in cols if cmin <= c <= cmax]
                    if inside:
                        a, b = min(inside), max(inside)
                        if lo is None:
                            lo, hi = a, b
                        else:
                            lo, hi = min(lo, a), max(hi, b)
            if (row_num + 1) % 16 == 0 or row_num == last:
                if lo is not None:
                    spans[int(row_num / 16)] = f"{lo + 1}:{hi + 1}"
                    lo = None
        self.row_spans = spans

    def _write_rows(self) -> None:
        """xlsxwriter's loop over rows, with each row's plain cells joined into one write."""
        if self.constant_memory:
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, comments, spans = self.table, self.row_info, self.comments, self.row_spans
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table[row_num]
            if cells:
                self._write_row(row_num, spans.get(int(row_num / 16)), row_info.get(row_num))
                self._write_row_cells(row_num, cells)
                self._xml_end_tag("row")
            elif row_num in row_info or row_num in comments:
                self._write_empty_row(row_num, spans.get(int(row_num / 16)),
                                      row_info.get(row_num))

    def _write_row_cells(self, row_num: int, cells: dict[int, Any]) -> None:
        cmin, cmax = self.dim_colmin, self.dim_colmax
        number = str(row_num + 1)
        parts: list[str] = []
        for col in sorted(cells):
            if not cmin <= col <= cmax:
                continue
            cell = cells[col]
            kind = _KINDS.get(type(cell))
            fmt = cell.format
            if kind is None or fmt is None:
                if parts:
                    self.fh.write("".join(parts))
                    parts.clear()
                super()._write_cell(row_num, col, cell)
                continue
            name = _COLUMNS.get(col)
            if name is None:
                name = _COLUMNS[col] = xl_col_to_name(col)
            head = f'<c r="{name}{number}" s="{fmt._get_xf_index()}"'
            if kind == _STRING:
                parts.append(f'{head} t="s"><v>{cell.string}</v></c>')
            elif kind == _NUMBER:
                parts.append(f"{head}><v>{cell.number:.16G}</v></c>")
            else:
                parts.append(f"{head}/>")
        if parts:
            self.fh.write("".join(parts))

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        kind = _KINDS.get(type(cell))
        fmt = cell.format
        if kind is None or fmt is None or self.constant_memory:
            super()._write_cell(row, col, cell)
            return
        # what _xml_string_element / _xml_number_element / _xml_empty_tag write for
        # [("r", ref), ("s", xf)]: neither value can hold a character XML escapes
        head = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"'
        if kind == _STRING:
            self.fh.write(f'{head} t="s"><v>{cell.string}</v></c>')
        elif kind == _NUMBER:
            self.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
        else:
            self.fh.write(f"{head}/>")


def release(workbook: Any) -> None:
    """After ``close()``: let reference counting free the written cells at once.

    Each xlsxwriter worksheet keeps the workbook's bound ``add_format``, so workbook and
    worksheets form a cycle and every cell object (~110,000 at 1,000 units) waits for a
    full collection of the cyclic GC, which walks the whole process (in a merge, every
    return's figures). Dropping that one reference breaks the cycle; nothing uses it once
    the file is written.
    """
    for sheet in workbook.worksheets():
        sheet.workbook_add_format = None
