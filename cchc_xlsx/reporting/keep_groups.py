"""Keep a heading with what follows it in a way LibreOffice honours: short "heading + first
paragraph" groups are put in one table row that cannot split.

Why not "keep with next" alone: LibreOffice Writer (7.x) drops a paragraph's keep-with-next
at a page end when the document has a table of some 36 cells or more anywhere after it (the
Sóc Trăng report: «b) Đang thực hiện:» ended page 1 although it had w:keepNext; it printed
right once the TTHC and per-level tables, pages later, were removed or cut below ~36 cells;
plain paragraphs of the same height never trigger it). A row that cannot split is never
broken by Writer or Word, so a group put in one is kept together whatever follows.

A group is a run of body paragraphs marked keep-with-next and the paragraph after it. It is
wrapped only when short (``MAX_LINES`` printed lines, estimated): a longer group keeps its
keep-with-next marks, as a row taller than a page would be cut anyway. The row is borderless,
as wide as the text, with no cell margins, so the page looks the same as without it. A run
followed by a table (a caption, the closing sentence before the signature) is left alone.
"""

from __future__ import annotations

import math

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

MAX_LINES = 14  # about a third of a page of 14 pt text
CHARS_PER_LINE = 80  # 14 pt Times New Roman on a 16–16.5 cm line


def _keeps(el) -> bool:
    ppr = el.find(qn("w:pPr"))
    keep = ppr.find(qn("w:keepNext")) if ppr is not None else None
    return (el.tag == qn("w:p") and keep is not None
            and keep.get(qn("w:val")) not in ("0", "false"))


def _lines(p) -> int:
    text = "".join(t.text or "" for t in p.iter(qn("w:t")))
    return max(1, math.ceil(len(text) / CHARS_PER_LINE))


def _row_table(width: int):
    """A one-cell table ``width`` twips wide whose row cannot split: no borders, no cell
    margins, no indent."""
    nil = "".join(f'<w:{side} w:val="nil"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    zero = "".join(f'<w:{side} w:w="0" w:type="dxa"/>'
                   for side in ("top", "left", "bottom", "right"))
    return parse_xml(
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblInd w:w="0" w:type="dxa"/>'
        f'<w:tblBorders>{nil}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar>{zero}</w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>'
        f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}" '
        f'w:type="dxa"/></w:tcPr></w:tc></w:tr></w:tbl>')


def _widths(doc) -> list[int]:
    """Each section's line width in twips: page width less the margins."""
    return [int((s.page_width - s.left_margin - s.right_margin) / 635) for s in doc.sections]


def _ends_section(el) -> bool:
    return el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None


def keep_groups(doc) -> int:
    """Wrap every short keep-with-next group of ``doc`` (python-docx Document) in a row that
    cannot split; return how many were wrapped."""
    body = doc.element.body
    widths = _widths(doc)
    els = list(body.iterchildren())
    section = [0] * len(els)  # the section each element is in
    for k in range(1, len(els)):
        section[k] = section[k - 1] + _ends_section(els[k - 1])
    wrapped = i = 0
    while i < len(els):
        if not _keeps(els[i]):
            i += 1
            continue
        j = i
        while j < len(els) and _keeps(els[j]):
            j += 1
        if j < len(els) and els[j].tag == qn("w:p"):
            group = els[i:j + 1]
            # a paragraph ending a section stays in the body: it carries the section
            if (sum(_lines(p) for p in group) <= MAX_LINES
                    and not any(_ends_section(p) for p in group)):
                table = _row_table(widths[min(section[i], len(widths) - 1)])
                els[i].addprevious(table)
                cell = table.find(qn("w:tr")).find(qn("w:tc"))
                for p in group:
                    # the row keeps them together; a keep left inside a cell would tie the
                    # row to the paragraph after it in Word
                    for keep in p.findall(f"{qn('w:pPr')}/{qn('w:keepNext')}"):
                        keep.getparent().remove(keep)
                    cell.append(p)
                wrapped += 1
        i = j + 1
    return wrapped
