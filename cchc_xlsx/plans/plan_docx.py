"""A Word version of a plan, laid out as offices type them (NĐ 30/2020 first page, the
appendix tables with bold group rows, merged group cells and multi-row tasks).

``make demo`` uses it to show ``plan import`` on a document it made itself, and the tests
build their quirky documents on top of it. It is not the official print of a plan (the
workbooks are); it is what an office's own Word file looks like.
"""

from __future__ import annotations

from pathlib import Path

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.model import Plan, Product, Task

TASK_HEADERS = {
    "plan_tasks_grouped": ("STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì",
                           "Cơ quan phối hợp", "Thời gian hoàn thành"),
    "plan_tasks_column": ("Nhiệm vụ chung", "Nhiệm vụ cụ thể", "Sản phẩm",
                          "Thời gian thực hiện", "Đơn vị chủ trì", "Đơn vị phối hợp"),
}
INDICATOR_HEADERS = ("STT", "Chỉ tiêu", "Cơ quan chủ trì, theo dõi, tổng hợp",
                     "Cơ quan phối hợp")
ROADMAP_HEADERS = ("TT", "Tiêu chí", "Chỉ tiêu cần đạt", "Phòng chủ trì thực hiện",
                   "Phòng, đơn vị phối hợp")
_SCHEDULE_WORDS = {"q1": "quý I", "q2": "quý II", "6t": "6 tháng", "q3": "quý III",
                   "nam": "năm"}


def write_plan_docx(plan: Plan, path: str | Path) -> Path:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    sec.top_margin = sec.bottom_margin = Cm(2)
    m = plan.meta

    head = d.add_table(rows=2, cols=2)
    _lines(head.cell(0, 0), [m.superior_body.upper(), m.issuing_body.upper()], bold=[False, True])
    _lines(head.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
           bold=[True, True])
    _lines(head.cell(1, 0), [f"Số: {m.number_symbol}" if m.symbol or m.number else "Số:"])
    place_date = m.date_text or (
        f"{m.place}, ngày {m.date.day:02d} tháng {m.date.month:d} năm {m.date.year}"
        if m.date else m.place)
    _lines(head.cell(1, 1), [place_date])
    for text in ("KẾ HOẠCH", m.title):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    d.add_paragraph(f"{m.issuing_body[:1]}{m.issuing_body[1:].lower()} xây dựng kế hoạch "
                    f"thực hiện công tác cải cách hành chính năm {m.year or ''} như sau:")
    d.add_paragraph("I. TỔ CHỨC THỰC HIỆN").runs[0].bold = True
    reports = [p for p in plan.schedule if p.kind != "plan"]
    if reports:
        kinds = ", ".join(_SCHEDULE_WORDS.get(p.id.split("-")[0], p.name) for p in reports)
        dues = ", ".join(f"{p.due.day:02d}/{p.due.month}" for p in reports)
        d.add_paragraph(f"- Báo cáo định kỳ kết quả thực hiện công tác cải cách hành chính "
                        f"({kinds}) gửi trước ngày {dues} định kỳ hàng năm.")
    for p in plan.schedule:
        if p.kind == "plan" and p.due:  # the units' own plans: a sentence of their own
            d.add_paragraph(f"- Các đơn vị xây dựng kế hoạch cải cách hành chính năm "
                            f"{m.year or ''} của đơn vị, gửi về trước ngày "
                            f"{p.due.day:02d}/{p.due.month:02d}/{p.due.year}.")
    d.add_paragraph(f"Trên đây là Kế hoạch thực hiện công tác cải cách hành chính năm "
                    f"{m.year or ''}./.")
    sign = d.add_table(rows=1, cols=2)
    _lines(sign.cell(0, 0), ["Nơi nhận:"] + [f"- {r}" for r in m.recipients],
           bold=[True] + [False] * len(m.recipients))
    s = m.signer
    _lines(sign.cell(0, 1), s.title_lines + ["", "", s.name],
           bold=[True] * (len(s.title_lines) + 3))

    indicators_done = False
    for a in plan.appendices:
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for text, bold in ((f"PHỤ LỤC {a.number}".strip(), True), (a.title, True),
                           (a.attached_line, False)):
            if text:
                p = d.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                r = p.add_run(text)
                r.bold, r.italic = bold, not bold
        if a.form in TASK_HEADERS:
            _task_table(d, plan, a.form)
        elif a.form == "plan_indicators" and not indicators_done:
            _indicator_table(d, plan)
            indicators_done = True
        elif a.form == "plan_roadmap":
            _roadmap_table(d, plan)
    d.add_paragraph()  # Word ends a document with a paragraph, never a table
    target = Path(path)
    with atomic_path(target) as tmp:
        d.save(str(tmp))
    return target


def _lines(cell, lines: list[str], bold: list[bool] | None = None) -> None:
    """Each line its own paragraph, as people type multi-line cells."""
    lines = lines or [""]
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        if bold and i < len(bold) and bold[i]:
            run.bold = True


_USABLE_CM = 25.0  # landscape A4 (29.7 cm) less the decree's 3 cm left, 1.5 cm right margins
_WIDTHS_CM = {
    "plan_tasks_grouped": (1.4, 8.0, 4.5, 4.2, 4.2, 3.7),
    "plan_tasks_column": (3.6, 7.5, 4.5, 3.6, 3.4, 3.4),
    "plan_indicators": (1.4, 14.0, 5.5, 5.1),
    "plan_roadmap": (1.2, 4.0, 12.6, 4.1, 4.1),
}


def _widths(table, form: str) -> None:
    """Column widths for Word (each cell) and LibreOffice (the table grid)."""
    from docx.shared import Cm

    raw = _WIDTHS_CM[form]
    widths = [Cm(w * _USABLE_CM / sum(raw)) for w in raw]
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
    for row in table.rows:
        for tc, width in zip(row._tr.tc_lst, widths, strict=False):
            tc.get_or_add_tcPr().get_or_add_tcW().w = width


def _header(table, headers: tuple[str, ...]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row = table.rows[0]
    for cell, text in zip(row.cells, headers, strict=True):
        _lines(cell, [text], bold=[True])
    trpr = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)


def _product_cells(p: Product, form: str) -> list[str]:
    if form == "plan_tasks_grouped":
        return [p.product, p.lead, p.coordinating, p.deadline.text]
    return [p.product, p.deadline.text, p.lead, p.coordinating]


def _task_table(d, plan: Plan, form: str) -> None:
    rows: list[tuple[str, object]] = []
    for area in plan.areas:
        if form == "plan_tasks_grouped":
            rows.append(("group", area))
        for t in area.tasks:
            for i in range(len(t.products)):
                rows.append(("task", (area, t, i)))
    table = d.add_table(rows=1 + len(rows), cols=6)
    table.style = "Table Grid"
    _header(table, TASK_HEADERS[form])
    group_top = None
    for r, (kind, item) in enumerate(rows, start=1):
        cells = table.rows[r].cells
        if kind == "group":
            _lines(cells[0], [item.stt], bold=[True])
            _lines(cells[1], [item.title], bold=[True])
            cells[1].merge(cells[5])
            continue
        area, t, i = item
        task: Task = t
        values = _product_cells(task.products[i], form)
        if form == "plan_tasks_grouped":
            if i == 0:
                _lines(cells[0], [task.stt])
                _lines(cells[1], task.content.split("\n"))
            else:
                table.cell(r - 1, 0).merge(cells[0])
                table.cell(r - 1, 1).merge(cells[1])
        else:
            if area.tasks[0] is task and i == 0:
                _lines(cells[0], [area.title], bold=[True])
                group_top = r
            else:
                table.cell(group_top, 0).merge(cells[0])
            if i == 0:
                _lines(cells[1], f"{task.stt}. {task.content}".split("\n"))
            else:
                table.cell(r - 1, 1).merge(cells[1])
        for c, value in zip(range(2, 6), values, strict=True):
            _lines(cells[c], value.split("\n"))
    _widths(table, form)


def _indicator_table(d, plan: Plan) -> None:
    table = d.add_table(rows=1 + len(plan.indicators), cols=4)
    table.style = "Table Grid"
    _header(table, INDICATOR_HEADERS)
    for r, ind in enumerate(plan.indicators, start=1):
        cells = table.rows[r].cells
        for c, value in enumerate((ind.stt, ind.text, ind.lead, ind.coordinating)):
            _lines(cells[c], value.split("\n"), bold=[ind.group] * 99)
    _widths(table, "plan_indicators")


def _roadmap_table(d, plan: Plan) -> None:
    n = sum(1 + len(p.criteria) for p in plan.roadmap)
    table = d.add_table(rows=1 + n, cols=5)
    table.style = "Table Grid"
    _header(table, ROADMAP_HEADERS)
    r = 1
    for phase in plan.roadmap:
        cells = table.rows[r].cells
        _lines(cells[0], [phase.code], bold=[True])
        _lines(cells[1], [phase.title], bold=[True])
        cells[1].merge(cells[4])
        r += 1
        for c in phase.criteria:
            cells = table.rows[r].cells
            targets = [f"- {t.text}" for t in c.targets] if len(c.targets) > 1 else \
                [t.text for t in c.targets]
            for i, value in enumerate((c.stt, c.criterion)):
                _lines(cells[i], [value])
            _lines(cells[2], targets)
            _lines(cells[3], c.lead.split("\n"))
            _lines(cells[4], c.coordinating.split("\n"))
            r += 1
    _widths(table, "plan_roadmap")
