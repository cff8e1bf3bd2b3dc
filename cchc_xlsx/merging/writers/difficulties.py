"""Appendix "Khó khăn, đề xuất": what the units reported as difficulties and proposals."""

from __future__ import annotations

from typing import Any

from cchc_xlsx.forms.form_rows import indicator_records, task_records
from cchc_xlsx.forms.official_layout import (
    INTEGER,
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


def _short_refs(plan: Plan) -> dict[str, str]:
    """A row key as the grouped list cites it: "1.2", or "chỉ tiêu 2.1"."""
    refs: dict[str, str] = {}
    for rec in task_records(plan):
        if rec["kind"] == "item":
            refs[rec["key"]] = rec["stt"]
    for rec in indicator_records(plan):
        if rec["kind"] == "item":
            refs[rec["key"]] = f"chỉ tiêu {rec['stt']}"
    return refs


def group_difficulties(plan: Plan, agg: Aggregate) -> list[tuple[str, list[str]]]:
    """The same sentence from several units or tasks said once: (text, ["Unit (1.2, 1.3)",
    …]) in the order first raised, as the Word report compiles them."""
    refs = _short_refs(plan)
    names = {code: s.unit_name for code, s in agg.units.items()}
    groups: dict[str, tuple[str, dict[str, list[str]]]] = {}
    compared: dict[str, str] = {}  # many units send the same sentence: fold each text once
    for unit, key, text in agg.difficulties:
        same = compared.get(text)
        if same is None:  # compared as words; printed as the unit typed it
            same = compared[text] = " ".join(text.split()).casefold().rstrip(". ")
        entry = groups.setdefault(same, (text, {}))
        where = refs.get(key) or key.split(":", 1)[-1]
        tasks = entry[1].setdefault(names.get(unit, unit), [])
        if where not in tasks:
            tasks.append(where)
    out = []
    for said, units in groups.values():
        who = [f"{name} ({', '.join(tasks)})" if tasks else name for name, tasks in units.items()]
        out.append((said, who))
    return out


UNIT_LINES = 5  # lines of unit names per row before the list goes on in the next row


def _chunks(who: list[str], width: float, lines: int) -> list[list[str]]:
    """The units naming one difficulty, cut into runs that print in ``lines`` lines."""
    out: list[list[str]] = [[]]
    for name in who:
        if out[-1] and text_lines("; ".join([*out[-1], name]) + ";", width) > lines:
            out.append([])
        out[-1].append(name)
    return out


def _write_difficulties(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    """One row per distinct content, naming the units that raised it and where (the task
    or indicator numbers): 91 copies of one sentence print as one row."""
    headers = ["STT", "Nội dung khó khăn, vướng mắc, đề xuất",
               "Đơn vị nêu (số thứ tự nhiệm vụ, chỉ tiêu)", "Số đơn vị"]
    widths = [5.0, 48.0, 62.0, 9.0]
    notes = ("Các ý kiến giống nhau được gộp một dòng; cột (3) ghi đơn vị nêu ý kiến và số thứ "
             "tự nhiệm vụ, chỉ tiêu theo Kế hoạch.",)
    head = _head(ctx, label, "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", notes)
    ws, r = _sheet(wb, ctx, SHEET_DIFFICULTIES, widths, head)
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=True)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    count = fm.get("td_center", num_format=INTEGER)
    for n, (said, who) in enumerate(group_difficulties(ctx.plan, agg), start=1):
        # a long list of units goes on over several rows (kept together when they fit a
        # page, else a page may break between them): one row taller than a page would
        # print cut
        parts = _chunks(who, widths[2], max(UNIT_LINES, text_lines(said, widths[1])))
        top = r
        if len(parts) > 1:  # number, content and count merged down the rows: when a
            # page breaks between them, the merge is split and they print again on the
            # next page (the content as a label, so each part has room for it)
            last = top + len(parts) - 1
            ws.merge_range(top, 0, last, 0, "", center)
            ws.merge_range(top, 1, last, 1, said, td)
            ws.merge_range(top, 3, last, 3, "", count)
        for k, part in enumerate(parts):
            units = "; ".join(part) + (";" if k < len(parts) - 1 else "")
            if k == 0:
                ws.write_number(r, 0, n, center)
                _text(ws, r, 1, said, td)  # a string, even when it starts with "="
                ws.write_number(r, 3, len(who), count)
            _text(ws, r, 2, units, td)
            lines = text_lines(units, widths[2])
            if k == 0:
                lines = max(lines, text_lines(said, widths[1]))
            ws.set_row(r, _height(lines))
            r += 1
        ws.block(top, r - 1)  # one difficulty with the units that named it
    if not agg.difficulties:
        _merged(ws, r, 0, r, len(widths) - 1,
                "Các đơn vị không nêu khó khăn, vướng mắc hoặc đề xuất.", td)
        ws.set_row(r, _height(1))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)
