"""Appendix "Khó khăn, đề xuất": what the units reported as difficulties and proposals."""

from __future__ import annotations

from typing import Any

from cchc_xlsx.forms.form_rows import indicator_records, task_records
from cchc_xlsx.forms.official_layout import (
    text_lines,
)
from cchc_xlsx.merging.aggregate import (
    Aggregate,
)
from cchc_xlsx.merging.writers.common import (
    SHEET_DIFFICULTIES,
    _Context,
    _finish,
    _head,
    _header_row,
    _height,
    _merged,
    _sheet,
    _text,
)
from cchc_xlsx.model import Plan

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


