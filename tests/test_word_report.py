"""The drafted Word report: its figures equal the consolidated workbook's visible cells
(read with openpyxl, never through the report's own reading of the hidden identity), it
prints through LibreOffice with the office's header, signer and Nơi nhận, the default
template is rebuilt reproducibly, and a broken input or template is one sentence."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import zipfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from cchc_xlsx.cli import main
from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.office_profile import load_office_profile
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.reporting import default_template
from cchc_xlsx.reporting.word_report import write_report

from .conftest import PLAN_001, PLAN_004, SAMPLES, UNITS_CSV, UNITS_XLSX, needs_soffice
from .libreoffice import soffice_convert

PROFILE = SAMPLES / "office" / "phong-gddt-quan8.yaml"
NOW = datetime(2023, 3, 12, 9, 30)


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """The sample returns consolidated under the sample office profile (number 45)."""
    tmp = tmp_path_factory.mktemp("word")
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES / "returns", inbox)
    due = datetime(2023, 3, 5, 9)
    for i, f in enumerate(sorted(inbox.iterdir())):  # all on time but the last one
        when = due + (timedelta(days=1) if i == 7 else timedelta(days=-1))
        os.utime(f, (when.timestamp(), when.timestamp()))
    plan = load_plan(PLAN_001)
    units = load_units(UNITS_CSV)
    profile = load_office_profile(PROFILE).with_run("45", datetime(2023, 3, 10).date())
    office = office_from_units(units, plan, profile=profile)
    out = tmp / "tong-hop.xlsx"
    merge([inbox], plan, units, "q1-2023", out, office, now=NOW, workers=1)
    return out


@pytest.fixture(scope="module")
def report(merged) -> Path:
    return write_report(merged, merged.parent / "bao-cao.docx")


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


# --- what the consolidated workbook shows, read from its cells ---------------------------


def _sheet(wb, title_start: str):
    return next(ws for ws in wb.worksheets if ws.title.startswith(title_start))


def _table(ws, first_header: str = "STT") -> list[tuple]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    out = []
    for r in rows[start + 1:]:
        if r[0] is None and (len(r) < 2 or r[1] in (None, "")):
            if out:
                break
            continue
        out.append(r)
    return out


def workbook_figures(path: Path) -> dict:
    wb = load_workbook(path, data_only=True)
    tasks = []
    for r in _table(_sheet(wb, "TH Nhiệm vụ")):
        if isinstance(r[3], (int, float)):  # a task row: done, doing, not started, n/a
            done, doing, todo, na = (int(v) for v in r[3:7])
            tasks.append((done, done + doing + todo, doing, todo, na))
    indicators = {}
    for r in _table(_sheet(wb, "TH Chỉ tiêu")):
        if isinstance(r[6], (int, float)):
            indicators[str(r[0])] = (r[3], r[4], r[5], int(r[6]), int(r[7]))
    tthc_rows = _table(_sheet(wb, "TH TTHC"))
    total = next(r for r in tthc_rows if r[1] == "Tổng cộng")
    ws = _sheet(wb, "Tình hình nộp")
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "STT")
    col = header.index("Tình trạng")  # found by its header: other columns may come before it
    status = [r[col] for r in _table(ws) if isinstance(r[0], int)]
    levels = [r for r in _table(_sheet(wb, "TH Cấp học")) if isinstance(r[0], int)]
    return {"tasks": tasks, "indicators": indicators, "tthc_total": total[2:13],
            "status": status, "levels": [tuple(r[1:8]) for r in levels]}


def vn(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def percent(rate: float) -> str:
    """One ratio format for every printed output: two decimals, "95,60%", "100,00%"."""
    return f"{rate * 100:.2f}".replace(".", ",") + "%"


def expected_task_phrases(tasks: list[tuple]) -> Counter:
    phrases = Counter()
    for done, applicable, doing, todo, na in tasks:
        parts = [f"{done}/{applicable} đơn vị đã hoàn thành"]
        parts += [f"{doing} đang thực hiện"] if doing else []
        parts += [f"{todo} chưa thực hiện"] if todo else []
        parts += [f"{na} không phát sinh"] if na else []
        phrases[squash(", ".join(parts) + ".")] += 1
    return phrases


TASK_PHRASE = re.compile(r"\d+/\d+đơnvịđãhoànthành(?:,\d+đangthựchiện)?(?:,\d+chưathựchiện)?"
                         r"(?:,\d+khôngphátsinh)?\.")


def check_figures(text: str, figures: dict) -> None:
    """Every figure of the workbook's cells appears in the report as the report words it."""
    flat = squash(text)
    # the submission standing
    sent = sum(1 for s in figures["status"] if s != "Chưa nộp")
    assert f"Có{sent}/{len(figures['status'])}đơnvịgửibáocáo" in flat
    missing = sum(1 for s in figures["status"] if s == "Chưa nộp")
    assert f"Chưanộp:{missing}đơnvị" in flat
    # one phrase per task row, counted exactly
    assert Counter(TASK_PHRASE.findall(flat)) == expected_task_phrases(figures["tasks"])
    # indicators: result and units meeting/reporting, in one table row
    for stt, (_num, den, result, reporting, meeting) in figures["indicators"].items():
        shown = percent(result) if isinstance(result, float) and den else (
            vn(result) if isinstance(result, (int, float)) else "")
        assert f"{shown}{meeting}/{reporting}" in flat, (stt, shown, meeting, reporting)
    # Biểu 06 totals
    c = dict(zip(("c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13"),
                 figures["tthc_total"], strict=True))
    sentence = (f"Tổng số hồ sơ nhận giải quyết: {vn(c['c3'])} (trực tuyến {vn(c['c4'])}; "
                f"trực tiếp, dịch vụ bưu chính {vn(c['c5'])}; từ kỳ trước chuyển qua "
                f"{vn(c['c6'])}). Đã giải quyết {vn(c['c7'])} hồ sơ (trước hạn {vn(c['c8'])}, "
                f"đúng hạn {vn(c['c9'])}, quá hạn {vn(c['c10'])})")
    assert squash(sentence) in flat
    assert squash(f"Đang giải quyết {vn(c['c11'])} hồ sơ (trong hạn {vn(c['c12'])}, "
                  f"quá hạn {vn(c['c13'])})") in flat
    # by cấp học: one table row per level, named as the TH Cấp học appendix writes it
    assert figures["levels"]
    for level, n_units, done, doing, todo, _na, rate in figures["levels"]:
        assert squash(f"{level}{n_units}{done}{doing}{todo}{percent(rate)}") in flat, level


# --- tests -------------------------------------------------------------------------------


def test_docx_figures_equal_the_workbook_cells(merged, report):
    text = _docx_text(report)
    assert "{{" not in text and "{%" not in text
    figures = workbook_figures(merged)
    assert len(figures["tasks"]) > 40 and len(figures["indicators"]) > 10
    check_figures(text, figures)


def test_header_signer_and_recipients_from_the_profile(report):
    flat = squash(_docx_text(report))
    for text in ("ỦY BAN NHÂN DÂN QUẬN 8", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8",
                 "Số: 45/BC-GDĐT", "Quận 8, ngày 10 tháng 3 năm 2023", "BÁO CÁO",
                 "Kết quả thực hiện công tác cải cách hành chính quý I năm 2023",
                 "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Nguyễn Văn An", "Nơi nhận:",
                 "- Phòng Nội vụ Quận 8;", "- Lưu: VT."):
        assert squash(text) in flat, text
    # the sample plan is a school's own: the report leaves the office's plan to cite
    # (highlighted) instead of citing another body's plan as its own
    assert squash("Thực hiện Kế hoạch số …/KH-… ngày … tháng … năm … của Phòng Giáo dục và "
                  "Đào tạo Quận 8") in flat
    assert squash("Kế hoạch số 71/KH-MNTT ban hành ngày 17/03/2023, sau kỳ báo cáo") in flat


def test_difficulties_compiled_by_topic(merged, report):
    """Each unit's difficulty is in the report once per topic, with the unit named."""
    wb = load_workbook(merged, data_only=True)
    rows: list[list] = []
    for r in _sheet(wb, "Khó khăn").iter_rows(values_only=True):
        if r[0] == "Nơi nhận:":
            break
        if isinstance(r[0], int) and not (rows and r[0] == rows[-1][0]):
            rows.append(list(r[:4]))
        elif rows and isinstance(r[2], str):  # a long list of units goes on below (its
            # number and content printed again after a page break)
            rows[-1][2] += " " + r[2]
    assert rows
    flat = squash(_docx_text(report))
    for _, text, who, n_units in rows:  # one row per content, the units named
        assert squash(text.rstrip(".")) in flat
        named = [w.rsplit(" (", 1)[0] for w in who.rstrip(";").split("; ")]
        assert len(named) == n_units
        assert all(squash(unit) in flat for unit in named)


@needs_soffice
@pytest.mark.libreoffice
def test_libreoffice_renders_the_report_with_the_workbook_figures(merged, report, tmp_path):
    pdf = soffice_convert(report, tmp_path / "pdf", "pdf", tmp_path / "profile")
    import subprocess

    # -layout keeps a table row's cells on one line: "95,56%   7/7   Đạt"
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    pages = raw.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    # the page number is centred at the top from page 2 on, not on page 1
    assert not pages[0].strip().splitlines()[0].strip().isdigit()
    numbers = [p.strip().splitlines()[0].strip() for p in pages[1:]]
    assert numbers == [str(n) for n in range(2, len(pages) + 1)]
    body = "\n".join([pages[0]] + [p.strip().split("\n", 1)[1] for p in pages[1:]])
    check_figures(body, workbook_figures(merged))
    assert squash("Số: 45/BC-GDĐT") in squash(body)
    assert squash("Nguyễn Văn An") in squash(pages[-1])


def test_shipped_template_is_what_the_code_builds(tmp_path):
    built = default_template.build(tmp_path / "t.docx")
    shipped = default_template.TEMPLATE
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(shipped) as b:
        for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
            if part in a.namelist():
                assert a.read(part) == b.read(part), part


def test_edited_template_is_used(merged, tmp_path):
    tpl = tmp_path / "mau.docx"
    doc = Document()
    doc.add_paragraph("Phòng có {{ so_don_vi_tong_hop }} đơn vị; TTHC nhận {{ tthc_tong.c3 }}.")
    doc.save(str(tpl))
    out = write_report(merged, tmp_path / "out.docx", tpl)
    figures = workbook_figures(merged)
    text = _docx_text(out)
    assert f"TTHC nhận {vn(figures['tthc_total'][0])}." in text


def test_broken_template_and_wrong_input_are_one_sentence(merged, tmp_path):
    tpl = tmp_path / "hong.docx"
    doc = Document()
    doc.add_paragraph("{{ nop.da_nop ")
    doc.save(str(tpl))
    with pytest.raises(UserError, match="sai cú pháp"):
        write_report(merged, tmp_path / "x.docx", tpl)
    assert not (tmp_path / "x.docx").exists()
    runner = CliRunner()
    res = runner.invoke(main, ["report", "--merged", str(UNITS_XLSX), "--out",
                               str(tmp_path / "y.docx")])
    assert res.exit_code == 2 and "không phải sổ tổng hợp" in res.output
    res = runner.invoke(main, ["report", "--merged", str(merged), "--out",
                               str(tmp_path / "z.docx"), "--template", str(UNITS_CSV)])
    assert res.exit_code == 2 and "không phải mẫu báo cáo Word" in res.output
    res = runner.invoke(main, ["report-template", str(tmp_path / "mau.docx")])
    assert res.exit_code == 0 and (tmp_path / "mau.docx").is_file()


def test_without_profile_a_so_is_headed_by_its_own_superior():
    """Sóc Trăng's schools name the Sở as their chủ quản: the Sở guessed from them is headed
    by, and reports to, the province (the plan's superior), never by and to itself."""
    units = load_units(SAMPLES / "units" / "soctrang-don-vi.csv")
    office = office_from_units(units, load_plan(PLAN_004))
    assert office.name == "SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG"
    assert office.superior == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert "Sở Giáo dục và Đào tạo Sóc Trăng" not in " ".join(office.recipient_lines())
    # Quận 8's schools name the district's People's Committee: kept as they say
    q8 = office_from_units(load_units(UNITS_CSV), load_plan(PLAN_001))
    assert q8.superior == "ỦY BAN NHÂN DÂN QUẬN 8"
