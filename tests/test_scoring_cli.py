"""The scoring commands as a user runs them, and criteria import from .xlsx and .docx."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from cchc_xlsx.cli import main
from cchc_xlsx.scoring.criteria import load_criteria

from .conftest import ROOT, UNITS_CSV
from .scoring_fill import ScoreFiller, fill_correct

PAR = ROOT / "criteria" / "par-mau-2025.yaml"

TABLE = [
    ["STT", "Lĩnh vực, tiêu chí", "Điểm tối đa", "Hướng dẫn chấm"],
    ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "5", ""],
    ["1", "Kế hoạch CCHC", "3", ""],
    ["a", "Ban hành kịp thời", "1", "Có: 1 điểm; Không: 0 điểm"],
    ["b", "Hoàn thành kế hoạch", "2",
     "Đạt 100%: 2 điểm; từ 90% đến dưới 100%: 1 điểm; dưới 90%: 0 điểm"],
    ["2", "Báo cáo định kỳ", "2", "Đủ, đúng hạn: 2 điểm; mỗi báo cáo trễ trừ 0,5 điểm"],
    ["II", "THỦ TỤC HÀNH CHÍNH", "4", ""],
    ["1", "Giải quyết hồ sơ đúng hạn", "4",
     "100%: 4 điểm; dưới 100%: 0 điểm. Đơn vị không có TTHC: không áp dụng"],
    ["", "Tổng cộng", "9", ""],
]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _check_imported(path: Path) -> None:
    crit = load_criteria(path)
    assert [a.code for a in crit.areas] == ["1", "2"] and crit.total_max == 9
    assert crit.by_code["1.1.1"].scoring.mode == "yesno"
    bands = crit.by_code["1.1.2"].scoring.bands
    assert [(b.min, b.points) for b in bands] == [(100, 2), (90, 1), (0, 0)]
    assert crit.by_code["1.2"].scoring.mode == "step"
    assert crit.by_code["2.1"].not_applicable and crit.year == 2026


def test_import_xlsx_table(tmp_path):
    src = tmp_path / "tieu-chi.xlsx"
    wb = Workbook()
    wb.active.append(["BỘ TIÊU CHÍ CHẤM ĐIỂM CCHC NĂM 2026"])
    wb.active.append([])
    for row in TABLE:
        wb.active.append([float(v) if v.isdigit() and i == 2 else v for i, v in enumerate(row)])
    wb.save(src)
    out = tmp_path / "tc.yaml"
    r = run("criteria", "import", str(src), "--out", str(out), "--decision", "QĐ 5/QĐ-PGDĐT")
    assert r.exit_code == 0, r.output
    assert "đoán là chấm theo tỷ lệ đạt" in r.output and "Đã ghi" in r.output
    _check_imported(out)
    assert run("criteria", "show", str(out)).exit_code == 0


def test_import_docx_table(tmp_path):
    import docx

    doc = docx.Document()
    doc.add_paragraph("Phụ lục: Bộ tiêu chí chấm điểm CCHC năm 2026")
    table = doc.add_table(rows=len(TABLE), cols=4)
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    src = tmp_path / "qd.docx"
    doc.save(src)
    out = tmp_path / "tc.yaml"
    r = run("criteria", "import", str(src), "--out", str(out))
    assert r.exit_code == 0 and "văn bản ban hành" in r.output
    _check_imported(out)


def test_import_refuses_a_file_without_a_criteria_table(tmp_path):
    src = tmp_path / "x.xlsx"
    wb = Workbook()
    wb.active.append(["Họ tên", "Lớp"])
    wb.save(src)
    r = CliRunner().invoke(main, ["criteria", "import", str(src), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "Không tìm thấy bảng tiêu chí" in r.output
    assert "Traceback" not in r.output


def test_generate_validate_merge_from_the_command_line(tmp_path):
    out = tmp_path / "tu-danh-gia"
    r = run("generate", "--criteria", "par-mau", "--units", str(UNITS_CSV), "--out", str(out))
    assert r.exit_code == 0, r.output
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == 12
    crit = load_criteria(PAR)
    for i, book in enumerate(books[:3]):
        fill_correct(book, crit, seed=i)
    r = run("criteria", "validate", "--criteria", "par-mau", *map(str, books[:3]))
    assert r.exit_code == 0, r.output
    f = ScoreFiller(books[0])
    cell = f.set("1.3", "score", 7)
    f.save()
    r = run("criteria", "validate", "--criteria", str(PAR), "--format", "json", str(books[0]))
    assert r.exit_code == 1 and cell in r.output and "score_out_of_range" in r.output
    ranking = tmp_path / "xep-hang.xlsx"
    sheet = tmp_path / "tham-dinh.xlsx"
    r = run("criteria", "merge", "--criteria", "par-mau", "--units", str(UNITS_CSV),
            "--out", str(ranking), "--appraisal-out", str(sheet), *map(str, books[:3]))
    assert r.exit_code == 1  # units missing, one file with an error
    assert "Đã xếp hạng 2/12 đơn vị" in r.output and ranking.exists() and sheet.exists()
    r = CliRunner().invoke(main, ["criteria", "merge", "--criteria", "truong-hoc-mau", "--units",
                                  str(UNITS_CSV), "--out", str(tmp_path / "x.xlsx"),
                                  str(books[1])])
    assert r.exit_code == 1 and "scoring_criteria_version" in r.output
    assert "Đã xếp hạng 0/12" in r.output
    r = CliRunner().invoke(main, ["generate", "--criteria", "khong-co", "--units",
                                  str(UNITS_CSV), "--out", str(out)])
    assert r.exit_code == 2 and "par-mau-2025" in r.output


def test_criteria_show_lists_the_shipped_sets():
    r = run("criteria", "show")
    assert r.exit_code == 0 and "par-mau-2025" in r.output and "truong-hoc-mau-2025" in r.output
    r = run("criteria", "show", "par-mau")
    assert "MẪU MINH HỌA" in r.output and "3.2.1" in r.output


@pytest.mark.parametrize("name", ["par-mau-2025.yaml", "truong-hoc-mau-2025.yaml"])
def test_shipped_sets_load(name):
    assert load_criteria(ROOT / "criteria" / name).sample


def test_plan_validate_and_criteria_validate_refuse_each_others_files(tmp_path):
    scoring = sorted((ROOT / "samples" / "scoring-returns").glob("MN-TT_*.xlsx"))[0]
    r = CliRunner().invoke(main, ["validate", str(scoring)])
    assert r.exit_code == 2 and "criteria validate" in r.output
    plan_return = sorted((ROOT / "samples" / "returns").glob("MN-TT_*.xlsx"))[0]
    r = CliRunner().invoke(main, ["criteria", "validate", "--criteria", "par-mau",
                                  str(plan_return)])
    assert r.exit_code == 2 and "scoring_no_identity" in r.output
