"""Appendix "TH Cấp học": tasks, Biểu 06 totals and indicators per cấp học."""

from __future__ import annotations

from typing import Any

from cchc_xlsx.forms.form_rows import indicator_records
from cchc_xlsx.forms.official_layout import (
    INTEGER,
    RATIO,
    text_lines,
)
from cchc_xlsx.forms.specs import FormSpec
from cchc_xlsx.merging.aggregate import (
    STATUS_CODES,
    Aggregate,
)
from cchc_xlsx.merging.by_level import by_level
from cchc_xlsx.merging.writers.common import (
    MAX_ROW,
    SHEET_LEVELS,
    _Context,
    _finish,
    _head,
    _header_row,
    _height,
    _merged,
    _num_format,
    _period_upper,
    _sheet,
    _text,
    _uses,
)

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
    count = fm.get("td_center", num_format=INTEGER)
    rate_fmt = fm.get("td_center", num_format=RATIO)

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


