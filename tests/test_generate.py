"""Generated workbooks: official layout, Excel-native help, identity, atomic writes.

Read back with openpyxl, and for the page setup with the raw XML, as XlsxWriter's own
tests compare against real files.
"""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.generate import generate, workbook_name
from cchc_xlsx.forms.identity import SHEET, parse_key_header
from cchc_xlsx.forms.official_layout import row_height, text_lines

from .conftest import PLAN_004


@pytest.fixture(scope="module")
def wb(one_book):
    return load_workbook(one_book)


@pytest.fixture(scope="module")
def issuer_wb(tmp_path_factory, plan001):
    [path] = generate(plan001, None, tmp_path_factory.mktemp("issuer"))
    return load_workbook(path)


def table(ws):
    """(key header row, {row key: row number}) from the hidden key column."""
    key_col = ws.max_column
    keys = {}
    header = None
    for r in range(1, ws.max_row + 1):
        v = ws.cell(r, key_col).value
        if parse_key_header(v):
            header = r
        elif header and isinstance(v, str) and v != "total":
            keys[v] = r
    return header, keys


def test_one_workbook_per_unit_named_by_code_slug_period_and_plan(unit_books, units):
    assert [p.name for p in unit_books] == [
        workbook_name(u, "mntt-q8-2023", "q1-2023") for u in units]
    assert unit_books[0].name == "MN-TT_truong-mam-non-tuoi-tho_q1-2023_mntt-q8-2023.xlsx"
    assert all(p.name.isascii() for p in unit_books)


def test_a_units_workbook_holds_the_report_forms_only(wb):
    # the plan's appendices are the issuer's document: a unit's own plan is its draft from
    # `unit-plan draft`, never the unit's header over the issuer's locked tasks (issue 20)
    assert wb.sheetnames == ["BC Nhiệm vụ", "BC Chỉ tiêu", "BC TTHC", SHEET]
    assert wb[SHEET].sheet_state == "veryHidden"


def test_the_issuers_copy_holds_the_plan_appendices(issuer_wb):
    assert issuer_wb.sheetnames[:2] == ["KH Nhiệm vụ", "KH Chỉ tiêu"]


def test_plan_forms_are_refused_for_units(tmp_path, plan001, units):
    with pytest.raises(UserError, match="unit-plan draft"):
        generate(plan001, units[:1], tmp_path, forms=["plan_tasks_grouped"], workers=1)


def test_identity_sheet(wb):
    rows = {r[0]: r[1:] for r in wb[SHEET].iter_rows(values_only=True) if r[0] != "sheet"}
    assert rows["plan_id"][0] == "mntt-q8-2023"
    assert rows["unit_code"][0] == "MN-SM"
    assert rows["period_id"][0] == "q1-2023"
    assert (rows["period_start"][0], rows["period_end"][0]) == ("2022-12-15", "2023-03-04")
    sheets = [r[1:4] for r in wb[SHEET].iter_rows(values_only=True) if r[0] == "sheet"]
    assert [s[0] for s in sheets] == ["report_tasks", "report_indicators", "report_tthc"]


def test_header_blocks_and_appendix_heading(wb):
    ws = wb["BC Nhiệm vụ"]
    texts = [c.value for row in ws.iter_rows(max_row=12) for c in row if c.value]
    assert "ỦY BAN NHÂN DÂN QUẬN 8" in texts
    assert "TRƯỜNG MẦM NON SƠN CA" in texts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Độc lập - Tự do - Hạnh phúc" in texts
    assert "Phụ lục I" in texts  # three report appendices → Roman numerals
    # the Kèm theo line follows the unit's Số and dated line by formula
    assert any(t.startswith('="(Kèm theo Báo cáo số "&') and t.endswith('" của Trường Mầm non '
                                                                      'Sơn Ca)"') for t in texts)
    assert any(t.startswith("Kỳ báo cáo: Quý I năm 2023") for t in texts)
    issuer = next(c for row in ws.iter_rows(max_row=3) for c in row
                  if c.value == "TRƯỜNG MẦM NON SƠN CA")
    assert issuer.font.b and issuer.font.name == "Times New Roman"
    motto = next(c for row in ws.iter_rows(max_row=3) for c in row
                 if c.value == "Độc lập - Tự do - Hạnh phúc")
    assert motto.font.b and motto.font.u == "single" and motto.font.sz == 13


def test_signature_block_with_deputy_and_recipients(wb):
    ws = wb["BC Nhiệm vụ"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    kt = cells["KT. HIỆU TRƯỞNG"]
    assert ws.cell(kt.row + 1, kt.column).value == "PHÓ HIỆU TRƯỞNG"
    assert kt.font.b and cells["Lê Thị Mỹ Dung"].font.b
    assert cells["Nơi nhận:"].font.i and cells["Nơi nhận:"].font.b
    assert cells["Nơi nhận:"].font.sz == 12 and cells["- Lưu: VT."].font.sz == 11
    texts = set(cells)
    assert "Nơi nhận:" in texts and "- Lưu: VT." in texts


def test_group_rows_are_bold_and_tasks_follow_the_plan(issuer_wb, plan001):
    ws = issuer_wb["KH Nhiệm vụ"]
    _, keys = table(ws)
    task_keys = [k for k in keys if k.startswith("task:")]
    assert task_keys == [t.key for t in plan001.tasks]
    group_row = keys["grp:area:1"]
    assert ws.cell(group_row, 2).value == "Công tác chỉ đạo, điều hành về CCHC"
    assert ws.cell(group_row, 2).font.b


def test_page_setup(wb, issuer_wb):
    for ws in (issuer_wb["KH Nhiệm vụ"], wb["BC Chỉ tiêu"], wb["BC TTHC"]):
        ps = ws.page_setup
        assert ps.paperSize == 9 and ps.orientation == "landscape"
        # fitted to the page width by the columns themselves, printed at 100 % with our
        # own page breaks (Excel ignores manual breaks under "fit to page")
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ps.scale or 100) == 100
        widths = [d.width * 6 for d in ws.column_dimensions.values() if not d.hidden
                  for _ in range(d.min, d.max + 1)]
        assert 0.9 * 714 < sum(widths) <= 714
        assert ws.row_breaks.brk
        m = ws.page_margins
        mm = {k: round(getattr(m, k) * 25.4, 1) for k in ("left", "right", "top", "bottom")}
        assert 30 <= mm["left"] <= 35 and 15 <= mm["right"] <= 20
        assert 20 <= mm["top"] <= 25 and 20 <= mm["bottom"] <= 25
        header, _ = table(ws)
        assert ws.print_title_rows and ws.freeze_panes
        assert ws.HeaderFooter.differentFirst and "&P" in ws.oddHeader.center.text
    assert issuer_wb["KH Chỉ tiêu"].page_setup.orientation == "portrait"


def test_differentfirst_is_in_the_xml(one_book):
    with zipfile.ZipFile(one_book) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<headerFooter differentFirst="1">' in xml
    assert "<firstHeader" not in xml  # page 1 has no number


def test_rows_are_tall_enough_for_wrapped_text(issuer_wb):
    ws = issuer_wb["KH Nhiệm vụ"]
    _, keys = table(ws)
    short = ws.row_dimensions[keys["task:1.1"]].height
    row = keys["task:1.3"]  # a long task
    long = ws.row_dimensions[row].height
    width = ws.column_dimensions["B"].width - 5 / 7  # as set, before xlsxwriter's padding
    assert long >= row_height(text_lines(ws.cell(row, 2).value, width)) - 1
    assert short >= 15


def test_status_dropdown_and_dates_up_to_the_period_end(wb):
    ws = wb["BC Nhiệm vụ"]
    _, keys = table(ws)
    row = keys["task:1.1"]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    status = next(dv for ref, dv in dvs.items() if f"E{row}" in _cells(ref))
    assert status.type == "list" and "Đã hoàn thành" in status.formula1
    assert status.prompt and status.promptTitle == "Tình trạng thực hiện"
    date_dv = next(dv for ref, dv in dvs.items() if f"F{row}" in _cells(ref))
    # up to the period's end (04/03/2023, serial 44989): a task done in an earlier period
    # is reported with its real date (see tests/test_done_before_period.py)
    assert date_dv.type == "date" and date_dv.operator == "lessThanOrEqual"
    assert float(date_dv.formula1) == 44989.0


def test_input_titles_are_whole_phrases(wb):
    """Excel keeps 32 characters of an input message's title: a long header is shortened
    to a whole phrase ("Tài liệu kiểm chứng", not "Tài liệu kiểm chứng (số, ký hiệu")."""
    titles = {dv.promptTitle for ws in wb.worksheets
              for dv in ws.data_validations.dataValidation if dv.promptTitle}
    assert {"Tài liệu kiểm chứng", "Khó khăn, vướng mắc"} <= titles
    for title in titles:
        assert len(title) <= 32 and title == title.rstrip(" ,;(")
        assert title.count("(") == title.count(")"), title


def _cells(sqref: str) -> set[str]:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    out = set()
    for part in sqref.split():
        c0, r0, c1, r1 = range_boundaries(part)
        out |= {f"{get_column_letter(c)}{r}" for c in range(c0, c1 + 1)
                for r in range(r0, r1 + 1)}
    return out


def test_protection_unlocks_only_input_cells(wb):
    ws = wb["BC Nhiệm vụ"]
    assert ws.protection.sheet and not ws.protection.password
    _, keys = table(ws)
    row = keys["task:2.1"]
    locked = [ws.cell(row, c).protection.locked for c in range(1, 9)]
    assert locked == [True, True, True, True, False, False, False, False]


def test_password_only_when_asked(tmp_path, plan001):
    [path] = generate(plan001, None, tmp_path, forms=["report_tasks"], password="bi-mat")
    assert load_workbook(path)["BC Nhiệm vụ"].protection.password


def test_required_cells_highlighted_until_filled(wb):
    ws = wb["BC TTHC"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert rules and all(r.type == "containsBlanks" for r in rules)


def test_indicator_rates_collect_numerator_and_denominator(wb):
    ws = wb["BC Chỉ tiêu"]
    _, keys = table(ws)
    row = keys["ind:2.1"]
    assert ws.cell(row, 6).value == f'=IF(AND(ISNUMBER(E{row}),E{row}>0),D{row}/E{row},"")'
    assert ws.cell(row, 7).value == (f'=IF(F{row}="","",IF(ROUND(F{row},6)>=0.98,'
                                     '"Đạt","Không đạt"))')
    text_row = keys["ind:2.3"]  # no target: met is a dropdown to fill
    assert ws.cell(text_row, 7).protection.locked is False


def test_tthc_form_biểu_06(wb):
    ws = wb["BC TTHC"]
    header, keys = table(ws)
    texts = [c.value for row in ws.iter_rows(max_row=header + 1) for c in row if c.value]
    for label in ("Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết",
                  "Số hồ sơ đang giải quyết", "Trực tuyến", "Từ kỳ trước", "(13)"):
        assert label in texts
    row = min(keys.values())
    assert ws.cell(row, 3).value == f"=SUM(D{row},E{row},F{row})"
    total = max(keys.values()) + 1
    assert ws.cell(total, 2).value == "Tổng cộng"
    assert ws.cell(total, 13).value.startswith("=SUM(M")
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert any(m.startswith("C") and ":F" in m for m in merged)  # 4-column group header


def test_group_column_layout_of_004(tmp_path):
    from cchc_xlsx.plans.plan_loader import load_plan

    [path] = generate(load_plan(PLAN_004), None, tmp_path, forms=["plan_tasks_column"])
    ws = load_workbook(path)["KH Phân công"]
    _, keys = table(ws)
    assert "task:3/3" in keys and "task:36" in keys
    merged = [m for m in ws.merged_cells.ranges if m.min_col == 1 and m.max_row > m.min_row]
    ends = [b.id for b in ws.row_breaks.brk]  # 1-based rows that end a page
    # one vertical merge per group, split where a page breaks (the label on each part)
    merged.sort(key=lambda m: m.min_row)
    labels = [ws.cell(m.min_row, 1).value for m in merged]
    assert len(dict.fromkeys(labels)) == 7 and all(labels)
    for a, b in zip(merged, merged[1:], strict=False):
        if ws.cell(a.min_row, 1).value == ws.cell(b.min_row, 1).value:  # one group, split
            assert a.max_row + 1 == b.min_row and a.max_row in ends
    assert not any(m.min_row <= b < m.max_row for m in merged for b in ends)
    first = keys["task:1"]
    assert ws.cell(first, 1).value == "Công tác chỉ đạo, điều hành"
    assert ws.cell(first, 2).value.startswith("1. Lập kế hoạch CCHC năm 2023.")


def test_unknown_form_and_period(tmp_path, plan001):
    with pytest.raises(UserError, match="Không có mẫu biểu «khong-co»"):
        generate(plan001, None, tmp_path, forms=["khong-co"])
    with pytest.raises(UserError, match="không có kỳ báo cáo «q9»"):
        generate(plan001, None, tmp_path, period_id="q9")


def test_interrupted_run_leaves_no_half_written_workbook(tmp_path, plan001, units,
                                                         monkeypatch):
    import cchc_xlsx.forms.generate as gen

    real = gen.write_identity
    calls = {"n": 0}

    def boom(wb, identity):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(wb, identity)

    monkeypatch.setattr(gen, "write_identity", boom)
    with pytest.raises(KeyboardInterrupt):
        generate(plan001, units, tmp_path, workers=1)
    left = sorted(p.name for p in tmp_path.iterdir())
    # whole files, no temp files
    assert left == sorted(workbook_name(u, plan001.id, "q1-2023") for u in units[:2])
    for name in left:
        load_workbook(tmp_path / name)


def test_generated_files_are_readable_by_others(one_book):
    assert one_book.stat().st_mode & 0o044 == 0o044


def test_workbook_opens_with_date_cells_typed_as_dates(wb):
    ws = wb["BC Nhiệm vụ"]
    _, keys = table(ws)
    assert ws.cell(keys["task:1.1"], 6).number_format == "dd/mm/yyyy"
    assert datetime  # typed dates are checked by the DV test above
