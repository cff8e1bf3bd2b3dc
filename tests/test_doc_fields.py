"""The unit fills its own document fields: Số/ký hiệu, the day and month of the dated line,
the signer's name. Input cells on the first report appendix, shown by formula on the others,
followed by the "Kèm theo Báo cáo số …" line; read back by their hidden markers after a
LibreOffice re-save; warned about when left blank; listed by merge."""

from __future__ import annotations

import re
from datetime import date

import pytest
from openpyxl import load_workbook

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.reading.reader import doc_value, read_workbook

from .conftest import needs_soffice
from .fill import Filler, fill_clean
from .libreoffice import pdf_text, soffice_convert

REPORT_SHEETS = ("BC Nhiệm vụ", "BC Chỉ tiêu", "BC TTHC")


def test_first_report_sheet_holds_input_cells_the_others_follow(one_book):
    wb = load_workbook(one_book)
    first = wb[REPORT_SHEETS[0]]
    cells = Filler(one_book).doc_cells()
    assert set(cells) == {"number", "date", "signer"}
    prompts = {str(dv.sqref): dv.prompt for dv in first.data_validations.dataValidation
               if dv.prompt}
    for name, cell in cells.items():
        assert cell.parent.title == REPORT_SHEETS[0]
        assert cell.protection.locked is False, name
        assert "Ghi" in prompts[cell.coordinate], name
    assert cells["number"].value.startswith("Số:") and cells["number"].coordinate == "A4"
    for title in REPORT_SHEETS:
        ws = wb[title]
        attached = next(c for row in ws.iter_rows(max_row=12) for c in row
                        if isinstance(c.value, str) and "Kèm theo" in c.value)
        assert attached.value.startswith('="(Kèm theo Báo cáo số "&TRIM(MID(A4,')
        if title != REPORT_SHEETS[0]:
            assert ws["A4"].value == f"=IF('{REPORT_SHEETS[0]}'!$A$4=\"\",\"\","\
                                     f"'{REPORT_SHEETS[0]}'!$A$4)"
            assert ws["A4"].protection.locked is not False
    # a unit's workbook carries no plan appendix (its own plan is `unit-plan draft`'s)
    assert not any(title.startswith("KH ") for title in wb.sheetnames)


@pytest.mark.parametrize("field,text,value", [
    ("number", "Số:      /BC-……", ""), ("number", "Số: 15/BC-MNTT", "15/BC-MNTT"),
    ("number", "15/BC-MNTT", "15/BC-MNTT"), ("number", "Số: /BC-MNTT", ""),
    ("date", "Quận 8, ngày     tháng     năm 2023", ""),
    ("date", "Quận 8, ngày 05 tháng 3 năm 2023", "05/3"),
    ("date", "Quận 8, ngày5tháng 12 năm 2023", "5/12"),
    ("signer", "  Nguyễn Văn An ", "Nguyễn Văn An"), ("signer", "", ""),
])
def test_doc_value(field, text, value):
    assert doc_value(field, text) == value


def _doc_issues(report):
    return [(i.sheet, i.cell, i.rule_id) for f in report.files for i in f.issues
            if i.rule_id == "file_doc_field_empty"]


def test_validate_warns_at_each_blank_field(tmp_path, one_book, units):
    f = Filler(one_book)
    f.doc_cells()["signer"].value = None
    path = fill_clean(f).save(tmp_path / one_book.name)  # fills number and date only
    f = Filler(path)
    f.doc_cells()["number"].value = "Số:      /BC-……"
    f.save()
    report = validate([path], units=units, workers=1, today=date(2023, 3, 20))
    signer = Filler(path).doc_cells()["signer"].coordinate  # where the layout put it
    assert _doc_issues(report) == [("BC Nhiệm vụ", "A4", "file_doc_field_empty"),
                                   ("BC Nhiệm vụ", signer, "file_doc_field_empty")]
    [issue] = [i for i in report.files[0].issues if i.cell == "A4"]
    assert issue.severity == "warning" and "số, ký hiệu" in issue.message


@needs_soffice
def test_fields_survive_a_libreoffice_resave_and_merge_lists_the_number(tmp_path, one_book,
                                                                        units, plan001):
    f = fill_clean(Filler(one_book))
    f.fill_doc("27/BC-MNSC", 9, 3, "Lê Thị Hoa")
    filled = f.save(tmp_path / one_book.name)
    resaved = soffice_convert(filled, tmp_path / "lo", "xlsx", tmp_path / "profile")
    book = read_workbook(resaved, load_catalog())
    assert {k: v.value for k, v in book.doc_fields.items()} == {
        "number": "27/BC-MNSC", "date": "09/3", "signer": "Lê Thị Hoa"}
    assert book.doc_fields["number"].cell == "A4"
    assert _doc_issues(validate([resaved], units=units, workers=1,
                                today=date(2023, 3, 20))) == []
    # every report appendix prints the typed number, date and signer, and the Kèm theo line
    pdf = soffice_convert(resaved, tmp_path / "pdf", "pdf", tmp_path / "profile")
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert text.count("Số:27/BC-MNSC") == 3 + 0  # the three report appendices
    assert text.count("(KèmtheoBáocáosố27/BC-MNSCngày09tháng3năm2023") == 3
    assert text.count("LêThịHoa") == 3
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / resaved.name).write_bytes(resaved.read_bytes())
    result = merge([inbox], plan001, units, "q1-2023", tmp_path / "tong-hop.xlsx",
                   office_from_units(units, plan001), workers=1)
    ws = load_workbook(result.out)["Tình hình nộp"]
    head = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "STT")
    col = [c.value for c in ws[head]].index("Số báo cáo") + 1
    numbers = {ws.cell(r, 2).value: ws.cell(r, col).value for r in range(head + 1, ws.max_row)
               if ws.cell(r, 2).value}
    assert numbers["MN-SM"] == "27/BC-MNSC"
    assert numbers["MN-TT"] in (None, "")  # not sent


def test_fields_are_found_after_rows_are_inserted_above_the_signature(tmp_path, one_book):
    f = Filler(one_book)
    f.fill_doc("31/BC-MNSC", 12, 3, "Trần Văn Bình")
    ws = f.doc_cells()["signer"].parent
    before = f.doc_cells()["signer"].row
    ws.insert_rows(20, 2)  # two rows typed into the table
    path = f.save(tmp_path / "inserted.xlsx")
    book = read_workbook(path, load_catalog())
    signer = book.doc_fields["signer"]
    assert signer.value == "Trần Văn Bình" and signer.cell.endswith(str(before + 2))
    assert book.doc_fields["number"].value == "31/BC-MNSC"
