"""The plan workbook: a plan as an Excel file an office fills instead of writing YAML.

Sheets: Thông tin chung (the document's data and its appendices), Nhiệm vụ (one row per
product row), Chỉ tiêu, Lịch báo cáo, and Lộ trình / Thủ tục hành chính for the plans that
have them. Text columns are formatted as text so "1.10" and "045" stay as typed; every
column has a Vietnamese input message, fixed choices are dropdowns, and an empty template
carries one example row (first cell "(ví dụ)") that the reader skips.

Reading goes through ``plan_from_data``, the same checks and defaults as a YAML plan, so
YAML → workbook → YAML gives the same plan.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc_xlsx.model import Plan
from cchc_xlsx.plan_import.review import Review
from cchc_xlsx.plans.phrases import find_target
from cchc_xlsx.plans.plan_loader import default_measure
from cchc_xlsx.reading.normalize import fold

INFO, TASKS, INDICATORS, SCHEDULE = "Thông tin chung", "Nhiệm vụ", "Chỉ tiêu", "Lịch báo cáo"
ROADMAP, PROCEDURES = "Lộ trình", "Thủ tục hành chính"
EXAMPLE = "(ví dụ)"
AUTHORITIES = ("KT.", "TM.", "Q.", "TL.", "TUQ.")
PLAN_FORMS = ("plan_tasks_grouped", "plan_tasks_column", "plan_indicators", "plan_roadmap")
MEASURES = {"rate": "tỷ lệ", "count": "số lượng", "text": "chữ"}

# (key in meta, label, input message)
INFO_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "Mã kế hoạch", "Chữ không dấu, số và «-», ví dụ kh-mntt-2023; dùng để đặt tên tệp."),
    ("superior_body", "Cơ quan chủ quản", "Dòng 1 góc trái, IN HOA, ví dụ ỦY BAN NHÂN DÂN QUẬN 8."),
    ("issuing_body", "Cơ quan ban hành", "Dòng 2 góc trái, IN HOA, ví dụ TRƯỜNG MẦM NON TUỔI THƠ."),
    ("number", "Số", "Chỉ phần số, ví dụ 71; để trống nếu chưa có số."),
    ("symbol", "Ký hiệu", "Phần sau dấu /, ví dụ KH-MNTT."),
    ("place", "Địa danh", "Ví dụ Quận 8."),
    ("date", "Ngày ban hành", "Ngày/tháng/năm, ví dụ 17/03/2023; để trống nếu chưa có ngày."),
    ("date_text", "Dòng ngày (khi chưa có ngày)", "Chỉ khi để trống ngày: dòng in ra, ví dụ "
     "«Sóc Trăng, ngày   tháng 12 năm 2022»."),
    ("title", "Trích yếu", "Dòng dưới chữ KẾ HOẠCH, ví dụ Thực hiện công tác cải cách hành "
     "chính năm 2023."),
    ("year", "Năm", "Năm của kế hoạch, ví dụ 2023."),
    ("authority", "Ký thay / thừa lệnh", "Chọn KT., TM., Q., TL., TUQ. hoặc để trống."),
    ("head_title", "Chức danh người đứng đầu", "Khi ký thay: ví dụ HIỆU TRƯỞNG (in sau KT.)."),
    ("signer_title", "Chức danh người ký", "Ví dụ HIỆU TRƯỞNG hoặc PHÓ HIỆU TRƯỞNG."),
    ("name", "Tên người ký", "Họ và tên, ví dụ Phùng Thị Ngọc Hiền."),
    ("recipients", "Nơi nhận", "Mỗi nơi nhận một dòng (Alt+Enter để xuống dòng), ví dụ "
     "PGDĐT Q8; rồi Lưu: VT."),
    ("report_forms", "Mẫu báo cáo", "Để trống (mặc định) hoặc mã mẫu, cách nhau bởi dấu phẩy."),
)
APPENDIX_COLS = (("form", "Mẫu phụ lục", "Chọn mẫu: nhiệm vụ có dòng nhóm, nhiệm vụ có cột "
                  "nhóm, chỉ tiêu, lộ trình."),
                 ("number", "Số phụ lục", "Như bản gốc: 1, I hoặc để trống."),
                 ("title", "Tên phụ lục", "Tên in dưới chữ PHỤ LỤC."),
                 ("attached_line", "Dòng «Kèm theo»", "Ví dụ (Kèm theo Kế hoạch số 71/KH-MNTT "
                  "ngày 17 tháng 3 năm 2023 của …)."))
TASK_COLS = (("area_stt", "STT nhóm", "Số của nhóm nhiệm vụ (1, 2 …) hoặc để trống."),
             ("area", "Nhóm nhiệm vụ", "Tên nhóm, ví dụ Công tác chỉ đạo, điều hành."),
             ("stt", "STT", "Như bản gốc: 1.1, 1.10, 3 … Để trống ở dòng sản phẩm thứ hai "
              "trở đi của cùng một nhiệm vụ."),
             ("content", "Nhiệm vụ cụ thể", "Nội dung nhiệm vụ; để trống ở dòng sản phẩm thêm."),
             ("product", "Sản phẩm", "Mỗi sản phẩm một dòng trong ô (Alt+Enter)."),
             ("lead", "Cơ quan chủ trì", "Đơn vị chủ trì thực hiện."),
             ("coordinating", "Cơ quan phối hợp", "Đơn vị phối hợp."),
             ("deadline", "Thời gian hoàn thành", "Như bản gốc: Quý I/2023, Tháng 12/2023, "
              "Thường xuyên …"))
IND_COLS = (("stt", "STT", "Như bản gốc: 1, 2.1, hoặc «-»."),
            ("text", "Chỉ tiêu", "Nội dung chỉ tiêu, chép đúng bản gốc."),
            ("group", "Dòng nhóm", "Chọn «có» nếu dòng này là tên nhóm chỉ tiêu."),
            ("target", "Chỉ tiêu cần đạt", "Cụm chỉ tiêu chép từ nội dung, ví dụ «từ 98% trở "
             "lên»; để trống để tự nhận."),
            ("measure", "Báo cáo bằng", "tỷ lệ (tử số/mẫu số), số lượng hoặc chữ; để trống "
             "để tự nhận."),
            ("lead", "Cơ quan chủ trì", "Đơn vị chủ trì, theo dõi, tổng hợp."),
            ("coordinating", "Cơ quan phối hợp", "Đơn vị phối hợp."))
SCHED_COLS = (("id", "Mã kỳ", "Chữ không dấu, ví dụ q1-2023; dùng cho --period."),
              ("name", "Tên kỳ", "Ví dụ Quý I năm 2023."),
              ("from", "Từ ngày", "Ngày đầu chốt số liệu, ví dụ 15/12/2022."),
              ("to", "Đến ngày", "Ngày cuối chốt số liệu, ví dụ 14/03/2023."),
              ("due", "Hạn gửi", "Hạn gửi báo cáo, ví dụ 15/03/2023."),
              ("note", "Ghi chú", "Căn cứ của các ngày, nếu cần."),
              ("kind", "Loại", "Để trống: kỳ báo cáo; «plan»: đợt các đơn vị gửi kế hoạch "
               "của mình (không phải kỳ báo cáo)."))
ROAD_COLS = (("code", "Giai đoạn", "Mã giai đoạn: A, B …"),
             ("phase", "Tên giai đoạn", "Ví dụ Giai đoạn 2021 - 2023."),
             ("stt", "TT", "Số thứ tự tiêu chí."),
             ("criterion", "Tiêu chí", "Ví dụ Cải cách thể chế."),
             ("targets", "Chỉ tiêu cần đạt", "Mỗi chỉ tiêu một dòng trong ô (Alt+Enter)."),
             ("lead", "Phòng chủ trì", "Phòng chủ trì thực hiện."),
             ("coordinating", "Phòng, đơn vị phối hợp", "Đơn vị phối hợp."))
PROC_COLS = (("name", "Tên thủ tục", "Tên thủ tục hành chính."),
             ("field", "Lĩnh vực", "Lĩnh vực của thủ tục."),
             ("assignee", "Người phụ trách", "Người được phân công, nếu có."))

_EXAMPLES = {
    TASKS: ("1", "Công tác chỉ đạo, điều hành về CCHC", "1.1",
            "Kế hoạch thực hiện công tác CCHC năm", "Kế hoạch", "Trường Mầm non Tuổi Thơ",
            "Cán bộ, giáo viên, nhân viên", "Quý I/2023"),
    INDICATORS: ("2.1", "Tỷ lệ giải quyết hồ sơ TTHC đúng hạn: từ 98% trở lên.", "",
                 "từ 98% trở lên", "tỷ lệ", "Phòng Giáo dục và Đào tạo", "Trường …"),
    SCHEDULE: ("q1-2023", "Quý I năm 2023", date(2022, 12, 15), date(2023, 3, 14),
               date(2023, 3, 15), "Khung của Bộ Nội vụ"),
}


def is_plan_workbook(path: Path) -> bool:
    import python_calamine as pc

    try:
        names = {fold(n) for n in pc.CalamineWorkbook.from_path(str(path)).sheet_names}
    except Exception:  # noqa: BLE001 - not readable here: the sheet reader will say why
        return False
    return fold(INFO) in names and fold(TASKS) in names


# --- writing ---------------------------------------------------------------------------


def write_plan_workbook(plan: Plan | None, path: str | Path) -> Path:
    """Write ``plan`` (or an empty template with example rows when None) atomically."""
    from openpyxl import Workbook

    from cchc_xlsx.atomic import atomic_path

    wb = Workbook()
    wb.remove(wb.active)
    _info_sheet(wb, plan)
    _table_sheet(wb, TASKS, TASK_COLS, _task_rows(plan), (8, 24, 8, 50, 30, 24, 24, 22))
    _table_sheet(wb, INDICATORS, IND_COLS, _indicator_rows(plan), (8, 60, 10, 18, 12, 24, 24),
                 lists={"group": ("có",), "measure": tuple(MEASURES.values())})
    _table_sheet(wb, SCHEDULE, SCHED_COLS, _schedule_rows(plan), (12, 22, 12, 12, 12, 50, 8),
                 dates=("from", "to", "due"))
    if plan is None or plan.roadmap:
        _table_sheet(wb, ROADMAP, ROAD_COLS, _roadmap_rows(plan), (10, 22, 6, 24, 60, 24, 24))
    if plan is None or plan.procedures:
        _table_sheet(wb, PROCEDURES, PROC_COLS, _procedure_rows(plan), (50, 24, 24))
    for ws in wb.worksheets:
        _fit(ws)
    target = Path(path)
    with atomic_path(target) as tmp:
        wb.save(str(tmp))
    return target


def _fit(ws) -> None:
    """Landscape A4, one page wide, header row repeated; rows tall enough for their text
    (Excel and LibreOffice do not grow rows written by a program)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    widths = {k: (d.width or 10) for k, d in ws.column_dimensions.items()}
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if isinstance(cell.value, str):
                chars = max(8, int(widths.get(cell.column_letter, 10) * 1.1))
                lines = max(lines, sum(-(-max(1, len(x)) // chars)
                                       for x in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 16 * lines


def _style_header(ws, row: int, n: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    for c in range(1, n + 1):
        cell = ws.cell(row, c)
        cell.font = Font(name="Times New Roman", bold=True, size=12)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(thin, thin, thin, thin)


def _put(ws, row: int, col: int, value: Any, example: bool = False) -> None:
    from openpyxl.styles import Alignment, Font

    cell = ws.cell(row, col)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "dd/mm/yyyy"
    else:
        cell.value = value if value != "" else None
        cell.number_format = "@"  # text: "1.10" and "045" stay as typed
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    cell.font = Font(name="Times New Roman", size=12, italic=example,
                     color="808080" if example else None)


def _prompt(ws, ref: str, title: str, message: str, choices: tuple[str, ...] = (),
            is_date: bool = False) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                            allow_blank=True)
        dv.error, dv.errorTitle = "Hãy chọn một giá trị trong danh sách.", "Giá trị không hợp lệ"
        dv.showErrorMessage = True
    elif is_date:
        dv = DataValidation(type="date", operator="between", formula1="36526",
                            formula2="73051", allow_blank=True)
        dv.error, dv.errorTitle = "Hãy nhập ngày dạng ngày/tháng/năm.", "Ngày không hợp lệ"
        dv.showErrorMessage = True
    else:
        dv = DataValidation(allow_blank=True)
    dv.promptTitle, dv.prompt = title[:32], message[:255]
    dv.showInputMessage = True
    dv.add(ref)
    ws.add_data_validation(dv)


def _info_sheet(wb, plan: Plan | None) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(INFO)
    ws["A1"] = "THÔNG TIN CHUNG CỦA KẾ HOẠCH"
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    for c, text in enumerate(("Mục", "Nội dung", "Hướng dẫn"), start=1):
        ws.cell(2, c, text)
    _style_header(ws, 2, 3)
    values = _info_values(plan)
    for r, (key, label, message) in enumerate(INFO_FIELDS, start=3):
        ws.cell(r, 1, label).font = Font(name="Times New Roman", bold=True, size=12)
        _put(ws, r, 2, values.get(key, ""), example=plan is None)
        ws.cell(r, 3, message).font = Font(name="Times New Roman", size=11, color="606060")
        _prompt(ws, f"B{r}", label, message,
                AUTHORITIES if key == "authority" else (), is_date=key == "date")
    top = 3 + len(INFO_FIELDS) + 1
    for c, (_, label, _) in enumerate(APPENDIX_COLS, start=1):
        ws.cell(top, c, label)
    _style_header(ws, top, len(APPENDIX_COLS))
    appendices = [(a.form, a.number, a.title, a.attached_line) for a in plan.appendices] \
        if plan is not None else [("plan_tasks_grouped", "1", "KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC "
                                   "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2023", "(Kèm theo …)")]
    for i, values_row in enumerate(appendices):
        for c, value in enumerate(values_row, start=1):
            _put(ws, top + 1 + i, c, value, example=plan is None)
    for c, (key, label, message) in enumerate(APPENDIX_COLS, start=1):
        col = "ABCD"[c - 1]
        _prompt(ws, f"{col}{top + 1}:{col}{top + 30}", label, message,
                PLAN_FORMS if key == "form" else ())
    for col, width in zip("ABCD", (30, 60, 60, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"


def _info_values(plan: Plan | None) -> dict[str, Any]:
    if plan is None:
        return {"id": "kh-mntt-2023", "superior_body": "ỦY BAN NHÂN DÂN QUẬN 8",
                "issuing_body": "TRƯỜNG MẦM NON TUỔI THƠ", "number": "71", "symbol": "KH-MNTT",
                "place": "Quận 8", "date": date(2023, 3, 17),
                "title": "Thực hiện công tác cải cách hành chính năm 2023", "year": "2023",
                "signer_title": "HIỆU TRƯỞNG", "name": "Phùng Thị Ngọc Hiền",
                "recipients": "PGDĐT Q8;\nLưu: VT."}
    m = plan.meta
    return {"id": plan.id, "superior_body": m.superior_body, "issuing_body": m.issuing_body,
            "number": m.number, "symbol": m.symbol, "place": m.place, "date": m.date or "",
            "date_text": m.date_text, "title": m.title, "year": str(m.year or ""),
            "authority": m.signer.authority, "head_title": m.signer.head_title,
            "signer_title": m.signer.title, "name": m.signer.name,
            "recipients": "\n".join(m.recipients), "report_forms": ", ".join(plan.report_forms)}


def _table_sheet(wb, name: str, cols, rows: list[tuple] | None, widths,
                 lists: dict[str, tuple[str, ...]] | None = None,
                 dates: tuple[str, ...] = ()) -> None:
    ws = wb.create_sheet(name)
    for c, (_, label, _) in enumerate(cols, start=1):
        ws.cell(1, c, label)
    _style_header(ws, 1, len(cols))
    example = rows is None
    if example:
        sample = _EXAMPLES.get(name, ("",) * len(cols))
        rows = [(EXAMPLE,) + tuple(sample[1:len(cols)])]  # the marker in the first column
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, example=example)
    last = max(len(rows) + 200, 500)
    for c, (key, label, message) in enumerate(cols, start=1):
        letter = ws.cell(1, c).column_letter
        _prompt(ws, f"{letter}2:{letter}{last}", label, message,
                (lists or {}).get(key, ()), is_date=key in dates)
        ws.column_dimensions[letter].width = widths[c - 1]
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(cols)).column_letter}{max(2, len(rows) + 1)}"


def _task_rows(plan: Plan | None) -> list[tuple] | None:
    if plan is None:
        return None
    rows = []
    for a in plan.areas:
        for t in a.tasks:
            for i, p in enumerate(t.products):
                rows.append((a.stt, a.title, t.stt if i == 0 else "", t.content if i == 0 else "",
                             p.product, p.lead, p.coordinating, p.deadline.text))
    return rows


def _indicator_rows(plan: Plan | None) -> list[tuple] | None:
    if plan is None:
        return None
    rows = []
    for ind in plan.indicators:
        target = "" if ind.group or ind.target is None else ind.target.text
        measure = "" if ind.group else MEASURES[ind.measure]
        rows.append((ind.stt, ind.text, "có" if ind.group else "", target, measure, ind.lead,
                     ind.coordinating))
    return rows


def _schedule_rows(plan: Plan | None) -> list[tuple] | None:
    if plan is None:
        return None
    return [(p.id, p.name, p.start, p.end, p.due, p.note, "" if p.kind == "report" else p.kind)
            for p in plan.schedule]


def _roadmap_rows(plan: Plan | None) -> list[tuple] | None:
    if plan is None:
        return None
    return [(ph.code, ph.title, c.stt, c.criterion, "\n".join(t.text for t in c.targets),
             c.lead, c.coordinating) for ph in plan.roadmap for c in ph.criteria]


def _procedure_rows(plan: Plan | None) -> list[tuple] | None:
    if plan is None:
        return None
    return [(p.name, p.field, p.assignee) for p in plan.procedures]


# --- reading ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _sheet(book, name: str) -> list[list[Any]] | None:
    for sheet_name in book.sheet_names:
        if fold(sheet_name) == fold(name):
            return book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    return None


def _records(book, name: str, cols, review: Review, where: str) -> list[dict[str, str]]:
    """Rows of a table sheet as {key: text}, found by header labels (columns may move)."""
    rows = _sheet(book, name)
    if not rows:
        return []
    labels = {fold(label): key for key, label, _ in cols}
    header_at, index = None, {}
    for r, row in enumerate(rows[:10]):
        found = {labels[fold(_text(v))]: c for c, v in enumerate(row) if fold(_text(v)) in labels}
        if len(found) >= 2:
            header_at, index = r, found
            break
    if header_at is None:
        review.doubt(f"{where} «{name}»", "không thấy hàng tiêu đề; trang tính bị bỏ qua")
        return []
    out = []
    for r in range(header_at + 1, len(rows)):
        row = rows[r]
        rec = {key: _text(row[c]) if c < len(row) else "" for key, c in index.items()}
        first = _text(row[0]) if row else ""
        if not any(rec.values()) or fold(first).startswith(fold(EXAMPLE)):
            continue
        for key, c in index.items():
            if key == "stt" and c < len(row) and isinstance(row[c], float) and \
                    not row[c].is_integer():
                review.doubt(f"trang tính «{name}», dòng {r + 1}",
                             f"STT «{rec[key]}» được Excel lưu là số (1.10 thành 1.1?); hãy "
                             "định dạng ô là Văn bản (Text) và gõ lại")
        rec["_row"] = str(r + 1)
        out.append(rec)
    return out


def read_plan_workbook(path: Path, review: Review, shown_as: str | None = None
                       ) -> tuple[Plan | None, Review]:
    """Read a plan workbook back into a plan, through the YAML plan's own checks."""
    import python_calamine as pc

    from cchc_xlsx.plans.plan_loader import plan_from_data

    shown = shown_as or str(path)
    book = pc.CalamineWorkbook.from_path(str(path))
    info_rows = _sheet(book, INFO) or []
    by_label = {fold(label): key for key, label, _ in INFO_FIELDS}
    info: dict[str, str] = {}
    appendix_at = None
    for r, row in enumerate(info_rows):
        label = fold(_text(row[0])) if row else ""
        if label in by_label and len(row) > 1:
            info[by_label[label]] = _text(row[1])
        if label == fold(APPENDIX_COLS[0][1]):
            appendix_at = r
    appendices = []
    if appendix_at is not None:
        for row in info_rows[appendix_at + 1:]:
            values = [_text(v) for v in row[:4]] + [""] * (4 - len(row[:4]))
            if not any(values) or fold(values[0]).startswith(fold(EXAMPLE)):
                continue
            appendices.append(dict(zip(("form", "number", "title", "attached_line"), values,
                                       strict=True)))
    meta: dict[str, Any] = {
        "superior_body": info.get("superior_body", ""),
        "issuing_body": info.get("issuing_body", ""),
        "number": info.get("number", ""), "symbol": info.get("symbol", ""),
        "place": info.get("place", ""), "title": info.get("title", ""),
        "year": info.get("year") or None,
        "signer": {"authority": info.get("authority", ""),
                   "head_title": info.get("head_title", ""),
                   "title": info.get("signer_title", ""), "name": info.get("name", "")},
        "recipients": [x.strip() for x in info.get("recipients", "").split("\n") if x.strip()],
    }
    if info.get("date"):
        meta["date"] = info["date"]
    else:
        meta["date_text"] = info.get("date_text", "")
    where = "trang tính"
    areas: list[dict[str, Any]] = []
    for rec in _records(book, TASKS, TASK_COLS, review, where):
        if not areas or (rec["area"] and (rec["area"], rec["area_stt"]) !=
                         (areas[-1]["title"], areas[-1]["stt"])):
            areas.append({"stt": rec["area_stt"], "title": rec["area"], "tasks": []})
        product = {k: rec[k] for k in ("product", "deadline", "lead", "coordinating")}
        tasks = areas[-1]["tasks"]
        if not rec["stt"] and not rec["content"] and tasks:
            last = tasks[-1]
            if "products" not in last:
                last["products"] = [{k: last.pop(k) for k in
                                     ("product", "deadline", "lead", "coordinating")}]
            last["products"].append(product)
        else:
            tasks.append({"stt": rec["stt"], "content": rec["content"], **product})
    indicators = []
    for rec in _records(book, INDICATORS, IND_COLS, review, where):
        item: dict[str, Any] = {"stt": rec["stt"], "text": rec["text"], "lead": rec["lead"],
                                "coordinating": rec["coordinating"]}
        if fold(rec["group"]) in ("có", "co", "x", "true"):
            item["group"] = "true"
        else:
            derived = find_target(rec["text"])
            if rec["target"] and (derived is None or derived.text != rec["target"]):
                item["target"] = rec["target"]
            measures = {fold(v): k for k, v in MEASURES.items()} | {k: k for k in MEASURES}
            measure = measures.get(fold(rec["measure"]), "")
            if measure and measure != default_measure(derived) or "target" in item:
                item["measure"] = measure or ""
        indicators.append(item)
    schedule = [{k: rec[k] for k in ("id", "name", "from", "to", "due", "note")}
                | ({"kind": rec["kind"]} if rec.get("kind") else {})
                for rec in _records(book, SCHEDULE, SCHED_COLS, review, where)]
    roadmap: list[dict[str, Any]] = []
    for rec in _records(book, ROADMAP, ROAD_COLS, review, where):
        if not roadmap or (rec["code"] and rec["code"] != roadmap[-1]["code"]):
            roadmap.append({"code": rec["code"], "title": rec["phase"], "criteria": []})
        roadmap[-1]["criteria"].append({
            "stt": rec["stt"], "criterion": rec["criterion"],
            "targets": [t for t in rec["targets"].split("\n") if t.strip()],
            "lead": rec["lead"], "coordinating": rec["coordinating"]})
    procedures = [{k: rec[k] for k in ("name", "field", "assignee")}
                  for rec in _records(book, PROCEDURES, PROC_COLS, review, where)]
    data = {"id": info.get("id", ""), "meta": meta, "appendices": appendices, "areas": areas,
            "indicators": indicators, "roadmap": roadmap, "schedule": schedule,
            "procedures": procedures,
            "report_forms": [f.strip() for f in info.get("report_forms", "").split(",")
                             if f.strip()]}
    if not data["id"]:
        from cchc_xlsx.model import PlanMeta
        from cchc_xlsx.plan_import.importer import plan_id

        data["id"] = plan_id(PlanMeta(superior_body="", issuing_body=meta["issuing_body"],
                                      symbol=meta["symbol"],
                                      year=int(meta["year"]) if str(meta["year"] or "")
                                      .isdigit() else None))
        review.doubt("trang tính «Thông tin chung»", f"chưa có mã kế hoạch; đã đặt "
                     f"«{data['id']}»")
    if not (areas or indicators or roadmap or procedures):
        review.usable = False
        review.doubt("", "sổ kế hoạch chưa có nhiệm vụ, chỉ tiêu hay lộ trình nào")
        return None, review
    warnings: list[str] = []
    plan = plan_from_data(data, shown, warnings)
    review.doubts.extend(_doubts(warnings))
    return plan, review


def _doubts(warnings: list[str]):
    from cchc_xlsx.plan_import.review import Doubt

    return [Doubt("", w) for w in warnings]
