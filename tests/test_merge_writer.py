"""The consolidated workbook: official appendices with exact figures, unit text kept as text.

A hand-built Aggregate over the sample plan 001 (period q1-2023) is written, then read back
with openpyxl (formulas and, with ``data_only``, their cached values) and printed by
LibreOffice.
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import datetime

import pytest
from openpyxl import load_workbook

from cchc_xlsx.forms.form_rows import procedure_records, task_records
from cchc_xlsx.forms.identity import SHEET
from cchc_xlsx.forms.official_layout import row_height, text_lines
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.merging.aggregate import CODE_STATUS, Aggregate, IndicatorAgg, Submission
from cchc_xlsx.merging.merge_writer import (
    SHEET_DIFFICULTIES,
    SHEET_INDICATORS,
    SHEET_LOG,
    SHEET_SUBMISSIONS,
    SHEET_TASK_DETAIL,
    SHEET_TASKS,
    SHEET_TTHC,
    Office,
    normal_case,
    write_consolidated,
)
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_004, needs_soffice
from .libreoffice import pdf_text, soffice_convert

PERIOD = "q1-2023"
OFFICE = Office(superior="ỦY BAN NHÂN DÂN QUẬN 8", name="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8",
                place="Quận 8", signer_title="KT. TRƯỞNG PHÒNG|PHÓ TRƯỞNG PHÒNG",
                signer_name="Nguyễn Văn An", code="PGD-Q8")
GENERATED = datetime(2023, 3, 6, 14, 5)
TRICKY = ['=HYPERLINK("http://x")', "+84 912", "-5 hồ sơ", "@mention"]
LONG = ("Đơn vị chưa nhận được hướng dẫn cụ thể về việc rà soát thủ tục hành chính nội bộ; "
        "đề nghị Phòng tổ chức tập huấn cho cán bộ phụ trách. ") * 5
EXPECTED = ["MN-TT", "MN-HM", "TH-BD", "THCS-LL", "MN-SM"]
SHEETS = [SHEET_SUBMISSIONS, SHEET_TASKS, SHEET_TASK_DETAIL, SHEET_INDICATORS, SHEET_TTHC,
          SHEET_DIFFICULTIES, SHEET_LOG]
TITLES = ["TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ",
          "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
          "CHI TIẾT THEO ĐƠN VỊ",
          "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH",
          "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
          "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA CÁC ĐƠN VỊ"]


def submissions() -> list[Submission]:
    return [
        Submission("MN-TT", "Trường Mầm non Tuổi Thơ", "valid",
                   "MN-TT_truong-mam-non-tuoi-tho.xlsx", "2023-03-04T09:30:00", "db", True,
                   0, 1, replaced=["MN-TT_ban-cu.xlsx"], report_number="15/BC-MNTT"),
        Submission("MN-HM", "Trường Mầm non Họa Mi", "valid", "MN-HM_truong-mam-non-hoa-mi.xlsx",
                   "2023-03-07T16:05:00+07:00", "mtime", False, 0, 0),
        Submission("TH-BD", "Trường Tiểu học Bình Đông", "invalid", "TH-BD.xlsx",
                   "2023-03-05T08:00:00", "db", True, 3, 2, note="Sai tổng số hồ sơ"),
        Submission("THCS-LL", "Trường Trung học cơ sở Lý Thánh Tông"),
        Submission("MN-SM", "Trường Mầm non Sơn Ca"),
        Submission("XX-01", "=1+1", "invalid", "+tệp lạ.xlsx", "2023-03-05T10:00:00", "db",
                   note="Đơn vị không có trong danh sách"),
        Submission("", "", "unusable", "bao-cao.xlsx", note="Tệp bị hỏng, không mở được."),
    ]


def make_aggregate(plan) -> Aggregate:
    subs = {s.unit_code: s for s in submissions()}
    keys = [r["key"] for r in task_records(plan) if r["kind"] == "item"]
    detail = {"MN-TT": "H" * len(keys), "MN-HM": ("HDCK-" * len(keys))[:len(keys)]}
    tasks: dict[str, dict[str, int]] = {}
    for letters in detail.values():
        for key, ch in zip(keys, letters, strict=True):
            if ch in CODE_STATUS:
                counts = tasks.setdefault(key, {})
                counts[CODE_STATUS[ch]] = counts.get(CODE_STATUS[ch], 0) + 1
    tthc_keys = [r["key"] for r in procedure_records(plan, load_catalog().forms["report_tthc"])]
    tt = [10, 6, 4, 0, 9, 2, 6, 1, 1, 1, 0]
    hm = [3, 3, 0, 0, 3, 3, 0, 0, 0, 0, 0]
    return Aggregate(
        plan_id=plan.id, period_id=PERIOD,
        units={"MN-TT": subs["MN-TT"], "MN-HM": subs["MN-HM"]},
        tasks=tasks, task_detail=detail, task_order=keys,
        indicators={
            "ind:1": IndicatorAgg(3, 7, 0, 2, 1, ["Trường Mầm non Họa Mi"]),
            "ind:2.1": IndicatorAgg(45, 46, 0, 2, 1, ["Trường Mầm non Họa Mi"]),
        },
        tthc={tthc_keys[0]: [float(x) for x in tt], tthc_keys[1]: [float(x) for x in hm]},
        tthc_by_unit={"MN-TT": [float(x) for x in tt], "MN-HM": [float(x) for x in hm]},
        difficulties=[("Trường Mầm non Tuổi Thơ", "task:1.2", "Đang chờ hướng dẫn của cấp trên."),
                      *[("Trường Mầm non Họa Mi", "task:2.1", t) for t in TRICKY],
                      ("Trường Mầm non Họa Mi", "ind:2.1", LONG)],
    )


@pytest.fixture(scope="module")
def plan(plan001):
    return plan001


@pytest.fixture(scope="module")
def agg(plan):
    return make_aggregate(plan)


@pytest.fixture(scope="module")
def book(tmp_path_factory, plan, agg):
    out = tmp_path_factory.mktemp("merged") / "tong-hop.xlsx"
    path = write_consolidated(out, plan, plan.period(PERIOD), agg, submissions(), OFFICE,
                              GENERATED, expected=EXPECTED)
    assert path == out
    return path


@pytest.fixture(scope="module")
def wb(book):
    return load_workbook(book)


@pytest.fixture(scope="module")
def values(book):
    return load_workbook(book, data_only=True)  # the cached results xlsxwriter stored


def texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def find_row(ws, col: int, value: str) -> int:
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise AssertionError(f"{value!r} not in column {col} of {ws.title}")


def test_sheets_in_order_then_the_hidden_identity(wb, book):
    assert wb.sheetnames == [*SHEETS, SHEET]
    assert wb[SHEET].sheet_state == "veryHidden"
    assert [p.name for p in book.parent.iterdir()] == [book.name]  # no temp file left


def test_every_sheet_is_an_official_appendix_of_the_office(wb):
    for n, (name, title) in enumerate(zip(SHEETS[:-1], TITLES, strict=True)):
        ws = wb[name]
        found = texts(ws)
        assert ws["A1"].value == "ỦY BAN NHÂN DÂN QUẬN 8"
        assert ws["A2"].value == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
        assert f"Phụ lục {['I', 'II', 'III', 'IV', 'V', 'VI'][n]}" in found
        assert any(title in t for t in found), name
        assert ("(Kèm theo Báo cáo số      /BC-…… ngày     tháng     năm 2023 của "
                "Phòng Giáo dục và Đào tạo Quận 8)") in found
        assert ("Kỳ báo cáo: Quý I năm 2023 (số liệu từ ngày 15/12/2022 đến ngày "
                "04/03/2023)") in found
        assert {"Nơi nhận:", "- Lưu: VT.", "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
                "Nguyễn Văn An"} <= set(found)
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        # the detail prints several tables, each under its own header: none is repeated
        assert (ws.print_title_rows or name == SHEET_TASK_DETAIL) and ws.freeze_panes
        assert ws.page_setup.scale in (None, 100) and not ws.sheet_properties.pageSetUpPr.fitToPage


def test_totals_name_the_missing_and_the_invalid(wb):
    found = texts(wb[SHEET_SUBMISSIONS])
    assert "Đã nộp: 3/5 đơn vị; đúng hạn: 2; quá hạn: 1 (hạn nộp: ngày 05/03/2023)." in found
    assert ("Chưa nộp: 2 (Trường Trung học cơ sở Lý Thánh Tông, Trường Mầm non Sơn Ca)."
            in found)
    assert any(t.startswith("Không hợp lệ") and t.endswith(": 1 (Trường Tiểu học Bình Đông).")
               for t in found)
    assert any(t.startswith("Tệp không thuộc danh sách") and "+tệp lạ.xlsx, bao-cao.xlsx" in t
               for t in found)
    assert any(t.startswith("Số đơn vị có số liệu được tổng hợp: 2.") for t in found)


def test_submission_table(wb):
    """The printed appendix: one short row per unit; no file, time source or error count."""
    ws = wb[SHEET_SUBMISSIONS]
    head = find_row(ws, 1, "STT")
    assert [c.value for c in ws[head]][:8] == [
        "STT", "Mã đơn vị", "Tên đơn vị", "Số báo cáo", "Ngày nhận", "Đúng hạn", "Tình trạng",
        "Ghi chú"]
    rows = [[c.value for c in ws[head + k]][:8] for k in range(1, 8)]
    assert [r[3] for r in rows[:2]] == ["15/BC-MNTT", None]  # the unit's own number
    assert [r[6] for r in rows] == ["Đã nộp, hợp lệ", "Đã nộp, hợp lệ", "Đã nộp, có lỗi",
                                    "Chưa nộp", "Chưa nộp", "Đã nộp, có lỗi", "Không đọc được"]
    assert rows[0][4] == datetime(2023, 3, 4, 9, 30)
    assert ws.cell(head + 1, 5).number_format == "dd/mm/yyyy"
    assert [r[5] for r in rows[:4]] == ["Đúng hạn", "Quá hạn", "Đúng hạn", None]
    assert rows[0][7] == "thay thế 1 tệp nộp trước"
    assert rows[5][2] == "=1+1" and ws.cell(head + 6, 3).data_type == "s"
    assert rows[5][7] == "Đơn vị không có trong danh sách"
    printed = " ".join(texts(ws))
    assert ".xlsx" not in printed.replace("+tệp lạ.xlsx, bao-cao.xlsx", "")
    assert "Tổng hợp lúc" not in printed and "Nguồn thời điểm" not in printed


def test_log_sheet_keeps_files_sources_and_counts(wb):
    ws = wb[SHEET_LOG]
    assert ws.sheet_state == "hidden"
    assert ws.cell(1, 1).value.startswith("Tổng hợp lúc 14:05 ngày 06/03/2023")
    head = find_row(ws, 1, "STT")
    assert [c.value for c in ws[head]][:12] == [
        "STT", "Mã đơn vị", "Tên đơn vị", "Số báo cáo", "Tình trạng", "Thời điểm nhận",
        "Nguồn thời điểm", "Đúng hạn", "Số lỗi", "Số cảnh báo", "Tệp", "Ghi chú"]
    rows = [[c.value for c in ws[head + k]][:12] for k in range(1, 8)]
    rows = [r[:3] + r[4:] for r in rows]  # the columns as they were before "Số báo cáo"
    assert rows[0][4] == datetime(2023, 3, 4, 9, 30)
    assert rows[1][4] == datetime(2023, 3, 7, 16, 5)  # wall-clock time, zone dropped
    assert [r[5] for r in rows[:2]] == ["theo lần ghi nhận đầu tiên", "theo thời gian sửa tệp"]
    assert rows[2][7:9] == [3, 2] and rows[3][7] is None
    assert rows[0][10] == "thay thế: MN-TT_ban-cu.xlsx"
    assert rows[5][9] == "+tệp lạ.xlsx" and rows[5][10] == "Đơn vị không có trong danh sách"


def test_task_counts_and_completion_rate_formula(wb, values):
    ws, cached = wb[SHEET_TASKS], values[SHEET_TASKS]
    head = find_row(ws, 1, "STT")
    assert [c.value for c in ws[head]][3:9] == [
        "Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Không phát sinh",
        "Số đơn vị báo cáo", "Tỷ lệ hoàn thành"]
    group = find_row(ws, 1, "1")
    assert ws.cell(group, 2).value == "Công tác chỉ đạo, điều hành về CCHC"
    assert ws.cell(group, 2).font.b
    r = find_row(ws, 1, "1.2")  # MN-TT: H, MN-HM: D
    assert [ws.cell(r, c).value for c in range(4, 8)] == [1, 1, 0, 0]
    assert ws.cell(r, 8).value == f"=SUM(D{r}:G{r})"
    assert ws.cell(r, 9).value == f'=IF(H{r}-G{r}>0,D{r}/(H{r}-G{r}),"")'
    assert ws.cell(r, 9).number_format == "[$-42A]0.00%"  # one ratio format, vi-VN
    assert cached.cell(r, 8).value == 2
    assert cached.cell(r, 9).value == pytest.approx(0.5)
    r = find_row(ws, 1, "1.4")  # MN-TT: H, MN-HM: K (not applicable: out of the rate)
    assert [ws.cell(r, c).value for c in range(4, 8)] == [1, 0, 0, 1]
    assert cached.cell(r, 9).value == pytest.approx(1.0)


def test_task_detail_grid(wb, plan):
    ws = wb[SHEET_TASK_DETAIL]
    head = find_row(ws, 2, "Mã đơn vị")
    labels = [ws.cell(head + 1, 4 + j).value for j in range(3)]
    assert labels == ["1.1", "1.2", "1.3"]
    hm = find_row(ws, 2, "MN-HM")
    assert ws.cell(hm, 3).value == "Trường Mầm non Họa Mi"
    assert [ws.cell(hm, 4 + j).value for j in range(5)] == ["H", "D", "C", "K", None]
    assert ws.cell(hm, 4).fill.fgColor.rgb.endswith("C6EFCE")
    assert ws.cell(hm, 6).fill.fgColor.rgb.endswith("FFC7CE")
    assert any(t.startswith("Ký hiệu: H - Đã hoàn thành") for t in texts(ws))
    assert ws.freeze_panes == f"D{head + 2}"


def test_indicator_sums_and_rate_formula(wb, values):
    ws, cached = wb[SHEET_INDICATORS], values[SHEET_INDICATORS]
    r = find_row(ws, 1, "2.1")
    assert ws.cell(r, 3).value == "từ 98% trở lên"
    assert (ws.cell(r, 4).value, ws.cell(r, 5).value) == (45, 46)
    assert ws.cell(r, 6).value == f'=IF(E{r}>0,D{r}/E{r},"")'
    assert ws.cell(r, 6).number_format == "[$-42A]0.00%"
    assert cached.cell(r, 6).value == pytest.approx(45 / 46)
    assert (ws.cell(r, 7).value, ws.cell(r, 8).value) == (2, 1)
    assert ws.cell(r, 9).value == "Trường Mầm non Họa Mi"
    group = find_row(ws, 1, "2")
    assert ws.cell(group, 2).value == "Về giải quyết hồ sơ thủ tục hành chính (TTHC)"
    assert ws.cell(group, 2).font.b


def test_tthc_sums_total_row_and_units(wb, values):
    ws, cached = wb[SHEET_TTHC], values[SHEET_TTHC]
    found = texts(ws)
    assert {"Số hồ sơ nhận giải quyết", "Trực tuyến", "(13)"} <= set(found)
    r = find_row(ws, 2, "Lĩnh vực Văn bằng, chứng chỉ")
    assert [ws.cell(r, c).value for c in range(3, 14)] == [3, 3, 0, 0, 3, 3, 0, 0, 0, 0, 0]
    total = find_row(ws, 2, "Tổng cộng")
    first = find_row(ws, 1, "1")
    assert ws.cell(total, 3).value == f"=SUM(C{first}:C{total - 1})"
    assert cached.cell(total, 3).value == 13 and cached.cell(total, 9).value == 6
    block = find_row(ws, 1, "Chi tiết theo đơn vị")
    assert block > total
    hm = find_row(ws, 2, "Trường Mầm non Họa Mi")
    assert hm > block and ws.cell(hm, 3).value == 3


def test_difficulties_listing(wb, plan, agg):
    """One row per distinct content, the units named with the task/indicator numbers."""
    ws = wb[SHEET_DIFFICULTIES]
    head = find_row(ws, 1, "STT")
    assert [c.value for c in ws[head + 1]][:4] == ["(1)", "(2)", "(3)", "(4)"]
    rows = []
    for r in range(head + 2, ws.max_row + 1):
        if not isinstance(ws.cell(r, 1).value, int):
            break
        rows.append([c.value for c in ws[r]][:4])
    said = {" ".join(t.split()).casefold().rstrip(". ") for _, _, t in agg.difficulties}
    assert len(rows) == len(said)
    assert rows[0][:2] == [1, "Đang chờ hướng dẫn của cấp trên."]
    assert rows[0][2].startswith("Trường Mầm non Tuổi Thơ (1.2")
    assert rows[0][3] == rows[0][2].count(";") + 1
    assert any("chỉ tiêu 2.1" in r[2] for r in rows)


def test_unit_text_is_stored_as_text_never_a_formula(wb, book):
    ws = wb[SHEET_DIFFICULTIES]
    for text in TRICKY:
        r = find_row(ws, 2, text)
        assert ws.cell(r, 2).data_type == "s", text
    for name in wb.sheetnames:
        for row in wb[name].iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert "HYPERLINK" not in c.value and "1+1" not in c.value
    assert not wb[SHEET_DIFFICULTIES]._hyperlinks


def test_row_heights_show_wrapped_text(wb):
    ws = wb[SHEET_DIFFICULTIES]
    r = find_row(ws, 2, LONG)
    width = ws.column_dimensions["B"].width - 5 / 7  # as set, before xlsxwriter's padding
    assert ws.row_dimensions[r].height >= row_height(text_lines(LONG, width)) - 1
    ws = wb[SHEET_TASKS]
    r = find_row(ws, 1, "3.4")  # a long task text
    content = ws.cell(r, 2).value
    width = ws.column_dimensions["B"].width - 5 / 7  # balanced by the text, as set
    assert ws.row_dimensions[r].height >= row_height(text_lines(content, width)) - 1


def test_the_repeated_task_header_is_no_taller_than_its_status_headers(wb):
    """"Số đơn vị báo cáo" gets the width to print in as many lines as "Đã hoàn thành":
    the header row prints on every page, a line taller it would cost every page a line."""
    ws = wb[SHEET_TASKS]
    r = find_row(ws, 1, "STT")
    def width(col: int) -> float:  # openpyxl keeps equal neighbours as one range
        dim = next(d for d in ws.column_dimensions.values() if d.min <= col <= d.max)
        return dim.width - 5 / 7

    lines = {c: text_lines(ws.cell(r, c).value, width(c), bold=True) for c in range(4, 9)}
    assert lines[8] <= max(lines[c] for c in range(4, 8))
    assert ws.row_dimensions[r].height <= row_height(max(lines.values())) + 1


def test_identity_is_a_consolidation_whose_aggregate_round_trips(wb, agg):
    rows = list(wb[SHEET].iter_rows(values_only=True))
    ident = {r[0]: r[1] for r in rows if r[0] not in ("aggregate", "sheet")}
    assert ident["kind"] == "consolidation"
    assert ident["unit_code"] == "PGD-Q8"
    assert ident["unit_name"] == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
    assert (ident["plan_id"], ident["period_id"]) == ("mntt-q8-2023", PERIOD)
    assert ident["period_due"] == "2023-03-05"
    chunks = sorted((r[1], r[2]) for r in rows if r[0] == "aggregate")
    back = Aggregate.from_json("".join(text for _, text in chunks))
    assert back.figures() == agg.figures()


@pytest.mark.parametrize("name, expected", [
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8", "Phòng Giáo dục và Đào tạo Quận 8"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG", "Sở Giáo dục và Đào tạo tỉnh Sóc Trăng"),
    ("UỶ BAN NHÂN DÂN HUYỆN GIA LÂM", "Ủy ban nhân dân huyện Gia Lâm"),
    ("PHÒNG GDĐT QUẬN 11", "Phòng GDĐT Quận 11"),
    ("TRƯỜNG THCS LÝ THÁNH TÔNG", "Trường THCS Lý Thánh Tông"),
    ("Phòng GD&ĐT", "Phòng GD&ĐT"),  # already in normal case
    ("CÔNG TY ABC", "CÔNG TY ABC"),  # unknown kind of body: kept as given
])
def test_normal_case(name, expected):
    assert normal_case(name) == expected


def test_plan_with_multi_product_tasks(tmp_path):
    plan = load_plan(PLAN_004)
    period = plan.schedule[0]
    records = [r for r in task_records(plan) if r["kind"] == "item"]
    keys = [r["key"] for r in records]
    agg = Aggregate(plan.id, period.id, units={"A": Submission("A", "Trường A", "valid")},
                    tasks={k: {"Đã hoàn thành": 1} for k in keys},
                    task_detail={"A": "H" * len(keys)}, task_order=keys)
    path = write_consolidated(tmp_path / "th.xlsx", plan, period, agg,
                              [Submission("A", "Trường A", "valid")], OFFICE, GENERATED)
    wb = load_workbook(path)
    names = wb.sheetnames
    assert names[0] == SHEET_SUBMISSIONS and names[-2:] == [SHEET_LOG, SHEET]
    ws = wb[SHEET_TASKS]
    three = find_row(ws, 1, "3")
    # task 3 has three product rows: number and content merged down them, counts per row
    assert any(str(m) == f"A{three}:A{three + 2}" for m in ws.merged_cells.ranges)
    assert [ws.cell(three + k, 4).value for k in range(3)] == [1, 1, 1]
    labels = [a for n in names[:-1] for a in texts(wb[n]) if re.fullmatch(r"Phụ lục [IVX]+", a)]
    assert labels == [f"Phụ lục {x}" for x in ["I", "II", "III", "IV", "V", "VI"][:len(labels)]]


def test_two_thousand_units(tmp_path, plan):
    """2,000 units × 40 tasks: the detail grid alone is 80,000 cells."""
    keys = [r["key"] for r in task_records(plan) if r["kind"] == "item"][:40]
    subs, detail, letters = [], {}, "HDCK-"
    for i in range(2000):
        code = f"U{i:04d}"
        s = Submission(code, f"Trường Tiểu học số {i} phường {i % 16}", "valid",
                       f"{code}.xlsx", "2023-03-04T09:30:00", "db", True)
        subs.append(s)
        detail[code] = "".join(letters[(i + j) % 5] for j in range(40))
    tasks = {k: {"Đã hoàn thành": 400, "Đang thực hiện": 400, "Chưa thực hiện": 400,
                 "Không phát sinh": 400} for k in keys}
    agg = Aggregate(plan.id, PERIOD, units={s.unit_code: s for s in subs}, tasks=tasks,
                    task_detail=detail, task_order=keys,
                    indicators={"ind:2.1": IndicatorAgg(
                        9000, 9500, 0, 2000, 1500, [s.unit_name for s in subs[:500]])},
                    tthc_by_unit={s.unit_code: [1.0] * 11 for s in subs},
                    difficulties=[(s.unit_name, "task:1.1", "Thiếu kinh phí.") for s in subs])
    start = time.perf_counter()
    path = write_consolidated(tmp_path / "lon.xlsx", plan, plan.period(PERIOD), agg, subs,
                              OFFICE, GENERATED)
    elapsed = time.perf_counter() - start
    print(f"\n2,000-unit consolidated workbook written in {elapsed:.2f} s "
          f"({path.stat().st_size / 1e6:.1f} MB)")
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == [*SHEETS, SHEET]
    assert elapsed < 120  # generous: only catches a pathological slowdown


@needs_soffice
@pytest.mark.libreoffice
def test_libreoffice_prints_the_appendices(book, tmp_path):
    pdf = soffice_convert(book, tmp_path / "pdf", "pdf", tmp_path / "profile")
    # pdftotext splits words at accented letters ("QU ẬN"): compare without any spaces
    pages = [squash(unicodedata.normalize("NFC", p)) for p in pdf_text(pdf).split("\f")]
    pages = [p for p in pages if p]
    text = "".join(pages)
    assert squash("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8") in text
    for title in TITLES:
        assert squash(title) in text, title
    for unit_text in ("Trường Trung học cơ sở Lý Thánh Tông", *TRICKY):
        assert squash(unit_text) in text, unit_text
    firsts = [p for p in pages if "Phụlục" in p]
    assert [re.search(r"Phụlục([IVX]+)", p).group(1) for p in firsts] == [
        "I", "II", "III", "IV", "V", "VI"]
    # an appendix's first page starts with the header, later pages with their number
    assert all(p.startswith("ỦYBANNHÂNDÂN") for p in firsts)
    assert any(p.startswith("2") for p in pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name, title", [
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8", "TRƯỞNG PHÒNG"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG", "GIÁM ĐỐC"),
    ("TRƯỜNG MẦM NON TUỔI THƠ", "HIỆU TRƯỞNG"),
])
def test_every_appendix_is_signable_without_a_profile(tmp_path, name, title):
    """Without an office profile the title comes from the kind of office, the name line is
    left to write, and Nơi nhận names the superior in normal case before the archive."""
    plan = load_plan(PLAN_004)
    period = plan.schedule[0]
    agg = Aggregate(plan.id, period.id, units={"A": Submission("A", "Trường A", "valid")})
    office = Office(superior="ỦY BAN NHÂN DÂN QUẬN 8", name=name)
    path = write_consolidated(tmp_path / "th.xlsx", plan, period, agg,
                              [Submission("A", "Trường A", "valid")], office, GENERATED)
    wb = load_workbook(path)
    printed = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(printed) >= 3
    for ws in printed:
        found = texts(ws)
        at = found.index("Nơi nhận:")
        assert found[at + 1:at + 4] == [title, "- Ủy ban nhân dân Quận 8;", "- Lưu: VT."], (
            ws.title)


def test_the_same_difficulty_from_several_units_is_one_row(plan):
    from cchc_xlsx.merging.writers.difficulties import group_difficulties

    units = {"A": Submission("A", "Trường A", "valid"), "B": Submission("B", "Trường B", "valid")}
    same = "Đang chờ hướng dẫn của cấp trên."
    agg = Aggregate(plan.id, PERIOD, units=units, difficulties=[
        ("A", "task:1.2", same), ("A", "task:1.3", same), ("B", "task:1.2", " đang chờ  "
                                                           "hướng dẫn của cấp trên"),
        ("B", "ind:2.1", "Thiếu máy tính.")])
    assert group_difficulties(plan, agg) == [
        (same, ["Trường A (1.2, 1.3)", "Trường B (1.2)"]),
        ("Thiếu máy tính.", ["Trường B (chỉ tiêu 2.1)"])]


def test_a_difficulty_cut_by_a_page_break_prints_again_on_the_next_page(plan, tmp_path):
    """Audit of the Quận 8 consolidation: one difficulty named by many units goes on over
    several rows; where a page breaks between them, the next page's first row must say
    what it belongs to (number, content, count), not start with blank cells."""
    said = "Đang chờ hướng dẫn của cấp trên."
    keys = [r["key"] for r in task_records(plan) if r["kind"] == "item"]
    units = {f"U{i:02d}": Submission(f"U{i:02d}", f"Trường Tiểu học số {i} phường {i % 16}",
                                     "valid") for i in range(40)}
    agg = Aggregate(plan.id, PERIOD, units=units, difficulties=[
        (code, key, said) for code in units for key in keys[:12]])
    path = write_consolidated(tmp_path / "th.xlsx", plan, plan.period(PERIOD), agg,
                              list(units.values()), OFFICE, GENERATED)
    ws = load_workbook(path)[SHEET_DIFFICULTIES]
    first = find_row(ws, 1, "(1)") + 1
    last = max(r for r in range(first, ws.max_row + 1) if ws.cell(r, 3).value)
    assert last > first  # the units' list goes on over several rows
    breaks = [b.id + 1 for b in ws.row_breaks.brk if first < b.id + 1 <= last]
    assert breaks  # taller than a page: a break falls among the difficulty's rows
    for row in breaks:
        assert [ws.cell(row, c).value for c in (1, 2, 4)] == [1, said, 40], row
    merged = {str(m) for m in ws.merged_cells.ranges}
    for row in range(first, last + 1):  # every row belongs to a numbered block
        top = max([first, *(b for b in breaks if b <= row)])
        assert ws.cell(row, 2).value == said or f"B{top}:B{row}" in merged or any(
            m.startswith(f"B{top}:") for m in merged), row


def test_a_refused_files_printed_note_says_only_why(plan, tmp_path):
    """Issue 14 point 5: the printed Ghi chú is a short note (why the file was refused),
    without the file's name or the advice to the unit; the log sheet keeps the message."""
    message = ("Tệp «hop-thu/TH-BD_truong-tieu-hoc-binh-dong.xlsx» là tệp CSV/văn bản đổi "
               "đuôi thành .xlsx, không phải bảng tính Excel; hãy mở bằng Excel và lưu dạng "
               "Sổ làm việc Excel (.xlsx) rồi gửi lại.")
    subs = [Submission("A", "Trường A", "valid"),
            Submission("TH-BD", "Trường Tiểu học Bình Đông", "unusable",
                       "hop-thu/TH-BD_truong-tieu-hoc-binh-dong.xlsx", note=message)]
    agg = Aggregate(plan.id, PERIOD, units={"A": subs[0]})
    path = write_consolidated(tmp_path / "th.xlsx", plan, plan.period(PERIOD), agg, subs,
                              OFFICE, GENERATED)
    wb = load_workbook(path)
    ws = wb[SHEET_SUBMISSIONS]
    row = find_row(ws, 2, "TH-BD")
    assert ws.cell(row, 8).value == ("Là tệp CSV/văn bản đổi đuôi thành .xlsx, không phải "
                                     "bảng tính Excel.")
    log = wb[SHEET_LOG]
    assert message in [log.cell(find_row(log, 2, "TH-BD"), c).value for c in (12, 13)]
