"""Write the consolidated workbook: the district's own appendices built from its units' returns.

A consolidation is read by people first (it is attached to the office's report upward), so
every sheet is an official NĐ 30/2020 appendix with the office as issuer, the same page
furniture as the forms units filled (``official_layout``), and row heights that print all
text. It is also read by software: the next level up merges it again, so the exact figures
travel in the hidden identity (``Aggregate`` JSON), never re-read from the rounded cells.

Every text that came from a unit (names, file names, notes, difficulties) is written with
``write_string`` and the workbook refuses to turn strings into formulas or links: a school
typing "=HYPERLINK(…)" or "+84 912" must see its text printed, not executed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.forms.form_rows import indicator_records, procedure_records, task_records
from cchc_xlsx.forms.generate import BLANK_DAY, DOTS
from cchc_xlsx.forms.identity import Identity, write_identity
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    Formats,
    HeaderTexts,
    begin_sheet,
    fit_widths,
    roman,
    row_height,
    setup_page,
    signer_lines,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.sheet_writer import header_heights, write_header_grid
from cchc_xlsx.forms.specs import FormSpec, load_catalog
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.merging.aggregate import (
    SOURCE_LABELS,
    STATUS_CODES,
    Aggregate,
    IndicatorAgg,
    Submission,
)
from cchc_xlsx.merging.by_level import by_level
from cchc_xlsx.model import Period, Plan
from cchc_xlsx.plans.names import normal_case
from cchc_xlsx.plans.office_profile import OfficeProfile, date_line

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
        """"- …;" lines as NĐ 30 prints them, ending with "- Lưu: VT." when not given."""
        lines = [f"- {r}" for r in self.recipients if r]
        if not any(r.lstrip("- ").startswith("Lưu") for r in lines):
            lines.append("- Lưu: VT.")
        return tuple(lines)

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
    if text:
        ws.write_string(r, c, text, fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def _merged(ws: Worksheet, r0: int, c0: int, r1: int, c1: int, text: str, fmt: Any) -> None:
    """A merged cell whose text is written with ``write_string``: ``merge_range`` alone
    routes its text through ``write()``, which would make "=…" a formula."""
    if r1 > r0 or c1 > c0:
        ws.merge_range(r0, c0, r1, c1, "", fmt)
    _text(ws, r0, c0, text, fmt)


def _num_format(value: float) -> str:
    return "#,##0" if float(value).is_integer() else "#,##0.###"


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
        notes=notes, signer_lines=signer_lines(o.signer_title), signer_name=o.signer_name,
        recipients=o.recipient_lines(),
    )


def _sheet(wb: Any, ctx: _Context, name: str, widths: list[float],
           head: HeaderTexts, keep: tuple[int, ...] = ()) -> tuple[Worksheet, int]:
    ws = wb.add_worksheet(name, worksheet_class=OfficialWorksheet)
    widths[:] = begin_sheet(ws, fit_widths(widths, True, keep))  # the callers size rows by these
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


# --- 1. submissions ----------------------------------------------------------------------


def _note(s: Submission) -> str:
    parts = [s.note] if s.note else []
    if s.replaced:
        parts.append("thay thế: " + ", ".join(s.replaced))
    if s.via:
        parts.append(f"qua tệp tổng hợp {s.via}")
    return "; ".join(parts)


@dataclass
class Standing:
    """Who sent what, one entry per expected unit (its best file), and the files from
    outside the list or the period: what the totals lines and the Word report say."""

    units: list[Submission]
    others: list[Submission]

    @property
    def sent(self) -> list[Submission]:
        return [u for u in self.units if u.status != "missing"]

    @property
    def missing(self) -> list[Submission]:
        return [u for u in self.units if u.status == "missing"]

    @property
    def bad(self) -> list[Submission]:
        return [u for u in self.units if u.status in ("invalid", "unusable")]

    @property
    def on_time(self) -> list[Submission]:
        return [u for u in self.sent if u.on_time is True]

    @property
    def late(self) -> list[Submission]:
        return [u for u in self.sent if u.on_time is False]


def standing(submissions: Sequence[Submission],
             expected: Collection[str] | None) -> Standing:
    if expected is None:
        codes = list(dict.fromkeys(s.unit_code for s in submissions if s.unit_code))
    else:
        codes = list(dict.fromkeys(expected))
    wanted = set(codes)
    best: dict[str, Submission] = {}
    for s in submissions:
        if s.unit_code in wanted:
            seen = best.get(s.unit_code)
            if seen is None or _STATUS_RANK.get(s.status, 0) > _STATUS_RANK.get(seen.status, 0):
                best[s.unit_code] = s
    names = {s.unit_code: s.unit_name for s in submissions}
    units = [best[c] if c in best else Submission(c, names.get(c, c)) for c in codes]
    others = [s for s in submissions
              if (not s.expected or s.unit_code not in wanted) and s.status != "missing"]
    return Standing(units, others)


def _totals(submissions: Sequence[Submission], agg: Aggregate,
            expected: Collection[str] | None, width: float, period: Period,
            generated_at: datetime) -> list[str]:
    """The lines a head of office reads first: who sent, who is late, who is missing."""
    st = standing(submissions, expected)
    missing = [u.unit_name or u.unit_code for u in st.missing]
    # with --include-invalid a file with errors is counted: say so, never "not counted"
    bad = [u.unit_name or u.unit_code for u in st.bad if u.unit_code not in agg.units]
    counted_bad = [u.unit_name or u.unit_code for u in st.bad
                   if u.status == "invalid" and u.unit_code in agg.units]
    more = " (xem bảng dưới)"
    lines = [
        f"Đã nộp: {len(st.sent)}/{len(st.units)} đơn vị; đúng hạn: {len(st.on_time)}; "
        f"quá hạn: {len(st.late)} (hạn nộp: ngày {period.due:%d/%m/%Y}).",
        f"Chưa nộp: {len(missing)}" + (
            f" ({_names(missing, width, LIST_LINES, more)})." if missing else "."),
        f"Không hợp lệ (có lỗi hoặc không đọc được, chưa được tổng hợp): {len(bad)}" + (
            f" ({_names(bad, width, LIST_LINES, more)})." if bad else "."),
    ]
    if counted_bad:
        lines.append(f"Có lỗi nhưng vẫn được tổng hợp (theo yêu cầu tính cả tệp có lỗi): "
                     f"{len(counted_bad)} ({_names(counted_bad, width, LIST_LINES, more)}).")
    if st.others:
        files = [s.file or s.unit_name or s.unit_code for s in st.others]
        lines.append(f"Tệp không thuộc danh sách đơn vị hoặc không đúng kỳ: {len(st.others)} "
                     f"({_names(files, width, LIST_LINES, more)}).")
    lines.append(f"Số đơn vị có số liệu được tổng hợp: {len(agg.units)}. Tổng hợp lúc "
                 f"{generated_at:%H:%M} ngày {generated_at:%d/%m/%Y}.")
    return lines


def _write_submissions(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                       submissions: Sequence[Submission], expected: Collection[str] | None,
                       generated_at: datetime) -> None:
    headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Số báo cáo", "Tình trạng",
               "Thời điểm nhận", "Nguồn thời điểm", "Đúng hạn", "Số lỗi", "Số cảnh báo", "Tệp",
               "Ghi chú"]
    widths = [5.0, 10.0, 24.0, 13.0, 14.0, 16.0, 14.0, 9.0, 6.0, 8.0, 18.0, 18.0]
    head = _head(ctx, label, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ")
    ws, r = _sheet(wb, ctx, SHEET_SUBMISSIONS, widths, head, keep=(5,))  # date and time
    r = _lines_block(ws, ctx, r, widths,
                     _totals(submissions, agg, expected, sum(widths), ctx.period, generated_at))
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=False)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    when_fmt = fm.get("td_center", num_format="dd/mm/yyyy hh:mm")
    status_fmt = {k: fm.get("td_center", bg_color=v) for k, v in _STATUS_FILL.items()}
    wrapped = ((2, widths[2]), (3, widths[3]), (4, widths[4]), (6, widths[6]),
               (10, widths[10]), (11, widths[11]))
    for n, s in enumerate(submissions, start=1):
        status = STATUS_LABELS.get(s.status, s.status)
        source = SOURCE_LABELS.get(s.received_from, s.received_from)
        timely = {True: "Đúng hạn", False: "Quá hạn"}.get(s.on_time, "")  # type: ignore[arg-type]
        note = _note(s)
        texts = {2: s.unit_name, 3: s.report_number, 4: status, 6: source, 10: s.file,
                 11: note}
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, s.unit_code, center)
        _text(ws, r, 2, s.unit_name, td)
        _text(ws, r, 3, s.report_number, center)
        _text(ws, r, 4, status, status_fmt.get(s.status, center))
        moment = _parse_time(s.received_at) if s.received_at else None
        if moment is not None:
            ws.write_datetime(r, 5, moment, when_fmt)
        else:
            _text(ws, r, 5, s.received_at, center)
        _text(ws, r, 6, source, center)
        _text(ws, r, 7, timely, center)
        if s.status == "missing":
            ws.write_blank(r, 8, None, center)
            ws.write_blank(r, 9, None, center)
        else:
            ws.write_number(r, 8, s.errors, center)
            ws.write_number(r, 9, s.warnings, center)
        _text(ws, r, 10, s.file, td)
        _text(ws, r, 11, note, td)
        ws.set_row(r, _height(max(text_lines(texts[c], w) for c, w in wrapped)))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


# --- 2. tasks ----------------------------------------------------------------------------


def _period_upper(period: Period) -> str:
    """"Quý I năm 2023" → "QUÝ I NĂM 2023", as the titles print it (IN HOA)."""
    return period.name.upper()


def _write_tasks(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    statuses = list(STATUS_CODES)
    headers = ["STT", "Nhiệm vụ", "Sản phẩm", *statuses, "Số đơn vị báo cáo",
               "Tỷ lệ hoàn thành"]
    widths = [6.0, 42.0, 16.0, 11.0, 11.0, 11.0, 11.0, 11.0, 12.0]
    title = (f"KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH "
             f"{_period_upper(ctx.period)} TỔNG HỢP TỪ CÁC ĐƠN VỊ")
    notes = (f"Số đơn vị có số liệu được tổng hợp: {len(agg.units)}. Các cột (4)–(7): số đơn "
             "vị theo tình trạng thực hiện; (8) = (4) + (5) + (6) + (7); tỷ lệ hoàn thành "
             "(9) = (4) / [(8) − (7)], không tính các đơn vị không phát sinh nhiệm vụ.",)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_TASKS, widths, head)
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=True)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    g, g_center = fm.get("td_group"), fm.get("td_group_center")
    rate_fmt = fm.get("td_center", num_format="0.0%")
    count = fm.get("td_center", num_format="#,##0")
    last = len(widths) - 1
    done, na, reporting_col = (xl_col_to_name(c) for c in (3, 6, 7))
    records = task_records(ctx.plan)
    k = 0
    while k < len(records):
        rec = records[k]
        if rec["kind"] == "group":
            ws.write_string(r, 0, rec.get("stt", ""), g_center)
            _merged(ws, r, 1, r, last, rec.get("title", ""), g)
            ws.keep_with_next(r)
            ws.set_row(r, _height(text_lines(rec.get("title", ""), sum(widths[1:]), bold=True)))
            r += 1
            k += 1
            continue
        # one task: one row per product, its number and content merged down those rows
        block = records[k:k + max(1, rec.get("span", 1))]
        _merged(ws, r, 0, r + len(block) - 1, 0, rec["stt"], center)
        _merged(ws, r, 1, r + len(block) - 1, 1, rec["content"], td)
        heights = []
        for i, item in enumerate(block):
            at, n = r + i, r + i + 1
            counts = agg.tasks.get(item["key"], {})
            values = [int(counts.get(s, 0)) + int(counts.get(STATUS_CODES[s], 0))
                      for s in statuses]
            _text(ws, at, 2, item["product"], td)
            for j, v in enumerate(values):
                ws.write_number(at, 3 + j, v, count)
            reporting = sum(values)
            applicable = reporting - values[3]
            ws.write_formula(at, 7, f"=SUM({done}{n}:{na}{n})", count, reporting)
            ws.write_formula(
                at, 8, f'=IF({reporting_col}{n}-{na}{n}>0,'
                f'{done}{n}/({reporting_col}{n}-{na}{n}),"")',
                rate_fmt, values[0] / applicable if applicable > 0 else "")
            heights.append(_height(text_lines(item["product"], widths[2])))
        need = _height(text_lines(rec["content"], widths[1]))
        if need > sum(heights):
            heights[-1] = min(MAX_ROW, heights[-1] + need - sum(heights))
        for i, height in enumerate(heights):
            ws.set_row(r + i, height)
        r += len(block)
        k += len(block)
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


# --- 3. task detail ----------------------------------------------------------------------


def _detail_units(agg: Aggregate, submissions: Sequence[Submission]) -> list[str]:
    """Units in the display order of the submissions list, then any others by code."""
    order = [s.unit_code for s in submissions if s.unit_code in agg.task_detail]
    order = list(dict.fromkeys(order))
    seen = set(order)
    order += [c for c in agg.units if c in agg.task_detail and c not in seen]
    seen = set(order)
    order += sorted(c for c in agg.task_detail if c not in seen)
    return order


def _write_task_detail(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                       submissions: Sequence[Submission]) -> None:
    keys = list(agg.task_order)
    task_w = 2.9  # one letter; the headers are turned upright to fit
    widths = [4.5, 9.0, 22.0] + [task_w] * max(1, len(keys))
    title = (f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH {_period_upper(ctx.period)} "
             "CHI TIẾT THEO ĐƠN VỊ")
    head = _head(ctx, label, title, (LEGEND,))
    ws, r = _sheet(wb, ctx, SHEET_TASK_DETAIL, widths, head)
    fm = ctx.fm
    th = fm.get("th")
    header_first = r
    last = len(widths) - 1
    for c, text in enumerate(("STT", "Mã đơn vị", "Tên đơn vị")):
        _merged(ws, r, c, r + 1, c, text, th)
    _merged(ws, r, 3, r, last, "Nhiệm vụ (số thứ tự theo Kế hoạch)", th)
    ws.set_row(r, _height(text_lines("Nhiệm vụ (số thứ tự theo Kế hoạch)",
                                     sum(widths[3:]))))
    r += 1
    vertical = fm.get("th", rotation=90, size=10)
    labels = [k[5:] if k.startswith("task:") else k for k in keys]
    for j, text in enumerate(labels):
        ws.write_string(r, 3 + j, text, vertical)
    ws.set_row(r, max(30, 6 * max((len(t) for t in labels), default=3) + 10))
    header_last = r
    r = first = r + 1
    center, td = fm.get("td_center"), fm.get("td")
    cell = fm.get("td_center", size=10, text_wrap=False)
    letter_fmt = {k: fm.get("td_center", size=10, text_wrap=False, bg_color=v)
                  for k, v in LETTER_FILL.items()}
    n_keys = len(keys)
    name_w = widths[2]
    for n, code in enumerate(_detail_units(agg, submissions), start=1):
        sub = agg.units.get(code)
        name = sub.unit_name if sub else code
        ws.write_number(r, 0, n, center)
        ws.write_string(r, 1, code, center)
        _text(ws, r, 2, name, td)
        letters = agg.task_detail[code]
        for j in range(n_keys):
            ch = letters[j] if j < len(letters) else "-"
            if ch in ("-", " ", ""):
                ws.write_blank(r, 3 + j, None, cell)
            else:
                ws.write_string(r, 3 + j, ch, letter_fmt.get(ch, cell))
        ws.set_row(r, _height(text_lines(name, name_w)))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first, freeze_col=3)


# --- 4. indicators -----------------------------------------------------------------------


def _write_indicators(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    headers = ["STT", "Chỉ tiêu", "Chỉ tiêu cần đạt", "Tử số (Σ)", "Mẫu số (Σ)", "Kết quả",
               "Số đơn vị báo cáo", "Số đơn vị đạt", "Đơn vị chưa đạt"]
    widths = [5.0, 36.0, 13.0, 10.0, 10.0, 10.0, 9.0, 9.0, 30.0]
    title = (f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH "
             f"{_period_upper(ctx.period)} TỔNG HỢP TỪ CÁC ĐƠN VỊ")
    notes = (f"Số đơn vị có số liệu được tổng hợp: {len(agg.units)}. Chỉ tiêu tính theo tỷ lệ: "
             "kết quả (6) = tổng tử số (4) / tổng mẫu số (5) của các đơn vị, không lấy trung "
             "bình các tỷ lệ; chỉ tiêu tính theo số lượng: kết quả là tổng số của các đơn vị.",)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_INDICATORS, widths, head)
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=True)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    g, g_center = fm.get("td_group"), fm.get("td_group_center")
    rate_fmt = fm.get("td_center", num_format="0.00%")
    count = fm.get("td_center", num_format="#,##0")
    last = len(widths) - 1
    num, den = xl_col_to_name(3), xl_col_to_name(4)
    for rec in indicator_records(ctx.plan):
        if rec["kind"] == "group":
            ws.write_string(r, 0, rec.get("stt", ""), g_center)
            _merged(ws, r, 1, r, last, rec.get("title", ""), g)
            ws.keep_with_next(r)
            ws.set_row(r, _height(text_lines(rec.get("title", ""), sum(widths[1:]), bold=True)))
            r += 1
            continue
        a = agg.indicators.get(rec["key"]) or IndicatorAgg()
        ws.write_string(r, 0, rec["stt"], center)
        _text(ws, r, 1, rec["text"], td)
        _text(ws, r, 2, rec["target_text"], td)
        measure = rec.get("measure")
        if measure == "rate":
            for c, v in ((3, a.numerator), (4, a.denominator)):
                ws.write_number(r, c, v, fm.get("td_center", num_format=_num_format(v)))
            n = r + 1
            ws.write_formula(r, 5, f'=IF({den}{n}>0,{num}{n}/{den}{n},"")', rate_fmt,
                             a.numerator / a.denominator if a.denominator > 0 else "")
        else:
            ws.write_blank(r, 3, None, center)
            ws.write_blank(r, 4, None, center)
            if measure == "count" and a.reporting:
                ws.write_number(r, 5, a.total,
                                fm.get("td_center", num_format=_num_format(a.total)))
            else:
                ws.write_blank(r, 5, None, center)
        ws.write_number(r, 6, a.reporting, count)
        ws.write_number(r, 7, a.meeting, count)
        failing = _names(a.not_meeting, widths[8], MAX_LINES - 1)
        idle = agg.not_judged(rec["key"])
        if idle:  # 0/0 is no failure: named apart, so every reporting unit is accounted for
            idle_text = "Không xét (0/0 hoặc chưa đánh giá): " + _names(idle, widths[8], 2)
            failing = f"{failing}; {idle_text}" if failing else idle_text
        _text(ws, r, 8, failing, td)
        lines = max(text_lines(rec["text"], widths[1]), text_lines(rec["target_text"], widths[2]),
                    text_lines(failing, widths[8]))
        ws.set_row(r, _height(lines))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


# --- 5. TTHC (Biểu 06) -------------------------------------------------------------------


def _write_tthc(wb: Any, ctx: _Context, label: str, agg: Aggregate, spec: FormSpec) -> None:
    widths = [c.width for c in spec.columns]
    last = len(widths) - 1
    title = spec.title.format(year=ctx.period.due.year,
                              period_name_upper=_period_upper(ctx.period))
    title += " (TỔNG HỢP TỪ CÁC ĐƠN VỊ)"
    notes = tuple(n.format(unit_name=ctx.office_name, superior=ctx.superior_name or DOTS)
                  for n in spec.notes_before_table)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_TTHC, widths, head)
    header_first = r
    r = write_header_grid(ws, ctx.fm, r, spec, header_heights(spec, list(widths)))
    colnum = ctx.fm.get("colnum")
    for i in range(len(widths)):
        ws.write_string(r, i, f"({i + 1})", colnum)
    header_last = r
    r = first = r + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    number = fm.get("td_center", num_format="#,##0")
    blank = [0.0] * (len(widths) - 2)

    def row(stt: str, name: str, values: Sequence[float], at: int) -> None:
        ws.write_string(at, 0, stt, center)
        _text(ws, at, 1, name, td)
        for j, v in enumerate(values):
            ws.write_number(at, 2 + j, v,
                            number if float(v).is_integer() else
                            fm.get("td_center", num_format=_num_format(v)))
        ws.set_row(at, _height(text_lines(name, widths[1])))

    totals = list(blank)
    for rec in procedure_records(ctx.plan, spec):
        values = agg.tthc.get(rec["key"], blank)
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        row(rec["stt"], rec["name"], values, r)
        r += 1
    total_fmt = fm.get("total", num_format="#,##0")
    ws.write_blank(r, 0, None, total_fmt)
    ws.write_string(r, 1, spec.total_row["label"] if spec.total_row else "Tổng cộng",
                    total_fmt)
    for j in range(len(widths) - 2):
        col = xl_col_to_name(2 + j)
        ws.write_formula(r, 2 + j, f"=SUM({col}{first + 1}:{col}{r})", total_fmt, totals[j])
    ws.set_row(r, _height(1))
    r += 1
    if agg.tthc_by_unit:
        _merged(ws, r, 0, r, last, "Chi tiết theo đơn vị", fm.get("td_group"))
        ws.set_row(r, _height(1))
        r += 1
        for n, (code, values) in enumerate(agg.tthc_by_unit.items(), start=1):
            sub = agg.units.get(code)
            row(str(n), sub.unit_name if sub else code, values, r)
            r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


# --- 5b. by cấp học ----------------------------------------------------------------------


def _write_levels(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                  tthc_spec: FormSpec) -> None:
    """Task completion, indicator Σ/Σ and Biểu 06 totals per cấp học, one block each."""
    levels = by_level(agg)
    widths = [5.0, 30.0] + [9.0] * 11
    last = len(widths) - 1
    title = (f"KẾT QUẢ THỰC HIỆN CẢI CÁCH HÀNH CHÍNH {_period_upper(ctx.period)} "
             "THEO CẤP HỌC")
    notes = ("Cấp học theo cột «cấp học» của danh sách đơn vị. Tỷ lệ hoàn thành = số lượt "
             "nhiệm vụ đã hoàn thành / số lượt nhiệm vụ phải thực hiện (không tính không phát "
             "sinh); chỉ tiêu tỷ lệ = tổng tử số / tổng mẫu số của các đơn vị cùng cấp học.",)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_LEVELS, widths, head)
    fm = ctx.fm
    td, center, g = fm.get("td"), fm.get("td_center"), fm.get("td_group")
    count = fm.get("td_center", num_format="#,##0")
    rate_fmt = fm.get("td_center", num_format="0.00%")

    def block_title(row: int, text: str, to: int = 7) -> int:
        _merged(ws, row, 0, row, to, text, g)
        ws.set_row(row, _height(1))
        ws.keep_with_next(row)  # a block's title and header never end a page
        ws.keep_with_next(row + 1)
        return row + 1

    def numbers(row: int, col: int, value: float) -> None:
        ws.write_number(row, col, value, fm.get("td_center", num_format=_num_format(value)))

    ws.cchc_body = r  # three tables: only the last one's header is repeated
    r = block_title(r, "1. Thực hiện nhiệm vụ (số lượt nhiệm vụ của các đơn vị)")
    headers = ["STT", "Cấp học", "Số đơn vị", "Đã hoàn thành", "Đang thực hiện",
               "Chưa thực hiện", "Không phát sinh", "Tỷ lệ hoàn thành"]
    r = _header_row(ws, ctx, r, headers, widths[:len(headers)], numbers=False) + 1
    header_first = header_last = r - 1
    for n, fig in enumerate(levels, start=1):
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, fig.level, td)
        ws.write_number(r, 2, fig.units, count)
        for j, status in enumerate(STATUS_CODES):
            ws.write_number(r, 3 + j, fig.statuses.get(status, 0), count)
        if fig.applicable:
            ws.write_number(r, 7, fig.done / fig.applicable, rate_fmt)
        else:
            ws.write_blank(r, 7, None, center)
        ws.set_row(r, _height(text_lines(fig.level, widths[1])))
        r += 1
    if _uses(ctx.plan, "report_tthc") or agg.tthc:
        r = block_title(r + 1, "2. Tình hình giải quyết TTHC theo cấp học (Biểu số 06, "
                               "tổng các lĩnh vực)", last)
        headers = ["STT", "Cấp học"] + [f"({i})" for i in range(3, 14)]
        r = _header_row(ws, ctx, r, headers, widths, numbers=False)
        ws.write_blank(r + 1, 0, None, fm.get("colnum"))
        ws.write_string(r + 1, 1, "", fm.get("colnum"))
        labels = [col.header.split(") ", 1)[-1] for col in tthc_spec.columns[2:]]
        for j, text in enumerate(labels):
            ws.write_string(r + 1, 2 + j, text, fm.get("colnum", text_wrap=True))
        ws.set_row(r + 1, _height(max(text_lines(t, w, size=11)
                                      for t, w in zip(labels, widths[2:], strict=False)), 11))
        ws.keep_with_next(r + 1)
        r += 2
        for n, fig in enumerate(levels, start=1):
            ws.write_number(r, 0, n, center)
            _text(ws, r, 1, fig.level, td)
            for j, v in enumerate(fig.tthc):
                ws.write_number(r, 2 + j, v, count if float(v).is_integer() else
                                fm.get("td_center", num_format=_num_format(v)))
            ws.set_row(r, _height(1))
            r += 1
    r = block_title(r + 1, "3. Kết quả các chỉ tiêu theo cấp học")
    headers = ["STT", "Chỉ tiêu", "Cấp học", "Tử số (Σ)", "Mẫu số (Σ)", "Kết quả",
               "Số đơn vị báo cáo", "Số đơn vị đạt"]
    # the longest block comes last: its header is the one repeated on later pages
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths[:len(headers)], numbers=False)
    r = header_last + 1
    for rec in indicator_records(ctx.plan):
        if rec["kind"] != "item":
            continue
        rows = [(fig.level, fig.indicators[rec["key"]]) for fig in levels
                if rec["key"] in fig.indicators]
        if not rows:
            continue
        _merged(ws, r, 0, r + len(rows) - 1, 0, rec["stt"], center)
        _merged(ws, r, 1, r + len(rows) - 1, 1, rec["text"], td)
        for i, (level, a) in enumerate(rows):
            at = r + i
            _text(ws, at, 2, level, center)
            if rec.get("measure") == "rate":
                numbers(at, 3, a.numerator)
                numbers(at, 4, a.denominator)
                if a.denominator > 0:
                    ws.write_number(at, 5, a.numerator / a.denominator, rate_fmt)
                else:
                    ws.write_blank(at, 5, None, center)
            else:
                ws.write_blank(at, 3, None, center)
                ws.write_blank(at, 4, None, center)
                if rec.get("measure") == "count":
                    numbers(at, 5, a.total)
                else:
                    ws.write_blank(at, 5, None, center)
            ws.write_number(at, 6, a.reporting, count)
            ws.write_number(at, 7, a.meeting, count)
            ws.set_row(at, _height(1))
        need = _height(text_lines(rec["text"], widths[1]))
        if need > _height(1) * len(rows):
            ws.set_row(r + len(rows) - 1, min(MAX_ROW, need - _height(1) * (len(rows) - 1)))
        r += len(rows)
    _finish(ws, ctx, widths, r, head, header_first, header_last, 0)


# --- 6. difficulties ---------------------------------------------------------------------


def _row_titles(plan: Plan) -> dict[str, str]:
    """What a difficulty's row key refers to, as the plan words it ("1.1. Kế hoạch …")."""
    titles: dict[str, str] = {}
    for rec in task_records(plan):
        if rec["kind"] != "item":
            continue
        text = f"{rec['stt']}. {rec['content']}"
        if rec["key"] != rec["task_key"] and rec.get("product"):
            text += f" (sản phẩm: {rec['product']})"
        titles[rec["key"]] = text
    for rec in indicator_records(plan):
        if rec["kind"] == "item":
            titles[rec["key"]] = f"Chỉ tiêu {rec['stt']}. {rec['text']}"
    return titles


def _write_difficulties(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    headers = ["STT", "Đơn vị", "Nhiệm vụ", "Nội dung khó khăn, vướng mắc, đề xuất"]
    widths = [6.0, 24.0, 42.0, 60.0]
    head = _head(ctx, label, "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA CÁC ĐƠN VỊ")
    ws, r = _sheet(wb, ctx, SHEET_DIFFICULTIES, widths, head)
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=False)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    titles = _row_titles(ctx.plan)
    names = {code: s.unit_name for code, s in agg.units.items()}
    for n, (unit, key, text) in enumerate(agg.difficulties, start=1):
        unit_name = names.get(unit, unit)
        what = titles.get(key, key)
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, unit_name, td)
        _text(ws, r, 2, what, td)
        _text(ws, r, 3, text, td)
        ws.set_row(r, _height(max(text_lines(unit_name, widths[1]),
                                  text_lines(what, widths[2]), text_lines(text, widths[3]))))
        r += 1
    if not agg.difficulties:
        _merged(ws, r, 0, r, len(widths) - 1,
                "Các đơn vị không nêu khó khăn, vướng mắc hoặc đề xuất.", td)
        ws.set_row(r, _height(1))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


# --- what the Word report needs of the plan ---------------------------------------------


def _standing_summary(st: Standing) -> dict[str, Any]:
    """Who sent what, as the report words it: counts, and the names it lists."""
    def names(items: list[Submission]) -> list[str]:
        return [u.unit_name or u.unit_code for u in items]

    return {"units": len(st.units), "sent": len(st.sent), "on_time": len(st.on_time),
            "late": names(st.late), "missing": names(st.missing), "bad": names(st.bad),
            "others": len(st.others)}


def plan_outline(plan: Plan, period: Period, tthc_spec: FormSpec,
                 submissions: Sequence[Submission] = (),
                 expected: Collection[str] | None = None,
                 generated_at: datetime | None = None) -> dict[str, Any]:
    """The plan's texts the figures hang on (groups, tasks, indicators, procedures) and
    who sent what, so the Word report is drafted from the consolidated workbook alone."""
    st = standing(submissions, expected)
    m = plan.meta
    areas = []
    for rec in task_records(plan):
        if rec["kind"] == "group":
            areas.append({"stt": rec["stt"], "title": rec["title"], "items": []})
        else:
            if not areas:
                areas.append({"stt": "", "title": "", "items": []})
            areas[-1]["items"].append({
                "key": rec["key"], "stt": rec["stt"], "content": rec["content"],
                "product": rec["product"] if rec["key"] != rec["task_key"] else ""})
    indicators = [{"key": r["key"], "stt": r.get("stt", ""),
                   "text": r.get("title", "") if r["kind"] == "group" else r["text"],
                   "group": r["kind"] == "group", "target": r.get("target_text", ""),
                   "measure": r.get("measure", "")}
                  for r in indicator_records(plan)]
    return {
        "plan": {"id": plan.id, "title": m.title, "number": m.number_symbol,
                 "date": m.date.isoformat() if m.date else "", "issuer": m.issuing_body},
        "period": {"id": period.id, "name": period.name, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "due": period.due.isoformat()},
        "areas": areas, "indicators": indicators,
        "procedures": [{"key": r["key"], "stt": r["stt"], "name": r["name"]}
                       for r in procedure_records(plan, tthc_spec)],
        "titles": _row_titles(plan),
        "standing": _standing_summary(st),
        "generated_at": generated_at.isoformat(timespec="minutes") if generated_at else "",
    }


# --- the workbook ------------------------------------------------------------------------


def _uses(plan: Plan, form: str) -> bool:
    """Whether the units filled this form: a plan listing its report forms says so."""
    return not plan.report_forms or form in plan.report_forms


def write_consolidated(path: str | Path, plan: Plan, period: Period, agg: Aggregate,
                       submissions: list[Submission], office: Office,
                       generated_at: datetime, *,
                       expected: Collection[str] | None = None) -> Path:
    """Write the consolidated workbook atomically and return its path.

    ``submissions`` lists every expected unit and any unexpected file, in display order;
    ``agg`` holds the figures of the counted units. ``expected`` (unit codes of the unit
    list) lets the totals tell a file from outside the list apart; without it every unit
    code among ``submissions`` counts as expected.
    """
    path = Path(path)
    catalog = load_catalog()
    tthc_spec = catalog.forms["report_tthc"]
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "in_memory": False,  # large consolidations: sheet XML goes to temp files
            "strings_to_formulas": False,  # belt and braces: write() never makes a formula
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
        })
        wb.set_properties({
            "title": f"Tổng hợp báo cáo CCHC - {period.name}", "author": office.name,
            "company": office.name, "created": generated_at,
            "comments": f"cchc-xlsx {__version__}",
        })
        ctx = _Context(plan, period, office, Formats(wb), normal_case(office.name),
                       normal_case(office.superior))
        # one appendix per form the units filled, numbered I, II, … over those written
        writers: list[Callable[[str], None]] = [
            lambda label: _write_submissions(wb, ctx, label, agg, submissions, expected,
                                             generated_at)]
        if plan.areas and _uses(plan, "report_tasks"):
            writers.append(lambda label: _write_tasks(wb, ctx, label, agg))
            writers.append(lambda label: _write_task_detail(wb, ctx, label, agg, submissions))
        if any(not i.group for i in plan.indicators) and _uses(plan, "report_indicators"):
            writers.append(lambda label: _write_indicators(wb, ctx, label, agg))
        if _uses(plan, "report_tthc") or agg.tthc:
            writers.append(lambda label: _write_tthc(wb, ctx, label, agg, tthc_spec))
        if any(s.level for s in agg.units.values()):
            writers.append(lambda label: _write_levels(wb, ctx, label, agg, tthc_spec))
        writers.append(lambda label: _write_difficulties(wb, ctx, label, agg))
        for n, write in enumerate(writers, start=1):
            write(f"Phụ lục {roman(n)}")
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=plan.id, unit_code=office.code,
            unit_name=office.name, kind="consolidation", period_id=period.id,
            period_start=period.start.isoformat(), period_end=period.end.isoformat(),
            period_due=period.due.isoformat(), aggregate=agg.to_json(),
            office=json.dumps(office.to_dict(), ensure_ascii=False),
            outline=json.dumps(plan_outline(plan, period, tthc_spec, submissions, expected,
                                            generated_at),
                               ensure_ascii=False, separators=(",", ":"))))
        wb.close()
    return path

