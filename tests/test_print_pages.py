"""Paper a head would sign as is: the page rules, checked on LibreOffice's PDF.

Every output kind the print stage lays out — a unit's workbook, the issuer's appendices
of every sample plan, a 200-task plan, the consolidated workbook (with its status and
per-level appendices) — is rendered once (one soffice call) and each sheet's pages are
read back with pdftotext:

- page 1 holds at least one table row after the header (never a header alone);
- the signature block and Nơi nhận are on the last page, with the last table row;
- no last page with a single table row when the rows before could be balanced;
- no merged cell crosses a page break (the paginator splits it, the label repeats);
- every sheet prints at 100 %, never "fit to page";
- the status appendix prints no storage path, so the pages do not depend on where the
  repository is cloned.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from cchc_xlsx.forms.generate import generate
from cchc_xlsx.forms.official_layout import NATION
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLANS, SAMPLES, needs_soffice
from .test_print_layout import big_plan


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def printed(tmp_path_factory, plan001, units):
    """name → (workbook path, [per visible sheet: its pages' text])."""
    out = tmp_path_factory.mktemp("pages")
    books: dict[str, Path] = {}
    for path in sorted(PLANS.glob("*.yaml")):
        plan = load_plan(path)
        [books[f"issuer-{plan.id}"]] = generate(plan, None, out / "issuer" / plan.id)
    [books["unit-001"]] = generate(plan001, units[:1], out / "unit", period_id="q1-2023",
                                   workers=1)
    [books["big-200"]] = generate(big_plan(plan001), None, out / "big")
    result = merge([SAMPLES / "returns"], plan001, units, "q1-2023", out / "tong-hop.xlsx",
                   office_from_units(units, plan001), workers=1)
    books["tong-hop"] = Path(result.out)
    three = sorted((SAMPLES / "returns").glob("MN-*.xlsx"))[:3]  # three units sent theirs
    mine = [u for u in units if any(p.name.startswith(u.code + "_") for p in three)]
    result = merge(three, plan001, mine, "q1-2023", out / "tong-hop-3.xlsx",
                   office_from_units(mine, plan001), workers=1)
    books["tong-hop-3"] = Path(result.out)
    src = out / "src"
    src.mkdir()
    for name, book in books.items():
        (src / f"{name}.xlsx").write_bytes(book.read_bytes())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out / "pdf"),
                    *sorted(str(p) for p in src.iterdir())],
                   check=True, capture_output=True, timeout=900)
    made = {}
    for name in books:
        text = subprocess.run(["pdftotext", "-layout", str(out / "pdf" / f"{name}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        by_sheet: list[list[str]] = []
        for page in (p for p in text.split("\f") if p.strip()):
            if squash(NATION) in squash(page):
                by_sheet.append([])
            by_sheet[-1].append(page)
        made[name] = (src / f"{name}.xlsx", by_sheet)
    return made


def _sheets(path: Path):
    wb = openpyxl.load_workbook(path, data_only=True)
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def _row_word(ws, r: int) -> str:
    """A word row ``r`` prints (its longest text's first word), or "" for none."""
    texts = [c.value for c in ws[r] if isinstance(c.value, str) and c.value.strip()
             and ws.column_dimensions[c.column_letter].hidden is not True]
    return squash(max(texts, key=len).split()[0])[:8] if texts else ""


def _table_rows(ws) -> list[int]:
    """1-based rows of the table body: after the repeated header, before the signature."""
    sig = next(r for r in range(ws.max_row, 0, -1) if ws.cell(r, 1).value == "Nơi nhận:")
    if ws.print_title_rows:
        last_head = int(re.findall(r"\d+", ws.print_title_rows)[-1])
    else:  # several tables, each under its own header: the body starts after the first
        last_head = next(r for r in range(1, sig) if ws.cell(r, 1).value == "STT") + 1
    return [r for r in range(last_head + 1, sig - 1) if _row_word(ws, r)]


@needs_soffice
def test_every_output_kind_was_rendered(printed):
    for name, (path, by_sheet) in printed.items():
        assert len(by_sheet) == len(_sheets(path)), name


@needs_soffice
def test_page_one_never_ends_with_the_header_alone(printed):
    for name, (path, by_sheet) in printed.items():
        for ws, pages in zip(_sheets(path), by_sheet, strict=True):
            rows = _table_rows(ws)
            if rows:
                assert _row_word(ws, rows[0]) in squash(pages[0]), (name, ws.title)


@needs_soffice
def test_signature_on_the_last_page_with_the_last_table_row(printed):
    for name, (path, by_sheet) in printed.items():
        for ws, pages in zip(_sheets(path), by_sheet, strict=True):
            last = squash(pages[-1])
            holding = [n for n, p in enumerate(pages) if squash("Nơi nhận:") in squash(p)]
            assert holding == [len(pages) - 1], (name, ws.title)
            rows = _table_rows(ws)
            if rows:
                assert _row_word(ws, rows[-1]) in last, (name, ws.title, "table row parted")


@needs_soffice
def test_no_lone_table_row_on_a_last_page(printed):
    for name, (path, _) in printed.items():
        for ws in _sheets(path):
            breaks = [b.id for b in ws.row_breaks.brk]
            rows = _table_rows(ws)
            if not breaks or len(rows) < 3:
                continue
            on_last = [r for r in rows if r > breaks[-1]]
            # one row alone is allowed only when it is too tall to share a page
            alone = len(on_last) == 1 and (ws.row_dimensions[on_last[0]].height or 15) < 200
            assert not alone, (name, ws.title, on_last)


@needs_soffice
def test_no_merge_crosses_a_page_break(printed):
    for name, (path, _) in printed.items():
        for ws in _sheets(path):
            ends = [b.id for b in ws.row_breaks.brk]  # 1-based rows that end a page
            for rng in ws.merged_cells.ranges:
                _, r0, _, r1 = range_boundaries(str(rng))
                assert not any(r0 <= b < r1 for b in ends), (name, ws.title, str(rng))


@needs_soffice
def test_every_sheet_prints_at_100_percent(printed):
    for name, (path, _) in printed.items():
        for ws in _sheets(path):
            fit = ws.sheet_properties.pageSetUpPr
            assert not (fit and fit.fitToPage), (name, ws.title)
            assert ws.page_setup.scale in (None, 100), (name, ws.title, ws.page_setup.scale)


@needs_soffice
def test_status_appendix_prints_no_storage_path(printed):
    path, by_sheet = printed["tong-hop"]
    status = "".join(by_sheet[0])
    assert squash("TÌNH HÌNH NỘP BÁO CÁO") in squash(status)
    assert "samples/" not in status and "/tmp" not in status and "/work" not in status
    assert "Tổng hợp lúc" not in status


@needs_soffice
def test_consolidated_pages_fit_the_target(printed):
    """57 pages before the print stage; at most 60 % of that now (issue 14)."""
    _, by_sheet = printed["tong-hop"]
    assert sum(len(p) for p in by_sheet) <= 34


@needs_soffice
def test_status_of_three_units_is_one_page_with_its_signature(printed):
    """Three units' "Tình hình nộp" needed 507 pt against a 482 pt landscape page (one row
    on page 1, two and the signature on page 2): it now prints on one page."""
    path, by_sheet = printed["tong-hop-3"]
    ws = _sheets(path)[0]
    assert ws.title == "Tình hình nộp"
    [page] = by_sheet[0]
    for r in _table_rows(ws):
        assert _row_word(ws, r) in squash(page)
    assert squash("Nơi nhận:") in squash(page) and squash("TRƯỞNG PHÒNG") in squash(page)
    assert len(_table_rows(ws)) == 3


@needs_soffice
def test_every_page_keeps_the_rules(printed):
    """The stricter per-page rules of ``print_check.page_faults`` (shared with
    ``test_print_outputs``): the pages printed are the pages laid out, each holds a table
    row, no task's rows and no group title across a break, signed by a title; and no row
    with more than two blank lines."""
    from .print_check import padded, page_faults

    faults = [f for name, (path, by_sheet) in printed.items()
              for f in [*page_faults(name, path, by_sheet), *padded(path)]]
    assert faults == []
