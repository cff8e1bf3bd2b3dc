"""The command line as a user meets it: real processes, exit codes, Vietnamese sentences."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import PLAN_001, UNITS_CSV, UNITS_XLSX


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_generate_writes_one_workbook_per_unit(tmp_path):
    out = tmp_path / "out"
    r = run("generate", "--plan", str(PLAN_001), "--units", str(UNITS_XLSX), "--out", str(out),
            "--form", "report_tasks", "--period", "6t-2023")
    assert r.returncode == 0, r.stderr
    assert len(list(out.glob("*.xlsx"))) == 12
    assert "Đã tạo 12 sổ Excel" in r.stdout


def test_forms_and_plan_show():
    r = run("forms")
    assert r.returncode == 0
    for form in ("plan_tasks_grouped", "plan_tasks_column", "plan_indicators", "plan_roadmap",
                 "report_tasks", "report_indicators", "report_tthc"):
        assert form in r.stdout
    r = run("plan", "show", str(PLAN_001))
    assert r.returncode == 0
    assert "q1-2023" in r.stdout and "Nhiệm vụ: 44 trong 7 nhóm" in r.stdout


def _bad_inputs(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nmeta: {issuing_body: A\n", encoding="utf-8")
    dup = tmp_path / "dup.csv"
    dup.write_text("mã,tên,cơ quan chủ quản,địa danh,chức danh,tên người ký\n"
                   "A,Trường A,UBND,X,HT,B\nA,Trường B,UBND,X,HT,C\n", encoding="utf-8")
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("mã,tên\nA,Trường A\n", encoding="utf-8")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    out = str(tmp_path / "out")
    plan = str(PLAN_001)
    units = str(UNITS_CSV)
    return {
        "missing plan": (["--plan", str(tmp_path / "none.yaml"), "--units", units, "--out", out],
                         "Không tìm thấy tệp kế hoạch"),
        "broken yaml": (["--plan", str(broken), "--units", units, "--out", out],
                        "sai cú pháp YAML"),
        "unknown form": (["--plan", plan, "--units", units, "--out", out, "--form", "pl9"],
                         "Không có mẫu biểu «pl9»"),
        "unknown period": (["--plan", plan, "--units", units, "--out", out, "--period", "q5"],
                           "không có kỳ báo cáo «q5»"),
        "duplicate codes": (["--plan", plan, "--units", str(dup), "--out", out],
                            "mã đơn vị «A» trùng"),
        "missing columns": (["--plan", plan, "--units", str(nocols), "--out", out],
                            "thiếu cột"),
        "missing units": (["--plan", plan, "--units", str(tmp_path / "u.csv"), "--out", out],
                          "Không tìm thấy tệp danh sách đơn vị"),
        "unwritable out": (["--plan", plan, "--units", units, "--out", str(a_file / "sub")],
                           "Không tạo được thư mục kết quả"),
    }


CASES = ["missing plan", "broken yaml", "unknown form", "unknown period", "duplicate codes",
         "missing columns", "missing units", "unwritable out"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_one_vietnamese_sentence_and_exit_2(tmp_path, case):
    args, expected = _bad_inputs(tmp_path)[case]
    r = run("generate", *args)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip() and not x.startswith("Đang tạo")]
    assert len(lines) == 1 and lines[0].startswith("Lỗi: ")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_help_does_not_import_pandas():
    code = ("import sys; from cchc_xlsx.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'pandas' not in sys.modules and 'openpyxl' not in sys.modules\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
