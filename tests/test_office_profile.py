"""The office profile: read with line-accurate Vietnamese errors, printed on every
consolidated appendix (header, number, dated line, Kèm theo line, KT. signer, Nơi nhận),
and used by generate for the office's own copy and as the units' recipient."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cchc_xlsx.cli import main
from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.office_profile import load_office_profile
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_001, SAMPLES, UNITS_CSV

PROFILE = SAMPLES / "office" / "phong-gddt-quan8.yaml"


def test_sample_profile():
    p = load_office_profile(PROFILE)
    assert p.name == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
    assert p.signer_title == "KT. TRƯỞNG PHÒNG|PHÓ TRƯỞNG PHÒNG"
    assert p.recipients[-1] == "Lưu: VT."
    assert p.number_line() == "Số:      /BC-GDĐT"
    assert p.with_run("45", date(2023, 3, 10)).number_line() == "Số: 45/BC-GDĐT"


@pytest.mark.parametrize("text, line, words", [
    ("name: PHÒNG GD\nsinger:\n  name: A\n", 2, "«singer»"),
    ("name: PHÒNG GD\nsigner:\n  authority: KT\n  head_title: X\n", 3, "KT."),
    ("name: PHÒNG GD\nsigner:\n  authority: KT.\n  title: PHÓ\n", 3, "head_title"),
    ("name: PHÒNG GD\ndate: 31/2/2023\n", 2, "31/2/2023"),
    ("superior_body: UBND\n", 1, "«name»"),
    ("name: [a\n", 2, "YAML"),
])
def test_profile_errors_name_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "phong.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_office_profile(path)
    assert f"«{path}»" in err.value.message and f"dòng {line}" in err.value.message
    assert words in err.value.message


def test_every_appendix_carries_the_office_and_ends_signed(tmp_path, units):
    plan = load_plan(PLAN_001)
    profile = load_office_profile(PROFILE).with_run("45", date(2023, 3, 10))
    out = tmp_path / "th.xlsx"
    merge([SAMPLES / "returns"], plan, units, "q1-2023", out,
          office_from_units(units, plan, profile=profile), now=datetime(2023, 3, 12),
          workers=1)
    wb = load_workbook(out)
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(sheets) >= 6
    for ws in sheets:
        values = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]
        assert "Số: 45/BC-GDĐT" in values and "Quận 8, ngày 10 tháng 3 năm 2023" in values
        assert ("(Kèm theo Báo cáo số 45/BC-GDĐT ngày 10 tháng 3 năm 2023 của Phòng Giáo "
                "dục và Đào tạo Quận 8)") in values
        tail = values[-8:]
        assert tail[-1] == "Nguyễn Văn An", ws.title
        for text in ("Nơi nhận:", "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
                     "- Phòng Nội vụ Quận 8;", "- Lưu: VT."):
            assert text in tail, (ws.title, text)


def test_generate_office_copy_and_units_recipient(tmp_path, plan001):
    runner = CliRunner()
    res = runner.invoke(main, ["generate", "--plan", str(PLAN_001), "--out",
                               str(tmp_path / "phong"), "--office-profile", str(PROFILE),
                               "--form", "report_tasks"])
    assert res.exit_code == 0, res.output
    [book] = list((tmp_path / "phong").glob("*.xlsx"))
    assert book.name.startswith("PGDDT-Q8_")
    values = [str(v) for row in load_workbook(book).worksheets[0].iter_rows(values_only=True)
              for v in row if v]
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8" in values and "Nguyễn Văn An" in values
    assert "KT. TRƯỞNG PHÒNG" in values
    assert any("của Phòng Giáo dục và Đào tạo Quận 8)" in v for v in values)
    # a unit whose list names no recipient reports to the office
    csv = tmp_path / "dv.csv"
    csv.write_text("mã,tên,cơ quan chủ quản,địa danh,chức danh,tên người ký\n"
                   "X1,Trường Tiểu học X,ỦY BAN NHÂN DÂN QUẬN 8,Quận 8,HIỆU TRƯỞNG,B\n",
                   encoding="utf-8")
    res = runner.invoke(main, ["generate", "--plan", str(PLAN_001), "--units", str(csv),
                               "--out", str(tmp_path / "dv"), "--office-profile",
                               str(PROFILE), "--form", "report_tasks"])
    assert res.exit_code == 0, res.output
    [book] = list((tmp_path / "dv").glob("*.xlsx"))
    values = [str(v) for row in load_workbook(book).worksheets[0].iter_rows(values_only=True)
              for v in row if v]
    assert "- Phòng Giáo dục và Đào tạo Quận 8;" in values


def test_merge_cli_number_and_date_options(tmp_path):
    out = tmp_path / "th.xlsx"
    res = CliRunner().invoke(main, [
        "merge", str(SAMPLES / "returns"), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
        "--period", "q1-2023", "--out", str(out), "--office-profile", str(PROFILE),
        "--number", "7", "--date", "09/3/2023"])
    assert res.exit_code == 1, res.output  # one unit has not sent: still written
    values = [str(v) for row in load_workbook(out).worksheets[0].iter_rows(values_only=True)
              for v in row if v]
    assert "Số: 7/BC-GDĐT" in values and "Quận 8, ngày 09 tháng 3 năm 2023" in values
    res = CliRunner().invoke(main, [
        "merge", str(SAMPLES / "returns"), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
        "--period", "q1-2023", "--out", str(out), "--number", "7"])
    assert res.exit_code == 2 and "--office-profile" in res.output


def test_office_without_profile_is_not_its_own_superior():
    """Sóc Trăng's units name the Sở itself as their managing body: without a profile the
    Sở's header must not print its own name twice (it printed "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC
    TRĂNG" over "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG", and sent Nơi nhận to itself); the
    Sở's superior is the one its plan names."""
    from cchc_xlsx.plans.units import load_units

    units = load_units(SAMPLES / "units" / "soctrang-don-vi.csv")
    plan = load_plan(SAMPLES / "plans" / "004-sgddt-soctrang-2023.yaml")
    office = office_from_units(units, plan)
    assert office.name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG"
    assert office.superior == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert office.recipient_lines()[0] == "- Ủy ban nhân dân tỉnh Sóc Trăng;"
    # the schools of Quận 8 are under the district's People's Committee, as is the Phòng
    q8 = office_from_units(load_units(UNITS_CSV), load_plan(PLAN_001))
    assert (q8.superior, q8.name) == ("ỦY BAN NHÂN DÂN QUẬN 8",
                                      "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8")


def test_office_without_profile_takes_its_own_plans_symbol_only():
    """Collecting on its own plan, the office's reports carry its ký hiệu ("Số: /BC-SGDĐT",
    as the unit-plan consolidation already printed), and its superior comes from that plan;
    on another body's plan (a school's, another district's) neither is borrowed."""
    from cchc_xlsx.plans.units import load_units

    st = load_units(SAMPLES / "units" / "soctrang-don-vi.csv")
    office = office_from_units(st, load_plan(SAMPLES / "plans" / "004-sgddt-soctrang-2023.yaml"))
    assert office.number_line() == "Số:      /BC-SGDĐT"
    q8 = load_units(UNITS_CSV)
    for plan in (PLAN_001, SAMPLES / "plans" / "003-pgddt-q11-2024.yaml"):
        office = office_from_units(q8, load_plan(plan))
        assert office.symbol == "" and office.superior == "ỦY BAN NHÂN DÂN QUẬN 8", plan
    # a Sở collecting on another province's plan: no borrowed superior either
    hanoi = office_from_units(st, load_plan(SAMPLES / "plans" / "002-sgddt-hanoi-2021-2025.yaml"))
    assert (hanoi.superior, hanoi.symbol) == ("", "")
