"""Read a spreadsheet appendix (.xlsx, .xlsm, .ods, .xls) into a ``Document``.

Each sheet becomes one table. Values come from calamine (fast, formulas never evaluated)
after the project's file guard has refused hostile files; merged ranges come from
calamine for .xlsx/.xls. An .ods file reports no merges to calamine, so it goes through
LibreOffice to .xlsx when LibreOffice is present.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from cchc_xlsx.plan_import.document import Cell, Document, Para, Table, clean_lines, unlegacy
from cchc_xlsx.reading.normalize import fold


def _cell(value: object, doc: Document, where: str) -> Cell:
    from cchc_xlsx.reading.reader import cell_text

    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        text = f"{value:%d/%m/%Y}"  # a deadline typed as a date, shown as Vietnamese write it
    else:
        text = unlegacy(cell_text(value), None, doc.notes, where)
    number = isinstance(value, float) and not value.is_integer()
    return Cell(clean_lines(text.split("\n")), number=number)


def read_sheets(path: Path, shown_as: str | None = None) -> Document:
    from cchc_xlsx.reading.reader import open_book, read_identity

    _, book, _stray = open_book(path)  # refuses hostile or broken files; far stray cells left out
    doc = Document(shown_as or str(path))
    # a workbook this tool generated says which sheets are report forms: not the plan
    reports = {sheet for form, _, sheet in read_identity(book).get("sheets", [])
               if form.startswith("report_")}
    for name in book.sheet_names:
        if name.startswith("_") or name in reports:
            continue  # our own hidden identity sheet, the report forms
        sheet = book.get_sheet_by_name(name)
        # with skip_empty_area=False the values start at A1, and calamine's merged ranges
        # are absolute: no offset. (Subtracting ``sheet.start`` shifted every merge up or
        # left on a sheet whose first row or column is empty, so a lead merged down over
        # rows 5–7 was given to rows 4–6.)
        values = sheet.to_python(skip_empty_area=False)
        top, left = 0, 0
        merges = sheet.merged_cell_ranges or []
        label = f"trang tính «{name}»"
        rows: list[list[Cell]] = []
        for r, raw in enumerate(values):
            rows.append([_cell(v, doc, f"{label}, dòng {r + top + 1}") for v in raw])
        for (r1, c1), (r2, c2) in merges:
            r1, r2, c1, c2 = r1 - top, r2 - top, c1 - left, c2 - left
            if not (0 <= r1 < len(rows)) or not (0 <= c1 < len(rows[r1])):
                continue
            head = rows[r1][c1]
            for r in range(r1, min(r2, len(rows) - 1) + 1):
                for c in range(c1, min(c2, len(rows[r]) - 1) + 1):
                    if (r, c) != (r1, c1):
                        rows[r][c] = Cell(head.text, head.bold, above=r > r1, left=c > c1)
        if rows:
            _split_sheet(doc, label, rows, [f"dòng {r + top + 1}" for r in range(len(rows))])
    return doc


def _split_sheet(doc: Document, label: str, rows: list[list[Cell]], labels: list[str]) -> None:
    """A sheet as a page: the rows above the table's header (the header block, "PHỤ LỤC",
    its title) and below the table ("Nơi nhận:", the signature) are paragraphs, so the
    first-page and appendix-heading readers see them as in a Word file."""
    from cchc_xlsx.plan_import.headers import header_of

    head = next((r for r, row in enumerate(rows[:12]) if header_of(row) is not None), None)
    if head is None:
        doc.blocks.append(Table(label, rows, labels))
        return
    end = next((r for r in range(head + 1, len(rows))
                if any(fold(c.text).rstrip(":") == "nơi nhận" for c in rows[r])), len(rows))
    _paragraphs(doc, rows[:head])
    doc.blocks.append(Table(label, rows[head:end], labels[head:end]))
    _paragraphs(doc, rows[end:])


def _paragraphs(doc: Document, rows: list[list[Cell]]) -> None:
    for row in rows:
        for cell in row:
            if cell.text and not cell.left and not cell.above:
                doc.blocks.extend(Para(line) for line in cell.text.split("\n"))
