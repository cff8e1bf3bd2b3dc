"""Annotated copies: every usable return, whatever its format, gets an .xlsx copy with its
findings marked at the same cells; only files with findings unless --annotate-all; the
folder is printed; an empty required cell that is an error shows in the error colour
(above the template's own "fill me" highlight)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cchc_xlsx.checking.annotate import ERROR_FILL, RESULT_SHEET, write_all
from cchc_xlsx.checking.validate import validate
from cchc_xlsx.cli import main
from cchc_xlsx.forms.generate import generate

from .conftest import HAS_SOFFICE, needs_soffice
from .fill import Filler, fill_clean
from .libreoffice import soffice_convert

TODAY = date(2023, 3, 10)


@pytest.fixture(scope="module")
def returns(tmp_path_factory, plan001, units):
    """A clean return, one with a wrong status and one with an empty required status."""
    out = tmp_path_factory.mktemp("ann")
    [template] = generate(plan001, units[:1], out / "t", period_id="q1-2023", workers=1)
    clean = fill_clean(Filler(template)).save(out / "sach.xlsx")
    shutil.copy(clean, out / "sai.xlsx")
    wrong = Filler(out / "sai.xlsx")
    wrong_cell = wrong.set("report_tasks", "task:1.1", "status", "Xong")
    wrong.save()
    shutil.copy(clean, out / "trong.xlsx")
    empty = Filler(out / "trong.xlsx")
    empty_cell = empty.set("report_tasks", "task:1.2", "status", None)
    empty.save()
    return {"clean": clean, "wrong": out / "sai.xlsx", "empty": out / "trong.xlsx",
            "wrong_cell": wrong_cell, "empty_cell": empty_cell}


def _marked(path, sheet, cell):
    wb = load_workbook(path)
    assert wb.sheetnames[0] == RESULT_SHEET
    c = wb[sheet][cell]
    rules = [r for rng in wb[sheet].conditional_formatting for r in rng.rules
             if cell in rng.sqref]
    first = min(rules, key=lambda r: r.priority)
    assert first is rules[0]  # first by priority (Excel) and in the file (LibreOffice)
    return c, first


def test_only_files_with_findings_get_a_copy(returns, tmp_path):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    report = validate([returns["clean"], returns["wrong"], broken], today=TODAY, workers=1)
    written, failed = write_all(report.files, tmp_path)
    assert [p.name for p in written] == ["sai.kiem-tra.xlsx"] and failed == []
    written, _ = write_all(report.files, tmp_path / "all", everything=True)
    assert sorted(p.name for p in written) == ["sach.kiem-tra.xlsx", "sai.kiem-tra.xlsx"]


def test_empty_required_error_is_coloured_as_an_error(returns, tmp_path):
    report = validate([returns["empty"]], today=TODAY, workers=1)
    sheet, cell = returns["empty_cell"]
    assert (sheet, cell, "task_status_required") in report.flat()
    [copy], _ = write_all(report.files, tmp_path)
    c, first = _marked(copy, sheet, cell)
    assert c.fill.fgColor.rgb.endswith(ERROR_FILL)
    # the template highlights blank input cells with a conditional format, which wins over
    # a cell's own fill: the error mark must be the first conditional format, and stop
    assert first.stopIfTrue and first.dxf.fill.bgColor.rgb.endswith(ERROR_FILL)
    assert "Chưa chọn tình trạng" in c.comment.text


def test_cli_prints_the_folder_and_keeps_the_exit_code(returns, tmp_path):
    out = tmp_path / "kiem-tra"
    r = CliRunner().invoke(main, ["validate", str(returns["clean"]), str(returns["wrong"]),
                                  "--annotate", str(out)])
    assert r.exit_code == 1
    assert f"Đã ghi 1 bản sao có đánh dấu (.xlsx) vào thư mục «{out.resolve()}»." in r.stdout
    assert [p.name for p in out.iterdir()] == ["sai.kiem-tra.xlsx"]
    r = CliRunner().invoke(main, ["validate", str(returns["clean"]), "--annotate", str(out),
                                  "--annotate-all", "--format", "json"])
    assert r.exit_code == 0
    assert r.stdout.lstrip().startswith("{")  # the JSON stays parseable
    assert "Đã ghi 1 bản sao" in r.stderr
    r = CliRunner().invoke(main, ["validate", str(returns["clean"]), "--annotate-all"])
    assert r.exit_code == 2 and r.stderr.startswith("Lỗi: --annotate-all cần đi cùng")


@needs_soffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_xls_and_ods_returns_get_an_xlsx_copy_marked_at_the_same_cells(returns, tmp_path,
                                                                        fmt):
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    src = soffice_convert(returns["wrong"], tmp_path / fmt, fmt, tmp_path / "profile")
    report = validate([src], today=TODAY, workers=1)
    sheet, cell = returns["wrong_cell"]
    assert (sheet, cell, "task_status_allowed") in report.flat()
    [copy], failed = write_all(report.files, tmp_path / "out")
    assert failed == [] and copy.name == "sai.kiem-tra.xlsx"
    c, first = _marked(copy, sheet, cell)
    assert c.value == "Xong" and c.fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "Xong" in c.comment.text
    assert load_workbook(copy)["_cchc"].sheet_state == "veryHidden"
    # the copy is itself a return: read back, it gives the same findings
    again = validate([copy], today=TODAY, workers=1)
    assert sorted(again.flat()) == sorted(report.flat())
