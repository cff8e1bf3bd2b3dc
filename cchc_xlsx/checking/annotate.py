"""An annotated copy of a checked workbook: wrong cells coloured, a comment on each, and a
first sheet "Kết quả kiểm tra" listing every problem with a link to its cell.

The user's file is only read; the copy is written atomically into another folder. openpyxl
is used here (and only here) because styles and comments need it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.checking.report import ERROR, SEVERITY_VI, FileResult

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
RESULT_SHEET = "Kết quả kiểm tra"


def annotated_name(path: str | Path) -> str:
    p = Path(path)
    suffix = ".xlsx" if p.suffix.lower() in (".xlsx", ".xlsm", ".ods", ".xls") else p.suffix
    return f"{p.stem}.kiem-tra{suffix}"


def write_annotated(result: FileResult, out_dir: str | Path) -> Path | None:
    """Write the annotated copy of one usable .xlsx/.xlsm file; None when not possible."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    src = Path(result.file)
    if (not result.usable or result.not_return or src.suffix.lower() not in (".xlsx", ".xlsm")
            or not src.is_file()):  # not a return, or an entry of a .zip attachment
        return None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm")
    by_cell: dict[tuple[str, str], list] = defaultdict(list)
    for issue in result.issues:
        if issue.sheet in wb.sheetnames and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    for (sheet, cell), issues in by_cell.items():
        c = wb[sheet][cell]
        worst = ERROR if any(i.severity == ERROR for i in issues) else "warning"
        c.fill = PatternFill("solid", fgColor=ERROR_FILL if worst == ERROR else WARNING_FILL)
        text = "\n".join(f"[{SEVERITY_VI[i.severity]}] {i.message}" for i in issues)
        c.comment = Comment(text, "cchc-xlsx", width=320, height=120)

    ws = wb.create_sheet(RESULT_SHEET, 0)
    wb.active = 0
    ws.append([f"Kết quả kiểm tra tệp {src.name}: {result.errors} lỗi, "
               f"{result.warnings} cảnh báo"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(["Mức độ", "Trang", "Ô", "Giá trị", "Nội dung", "Mã quy tắc"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for issue in result.issues:
        ws.append([SEVERITY_VI[issue.severity], issue.sheet, issue.cell, issue.value or "",
                   issue.message, issue.rule_id])
        row = ws.max_row
        if issue.sheet in wb.sheetnames and issue.cell:
            link = ws.cell(row, 3)
            link.hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row, 1).fill = PatternFill(
            "solid", fgColor=ERROR_FILL if issue.severity == ERROR else WARNING_FILL)
        ws.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEF", (10, 18, 8, 20, 80, 30), strict=True):
        ws.column_dimensions[col].width = width
    target = out_dir / annotated_name(src)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
