"""The Word report a head would sign as is: every verdict follows the rule the text states
(Σ numerator / Σ denominator against the parsed target), checked against the consolidated
workbook's own cells; placeholders are highlighted and counted; lettered lists start at a);
"Số" sits on the date line; and on LibreOffice's PDF no page ends with a heading or a
caption, and the signer's title, name and Nơi nhận are on one page with the closing text."""

from __future__ import annotations

import operator
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from cchc_xlsx.cli import main
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.office_profile import load_office_profile
from cchc_xlsx.plans.phrases import parse_target
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.reporting.report_context import judge, plan_warnings
from cchc_xlsx.reporting.word_report import count_placeholders, draft_report

from .conftest import PLAN_001, SAMPLES, UNITS_CSV, needs_soffice
from .libreoffice import soffice_convert

PROFILE = SAMPLES / "office" / "phong-gddt-quan8.yaml"


def _merged(tmp: Path, with_profile: bool) -> Path:
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES / "returns", inbox)
    due = datetime(2023, 3, 5, 9)
    for f in sorted(inbox.iterdir()):
        when = due - timedelta(days=1)
        os.utime(f, (when.timestamp(), when.timestamp()))
    plan = load_plan(PLAN_001)
    units = load_units(UNITS_CSV)
    profile = (load_office_profile(PROFILE).with_run("45", datetime(2023, 3, 10).date())
               if with_profile else None)
    office = office_from_units(units, plan, profile=profile)
    out = tmp / "tong-hop.xlsx"
    merge([inbox], plan, units, "q1-2023", out, office, now=datetime(2023, 3, 12, 9, 30),
          workers=1)
    return out


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    return _merged(tmp_path_factory.mktemp("rp"), with_profile=True)


@pytest.fixture(scope="module")
def merged_plain(tmp_path_factory) -> Path:
    """The same returns merged without an office profile (the office guessed)."""
    return _merged(tmp_path_factory.mktemp("rp-plain"), with_profile=False)


@pytest.fixture(scope="module")
def drafted(merged):
    return draft_report(merged, merged.parent / "bao-cao.docx")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


# --- the verdict rule ---------------------------------------------------------------------


@pytest.mark.parametrize(("target", "measure", "num", "den", "total", "verdict"), [
    ("từ 95% trở lên", "rate", 9551, 10000, 0, "Đạt"),  # 95,51 %
    ("từ 95% trở lên", "rate", 9499, 10000, 0, "Chưa đạt"),
    ("ít nhất 03 tin, bài", "count", 0, 0, 8, "Đạt"),
    ("ít nhất 03 tin, bài", "count", 0, 0, 2, "Chưa đạt"),
    ("100%", "rate", 187, 187, 0, "Đạt"),
    ("100%", "rate", 0, 0, 0, "Không phát sinh"),  # 0/0 is not a miss
    ("không có công chức bị kỷ luật", "count", 0, 0, 0, "Đạt"),
    ("bằng hoặc cao hơn năm 2022", "rate", 9, 10, 0, "(Cơ quan tự đánh giá)"),
])
def test_verdict_by_the_stated_rule(target, measure, num, den, total, verdict):
    assert judge(target, measure, num, den, total) == verdict


def test_plan_of_another_body_or_after_the_period_is_flagged():
    plan = {"issuer": "TRƯỜNG MẦM NON TUỔI THƠ", "number": "71/KH-MNTT"}
    own, after, notes = plan_warnings(plan, "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8",
                                      datetime(2023, 3, 17).date(),
                                      datetime(2023, 3, 14).date())
    assert not own and after and len(notes) == 2
    own, after, notes = plan_warnings({"issuer": "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"},
                                      "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 11",
                                      datetime(2024, 3, 1).date(),
                                      datetime(2024, 3, 14).date())
    assert own and not after and notes == []


# --- every verdict against the workbook's cells -------------------------------------------

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
        "=": operator.eq}


def _workbook_indicators(path: Path) -> dict[str, dict]:
    """TH Chỉ tiêu as the workbook shows it: target text, Σ numerator, Σ denominator,
    result, found by the header texts."""
    wb = load_workbook(path, data_only=True)
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("TH Chỉ tiêu"))
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    header = [str(h or "") for h in rows[at]]
    col = {name: next(i for i, h in enumerate(header) if h.startswith(name))
           for name in ("Chỉ tiêu cần đạt", "Tử số", "Mẫu số", "Kết quả", "Số đơn vị báo cáo")}
    out = {}
    for r in rows[at + 1:]:
        if r[0] in (None, "") or not isinstance(r[col["Số đơn vị báo cáo"]], (int, float)):
            continue
        out[str(r[0])] = {"target": r[col["Chỉ tiêu cần đạt"]] or "",
                          "num": r[col["Tử số"]], "den": r[col["Mẫu số"]],
                          "result": r[col["Kết quả"]],
                          "reporting": r[col["Số đơn vị báo cáo"]]}
    return out


def _expected(fig: dict) -> str:
    """The verdict computed here from the workbook's figures, the way the text states it."""
    if not fig["reporting"]:
        return "Chưa có số liệu"
    if isinstance(fig["den"], (int, float)):
        if fig["den"] <= 0:
            return "Không phát sinh"
        value, rate = fig["num"] / fig["den"], True
    elif isinstance(fig["result"], (int, float)):
        value, rate = fig["result"], False
    else:
        return "(Cơ quan tự đánh giá)"
    t = parse_target(fig["target"])
    if not t.parsed or t.value is None or t.baseline or t.per or t.op not in _OPS:
        return "(Cơ quan tự đánh giá)"
    goal = t.value / 100 if rate and t.unit == "%" else t.value
    return "Đạt" if _OPS[t.op](round(value, 9), goal) else "Chưa đạt"


def _report_verdicts(docx: Path) -> dict[str, list[str]]:
    doc = Document(str(docx))
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text.strip() == "Đánh giá")
    out = {}
    for row in table.rows[1:]:
        cells = row.cells
        out[cells[0].text.strip()] = cells[-1].text.strip().splitlines() + [cells[3].text]
    return out


def test_every_verdict_agrees_with_the_workbook_figures(merged, drafted):
    figures = _workbook_indicators(merged)
    verdicts = _report_verdicts(drafted.path)
    assert len(figures) > 10
    judged = set()
    for stt, fig in figures.items():
        lines = verdicts[stt]
        assert lines[0], f"chỉ tiêu {stt}: đánh giá để trống"
        assert lines[0] == _expected(fig), (stt, fig, lines)
        judged.add(lines[0])
        if lines[0] == "Chưa đạt":
            # the units that missed are named beside the verdict
            assert any(line.startswith("Đơn vị chưa đạt:") for line in lines), (stt, lines)
    assert {"Đạt", "Chưa đạt"} <= judged  # the sample has both


def test_units_that_missed_are_the_ones_below_target(merged, drafted):
    """Each unit named as missing a rate target has its own ratio below it."""
    from cchc_xlsx.reporting.report_context import load_consolidation

    agg, _office, outline = load_consolidation(merged)
    names = {c: s.unit_name for c, s in agg.units.items()}
    verdicts = _report_verdicts(drafted.path)
    checked = 0
    for ind in outline["indicators"]:
        if ind["group"] or ind["measure"] != "rate":
            continue
        t = parse_target(ind["target"])
        if not t.parsed or t.op not in _OPS or t.value is None:
            continue
        missed = set()
        for code, per in agg.indicator_by_unit.items():
            num, den = per[ind["key"]][:2] if ind["key"] in per else (0, 0)
            if den and not _OPS[t.op](num / den, t.value / 100):
                missed.add(names[code])
        line = next((x for x in verdicts[ind["stt"]] if x.startswith("Đơn vị chưa đạt:")), "")
        shown = {n.strip() for n in line.removeprefix("Đơn vị chưa đạt:").rstrip(".").split(",")
                 if n.strip()}
        assert shown == missed, ind["stt"]
        checked += 1
    assert checked > 5


def _unit_expected(target: str, measure: str, figures) -> str | None:
    """One unit's verdict computed here from its stored figures by the rule the report's
    text states: its own ratio (a rate) or total (a count) against the target; where the
    target is no comparison, the unit's own declared verdict (1 met, 0 not, -1 none)."""
    num, den, total, own = (list(figures) + [-1])[:4]
    t = parse_target(target)
    comparable = (t.parsed and t.value is not None and not t.baseline and not t.per
                  and t.op in _OPS and measure in ("rate", "count"))
    if comparable and measure == "rate":
        if den <= 0:
            return "Không phát sinh"
        goal = t.value / 100 if t.unit == "%" else t.value
        return "Đạt" if _OPS[t.op](round(num / den, 9), goal) else "Chưa đạt"
    if comparable:
        return "Đạt" if _OPS[t.op](total, t.value) else "Chưa đạt"
    return {1: "Đạt", 0: "Chưa đạt"}.get(own)


def test_every_units_verdict_by_the_same_rule(merged, drafted):
    """For every indicator (a rate, a count, one the units judge themselves), the units named
    as missing it and the "Số đơn vị đạt" count follow from each unit's own figures."""
    from cchc_xlsx.reporting.report_context import load_consolidation

    agg, _office, outline = load_consolidation(merged)
    doc = Document(str(drafted.path))
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text.strip() == "Đánh giá")
    cells = {r.cells[0].text.strip(): r.cells for r in table.rows[1:]}
    kinds = set()
    for ind in outline["indicators"]:
        if ind["group"]:
            continue
        missed, met, reporting = set(), 0, 0
        for code, per in agg.indicator_by_unit.items():
            if ind["key"] not in per:
                continue
            reporting += 1
            verdict = _unit_expected(ind["target"], ind["measure"], per[ind["key"]])
            met += verdict == "Đạt"
            if verdict == "Chưa đạt":
                missed.add(agg.units[code].unit_name)
        row = cells[ind["stt"]]
        line = next((x for x in row[-1].text.splitlines() if x.startswith("Đơn vị chưa đạt:")),
                    "")
        shown = {n.strip() for n in line.removeprefix("Đơn vị chưa đạt:").rstrip(".").split(",")
                 if n.strip()}
        assert shown == missed, ind["stt"]
        assert row[4].text.strip() == f"{met}/{reporting}", ind["stt"]
        kinds.add(ind["measure"])
    # the sample has rates and indicators the units judge ("text"); counts: the rule's test
    assert {"rate", "text"} <= kinds
    # and the text says how those the units judge are counted
    assert squash("số đơn vị đạt và đơn vị chưa đạt của chỉ tiêu đó theo tự đánh giá của "
                  "từng đơn vị") in squash(" ".join(_paragraph_texts(drafted.path)))


# --- words on the page ----------------------------------------------------------------------


def _paragraph_texts(docx: Path) -> list[str]:
    """Every paragraph's text in reading order, those held in a table row too (a heading
    kept with its first item shares a one-cell row with it)."""
    body = Document(str(docx)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def test_lettered_lists_start_at_a(drafted):
    letters = []
    for text in _paragraph_texts(drafted.path):
        m = re.match(r"^(\d+)\. ", text)
        if m:
            letters.append([])
        m = re.match(r"^([a-h])\) ", text)
        if m and letters:
            letters[-1].append(m.group(1))
    lists = [x for x in letters if x]
    assert lists
    for found in lists:
        assert found == list("abcdefgh"[:len(found)]), found


def test_tthc_cells_are_single_figures_that_add_up(drafted):
    doc = Document(str(drafted.path))
    table = next(t for t in doc.tables
                 if len(t.columns) > 1 and t.rows[0].cells[1].text.strip() == "Lĩnh vực")
    body = [[c.text.strip() for c in r.cells] for r in table.rows[1:]]
    total = next(r for r in body if r[1] == "Tổng cộng")
    rows = [r for r in body if r[1] != "Tổng cộng"]
    assert rows
    for col in range(2, 7):
        for r in rows:
            assert re.fullmatch(r"\d{1,3}(\.\d{3})*", r[col]), r
        assert sum(int(r[col].replace(".", "")) for r in rows) == int(
            total[col].replace(".", "")), col


def test_placeholders_highlighted_and_counted(merged, drafted, tmp_path):
    doc = Document(str(drafted.path))
    lit = [p.text for p in doc.element.body.iter(qn("w:p"))
           if any(True for _ in p.iter(qn("w:highlight")))]
    assert drafted.placeholders == count_placeholders(drafted.path) >= 3
    flat = squash(" ".join(_paragraph_texts(drafted.path)))
    assert "(Phòngsoạn" not in flat
    assert lit is not None
    highlighted = "".join(squash(t.text) for t in doc.element.body.iter(qn("w:t"))
                          if t.getparent().find(qn("w:rPr")) is not None
                          and t.getparent().find(qn("w:rPr")).find(qn("w:highlight"))
                          is not None)
    assert squash("(Cơ quan soạn nhận xét về ưu điểm.)") in highlighted
    # the sample plan is a school's, dated after the period: both warnings, highlighted
    assert squash("không phải của Phòng Giáo dục và Đào tạo Quận 8") in highlighted
    assert squash("sau kỳ báo cáo") in highlighted
    res = CliRunner().invoke(main, ["report", "--merged", str(merged), "--out",
                                    str(tmp_path / "b.docx")])
    assert res.exit_code == 0, res.output
    assert f"Còn {drafted.placeholders} chỗ tô vàng" in res.output
    assert "Lưu ý: Kế hoạch số 71/KH-MNTT ban hành ngày 17/03/2023, sau kỳ báo cáo" \
        in res.output


def test_without_profile_the_title_comes_from_the_office_kind(merged_plain, tmp_path):
    drafted = draft_report(merged_plain, tmp_path / "b.docx")
    doc = Document(str(drafted.path))
    signature = doc.tables[-1].rows[0].cells[1].text
    assert "TRƯỞNG PHÒNG" in signature
    assert "(Họ và tên người ký)" in signature


def test_layout_properties_in_the_docx(drafted):
    """Headings and captions keep with the next paragraph (or share a row that cannot split
    with it), no table row splits, the data tables repeat their header row (what Word and
    LibreOffice paginate by)."""
    doc = Document(str(drafted.path))
    keep = {p.text for p in doc.paragraphs if p.paragraph_format.keep_with_next}
    for table in doc.tables:  # or held with what follows in a row that cannot split
        if len(table._tbl.findall(f".//{qn('w:tc')}")) == 1:
            assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
            keep |= {p.text for p in table.rows[0].cells[0].paragraphs[:-1]}
    for text in ("I. TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ", "VI. ĐÁNH GIÁ CHUNG",
                 "III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "a) Đã hoàn thành:",
                 "Kết quả theo cấp học (số lượt nhiệm vụ của các đơn vị; hồ sơ TTHC):"):
        assert text in keep, text
    for table in doc.tables:
        for row in table.rows:
            trpr = row._tr.trPr
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
    data = [t for t in doc.tables if t.rows[0].cells[0].text.strip() in ("STT", "Cấp học")]
    assert len(data) == 3
    for t in data:
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # an indicator group row ("2 Về giải quyết hồ sơ …") stays with the indicator under it
    indicators = next(t for t in data if t.rows[0].cells[-1].text.strip() == "Đánh giá")
    groups = [r for r in indicators.rows[1:] if len({c._tc for c in r.cells}) == 2]
    assert groups
    for r in groups:
        assert all(p.paragraph_format.keep_with_next for c in r.cells for p in c.paragraphs)


# --- on LibreOffice's PDF -------------------------------------------------------------------


def _pdf_pages(docx: Path, tmp: Path) -> list[str]:
    pdf = soffice_convert(docx, tmp / "pdf", "pdf", tmp / "profile")
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [p for p in raw.split("\f") if p.strip()]


def _on(run, tag: str) -> bool:
    """Whether a run is bold ("w:b") or italic ("w:i") by its own properties."""
    rpr = run.find(qn("w:rPr"))
    el = rpr.find(qn(tag)) if rpr is not None else None
    return el is not None and el.get(qn("w:val")) not in ("0", "false")


def _kept_paragraphs(docx: Path) -> list[str]:
    """Body paragraphs that must not end a page, found by what they are (not by the
    properties under test): headings and captions (short, all bold or all italic) and the
    paragraph leading into a table."""
    doc = Document(str(docx))
    body = []  # a one-cell table (a group kept in a row that cannot split) read as its text
    for el in doc.element.body.iterchildren():
        cells = list(el.iter(qn("w:tc"))) if el.tag == qn("w:tbl") else []
        body += cells[0].findall(qn("w:p")) if len(cells) == 1 else [el]
    out = []
    for i, el in enumerate(body):
        if el.tag != qn("w:p"):
            continue
        runs = [r for r in el.iter(qn("w:r")) if "".join(t.text or "" for t in
                                                        r.iter(qn("w:t"))).strip()]
        text = "".join(t.text or "" for t in el.iter(qn("w:t")))
        if not text.strip():
            continue
        styled = runs and len(text) < 150 and (all(_on(r, "w:b") for r in runs)
                                                or all(_on(r, "w:i") for r in runs))
        before_table = i + 1 < len(body) and body[i + 1].tag == qn("w:tbl")
        if styled or before_table:
            out.append(text)
    return out


def check_pages(docx: Path, pages: list[str], signer: tuple[str, ...],
                closing: tuple[str, ...] = ("Lưu: VT.", "Trên đây là báo cáo")) -> None:
    """No heading or caption ends a page; the signer's lines, Nơi nhận and ``closing`` on
    one page: the last, unless appendices follow the signed text (a plan's)."""
    flat = [squash(p) for p in pages]
    # drop the page number printed at the top from page 2 on
    flat = [f if i == 0 else f.removeprefix(str(i + 1)) for i, f in enumerate(flat)]
    page, pos = 0, 0
    for text in _kept_paragraphs(docx):
        key = squash(text)
        while page < len(flat) and (at := flat[page].find(key, pos)) < 0:
            page, pos = page + 1, 0
        assert page < len(flat), f"không thấy «{text}» trên bản in"
        pos = at + len(key)
        assert flat[page][pos:], f"trang {page + 1} kết thúc bằng «{text}»"
    # the signature: title, name and Nơi nhận on one page, with the closing sentence
    signed = [p for p in flat if squash("Nơi nhận:") in p]
    assert len(signed) == 1, "Nơi nhận không nằm trọn trên một trang"
    last = signed[0] if "Trên đây là báo cáo" not in closing else flat[-1]
    for text in (*signer, "Nơi nhận:", *closing):
        assert squash(text) in last, text


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_pages_keep_headings_and_signature(merged, drafted, tmp_path):
    pages = _pdf_pages(drafted.path, tmp_path)
    assert len(pages) >= 5
    check_pages(drafted.path, pages, ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Nguyễn Văn An"))
    # Số under the left block, on the line of the place and date
    line = next(x for x in pages[0].splitlines() if "Số: 45/BC-GDĐT" in x)
    assert "Quận 8, ngày 10 tháng 3 năm 2023" in line
    # the verdict table prints its header again on the page it runs onto
    runs_on = [p for p in pages if "Đơn vị chưa đạt" in p]
    assert len(runs_on) >= 2
    for p in runs_on:
        assert re.search(r"STT\s+Chỉ tiêu", p) or "Chỉ tiêu cần" in p


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_pages_without_profile(merged_plain, tmp_path):
    drafted = draft_report(merged_plain, tmp_path / "b.docx")
    pages = _pdf_pages(drafted.path, tmp_path)
    check_pages(drafted.path, pages, ("TRƯỞNG PHÒNG", "(Họ và tên người ký)"))


@pytest.fixture(scope="module")
def big_report(tmp_path_factory, units) -> Path:
    """A 200-task plan (ten groups of twenty), three units' filled returns, consolidated
    under the office profile and drafted: a report of about 27 pages."""
    from cchc_xlsx.forms.generate import generate

    from .fill import Filler, fill_clean
    from .plan_docs import big_plan

    tmp = tmp_path_factory.mktemp("big-report")
    plan = big_plan(200, per_group=20)
    books = generate(plan, units[:3], tmp / "books", period_id="q1-2023", workers=1)
    inbox = tmp / "inbox"
    inbox.mkdir()
    for i, book in enumerate(books):
        fill_clean(Filler(book), seed=i).save(inbox / book.name)
    profile = load_office_profile(PROFILE).with_run("45", datetime(2023, 3, 10).date())
    office = office_from_units(units, plan, profile=profile)
    merged = tmp / "tong-hop.xlsx"
    merge([inbox], plan, units[:3], "q1-2023", merged, office,
          now=datetime(2023, 3, 12, 9, 30), workers=1)
    return draft_report(merged, tmp / "bao-cao.docx").path


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_pages_of_a_200_task_plan(big_report, tmp_path):
    pages = _pdf_pages(big_report, tmp_path)
    assert len(pages) >= 15
    check_pages(big_report, pages, ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Nguyễn Văn An"))


def test_the_offices_own_plan_is_cited(merged, tmp_path):
    """When the plan is the office's own, the opening cites it in full (no placeholder);
    a plan dated after the period still gets its highlighted warning."""
    from dataclasses import replace

    from docxtpl import DocxTemplate

    from cchc_xlsx.reporting.report_context import build_context, load_consolidation
    from cchc_xlsx.reporting.word_report import _verdict_cell, default_template

    agg, office, outline = load_consolidation(merged)
    office = replace(office, name="TRƯỜNG MẦM NON TUỔI THƠ")  # the plan's issuer
    context = build_context(agg, office, outline)
    assert context["ke_hoach"]["cua_co_quan"] and context["ke_hoach"]["sau_ky"]
    assert len(context["canh_bao"]) == 1 and "sau kỳ báo cáo" in context["canh_bao"][0]
    for row in context["chi_tieu"]:
        row["danh_gia_rt"] = _verdict_cell(row)
    doc = DocxTemplate(str(default_template()))
    doc.render(context, autoescape=True)
    out = tmp_path / "own.docx"
    doc.save(str(out))
    flat = squash(" ".join(_paragraph_texts(out)))
    assert squash("Thực hiện Kế hoạch số 71/KH-MNTT ngày 17 tháng 3 năm 2023 của Trường Mầm "
                  "non Tuổi Thơ") in flat
    assert "…/KH-…" not in flat
    assert count_placeholders(out) == count_placeholders(
        draft_report(merged, tmp_path / "other.docx").path) - 2  # citation and its warning
