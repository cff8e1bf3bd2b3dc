"""Every sheet prints right: no clipped text, whole signature blocks, sensible pages.

Text is measured with the fonts' own metrics (Liberation Serif = Times New Roman's) over
every sample plan and form in both orientations, the units' workbooks, a 200-task plan and
a consolidated workbook; LibreOffice then prints them (one soffice call) and each page is
checked: numbered from page 2, breaking where the workbook says, never a page of header
and signature only, the signature block whole on the sheet's last page.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from cchc_xlsx.forms.form_rows import has_rows
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.forms.official_layout import NATION, printable
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.model import Area, Product
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLANS, SAMPLES, needs_soffice
from .font_metrics import CHARSET, advance, font_path
from .print_check import _col_widths, clipped

needs_fonts = pytest.mark.skipif(font_path(False, False) is None,
                                 reason="fonts-liberation not installed")


def _forms(plan, catalog):
    return [f for f, s in catalog.forms.items()
            if has_rows(s, plan) and (s.kind == "plan" or plan.schedule)]


def _oriented(catalog, orientation):
    return replace(catalog, forms={k: replace(s, orientation=orientation)
                                   for k, s in catalog.forms.items()})


def big_plan(plan, n=200):
    """Plan 001 with ``n`` tasks (some with several products) in four groups."""
    template = [t for a in plan.areas for t in a.tasks]
    areas = []
    for g in range(4):
        tasks = []
        for k in range(n // 4):
            t = template[(g * 50 + k) % len(template)]
            products = t.products if k % 7 else t.products + (Product("Báo cáo bổ sung"),)
            tasks.append(replace(t, stt=f"{g + 1}.{k + 1}", area_stt=str(g + 1),
                                 products=products))
        areas.append(Area(str(g + 1), f"Nhóm nhiệm vụ {g + 1}: " + plan.areas[g % len(
            plan.areas)].title, tuple(tasks)))
    return replace(plan, id="big-200", areas=tuple(areas))


@pytest.fixture(scope="module")
def books(tmp_path_factory, plan001, units):
    """name → workbook: every sample plan × form × orientation, units, 200 tasks, merged."""
    out = tmp_path_factory.mktemp("printed")
    catalog = load_catalog()
    made: dict[str, Path] = {}
    for path in PLANS.glob("*.yaml"):
        plan = load_plan(path)
        for orientation in ("portrait", "landscape"):
            [book] = generate(plan, None, out / orientation / plan.id,
                              forms=_forms(plan, catalog),
                              catalog=_oriented(catalog, orientation))
            made[f"{plan.id}-{orientation}"] = book
    for book in generate(plan001, units[:3], out / "units", period_id="q1-2023", workers=1):
        made[book.stem] = book
    big = big_plan(plan001)
    [made["big-200"]] = generate(big, None, out / "big", catalog=catalog)
    result = merge([SAMPLES / "returns"], plan001, units, "q1-2023", out / "tong-hop.xlsx",
                   office_from_units(units, plan001), workers=1)
    made["tong-hop"] = Path(result.out)
    return made


@needs_fonts
def test_width_table_is_the_fonts_own():
    from cchc_xlsx.forms.font_widths import CHARS, WIDTHS

    assert CHARS == CHARSET
    for (bold, italic), widths in WIDTHS.items():
        assert list(widths) == [round(advance(ch, bold, italic) * 2048) for ch in CHARS]


@needs_fonts
def test_no_text_is_clipped(books):
    problems = {name: clipped(book) for name, book in books.items()}
    assert {k: v for k, v in problems.items() if v} == {}


@needs_fonts
def test_the_checker_sees_a_clipped_quoc_hieu(tmp_path):
    """The measurement fails on the fault the issue reported (a narrow right block)."""
    import xlsxwriter

    path = tmp_path / "narrow.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"default_format_properties": {
        "font_name": "Times New Roman", "font_size": 12}})
    ws = wb.add_worksheet("KH Chỉ tiêu")
    ws.set_column(0, 3, 16)
    ws.merge_range(0, 2, 0, 3, NATION, wb.add_format({"bold": True, "font_size": 12}))
    wb.close()
    [problem] = clipped(path)
    assert problem.startswith("KH Chỉ tiêu!C1:")


# --- pagination --------------------------------------------------------------------------


def test_books_break_only_where_allowed(books):
    """Structure of every sheet's breaks: each page starts with a data row, no group title
    ends a page, the signature block and the row above it share a page."""
    for name, book in books.items():
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            breaks = [b.id for b in ws.row_breaks.brk]  # 1-based row that ends a page
            sig = next(r for r in range(ws.max_row, 0, -1)
                       if ws.cell(r, 1).value == "Nơi nhận:")
            assert all(b <= sig - 2 for b in breaks), (name, ws.title, "signature split")
            if sig - 2 in breaks:  # only when the last row, header and signature overflow
                rows = [*_title_rows(ws), *range(sig - 2, ws.max_row + 1)]
                assert sum(ws.row_dimensions[r].height or 15 for r in rows) > _page(ws), (
                    name, ws.title, "signature parted from the table")
            for b in breaks:
                if b == sig - 2:
                    continue
                first = b + 1  # the first row of the next page is a table row with text
                assert any(isinstance(c.value, (str, int, float)) for c in ws[first]), (
                    name, ws.title, first)
                last = ws[b]
                if last[0].font.b and any(c.font.b for c in last[1:3]) and (
                        ws.cell(b, 1).border.left.style) and (
                        ws.cell(b, 2).value != "Tổng cộng"):  # a group title ends the page:
                    rows = [*_title_rows(ws), b, b + 1]  # only if it cannot go with its row
                    assert sum(ws.row_dimensions[r].height or 15 for r in rows) > _page(ws), (
                        name, ws.title, b, "group title ends page")


def _page(ws) -> float:
    """What a page holds, in points (the layout fills 97 % of it)."""
    return printable(ws.page_setup.orientation == "landscape")[1] * 0.97


def _title_rows(ws):
    first, last = (int(x) for x in re.findall(r"\d+", ws.print_title_rows))
    return range(first, last + 1)


# --- LibreOffice -------------------------------------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def _expected_pages(ws):
    """Per page of a sheet: a word its first row prints (the row the workbook breaks at)."""
    starts = [b.id + 1 for b in ws.row_breaks.brk]
    hidden = {c for c, w in _col_widths(ws).items() if w == 0}
    words = []
    for r in starts:
        texts = [c.value for c in ws[r] if isinstance(c.value, str) and c.value.strip()
                 and c.column not in hidden]
        # a row whose text sits in a merge above it (a task's later product) prints none
        words.append(squash(max(texts, key=len).split()[0])[:6] if texts else "")
    return words


@needs_soffice
def test_libreoffice_pages(books, tmp_path):
    chosen = {k: v for k, v in books.items() if not k.endswith("-portrait") or "001" in k}
    src = tmp_path / "src"
    src.mkdir()
    for name, book in chosen.items():
        (src / f"{name}.xlsx").write_bytes(book.read_bytes())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                    str(tmp_path / "pdf"), *sorted(str(p) for p in src.iterdir())],
                   check=True, capture_output=True, timeout=600)
    for name in chosen:
        pdf = tmp_path / "pdf" / f"{name}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        wb = openpyxl.load_workbook(src / f"{name}.xlsx", data_only=True)
        sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        # split the PDF into sheets at each first page (the one with the Quốc hiệu)
        by_sheet: list[list[str]] = []
        for page in pages:
            if squash(NATION) in squash(page):
                by_sheet.append([])
            by_sheet[-1].append(page)
        assert len(by_sheet) == len(sheets), name
        for ws, printed in zip(sheets, by_sheet, strict=True):
            where = f"{name}/{ws.title}"
            firsts = _expected_pages(ws)
            assert len(printed) == len(firsts) + 1, (where, "LibreOffice broke elsewhere")
            for n, page in enumerate(printed, start=1):
                # the number sits alone at the top; a vertically centred group name in a
                # merge across pages may print beside it, so look at the first lines
                top = [t.strip() for t in page.strip().splitlines()[:3]]
                if n == 1:
                    assert not any(t.isdigit() for t in top), where
                    continue
                assert str(n) in top, (where, n, top)
                assert firsts[n - 2] in squash(page), (where, n, firsts[n - 2])
            sig = squash("Nơi nhận:")
            holding = [n for n, p in enumerate(printed) if sig in squash(p)]
            assert holding == [len(printed) - 1], where
            signer = [c.value for row in ws.iter_rows(min_row=_row_of(ws, "Nơi nhận:"))
                      for c in row if isinstance(c.value, str) and c.font.b]
            last = squash(printed[-1])
            assert "###" not in squash("".join(printed)), (where, "a number too wide")
            assert all(squash(s) in last for s in signer), (where, signer)


def _row_of(ws, text):
    return next(r for r in range(ws.max_row, 0, -1) if ws.cell(r, 1).value == text)
