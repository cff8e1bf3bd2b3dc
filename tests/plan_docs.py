"""Plan documents as offices really make them, built from the sample plans for the tests.

``write_plan_docx`` gives a clean Word version of a sample plan; the functions here then
change it the way people do when they type such a table in Word: a task split over two
rows by a page break, the header repeated mid-table, STT written "1.1." or "2.2)", spaces
typed as NBSP, decomposed (NFD) text, a cell in the legacy TCVN3 and one in VNI fonts, a
lead merged down over a group of tasks, Word bullets instead of typed dashes, and line
breaks inside one paragraph. Nothing is stored: every document is generated per test.
"""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import docx
from docx.table import _Cell

from cchc_xlsx.plans.plan_docx import write_plan_docx
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.reading.normalize import unicode_to_legacy

from .conftest import PLANS

NBSP = "\u00a0"


def sample(name: str):
    return load_plan(next(PLANS.glob(f"{name}*.yaml")))


def _task_table(d):
    return next(t for t in d.tables if t.rows[0].cells[0].text.strip() in ("STT",
                                                                             "Nhiệm vụ chung"))


def _row_index(table, col: int, text: str) -> int:
    for i, row in enumerate(table.rows):
        if row.cells[col].text.strip() == text or row.cells[col].text.startswith(text + ". "):
            return i
    raise KeyError(text)


def _set(cell: _Cell, lines: list[str], font: str | None = None, style: str | None = None):
    tc = cell._tc
    for p in list(tc.iterchildren(docx.oxml.ns.qn("w:p"))):
        tc.remove(p)
    for line in lines or [""]:  # a cell keeps at least one paragraph
        p = cell.add_paragraph(style=style)
        run = p.add_run(line)
        if font:
            run.font.name = font


def _split(text: str) -> tuple[str, str]:
    words = text.split(" ")
    half = max(1, len(words) // 2)
    return " ".join(words[:half]), " ".join(words[half:])


def split_row(table, r: int, cols: list[int], stt_col: int | None) -> None:
    """Cut row ``r`` as a page break does when the rest is typed into a new row: the
    second row has no STT and the second half of the given cells."""
    tr = table.rows[r]._tr
    clone = copy.deepcopy(tr)
    tr.addnext(clone)
    first, second = table.rows[r], table.rows[r + 1]
    for c in range(len(first.cells)):
        cell = second.cells[c]
        if cell._tc.tcPr is not None and cell._tc.tcPr.vMerge is not None:
            continue  # a cell merged down stays merged
        if c in cols:
            a, b = _split(first.cells[c].text)
            _set(first.cells[c], [a])
            _set(cell, [b])
        elif c == stt_col or c not in cols:
            _set(cell, [])


def repeat_header(table, before: int) -> None:
    table.rows[before]._tr.addprevious(copy.deepcopy(table.rows[0]._tr))


def merge_down(table, col: int, first: int, last: int) -> None:
    for r in range(first + 1, last + 1):
        _set(table.cell(r, col), [])
    table.cell(first, col).merge(table.cell(last, col))


def quirky_001(path: Path) -> Path:
    """Seed 001 (numbered group rows) with every quirk of a hand-made Word table."""
    write_plan_docx(sample("001"), path)
    d = docx.Document(str(path))
    t = _task_table(d)
    # legacy fonts: one lead in TCVN3 (.VnTime), its partner in VNI
    r = _row_index(t, 0, "1.6")
    _set(t.cell(r, 3), [unicode_to_legacy("Phòng Giáo dục và Đào tạo.", "tcvn3")], ".VnTime")
    _set(t.cell(r, 4), [unicode_to_legacy("Trường Mầm non Tuổi Thơ", "vni")], "VNI-Times")
    # NBSP and NFD
    r = _row_index(t, 0, "1.5")
    _set(t.cell(r, 1), [t.cell(r, 1).text.replace(" ", NBSP)])
    r = _row_index(t, 0, "2.1")
    _set(t.cell(r, 1), [unicodedata.normalize("NFD", t.cell(r, 1).text)])
    # a deadline typed as one paragraph with line breaks (Shift+Enter)
    cell = t.cell(r, 5)
    lines = [p.text for p in cell.paragraphs]
    _set(cell, [])
    run = cell.add_paragraph().add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    # Word bullets instead of typed dashes
    r = _row_index(t, 0, "1.4")
    items = [p.text[2:] for p in t.cell(r, 2).paragraphs]
    _set(t.cell(r, 2), items, style="List Bullet")
    # STT written "1.1.", "2.2)" and a group "3)"
    for stt, written in (("1.1", "1.1."), ("2.2", "2.2)"), ("3", "3)")):
        _set(t.cell(_row_index(t, 0, stt), 0), [written])
    # a lead shared by a group of tasks, merged down (6.2–6.5 and 7.1–7.5)
    merge_down(t, 3, _row_index(t, 0, "6.2"), _row_index(t, 0, "6.5"))
    merge_down(t, 3, _row_index(t, 0, "7.1"), _row_index(t, 0, "7.5"))
    # a task cut by a page break, its second part typed into a new row without STT
    split_row(t, _row_index(t, 0, "1.3"), [1, 4], stt_col=0)
    # the header repeated where a new page begins
    repeat_header(t, _row_index(t, 0, "4"))
    ind = d.tables[-1]
    repeat_header(ind, _row_index(ind, 0, "6"))
    d.save(str(path))
    return path


def quirky_004(path: Path) -> Path:
    """Seed 004 ("Nhiệm vụ chung" merged down each group; task 3 with three product rows)
    with a task cut by a page break, a repeated header and STT written "5)"."""
    write_plan_docx(sample("004"), path)
    d = docx.Document(str(path))
    t = _task_table(d)
    r = _row_index(t, 1, "5")
    _set(t.cell(r, 1), ["5) " + t.cell(r, 1).text.split(". ", 1)[1]])
    r = _row_index(t, 1, "19")
    cell = t.cell(r, 2)
    products = [p.text for p in cell.paragraphs]
    split_row(t, r, [1], stt_col=None)
    _set(t.cell(r, 2), products[:2])
    _set(t.cell(r + 1, 2), products[2:])
    repeat_header(t, _row_index(t, 1, "20"))
    d.save(str(path))
    return path


def big_plan(n_tasks: int = 200, per_group: int = 20):
    """A synthetic plan of ``n_tasks`` tasks in groups of ``per_group`` (so STT 1.10, 1.20
    exist), built from seed 001's texts, for the 1.10 test and the import bench."""
    import dataclasses

    from cchc_xlsx.model import Area, Task

    base = sample("001")
    texts = base.tasks
    areas = []
    for g in range(0, n_tasks, per_group):
        gi = g // per_group + 1
        tasks = tuple(
            Task(stt=f"{gi}.{i + 1}", content=texts[(g + i) % len(texts)].content,
                 products=texts[(g + i) % len(texts)].products, area_stt=str(gi))
            for i in range(min(per_group, n_tasks - g)))
        areas.append(Area(stt=str(gi), title=base.areas[(gi - 1) % len(base.areas)].title,
                          tasks=tasks))
    return dataclasses.replace(base, areas=tuple(areas))


def appendix_xlsx(path: Path) -> Path:
    """Seed 001's task appendix as an office types it in Excel: two title rows above the
    header, group rows merged across, a lead merged down, NFD text, the header repeated."""
    from openpyxl import Workbook

    plan = sample("001")
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục 1"
    ws.append(["PHỤ LỤC 1"])
    ws.append(["KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2023"])
    header = ["STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
              "Thời gian hoàn thành"]
    ws.append(header)
    for area in plan.areas:
        if area.stt == "5":
            ws.append(header)
        ws.append([area.stt, area.title])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=6)
        first = ws.max_row + 1
        for t in area.tasks:
            p = t.products[0]
            content = unicodedata.normalize("NFD", t.content) if t.stt == "2.3" else t.content
            ws.append([t.stt, content, p.product, p.lead, p.coordinating, p.deadline.text])
        leads = {t.products[0].lead for t in area.tasks}
        if len(leads) == 1 and len(area.tasks) > 1:
            for r in range(first + 1, ws.max_row + 1):
                ws.cell(r, 4).value = None
            ws.merge_cells(start_row=first, start_column=4, end_row=ws.max_row, end_column=4)
    wb.save(str(path))
    return path


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # as tests/test_seeds.py


def seed_docx(seed_txt: Path, path: Path) -> Path:
    """A Word document rebuilt from a seed's extracted text: every paragraph, and every run
    of tab-separated lines (blank lines between them included) as one table, with the
    seed's own repeated header rows, "<b>" bold cells and "<p>"/" - " items as paragraphs.
    Markdown marks of the extraction (#, **, *) are dropped."""
    import re

    d = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = d.add_table(rows=len(rows), cols=width)
        for r, values in enumerate(rows):
            for c, value in enumerate(values + [""] * (width - len(values))):
                bold = "<b>" in value
                value = re.sub(r"</?(b|ul|li)[^>]*>", "", value)
                items = [re.sub(r"</?p>", "", x).strip() for x in re.split(r"</p>\s*<p>", value)]
                if len(items) == 1 and items[0].startswith("- "):
                    items = ["- " + x for x in items[0][2:].split(" - ")]
                cell = table.cell(r, c)
                for i, item in enumerate(items):
                    p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                    p.add_run(item.strip()).bold = bold
        rows.clear()
        d.add_paragraph()

    for line in seed_txt.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if not line.strip():
            continue
        flush()
        text = re.sub(r"^#+\s*|\*\*|(?<!\w)\*|\*(?!\w)", "", line).strip()
        if text:
            d.add_paragraph(text)
    flush()
    d.save(str(path))
    return path


# --- tables as other offices lay them out (issue 15) ------------------------------------
#
# One layout, written as rows of cell values, is saved as Word (python-docx, with real
# gridSpan/vMerge merges and, where asked, Word list numbering) and as Excel (openpyxl,
# with merged ranges); LibreOffice makes the .doc, .xls and .ods from them. A cell value is
# a str (one paragraph; "\n" inside it is a soft line break, Shift+Enter), a list of str
# (one paragraph each), LEFT (merged with the cell on its left), UP (merged with the cell
# above), or a ``Num`` (a Word list paragraph whose number Word computes; Excel types
# ``Num.shown`` instead).

LEFT = None
UP = "^"


class Num:
    def __init__(self, num_id: int, ilvl: int, shown: str, text: str = "") -> None:
        self.num_id, self.ilvl, self.shown, self.text = num_id, ilvl, shown, text


def _spans(rows: list[list], r: int, c: int) -> tuple[int, int]:
    right = 0
    while c + right + 1 < len(rows[r]) and rows[r][c + right + 1] is LEFT:
        right += 1
    down = 0
    while r + down + 1 < len(rows) and isinstance(rows[r + down + 1][c], str) and \
            rows[r + down + 1][c] == UP:
        down += 1
    return right, down


def _fill_cell(cell: _Cell, value, bold: bool = False) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc = cell._tc
    for p in list(tc.iterchildren(qn("w:p"))):
        tc.remove(p)
    paras = value if isinstance(value, list) else [value]
    for item in paras:
        p = cell.add_paragraph()
        if isinstance(item, Num):
            ppr = p._p.get_or_add_pPr()
            num = OxmlElement("w:numPr")
            ilvl, nid = OxmlElement("w:ilvl"), OxmlElement("w:numId")
            ilvl.set(qn("w:val"), str(item.ilvl))
            nid.set(qn("w:val"), str(item.num_id))
            num.append(ilvl)
            num.append(nid)
            ppr.append(num)
            item = item.text
        lines = item.split("\n")
        run = p.add_run(lines[0])
        run.bold = bold or None
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)


def add_numbering(d, abstract_xml: list[str], nums: list[tuple[int, int, dict[int, int]]]):
    """Add list definitions: ``abstract_xml`` are ``w:abstractNum`` elements (with their
    abstractNumId), ``nums`` (numId, abstractNumId, {ilvl: startOverride})."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = d.part.numbering_part.element
    first_num = numbering.find(docx.oxml.ns.qn("w:num"))
    for xml in abstract_xml:
        element = parse_xml(xml.replace("<w:abstractNum ", f"<w:abstractNum {nsdecls('w')} ",
                                        1))
        if first_num is not None:
            first_num.addprevious(element)
        else:
            numbering.append(element)
    for num_id, abstract_id, overrides in nums:
        body = "".join(f'<w:lvlOverride w:ilvl="{k}"><w:startOverride w:val="{v}"/>'
                       f"</w:lvlOverride>" for k, v in overrides.items())
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId '
            f'w:val="{abstract_id}"/>{body}</w:num>'))


def abstract_num(abstract_id: int, levels: list[tuple[str, str, int]]) -> str:
    """A ``w:abstractNum`` with levels (numFmt, lvlText, start), level 0 first."""
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text, start) in enumerate(levels))
    return (f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType '
            f'w:val="multilevel"/>{lvls}</w:abstractNum>')


def write_layout_docx(path: Path, before: list[str], tables: list[tuple[list[list], int]],
                      after: list[str] = (), numbering=None) -> Path:
    """``tables``: (rows, header row count); header rows are bold and repeat on pages."""
    d = docx.Document()
    if numbering:
        add_numbering(d, *numbering)
    for text in before:
        d.add_paragraph(text)
    for rows, n_header in tables:
        width = max(len(r) for r in rows)
        table = d.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is LEFT or (isinstance(value, str) and value == UP):
                    continue
                right, down = _spans(rows, r, c)
                cell = table.cell(r, c)
                if right or down:
                    cell = cell.merge(table.cell(r + down, c + right))
                _fill_cell(cell, value, bold=r < n_header)
        d.add_paragraph()
    for text in after:
        d.add_paragraph(text)
    d.save(str(path))
    return path


def write_layout_xlsx(path: Path, before: list[str], tables: list[tuple[list[list], int]],
                      after: list[str] = (), margin: int = 0) -> Path:
    """The same layout typed in Excel: one sheet, the lines above and below in the first
    column; ``margin`` empty rows and columns before it all (a sheet starting at B2)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    row = margin + 1

    def line(text: str) -> None:
        nonlocal row
        ws.cell(row, margin + 1, text)
        row += 1

    for text in before:
        line(text)
    for rows, n_header in tables:
        top = row
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is LEFT or (isinstance(value, str) and value == UP):
                    continue
                if isinstance(value, Num):
                    value = value.shown + (" " + value.text if value.text else "")
                elif isinstance(value, list):
                    value = "\n".join(value)
                cell = ws.cell(top + r, margin + c + 1, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if r < n_header:
                    cell.font = Font(bold=True)
                right, down = _spans(rows, r, c)
                if right or down:
                    ws.merge_cells(start_row=top + r, start_column=margin + c + 1,
                                   end_row=top + r + down, end_column=margin + c + 1 + right)
        row = top + len(rows)
    for text in after:
        line(text)
    wb.save(str(path))
    return path


def convert_all(paths: list[Path], to: str, out_dir: Path, profile: Path) -> list[Path]:
    """Convert several files with one LibreOffice start (the tests' slowest step)."""
    import subprocess

    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--norestore", "--convert-to", to, "--outdir", str(out_dir),
                    *map(str, paths)], check=True, capture_output=True, timeout=300)
    return [out_dir / (p.stem + "." + to.split(":")[0]) for p in paths]


# --- the constructions of issue 15, each from a seed's text -----------------------------

HEADING_001 = ["PHỤ LỤC 1",
               "KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2023",
               "(Kèm theo Kế hoạch số 71/KH-MNTT ngày 17/3/2023 của Trường Mầm non Tuổi Thơ)"]
HEADING_004 = ["PHỤ LỤC",
               "PHÂN CÔNG NHIỆM VỤ VÀ TRIỂN KHAI THỰC HIỆN CCHC NĂM 2023",
               "(Kèm theo Kế hoạch số: /KH-SGDĐT ngày tháng 12 năm 2022 của Sở GDĐT)"]
LETTERS = "ABCDEFGHIK"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _product_cells(p) -> list:
    """A product row's cells as typed: list items as paragraphs."""
    return [p.product.split("\n"), p.lead, p.coordinating, p.deadline.text]


def restamp(plan, area_stt, task_stt):
    """``plan`` with groups and tasks renumbered (the expected result of a layout that
    numbers them differently), keys scoped as the loader does."""
    import dataclasses

    from cchc_xlsx.model import scope_task_ids

    areas = []
    for gi, a in enumerate(plan.areas):
        g = area_stt(gi, a)
        tasks = tuple(dataclasses.replace(t, stt=task_stt(gi, ti, t), area_stt=g, uid="")
                      for ti, t in enumerate(a.tasks))
        areas.append(dataclasses.replace(a, stt=g, tasks=tasks))
    return dataclasses.replace(plan, areas=scope_task_ids(tuple(areas)))


def word_numbered_001(path: Path, roman: bool = False) -> Path:
    """Seed 001's Phụ lục 1 with the STT column as a Word list: "1." / "1.1." (one
    multi-level list over two tables: counting goes on), or, with ``roman``, groups "I."
    and tasks "a)" restarting in each group, after a letter whose own headings "I.", "II."
    use the same list definition (the table's list restarts it by a startOverride)."""
    plan = sample("001")
    header = ["STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
              "Thời gian hoàn thành"]
    if roman:
        levels = [("upperRoman", "%1.", 1), ("lowerLetter", "%2)", 1)]
    else:
        levels = [("decimal", "%1.", 1), ("decimal", "%1.%2.", 1)]
    # ids above the template's own (python-docx's default numbering.xml uses 1–9)
    numbering = ([abstract_num(110, levels)], [(107, 110, {}), (108, 110, {0: 1})])
    table_num = 108 if roman else 107
    tables, rows = [], [header]
    for gi, area in enumerate(plan.areas):
        if gi == 4:  # the table goes on in a second Word table, its header repeated
            tables.append((rows, 1))
            rows = [header]
        rows.append([Num(table_num, 0, f"{gi + 1}."), area.title] + [LEFT] * 4)
        for task in area.tasks:
            rows.append([Num(table_num, 1, task.stt), task.content,
                         *_product_cells(task.products[0])])
    tables.append((rows, 1))
    before = ["TRƯỜNG MẦM NON TUỔI THƠ"]
    if roman:
        before += [Num(107, 0, "I.", "MỤC ĐÍCH, YÊU CẦU"), Num(107, 0, "II.", "NỘI DUNG")]
    before += HEADING_001
    d_before = [b for b in before if isinstance(b, str)]
    path = write_layout_docx(path, d_before, tables, numbering=numbering)
    if roman:  # the letter's numbered headings, before the appendix
        d = docx.Document(str(path))
        first = d.paragraphs[1]
        for b in before[1:3]:
            p = first.insert_paragraph_before()
            _fill_para(p, b)
        d.save(str(path))
    return path


def _fill_para(p, item: Num) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    num = OxmlElement("w:numPr")
    for tag, val in (("w:ilvl", item.ilvl), ("w:numId", item.num_id)):
        e = OxmlElement(tag)
        e.set(qn("w:val"), str(val))
        num.append(e)
    ppr.append(num)
    p.add_run(item.text)


def expected_word_numbered_001(roman: bool = False):
    plan = sample("001")
    if not roman:
        return plan
    return restamp(plan, lambda gi, a: ROMAN[gi],
                   lambda gi, ti, t: "abcdefghik"[ti])


def restarting_004(path: Path, fmt: str = "docx") -> Path:
    """Seed 004's appendix numbered again in each group ("A. Công tác chỉ đạo, điều hành"
    in one cell across the whole row, tasks 1, 2, … in each group), task 3's three product
    rows under one STT and task cell merged down."""
    plan = sample("004")
    header = ["STT", "Nội dung nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì", "Đơn vị phối hợp",
              "Thời gian thực hiện"]
    rows = [header]
    for gi, area in enumerate(plan.areas):
        rows.append([f"{LETTERS[gi]}. {area.title}"] + [LEFT] * 5)
        for ti, task in enumerate(area.tasks):
            for pi, p in enumerate(task.products):
                first = [str(ti + 1), task.content] if pi == 0 else [UP, UP]
                rows.append(first + _product_cells(p))
    writer = write_layout_docx if fmt == "docx" else write_layout_xlsx
    return writer(path, HEADING_004, [(rows, 1)])


def expected_restarting_004():
    return restamp(sample("004"), lambda gi, a: LETTERS[gi],
                   lambda gi, ti, t: str(ti + 1))


# header variants over seed 004's first three groups: (header rows, column order, extras)
HEADER_VARIANTS = {
    # product last, lead named "Bộ phận thực hiện", deadline "Thời hạn hoàn thành"
    "bo-phan": ([["TT", "Công việc", "Bộ phận thực hiện", "Phối hợp", "Thời hạn hoàn thành",
                  "Sản phẩm"]], ("lead", "coordinating", "deadline", "product"), ()),
    # "Người phụ trách", line breaks inside header cells, extra Ghi chú / Kinh phí columns
    "phu-trach": ([["STT", "Nội dung\nnhiệm vụ", "Sản phẩm", "Người phụ\ntrách",
                    "Đơn vị\nphối hợp", "Thời gian\nthực hiện", "Ghi chú", "Kinh phí"]],
                  ("product", "lead", "coordinating", "deadline"), ("Ghi chú", "Kinh phí")),
    # two header rows: "Đơn vị thực hiện" merged over "Chủ trì | Phối hợp"
    "hai-dong": ([["STT", "Nhiệm vụ", "Sản phẩm", "Đơn vị thực hiện", LEFT,
                   "Thời hạn hoàn thành"],
                  [UP, UP, UP, "Chủ trì", "Phối hợp", UP]],
                 ("product", "lead", "coordinating", "deadline"), ()),
}


def header_variant_004(path: Path, variant: str, fmt: str = "docx") -> Path:
    plan = sample("004")
    header, order, extras = HEADER_VARIANTS[variant]
    rows = [list(r) for r in header]
    width = len(header[0])
    for gi, area in enumerate(plan.areas[:3]):
        rows.append([ROMAN[gi], area.title] + [LEFT] * (width - 2))
        for task in area.tasks:
            for pi, p in enumerate(task.products):
                values = {"product": p.product.split("\n"), "lead": p.lead,
                          "coordinating": p.coordinating, "deadline": p.deadline.text}
                first = [task.stt, task.content] if pi == 0 else [UP, UP]
                extra = []
                for name in extras:  # a note on some rows, a budget on one
                    if name == "Ghi chú":
                        extra.append("Phối hợp Công đoàn" if task.stt in ("2", "12") else "")
                    else:
                        extra.append("5.000.000 đồng" if task.stt == "13" else "")
                rows.append(first + [values[k] for k in order] + extra)
    writer = write_layout_docx if fmt == "docx" else write_layout_xlsx
    return writer(path, HEADING_004, [(rows, len(header))])


def expected_header_variant_004():
    import dataclasses

    plan = sample("004")
    return restamp(dataclasses.replace(plan, areas=plan.areas[:3]),
                   lambda gi, a: ROMAN[gi], lambda gi, ti, t: t.stt)


def merged_down_004(path: Path, fmt: str = "docx", margin: int = 0) -> Path:
    """Seed 004's appendix where one unit's name is typed once and merged down over the
    tasks it leads or supports: lead over 17–18 and 26–28 (not 29–30, which have their
    own), partners over 21–25 and 31–32's none; group rows merged across the whole row
    with their letter ("A. …")."""
    plan = sample("004")
    header = ["STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Thời gian thực hiện", "Đơn vị chủ trì",
              "Đơn vị phối hợp"]
    rows = [header]
    merged = {4: [("17", "18"), ("26", "28")], 5: [("21", "25")]}
    for gi, area in enumerate(plan.areas):
        rows.append([f"{LETTERS[gi]}. {area.title}"] + [LEFT] * 5)
        for task in area.tasks:
            for pi, p in enumerate(task.products):
                first = [task.stt, task.content] if pi == 0 else [UP, UP]
                row = first + [p.product.split("\n"), p.deadline.text, p.lead, p.coordinating]
                for col, spans in merged.items():
                    if any(int(a) < int(task.stt) <= int(b) for a, b in spans):
                        row[col] = UP
                rows.append(row)
    if fmt != "docx":
        return write_layout_xlsx(path, HEADING_004, [(rows, 1)], margin=margin)
    return write_layout_docx(path, HEADING_004, [(rows, 1)])


def expected_merged_004():
    return restamp(sample("004"), lambda gi, a: LETTERS[gi], lambda gi, ti, t: t.stt)


def sub_items_001(path: Path, fmt: str = "docx") -> Path:
    """Seed 001's Phụ lục 1 where products are typed as sub-items "+ …" (and "* …" in group
    3) on soft line breaks (Shift+Enter) inside one paragraph, "(nếu có)" kept."""
    plan = expected_sub_items_001()
    header = ["STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
              "Thời gian hoàn thành"]
    rows = [header]
    for area in plan.areas:
        rows.append([area.stt, area.title] + [LEFT] * 4)
        for task in area.tasks:
            p = task.products[0]
            rows.append([task.stt, task.content, p.product, p.lead, p.coordinating,
                         p.deadline.text])
    writer = write_layout_docx if fmt == "docx" else write_layout_xlsx
    return writer(path, HEADING_001, [(rows, 1)])


def expected_sub_items_001():
    import dataclasses

    plan = sample("001")
    areas = []
    for a in plan.areas:
        mark = "* " if a.stt == "3" else "+ "
        tasks = tuple(dataclasses.replace(t, products=tuple(
            dataclasses.replace(p, product="\n".join(
                mark + x[2:] if x.startswith("- ") else x for x in p.product.split("\n")))
            for p in t.products)) for t in a.tasks)
        areas.append(dataclasses.replace(a, tasks=tasks))
    return dataclasses.replace(plan, areas=tuple(areas))


def indicators_phu_trach_001(path: Path, fmt: str = "docx") -> Path:
    """Seed 001's Phụ lục 2 (indicators) with its lead column headed "Người phụ trách"."""
    plan = sample("001")
    rows = [["STT", "Chỉ tiêu", "Người phụ trách", "Phối hợp"]]
    for i in plan.indicators:
        rows.append([i.stt, i.text, i.lead, i.coordinating])
    heading = ["PHỤ LỤC 2", "CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH NĂM 2023",
               "(Kèm theo Kế hoạch số 71/KH-MNTT ngày 17/3/2023 của Trường Mầm non Tuổi Thơ)"]
    writer = write_layout_docx if fmt == "docx" else write_layout_xlsx
    return writer(path, heading, [(rows, 1)])
