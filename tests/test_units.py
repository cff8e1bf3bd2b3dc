"""Unit lists: CSV and XLSX read the same; broken lists get one sentence."""

from __future__ import annotations

import pytest

from cchc_xlsx.errors import UserError
from cchc_xlsx.plans.units import load_units

from .conftest import UNITS_CSV, UNITS_XLSX

HEADER = "mã,tên,cấp học,cơ quan chủ quản,địa danh,chức danh,tên người ký\n"


def test_csv_and_xlsx_samples_agree():
    assert load_units(UNITS_CSV) == load_units(UNITS_XLSX)
    assert len(load_units(UNITS_CSV)) == 12


def _csv(tmp_path, text, name="u.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_semicolon_csv_with_bom_and_nfd_headers(tmp_path):
    import unicodedata

    header = unicodedata.normalize("NFD", HEADER.replace(",", ";"))
    p = _csv(tmp_path, "\ufeff" + header + "A1;Trường A;Tiểu học;UBND X;X;HIỆU TRƯỞNG;Lê B\n")
    [unit] = load_units(p)
    assert (unit.code, unit.name, unit.signer_name) == ("A1", "Trường A", "Lê B")


@pytest.mark.parametrize("body, expected", [
    (HEADER + "A1,Trường A,,UBND,X,HT,B\nA1,Trường B,,UBND,X,HT,C\n",
     "dòng 3: mã đơn vị «A1» trùng với dòng 2"),
    ("mã,tên\nA1,Trường A\n", "thiếu cột: cơ quan chủ quản, địa danh, chức danh, tên người ký"),
    ("mã,tên\nA1,Trường A\n", "(không bắt buộc: cấp học, nơi nhận, email)"),
    (HEADER + ",Trường A,,UBND,X,HT,B\n", "dòng 2: thiếu mã đơn vị"),
    (HEADER, "không có đơn vị nào"),
    ("", "rỗng"),
])
def test_broken_unit_list(tmp_path, body, expected):
    p = _csv(tmp_path, body)
    with pytest.raises(UserError) as err:
        load_units(p)
    assert expected in str(err.value) and str(p) in str(err.value)


def test_not_utf8_csv_says_how_to_save(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes((HEADER + "A1,Trường A,,UBND,X,HT,B\n").encode("utf-16"))
    with pytest.raises(UserError, match="CSV UTF-8"):
        load_units(p)


def test_not_a_workbook(tmp_path):
    p = tmp_path / "u.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(UserError, match="Không mở được tệp danh sách đơn vị"):
        load_units(p)


def test_header_under_title_rows_in_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁC TRƯỜNG TRỰC THUỘC"])
    ws.append(["(Kèm theo Công văn số 12/PGDĐT)"])
    ws.append([])
    ws.append(["Mã", "Tên đơn vị", "Cơ quan chủ quản", "Địa danh", "Chức danh", "Tên người ký"])
    ws.append(["A1", "Trường Mầm non A", "UBND QUẬN 8", "Quận 8", "HIỆU TRƯỞNG", "Lê B"])
    wb.save(tmp_path / "u.xlsx")
    [unit] = load_units(tmp_path / "u.xlsx")
    assert (unit.code, unit.signer_name) == ("A1", "Lê B")


def test_blank_signer_cells_give_one_warning_per_unit(tmp_path):
    rows = ["A1,Trường A,,UBND,X,,Lê B", "A2,Trường B,,UBND,X,HT,",
            "A3,Nhà thiếu nhi C,,UBND,X,,", "A4,Trường D,,UBND,X,HT,Lê D"]
    p = _csv(tmp_path, HEADER + "\n".join(rows) + "\n")
    warnings: list[str] = []
    units = load_units(p, warnings)
    assert [u.signer_title for u in units] == ["HIỆU TRƯỞNG", "HT", "", "HT"]
    assert len(warnings) == 3
    assert "dòng 2 (A1 – Trường A): chưa có chức danh người ký, đã dùng «HIỆU TRƯỞNG»" \
        in warnings[0]
    assert "dòng 3" in warnings[1] and "tên người ký" in warnings[1]
    assert "dòng 4" in warnings[2] and "thiếu chức danh" in warnings[2] \
        and "tên người ký" in warnings[2]
