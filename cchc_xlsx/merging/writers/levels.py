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
    _uses,
)
from cchc_xlsx.plans.levels import NAMES

# --- 5b. by cấp học ----------------------------------------------------------------------


def _number_format(fm: Any, value: float, total: bool) -> Any:
    """A figure of a level's row, or bold in the Tổng cộng row: integers as "1.234",
    fractions with their decimals."""
    return fm.get("total" if total else "td_center", num_format=_num_format(value))


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
    rate_fmt = fm.get("td_center", num_format=RATIO)

    def block_title(row: int, text: str, to: int = 7) -> int:
        _merged(ws, row, 0, row, to, text, g)
        ws.set_row(row, _height(1))
        ws.keep_with_next(row)  # a block's title and header never end a page
        ws.keep_with_next(row + 1)
        return row + 1

    total_fmt = fm.get("total", num_format=INTEGER)
    total_rate = fm.get("total", num_format=RATIO)

    # a level's row and the Tổng cộng under them share one shape: only the styles differ
    def number(row: int, col: int, value: float, total: bool) -> None:
        ws.write_number(row, col, value, _number_format(fm, value, total))

    def blank(row: int, col: int, total: bool) -> None:
        ws.write_blank(row, col, None, total_fmt if total else center)

    def ratio(row: int, col: int, num: float, den: float, total: bool) -> None:
        if den > 0:
            ws.write_number(row, col, num / den, total_rate if total else rate_fmt)
        else:
            blank(row, col, total)

    def name_cells(row: int, n: int | None, name: str, to: int, total: bool) -> None:
        """STT (blank on the total), then the name over columns 1..``to``."""
        if n is None:
            blank(row, 0, total)
        else:
            ws.write_number(row, 0, n, center)
        _merged(ws, row, 1, row, to, name, total_fmt if total else td)
        width = sum(widths[1:to + 1])
        ws.set_row(row, _height(1 if total else text_lines(name, width)))

    # three tables: only the last one's header is repeated, the first two follow the furniture
    ws.cchc_blocks.furniture_end = r
    r = block_title(r, "1. Thực hiện nhiệm vụ (số lượt nhiệm vụ của các đơn vị)")
    headers = ["STT", "Cấp học", "Số đơn vị", "Đã hoàn thành", "Đang thực hiện",
               "Chưa thực hiện", "Không phát sinh", "Tỷ lệ hoàn thành"]
    r = _header_row(ws, ctx, r, headers, widths[:len(headers)], numbers=False) + 1
    header_first = header_last = r - 1
    def status_row(n: int | None, name: str, figs: list[Any], total: bool) -> None:
        """Units, lượt per status and the completion rate (Σ done / Σ applicable)."""
        name_cells(r, n, name, 1, total)
        number(r, 2, sum(f.units for f in figs), total)
        for j, status in enumerate(STATUS_CODES):
            number(r, 3 + j, sum(f.statuses.get(status, 0) for f in figs), total)
        ratio(r, 7, sum(f.done for f in figs), sum(f.applicable for f in figs), total)

    for n, fig in enumerate(levels, start=1):
        status_row(n, fig.name, [fig], False)
        r += 1
    status_row(None, "Tổng cộng", levels, True)  # the same Σ/Σ rule over every level
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
        sums = [sum(fig.tthc[j] for fig in levels) for j in range(len(labels) - 2)]
        for n, name, values in [*((n, fig.name, fig.tthc) for n, fig in enumerate(levels, 1)),
                                (None, "Tổng cộng", sums)]:
            name_cells(r, n, name, 1, n is None)
            for j, v in enumerate(values):
                number(r, 2 + j, v, n is None)
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
        # one row per level, then their Tổng cộng: Σ numerators / Σ denominators, as each
        # level's own
        figs = [a for _, a in rows]
        for name, parts, total in [*((NAMES.get(lv, lv), [a], False) for lv, a in rows),
                                   ("Tổng cộng", figs, True)]:
            name_cells(r, None, name, 2, total)
            if rec.get("measure") == "rate":
                num, den = sum(a.numerator for a in parts), sum(a.denominator for a in parts)
                number(r, 3, num, total)
                number(r, 4, den, total)
                ratio(r, 5, num, den, total)
            else:
                blank(r, 3, total)
                blank(r, 4, total)
                if rec.get("measure") == "count":
                    number(r, 5, sum(a.total for a in parts), total)
                else:
                    blank(r, 5, total)
            number(r, 6, sum(a.reporting for a in parts), total)
            number(r, 7, sum(a.meeting for a in parts), total)
            r += 1
        ws.block(top, r - 1)  # an indicator's levels and their total stay together
    _finish(ws, ctx, widths, r, head, header_first, header_last, 0)


