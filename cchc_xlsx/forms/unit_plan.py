"""A unit's own plan workbook, drafted from the office's plan (issue 20).

After the office issues its plan, every unit issues its own in the same layout and sends it
up. This writes the draft: the unit's NĐ 30 header with its Số/ký hiệu, dated line and
signer as input cells (the "(Kèm theo Kế hoạch số …)" line follows them by formula), the
office's tasks and indicators with the unit's own products, leads, deadlines and targets as
input cells, a "Không áp dụng" choice with a reason per office row, and blank keyed rows the
unit may add under each group. Rows carry hidden keys and the workbook a hidden identity,
like a report template, so the return reads back after Excel, LibreOffice or WPS re-saves it.

Columns, lists and help texts are data (``workbook_templates/unit_plan/unit_plan.yaml``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.forms.identity import Identity, SheetIdentity, key_header, write_identity
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    Formats,
    HeaderTexts,
    begin_sheet,
    fit_widths,
    row_height,
    setup_page,
    signer_lines,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.model import Period, Plan, Unit
from cchc_xlsx.plans.levels import unit_levels
from cchc_xlsx.resources import data_dir
from cchc_xlsx.yamlio import load_yaml

KIND = "unit_plan"  # the identity's kind: read-back tells a plan return from a report
DOTS = "……"
BLANK_DAY = "ngày     tháng     năm"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """The unit plan's columns, lists and help texts."""
    return load_yaml(data_dir("workbook_templates") / "unit_plan" / "unit_plan.yaml",
                     "mẫu kế hoạch đơn vị")


def fold(text: str) -> str:
    """Lower case without tone marks, "đ" as "d", spaces squeezed."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).lower().split())


def names_units(text: str) -> bool:
    """Whether an office's lead/coordinating cell names the units ("các trường", "các đơn
    vị", "đơn vị trực thuộc"): then the unit does the task itself."""
    folded = fold(text or "")
    return any(w in folded for w in spec()["unit_words"])


@dataclass
class PlanRow:
    """One row of a unit plan sheet: a group title, an office row or a blank added row."""

    kind: str  # "group", "office" or "added"
    key: str
    values: dict[str, str] = field(default_factory=dict)


def task_rows(plan: Plan, unit: Unit) -> list[PlanRow]:
    """The office's tasks, one row per product, pre-filled where the office gives them to
    the units; blank rows under every group for the unit's own tasks."""
    rows: list[PlanRow] = []
    added = int(spec()["added_rows"])
    for g, area in enumerate(plan.areas, start=1):
        gkey = area.stt or str(g)
        rows.append(PlanRow("group", f"grp:{gkey}", {"stt": area.stt, "content": area.title}))
        for task in area.tasks:
            for n, p in enumerate(task.products, start=1):
                mine = names_units(p.lead)
                involved = mine or names_units(p.coordinating)
                rows.append(PlanRow("office", task.key if n == 1 else f"{task.key}#{n}", {
                    "stt": task.stt if n == 1 else "", "content": task.content if n == 1 else "",
                    "product": p.product if involved else "",
                    "lead": unit.name if mine else "",
                    "coordinating": "",
                    "deadline": p.deadline.text if involved else "",
                    "apply": "Thực hiện",
                }))
        for k in range(1, added + 1):
            rows.append(PlanRow("added", f"add:{gkey}:{k}", {}))
    return rows


def indicator_rows(plan: Plan) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for ind in plan.indicators:
        if ind.group:
            rows.append(PlanRow("group", f"grp:ind:{ind.stt}",
                                {"stt": ind.stt, "content": ind.text}))
            continue
        target = ind.target.text if ind.target else ""
        rows.append(PlanRow("office", ind.key, {
            "stt": ind.stt, "content": ind.text, "office_target": target, "target": target,
            "apply": "Thực hiện"}))
    for k in range(1, int(spec()["added_indicators"]) + 1):
        rows.append(PlanRow("added", f"add:ind:{k}", {}))
    return rows


def plan_round(plan: Plan) -> Period | None:
    """The plan's round of kind "plan" (units send their own plans by its due date)."""
    return next((p for p in plan.schedule if p.kind == "plan"), None)


def office_reference(plan: Plan) -> str:
    """"số 39/KH-PGDĐT ngày 15/3/2023" or "số …/KH-SGDĐT" for an unnumbered plan."""
    m = plan.meta
    number = m.number_symbol if m.number else f"{DOTS}/{m.symbol}"
    return f"số {number}" + (f" ngày {m.date.day:02d}/{m.date.month:02d}/{m.date.year}"
                             if m.date else "")


def _fill(text: str, plan: Plan) -> str:
    year = plan.meta.year or ""
    return text.format(year=year, office_plan=office_reference(plan),
                       office=_sentence(plan.meta.issuing_body))


def _sentence(name: str) -> str:
    from cchc_xlsx.plans.names import normal_case

    return normal_case(name)


def _header(plan: Plan, unit: Unit, label: str, title: str, note: str,
            first: bool) -> HeaderTexts:
    year = plan.meta.year or ""
    to = unit.recipient or unit.superior
    recipients = tuple(r for r in (f"- {_sentence(plan.meta.issuing_body)};" if not to
                                   else f"- {to};", "- Lưu: VT.") if r)
    return HeaderTexts(
        superior=unit.superior, issuer=unit.name, number_line=f"Số:      /KH-{DOTS}",
        date_line=f"{unit.place or DOTS}, {BLANK_DAY} {year}", appendix_label=label,
        title=title, attached_line=f"(Kèm theo Kế hoạch số      /KH-{DOTS} của {unit.name})",
        period_line="", notes=(note,), signer_lines=signer_lines(unit.signer_title),
        signer_name=unit.signer_name, recipients=recipients,
        doc_fields="input" if first else "ref", doc_refs=(),
        attached_head="(Kèm theo Kế hoạch số ", attached_tail=f" của {unit.name})")


def _write_table(wb: Any, fm: Formats, part: dict[str, Any], rows: list[PlanRow],
                 head: HeaderTexts, doc_refs: tuple[tuple[str, str], ...], plan: Plan,
                 place: str) -> SheetIdentity:
    cols = part["columns"]
    widths = [float(c["width"]) for c in cols]
    n = len(cols)
    ws = wb.add_worksheet(part["sheet"], worksheet_class=OfficialWorksheet)
    layout = fit_widths(widths, True)
    widths = begin_sheet(ws, layout)
    key_col = n
    ws.set_column(key_col, key_col, 12, fm.get("key"), {"hidden": True})
    if doc_refs:
        head = HeaderTexts(**{**head.__dict__, "doc_refs": doc_refs})
    r = write_page_header(ws, fm, widths, head)
    header_first = r
    hh = max(row_height(text_lines(c["header"], widths[i], TABLE_SIZE, True))
             for i, c in enumerate(cols))
    ws.set_row(r, hh)
    for i, c in enumerate(cols):
        ws.write_string(r, i, c["header"], fm.get("th"))
    ws.write_string(r, key_col, key_header(part["form"], int(spec()["version"])), fm.get("key"))
    header_row = r
    r += 1
    for i in range(n):
        ws.write_string(r, i, f"({i + 1})", fm.get("colnum"))
    header_last = r
    r += 1
    ws.freeze_panes(r, 0)
    first = r
    inputs = [i for i, c in enumerate(cols) if c.get("input")]
    unlocked = {"locked": False}
    # the closing block: the last task, the blank rows after it and the signature (blank
    # rows alone above the signature make a page with nothing to sign)
    starts = [k for k, row in enumerate(rows) if row.kind == "office" and "#" not in row.key]
    tail = first + (starts[-1] if starts else len(rows) - 1)
    task_first = first
    for k, row in enumerate(rows):
        if "#" not in row.key:
            task_first = r
        if (r < tail and task_first < r and not (k + 1 < len(rows)
                                                  and "#" in rows[k + 1].key)):
            ws.block(task_first, r)  # a task's product rows print on one page
        if row.kind == "group":
            fmt = fm.get("td_group")
            ws.write_string(r, 0, row.values.get("stt", ""), fm.get("td_group_center"))
            for i in range(1, n):
                ws.write_string(r, i, row.values.get(cols[i]["key"], ""), fmt)
            ws.keep_with_next(r)
            height = row_height(text_lines(row.values.get("content", ""), widths[1],
                                           TABLE_SIZE, True))
        else:
            height = row_height(2)  # room for what the unit writes beside the office's text
            for i, c in enumerate(cols):
                text = row.values.get(c["key"], "")
                editable = i in inputs or (row.kind == "added" and c["key"] in ("stt",
                                                                                "content"))
                fmt = fm.get("td_center" if c["key"] in ("stt", "apply") else "td",
                             **(unlocked if editable else {}))
                ws.write_string(r, i, text, fmt)
                height = max(height, row_height(text_lines(text, widths[i])))
        ws.set_row(r, height)
        ws.write_string(r, key_col, row.key, fm.get("key"))
        r += 1
    last = r - 1
    ws.block(tail, last)  # the closing block
    choices = list(spec()["choices"])
    for i, c in enumerate(cols):
        if not c.get("input"):
            continue
        title, message = (c.get("help") or [c["header"], ""])
        opts: dict[str, Any] = {"validate": "any"}
        if c.get("list"):
            opts = {"validate": "list", "source": choices, "error_title": title,
                    "error_message": "Chọn trong danh sách: " + ", ".join(choices) + "."}
        if message:
            opts.update(input_title=str(title)[:32],
                        input_message=_fill(str(message), plan)[:255])
        if c.get("input"):
            ws.data_validation(first, i, last, i, opts)
    end = write_signature(ws, fm, widths, r, head)
    _plan_doc_help(ws, place)
    setup_page(ws, True, header_first, header_last, end)
    ws.print_area(0, 0, end, n - 1)
    ws.protect("", {"format_cells": False, "format_columns": True, "format_rows": True,
                    "insert_rows": True, "delete_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    doc = tuple((f, r0, c0) for f, (r0, c0) in getattr(ws, "cchc_doc", {}).items())
    return SheetIdentity(part["form"], int(spec()["version"]), part["sheet"], key_col,
                         header_row, first, last, doc_cells=doc)


def _plan_doc_help(ws: Any, place: str) -> None:
    """The header's Số, dated line and signer are a plan's, not a report's: say so in their
    input messages (the shared header writer words them for reports)."""
    helps = spec()["doc_help"]
    cells = {(r, c): f for f, (r, c) in getattr(ws, "cchc_doc", {}).items()}
    for v in ws.validations:
        first = tuple(v["cells"][0][:2])
        if first in cells and cells[first] in helps:
            title, message = helps[cells[first]]
            v["input_title"], v["input_message"] = title, message.format(place=place)


def unit_plan_name(unit: Unit, plan: Plan | str) -> str:
    """The unit's plan draft's file name; ``plan`` or only its id (the portal names a
    download without loading the plan)."""
    from cchc_xlsx.forms.generate import workbook_name

    return workbook_name(unit, plan if isinstance(plan, str) else plan.id, "ke-hoach")


def write_unit_plan(path: Path, plan: Plan, unit: Unit) -> Path:
    """Write one unit's plan draft workbook atomically."""
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "in_memory": True,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
            "strings_to_formulas": False, "strings_to_urls": False,
        })
        wb.set_properties({"title": f"Kế hoạch CCHC năm {plan.meta.year or ''} – {unit.name}",
                           "author": unit.name, "comments": f"cchc-xlsx {__version__}"})
        fm = Formats(wb)
        sp = spec()
        parts = [(sp["tasks"], task_rows(plan, unit))] if plan.areas else []
        if any(not i.group for i in plan.indicators):
            parts.append((sp["indicators"], indicator_rows(plan)))
        sheets: list[SheetIdentity] = []
        refs: tuple[tuple[str, str], ...] = ()
        for k, (part, rows) in enumerate(parts, start=1):
            label = f"Phụ lục {'I' * k if k < 4 else k}" if len(parts) > 1 else "Phụ lục"
            head = _header(plan, unit, label, _fill(part["title"], plan),
                           _fill(part["note"], plan), k == 1)
            sheet = _write_table(wb, fm, part, rows, head, refs, plan, unit.place or "Quận 8")
            sheets.append(sheet)
            if k == 1:
                from xlsxwriter.utility import xl_rowcol_to_cell

                quoted = sheet.sheet.replace("'", "''")
                refs = tuple((f, f"'{quoted}'!{xl_rowcol_to_cell(r, c, True, True)}")
                             for f, r, c in sheet.doc_cells)
        rnd = plan_round(plan)
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=plan.id, unit_code=unit.code,
            unit_name=unit.name, kind=KIND, period_id=rnd.id if rnd else "",
            period_start=rnd.start.isoformat() if rnd else "",
            period_end=rnd.end.isoformat() if rnd else "",
            period_due=rnd.due.isoformat() if rnd else "",
            sheets=tuple(sheets), unit_levels=",".join(unit_levels(unit.level))))
        wb.close()
    return path


def write_unit_plans(plan: Plan, units: Sequence[Unit], out_dir: str | Path,
                     overwrite: bool = False) -> list[Path]:
    """One plan draft per unit in ``out_dir``; the plan must have tasks or indicators.

    A file already there under one of the names is replaced only when it is the same
    draft (a re-run) or ``overwrite`` is set: it may be a plan a unit has filled in."""
    import os
    import shutil
    import tempfile

    from cchc_xlsx.errors import UserError
    from cchc_xlsx.forms.generate import check_out_dir, same_workbook

    if not plan.areas and not any(not i.group for i in plan.indicators):
        raise UserError(f"Kế hoạch «{plan.source}» không có nhiệm vụ hay chỉ tiêu nào để các "
                        "đơn vị xây dựng kế hoạch của mình.")
    out = Path(out_dir)
    check_out_dir(out)
    names = [unit_plan_name(u, plan) for u in units]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise UserError(f"Hai đơn vị cho cùng tên tệp «{sorted(dup)[0]}»; hãy sửa mã đơn vị.")
    if not any((out / n).exists() for n in names):
        return [write_unit_plan(out / n, plan, u) for n, u in zip(names, units, strict=True)]
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".~cchc-"))
    try:
        written = [write_unit_plan(staging / n, plan, u)
                   for n, u in zip(names, units, strict=True)]
        differ = [p.name for p in written if (out / p.name).exists()
                  and not same_workbook(out / p.name, p)]
        if differ and not overwrite:
            raise UserError(f"Thư mục «{out}» đã có tệp «{differ[0]}» khác với sổ sắp tạo (có "
                            "thể là kế hoạch đơn vị đã điền); lệnh không ghi đè: hãy chọn thư "
                            "mục khác, hoặc thêm --overwrite nếu chắc chắn.")
        for p in written:
            os.replace(p, out / p.name)
        return [out / n for n in names]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
