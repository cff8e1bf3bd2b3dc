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
from cchc_xlsx.plans.levels import NAMES

# --- 5b. by cấp học ----------------------------------------------------------------------


def _total_number(fm: Any, value: float) -> Any:
    """A Tổng cộng figure: bold, integers as "1.234", fractions with their decimals."""
    return fm.get("total", num_format=_num_format(value))


def _write_levels(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                  tthc_spec: FormSpec) -> None:
    """Task completion, indicator Σ/Σ and Biểu 06 totals per cấp học, one block each."""
    levels = by_level(agg)
    widths = [5.0, 30.0, 13.0] + [9.0] * 10  # (3): "Trung học cơ sở" in two lines
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

    # three tables: only the last one's header is repeated, the first two follow the furniture
    ws.cchc_blocks.furniture_end = r
    total_fmt = fm.get("total", num_format=INTEGER)
    total_rate = fm.get("total", num_format=RATIO)
    r = block_title(r, "1. Thực hiện nhiệm vụ (số lượt nhiệm vụ của các đơn vị)")
    headers = ["STT", "Cấp học", "Số đơn vị", "Đã hoàn thành", "Đang thực hiện",
               "Chưa thực hiện", "Không phát sinh", "Tỷ lệ hoàn thành"]
    r = _header_row(ws, ctx, r, headers, widths[:len(headers)], numbers=False) + 1
    header_first = header_last = r - 1
    for n, fig in enumerate(levels, start=1):
        ws.write_number(r, 0, n, center)
        _text(ws, r, 1, fig.name, td)
        ws.write_number(r, 2, fig.units, count)
        for j, status in enumerate(STATUS_CODES):
            ws.write_number(r, 3 + j, fig.statuses.get(status, 0), count)
        if fig.applicable:
            ws.write_number(r, 7, fig.done / fig.applicable, rate_fmt)
        else:
            ws.write_blank(r, 7, None, center)
        ws.set_row(r, _height(text_lines(fig.name, widths[1])))
        r += 1
    # Tổng cộng: the same Σ/Σ rule over every level
    ws.write_blank(r, 0, None, total_fmt)
    ws.write_string(r, 1, "Tổng cộng", total_fmt)
    ws.write_number(r, 2, sum(f.units for f in levels), total_fmt)
    for j, status in enumerate(STATUS_CODES):
        ws.write_number(r, 3 + j, sum(f.statuses.get(status, 0) for f in levels), total_fmt)
    applicable = sum(f.applicable for f in levels)
    if applicable:
        ws.write_number(r, 7, sum(f.done for f in levels) / applicable, total_rate)
    else:
        ws.write_blank(r, 7, None, total_fmt)
    ws.set_row(r, _height(1))
    r += 1
    if _uses(ctx.plan, "report_tthc") or agg.tthc:
        r = block_title(r + 1, "2. Tình hình giải quyết TTHC theo cấp học (Biểu số 06, "
                               "tổng các lĩnh vực)", last)
        # the column names, then their numbers (1)…(13) under them, as Biểu 06 prints them
        labels = ["STT", "Cấp học"] + [col.header.split(") ", 1)[-1]
                                       for col in tthc_spec.columns[2:]]
        th = fm.get("th", size=11)
        for j, text in enumerate(labels):
            ws.write_string(r, j, text, th)
        ws.set_row(r, _height(max(text_lines(t, w, size=11, bold=True)
                                  for t, w in zip(labels, widths, strict=False)), 11))
        ws.keep_with_next(r)
        colnum = fm.get("colnum")
        for j in range(len(labels)):
            ws.write_string(r + 1, j, f"({j + 1})", colnum)
        ws.keep_with_next(r + 1)
        header_first, header_last = r, r + 1  # the last block's header is the repeated one
        r += 2
        sums = [0.0] * len(labels[2:])
        for n, fig in enumerate(levels, start=1):
            ws.write_number(r, 0, n, center)
            _text(ws, r, 1, fig.name, td)
            for j, v in enumerate(fig.tthc):
                ws.write_number(r, 2 + j, v, count if float(v).is_integer() else
                                fm.get("td_center", num_format=_num_format(v)))
                sums[j] += v
            ws.set_row(r, _height(text_lines(fig.name, widths[1])))
            r += 1
        ws.write_blank(r, 0, None, total_fmt)
        ws.write_string(r, 1, "Tổng cộng", total_fmt)
        for j, v in enumerate(sums):
            ws.write_number(r, 2 + j, v, total_fmt if float(v).is_integer() else
                            fm.get("total", num_format=_num_format(v)))
        ws.set_row(r, _height(1))
        r += 1
    shown = [rec for rec in indicator_records(ctx.plan) if rec["kind"] == "item"
             and any(rec["key"] in fig.indicators for fig in levels)]
    if not shown:  # a plan without indicators (Sóc Trăng's): no bare table head on paper
        _finish(ws, ctx, widths, r, head, header_first, header_last, 0)
        return
    r = block_title(r + 1, "3. Kết quả các chỉ tiêu theo cấp học")
    headers = ["STT", "Chỉ tiêu, cấp học", "", "Tử số (Σ)", "Mẫu số (Σ)", "Kết quả",
               "Số đơn vị báo cáo", "Số đơn vị đạt"]
    # the longest block comes last: its header is the one repeated on later pages
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths[:len(headers)], numbers=False)
    _merged(ws, header_last, 1, header_last, 2, headers[1], fm.get("th"))
    r = header_last + 1
    g_center = fm.get("td_group_center")
    for rec in indicator_records(ctx.plan):
        if rec["kind"] != "item":
            continue
        rows = [(fig.level, fig.indicators[rec["key"]]) for fig in levels
                if rec["key"] in fig.indicators]
        if not rows:
            continue
        # the indicator's words across the table, then one short row per level under it
        ws.write_string(r, 0, rec["stt"], g_center)
        _merged(ws, r, 1, r, 7, rec["text"], td)
        ws.set_row(r, _height(text_lines(rec["text"], sum(widths[1:8]))))
        ws.keep_with_next(r)  # the indicator's words stay with its levels
        top = r = r + 1
        for level, a in rows:
            name = NAMES.get(level, level)
            ws.write_blank(r, 0, None, center)
            _merged(ws, r, 1, r, 2, name, td)
            if rec.get("measure") == "rate":
                numbers(r, 3, a.numerator)
                numbers(r, 4, a.denominator)
                if a.denominator > 0:
                    ws.write_number(r, 5, a.numerator / a.denominator, rate_fmt)
                else:
                    ws.write_blank(r, 5, None, center)
            else:
                ws.write_blank(r, 3, None, center)
                ws.write_blank(r, 4, None, center)
                if rec.get("measure") == "count":
                    numbers(r, 5, a.total)
                else:
                    ws.write_blank(r, 5, None, center)
            ws.write_number(r, 6, a.reporting, count)
            ws.write_number(r, 7, a.meeting, count)
            ws.set_row(r, _height(text_lines(name, widths[1] + widths[2])))
            r += 1
        # Tổng cộng over every level: Σ numerators / Σ denominators, as each level's own
        figs = [a for _, a in rows]
        ws.write_blank(r, 0, None, total_fmt)
        _merged(ws, r, 1, r, 2, "Tổng cộng", total_fmt)
        if rec.get("measure") == "rate":
            num, den = sum(a.numerator for a in figs), sum(a.denominator for a in figs)
            ws.write_number(r, 3, num, _total_number(fm, num))
            ws.write_number(r, 4, den, _total_number(fm, den))
            if den > 0:
                ws.write_number(r, 5, num / den, total_rate)
            else:
                ws.write_blank(r, 5, None, total_fmt)
        else:
            ws.write_blank(r, 3, None, total_fmt)
            ws.write_blank(r, 4, None, total_fmt)
            if rec.get("measure") == "count":
                value = sum(a.total for a in figs)
                ws.write_number(r, 5, value, _total_number(fm, value))
            else:
                ws.write_blank(r, 5, None, total_fmt)
        ws.write_number(r, 6, sum(a.reporting for a in figs), total_fmt)
        ws.write_number(r, 7, sum(a.meeting for a in figs), total_fmt)
        ws.set_row(r, _height(1))
        r += 1
        ws.block(top, r - 1)  # an indicator's levels and their total stay together
    _finish(ws, ctx, widths, r, head, header_first, header_last, 0)


