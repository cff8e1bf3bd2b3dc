"""An annotated copy of a checked workbook: wrong cells coloured, a comment on each, and a
first sheet "Kết quả kiểm tra" listing every problem with a link to its cell.

Every usable return gets its copy as ``.xlsx``, whatever it came as: an .xlsx/.xlsm is
copied whole (styles, layout, identity); an .xls/.ods, which openpyxl cannot open, is
copied cell by cell from its values (read by calamine, as the checks read it), at the same
addresses, so every finding points at the same cell. The user's file is only read; the
copy is written atomically into another folder. openpyxl is used here (and only here)
because styles and comments need it.
"""

from __future__ import annotations

import errno
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.checking.bounded import MAX_MESSAGE, MAX_VALUE, bound, clip
from cchc_xlsx.checking.report import ERROR, SEVERITY_VI, FileResult
from cchc_xlsx.errors import UserError
from cchc_xlsx.user_text import store_text

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
RESULT_SHEET = "Kết quả kiểm tra"
IDENTITY_SHEET = "_cchc"


def annotated_name(path: str | Path) -> str:
    """``<stem>.kiem-tra.xlsx``, its stem shortened (with a hash of the whole name, so two
    long names stay apart) when the name would pass the 255 bytes file systems allow."""
    import hashlib

    stem = Path(path).stem
    if len(stem.encode()) <= MAX_STEM_BYTES:
        return f"{stem}.kiem-tra.xlsx"
    tag = hashlib.sha256(stem.encode()).hexdigest()[:8]
    cut = stem.encode()[:MAX_STEM_BYTES - 9].decode(errors="ignore")
    return f"{cut}~{tag}.kiem-tra.xlsx"


MAX_STEM_BYTES = 200  # + ".kiem-tra.xlsx" and the atomic writer's temp affixes < 255


def needs_copy(result: FileResult, everything: bool = False) -> bool:
    """A usable file with findings (or any usable file, with ``everything``)."""
    return result.usable and (everything or bool(result.issues))


def write_all(results: Iterable[FileResult], out_dir: str | Path,
              everything: bool = False) -> tuple[list[Path], list[str]]:
    """The copies of the files that need one (see ``needs_copy``), in report order, and
    the files whose copy could not be made (the check's findings stand regardless)."""
    written: list[Path] = []
    failed: list[str] = []
    for result in results:
        if not needs_copy(result, everything):
            continue
        try:
            path = write_annotated(result, out_dir)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:  # this file's name, not the folder
                failed.append(result.file)
                continue
            raise  # the folder, not the file: the caller tells the user
        except UserError:
            raise
        except Exception:  # noqa: BLE001 - one odd file must not stop the others' copies
            failed.append(result.file)
            continue
        if path is not None:
            written.append(path)
    return written, failed


def write_annotated(result: FileResult, out_dir: str | Path, shown_name: str = ""
                    ) -> Path | None:
    """Write the annotated ``.xlsx`` copy of one usable file; None for an unusable one.
    ``shown_name``: the name the sender knows the file by (the portal stores it under its
    hash), for the result sheet's title."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    src = Path(result.file)
    if not result.usable or result.not_return or not src.is_file():
        return None  # not a return, or an entry of a .zip attachment (no file of its own)
    wb = _open_copy(src)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # bounded: thousands of findings (a hostile file) are listed and marked for the first
    # few hundred, the rest summarised by rule and sheet on the result sheet
    listed, rest = bound(result.issues)
    by_cell: dict[tuple[str, str], list] = defaultdict(list)
    for issue in listed:
        if issue.sheet in wb.sheetnames and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    # the template's "fill me" highlight is a conditional format, which Excel paints over a
    # cell's own fill: the marks go first, as conditional formats too, and stop there
    marks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (sheet, cell), issues in by_cell.items():
        c = wb[sheet][cell]
        colour = ERROR_FILL if any(i.severity == ERROR for i in issues) else WARNING_FILL
        c.fill = PatternFill("solid", fgColor=colour)
        text = "\n".join(f"[{SEVERITY_VI[i.severity]}] {clip(i.message, MAX_MESSAGE)}"
                         for i in issues)
        c.comment = Comment(text, "cchc-xlsx", width=320, height=120)
        marks[sheet].append((cell, colour))
    for sheet, cells in marks.items():
        _marks_first(wb[sheet], cells)

    ws = wb.create_sheet(RESULT_SHEET, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    store_text(f"Kết quả kiểm tra tệp {shown_name or src.name}: {result.errors} lỗi, "
               f"{result.warnings} cảnh báo", ws["A1"])
    ws["A1"].font = Font(bold=True, size=13)
    for col, title in enumerate(("Mức độ", "Trang", "Ô", "Giá trị", "Nội dung", "Mã quy tắc"),
                                start=1):
        ws.cell(3, col, title).font = Font(bold=True)
    for row, issue in enumerate(listed, start=4):
        # a file's text (its value, sheet name, the message quoting it) is stored as text
        for col, text in enumerate((SEVERITY_VI[issue.severity], issue.sheet, issue.cell,
                                    clip(issue.value, MAX_VALUE) or "",
                                    clip(issue.message, MAX_MESSAGE), issue.rule_id), start=1):
            store_text(text, ws.cell(row, col))
        if issue.sheet in wb.sheetnames and issue.cell:
            link = ws.cell(row, 3)
            link.hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row, 1).fill = PatternFill(
            "solid", fgColor=ERROR_FILL if issue.severity == ERROR else WARNING_FILL)
        for col in range(1, 7):
            ws.cell(row, col).alignment = Alignment(wrap_text=col == 5, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, -(-len(issue.message) // 85))
    for row, summary in enumerate(rest, start=4 + len(listed)):
        for col, text in enumerate((SEVERITY_VI[summary.severity], summary.sheet,
                                    summary.first, "", summary.sentence, summary.rule_id),
                                   start=1):
            store_text(text, ws.cell(row, col))
        ws.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEF", (10, 18, 8, 20, 80, 30), strict=True):
        ws.column_dimensions[col].width = width
    target = out_dir / annotated_name(src)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _marks_first(ws: Any, cells: list[tuple[str, str]]) -> None:
    """The marks as conditional formats ahead of the sheet's own, first by priority (Excel)
    and by place in the file (LibreOffice), each stopping there."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    old = ws.conditional_formatting
    ws.conditional_formatting = new = ConditionalFormattingList()
    for cell, colour in cells:
        new.add(cell, FormulaRule(formula=["TRUE"], stopIfTrue=True,
                                  fill=PatternFill("solid", bgColor=colour, fgColor=colour)))
    for rng in old:
        for rule in rng.rules:
            new.add(str(rng.sqref), rule)
    for n, rule in enumerate((r for rng in new for r in rng.rules), start=1):
        rule.priority = n


def _open_copy(src: Path) -> Any:
    """The workbook to annotate: the file itself when openpyxl can open it (.xlsx/.xlsm,
    macros dropped so the copy is a plain .xlsx), else a copy of its values."""
    from openpyxl import load_workbook

    from cchc_xlsx.reading.file_guard import inspect_file

    if inspect_file(src) in ("xlsx", "xlsm"):
        try:
            return load_workbook(src)
        except Exception:  # noqa: BLE001 - a file calamine reads but openpyxl does not
            pass
    return _values_copy(src)


def _values_copy(src: Path) -> Any:
    """Every sheet's values at their own addresses (an .xls/.ods, or an .xlsx openpyxl
    refuses), read through the same checked path as validation; the identity sheet is
    kept (very hidden) and the key column hidden, so the copy is itself a valid return."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from cchc_xlsx.reading.reader import open_book

    _, book, _dropped = open_book(src)  # stray far cells are left out, as when checking
    wb = Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        r0, c0 = sheet.start or (0, 0)
        ws = wb.create_sheet(name[:31])
        widths: dict[int, int] = {}
        for r, row in enumerate(sheet.to_python(skip_empty_area=False)):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                cell = ws.cell(r0 + r + 1, c0 + c + 1)
                if isinstance(value, str):
                    store_text(value, cell)  # text stays text: "=…" is never a formula
                else:
                    cell.value = _plain(value)
                if isinstance(value, (date, datetime)):
                    cell.number_format = "dd/mm/yyyy"
                elif isinstance(value, str) and len(value) > 30:
                    cell.alignment = wrap
                if isinstance(value, str) and value.startswith("cchc:"):
                    ws.column_dimensions[get_column_letter(c0 + c + 1)].hidden = True
                widths[c0 + c + 1] = max(widths.get(c0 + c + 1, 0), len(str(value)))
        for col, chars in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(max(chars + 2, 6), 50)
        try:
            for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
                ws.merge_cells(start_row=top + 1, start_column=left + 1,
                               end_row=bottom + 1, end_column=right + 1)
        except (TypeError, ValueError):
            pass  # merged ranges are only for looks
        if name == IDENTITY_SHEET:
            ws.sheet_state = "veryHidden"
    if not wb.worksheets:
        wb.create_sheet("Trang 1")
    return wb


def _plain(value: Any) -> Any:
    if isinstance(value, time):
        return value.isoformat()
    return value


__all__ = ["annotated_name", "needs_copy", "write_all", "write_annotated", "RESULT_SHEET"]
