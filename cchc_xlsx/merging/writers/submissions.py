"""Appendix "Tình hình nộp": who sent what, and the standing the Word report words."""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath
from typing import Any

import xlsxwriter

from cchc_xlsx.forms.fast_cells import FastCellsWorksheet
from cchc_xlsx.forms.layout.orientation import one_page_orientation, sheet_height
from cchc_xlsx.forms.layout.widths import balance_table
from cchc_xlsx.forms.official_layout import (
    Formats,
    fit_widths,
    printable,
    text_lines,
)
from cchc_xlsx.merging.aggregate import (
    SOURCE_LABELS,
    Aggregate,
    Submission,
)
from cchc_xlsx.merging.writers.common import (
    _STATUS_FILL,
    _STATUS_RANK,
    LIST_LINES,
    SHEET_SUBMISSIONS,
    STATUS_LABELS,
    _Context,
    _finish,
    _head,
    _header_row,
    _height,
    _lines_block,
    _names,
    _parse_time,
    _sheet,
    _text,
)
from cchc_xlsx.model import Period

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


def _file_name(text: str) -> str:
    """A file's own name: where the office keeps its files never prints on an appendix."""
    return PurePath(text.replace("\\", "/")).name if text else ""


def _totals(submissions: Sequence[Submission], agg: Aggregate,
            expected: Collection[str] | None, width: float, period: Period) -> list[str]:
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
        files = [_file_name(s.file) or s.unit_name or s.unit_code for s in st.others]
        lines.append(f"Tệp không thuộc danh sách đơn vị hoặc không đúng kỳ: {len(st.others)} "
                     f"({_names(files, width, LIST_LINES, more)}).")
    lines.append(f"Số đơn vị có số liệu được tổng hợp: {len(agg.units)}.")
    return lines


_REFUSED_FILE = re.compile(r"Tệp «[^»]*»\s+")


def _reason(note: str) -> str:
    """A refused file's message ("Tệp «…» is X; hãy …") cut to why it was refused: the
    printed column is narrow (issue 14), the file and the advice stay in the log sheet."""
    m = _REFUSED_FILE.match(note)
    if not m:
        return note
    why = re.split(r";|\.\s", note[m.end():], maxsplit=1)[0].strip().rstrip(".")
    return why[:1].upper() + why[1:] + "." if why else note


def _short_note(s: Submission) -> str:
    """The printed note: why a file was left out, never a path, advice or a list of files."""
    note = re.sub(r"«([^»]*)»", lambda m: f"«{_file_name(m.group(1))}»", _reason(s.note))
    parts = [note] if note else []
    if s.replaced:
        parts.append(f"thay thế {len(s.replaced)} tệp nộp trước")
    if s.via:
        parts.append("qua tệp tổng hợp của cấp dưới")
    return "; ".join(parts)


ONE_PAGE_UNITS = 20  # more units than this never print on one page: no need to try
BALANCE_SAMPLE = 12  # rows the column balance measures: a district's 1,000 units are alike


def _write_submissions(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                       submissions: Sequence[Submission], expected: Collection[str] | None,
                       generated_at: datetime) -> None:
    """One short row per unit and the counts; what only the office's clerk needs (files,
    time sources, error counts, when the merge ran) goes to the hidden log sheet.

    A few units' appendix is one page with its signature: landscape when it fits there,
    else portrait when it fits there (the page is taller, the narrower table's rows wrap
    more), measured on a scratch sheet laid out each way."""
    landscape = True
    if len(submissions) <= ONE_PAGE_UNITS:
        landscape = one_page_orientation(
            lambda wide: _measure(ctx, label, agg, submissions, expected, wide),
            lambda wide: printable(wide)[1])
    _submissions_sheet(wb, ctx, label, agg, submissions, expected, landscape)


def _measure(ctx: _Context, label: str, agg: Aggregate, submissions: Sequence[Submission],
             expected: Collection[str] | None, landscape: bool) -> float:
    """The printed height of the whole sheet laid out ``landscape`` or portrait, written
    to a workbook that is never saved."""
    scratch = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    sheet = _submissions_sheet(scratch, replace(ctx, fm=Formats(scratch)), label, agg,
                               submissions, expected, landscape)
    return sheet_height(sheet)


def _submissions_sheet(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                       submissions: Sequence[Submission], expected: Collection[str] | None,
                       landscape: bool) -> Any:
    headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Số báo cáo", "Ngày nhận", "Đúng hạn",
               "Tình trạng", "Ghi chú"]
    # fitted to the page, then balanced by the rows' text (``layout.widths``): a unit's
    # code stays on one line, the notes column gives what it does not need
    texts = [("", s.unit_code, s.unit_name, s.report_number, "",
              {True: "Đúng hạn", False: "Quá hạn"}.get(s.on_time, ""),  # type: ignore[arg-type]
              STATUS_LABELS.get(s.status, s.status), _short_note(s)) for s in submissions]
    widths = balance_table(fit_widths([5.0, 10.0, 30.0, 14.0, 12.0, 10.0, 15.0, 26.0],
                                      landscape, (4,)).widths, headers, texts, keep=(0, 4),
                           sample=BALANCE_SAMPLE)
    head = _head(ctx, label, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ")
    ws, r = _sheet(wb, ctx, SHEET_SUBMISSIONS, widths, head, keep=(4,),  # the date
                   landscape=landscape)
    r = _lines_block(ws, ctx, r, widths,
                     _totals(submissions, agg, expected, sum(widths), ctx.period))
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=False)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    day_fmt = fm.get("td_center", num_format="dd/mm/yyyy")
    status_fmt = {k: fm.get("td_center", bg_color=v) for k, v in _STATUS_FILL.items()}
    for n, s in enumerate(submissions, start=1):
        status = STATUS_LABELS.get(s.status, s.status)
        timely = {True: "Đúng hạn", False: "Quá hạn"}.get(s.on_time, "")  # type: ignore[arg-type]
        note = _short_note(s)
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, s.unit_code, center)
        _text(ws, r, 2, s.unit_name, td)
        _text(ws, r, 3, s.report_number, center)
        moment = _parse_time(s.received_at) if s.received_at else None
        if moment is not None:
            ws.write_datetime(r, 4, moment, day_fmt)
        else:
            _text(ws, r, 4, s.received_at, center)
        _text(ws, r, 5, timely, center)
        _text(ws, r, 6, status, status_fmt.get(s.status, center))
        _text(ws, r, 7, note, td)
        texts = ((s.unit_code, 1), (s.unit_name, 2), (s.report_number, 3), (timely, 5),
                 (status, 6), (note, 7))
        ws.set_row(r, _height(max(text_lines(text, widths[c]) for text, c in texts)))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)
    return ws


SHEET_LOG = "Nhật ký tổng hợp"
LOG_HEADERS = ["STT", "Mã đơn vị", "Tên đơn vị", "Số báo cáo", "Tình trạng",
               "Thời điểm nhận", "Nguồn thời điểm", "Đúng hạn", "Số lỗi", "Số cảnh báo", "Tệp",
               "Ghi chú"]


def write_log(wb: Any, ctx: _Context, submissions: Sequence[Submission],
              generated_at: datetime) -> None:
    """The hidden, non-printing log of the merge: files as stored, where each received
    time came from, error and warning counts, and the computer's time of merging (which
    belongs to no appendix: the report is dated by its clerk, not by the machine)."""
    ws = wb.add_worksheet(SHEET_LOG, worksheet_class=FastCellsWorksheet)
    ws.hide()
    fm = ctx.fm
    widths = [5.0, 10.0, 30.0, 14.0, 14.0, 16.0, 22.0, 9.0, 7.0, 8.0, 40.0, 40.0]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, f"Tổng hợp lúc {generated_at:%H:%M} ngày {generated_at:%d/%m/%Y} "
                          "(giờ của máy tính chạy lệnh tổng hợp).", fm.get("note", italic=False,
                                                                           text_wrap=False))
    th = fm.get("th")
    for c, text in enumerate(LOG_HEADERS):
        ws.write_string(2, c, text, th)
    td, center = fm.get("td"), fm.get("td_center")
    when_fmt = fm.get("td_center", num_format="dd/mm/yyyy hh:mm")
    for n, s in enumerate(submissions, start=1):
        r = 2 + n
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, s.unit_code, center)
        _text(ws, r, 2, s.unit_name, td)
        _text(ws, r, 3, s.report_number, center)
        _text(ws, r, 4, STATUS_LABELS.get(s.status, s.status), center)
        moment = _parse_time(s.received_at) if s.received_at else None
        if moment is not None:
            ws.write_datetime(r, 5, moment, when_fmt)
        else:
            _text(ws, r, 5, s.received_at, center)
        _text(ws, r, 6, SOURCE_LABELS.get(s.received_from, s.received_from), center)
        _text(ws, r, 7, {True: "Đúng hạn", False: "Quá hạn"}.get(s.on_time, ""),  # type: ignore[arg-type]
              center)
        if s.status != "missing":
            ws.write_number(r, 8, s.errors, center)
            ws.write_number(r, 9, s.warnings, center)
        _text(ws, r, 10, s.file, td)
        _text(ws, r, 11, _note(s), td)
    ws.freeze_panes(3, 0)
