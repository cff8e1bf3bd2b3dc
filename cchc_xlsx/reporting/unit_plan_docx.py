"""A unit's own plan as a Word document, in the layout of seed 001 (a school's plan built on
its office's plan): header, KẾ HOẠCH and trích yếu, căn cứ, I. Mục tiêu, II. Chỉ tiêu,
III. Nhiệm vụ trọng tâm, IV. Kinh phí, V. Tổ chức thực hiện, signature and Nơi nhận, then the
appendix table of tasks.

It is drafted from the office's plan and, when given, the unit's filled plan workbook (its
number, date, signer, products, leads, deadlines, targets and "Không áp dụng" choices). What
only the unit can write (its objectives, funding, any cell still empty) is highlighted, so
nothing the unit must write is left in by mistake.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.checking.unit_plan_check import PlanReturn
from cchc_xlsx.forms.text_measure import text_points
from cchc_xlsx.forms.unit_plan import fold, indicator_rows, office_reference, plan_round, spec
from cchc_xlsx.forms.unit_plan import task_rows as drafted_task_rows
from cchc_xlsx.model import Plan, Unit
from cchc_xlsx.plans.names import break_name, normal_case
from cchc_xlsx.reporting.default_template import page_numbers
from cchc_xlsx.reporting.keep_groups import keep_groups

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
OBJECTIVES = ("(Đơn vị ghi mục tiêu của mình: cụ thể hóa Kế hoạch {ref} của {office} phù "
              "hợp với tình hình của đơn vị.)")
FUNDING = ("(Đơn vị ghi nguồn kinh phí thực hiện kế hoạch: ngân sách được giao, nguồn "
           "hợp pháp khác.)")
EMPTY = "(đơn vị ghi)"


# words that end the kind of body in a name ("SỞ GIÁO DỤC VÀ ĐÀO TẠO | SÓC TRĂNG"): a
# header name breaks after one of them, so the place or the school's own name stays whole
CELL_MARGIN_PT = 2 * 28 / 20  # the header table's cell margins (28 dxa a side)


def header_lines(name: str, cm: float, bold: bool = True) -> list[str]:
    """A header name on one line of a cell ``cm`` wide, or two broken where a reader would
    (``plans.names.break_name``: after the kind of body, before a place, never inside a
    proper name), measured with the font's own widths as the workbooks and the report do."""
    room = cm / 2.54 * 72 - CELL_MARGIN_PT
    return break_name(name, lambda s: text_points(s, 12, bold=bold) <= room).split("\n")


def _day(d: date) -> str:
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def _rows(plan: Plan, unit: Unit, ret: PlanReturn | None, part: str) -> list[tuple[str, dict]]:
    """(kind, values) of the unit's rows: drafted ones, overlaid with what the unit wrote."""
    rows = drafted_task_rows(plan, unit) if part == "tasks" else indicator_rows(plan)
    sheet = (ret.tasks if part == "tasks" else ret.indicators) if ret else None
    na = fold(spec()["choices"][1])
    out = []
    dropped: set[str] = set()  # tasks left out or not applicable: their product rows too
    for r in rows:
        if r.key.split("#")[0] in dropped:
            continue
        values = dict(r.values)
        if sheet is not None and r.kind != "group":
            got = sheet.rows.get(r.key)
            if got is None:
                if r.kind == "office":
                    dropped.add(r.key.split("#")[0])
                    continue  # left out of the unit's plan
            else:
                keep = {k: values.get(k, "") for k in ("stt", "content", "office_target")}
                values = {**got.values, **{k: v for k, v in keep.items() if v}}
                if fold(values.get("apply", "")).rstrip(".") == na:
                    dropped.add(r.key.split("#")[0])
                    continue
        if r.kind == "added" and not values.get("content"):
            continue
        out.append((r.kind, values))
    return out


def write_unit_plan_docx(plan: Plan, unit: Unit, path: str | Path,
                         ret: PlanReturn | None = None) -> tuple[Path, int]:
    """Write the unit's plan; return the path and how many highlighted parts are left."""
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    left = [0]

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(6)
    page_numbers(d.sections[0])  # from page 2 on, the appendix's pages too (NĐ 30)
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(3), Cm(2)
    sec.top_margin = sec.bottom_margin = Cm(2)

    def run(p, text: str, bold: bool = False, italic: bool = False, size: float | None = None,
            mark: bool = False, underline: bool = False):
        r = p.add_run(text)
        r.bold, r.italic, r.underline = bold, italic, underline
        if size:
            r.font.size = Pt(size)
        if mark:
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            left[0] += 1
        return r

    def para(text: str = "", bold: bool = False, italic: bool = False, align=None,
             indent: bool = True, mark: bool = False, size: float | None = None,
             keep: bool = False):
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if indent:
                p.paragraph_format.first_line_indent = Cm(1)
        p.paragraph_format.keep_with_next = keep
        if text:
            run(p, text, bold, italic, size, mark)
        return p

    def cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
        cell.paragraphs[0].text = ""
        for i, (text, fmt) in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(0)
            run(p, text, **fmt)

    m = plan.meta
    year = m.year or ""
    office = normal_case(m.issuing_body)
    number = ret.number if ret and ret.number else ""
    issued = ret.date if ret and ret.date else None
    signer = (ret.signer if ret and ret.signer else "") or unit.signer_name

    def fix_widths(table, cms: tuple[float, ...]) -> None:
        """Word and LibreOffice honour the grid's widths only with autofit off."""
        table.autofit = False
        grid = table._tbl.tblGrid
        for col, w in zip(grid.findall(qn("w:gridCol")), cms, strict=True):
            col.set(qn("w:w"), str(int(w * 567)))
        for row in table.rows:
            for c, w in zip(row.cells, cms, strict=True):
                c.width = Cm(w)

    def header_block(first: bool) -> None:
        """The two header blocks (NĐ 30); the Số and dated line only on the first page."""
        head = d.add_table(rows=2 if first else 1, cols=2)
        head.alignment = WD_TABLE_ALIGNMENT.CENTER
        # narrow cell margins: the two blocks need the whole line (as offices type them)
        tbl_pr = head._tbl.tblPr
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), "28")
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        tbl_pr.append(margins)
        widths = (7.0, 9.4) if first else (10.5, 14.5)
        fix_widths(head, widths)
        cell_lines(head.cell(0, 0),
                   [(t, {"size": 12}) for t in header_lines(unit.superior.upper(), widths[0],
                                                            bold=False)]
                   + [(t, {"bold": True, "size": 12})
                      for t in header_lines(unit.name.upper(), widths[0])]
                   + [("________", {"bold": True, "size": 12})])
        cell_lines(head.cell(0, 1), [(NATION, {"bold": True, "size": 12}),
                                     (MOTTO, {"bold": True, "size": 13, "underline": True})])
        if not first:
            return
        p = head.cell(1, 0).paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(p, "Số: ", size=13)
        run(p, number if number else "     /KH-……", size=13, mark=not number)
        p = head.cell(1, 1).paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(p, f"{unit.place or '……'}, ", italic=True, size=13)
        run(p, _day(issued) if issued else f"ngày     tháng     năm {year}", italic=True,
            size=13, mark=not issued)

    header_block(True)

    para("KẾ HOẠCH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_before \
        = Pt(12)
    para(f"Thực hiện công tác cải cách hành chính năm {year}", bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    title = m.title[:1].lower() + m.title[1:] if m.title else ""
    para(f"Căn cứ Kế hoạch {office_reference(plan)} của {office} về {title};")
    para(f"{unit.name} xây dựng kế hoạch thực hiện công tác cải cách hành chính năm {year} "
         "như sau:")

    para("I. MỤC TIÊU", bold=True, keep=True)
    para(OBJECTIVES.format(ref=office_reference(plan), office=office), italic=True, mark=True)

    para("II. CHỈ TIÊU", bold=True, keep=True)
    inds = _rows(plan, unit, ret, "indicators") if any(
        not i.group for i in plan.indicators) else []
    n = 0
    for kind, v in inds:
        if kind == "group":
            para(v.get("content", ""), bold=True, keep=True)
            continue
        n += 1
        p = para(f"{n}. {v.get('content', '')}")
        target = v.get("target", "")
        run(p, " Chỉ tiêu của đơn vị: ")
        run(p, target or EMPTY, bold=bool(target), mark=not target)
        run(p, ".")
    if not n:
        para("(Đơn vị ghi các chỉ tiêu cải cách hành chính của mình, không thấp hơn chỉ tiêu "
             f"của {office}.)", italic=True, mark=True)

    para("III. NHIỆM VỤ TRỌNG TÂM", bold=True, keep=True)
    tasks = _rows(plan, unit, ret, "tasks") if plan.areas else []
    for kind, v in tasks:  # numbered as the office's plan numbers them, like the appendix
        if kind == "group":
            gstt = v.get("stt", "").strip()
            title = v.get("content", "")
            para(f"{gstt}. {title}" if gstt else title, bold=True, keep=True)
            continue
        if not v.get("content"):
            continue  # a further product row of the task above
        stt = v.get("stt", "").strip()
        para(f"{stt}. {v['content']}" if stt else f"- {v['content']}")
    para("(Nội dung chi tiết các nhiệm vụ theo phụ lục đính kèm.)", italic=True)

    para("IV. KINH PHÍ THỰC HIỆN", bold=True, keep=True)
    para(FUNDING, italic=True, mark=True)

    para("V. TỔ CHỨC THỰC HIỆN", bold=True, keep=True)
    to = unit.recipient or office
    rnd = plan_round(plan)
    p = para(f"{unit.name} triển khai thực hiện kế hoạch tại đơn vị; gửi kế hoạch về {to}")
    run(p, f" trước ngày {rnd.due:%d/%m/%Y}." if rnd else ".")
    reports = [x for x in plan.schedule if x.kind != "plan"]
    if reports:
        para("- Báo cáo định kỳ kết quả thực hiện công tác cải cách hành chính ("
             + ", ".join(x.name[:1].lower() + x.name[1:] for x in reports)
             + f") gửi về {to} trước ngày "
             + ", ".join(f"{x.due:%d/%m/%Y}" for x in reports) + ".")
    para(f"Trên đây là Kế hoạch thực hiện công tác cải cách hành chính năm {year} của "
         f"{unit.name}./.")

    sig = d.add_table(rows=1, cols=2)
    fix_widths(sig, (7.5, 8.5))
    lc = sig.cell(0, 0)
    lc.paragraphs[0].text = ""
    p = lc.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in (f"- {to};", "- Lưu: VT."):
        q = lc.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        run(q, line, size=11)
    titles = [t.strip().upper() for t in unit.signer_title.split("|") if t.strip()] or [
        "HIỆU TRƯỞNG"]
    rc = sig.cell(0, 1)
    lines = [(t, {"bold": True, "size": 14}) for t in titles] + [("", {})] * 4
    cell_lines(rc, lines)
    q = rc.add_paragraph()
    q.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(q, signer or "(họ và tên người ký)", bold=True, size=14, mark=not signer)
    for row in sig.rows:  # the signature block stays on one page
        tr_pr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:cantSplit")
        tr_pr.append(el)

    # the appendix, landscape
    new = d.add_section(WD_SECTION.NEW_PAGE)
    new.orientation = WD_ORIENT.LANDSCAPE
    new.page_width, new.page_height = Cm(29.7), Cm(21)
    new.left_margin, new.right_margin = Cm(3), Cm(1.5)
    # an appendix numbers its own pages (NĐ 30, Phụ lục I): from 1, shown from its page 2
    restart = OxmlElement("w:pgNumType")
    restart.set(qn("w:start"), "1")
    new._sectPr.insert_element_before(restart, "w:cols", "w:formProt", "w:vAlign",
                                      "w:noEndnote", "w:titlePg", "w:textDirection",
                                      "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
                                      "w:sectPrChange")
    header_block(False)
    para("PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM {year}", bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    p = para("", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    run(p, "(Kèm theo Kế hoạch số ", italic=True)
    run(p, number or "     /KH-……", italic=True, mark=not number)
    run(p, " ", italic=True)
    run(p, _day(issued) if issued else f"ngày     tháng     năm {year}", italic=True,
        mark=not issued)
    run(p, f" của {unit.name})", italic=True)
    headers = ("STT", "Nhiệm vụ cụ thể", "Sản phẩm", "Bộ phận, cá nhân chủ trì",
               "Bộ phận, cá nhân phối hợp", "Thời gian hoàn thành")
    widths_cm = (1.3, 8.2, 4.6, 3.4, 3.4, 3.3)
    table = d.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for i, h in enumerate(headers):
        c = table.rows[0].cells[i]
        c.width = Cm(widths_cm[i])
        q = c.paragraphs[0]
        q.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(q, h, bold=True, size=12)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    rep = OxmlElement("w:tblHeader")
    tr_pr.append(rep)
    for kind, v in tasks:
        table.add_row()
        cells = table.rows[-1].cells
        tr_pr = table.rows[-1]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        for i, key in enumerate(("stt", "content", "product", "lead", "coordinating",
                                 "deadline")):
            cells[i].width = Cm(widths_cm[i])
            q = cells[i].paragraphs[0]
            q.paragraph_format.space_after = Pt(0)
            text = v.get(key, "")
            if kind == "group":
                q.paragraph_format.keep_with_next = True  # never a page's last row
                if key in ("stt", "content"):
                    run(q, text, bold=True, size=12)
                continue
            if i == 0:
                q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            must = key in ("product", "lead", "deadline") and not text
            run(q, text or (EMPTY if must else ""), size=12, mark=must)
    fix_widths(table, widths_cm)
    keep_groups(d)  # headings stay with what follows on LibreOffice's pages too
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        d.save(str(tmp))
    return path, left[0]
