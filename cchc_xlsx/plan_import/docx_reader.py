"""Read a Word (.docx) plan into a ``Document``: paragraphs and tables in reading order.

python-docx is used rather than docx2python because it gives the table XML itself: the
``w:gridSpan`` and ``w:vMerge`` of each cell, which is exactly what the parsers need to
tell a group cell merged down from a task split over two rows. Runs are read one by one so
text typed in a legacy font (.VnTime, VNI-Times) is converted by its font.
"""

from __future__ import annotations

from pathlib import Path

from cchc_xlsx.errors import UserError
from cchc_xlsx.plan_import.document import (
    Cell,
    Document,
    Para,
    Table,
    clean_line,
    clean_lines,
    unlegacy,
)
from cchc_xlsx.plan_import.numbering import Numbering

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: str | Path) -> Document:
    import docx  # heavy; only this reader needs it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError):
        raise UserError(f"Không mở được tệp Word «{path}» (tệp hỏng hoặc không phải .docx); "
                        "hãy mở bằng Word hoặc LibreOffice và lưu lại dạng .docx.") from None
    except Exception:  # noqa: BLE001 - a broken package is the user's file, not our bug
        raise UserError(f"Không đọc được tệp Word «{path}»; hãy mở bằng Word và lưu lại "
                        "dạng .docx.") from None
    doc = Document(str(path))
    reader = _Reader(word, doc)
    reader.body(word.element.body)
    return doc


class _Reader:
    def __init__(self, word, doc: Document) -> None:
        self.doc = doc
        self.n_tables = 0
        self.bullet_styles = {
            s.style_id for s in word.styles
            if getattr(s, "name", "") and "bullet" in s.name.lower()
        }
        self.numbering = Numbering.of(word)
        self.style_lists: dict[str, tuple[str, int]] = {}  # a list set by the style
        for s in word.styles:
            ppr = s.element.find(W + "pPr")
            num = ppr.find(W + "numPr") if ppr is not None else None
            if num is not None:
                self.style_lists[s.style_id] = _num_pr(num)

    def body(self, element) -> None:
        for child in element.iterchildren():
            if child.tag == W + "p":
                text, bold = self.paragraph(child, f"đoạn văn {len(self.doc.blocks) + 1}")
                for line in text.split("\n"):
                    line = clean_line(line)
                    if line:
                        self.doc.blocks.append(Para(line, bold))
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.body(content)

    def paragraph(self, p, where: str) -> tuple[str, bool]:
        """Text of one paragraph ("\n" for line breaks) and whether all of it is bold."""
        parts: list[str] = []
        bold_chars = plain_chars = 0
        for run in p.iter(W + "r"):
            rpr = run.find(W + "rPr")
            font = None
            bold = False
            if rpr is not None:
                fonts = rpr.find(W + "rFonts")
                if fonts is not None:
                    font = fonts.get(W + "ascii") or fonts.get(W + "hAnsi")
                b = rpr.find(W + "b")
                bold = b is not None and b.get(W + "val", "true") not in ("0", "false")
            pieces: list[str] = []
            for node in run:
                if node.tag == W + "t":
                    pieces.append(node.text or "")
                elif node.tag in (W + "tab", W + "ptab"):
                    pieces.append(" ")
                elif node.tag in (W + "br", W + "cr"):
                    pieces.append("\n")
                elif node.tag == W + "noBreakHyphen":
                    pieces.append("-")
            text = "".join(pieces)
            if text.strip():
                text = unlegacy(text, font, self.doc.notes, where)
                if bold:
                    bold_chars += len(text.strip())
                else:
                    plain_chars += len(text.strip())
            parts.append(text)
        text = "".join(parts)
        ppr = p.find(W + "pPr")
        if ppr is not None:
            text = self.list_mark(ppr, text)
        return text, bold_chars > 0 and plain_chars == 0

    def list_mark(self, ppr, text: str) -> str:
        """The paragraph as Word shows it: its list number ("1.", "a)", "II.", "1.2.")
        computed from numbering.xml in front of the text, or "- " for a bullet. Empty
        numbered paragraphs count too: an STT cell is often only the number."""
        style = ppr.find(W + "pStyle")
        style_id = style.get(W + "val") if style is not None else None
        num = ppr.find(W + "numPr")
        ref = _num_pr(num) if num is not None else self.style_lists.get(style_id or "")
        shown = self.numbering.label(*ref) if ref is not None else None
        if shown is not None and not shown[1]:
            return f"{shown[0]} {text.lstrip()}".strip() if shown[0] else text
        listed = shown is not None or (ref is None and style_id in self.bullet_styles) or (
            num is not None and shown is None and ref is not None and ref[0] != "0")
        stripped = text.lstrip()
        if listed and stripped and not stripped.startswith(("-", "+", "•", "–", "*")):
            return "- " + stripped
        return text

    def table(self, tbl) -> None:
        self.n_tables += 1
        label = f"bảng {self.n_tables}"
        rows: list[list[Cell]] = []
        labels: list[str] = []
        for r, tr in enumerate(tbl.iterchildren(W + "tr")):
            row: list[Cell] = []
            trpr = tr.find(W + "trPr")
            if trpr is not None:
                before = trpr.find(W + "gridBefore")
                if before is not None:
                    row.extend(Cell() for _ in range(int(before.get(W + "val", "0"))))
            for tc in tr.iterchildren(W + "tc"):
                span, merge = 1, None
                tcpr = tc.find(W + "tcPr")
                if tcpr is not None:
                    gs = tcpr.find(W + "gridSpan")
                    if gs is not None:
                        span = max(1, int(gs.get(W + "val", "1")))
                    vm = tcpr.find(W + "vMerge")
                    if vm is not None:
                        merge = vm.get(W + "val", "continue")
                col = len(row)
                if merge == "continue" and rows and col < len(rows[-1]):
                    top = rows[-1][col]
                    cell = Cell(top.text, top.bold, above=True)
                else:
                    lines: list[str] = []
                    bolds: list[bool] = []
                    for p in tc.iterchildren(W + "p"):
                        text, bold = self.paragraph(p, f"{label}, dòng {r + 1}")
                        lines.extend(text.split("\n"))
                        if text.strip():
                            bolds.append(bold)
                    cell = Cell(clean_lines(lines), bool(bolds) and all(bolds))
                row.append(cell)
                row.extend(Cell(cell.text, cell.bold, above=cell.above, left=True)
                           for _ in range(span - 1))
            rows.append(row)
            labels.append(f"dòng {r + 1}")
        if rows:
            self.doc.blocks.append(Table(label, rows, labels))


def _num_pr(num) -> tuple[str, int]:
    """(numId, ilvl) of a ``w:numPr``."""
    num_id = num.find(W + "numId")
    ilvl = num.find(W + "ilvl")
    try:
        level = int(ilvl.get(W + "val", "0")) if ilvl is not None else 0
    except ValueError:
        level = 0
    return (num_id.get(W + "val", "") if num_id is not None else ""), level
