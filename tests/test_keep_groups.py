"""``reporting.keep_groups``: which keep-with-next runs go into a row that cannot split."""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm

from cchc_xlsx.reporting.keep_groups import MAX_LINES, keep_groups


def _para(doc, text: str, keep: bool = False):
    p = doc.add_paragraph(text)
    p.paragraph_format.keep_with_next = keep
    return p


def _body(doc) -> list[tuple[str, str]]:
    """(kind, text) of the body's children: "p" or "row" (a one-cell table)."""
    out = []
    for el in doc.element.body.iterchildren():
        text = "|".join("".join(t.text or "" for t in p.iter(qn("w:t")))
                        for p in el.iter(qn("w:p")))
        if el.tag == qn("w:tbl"):
            out.append(("row" if len(list(el.iter(qn("w:tc")))) == 1 else "tbl", text))
        elif el.tag == qn("w:p"):
            out.append(("p", text))
    return out


def test_short_groups_share_a_row_that_cannot_split():
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.left_margin, s.right_margin = Mm(210), Mm(30), Mm(15)
    _para(doc, "intro")
    _para(doc, "1. Nhóm", keep=True)
    _para(doc, "Nhóm có 2 nhiệm vụ", keep=True)
    _para(doc, "a) Đã hoàn thành:", keep=True)
    _para(doc, "- 1.1. Việc một")
    _para(doc, "- 1.2. Việc hai")
    _para(doc, "Chú thích bảng", keep=True)  # a caption: its table follows
    doc.add_table(rows=2, cols=2)
    _para(doc, "II. DÀI", keep=True)
    _para(doc, "chữ " * 40 * MAX_LINES)  # too long for a row: keeps its keep-with-next
    assert keep_groups(doc) == 1
    assert _body(doc) == [
        ("p", "intro"),
        ("row", "1. Nhóm|Nhóm có 2 nhiệm vụ|a) Đã hoàn thành:|- 1.1. Việc một"),
        ("p", "- 1.2. Việc hai"), ("p", "Chú thích bảng"), ("tbl", "|||"),
        ("p", "II. DÀI"), ("p", "chữ " * 40 * MAX_LINES)]
    row = doc.tables[0]._tbl
    assert row.find(f".//{qn('w:cantSplit')}") is not None
    assert row.find(f".//{qn('w:keepNext')}") is None  # the row holds them, not the marks
    width = int(row.find(f".//{qn('w:tblW')}").get(qn("w:w")))
    assert abs(width - 165 * 1440 / 25.4) < 2  # the line's width in twips
    kept = [p.text for p in doc.paragraphs if p.paragraph_format.keep_with_next]
    assert kept == ["Chú thích bảng", "II. DÀI"]  # a caption, a long group: their marks


def test_a_section_break_stays_in_the_body():
    doc = Document()
    _para(doc, "V. TỔ CHỨC", keep=True)
    doc.add_section(WD_SECTION.NEW_PAGE)  # a paragraph carrying the section's properties
    _para(doc, "PHỤ LỤC")
    ends = doc.element.body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")
    assert len(ends) == 1
    assert keep_groups(doc) == 0
    assert [k for k, _ in _body(doc)] == ["p", "p", "p"]
