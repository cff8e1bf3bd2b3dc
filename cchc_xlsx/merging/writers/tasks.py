"""Appendix "TH Nhiệm vụ": task completion counted over the units, one row per product."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.forms.form_rows import task_records
from cchc_xlsx.forms.layout.widths import balance
from cchc_xlsx.forms.official_layout import (
    INTEGER,
    RATIO,
    fit_widths,
    text_lines,
)
from cchc_xlsx.merging.aggregate import (
    STATUS_CODES,
    Aggregate,
)
from cchc_xlsx.merging.writers.common import (
    MAX_ROW,
    SHEET_TASKS,
    _Context,
    _finish,
    _head,
    _header_row,
    _height,
    _merged,
    _period_upper,
    _sheet,
    _text,
)

PAGE_BODY = 390.0  # points of table rows a landscape page holds under its header
STEP = 0.5  # width units a header column widens at a time
MIN_TEXT = 8.0  # the task and product columns never narrower

# --- 2. tasks ----------------------------------------------------------------------------



def _balanced(ctx: _Context, headers: list[str], widths: list[float]) -> list[float]:
    """The count columns as narrow as their headers allow; the task and product texts get
    the width where it saves the most printed height (``forms.layout.widths``)."""
    records = [r for r in task_records(ctx.plan) if r["kind"] == "item"]
    contents = [r["content"] for r in records if r["key"] == r["task_key"] or r.get("span")]
    products = [r.get("product", "") for r in records]

    def height(w: list[float]) -> float:
        return (sum(text_lines(t, w[1]) for t in contents)
                + sum(text_lines(t, w[2]) for t in products if t)) * 14.0

    n = len(widths)
    counts = [False, False, False] + [True] * (n - 4) + [False]
    keep = [True] + [False] * (n - 2) + [True]  # STT; the rate needs "100,00%"
    balanced = balance(widths, headers, [[], contents, products] + [[]] * (n - 3), counts,
                       keep, height, room=7.0)
    return _header_room(ctx, headers, list(fit_widths(balanced, True).widths), counts)


def _header_room(ctx: _Context, headers: list[str], widths: list[float],
                 counts: list[bool]) -> list[float]:
    """Widths as the page fits them, where no count column's header makes the header row
    taller than the other headers do ("Số đơn vị báo cáo" in four lines beside "Đã hoàn
    thành" in three): the header prints on every page, so the width it takes from the
    task or product text is taken when the text grows by less than the header saves."""
    lines = [text_lines(h, w, bold=True) for h, w in zip(headers, widths, strict=True)]
    rest = max((x for x, c in zip(lines, counts, strict=True) if not c), default=1)
    target = max(rest, *sorted(x for x, c in zip(lines, counts, strict=True) if c)[:-1])
    new = list(widths)
    for i, c in enumerate(counts):
        while c and text_lines(headers[i], new[i], bold=True) > target:
            new[i] += STEP
    extra = sum(new) - sum(widths)
    if not extra:
        return widths
    best = None
    for k in range(int(round(extra / STEP)) + 1):  # from the content, the product, or both
        w = list(new)
        w[1] -= k * STEP
        w[2] -= extra - k * STEP
        if min(w[1], w[2]) < MIN_TEXT:
            continue
        cost = _printed(ctx, w)
        if best is None or cost < best[0]:
            best = (cost, w)
    if best is None:
        return widths
    before, saved = _printed(ctx, widths), (_height(max(lines)) - _height(target))
    if best[0] - before >= saved * (1 + before / PAGE_BODY):
        return widths
    return [round(x, 1) for x in best[1]]


def _printed(ctx: _Context, widths: list[float]) -> float:
    """The task rows' printed height at ``widths``, as ``_write_tasks`` sizes them."""
    records = task_records(ctx.plan)
    total, k = 0.0, 0
    while k < len(records):
        rec = records[k]
        if rec["kind"] == "group":
            k += 1
            continue
        block = records[k:k + max(1, rec.get("span", 1))]
        total += max(_height(text_lines(rec["content"], widths[1])),
                     sum(_height(text_lines(item["product"], widths[2])) for item in block))
        k += len(block)
    return total


def _write_tasks(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    statuses = list(STATUS_CODES)
    headers = ["STT", "Nhiệm vụ", "Sản phẩm", *statuses, "Số đơn vị báo cáo",
               "Tỷ lệ hoàn thành"]
    widths = [6.0, 42.0, 16.0, 11.0, 11.0, 11.0, 11.0, 11.0, 12.0]
    widths = _balanced(ctx, headers, widths)
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
    rate_fmt = fm.get("td_center", num_format=RATIO)
    count = fm.get("td_center", num_format=INTEGER)
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
        ws.block(r, r + len(block) - 1)  # the task's product rows print together
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


