"""validate: each class of mistake, planted at a known cell of a generated workbook filled
as a person would, is reported at that cell with the right rule and severity; a clean
file reports nothing; inputs are never modified."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import pytest

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.model import Unit

from .fill import Filler, fill_clean

TODAY = date(2023, 3, 10)  # after the q1-2023 period (15/12/2022 – 04/03/2023)


@pytest.fixture(scope="module")
def template(tmp_path_factory, plan001, units):
    out = tmp_path_factory.mktemp("template")
    [path] = generate(plan001, units[:1], out, period_id="q1-2023", workers=1)
    return path


@pytest.fixture(scope="module")
def clean(tmp_path_factory, template):
    path = tmp_path_factory.mktemp("clean") / template.name
    fill_clean(Filler(template)).save(path)
    return path


@pytest.fixture
def book(tmp_path, clean):
    """A fresh copy of the clean return to plant one mistake in."""
    path = tmp_path / clean.name
    shutil.copy(clean, path)
    return Filler(path)


def check(path, **kw):
    kw.setdefault("today", TODAY)
    return validate([path], workers=1, **kw)


def test_clean_file_reports_nothing(clean, units):
    report = check(clean, units=units)
    assert report.flat() == []
    assert report.exit_code == 0


def test_template_unfilled_reports_required_cells(template):
    report = check(template)
    rules = {r for _, _, r in report.flat()}
    assert {"task_status_required", "indicator_rate_required", "tthc_counts_required"} <= rules
    assert report.exit_code == 1


PLANTS = [
    # (form, row key, column, value, rule, severity)
    ("report_tasks", "task:1.1", "status", "Xong rồi", "task_status_allowed", "error"),
    ("report_tasks", "task:1.2", "status", None, "task_status_required", "error"),
    ("report_tasks", "task:1.1", "completion_date", date(2023, 5, 2),
     "task_completion_date_in_period", "error"),
    ("report_tasks", "task:1.1", "completion_date", "ngày mai", "task_completion_date_valid",
     "error"),
    ("report_indicators", "ind:2.1", "numerator", 70, "indicator_numerator_le_denominator",
     "error"),
    ("report_indicators", "ind:2.1", "denominator", -4, "indicator_count_whole", "error"),
    ("report_indicators", "ind:2.1", "denominator", 12.5, "indicator_count_whole", "error"),
    ("report_indicators", "ind:1", "numerator", None, "indicator_rate_required", "error"),
    ("report_indicators", "ind:2.3", "met", "Tốt", "indicator_text_met_allowed", "error"),
    ("report_tthc", "tthc:Lĩnh vực Văn bằng, chứng chỉ", "c5", -1, "tthc_counts_whole",
     "error"),
    ("report_tthc", "tthc:Lĩnh vực Văn bằng, chứng chỉ", "c9", None, "tthc_counts_required",
     "error"),
    ("report_tthc", "tthc:Lĩnh vực Văn bằng, chứng chỉ", "c3", 999, "tthc_received_identity",
     "error"),
]


@pytest.mark.parametrize("form, key, column, value, rule, severity", PLANTS,
                         ids=[p[4] + "-" + str(p[3]) for p in PLANTS])
def test_planted_mistake_reported_at_its_cell(book, form, key, column, value, rule, severity):
    if form == "report_indicators" and column == "numerator" and value == 70:
        book.set(form, key, "denominator", 60)
    sheet, cell = book.set(form, key, column, value)
    book.save()
    report = check(book.path)
    assert (sheet, cell, rule) in report.flat()
    issue = next(i for i in report.issues if (i.sheet, i.cell, i.rule_id) == (sheet, cell, rule))
    assert issue.severity == severity
    assert issue.message and "\n" not in issue.message
    assert report.exit_code == 1


def test_done_needs_date_and_evidence(book):
    book.set("report_tasks", "task:2.1", "status", "Đã hoàn thành")
    sheet, date_cell = book.set("report_tasks", "task:2.1", "completion_date", None)
    _, ev_cell = book.set("report_tasks", "task:2.1", "evidence", None)
    book.save()
    flat = check(book.path).flat()
    assert (sheet, date_cell, "task_done_needs_date") in flat
    assert (sheet, ev_cell, "task_done_needs_evidence") in flat


def test_completion_date_in_the_future(book):
    book.set("report_tasks", "task:1.1", "status", "Đã hoàn thành")
    sheet, cell = book.set("report_tasks", "task:1.1", "completion_date", date(2023, 3, 3))
    book.save()
    assert (sheet, cell, "task_completion_date_in_period") in check(
        book.path, today=date(2023, 3, 1)).flat()


def test_task_due_in_period_not_done_needs_a_reason_warning(book):
    # task 3.4 is due "Tháng 02/2023", inside q1-2023
    book.set("report_tasks", "task:3.4", "status", "Đang thực hiện")
    sheet, cell = book.set("report_tasks", "task:3.4", "difficulties", None)
    book.save()
    report = check(book.path)
    assert (sheet, cell, "task_late_needs_reason") in report.flat()
    assert report.exit_code == 0  # a warning alone does not block the submission


def test_tthc_balance_is_only_a_warning(book):
    key = "tthc:Lĩnh vực Thi, tuyển sinh"
    for col, v in (("c4", 5), ("c5", 0), ("c6", 0), ("c8", 1), ("c9", 1), ("c10", 0),
                   ("c12", 0), ("c13", 0)):
        book.set("report_tthc", key, col, v)
    book.save()
    report = check(book.path)
    sheet, cell = book.address("report_tthc", key, "c3")
    assert [(s, c, r) for s, c, r in report.flat()] == [(sheet, cell, "tthc_balance")]
    assert report.exit_code == 0


def test_numbers_and_dates_typed_as_text_are_read(book):
    key = "tthc:Lĩnh vực Thi, tuyển sinh"
    book.set("report_tthc", key, "c4", "1.234")
    book.set("report_tthc", key, "c12", "1.234")
    book.set("report_tasks", "task:1.1", "status", "Đã hoàn thành")
    book.set("report_tasks", "task:1.1", "completion_date", "20/12/2022")
    book.save()
    flat = check(book.path).flat()
    assert not [f for f in flat if f[2] != "tthc_balance"]


def test_ambiguous_text_date_is_reported_not_guessed(book):
    book.set("report_tasks", "task:1.1", "status", "Đã hoàn thành")
    sheet, cell = book.set("report_tasks", "task:1.1", "completion_date", "03/02/2023")
    book.save()
    report = check(book.path)
    assert (sheet, cell, "date_ambiguous") in report.flat()
    issue = next(i for i in report.issues if i.rule_id == "date_ambiguous")
    assert "03 tháng 02 năm 2023" in issue.message


def test_ambiguous_dates_of_one_column_are_one_warning_with_a_count(book):
    """A clerk types every date of a column the same way: one warning at the first says
    how all of them were read, not one per cell."""
    cells = []
    for task, day in (("task:1.1", "03/02/2023"), ("task:1.2", "04/02/2023"),
                      ("task:1.3", "05/02/2023")):
        book.set("report_tasks", task, "status", "Đã hoàn thành")
        cells.append(book.set("report_tasks", task, "completion_date", day))
    book.save()
    report = check(book.path)
    found = [i for i in report.issues if i.rule_id == "date_ambiguous"]
    assert [(i.sheet, i.cell) for i in found] == [cells[0]]
    assert "03 tháng 02 năm 2023" in found[0].message
    assert "cùng cách với 2 ô ngày khác trong cột này" in found[0].message


def test_legacy_tcvn3_text_is_converted_with_a_warning(book):
    sheet, cell = book.set("report_tasks", "task:1.2", "difficulties",
                           "Ch\u00ada cã h\u00adíng dÉn cña Phßng")
    book.set("report_tasks", "task:1.2", "status", "Đang thực hiện")
    book.save()
    report = check(book.path)
    assert (sheet, cell, "text_legacy_encoding") in report.flat()
    issue = next(i for i in report.issues if i.rule_id == "text_legacy_encoding")
    assert "Chưa có hướng dẫn của Phòng" in issue.message


def test_renamed_and_reordered_sheets_are_still_found(book):
    ws = book.tables["report_tasks"][0]
    ws.title = "Báo cáo nhiệm vụ"
    book.wb.move_sheet(ws, offset=-2)
    sheet, cell = book.set("report_tasks", "task:1.1", "status", "Xong")
    book.save()
    assert check(book.path).flat() == [("Báo cáo nhiệm vụ", cell, "task_status_allowed")]


def test_inserted_row_is_flagged_and_other_rows_map_by_key(book):
    ws, keys, _ = book.tables["report_tasks"]
    row = keys["task:1.3"]
    ws.insert_rows(row)
    ws.cell(row, 2).value = "Nhiệm vụ tự thêm"
    ws.cell(row, 5).value = "Đã hoàn thành"
    book.save()
    report = check(book.path)
    assert report.flat() == [(ws.title, f"A{row}", "file_extra_row")]
    assert report.exit_code == 0


def test_deleted_row_is_reported(book):
    ws, keys, _ = book.tables["report_tasks"]
    ws.delete_rows(keys["task:2.2"])
    book.save()
    report = check(book.path)
    assert (ws.title, "", "file_missing_row") in report.flat()
    assert report.exit_code == 1


def test_sorted_rows_map_by_key(book):
    ws, keys, key_col = book.tables["report_tasks"]
    a, b = keys["task:1.1"], keys["task:1.2"]
    for col in range(1, key_col + 1):
        x, y = ws.cell(a, col), ws.cell(b, col)
        x.value, y.value = y.value, x.value
    status = ws.cell(a, book.col("report_tasks", "status"))  # row a now holds task 1.2
    status.value = "Xong"
    book.save()
    report = check(book.path)
    assert report.flat() == [(ws.title, status.coordinate, "task_status_allowed")]
    assert report.issues[0].row_key == "task:1.2"


def test_unit_not_in_list_and_wrong_period(clean):
    others = [Unit(code="X1", name="Trường khác")]
    report = check(clean, units=others)
    assert ("", "", "file_unit_unknown") in report.flat()
    report = check(clean, period_id="6t-2023")
    assert ("", "", "file_period_mismatch") in report.flat()


def test_old_form_version_is_warned(book):
    ws, _, key_col = book.tables["report_tasks"]
    header = next(c for row in ws.iter_rows(min_col=key_col, max_col=key_col) for c in row
                  if isinstance(c.value, str) and c.value.startswith("cchc:"))
    header.value = "cchc:report_tasks:0"
    book.save()
    assert (ws.title, "", "file_form_version") in check(book.path).flat()


def test_file_without_identity_is_read_by_header_text(book):
    for ws in list(book.wb.worksheets):
        if ws.title == "_cchc":
            book.wb.remove(ws)
        else:
            ws.delete_cols(ws.max_column)
    sheet, cell = book.set("report_tasks", "task:1.1", "status", "Xong")
    book.save()
    report = check(book.path)
    flat = report.flat()
    assert ("", "", "file_no_identity") in flat
    assert (sheet, cell, "task_status_allowed") in flat


def test_input_file_is_never_modified(clean, tmp_path):
    digest = hashlib.sha256(clean.read_bytes()).hexdigest()
    mtime = clean.stat().st_mtime_ns
    from cchc_xlsx.checking.annotate import write_annotated

    report = check(clean)
    write_annotated(report.files[0], tmp_path)
    assert hashlib.sha256(clean.read_bytes()).hexdigest() == digest
    assert clean.stat().st_mtime_ns == mtime


def test_batch_goes_on_after_a_bad_file(clean, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    report = validate([clean, bad, tmp_path / "khong-co.xlsx"], workers=1, today=TODAY)
    assert [f.usable for f in report.files] == [True, False, False]
    assert report.files[0].valid
    assert report.exit_code == 2
    assert all(str(f.file) in f.issues[0].message for f in report.files[1:])


def test_json_report_schema(book):
    book.set("report_tasks", "task:1.1", "status", "Xong")
    book.save()
    data = check(book.path).to_dict()
    assert data["schema_version"] == 1
    assert data["summary"] == {"files": 1, "valid": 0, "with_errors": 1, "unusable": 0,
                               "not_returns": 0, "errors": 1, "warnings": 0}
    [f] = data["files"]
    [issue] = f["issues"]
    assert set(issue) == {"rule_id", "severity", "severity_vi", "message", "sheet", "cell",
                          "value", "form_id", "row_key"}
    assert issue["value"] == "Xong" and issue["severity_vi"] == "lỗi"


def test_annotated_copy_marks_cells_and_lists_problems(book, tmp_path):
    from openpyxl import load_workbook

    from cchc_xlsx.checking.annotate import RESULT_SHEET, write_annotated

    sheet, cell = book.set("report_tasks", "task:1.1", "status", "Xong")
    book.save()
    report = check(book.path)
    out = write_annotated(report.files[0], tmp_path / "annotated")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == RESULT_SHEET
    ws = wb[RESULT_SHEET]
    link = next(c for row in ws.iter_rows() for c in row if c.value == cell)
    assert link.hyperlink.location == f"'{sheet}'!{cell}" or cell in str(link.hyperlink.target)
    marked = wb[sheet][cell]
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert "Xong" in marked.comment.text
    assert "_cchc" in wb.sheetnames  # the copy keeps its identity


@pytest.mark.libreoffice
def test_annotated_copy_opens_in_libreoffice(book, tmp_path):
    from cchc_xlsx.checking.annotate import write_annotated

    from .conftest import HAS_SOFFICE
    from .libreoffice import pdf_text, soffice_convert

    if not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    book.set("report_tasks", "task:1.1", "status", "Xong")
    book.save()
    out = write_annotated(check(book.path).files[0], tmp_path / "annotated")
    pdf = soffice_convert(out, tmp_path / "pdf", "pdf", tmp_path / "profile")
    assert "Kết quả kiểm tra tệp" in pdf_text(pdf)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_saved_as_xls_or_ods_gives_the_same_findings(book, tmp_path, fmt):
    from .conftest import HAS_SOFFICE
    from .libreoffice import soffice_convert

    if not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    book.set("report_tasks", "task:1.1", "status", "Xong")
    book.set("report_tthc", "tthc:Lĩnh vực Thi, tuyển sinh", "c5", -3)
    book.save()
    copy = soffice_convert(book.path, tmp_path / fmt, fmt, tmp_path / "profile")
    original = sorted(check(book.path).flat())
    assert original and sorted(check(copy).flat()) == original
