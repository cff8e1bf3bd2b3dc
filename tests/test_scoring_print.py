"""The scoring workbooks (self-assessment, appraisal, ranking) print at 100 % with NĐ 30
sizes and every appendix is signable: no fit-to-page or smaller scale in any sheet, the text
on LibreOffice's PDF at its nominal size, the signature (title, name) and Nơi nhận on the
page of the last table row, "Số: …/BC-<ký hiệu>" from the office profile, and without a
profile the signer's title from the kind of office."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cchc_xlsx.cli import main
from cchc_xlsx.scoring.criteria import load_criteria

from .conftest import ROOT, SAMPLES, UNITS_CSV, needs_soffice
from .libreoffice import soffice_convert
from .scoring_fill import fill_correct

PAR = ROOT / "criteria" / "par-mau-2025.yaml"
PROFILE = SAMPLES / "office" / "phong-gddt-quan8.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """A round as the office runs it: generate, three units fill, merge with the profile."""
    tmp = tmp_path_factory.mktemp("scoring-print")
    out = tmp / "tu-danh-gia"
    r = run("criteria", "generate", "--criteria", "par-mau", "--units", str(UNITS_CSV),
            "--out", str(out))
    assert r.exit_code == 0, r.output
    returns = sorted(out.glob("*.xlsx"))
    crit = load_criteria(PAR)
    for i, book in enumerate(returns[:3]):
        fill_correct(book, crit, seed=i)
    ranking, appraisal = tmp / "xep-hang.xlsx", tmp / "tham-dinh.xlsx"
    r = run("criteria", "merge", "--criteria", "par-mau", "--units", str(UNITS_CSV),
            "--out", str(ranking), "--appraisal-out", str(appraisal),
            "--office-profile", str(PROFILE), "--number", "45", "--date", "10/3/2025",
            *map(str, returns[:3]))
    assert r.exit_code == 1, r.output  # nine units have not sent theirs
    plain = tmp / "xep-hang-khong-ho-so.xlsx"
    r = run("criteria", "merge", "--criteria", "par-mau", "--units", str(UNITS_CSV),
            "--out", str(plain), *map(str, returns[:3]))
    assert r.exit_code == 1, r.output
    return {"self": returns[0], "ranking": ranking, "appraisal": appraisal, "plain": plain}


def test_number_and_date_need_a_profile(tmp_path, books):
    r = CliRunner().invoke(main, ["criteria", "merge", "--criteria", "par-mau", "--units",
                                  str(UNITS_CSV), "--out", str(tmp_path / "x.xlsx"),
                                  "--number", "45", str(books["self"])])
    assert r.exit_code == 2 and "--office-profile" in r.output
    r = CliRunner().invoke(main, ["criteria", "merge", "--criteria", "par-mau", "--units",
                                  str(UNITS_CSV), "--out", str(tmp_path / "x.xlsx"),
                                  "--office-profile", str(PROFILE), "--date", "31/2/2025",
                                  str(books["self"])])
    assert r.exit_code == 2 and "31/2/2025" in r.output


@pytest.mark.parametrize("kind", ["self", "appraisal", "ranking", "plain"])
def test_every_sheet_prints_at_100_percent(books, kind):
    with zipfile.ZipFile(books[kind]) as z:
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert sheets
        for name in sheets:
            xml = z.read(name).decode()
            assert 'fitToPage="1"' not in xml, name
            setup = re.search(r"<pageSetup[^>]*>", xml)
            if setup is None:
                continue  # the hidden identity sheet
            scale = re.search(r'scale="(\d+)"', setup.group(0))
            assert scale is None or int(scale.group(1)) == 100, (name, setup.group(0))
            assert 'paperSize="9"' in setup.group(0), name


def _cells(path: Path) -> dict[str, list[list[str]]]:
    wb = load_workbook(path)
    return {ws.title: [["" if v is None else str(v) for v in row]
                       for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets if ws.sheet_state == "visible"}


def _signed_sheets(path: Path) -> dict[str, list[list[str]]]:
    return {t: rows for t, rows in _cells(path).items() if any("Nơi nhận:" in r for r in rows)}


def test_appendices_are_signable_with_the_profile(books):
    for kind in ("ranking", "appraisal"):
        sheets = _signed_sheets(books[kind])
        assert len(sheets) >= (4 if kind == "ranking" else 1), kind
        for title, rows in sheets.items():
            flat = [c for r in rows for c in r if c]
            assert "Số: 45/BC-GDĐT" in flat, (kind, title)
            assert "Quận 8, ngày 10 tháng 3 năm 2025" in flat, (kind, title)
            assert {"KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Nguyễn Văn An"} <= set(flat)
            recipients = [c for c in flat if c.startswith("- ")]
            assert recipients[-1] == "- Lưu: VT." and "- Như trên;" not in recipients
            assert all(c[2:3].isupper() and not c[2:].isupper() for c in recipients)


def test_without_a_profile_the_title_comes_from_the_office_kind(books):
    for title, rows in _signed_sheets(books["plain"]).items():
        flat = [c for r in rows for c in r if c]
        assert "TRƯỞNG PHÒNG" in flat, title  # Phòng Giáo dục và Đào tạo Quận 8
        assert "THỦ TRƯỞNG CƠ QUAN" not in flat and "- Như trên;" not in flat
        assert any(c.startswith("Số:") and c.rstrip().endswith("/BC-……") for c in flat)
    self_rows = next(iter(_signed_sheets(books["self"]).values()))
    flat = [c for r in self_rows for c in r if c]
    assert "HIỆU TRƯỞNG" in flat or "KT. HIỆU TRƯỞNG" in flat
    assert "- Phòng Giáo dục và Đào tạo Quận 8;" in flat


def test_a_sos_schools_do_not_make_it_its_own_superior():
    """Sóc Trăng's schools name the Sở as their managing body: scored by the Sở, the header
    does not print the Sở twice and Nơi nhận does not send the Sở its own report."""
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.scoring.scoring_round import office_for

    office = office_for(load_units(SAMPLES / "units" / "soctrang-don-vi.csv"))
    assert office.name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG"
    assert office.superior == ""
    quan8 = office_for(load_units(UNITS_CSV))
    assert quan8.superior and quan8.superior.casefold() != quan8.name.casefold()


# --- on LibreOffice's PDF -------------------------------------------------------------------


def _pages(pdf: Path) -> list[str]:
    """Page texts in reading order (a wrapped cell's lines stay together)."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return raw.split("\f")[:-1] if raw.endswith("\f") else raw.split("\f")


def _word_heights(pdf: Path, word: str) -> list[float]:
    """Heights of the boxes of ``word`` on the PDF: about 1.3 × the printed font size."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [float(m.group(2)) - float(m.group(1)) for m in re.finditer(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
        + re.escape(word) + "</word>", html)]


def _last_table_row(rows: list[list[str]]) -> str:
    """The first text of the table row just above the signature block."""
    at = next(i for i, r in enumerate(rows) if "Nơi nhận:" in r)
    for r in reversed(rows[:at]):
        texts = [c for c in r if c and not c.startswith(("cchc:", "__", "="))
                 and "|" not in c]  # formulas and the hidden row keys do not print
        if texts:
            return max(texts, key=len)
    raise AssertionError("no table row above the signature")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_soffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["self", "appraisal", "ranking"])
def test_pdf_at_nominal_sizes_with_the_signature_on_the_last_rows_page(books, kind,
                                                                       tmp_path):
    pdf = soffice_convert(books[kind], tmp_path / "pdf", "pdf", tmp_path / "profile")
    # a word's box is about 1.3 × its size: 15.6 pt for the 12 pt header lines ("ỦY BAN
    # NHÂN DÂN …", "… VIỆT NAM"; words without marks, which pdftotext keeps whole) at
    # 100 %, 8.6 pt at the 55 % the self-assessment used to print at
    for word in ("BAN", "NAM"):
        heights = _word_heights(pdf, word)
        assert heights and min(heights) >= 15, (word, heights)
    stt = _word_heights(pdf, "(1)")  # the column-number row of every table
    assert stt and min(stt) >= 13, stt
    pages = [squash(p) for p in _pages(pdf)]
    signed = _signed_sheets(books[kind])
    sig_pages = [i for i, p in enumerate(pages) if "Nơinhận:" in p]
    assert len(sig_pages) == len(signed)  # one signature per appendix, each on one page
    for i, rows in zip(sig_pages, signed.values(), strict=True):
        page = pages[i]
        flat = [c for r in rows for c in r if c]
        title = next(c for c in flat if c in ("HIỆU TRƯỞNG", "KT. HIỆU TRƯỞNG",
                                              "KT. TRƯỞNG PHÒNG"))
        assert squash(title) in page
        name = flat[flat.index(title) + (1 if title == "HIỆU TRƯỞNG" else 2):]
        assert any(squash(n) in page for n in name[:6] if len(n) > 5)
        last = squash(_last_table_row(rows))[:15]
        assert last in page, (kind, i, last)


def test_self_assessment_widths_are_balanced_by_its_text(books):
    """The criteria's words and the scoring guide wrap into fewer lines than with the
    designer's widths merely fitted to the page (``layout.widths.balance_table``)."""
    from cchc_xlsx.forms.official_layout import fit_widths, text_lines
    from cchc_xlsx.scoring.self_assessment import COL, COLUMNS

    wb = load_workbook(books["self"])
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    keep = tuple(COL[k] for k in ("max", "result", "na", "score", "appraised"))
    fitted = fit_widths([w for _, _, w in COLUMNS], True, keep).widths
    made = [ws.column_dimensions[chr(65 + i)].width - 0.7109375 for i in range(len(COLUMNS))]
    start = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "(1)") + 1
    rows = [(ws.cell(r, 2).value, ws.cell(r, 4).value) for r in range(start, ws.max_row)
            if ws.cell(r, 4).value]

    def lines(w):
        return sum(max(text_lines(name or "", w[COL["name"]]),
                       text_lines(guide, w[COL["guide"]])) for name, guide in rows)

    assert len(rows) > 20
    assert lines(made) < lines(fitted)
