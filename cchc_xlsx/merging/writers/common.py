"""What every appendix of the consolidated workbook shares: the office, the sheet frame
(page furniture, header row, signature, print setup) and small writing helpers.

Every text that came from a unit is written with ``write_string`` (see ``_text``,
``_merged``): a school typing "=HYPERLINK(…)" must see its text printed, not executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from xlsxwriter.worksheet import Worksheet

from cchc_xlsx.forms.generate import BLANK_DAY, DOTS
from cchc_xlsx.forms.official_layout import (
    DECIMAL,
    INTEGER,
    TABLE_SIZE,
    Formats,
    HeaderTexts,
    begin_sheet,
    fit_widths,
    row_height,
    setup_page,
    signer_lines,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.model import Period, Plan
from cchc_xlsx.plans.names import normal_case, recipient_lines
from cchc_xlsx.plans.office_profile import OfficeProfile, date_line
from cchc_xlsx.plans.units import head_title
from cchc_xlsx.user_text import store_text

SHEET_SUBMISSIONS = "Tình hình nộp"
SHEET_TASKS = "TH Nhiệm vụ"
SHEET_TASK_DETAIL = "TH Nhiệm vụ chi tiết"
SHEET_INDICATORS = "TH Chỉ tiêu"
SHEET_TTHC = "TH TTHC"
SHEET_DIFFICULTIES = "Khó khăn, đề xuất"
SHEET_LEVELS = "TH Cấp học"

STATUS_LABELS = {
    "valid": "Đã nộp, hợp lệ",
    "included": "Đã nộp, hợp lệ",
    "invalid": "Đã nộp, có lỗi",
    "unusable": "Không đọc được",
    "missing": "Chưa nộp",
}
# a unit with several rows (a wrong-period file and its missing return) counts by its best
_STATUS_RANK = {"valid": 3, "included": 3, "invalid": 2, "unusable": 1, "missing": 0}
_STATUS_FILL = {"invalid": "#FFEB9C", "unusable": "#FFC7CE", "missing": "#FFC7CE"}
# the detail grid: Excel's own good / neutral / bad fills, grey for "not applicable"
LETTER_FILL = {"H": "#C6EFCE", "D": "#FFEB9C", "C": "#FFC7CE", "K": "#D9D9D9"}
LEGEND = ("Ký hiệu: H - Đã hoàn thành (nền xanh); D - Đang thực hiện (nền vàng); "
          "C - Chưa thực hiện (nền đỏ); K - Không phát sinh (nền xám); "
          "ô để trống - đơn vị không có số liệu cho nhiệm vụ đó.")

MAX_ROW = 409  # points: Excel's highest row
MAX_LINES = (MAX_ROW - 4) * 4 // (5 * TABLE_SIZE)  # wrapped 12-pt lines that fit in one row
LIST_LINES = 6  # lines a list of unit names may take in the totals block


@dataclass(frozen=True)
class Office:
    """The consolidating office, printed as the issuer of every appendix."""

    superior: str  # e.g. "ỦY BAN NHÂN DÂN QUẬN 8"
    name: str  # e.g. "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
    place: str = ""  # "Quận 8"
    signer_title: str = ""  # "TRƯỞNG PHÒNG" or "KT. TRƯỞNG PHÒNG|PHÓ TRƯỞNG PHÒNG"
    signer_name: str = ""
    code: str = ""  # the office's own unit code (identity unit_code of the output)
    symbol: str = ""  # the office's part of ký hiệu: "GDĐT" → "Số: 45/BC-GDĐT"
    number: str = ""  # the report's number, once the văn thư has given it
    date: date | None = None  # the report's date
    recipients: tuple[str, ...] = ()  # Nơi nhận lines, without the leading "- "
    title: str = ""  # the report's trích yếu; "{period}" becomes the period's name

    @classmethod
    def from_profile(cls, profile: OfficeProfile) -> Office:
        return cls(superior=profile.superior, name=profile.name, place=profile.place,
                   signer_title=profile.signer_title, signer_name=profile.signer.name,
                   code=profile.code, symbol=profile.symbol, number=profile.number,
                   date=profile.date, recipients=profile.recipients, title=profile.title)

    def number_symbol(self) -> str:
        """"45/BC-GDĐT", or "     /BC-GDĐT" with the number left for the văn thư."""
        symbol = f"BC-{self.symbol}" if self.symbol else f"BC-{DOTS}"
        return f"{self.number}/{symbol}" if self.number else f"     /{symbol}"

    def number_line(self) -> str:
        return f"Số: {self.number_symbol()}"

    def report_title(self, period: Period) -> str:
        """The Word report's trích yếu, "Kết quả thực hiện công tác cải cách hành chính …"."""
        if self.title:
            return self.title.replace("{period}", period.name[:1].lower() + period.name[1:])
        return ("Kết quả thực hiện công tác cải cách hành chính "
                f"{period.name[:1].lower() + period.name[1:]}")

    def recipient_lines(self) -> tuple[str, ...]:
        """"- …;" lines as NĐ 30 prints them, ending with "- Lưu: VT."; without a list, the
        superior body the report goes to (in normal case) and the archive."""
        given = [r for r in self.recipients if r]
        if not given and self.superior:
            given = [normal_case(self.superior)]
        return recipient_lines(given)

    def signing_title(self) -> str:
        """The signer's title; without one, the head of this kind of body (Phòng → TRƯỞNG
        PHÒNG, Sở → GIÁM ĐỐC, Trường → HIỆU TRƯỞNG), the name line left to be written."""
        return self.signer_title or head_title(self.name) or "THỦ TRƯỞNG CƠ QUAN"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else ""
        data["recipients"] = list(self.recipients)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Office:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["date"] = date.fromisoformat(values["date"]) if values.get("date") else None
        values["recipients"] = tuple(values.get("recipients") or ())
        return cls(**values)


# --- small writing helpers ---------------------------------------------------------------


def _height(lines: int, size: float = TABLE_SIZE) -> float:
    return min(row_height(lines, size), MAX_ROW)


def _text(ws: Worksheet, r: int, c: int, text: str, fmt: Any) -> None:
    """A unit's text as a string, whatever it starts with; blank keeps the border."""
    store_text(text, ws, r, c, fmt)


def _merged(ws: Worksheet, r0: int, c0: int, r1: int, c1: int, text: str, fmt: Any) -> None:
    """A merged cell whose text is written with ``write_string``: ``merge_range`` alone
    routes its text through ``write()``, which would make "=…" a formula."""
    if r1 > r0 or c1 > c0:
        ws.merge_range(r0, c0, r1, c1, "", fmt)
    _text(ws, r0, c0, text, fmt)


def _num_format(value: float) -> str:
    return INTEGER if float(value).is_integer() else DECIMAL


def _names(names: Sequence[str], width: float, max_lines: int, more: str = "") -> str:
    """Comma-separated names cut to fit ``max_lines`` wrapped lines, saying how many more.

    A district may have hundreds of missing or failing units; a cell taller than Excel's
    highest row would be clipped in print without a word, so the cut is explicit.
    """
    text = ", ".join(names)
    if text_lines(text, width) <= max_lines:
        return text
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        candidate = ", ".join([*shown, name]) + f" … và {rest} đơn vị khác{more}"
        if text_lines(candidate, width) > max_lines:
            break
        shown.append(name)
    return ", ".join(shown) + f" … và {len(names) - len(shown)} đơn vị khác{more}"


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=None)  # Excel has no time zones: keep the wall-clock time


# --- the sheet frame ---------------------------------------------------------------------


@dataclass
class _Context:
    plan: Plan
    period: Period
    office: Office
    fm: Formats
    office_name: str  # normal case, for running text
    superior_name: str


def _head(ctx: _Context, label: str, title: str, notes: tuple[str, ...] = ()) -> HeaderTexts:
    """The office's page furniture. Number and date stay blank unless given (profile or
    options): the report they are attached to is numbered and dated by the office's clerk
    (văn thư) when it is issued, and the blanks are left for the pen."""
    year = ctx.period.due.year
    o = ctx.office
    dated = date_line(o.place or DOTS, o.date, year)
    when = dated.split(", ", 1)[-1] if o.date else f"{BLANK_DAY} {year}"
    return HeaderTexts(
        superior=o.superior, issuer=o.name, number_line=o.number_line(),
        date_line=dated, appendix_label=label, title=title,
        attached_line=f"(Kèm theo Báo cáo số {o.number_symbol()} {when} của {ctx.office_name})",
        period_line=(f"Kỳ báo cáo: {ctx.period.name} (số liệu từ ngày "
                     f"{ctx.period.start:%d/%m/%Y} đến ngày {ctx.period.end:%d/%m/%Y})"),
        notes=notes, signer_lines=signer_lines(o.signing_title()), signer_name=o.signer_name,
        recipients=o.recipient_lines(),
    )


def _sheet(wb: Any, ctx: _Context, name: str, widths: list[float],
           head: HeaderTexts, keep: tuple[int, ...] = (),
           landscape: bool = True) -> tuple[Worksheet, int]:
    ws = wb.add_worksheet(name, worksheet_class=OfficialWorksheet)
    # the callers size rows by these widths
    widths[:] = begin_sheet(ws, fit_widths(widths, landscape, keep))
    return ws, write_page_header(ws, ctx.fm, widths, head)


def _lines_block(ws: Worksheet, ctx: _Context, r: int, widths: list[float],
                 lines: list[str]) -> int:
    """Plain lines across the page above a table (the totals of the submissions sheet)."""
    fmt = ctx.fm.get("note", italic=False)
    total = sum(widths)
    for line in lines:
        _merged(ws, r, 0, r, len(widths) - 1, line, fmt)
        ws.set_row(r, _height(text_lines(line, total)))
        r += 1
    return r + 1 if lines else r


def _header_row(ws: Worksheet, ctx: _Context, r: int, headers: Sequence[str],
                widths: Sequence[float], numbers: bool) -> int:
    """One header row (and the (1)…(n) row); return the last header row."""
    th = ctx.fm.get("th")
    for i, text in enumerate(headers):
        ws.write_string(r, i, text, th)
    ws.set_row(r, _height(max(text_lines(t, w, bold=True)
                              for t, w in zip(headers, widths, strict=True))))
    if numbers:
        r += 1
        colnum = ctx.fm.get("colnum")
        for i in range(len(headers)):
            ws.write_string(r, i, f"({i + 1})", colnum)
    return r


def _finish(ws: Worksheet, ctx: _Context, widths: list[float], r: int, head: HeaderTexts,
            header_first: int, header_last: int, first_data: int,
            freeze_col: int = 0) -> None:
    """Signature, print setup and frozen panes: the same for every appendix."""
    end = write_signature(ws, ctx.fm, widths, r, head)
    setup_page(ws, True, header_first, header_last, end)
    ws.print_area(0, 0, end, len(widths) - 1)
    ws.freeze_panes(first_data, freeze_col)



def _period_upper(period: Period) -> str:
    """"Quý I năm 2023" → "QUÝ I NĂM 2023", as the titles print it (IN HOA)."""
    return period.name.upper()


def _uses(plan: Plan, form: str) -> bool:
    """Whether the units filled this form: a plan listing its report forms says so."""
    return not plan.report_forms or form in plan.report_forms

