"""CCHC scoring: criteria as data, the self-assessment workbook, planted mistakes (one per
rule, asserted as (sheet, cell, rule_id)), appraisal, a ranking recomputed independently
from the typed cells (ties and "Không áp dụng" rescaling), a second criteria set of another
shape, and roll-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xlsx.errors import UserError
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.scoring.appraisal import APPRAISED, COMMENT, SELF, write_appraisal
from cchc_xlsx.scoring.check import check_files
from cchc_xlsx.scoring.criteria import NA_TEXT, load_criteria
from cchc_xlsx.scoring.ranking_writer import AREA_SHEET, RANK_SHEET, STATS_SHEET
from cchc_xlsx.scoring.scoring_round import score_round
from cchc_xlsx.scoring.self_assessment import COL, SHEET_NAME, generate_self_assessments

from .conftest import ROOT, UNITS_CSV
from .scoring_fill import ScoreFiller, fill_correct

CRITERIA = ROOT / "criteria"
PAR = CRITERIA / "par-mau-2025.yaml"
SCHOOL = CRITERIA / "truong-hoc-mau-2025.yaml"


@pytest.fixture(scope="module")
def par():
    return load_criteria(PAR)


@pytest.fixture(scope="module")
def school():
    return load_criteria(SCHOOL)


@pytest.fixture(scope="module")
def units():
    return load_units(UNITS_CSV)


@pytest.fixture(scope="module")
def blank_books(tmp_path_factory, par, units):
    return generate_self_assessments(par, units, tmp_path_factory.mktemp("blank"))


def _copy(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, dst_dir / src.name))


def _book_of(books: list[Path], code: str) -> Path:
    return next(p for p in books if p.name.startswith(code + "_"))


# --- criteria as data ----------------------------------------------------------------------

def test_sample_sets_are_labelled_and_shaped(par, school):
    assert par.sample and "mẫu minh họa" in par.name
    assert len(par.areas) == 8 and par.total_max == 100
    assert [c.name for c in par.classes] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert {i.scoring.mode for i in par.leaves()} == {"step", "ratio", "yesno"}
    assert any(i.not_applicable for i in par.leaves())
    assert any(i.applies_to for i in par.leaves())
    assert len(school.areas) == 6 and school.total_max == 60
    assert par.fingerprint != school.fingerprint


@pytest.mark.parametrize("edit, line, words", [
    ('            max: 1\n            guide: "Ban hành trong quý I',
     "            max: 1.2\n            guide: \"Ban hành trong quý I", "không chia hết"),
    ("        max: 2\n        guide: \"Đủ số lượng", "        max: 2\n        bonus: 1\n"
     "        guide: \"Đủ số lượng", "«bonus» không có"),
    ('  - code: "2"\n    name: Cải cách thể chế\n',
     '  - code: "2"\n    name: Cải cách thể chế\n    max: 11\n', "tổng điểm các mục con là 10"),
    ('          - code: "1.1.2"', '          - code: "1.2.2"', "phải có 3 cấp"),
])
def test_criteria_errors_name_the_line(tmp_path, edit, line, words):
    text = PAR.read_text(encoding="utf-8")
    assert edit in text
    bad = text.replace(edit, line, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_criteria(path)
    message = str(exc.value)
    assert words in message and "dòng " in message and str(path) in message


# --- the self-assessment workbook --------------------------------------------------------

def test_workbook_layout_formulas_validation_and_locks(blank_books, par):
    th = _book_of(blank_books, "TH-BD")
    mn = _book_of(blank_books, "MN-TT")
    f = ScoreFiller(th)
    ws = f.ws
    header = [ws.cell(f.rows["1"] - 2, c + 1).value for c in range(len(COL))]
    assert header[:4] == ["STT", "Lĩnh vực / Tiêu chí / Tiêu chí thành phần", "Điểm tối đa",
                          "Cách chấm"]
    assert header[6] == "Điểm tự đánh giá" and header[9] == "Điểm thẩm định"
    # live subtotals: a tiêu chí sums its children, a lĩnh vực its tiêu chí
    assert ws[f.address("1.1", "score")].value == \
        f'=IF(COUNT({f.address("1.1.1", "score")},{f.address("1.1.2", "score")})=0,"",' \
        f'SUM({f.address("1.1.1", "score")},{f.address("1.1.2", "score")}))'
    assert f.address("1.1", "score") in ws[f.address("1", "score")].value
    converted = ws[f.address("converted", "score")].value
    assert "ROUND(" in converted and "*100" in converted
    assert "SUMIF(" in ws[f.address("applicable", "max")].value
    # unit cells open, appraisal cells and the maxima locked, the sheet protected
    assert ws.protection.sheet
    assert ws[f.address("1.1.1", "score")].protection.locked is False
    assert ws[f.address("1.1.1", "evidence")].protection.locked is False
    assert ws[f.address("1.1.1", "appraised")].protection.locked is True
    assert ws[f.address("1.1.1", "comment")].protection.locked is True
    assert ws[f.address("1.1.1", "max")].protection.locked is True
    dv = {str(d.sqref): d for d in ws.data_validations.dataValidation}
    assert dv[f.address("1.4.1", "result")].formula1 == '"Có,Không"'
    assert dv[f.address("3.2.1", "na")].formula1 == f'"{NA_TEXT}"'
    assert f.address("1.1.1", "na") not in dv  # not allowed there
    step = dv[f.address("1.1.1", "score")].formula1
    assert "<=1" in step and "/0.5" in step
    assert dv[f.address("1.1.2", "score")].formula1.startswith("OR(")
    # an item for other levels is not in a kindergarten's table
    assert "4.2.2" in f.rows and "4.2.2" not in ScoreFiller(mn).rows


# --- planted mistakes, one per rule ---------------------------------------------------------

def test_planted_mistakes_one_per_rule(tmp_path, blank_books, par):
    path = _copy(_book_of(blank_books, "TH-BD"), tmp_path)
    fill_correct(path, par, seed=3)
    f = ScoreFiller(path)
    S = SHEET_NAME
    expected = set()

    def plant(code, column, value, rule, at=None):
        f.set(code, column, value)
        expected.add((S, f.address(code, at or column), rule))

    plant("1.1.1", "score", None, "score_missing")
    plant("1.2", "score", "hai điểm", "score_not_number")
    plant("1.3", "score", 2.5, "score_out_of_range")
    plant("2.3", "score", 1.25, "score_off_step")  # step 0.5
    f.set("1.1.2", "score", 2)
    plant("1.1.2", "result", None, "score_result_missing")
    f.set("1.4.2", "score", 2)
    plant("1.4.2", "result", "gần đủ", "score_result_invalid")
    f.set("4.2.1", "score", 3)
    plant("4.2.1", "result", 97, "score_band_mismatch", at="score")  # < 100 % → 0
    f.set("5.3", "evidence", None)
    f.set("5.3", "explain", None)
    plant("5.3", "score", 4, "score_needs_evidence", at="evidence")
    plant("6.1", "na", NA_TEXT, "not_applicable_not_allowed")
    f.set("3.1.1", "na", NA_TEXT)
    f.set("3.1.1", "explain", "Không có TTHC")
    plant("3.1.1", "score", 2, "not_applicable_with_score")
    f.set("3.2.2", "score", None)
    f.set("3.2.2", "result", None)
    f.set("3.2.2", "evidence", None)
    plant("3.2.2", "na", NA_TEXT, "not_applicable_needs_reason", at="explain")
    plant("3.3", "na", "có lẽ", "not_applicable_invalid")
    plant("7", "score", 99, "subtotal_overwritten")
    plant("7.4", "appraised", 2.5, "appraisal_out_of_range")
    f.set("7.2", "comment", None)
    plant("7.2", "appraised", 0, "appraisal_needs_reason")
    f.save()
    report, _ = check_files([path], par)
    found = set(report.flat())
    assert found == expected
    issue = next(i for i in report.issues if i.rule_id == "score_band_mismatch")
    assert "97%" in issue.message and "0 điểm" in issue.message
    assert report.exit_code == 1


def test_a_clean_return_resaved_by_libreoffice_has_no_issue(tmp_path, blank_books, par):
    from .conftest import HAS_SOFFICE
    from .libreoffice import soffice_convert

    path = _copy(_book_of(blank_books, "THCS-LL"), tmp_path / "in")
    fill_correct(path, par, seed=5, na=("3.2.1",))
    report, _ = check_files([path], par)
    assert report.flat() == []
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    resaved = soffice_convert(path, tmp_path / "lo", "xlsx", tmp_path / "profile")
    report, scores = check_files([resaved], par)
    assert report.flat() == []  # LibreOffice's computed subtotals agree with ours
    assert scores[0].leaves["3.2.1"].na
    # the workbook's own live total, as LibreOffice computed it, is the ranking's figure
    from cchc_xlsx.scoring.ranking import unit_result
    from cchc_xlsx.scoring.read import read_book

    book = read_book(resaved)
    live = book.totals["converted"].values["score"]
    assert live == pytest.approx(unit_result(par, scores[0]).self_total)
    assert book.totals["applicable"].values["max"] == 100 - par.by_code["3.2.1"].max


def test_file_level_refusals(tmp_path, blank_books, par, school, units):
    good = _copy(_book_of(blank_books, "TH-BD"), tmp_path / "a")
    fill_correct(good, par, seed=1)
    other = generate_self_assessments(school, units[:1], tmp_path / "school")[0]
    # the same criteria id and year, edited after the workbooks went out
    edited = tmp_path / "par-edited.yaml"
    edited.write_text(PAR.read_text(encoding="utf-8").replace(
        "scoring: {step: 0.5}", "scoring: {step: 0.25}", 1), encoding="utf-8")
    plain = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(plain)
    missing_row = _copy(good, tmp_path / "b")
    f = ScoreFiller(missing_row)
    row = f.rows["2.3"]
    f.ws.delete_rows(row)
    f.save()
    report, _ = check_files([good, other, plain, missing_row], par, units=units[:3])
    by_file = {Path(r.file).name if r.file != str(good) else "good": r for r in report.files}
    rules = {name: [i.rule_id for i in r.issues] for name, r in by_file.items()}
    assert rules["good"] == ["scoring_unit_unknown"]  # TH-BD is not among the first 3
    assert rules[other.name] == ["scoring_criteria_version"]
    assert "truong-hoc-mau" in by_file[other.name].issues[0].message
    assert rules["plain.xlsx"] == ["scoring_no_identity"]
    assert "scoring_missing_row" in rules[missing_row.name]
    report, _ = check_files([good], load_criteria(edited))
    [issue] = report.issues
    assert issue.rule_id == "scoring_criteria_version" and "đã sửa" in issue.message
    assert not report.files[0].usable


# --- ranking ---------------------------------------------------------------------------------

def _typed_totals(f: ScoreFiller, crit, codes) -> tuple[float, float, dict[str, tuple]]:
    """The test's own arithmetic from the typed cells: points, applicable max, per area."""
    points = maximum = 0.0
    areas: dict[str, list[float]] = {}
    for code in codes:
        item = crit.by_code[code]
        na = f.ws[f.address(code, "na")].value == NA_TEXT
        if na:
            continue
        appraised = f.ws[f.address(code, "appraised")].value
        score = appraised if appraised is not None else f.ws[f.address(code, "score")].value
        points += score
        maximum += item.max
        a = areas.setdefault(code.split(".")[0], [0.0, 0.0])
        a[0] += score
        a[1] += item.max
    return points, maximum, areas


def test_ranking_recomputed_from_cells_with_ties_and_rescaling(tmp_path, blank_books, par,
                                                               units):
    returns = tmp_path / "returns"
    codes = ["MN-TT", "MN-HM", "TH-HV", "TH-BD", "THCS-LL", "THCS-CB"]
    for i, code in enumerate(codes):
        path = _copy(_book_of(blank_books, code), returns)
        # MN-TT and MN-HM typed identically: a tie; TH-BD takes 3.2.1 out of its maximum
        seed = 7 if code in ("MN-TT", "MN-HM") else i
        fill_correct(path, par, seed=seed, na=("3.2.1",) if code == "TH-BD" else ())
    # the office appraised one cell in TH-HV's own workbook, with a reason
    th = ScoreFiller(_book_of(list(returns.iterdir()), "TH-HV"))
    th.set("1.3", "appraised", 0)
    th.set("1.3", "comment", "Không có kế hoạch tự kiểm tra")
    th.save()
    out = tmp_path / "xep-hang.xlsx"
    result = score_round([returns], par, units, out, workers=1)
    assert result.exit_code == 1 and len(result.missing) == 6
    expected = {}
    for path in returns.iterdir():
        f = ScoreFiller(path)
        leaves = [c for c in f.rows if c in par.by_code and par.by_code[c].is_leaf]
        own = _typed_totals_self(f, par, leaves)
        points, maximum, areas = _typed_totals(f, par, leaves)
        code = path.name.split("_")[0]
        expected[code] = (_excel_round(own[0] / own[1] * 100),
                          _excel_round(points / maximum * 100), areas)
    assert expected["MN-TT"][1] == expected["MN-HM"][1]
    ws = load_workbook(out)[RANK_SHEET]
    rows = [r for r in ws.iter_rows(values_only=True) if r[1] in expected]
    assert [r[1] for r in rows] == sorted(expected, key=lambda c: (
        -expected[c][1], next(u.name for u in units if u.code == c)))
    ranked = sorted(expected.values(), key=lambda e: -e[1])
    for r in rows:
        self_total, total, _ = expected[r[1]]
        assert r[3] == pytest.approx(self_total) and r[4] == pytest.approx(total)
        assert r[0] == 1 + sum(1 for e in ranked if e[1] > total)  # 1, 1, 3 …
        assert ("Đồng hạng" in (r[7] or "")) == (r[1] in ("MN-TT", "MN-HM"))
        assert r[6] == par.classify(total)
    assert expected["TH-HV"][0] != expected["TH-HV"][1]  # the appraisal moved it
    # per lĩnh vực points and percent
    area_ws = load_workbook(out)[AREA_SHEET]
    name_of = {u.code: u.name for u in units}
    for r in area_ws.iter_rows(values_only=True):
        code = next((c for c, n in name_of.items() if n == r[1] and c in expected), None)
        if code is None:
            continue
        areas = expected[code][2]
        for k, area in enumerate(par.areas):
            pts, mx = areas[area.code]
            assert r[2 + 2 * k] == pytest.approx(pts)
            assert r[3 + 2 * k] == pytest.approx(_excel_round(pts / mx * 100))
    # per-criterion statistics: the mean and the units losing most on 1.3
    stats = {r[0]: r for r in load_workbook(out)[STATS_SHEET].iter_rows(values_only=True)
             if r[0] in par.by_code}
    got = [ScoreFiller(p) for p in returns.iterdir()]
    vals = [(f.ws[f.address("1.3", "appraised")].value
             if f.ws[f.address("1.3", "appraised")].value is not None
             else f.ws[f.address("1.3", "score")].value) for f in got]
    assert stats["1.3"][4] == pytest.approx(_excel_round(sum(vals) / len(vals)))
    assert "Trường Tiểu học Hưng Phú (-2)" in stats["1.3"][6]


def _excel_round(x: float) -> float:
    """ROUND(x, 2) as Excel computes it: half away from zero (test's own arithmetic)."""
    import math

    scaled = abs(x) * 100
    return math.copysign(math.floor(scaled + 0.5 + 1e-9) / 100, x)


def _typed_totals_self(f: ScoreFiller, crit, codes) -> tuple[float, float]:
    points = maximum = 0.0
    for code in codes:
        if f.ws[f.address(code, "na")].value == NA_TEXT:
            continue
        points += f.ws[f.address(code, "score")].value
        maximum += crit.by_code[code].max
    return points, maximum


def test_appraisal_workbook_round_trip(tmp_path, blank_books, par, units):
    returns = tmp_path / "returns"
    for i, code in enumerate(("MN-SM", "TH-PD")):
        fill_correct(_copy(_book_of(blank_books, code), returns), par, seed=20 + i)
    out = tmp_path / "xh.xlsx"
    sheet = tmp_path / "tham-dinh.xlsx"
    first = score_round([returns], par, units, out, appraisal_out=sheet, workers=1)
    before = {u.code: u.total for u in first.ranking.units}
    wb = load_workbook(sheet)
    ws = wb["Thẩm định"]
    rows = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=6)}
    target = rows[("TH-PD", "5.4")]
    self_score = target[SELF].value
    target[APPRAISED].value = self_score - 0.5 if self_score >= 0.5 else self_score + 0.5
    wb.save(sheet)
    second = score_round([returns], par, units, out, appraisal=sheet, workers=1)
    [issue] = second.appraisal.issues
    assert (issue.sheet, issue.cell, issue.rule_id) == (
        "Thẩm định", f"F{target[APPRAISED].row}", "appraisal_needs_reason")
    assert {u.code: u.total for u in second.ranking.units} == before  # not used
    target[COMMENT].value = "Thiếu biên bản kiểm tra"
    wb.save(sheet)
    third = score_round([returns], par, units, out, appraisal=sheet, workers=1)
    assert third.appraisal.issues == []
    after = {u.code: u for u in third.ranking.units}
    delta = target[APPRAISED].value - self_score
    assert after["TH-PD"].points == pytest.approx(
        first.ranking.units[[u.code for u in first.ranking.units].index("TH-PD")].points
        + delta)
    assert after["MN-SM"].total == before["MN-SM"]
    # writing the appraisal workbook again keeps what the office typed
    write_appraisal(par, [s for s in _scores(returns, par)], tmp_path / "again.xlsx")


def test_appraisal_table_of_the_earlier_layout_is_still_read(tmp_path, par):
    """A table written before the unit became a group row (version 1: the unit's name in
    column B, the appraised score in G, the reason in H) is read where the office typed,
    and its issues name its own cells."""
    from openpyxl.utils import get_column_letter

    from cchc_xlsx.forms.identity import key_header, parse_key_header
    from cchc_xlsx.scoring.appraisal import FORM_ID, apply_appraisal, read_appraisal
    from cchc_xlsx.scoring.check import LeafScore, UnitScores

    leaves = [i for i in par.leaves() if not i.applies_to][:3]
    scores = [UnitScores("U1", "Trường Thử Nghiệm", {i.code: LeafScore(i.max)
                                                        for i in leaves})]
    path = write_appraisal(par, scores, tmp_path / "tham-dinh.xlsx")
    wb = load_workbook(path)
    ws = wb["Thẩm định"]
    ws.insert_cols(2)  # version 1: "Đơn vị" beside the code, everything after moves right
    head = next(c for row in ws.iter_rows() for c in row if parse_key_header(c.value))
    head.value = key_header(FORM_ID, 1)
    rows = {ws.cell(c.row, head.column).value: c.row for c in ws[get_column_letter(
        head.column)] if "|" in str(c.value or "")}
    first, second = (rows[f"U1|{i.code}"] for i in leaves[:2])
    ws.cell(first, 7).value = 0  # G: a score below the unit's, with its reason in H
    ws.cell(first, 8).value = "Thiếu hồ sơ"
    ws.cell(second, 7).value = 0  # no reason: an issue at its G cell
    wb.save(path)
    got = read_appraisal(path, par)
    assert got.entries[("U1", leaves[0].code)][:2] == (0, "Thiếu hồ sơ")
    apply_appraisal(got, par, scores)
    assert scores[0].leaves[leaves[0].code].appraised == 0
    [issue] = got.result.issues
    assert (issue.cell, issue.rule_id) == (f"G{second}", "appraisal_needs_reason")


def _scores(returns: Path, par):
    return check_files([returns], par, workers=1)[1]


# --- another criteria set, no code change ------------------------------------------------

def test_second_criteria_set_changes_workbook_rules_and_ranking(tmp_path, school, units):
    books = generate_self_assessments(school, units, tmp_path / "blank")
    th = ScoreFiller(_book_of(books, "TH-BD"))
    mn = ScoreFiller(_book_of(books, "MN-TT"))
    areas = [c for c in th.rows if "." not in c and c in school.by_code]
    assert areas == ["1", "2", "3", "4", "5", "6"]
    assert "6.1" in th.rows and "6.2" not in th.rows and "6.2" in mn.rows
    # the maxima are the unit's own: lĩnh vực 6 is 6.2 + 6.3 for a kindergarten
    assert mn.ws[mn.address("6", "max")].value == 10 == school.unit_max(
        school.by_code["6"], "Mầm non")
    assert mn.ws[mn.address("total", "max")].value == 54
    assert th.ws[th.address("total", "max")].value == 54
    returns = tmp_path / "returns"
    for i, code in enumerate(("MN-TT", "TH-BD", "THCS-CB")):
        fill_correct(_copy(_book_of(books, code), returns), school, seed=30 + i)
    # a rule of this set: 2.1 steps by 0.5 here (0.25 in the other set's default)
    f = ScoreFiller(_book_of(list(returns.iterdir()), "THCS-CB"))
    f.set("2.1", "score", 2.25)
    f.save()
    report, _ = check_files([returns], school)
    assert report.flat() == [(SHEET_NAME, f.address("2.1", "score"), "score_off_step")]
    f.set("2.1", "score", 2.5)
    f.save()
    out = tmp_path / "xh.xlsx"
    result = score_round([returns], school, units, out, workers=1)
    assert len(result.ranking.units) == 3
    wb = load_workbook(out)
    head = [c.value for c in next(r for r in wb[AREA_SHEET].iter_rows()
                                  if r[0].value == "Xếp hạng")]
    assert sum(1 for h in head if h and h.startswith("Lĩnh vực ")) == 6  # "Lĩnh vực 1 (…)"
    for u in result.ranking.units:
        assert u.max == 54  # 60 less the item for the other levels
        assert u.klass in ("Xuất sắc", "Tốt", "Đạt", "Chưa đạt")


# --- roll-up ----------------------------------------------------------------------------------

def test_rankings_compose_upward(tmp_path, blank_books, par, units):
    a, b = tmp_path / "a", tmp_path / "b"
    for i, code in enumerate(("MN-TT", "TH-HV", "THCS-LL", "MN-BM")):
        fill_correct(_copy(_book_of(blank_books, code), a if i < 2 else b), par, seed=40 + i)
    ra = score_round([a], par, units, tmp_path / "ra.xlsx", workers=1)
    rb = score_round([b], par, units, tmp_path / "rb.xlsx", workers=1)
    both = score_round([ra.out, rb.out], par, units, tmp_path / "rab.xlsx", workers=1)
    direct = score_round([a, b], par, units, tmp_path / "direct.xlsx", workers=1)

    def view(r):
        return [(u.code, u.rank, u.total, u.self_total, u.klass) for u in r.ranking.units]

    assert view(both) == view(direct) and len(view(both)) == 4
    assert both.messages == []
    # a unit that comes both in a district's ranking and on its own: the newer file counts
    again = score_round([ra.out, a], par, units, tmp_path / "again.xlsx", workers=1)
    assert len(again.messages) == 2 and "có trong hai tệp hợp lệ" in again.messages[0]
    assert view(again) == view(ra)


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                    reason="LibreOffice/pdftotext not installed")
def test_libreoffice_renders_self_assessment_and_ranking_with_chart(tmp_path, blank_books,
                                                                     par, units):
    import subprocess
    import unicodedata

    from .libreoffice import soffice_convert

    def page(pdf: Path, n: int | None = None) -> str:
        pages = ["-f", str(n), "-l", str(n)] if n else []
        return unicodedata.normalize("NFC", subprocess.run(
            ["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True,
            text=True).stdout)

    returns = tmp_path / "returns"
    for i, code in enumerate(("MN-TT", "TH-HV", "THCS-LL")):
        fill_correct(_copy(_book_of(blank_books, code), returns), par, seed=50 + i,
                     na=("3.2.1",) if code == "MN-TT" else ())
    # a kindergarten: 4.2.2 is not for its level and it marks 3.2.1 "Không áp dụng"
    own = soffice_convert(_book_of(list(returns.iterdir()), "MN-TT"), tmp_path / "pdf",
                          "pdf", tmp_path / "profile")
    first = " ".join(page(own, 1).split())
    assert first.startswith("ỦY BAN NHÂN DÂN QUẬN 8")  # NĐ 30: no page number on page 1
    assert "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2025" in first
    assert "MẪU MINH HỌA" in first and "Điểm tự" in first and "Điểm thẩm" in first
    assert page(own, 2).split()[0] == "2"
    text = " ".join(page(own).split())
    assert "TỔNG ĐIỂM QUY ĐỔI (thang 100)" in text and "Không áp dụng" in text
    result = score_round([returns], par, units, tmp_path / "xep-hang.xlsx", workers=1)
    pdf = soffice_convert(result.out, tmp_path / "pdf", "pdf", tmp_path / "profile")
    mn = next(u for u in result.ranking.units if u.code == "MN-TT")
    assert mn.max == 100 - 3 - 4
    # LibreOffice's live total = the ranking's, printed the Vietnamese way ("80,11")
    assert _vn_points(mn.self_total) in text
    text = " ".join(page(pdf).split())
    assert "Tổng điểm CCHC năm 2025 (thang 100)" in text  # the chart's title
    for u in result.ranking.units:
        assert u.name in text and _vn_points(u.total) in text  # bars' labels and the table
    assert "Phụ lục I" in text and "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG" in text
    assert "THỐNG KÊ ĐIỂM THEO TIÊU CHÍ" in text and "TÌNH HÌNH NỘP" in text


def _vn_points(x: float) -> str:
    """Points as every scoring output prints them: "80,11", "12", "7,5"."""
    return f"{round(x, 2):g}".replace(".", ",")


def test_rows_inserted_by_the_unit_still_map_by_code(tmp_path, blank_books, par):
    path = _copy(_book_of(blank_books, "TH-PD"), tmp_path)
    fill_correct(path, par, seed=9)
    f = ScoreFiller(path)
    f.ws.insert_rows(f.rows["2.1"], 3)  # three rows typed in above 2.1
    f.save()
    f = ScoreFiller(path)
    cell = f.set("2.1", "score", 0.5)  # off its step of 1, now three rows lower
    f.save()
    report, scores = check_files([path], par)
    assert report.flat() == [(SHEET_NAME, cell, "score_off_step")]
    assert len(scores[0].leaves) == len([i for i in par.walk("Tiểu học") if i.is_leaf])


def test_ranking_ranks_are_competition_ranks_on_random_totals(par):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cchc_xlsx.scoring.check import LeafScore, UnitScores
    from cchc_xlsx.scoring.ranking import compute_ranking

    leaves = [i for i in par.leaves() if not i.applies_to]

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.lists(st.integers(0, 4), min_size=len(leaves), max_size=len(leaves)),
                    min_size=1, max_size=12))
    def check(grid):
        scores = []
        for n, row in enumerate(grid):
            got = {}
            for item, k in zip(leaves, row, strict=True):
                na = item.not_applicable and k == 4
                got[item.code] = LeafScore(None if na else item.max * min(k, 4) / 4, na)
            scores.append(UnitScores(f"U{n}", f"Đơn vị {n:02d}", got))
        ranking = compute_ranking(par, scores)
        totals = [u.total for u in ranking.units]
        assert totals == sorted(totals, reverse=True)
        for u in ranking.units:
            assert u.rank == 1 + sum(1 for t in totals if t > u.total)
            assert u.tied == (totals.count(u.total) > 1)
            expected_max = sum(i.max for i in leaves if not (i.not_applicable and grid[int(
                u.code[1:])][leaves.index(i)] == 4))
            assert u.max == pytest.approx(expected_max)
            assert 0 <= u.total <= 100

    check()
