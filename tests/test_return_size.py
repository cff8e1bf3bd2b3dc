"""Issue 17: a return's size is bounded by its template. The audit's heavy file (a real
return plus 8,000 rows × 26 long texts) cost 25 s and ~1 GB per check; a sheet holding far
more value cells than any return of its form can (the template's rows, plus up to as many
again or 500 inserted, across the form's columns plus 10) is now refused in one sentence
naming the file and the sheet, before any grid is built; a return with inserted rows
within that bound reads as before."""

from __future__ import annotations

import re
import time

import pytest

from cchc_xlsx.forms.generate import generate
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.reading import bounds
from cchc_xlsx.reading.file_guard import UnusableFile
from cchc_xlsx.reading.reader import read_workbook

from .fill import Filler, fill_clean

TEXT = "báo cáo cải cách hành chính nhiệm vụ chỉ tiêu thủ tục đơn vị trường học " * 4


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def clean(tmp_path_factory, plan001, units):
    gen = tmp_path_factory.mktemp("gen")
    path = generate(plan001, units[:1], gen, period_id="q1-2023", workers=1)[0]
    out = tmp_path_factory.mktemp("r") / path.name
    fill_clean(Filler(path), seed=0).save(out)
    return out


def _with_rows(src, dst, rows: int, cols: int):
    f = Filler(src)
    ws = f.tables["report_tasks"][0]
    start = ws.max_row + 1
    for r in range(rows):
        for c in range(1, cols + 1):
            ws.cell(start + r, c).value = f"{TEXT}{r}-{c}"
    f.save(dst)
    return ws.title, dst


def test_far_more_rows_than_a_return_can_hold_is_refused(clean, tmp_path, catalog):
    sheet, path = _with_rows(clean, tmp_path / "nang.xlsx", 1500, 12)
    t = time.perf_counter()
    with pytest.raises(UnusableFile) as exc:
        read_workbook(path, catalog)
    assert time.perf_counter() - t < 5
    assert exc.value.code == "too_large"
    message = exc.value.message
    assert str(path) in message and f"«{sheet}»" in message and "dòng thừa" in message
    assert re.search(r"chứa 18\.\d{3} ô", message)  # grouped as Vietnamese write it


def test_inserted_rows_within_the_bound_still_read(clean, tmp_path, catalog):
    _, path = _with_rows(clean, tmp_path / "them-dong.xlsx", 40, 12)
    book = read_workbook(path, catalog)
    before = read_workbook(clean, catalog)
    keys = [row.key for row in book.tables["report_tasks"].rows]
    assert [row.key for row in before.tables["report_tasks"].rows] == keys[:len(
        before.tables["report_tasks"].rows)]  # the template's rows, read as before


def test_the_bound_comes_from_the_template(clean, catalog):
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(clean))
    try:
        limits = bounds.return_bounds(book, catalog)
    finally:
        book.close()
    assert limits, "a generated return records its sheets' rows"
    for template_rows, most in limits.values():
        assert template_rows > 0
        assert most >= (template_rows + bounds.MIN_INSERTED_ROWS) * bounds.EXTRA_COLUMNS


def test_a_return_without_identity_is_not_bounded_here(tmp_path, catalog):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Trang 1"
    for r in range(1, 50):
        wb.active.cell(r, 1).value = TEXT
    wb.save(tmp_path / "cu.xlsx")
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(tmp_path / "cu.xlsx"))
    try:
        assert bounds.return_bounds(book, catalog) == {}
    finally:
        book.close()


def _prefixed(src, dst, part: str) -> None:
    """``src`` with ``part``'s value tags written with a namespace prefix (``<x:v>``)."""
    import zipfile

    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == part:
                for tag in (b"v", b"is"):
                    data = data.replace(b"<" + tag + b">", b"<x:" + tag + b">")
                    data = data.replace(b"</" + tag + b">", b"</x:" + tag + b">")
            out.writestr(info, data)


def test_the_guards_bound_leaves_the_outcome_as_the_streamed_count(clean, tmp_path, catalog):
    """Issue 18: the guard counts each worksheet part's "<" in its one inflate (64 KB
    pieces), a bound on its value cells; the return-size check counts a part again only
    when that bound is above the part's limit. The bound is never below the streamed
    count, and the outcome and message are those of the streamed count, also for a part
    written with prefixed tags (``<x:v>``)."""
    import zipfile

    import python_calamine as pc

    from cchc_xlsx.reading.file_guard import inspect_workbook

    _, heavy = _with_rows(clean, tmp_path / "nang.xlsx", 1500, 12)
    prefixed = tmp_path / "tien-to.xlsx"
    with zipfile.ZipFile(heavy) as z:
        big = max((n for n in z.namelist() if n.startswith("xl/worksheets/")),
                  key=lambda n: z.getinfo(n).file_size)
        assert z.getinfo(big).file_size > 10 * 65536  # many of the guard's pieces
    _prefixed(heavy, prefixed, big)
    for path in (clean, heavy, prefixed):
        seen = inspect_workbook(path)
        with zipfile.ZipFile(path) as z:
            parts = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            assert parts and sorted(seen.cell_bounds) == sorted(parts)
            for part in parts:
                assert seen.cell_bounds[part] == z.read(part).count(b"<")
                assert seen.cell_bounds[part] >= bounds._value_cells(z, part), part
            assert bounds._sheet_names_of(seen.book_parts["xl/workbook.xml"],
                                          seen.book_parts["xl/_rels/workbook.xml.rels"]
                                          ) == bounds._sheet_names(z)
    book = pc.CalamineWorkbook.from_path(str(heavy))
    try:
        bounds.check_return_size(clean, book, catalog, inspect_workbook(clean))  # within
        messages = []
        for path in (heavy, prefixed):
            for inspection in (None, inspect_workbook(path)):  # streamed, then the guard's
                with pytest.raises(UnusableFile) as exc:
                    bounds.check_return_size(path, book, catalog, inspection)
                messages.append(exc.value.message.replace(str(path), "F"))
    finally:
        book.close()
    assert len(set(messages)) == 1, messages
