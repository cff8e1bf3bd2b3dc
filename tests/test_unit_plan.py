"""The units' own plans (issue 20): drafted from the office's plan (004, Sở GDĐT Sóc Trăng,
and 000's indicators), filled as a person would, re-saved by LibreOffice, checked with the
findings at their cells, and consolidated, the consolidation recomputed from the cells."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xlsx.checking.unit_plan_check import check_plan_return, check_plan_returns
from cchc_xlsx.forms.unit_plan import names_units, task_rows, write_unit_plans
from cchc_xlsx.merging.plan_merge import merge_plans
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units

from .conftest import PLAN_004, PLANS, SAMPLES, needs_soffice
from .libreoffice import soffice_convert
from .plan_fill import PlanFiller, fill_plan_clean

UNITS_ST = SAMPLES / "units" / "soctrang-don-vi.csv"
TASKS, INDS = "unit_plan_tasks", "unit_plan_indicators"


@pytest.fixture(scope="module")
def plan004():
    return load_plan(PLAN_004)


@pytest.fixture(scope="module")
def st_units():
    return load_units(UNITS_ST)


@pytest.fixture()
def drafts(tmp_path, plan004, st_units):
    return write_unit_plans(plan004, st_units, tmp_path / "kh")


def test_plan_round_is_not_a_reporting_period(plan004):
    from cchc_xlsx.errors import UserError
    from cchc_xlsx.forms.generate import choose_period

    assert plan004.schedule[-1].kind == "plan"
    assert choose_period(plan004, None).id == "6t-2023"
    with pytest.raises(UserError, match="kế hoạch"):
        choose_period(plan004, "kh-2023")


def test_draft_header_inputs_and_identity(drafts, plan004):
    wb = load_workbook(drafts[1])
    assert wb["_cchc"].sheet_state == "veryHidden"
    ident = {r[0].value: r[1].value for r in wb["_cchc"].iter_rows() if r[0].value}
    assert ident["kind"] == "unit_plan" and ident["unit_code"] == "THPT-HD"
    assert ident["period_id"] == "kh-2023" and ident["period_due"] == "2023-01-31"
    ws = wb["KH Nhiệm vụ"]
    assert ws.protection.sheet and not ws.protection.password
    texts = [c.value for row in ws.iter_rows(max_row=12) for c in row if c.value]
    assert "TRƯỜNG THPT HOÀNG DIỆU" in texts
    number = next(c for row in ws.iter_rows(max_row=8) for c in row
                  if str(c.value or "").startswith("Số:"))
    assert number.protection.locked is False
    attached = next(c for row in ws.iter_rows(max_row=12) for c in row
                    if str(c.value or "").startswith("=\"(Kèm theo Kế hoạch số "))
    assert number.coordinate in attached.value and "Trường THPT Hoàng Diệu)" in attached.value
    f = PlanFiller(drafts[1])
    # the office's own divisions lead task 2: the unit writes its own product and lead
    assert f.get(TASKS, "task:2", "product") in (None, "")
    # task 1 involves the units (coordinating "Các đơn vị thuộc và trực thuộc."): pre-filled
    assert f.get(TASKS, "task:1", "product") == plan004.tasks[0].products[0].product
    assert f.get(TASKS, "task:1", "lead") in (None, "")
    assert f.get(TASKS, "task:1", "apply") == "Thực hiện"
    assert f.get(TASKS, "task:3#2", "stt") in (None, "")  # a second product row
    assert "add:1:1" in f.keys(TASKS)
    ws = f.sheets[TASKS][0]
    assert ws[f.cell(TASKS, "task:1", "product")].protection.locked is False
    assert ws[f.cell(TASKS, "task:1", "content")].protection.locked is not False
    assert ws[f.cell(TASKS, "add:1:1", "content")].protection.locked is False
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and "Không áp dụng" in lists[0].formula1
    prompts = {str(dv.sqref): dv.prompt for dv in ws.data_validations.dataValidation}
    for name in ("number", "date", "signer"):  # the plan's own fields, worded for a plan
        assert "kế hoạch" in prompts[f.doc_cell(name).coordinate], name
    assert "Sóc Trăng, ngày" in prompts[f.doc_cell("date").coordinate]


def test_lead_naming_the_units_prefills_the_unit_as_lead(plan004, st_units):
    area = plan004.areas[0]
    task = area.tasks[1]
    product = replace(task.products[0], lead="Các trường THPT")
    plan = replace(plan004, areas=(replace(area, tasks=(
        area.tasks[0], replace(task, products=(product,)), *area.tasks[2:])),
        *plan004.areas[1:]))
    rows = {r.key: r for r in task_rows(plan, st_units[0])}
    assert rows["task:2"].values["lead"] == st_units[0].name
    assert rows["task:2"].values["product"] == product.product
    assert names_units("Các đơn vị trực thuộc") and not names_units("Phòng TCCB, VP")


def _planted(f: PlanFiller) -> dict[str, str]:
    """A plan with one mistake per check; returns the expected cell of each rule."""
    fill_plan_clean(f, "12/KH-THPTHD", "Sóc Trăng, ngày 05 tháng 02 năm 2023",
                    "Lê Thị Hồng Nhung")
    f.set(TASKS, "task:3", "apply", "Không áp dụng")  # no reason
    f.set(TASKS, "task:4", "deadline", "Tháng 3/2024")  # outside 2023
    f.set(TASKS, "task:6", "deadline", "sớm nhất có thể")  # unreadable
    f.set(TASKS, "task:7", "lead", None)  # lead missing
    f.set(TASKS, "task:8", "apply", "khong ap dung")  # near miss: read as Không áp dụng
    f.set(TASKS, "task:8", "reason", "Trường không có bộ phận một cửa")
    f.set(TASKS, "task:9", "apply", "bỏ")  # not in the list
    f.set(TASKS, "add:1:1", "product", "Sổ theo dõi")  # an added row with no task
    f.set(TASKS, "add:1:2", "content", "Tập huấn CCHC cho giáo viên")  # the unit's own
    f.set(TASKS, "add:1:2", "product", "Kế hoạch tập huấn")
    f.set(TASKS, "add:1:2", "lead", "Tổ văn phòng")
    f.set(TASKS, "add:1:2", "deadline", "Quý II/2023")
    return {
        "plan_not_applicable_reason": f.cell(TASKS, "task:3", "reason"),
        "plan_deadline_outside_year": f.cell(TASKS, "task:4", "deadline"),
        "plan_deadline_unreadable": f.cell(TASKS, "task:6", "deadline"),
        "plan_lead_required": f.cell(TASKS, "task:7", "lead"),
        "plan_apply_allowed": f.cell(TASKS, "task:9", "apply"),
        "plan_added_needs_content": f.cell(TASKS, "add:1:1", "content"),
        "plan_date_after_due": "",  # the dated line's cell, checked below
    }


def _check_planted(path: Path, plan, expected: dict[str, str]) -> None:
    ret = check_plan_return(path, plan)
    found = {i.rule_id: i for i in ret.result.issues}
    assert ret.number == "12/KH-THPTHD" and ret.signer == "Lê Thị Hồng Nhung"
    for rule, cell in expected.items():
        assert rule in found, (rule, ret.result.issues)
        if cell:
            assert found[rule].cell == cell and found[rule].sheet == "KH Nhiệm vụ", rule
    assert found["plan_date_after_due"].value == "05/02/2023"
    assert found["plan_date_after_due"].cell == PlanFiller(path).doc_cell("date").coordinate
    missing = [i for i in ret.result.issues if i.rule_id == "plan_task_missing"]
    assert [i.row_key for i in missing] == ["task:5"] and missing[0].cell == ""
    assert {i.rule_id for i in ret.result.issues} == set(expected) | {"plan_task_missing"}
    assert not ret.result.valid


def test_planted_mistakes_found_at_their_cells(drafts, plan004, tmp_path):
    f = PlanFiller(drafts[1])
    f.delete_row(TASKS, "task:5")  # a task left out of the unit's plan
    expected = _planted(f)
    path = f.save(tmp_path / "filled.xlsx")
    _check_planted(path, plan004, expected)


@needs_soffice
@pytest.mark.libreoffice
def test_planted_mistakes_after_libreoffice_resave(drafts, plan004, tmp_path):
    f = PlanFiller(drafts[1])
    f.delete_row(TASKS, "task:5")
    expected = _planted(f)
    path = f.save(tmp_path / "filled.xlsx")
    resaved = soffice_convert(path, tmp_path / "lo", "xlsx", tmp_path / "profile")
    _check_planted(resaved, plan004, expected)


def test_a_clean_plan_is_valid(drafts, plan004, tmp_path):
    f = PlanFiller(drafts[0])
    fill_plan_clean(f, "03/KH-NTMK", "Sóc Trăng, ngày 16 tháng 01 năm 2023", "Trần Văn Minh")
    ret = check_plan_return(f.save(tmp_path / "clean.xlsx"), plan004)
    assert ret.result.valid and not ret.result.issues, ret.result.issues


def test_blank_header_fields_are_errors_at_their_cells(drafts, plan004, tmp_path):
    ret = check_plan_return(drafts[2], plan004)
    found = {i.rule_id: i.cell for i in ret.result.issues}
    f = PlanFiller(drafts[2])
    assert found["plan_number_required"] == f.doc_cell("number").coordinate == "A4"
    assert found["plan_date_required"] == f.doc_cell("date").coordinate
    # the unit list names the signer, so the drafted name is already there
    assert "plan_signer_required" not in found
    f.doc("signer", None)
    path = f.save(tmp_path / "no-signer.xlsx")
    found = {i.rule_id: i.cell for i in check_plan_return(path, plan004).result.issues}
    assert found["plan_signer_required"] == f.doc_cell("signer").coordinate


def test_indicator_targets_against_the_office(tmp_path, st_units):
    plan = load_plan(PLANS / "000-thtc-thanhoai-2024.yaml")
    path = write_unit_plans(plan, st_units[:1], tmp_path)[0]
    f = PlanFiller(path)
    fill_plan_clean(f, "3/KH-NTMK", "Sóc Trăng, ngày 10 tháng 01 năm 2024", "Trần Văn Minh")
    keys = [k for k in f.keys(INDS) if k.startswith("ind:")]
    by_target = {f.get(INDS, k, "office_target"): k for k in keys}
    weak = by_target["trên 88%"]
    f.set(INDS, weak, "target", "từ 85% trở lên")
    strong = by_target["đạt 80%"]
    f.set(INDS, strong, "target", "từ 90% trở lên")
    unread = by_target["90%"]
    f.set(INDS, unread, "target", "phấn đấu cao")
    na = by_target["đạt 100%"]
    f.set(INDS, na, "apply", "Không áp dụng")
    f.set(INDS, na, "reason", "Trường không có phần mềm này")
    ret = check_plan_return(f.save(tmp_path / "ind.xlsx"), plan)
    got = {(i.rule_id, i.cell) for i in ret.result.issues}
    assert got == {("plan_target_weaker", f.cell(INDS, weak, "target")),
                   ("plan_target_unreadable", f.cell(INDS, unread, "target"))}
    assert all(i.severity == "warning" for i in ret.result.issues)


def test_consolidation_recomputed_from_the_cells(drafts, plan004, st_units, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled = []
    for n, (path, unit) in enumerate(zip(drafts, st_units, strict=True)):
        if n == 2:
            continue  # Lê Lợi sends nothing
        f = PlanFiller(path)
        fill_plan_clean(f, f"{n + 1}/KH-X", f"Sóc Trăng, ngày 1{n} tháng 01 năm 2023",
                        unit.signer_name)
        if n == 1:
            f.set(TASKS, "task:3", "apply", "Không áp dụng")
            f.set(TASKS, "task:3", "reason", "Không thuộc chức năng của trường")
            f.set(TASKS, "task:2", "deadline", "Quý II/2023")
            f.delete_row(TASKS, "task:5")
        out = f.save(inbox / path.name)
        when = (datetime(2023, 1, 20, 9) + timedelta(days=15 * n)).timestamp()  # 2nd: late
        os.utime(out, (when, when))
        filled.append(out)
    result = merge_plans([inbox], plan004, st_units, tmp_path / "tong-hop.xlsx")
    wb = load_workbook(result.out)
    status = wb["Tình hình ban hành KH"]
    rows = {r[1]: r for r in status.iter_rows(values_only=True) if r[0] in ("1", "2", "3")}
    assert rows["Trường THPT Chuyên Nguyễn Thị Minh Khai"][2:7] == (
        "1/KH-X", "10/01/2023", "20/01/2023", "Có", "Có")
    assert rows["Trường THPT Hoàng Diệu"][2:8] == (
        "2/KH-X", "11/01/2023", "04/02/2023", "Không", "Không", "Thiếu nhiệm vụ 5")
    assert rows["Trường THPT Lê Lợi"][2:8] == ("", "", "", "", "", "Chưa gửi")
    # per task: recount from the filled workbooks' own cells
    sheets = [PlanFiller(p) for p in filled]
    tasks = wb["Nhiệm vụ theo đơn vị"]
    table = {r[0]: r for r in tasks.iter_rows(values_only=True)
             if r[0] and str(r[0]).isdigit() and r[2] is not None}
    for task in plan004.tasks:
        taken = na = absent = 0
        deadlines: dict[str, int] = {}
        for f in sheets:
            if task.key not in f.sheets[TASKS][3]:
                absent += 1
            elif f.get(TASKS, task.key, "apply") == "Không áp dụng":
                na += 1
            else:
                taken += 1
                d = f.get(TASKS, task.key, "deadline")
                deadlines[d] = deadlines.get(d, 0) + 1
        row = table[task.stt]
        assert row[2:5] == (str(taken), str(na), str(absent)), task.stt
        for d, k in deadlines.items():
            assert f"{d.rstrip('.;')} ({k})" in row[5], (task.stt, row[5])
    assert table["3"][6].startswith("Không áp dụng: Trường THPT Hoàng Diệu")
    assert "Thiếu: Trường THPT Hoàng Diệu" in table["5"][6]
    # signed: the issuer's signer and Nơi nhận on both appendices
    for ws in (status, tasks):
        texts = [c for r in ws.iter_rows(values_only=True) for c in r if c]
        assert "GIÁM ĐỐC" in texts and "Châu Tuấn Hồng" in texts and "Nơi nhận:" in texts


@pytest.mark.parametrize("with_profile", [True, False])
def test_plan_consolidation_appendices_are_attached_and_addressed(plan004, st_units, tmp_path,
                                                                  with_profile):
    """Like every consolidated appendix, each of the plan consolidation's says which report
    it goes with ("(Kèm theo Báo cáo số … của Sở Giáo dục và Đào tạo …)", in normal case),
    and its Nơi nhận is "- Name;" lines in normal case ending "- Lưu: …"; without a profile
    it goes to the office's superior (it was "- Lưu: VT." alone, and no "Kèm theo" line)."""
    from datetime import date

    from cchc_xlsx.plans.office_profile import load_office_profile

    profile = (load_office_profile(SAMPLES / "office" / "sgddt-soctrang.yaml")
               .with_run("85", date(2023, 2, 10)) if with_profile else None)
    inbox = sorted((SAMPLES / "plan-returns").glob("*.xlsx"))
    result = merge_plans(inbox, plan004, st_units, tmp_path / "th.xlsx", profile)
    wb = load_workbook(result.out)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        texts = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
        attached = [t for t in texts if t.startswith("(Kèm theo Báo cáo số")]
        if with_profile:
            assert attached == ["(Kèm theo Báo cáo số 85/BC-SGDĐT ngày 10 tháng 02 năm 2023 "
                                "của Sở Giáo dục và Đào tạo)"], ws.title
        else:
            assert len(attached) == 1 and attached[0].endswith(
                "năm 2023 của Sở Giáo dục và Đào tạo)"), (ws.title, attached)
        at = texts.index("Nơi nhận:")
        lines = [t for t in texts[at + 1:] if t.startswith("- ")]
        assert lines[-1].startswith("- Lưu:") and len(lines) >= 2, lines
        assert all(t.endswith(";") and t != t.upper() for t in lines[:-1]), lines
        if not with_profile:
            assert lines[0] == "- Ủy ban nhân dân tỉnh Sóc Trăng;"


def test_reports_of_other_kinds_are_refused(plan004, unit_books_004):
    _, report = check_plan_returns([unit_books_004], plan004)
    issue = report.files[0].issues[0]
    assert issue.rule_id == "file_unusable" and "không phải là kế hoạch" in issue.message


@pytest.fixture()
def unit_books_004(tmp_path, plan004, st_units):
    from cchc_xlsx.forms.generate import generate

    return generate(plan004, st_units[:1], tmp_path, workers=1)[0]


def _pages(pdf: Path) -> list[list[str]]:
    import unicodedata

    from .libreoffice import pdf_text

    text = unicodedata.normalize("NFC", pdf_text(pdf))
    return [[ln.strip() for ln in page.splitlines() if ln.strip()]
            for page in text.split("\f") if page.strip()]


@needs_soffice
@pytest.mark.libreoffice
def test_unit_plan_workbook_and_word_plan_print(plan004, st_units, tmp_path):
    """The filled sample plan of Trường THPT Hoàng Diệu and its Word plan, printed."""
    from cchc_xlsx.checking.unit_plan_check import read_plan_return
    from cchc_xlsx.reporting.unit_plan_docx import write_unit_plan_docx

    src = next((SAMPLES / "plan-returns").glob("THPT-HD_*.xlsx"))
    pdf = soffice_convert(src, tmp_path / "pdf", "pdf", tmp_path / "profile")
    pages = _pages(pdf)
    first = " ".join(pages[0])
    for expected in ("SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG", "TRƯỜNG THPT HOÀNG DIỆU",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/KH-THPTHD",
                     "Sóc Trăng, ngày 20 tháng 01 năm 2023",
                     "(Kèm theo Kế hoạch số 12/KH-THPTHD ngày 20 tháng 01 năm 2023 của "
                     "Trường THPT Hoàng Diệu)"):
        assert expected in first, expected
    groups = {a.title for a in plan004.areas}
    for n, page in enumerate(pages[:-1], start=1):
        assert page[-1] not in groups, (n, page[-1])  # no group title ends a page
        if n > 1:
            assert page[0] == str(n) and any("Nhiệm vụ cụ thể" in ln for ln in page[1:4])
    last = " ".join(pages[-1])
    assert "HIỆU TRƯỞNG" in last and "Lê Thị Hồng Nhung" in last and "Nơi nhận:" in last
    assert len(pages) <= 20

    ret = read_plan_return(src)
    docx_path, left = write_unit_plan_docx(plan004, st_units[1], tmp_path / "kh.docx", ret)
    assert left == 3  # objectives, its own indicators (004 has none), funding
    pages = _pages(soffice_convert(docx_path, tmp_path / "pdfw", "pdf", tmp_path / "profile"))
    first = " ".join(pages[0])
    for expected in ("TRƯỜNG THPT HOÀNG DIỆU", "Số: 12/KH-THPTHD", "KẾ HOẠCH",
                     "Căn cứ Kế hoạch số ……/KH-SGDĐT của Sở Giáo dục và Đào tạo",
                     "I. MỤC TIÊU", "II. CHỈ TIÊU", "III. NHIỆM VỤ TRỌNG TÂM"):
        assert expected in first, expected
    body = " ".join(" ".join(p) for p in pages)
    for expected in ("IV. KINH PHÍ THỰC HIỆN", "V. TỔ CHỨC THỰC HIỆN", "trước ngày 31/01/2023",
                     "Nơi nhận:", "Lê Thị Hồng Nhung", "PHỤ LỤC", "Tập huấn CCHC"):
        assert expected in body, expected
    # the task the school marked not applicable is not in its plan; the one it dropped
    # is not either
    assert plan004.tasks[11].content[:30] not in body
    appendix = next(i for i, p in enumerate(pages) if "PHỤ LỤC" in p)
    assert any("Kèm theo Kế hoạch số 12/KH-THPTHD" in ln for ln in pages[appendix])
    # page numbers from page 2 (NĐ 30); the appendix numbers its own pages
    assert pages[0][0] != "1" and pages[appendix][0] != "1"
    for n, page in enumerate(pages[1:appendix], start=2):
        assert page[0] == str(n), n
    for n, page in enumerate(pages[appendix + 1:], start=2):
        assert page[0] == str(n), ("phụ lục", n)


def test_validate_for_reports_points_a_plan_to_its_own_commands():
    from cchc_xlsx.checking.validate import validate

    src = next((SAMPLES / "plan-returns").glob("THPT-LL_*.xlsx"))
    report = validate([src])
    [issue] = report.files[0].issues
    assert not report.files[0].usable and "unit-plan validate" in issue.message


def test_plan_consolidation_composes_upward(drafts, plan004, st_units, tmp_path):
    """merge(merge(A, B), C) = merge(A, B, C): an office's consolidation of its units'
    plans is valid input one level up, its units counted exactly."""
    from cchc_xlsx.model import Signer, Unit
    from cchc_xlsx.plans.office_profile import OfficeProfile

    inbox = tmp_path / "in"
    inbox.mkdir()
    filled = {}
    for n, (path, unit) in enumerate(zip(drafts, st_units, strict=True)):
        f = PlanFiller(path)
        fill_plan_clean(f, f"{n + 1}/KH-X", "Sóc Trăng, ngày 10 tháng 01 năm 2023",
                        unit.signer_name)
        if n == 0:
            f.set(TASKS, "task:3", "apply", "Không áp dụng")
            f.set(TASKS, "task:3", "reason", "Không có")
        if n == 1:
            f.delete_row(TASKS, "task:5")
            f.set(TASKS, "task:2", "deadline", "Quý II/2023")
        filled[unit.code] = f.save(inbox / path.name)
    direct = merge_plans(list(filled.values()), plan004, st_units, tmp_path / "all.xlsx")
    office = OfficeProfile(superior="ỦY BAN NHÂN DÂN THÀNH PHỐ SÓC TRĂNG",
                           name="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", code="PGD-TPST",
                           signer=Signer(title="TRƯỞNG PHÒNG", name="Ngô Văn Bình"))
    a, b, c = st_units
    middle = merge_plans([filled[a.code], filled[b.code]], plan004, [a, b],
                         tmp_path / "pgd.xlsx", office)
    pgd = Unit("PGD-TPST", "Phòng Giáo dục và Đào tạo Thành phố Sóc Trăng")
    top = merge_plans([middle.out, filled[c.code]], plan004, [pgd, c], tmp_path / "so.xlsx")
    assert [s.sent for s in top.statuses] == [True, True] and not top.strays
    for d, t in zip(direct.tasks, top.tasks, strict=True):
        assert (sorted(d.taken), sorted(d.not_applicable), sorted(d.absent)) == (
            sorted(t.taken), sorted(t.not_applicable), sorted(t.absent)), d.stt
        assert d.deadlines == t.deadlines, d.stt
    rows = [r for r in load_workbook(top.out)["Tình hình ban hành KH"].iter_rows(
        values_only=True) if r[0] == "1"]
    assert rows[0][1] == pgd.name and rows[0][7] == "Tổng hợp: 2/2 đơn vị trực thuộc đã gửi " \
        "kế hoạch"


def test_word_header_names_break_keeping_the_place_whole():
    """Measured against the header cell (7 cm on the first page, 10.5 cm after), through
    the same ``break_name`` the workbooks use."""
    from cchc_xlsx.reporting.unit_plan_docx import header_lines

    assert header_lines("SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG", 7.0) == ["SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                                                                   "SÓC TRĂNG"]
    assert header_lines("ỦY BAN NHÂN DÂN HUYỆN ĐỨC HÒA", 7.0) == ["ỦY BAN NHÂN DÂN",
                                                                "HUYỆN ĐỨC HÒA"]
    for cm in (7.0, 10.5):
        assert header_lines("TRƯỜNG THPT CHUYÊN NGUYỄN THỊ MINH KHAI", cm) == [
            "TRƯỜNG THPT CHUYÊN", "NGUYỄN THỊ MINH KHAI"]
    assert header_lines("TRƯỜNG MẦM NON TUỔI THƠ", 7.0) == ["TRƯỜNG MẦM NON TUỔI THƠ"]
    # a wider cell keeps on one line what fits it (the character count broke it anyway)
    assert header_lines("SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG", 10.5) == [
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG"]


def test_report_merge_refuses_the_plan_round(plan004, st_units, tmp_path):
    from cchc_xlsx.errors import UserError
    from cchc_xlsx.merging.merge import merge, office_from_units

    with pytest.raises(UserError, match="unit-plan merge"):
        merge([SAMPLES / "plan-returns"], plan004, st_units, "kh-2023", tmp_path / "x.xlsx",
              office_from_units(st_units, plan004))


def test_cli_commands(tmp_path):
    from click.testing import CliRunner

    from cchc_xlsx.cli import main

    plan, units = str(PLAN_004), str(UNITS_ST)
    run = CliRunner().invoke
    r = run(main, ["unit-plan", "draft", "--plan", plan, "--units", units,
                   "--out", str(tmp_path / "kh")])
    assert r.exit_code == 0 and "Đã soạn 3 sổ kế hoạch" in r.output
    r = run(main, ["unit-plan", "draft", "--plan", str(PLANS / "003-pgddt-q11-2024.yaml"),
                   "--units", units, "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "không có nhiệm vụ hay chỉ tiêu" in r.output
    returns = str(SAMPLES / "plan-returns")
    r = run(main, ["unit-plan", "validate", "--plan", plan, returns])
    assert r.exit_code == 1 and "[plan_task_missing]" in r.output
    r = run(main, ["unit-plan", "merge", "--plan", plan, "--units", units, "--out",
                   str(tmp_path / "th.xlsx"), returns])
    assert r.exit_code == 0 and "Đã nhận kế hoạch của 3/3 đơn vị" in r.output
    r = run(main, ["unit-plan", "word", "--plan", plan, "--units", units, "--from",
                   next(iter(sorted((SAMPLES / "plan-returns").glob("THPT-LL_*")))).as_posix(),
                   "--out", str(tmp_path / "kh.docx")])
    assert r.exit_code == 0 and "Còn 3 chỗ tô vàng" in r.output
    r = run(main, ["generate", "--plan", plan, "--units", units, "--form",
                   "plan_tasks_column", "--out", str(tmp_path / "g")])
    assert r.exit_code == 2 and "unit-plan draft" in r.output


def test_draft_never_overwrites_a_filled_plan(drafts, plan004, st_units):
    from cchc_xlsx.errors import UserError

    again = write_unit_plans(plan004, st_units, drafts[0].parent)  # a re-run: same drafts
    assert again == drafts
    f = PlanFiller(drafts[0])
    f.doc("number", "Số: 05/KH-X")
    f.save()
    with pytest.raises(UserError, match="không ghi đè"):
        write_unit_plans(plan004, st_units, drafts[0].parent)
    assert PlanFiller(drafts[0]).doc_cell("number").value == "Số: 05/KH-X"
    write_unit_plans(plan004, st_units, drafts[0].parent, overwrite=True)
    assert PlanFiller(drafts[0]).doc_cell("number").value != "Số: 05/KH-X"
