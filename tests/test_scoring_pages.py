"""The ranking workbook page by page on LibreOffice's PDF: the chart sized to the page (or
shared over pages when the units are many), each appendix's pages never ending on a bare
table header, the signature with the last rows (never one row alone above it), and the
"Tình hình nộp" appendix short: no file names or error counts on paper (they go to the
hidden log sheet)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xlsx.forms.official_layout import printable
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.scoring.check import LeafScore, UnitScores
from cchc_xlsx.scoring.criteria import load_criteria
from cchc_xlsx.scoring.ranking import compute_ranking
from cchc_xlsx.scoring.ranking_writer import (
    LOG_SHEET,
    STATUS_SHEET,
    Submission,
    chart_parts,
    write_ranking,
)
from cchc_xlsx.scoring.scoring_print import vi_points

from .conftest import ROOT, needs_soffice
from .libreoffice import soffice_convert

PAR = ROOT / "criteria" / "par-mau-2025.yaml"
OFFICE = Office(superior="ỦY BAN NHÂN DÂN QUẬN 8", name="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8",
                place="Quận 8", signer_title="TRƯỞNG PHÒNG", signer_name="Nguyễn Văn An",
                code="PGD-Q8")


def _book(tmp: Path, n: int) -> tuple[Path, list[str]]:
    """A ranking of ``n`` units with different totals, every other one with a file."""
    crit = load_criteria(PAR)
    leaves = [i for i in crit.leaves() if not i.applies_to]
    scores, subs = [], []
    for k in range(n):
        name = f"Trường Thử Nghiệm Số {k + 1:02d}"
        got = {item.code: LeafScore(item.max * (0.3 + 0.6 * ((k * 7 + j) % 10) / 10))
               for j, item in enumerate(leaves)}
        scores.append(UnitScores(f"U{k:02d}", name, got))
        subs.append(Submission(f"U{k:02d}", name, "Hợp lệ" if k % 3 else "Có lỗi",
                               0 if k % 3 else 4, 1, f"U{k:02d}_tu-danh-gia.xlsx"))
    subs.append(Submission("", "Không xác định được đơn vị", "Không dùng được", 1, 0,
                           "la.xlsx", listed=False))
    path = write_ranking(crit, compute_ranking(crit, scores), scores, subs, OFFICE,
                         tmp / f"xep-hang-{n}.xlsx")
    return path, [s.name for s in scores]


def _pages(pdf: Path, layout: bool = False) -> list[str]:
    raw = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    pages = raw.split("\f")[:-1]
    return pages if layout else [re.sub(r"\s+", "", p) for p in pages]


def _ends_on_head(page: str) -> bool:
    """Whether the page's last printed line is the table's column-number row."""
    lines = [x for x in page.splitlines() if x.strip()]
    return bool(lines) and bool(re.fullmatch(r"(\s*\(\d+\))+\s*", lines[-1]))


def test_chart_parts_fit_the_page():
    page = printable(True)[1]
    room = (page - 4 * 15) / 0.75  # below the heading rows, in pixels
    for n in (1, 3, 12, 23, 24, 30, 47, 100):
        parts = chart_parts(n, page)
        assert sum(k for _, k, _ in parts) == n
        assert [a for a, _, _ in parts] == [sum(k for _, k, _ in parts[:i])
                                            for i in range(len(parts))]
        assert all(h <= room for _, _, h in parts), (n, parts)
        sizes = [k for _, k, _ in parts]
        assert max(sizes) - min(sizes) <= 1  # shared evenly: no page with a lone unit
    assert len(chart_parts(12, page)) == 1 and len(chart_parts(60, page)) >= 2


def test_points_the_vietnamese_way():
    assert [vi_points(x) for x in (87.63, 12.0, 7.5, 79.375)] == ["87,63", "12", "7,5",
                                                                   "79,38"]


def test_status_appendix_is_short_and_the_files_go_to_the_log(tmp_path):
    path, names = _book(tmp_path, 5)
    wb = load_workbook(path)
    status = [[c for c in row if c is not None]
              for row in wb[STATUS_SHEET].iter_rows(values_only=True)]
    flat = [str(c) for r in status for c in r]
    assert not any(".xlsx" in c for c in flat)
    assert "Số lỗi" not in flat and "Tệp" not in flat
    assert any(c.startswith("Đã nộp hợp lệ: 3/5 đơn vị; có lỗi hoặc không đọc được: 2; "
                            "chưa nộp: 0.") for c in flat)
    assert "Không thuộc danh sách đơn vị phải nộp" in flat
    log = wb[LOG_SHEET]
    assert log.sheet_state == "hidden"
    logged = [str(c) for row in log.iter_rows(values_only=True) for c in row if c is not None]
    assert "U00_tu-danh-gia.xlsx" in logged and "la.xlsx" in logged


def _appendices(pages: list[str]) -> list[list[str]]:
    """The appendices' pages, the chart pages before them left out."""
    out: list[list[str]] = []
    for p in pages:
        if re.search(r"Phụlục[IVX]+", p):
            out.append([p])
        elif out:
            out[-1].append(p)
    return out


@needs_soffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("n", [3, 30])
def test_ranking_pages(tmp_path, n):
    path, names = _book(tmp_path, n)
    pdf = soffice_convert(path, tmp_path / "pdf", "pdf", tmp_path / "profile")
    pages = _pages(pdf)
    assert not [i for i, p in enumerate(_pages(pdf, layout=True)) if _ends_on_head(p)]
    first = next(i for i, p in enumerate(pages) if "Phụlục" in p)
    charts = pages[:first]
    assert len(charts) == len(chart_parts(n, printable(True)[1]))
    for i, page in enumerate(charts):
        assert "KẾTQUẢCHẤMĐIỂMCẢICÁCHHÀNHCHÍNHNĂM" in page, i
        assert "8090100" in page, i  # the whole axis prints: the chart is not clipped
    # every unit's bar is labelled on exactly one chart page
    for name in names:
        assert sum(re.sub(r"\s+", "", name) in p for p in charts) == 1, name
    for pages_of in _appendices(pages):
        last = pages_of[-1]
        assert "Nơinhận:" in last and "NguyễnVănAn" in last
        if len(pages_of) > 1 and "Phụlục" in pages_of[0] and any(
                re.sub(r"\s+", "", x) in pages_of[0] for x in names):
            # the table went over pages: the signature has at least two rows above it
            table = last.split("Nơinhận:")[0]
            rows = sum(re.sub(r"\s+", "", x) in table
                       for x in [*names, "Không xác định được đơn vị"])
            codes = len(re.findall(r"\d+\.\d+(?:\.\d+)?", table))  # criteria codes
            assert rows >= 2 or codes >= 2 or rows == len(names), (n, table[-200:])


@needs_soffice
@pytest.mark.libreoffice
def test_self_assessment_and_appraisal_pages(tmp_path):
    """Neither the unit's self-assessment nor the office's appraisal table ends a page on
    its bare table head, and the signature page carries table rows above the signature."""
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.scoring.appraisal import write_appraisal
    from cchc_xlsx.scoring.self_assessment import write_self_assessment

    from .conftest import UNITS_CSV

    crit = load_criteria(PAR)
    unit = load_units(UNITS_CSV)[0]
    leaves = [i for i in crit.leaves() if not i.applies_to]
    scores = [UnitScores(f"U{k}", f"Trường Thử Nghiệm Số {k}",
                         {it.code: LeafScore(it.max / 2) for it in leaves}) for k in range(3)]
    books = [write_self_assessment(crit, unit, tmp_path / "tu-danh-gia.xlsx"),
             write_appraisal(crit, scores, tmp_path / "tham-dinh.xlsx", OFFICE)]
    for book in books:
        pdf = soffice_convert(book, tmp_path / "pdf", "pdf", tmp_path / "profile")
        laid = _pages(pdf, layout=True)
        assert len(laid) > 1, book.name  # the table goes over pages: the test means something
        assert not [i for i, p in enumerate(laid) if _ends_on_head(p)], book.name
        last = laid[-1]
        assert "Nơi nhận:" in last
        table = last.split("Nơi nhận:")[0]
        # data rows start with a criterion's code (self-assessment, appraisal "U1 … 8.2")
        rows = re.findall(r"^\s*(?:U\d\s.*?)?\b\d+(?:\.\d+)+\s", table, flags=re.M)
        assert len(rows) >= 2 or "TỔNG ĐIỂM" in table, (book.name, table[-400:])
