"""Appendix "TH Nhiệm vụ chi tiết": each unit's status letter for each task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cchc_xlsx.forms.official_layout import (
    PAGE_FILL,
    TABLE_SIZE,
    printable,
    text_lines,
)
from cchc_xlsx.forms.text_measure import CELL_PAD, SAFETY, col_points, span_points, text_points
from cchc_xlsx.merging.aggregate import (
    Aggregate,
    Submission,
)
from cchc_xlsx.merging.writers.common import (
    LEGEND,
    LETTER_FILL,
    SHEET_TASK_DETAIL,
    _Context,
    _finish,
    _head,
    _height,
    _merged,
    _period_upper,
    _sheet,
    _text,
)

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


TASK_W = 2.0  # one 12-pt letter; the task numbers above it are turned upright (11 pt)
LABEL_SIZE = 11


def _code_width(codes: Sequence[str]) -> float:
    """The code column as wide as the longest code (never broken as "THC/S-LL")."""
    need = max((text_points(c, TABLE_SIZE) for c in codes), default=0.0) / SAFETY + CELL_PAD
    w = 6.0
    while col_points(w) < need and w < 16:
        w += 0.5
    return w


def _parts(n_tasks: int, fixed: list[float]) -> int:
    """How many task columns one printed page holds beside the key columns, at 100 %."""
    room = printable(True)[0] * 0.99 - span_points(fixed)
    return max(1, min(n_tasks, int(room // col_points(TASK_W))))


def _write_task_detail(wb: Any, ctx: _Context, label: str, agg: Aggregate,
                       submissions: Sequence[Submission]) -> None:
    """Units × tasks at 100 %: the task columns are cut into parts that fit the page's
    width, each part a table of all units under its own header (split again by units when
    a part is taller than a page), printed one after the other: part 1 for every unit,
    then part 2, … (the order is stated above the table)."""
    keys = list(agg.task_order) or [""]
    labels = [k[5:] if k.startswith("task:") else k for k in keys]
    order = _detail_units(agg, submissions)
    names = {c: (agg.units[c].unit_name if c in agg.units else c) for c in order}
    number = {c: n for n, c in enumerate(order, start=1)}
    fixed = [4.5, _code_width(order), 24.0]
    per = _parts(len(keys), fixed)
    slices = [range(a, min(a + per, len(keys))) for a in range(0, len(keys), per)]
    widths = fixed + [TASK_W] * per
    title = (f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH {_period_upper(ctx.period)} "
             "CHI TIẾT THEO ĐƠN VỊ")
    notes = [LEGEND]
    if len(slices) > 1:
        notes.append(f"Bảng chia thành {len(slices)} phần theo số thứ tự nhiệm vụ, mỗi phần "
                     "liệt kê đủ các đơn vị; đọc hết phần 1 rồi đến phần 2, ….")
    head = _head(ctx, label, title, tuple(notes))
    ws, r = _sheet(wb, ctx, SHEET_TASK_DETAIL, widths, head)
    fm = ctx.fm
    th = fm.get("th")
    center, td = fm.get("td_center"), fm.get("td")
    cell = fm.get("td_center", text_wrap=False)
    letter_fmt = {k: fm.get("td_center", text_wrap=False, bg_color=v)
                  for k, v in LETTER_FILL.items()}
    vertical = fm.get("th", rotation=90, size=LABEL_SIZE)
    label_h = max(30.0, max(text_points(t, LABEL_SIZE, True) for t in labels) / SAFETY + 8)
    rows_h = {c: _height(text_lines(names[c], widths[2])) for c in order}
    cap = printable(True)[1] * PAGE_FILL
    header_first = header_last = first = r

    def header(at: int, part: int, cols: range, more: bool) -> int:
        caption = "Nhiệm vụ (số thứ tự theo Kế hoạch)"
        if len(slices) > 1:
            caption += f", phần {part}/{len(slices)}"
        if more:
            caption += " (tiếp theo)"
        for c, text in enumerate(("STT", "Mã đơn vị", "Tên đơn vị")):
            _merged(ws, at, c, at + 1, c, text, th)
        _merged(ws, at, 3, at, 3 + len(cols) - 1, caption, th)
        ws.set_row(at, _height(text_lines(caption, sum(widths[3:3 + len(cols)]), bold=True)))
        for j, k in enumerate(cols):
            ws.write_string(at + 1, 3 + j, labels[k], vertical)
        ws.set_row(at + 1, label_h)
        return at + 2

    head_h = _height(2) + label_h
    tables = 0
    for part, cols in enumerate(slices, start=1):
        if part > 1:
            ws.set_row(r, _height(1))  # a blank line between parts
            r += 1
        chunk: list[str] = []
        # the first table shares page 1 with the furniture above it
        used = head_h + (sum(ws.cchc_heights.get(k, 15.0) for k in range(r)) if part == 1
                         else 0.0)
        chunks: list[list[str]] = []
        for code in order:  # units per table: a table never runs over a page
            if chunk and used + rows_h[code] > cap:
                chunks.append(chunk)
                chunk, used = [], head_h
            chunk.append(code)
            used += rows_h[code]
        chunks.append(chunk)
        if len(chunks) > 1 and len(chunks[-1]) < len(chunks[-2]) // 2:
            # no lone unit on the last page: balance the last two tables
            both = chunks[-2] + chunks[-1]
            cut = (len(both) + 1) // 2
            chunks[-2:] = [both[:cut], both[cut:]]
        for i, units in enumerate(chunks):
            top = r
            tables += 1
            r = header(r, part, cols, more=i > 0)
            if part == 1 and i == 0:
                header_first, header_last, first = top, r - 1, r
            for code in units:
                ws.write_number(r, 0, number[code], center)
                ws.write_string(r, 1, code, center)
                _text(ws, r, 2, names[code], td)
                letters = agg.task_detail.get(code, "")
                # a letter on its fill; "-" (no figures for the task) a blank with a border
                texts = [letters[k] if k < len(letters) and letters[k] not in "- " else ""
                         for k in cols]
                ws.write_text_row(r, 3, texts, [letter_fmt.get(t, cell) for t in texts])
                ws.set_row(r, rows_h[code])
                r += 1
            # a table is one block: its rows stay together, the next one may start a page
            ws.block(top, r - 1)
    _finish(ws, ctx, widths, r, head, header_first, header_last, first, freeze_col=3)
    if tables > 1:
        ws.repeat_row_range = ""  # each table has its own header; none is repeated
