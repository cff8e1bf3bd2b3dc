"""No file can take down a batch: bounded reads, stray far cells, isolated readers.

The first test is the reported failure: a real return with one value typed at XFD1048576
made python-calamine ask for hundreds of GB and abort the whole run (exit 134, a Rust
backtrace, nothing said about the other files). It runs the CLI in a subprocess so that a
regression aborts that process, not pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.reading import bounds
from cchc_xlsx.reading.file_guard import MAX_SHEETS, UnusableFile, inspect_workbook
from cchc_xlsx.reading.isolation import Failure, imap_isolated
from cchc_xlsx.reading.reader import MAX_TEXT, read_workbook

from .fill import Filler, fill_clean

TODAY = date(2023, 3, 10)
CLI = [sys.executable, "-m", "cchc_xlsx.cli"]


@pytest.fixture(scope="module")
def returns(tmp_path_factory, plan001, units):
    """Three schools' clean returns, filled as a person would."""
    gen = tmp_path_factory.mktemp("gen")
    out = tmp_path_factory.mktemp("returns")
    paths = generate(plan001, units[:3], gen, period_id="q1-2023", workers=1)
    for i, p in enumerate(paths):
        fill_clean(Filler(p), seed=i).save(out / p.name)
    return sorted(out.iterdir())


def _far(src: Path, dst: Path, cell: str = "XFD1048576", value: str = "x") -> tuple[str, Path]:
    f = Filler(src)
    ws = f.tables["report_tasks"][0]
    ws[cell] = value
    f.save(dst)
    return ws.title, dst


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)


def test_stray_cell_at_xfd1048576_does_not_abort_the_batch(returns, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    for p in returns[1:]:
        shutil.copy(p, inbox / p.name)
    sheet, far = _far(returns[0], inbox / returns[0].name)
    done = _run("validate", str(inbox), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "panicked" not in done.stderr and "backtrace" not in done.stderr.lower()
    for p in returns:
        assert p.name in done.stdout  # every file of the batch is reported
    assert "XFD1048576" in done.stdout and f"«{sheet}»" in done.stdout
    assert "Đã kiểm tra 3 tệp: 3 hợp lệ" in done.stdout


def test_stray_cell_is_a_warning_naming_sheet_and_cell_and_the_table_is_read(returns,
                                                                             tmp_path):
    sheet, far = _far(returns[0], tmp_path / returns[0].name)
    clean = validate([returns[0]], today=TODAY, workers=1).files[0]
    res = validate([far], today=TODAY, workers=1).files[0]
    assert res.usable and res.valid
    strays = [i for i in res.issues if i.rule_id == "file_stray_cell"]
    assert [(i.sheet, i.cell, i.severity) for i in strays] == [(sheet, "XFD1048576", "warning")]
    assert res.forms == clean.forms
    assert [i for i in res.issues if i.rule_id != "file_stray_cell"] == \
        [i for i in clean.issues]


def test_near_cells_are_not_stray(returns, tmp_path):
    """A note typed a few rows under the table is part of the sheet, not a stray cell."""
    _, near = _far(returns[0], tmp_path / "near.xlsx", cell="H120", value="ghi chú")
    assert inspect_workbook(near).far_parts == ()
    res = validate([near], today=TODAY, workers=1).files[0]
    assert not [i for i in res.issues if i.rule_id == "file_stray_cell"]


def test_wide_or_deep_real_area_is_refused_in_one_sentence(returns, tmp_path, monkeypatch):
    """A sheet whose cells really fill a huge area (no gap to cut at) is unusable."""
    _, path = _far(returns[0], tmp_path / "dense.xlsx")
    monkeypatch.setattr(bounds, "MAX_SHEET_CELLS", 300)  # the task table alone is ~550 cells
    assert inspect_workbook(path).far_parts
    with pytest.raises(UnusableFile) as caught:
        read_workbook(path, __import__("cchc_xlsx.forms.specs").forms.specs.load_catalog())
    assert str(path) in caught.value.message and "quá lớn" in caught.value.message


def test_cells_without_references_are_placed_as_the_reader_places_them(returns, tmp_path):
    """A cell with no r="…" in a row far down is found by the precise look and dropped."""
    path = tmp_path / "noref.xlsx"
    with zipfile.ZipFile(returns[0]) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c t="inlineStr">'
                                    b"<is><t>x</t></is></c></row></sheetData>")
            out.writestr(info, data)
    assert inspect_workbook(path).far_parts == ("xl/worksheets/sheet1.xml",)
    res = validate([path], today=TODAY, workers=1).files[0]
    assert [i.cell for i in res.issues if i.rule_id == "file_stray_cell"] == ["A1048576"]


def test_too_many_sheets_is_refused_before_reading(returns, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for i in range(MAX_SHEETS + 1):
        wb.create_sheet(f"S{i}")
    path = tmp_path / "nhieu-trang.xlsx"
    wb.save(path)
    res = validate([path, returns[0]], today=TODAY, workers=1)
    assert [f.usable for f in res.files] == [False, True]
    assert res.files[0].issues[0].rule_id == "file_too_many_sheets"
    assert res.exit_code == 2


def test_text_longer_than_excel_allows_is_cut_with_a_warning(returns, tmp_path):
    typed = tmp_path / "typed.xlsx"
    f = Filler(returns[0])
    sheet, cell = f.set("report_tasks", f.keys("report_tasks")[0], "difficulties", "Q" * 99)
    f.save(typed)
    path = tmp_path / "dai.xlsx"  # Excel and openpyxl stop at 32,767; a made-up file need not
    with zipfile.ZipFile(typed) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info).replace(b"Q" * 99, "khó khăn ".encode() * 5000))
    res = validate([path], today=TODAY, workers=1).files[0]
    long = [i for i in res.issues if i.rule_id == "file_text_too_long"]
    assert [(i.sheet, i.cell) for i in long] == [(sheet, cell)]
    book = read_workbook(path, __import__("cchc_xlsx.forms.specs").forms.specs.load_catalog())
    values = [v for t in book.tables.values() for r in t.rows for v in r.values.values()]
    assert max(len(v) for v in values if isinstance(v, str)) == MAX_TEXT


# --- isolation ------------------------------------------------------------------------------


def _job(x: str) -> str:
    if x == "abort":
        os.abort()
    if x == "exit":
        os._exit(3)
    if x == "hang":
        time.sleep(60)
    if x == "hog":
        b = bytearray(4 * 1024 ** 3)  # far beyond the worker's memory limit
        return str(len(b))
    return x.upper()


@pytest.mark.parametrize("workers", [1, 2])
def test_isolated_workers_survive_abort_exit_hang_and_memory(workers):
    jobs = ["a", "abort", "b", "exit", "c", "hang", "d", "hog", "e"]
    started = time.monotonic()
    out = list(imap_isolated(_job, jobs, workers, timeout=3, memory_mb=512))
    assert out == ["A", Failure("crashed"), "B", Failure("crashed"), "C", Failure("timeout"),
                   "D", Failure("crashed"), "E"]
    assert time.monotonic() - started < 30


def test_a_reader_that_dies_marks_only_its_file(returns, tmp_path, monkeypatch):
    """End to end through validate: the worker reading one file is killed mid-read."""
    import cchc_xlsx.checking.validate as v

    victim = tmp_path / "chet.xlsx"
    shutil.copy(returns[0], victim)
    real = v.read_workbook

    def dying(path, catalog):
        if Path(path).name == "chet.xlsx":
            os.abort()
        return real(path, catalog)

    monkeypatch.setattr(v, "read_workbook", dying)  # the forked workers inherit it
    files = [returns[0], victim, returns[1], returns[2]]
    report = validate(files, today=TODAY, workers=2)
    assert [f.usable for f in report.files] == [True, False, True, True]
    assert report.files[1].issues[0].rule_id == "file_read_crashed"
    assert str(victim) in report.files[1].issues[0].message
    assert report.exit_code == 2
