"""An xlsxwriter worksheet whose page number is not printed on page 1.

NĐ 30/2020 puts the page number centred in the top margin and not on the first page.
SpreadsheetML says so with ``differentFirst="1"`` on ``<headerFooter>`` and no first-page
header; xlsxwriter has no option for it, so this subclass writes the element itself.
Tests read the XML back and render the PDF to make sure it holds across xlsxwriter updates.
"""

from __future__ import annotations

from functools import lru_cache

from xlsxwriter.worksheet import Worksheet

from cchc_xlsx.forms.fast_cells import FastCellsWorksheet
from cchc_xlsx.forms.layout.sheet import SheetBlocks


@lru_cache(maxsize=8192)
def _prepared(prepare, formula: str, expand: bool, future: bool) -> str:
    return prepare(_Probe(future), formula, expand)


class _Probe:
    """Just the state ``Worksheet._prepare_formula`` reads."""

    def __init__(self, future: bool) -> None:
        self.use_future_functions = future


class OfficialWorksheet(FastCellsWorksheet):
    """Also caches formula preparation: ~70 regex passes per formula, the same formulas in
    every unit's workbook (profiled at 20 % of generate); the result depends only on the
    formula and two flags.

    It also records what pagination needs: printed row heights, and the blocks its writer
    describes (``layout.sheet.SheetBlocks``) with the merges it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.cchc_heights: dict[int, float] = {}
        self.cchc_blocks = SheetBlocks()

    def _prepare_formula(self, formula, expand_future_functions=False):
        return _prepared(Worksheet._prepare_formula, formula, bool(expand_future_functions),
                         bool(self.use_future_functions))

    def set_row_pixels(self, row, height=None, cell_format=None, options=None):
        """Also remembers each row's printed height, for the paginator's blocks."""
        if height is not None:
            self.cchc_heights[row] = height * 0.75
        return super().set_row_pixels(row, height, cell_format, options)

    def merge_range(self, first_row, first_col, last_row, last_col, data, cell_format=None):
        """A vertical merge is told to the sheet's description: a block of its own, or a
        label over the blocks its writer described (see ``layout.sheet``)."""
        if last_row > first_row:
            label = None
            if isinstance(data, str) and data.strip() and cell_format is not None:
                # what the label needs, so a page break leaves it room on both sides
                label = (first_row, first_col, last_row, last_col, data,
                         float(cell_format.font_size or 12), bool(cell_format.bold))
            self.cchc_blocks.merged(first_row, last_row, label)
        return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)

    def block(self, first: int, last: int, role: str = "task",
              keep_with_next: bool = False) -> None:
        """Rows ``first``…``last`` are one block (the rows of one task, one table)."""
        self.cchc_blocks.block(first, last, role, keep_with_next)

    def keep_with_next(self, row: int) -> None:
        """``row`` is a block that never ends a page (a group title)."""
        self.cchc_blocks.block(row, row, "group", keep_with_next=True)

    def _write_header_footer(self) -> None:
        if not self.header_footer_changed:
            super()._write_header_footer()
            return
        attributes = [("differentFirst", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        if self.header:
            self._write_odd_header()
        if self.footer:
            self._write_odd_footer()
        self._xml_end_tag("headerFooter")
