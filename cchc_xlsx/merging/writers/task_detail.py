"""Appendix "TH Nhiệm vụ chi tiết": each unit's status letter for each task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cchc_xlsx.forms.official_layout import (
    text_lines,
)
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


