"""The command line speaks Vietnamese everywhere: usage errors, missing options, OS errors
and unknown periods are one Vietnamese sentence with exit code 2 and no traceback; --help
has Vietnamese headings; merge's summary lines agree with each other."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cchc_xlsx.cli import main
from cchc_xlsx.forms.generate import generate

from .conftest import PLAN_001, SAMPLES, UNITS_CSV
from .fill import Filler, fill_clean

RETURNS = SAMPLES / "returns"
ENGLISH = re.compile(r"\b(Error|Usage|Options|Commands|Missing|No such|Try|Invalid|required|"
                     r"Traceback|Show this|directory|permission|denied|argument)\b",
                     re.IGNORECASE)


def english(text: str) -> re.Match | None:
    return ENGLISH.search(re.sub(r"--[a-z-]+", "", text))  # option names are not prose


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def one_sentence(result) -> str:
    """The single Vietnamese error line, after checking exit code 2 and no English."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("Lỗi: ")]
    assert len(lines) == 1, result.stderr
    assert not english(lines[0]), lines[0]
    assert lines[0].rstrip().endswith("."), lines[0]
    return lines[0]


@pytest.mark.parametrize("args, words", [
    (("merge", "x"), ["--plan", "Thiếu tùy chọn bắt buộc", "cchc-xlsx merge --help"]),
    (("validate",), ["PATH…", "cchc-xlsx validate --help"]),
    (("validate", "--perod", "q1-2023", "x"), ["«--perod»", "«--period»"]),
    (("validate", "--format", "xml", "x"), ["--format", "text, json"]),
    (("validate", "x", "--period"), ["--period", "cần một giá trị"]),
    (("valdate", "x"), ["«valdate»", "«validate»"]),
    (("plan", "show"), ["PLAN"]),
    (("forms", "thừa"), ["«thừa»"]),
])
def test_usage_errors_are_one_vietnamese_sentence(args, words):
    line = one_sentence(invoke(*args))
    for w in words:
        assert w in line


def test_usage_error_from_a_real_process_has_no_english():
    r = subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", "merge", "x"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("Lỗi: ")
    assert not english(r.stderr)


def test_help_is_vietnamese():
    top = invoke("--help")
    assert top.exit_code == 0
    assert top.output.startswith("Cách dùng: cchc-xlsx [TÙY CHỌN] LỆNH")
    assert "Tùy chọn:" in top.output and "Lệnh:" in top.output
    assert "Xem hướng dẫn này rồi thoát." in top.output
    sub = invoke("merge", "--help")
    assert "[bắt buộc]" in sub.output and "Tùy chọn:" in sub.output
    for r in (top, sub, invoke("plan")):
        assert not english(r.output), r.output
    assert invoke("plan").exit_code == 0  # the bare group shows its help


def test_os_errors_are_one_sentence(tmp_path):
    blocker = tmp_path / "tep-thuong"
    blocker.write_text("x")
    line = one_sentence(invoke("validate", str(RETURNS / "MN-TT_truong-mam-non-tuoi-tho.xlsx"),
                               "--annotate", str(blocker / "kiem-tra")))
    assert "tep-thuong" in line
    line = one_sentence(invoke("merge", str(RETURNS), "--plan", str(PLAN_001), "--units",
                               str(UNITS_CSV), "--period", "q1-2023", "--out",
                               str(blocker / "khong-co" / "th.xlsx")))
    # a missing folder is created (issue 17); one that cannot be is one sentence
    assert "th.xlsx" in line and "tep-thuong" in line and ".tmp" not in line
    line = one_sentence(invoke("generate", "--plan", str(PLAN_001), "--out",
                               str(blocker / "ra")))
    assert "không phải là thư mục" in line or "tep-thuong" in line


@pytest.fixture(scope="module")
def new_return(tmp_path_factory, plan001, units):
    out = tmp_path_factory.mktemp("ret")
    [template] = generate(plan001, units[:1], out / "t", period_id="q1-2023", workers=1)
    return fill_clean(Filler(template)).save(out / "r.xlsx")


def test_unknown_period_is_a_usage_error_listing_the_plan_periods(new_return):
    line = one_sentence(invoke("validate", str(new_return), "--period", "q9-2025"))
    assert "«q9-2025»" in line and "q1-2023, 6t-2023, q3-2023, nam-2023" in line
    # a real period of the plan that the file is not for stays a finding about the file
    other = invoke("validate", str(new_return), "--period", "6t-2023")
    assert other.exit_code == 1 and "file_period_mismatch" in other.output


def test_unknown_period_with_plan_is_refused_before_reading(tmp_path):
    missing = tmp_path / "khong-co.xlsx"
    line = one_sentence(invoke("validate", str(missing), "--plan", str(PLAN_001),
                               "--period", "q9-2025"))
    assert "q1-2023" in line


def test_unknown_period_of_old_files_names_their_periods():
    # the sample returns predate the plan's period list in the identity
    line = one_sentence(invoke("validate", str(RETURNS), "--period", "q9-2025"))
    assert "«q9-2025»" in line and "q1-2023" in line and "--plan" in line


def test_merge_and_generate_refuse_an_unknown_period(tmp_path):
    for args in (("merge", str(RETURNS), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
                  "--out", str(tmp_path / "th.xlsx")),
                 ("generate", "--plan", str(PLAN_001), "--out", str(tmp_path / "ra"))):
        line = one_sentence(invoke(*args, "--period", "q9-2025"))
        assert "q9-2025" in line and "q1-2023" in line
    assert not (tmp_path / "th.xlsx").exists()


def _status_lines(path):
    ws = load_workbook(path)["Tình hình nộp"]
    return [str(c) for row in ws.iter_rows(max_row=20, values_only=True) for c in row
            if isinstance(c, str) and ":" in c]


@pytest.mark.parametrize("include", [False, True])
def test_merge_summary_lines_never_contradict(tmp_path, include):
    out = tmp_path / "th.xlsx"
    r = invoke("merge", str(RETURNS), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
               "--period", "q1-2023", "--out", str(out),
               *(["--include-invalid"] if include else []))
    assert r.exit_code == 1  # a unit is missing and some files have errors
    summary = " ".join(r.stdout.splitlines()[:2])
    m = re.search(r"Đã nộp: (\d+)/12.*không hợp lệ: (\d+)(?: \((\d+) trong số đó.*\))?; "
                  r"chưa nộp: (\d+)\. Số đơn vị có số liệu được tổng hợp: (\d+)[.;]", summary)
    assert m, summary
    sent, bad, counted_bad, missing, counted = (int(g or 0) for g in m.groups())
    assert sent + missing == 12
    assert counted == sent - bad + counted_bad  # every sent file is counted or not, once
    assert (counted_bad > 0) == include
    lines = _status_lines(out)
    not_counted = next(ln for ln in lines if ln.startswith("Không hợp lệ"))
    total = next(ln for ln in lines if ln.startswith("Số đơn vị có số liệu được tổng hợp"))
    n_not = int(re.search(r": (\d+)", not_counted).group(1))
    n_total = int(re.search(r": (\d+)", total).group(1))
    assert n_total == counted and n_not == bad - counted_bad
    assert n_total + n_not == sent
    assert any(ln.startswith("Có lỗi nhưng vẫn được tổng hợp") for ln in lines) == include


def test_permission_denied_is_vietnamese(tmp_path, monkeypatch):
    """Root ignores file modes, so the refusal is simulated where the OS would raise it."""
    import errno

    from cchc_xlsx.errors import os_error_message

    exc = PermissionError(errno.EACCES, "Permission denied", "/srv/hop-thu/a.xlsx")
    assert os_error_message(exc) == ("Không truy cập được «/srv/hop-thu/a.xlsx»: không có "
                                     "quyền truy cập.")
    import cchc_xlsx.plans.plan_loader as loader

    def denied(*_a, **_k):
        raise exc

    monkeypatch.setattr(loader, "load_plan", denied)
    line = one_sentence(invoke("plan", "show", str(PLAN_001)))
    assert "không có quyền truy cập" in line
