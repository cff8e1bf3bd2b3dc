"""The faster cell path writes exactly what xlsxwriter writes (forms/fast_cells.py)."""

from __future__ import annotations

import gc
import weakref
import zipfile
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from cchc_xlsx.forms.fast_cells import FastCellsWorksheet, release
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet


def _write(path: Path, worksheet_class: type, constant_memory: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory,
                                         "strings_to_formulas": False})
    wb.set_properties({"created": datetime(2023, 4, 1, 8, 0)})
    boxed = wb.add_format({"border": 1, "text_wrap": True})
    day = wb.add_format({"num_format": "dd/mm/yyyy", "border": 1})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Trang 1", worksheet_class=worksheet_class)
    ws.set_column(6, 6, 12, bold)  # a column format: used by cells without their own
    for r in range(40):
        ws.write_string(r, 0, f"Trường Số {r} <&> \"x\"", boxed)
        ws.write_string(r, 1, "=HYPERLINK(\"http://x\")")  # no format: xlsxwriter's own path
        ws.write_number(r, 2, r * 1.25, boxed)
        ws.write_number(r, 3, 10 ** (r % 20) + 0.1, boxed)
        ws.write_datetime(r, 4, datetime(2023, 4, 1 + r % 28, 9, 30), day)
        ws.write_datetime(r, 5, date(2023, 1, 1 + r % 28), day)
        ws.write_blank(r, 6, None, boxed)
        ws.write_blank(r, 7, None)  # ignored without a format
        ws.write_number(r, 8, r)  # no format: the column's or none
        ws.write(r, 9, True, boxed)
        ws.write_formula(r, 10, f"=C{r + 1}*2", boxed, r * 2.5)
        ws.write_rich_string(r, 11, "a ", bold, "b", boxed)
        ws.write_string(r, 12, "", boxed)  # an empty string: a blank
        ws.write_number(r, 13, -0.0000123, boxed)
    ws.set_row(41, 30, boxed)  # a row format: used by cells without their own
    ws.write_number(41, 0, 5)
    ws.write_string("B43", "A1 notation", boxed)
    ws.write_number("C43", 7, boxed)
    ws.write_blank("D43", None, boxed)
    ws.write_string(44, 0, "x" * 40000, boxed)  # truncated to Excel's limit
    ws.merge_range(46, 0, 47, 3, "Gộp", boxed)
    texts = ["H", "", "D", "x" * 20000, "", "Trường <A>", "H"]
    formats = [boxed, boxed, day, boxed, None, bold, boxed]
    for r in (49, 1048576):  # the second is outside the sheet: nothing written
        if isinstance(ws, FastCellsWorksheet):
            ws.write_text_row(r, 2, texts, formats)
        else:
            for j, (text, fmt) in enumerate(zip(texts, formats, strict=True)):
                if text:
                    ws.write_string(r, 2 + j, text, fmt)
                else:
                    ws.write_blank(r, 2 + j, None, fmt)
    if not constant_memory:  # comments and rows out of order need the whole table
        ws.write_comment(49, 3, "Ghi chú")  # on a row with cells
        ws.write_comment(52, 20, "Chỉ có ghi chú")  # a row with a comment only, far right
    ws.set_row(53, 20, None, {"hidden": True})  # a row with no cells
    ws.write_string(70, 30, "xa", boxed)  # a lone cell far right: the spans widen
    ws.write_number(71, 1, 3.5, boxed)
    wb.close()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_same_bytes_as_xlsxwriter(tmp_path, monkeypatch):
    stock, fast = tmp_path / "stock.xlsx", tmp_path / "fast.xlsx"
    _write(stock, Worksheet)
    stock_cell = Worksheet._write_cell
    handed_back = []

    def counted(self, row, col, cell):
        handed_back.append(type(cell).__name__)
        stock_cell(self, row, col, cell)

    monkeypatch.setattr(Worksheet, "_write_cell", counted)
    _write(fast, FastCellsWorksheet)
    a, b = _members(stock), _members(fast)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    # the fast path wrote the formatted strings, numbers, dates and blanks itself
    assert set(handed_back) == {"String", "Number", "Boolean", "Formula", "RichString"}
    assert len(handed_back) < 40 * 6


def test_constant_memory_and_official_sheet(tmp_path):
    for cls in (FastCellsWorksheet, OfficialWorksheet):
        stock, fast = tmp_path / "stock.xlsx", tmp_path / f"{cls.__name__}.xlsx"
        _write(stock, Worksheet, constant_memory=True)
        _write(fast, cls, constant_memory=True)
        assert _members(stock) == _members(fast)


def test_release_frees_the_cells_without_the_cyclic_collector(tmp_path):
    def written(release_it: bool) -> weakref.ref:
        wb = xlsxwriter.Workbook(str(tmp_path / "r.xlsx"))
        ws = wb.add_worksheet("A", worksheet_class=FastCellsWorksheet)
        ws.write_string(0, 0, "x", wb.add_format({"border": 1}))
        wb.close()
        if release_it:
            release(wb)
        return weakref.ref(ws)

    was_on = gc.isenabled()
    gc.disable()
    try:
        assert written(release_it=False)() is not None  # xlsxwriter's cycle keeps it
        assert written(release_it=True)() is None  # freed on the spot
    finally:
        if was_on:
            gc.enable()
        gc.collect()
