"""Write one form as one official-layout sheet: furniture, table, Excel-native help.

The table part is computed once per form and period (``TableModel``) and replayed for every
unit, because generating a thousand workbooks repeats the same table a thousand times;
only the header texts differ per unit.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cchc_xlsx.forms.form_rows import Record
from cchc_xlsx.forms.identity import SheetIdentity, key_header
from cchc_xlsx.forms.layout.widths import balance
from cchc_xlsx.forms.official_layout import (
    DECIMAL,
    INTEGER,
    Formats,
    HeaderTexts,
    SheetLayout,
    begin_sheet,
    fit_widths,
    printable,
    row_height,
    setup_page,
    text_lines,
    vi_format,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.specs import Column, FormSpec, Rule
from cchc_xlsx.model import Period, Target

_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_TASK_FIELDS = {"stt", "content", "task_key"}
_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}
INPUT_FORMATS = {
    "text": {},
    "date": {"num_format": "dd/mm/yyyy", "align": "center"},
    "whole": {"num_format": INTEGER, "align": "center"},
    "number": {"num_format": DECIMAL, "align": "center"},
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, record: Record) -> str:
    return string.Formatter().vformat(template, (), _Blank(record))


def _template_fields(template: str | None) -> set[str]:
    if not template:
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass
class Cell:
    """One table cell to write: a value, a formula, or an input with its help."""

    kind: str  # "text" | "formula" | "input" | "blank"
    text: str = ""
    fmt: tuple[str, tuple] = ("td", ())
    formula: str = ""
    dv: dict[str, Any] | None = None
    required: bool = False
    merge_down: int = 0  # rows to merge below (vertical merges)
    merge_right: int = 0  # columns to merge to the right
    skip: bool = False  # covered by another cell's merge


@dataclass
class TableModel:
    """A form's table for one plan and period, laid out once and replayed per unit.

    Row numbers in ``dv_groups`` and ``required_runs`` are offsets from the first data row.
    """

    spec: FormSpec
    widths: list[float]
    cells: list[list[Cell]]  # [row][col]
    keys: list[str]
    heights: list[float]
    total: list[Cell] | None = None
    header_heights: list[float] = field(default_factory=list)
    dv_groups: list[tuple[int, dict, list[tuple[int, int]]]] = field(default_factory=list)
    required_runs: list[tuple[int, int, int]] = field(default_factory=list)  # col, r0, r1
    layout: SheetLayout | None = None
    group_rows: tuple[int, ...] = ()  # offsets of group title rows (kept with the next row)
    task_blocks: tuple[tuple[int, int], ...] = ()  # offsets of a task's first and last row


def _met_formula(target: Target, result_ref: str, measure: str) -> str:
    value = target.value or 0.0
    threshold = value / 100 if measure == "rate" else value
    op = _OPS[target.op or ">="]
    cmp = f"ROUND({result_ref},6){op}{threshold:g}"
    return f'IF({result_ref}="","",IF({cmp},"Đạt","Không đạt"))'


def _fmt_period(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def rule_help(rule: Rule, columns: Sequence[Column], start: str = "", end: str = "") -> str:
    """A rule's input message as the form shows it: the list, the bounds, the period
    (``start``/``end`` as dd/mm/yyyy), and other columns named as the form prints them
    (``{so[completion_date]}`` → "(6)", ``{cot[completion_date]}`` → "F"). The workbook's
    input messages and the browser form use this one wording."""
    c = rule.check
    numbers = _Blank({col.key: f"({i + 1})" for i, col in enumerate(columns)})
    letters = _Blank({col.key: xl_col_to_name(i) for i, col in enumerate(columns)})
    return rule.help.format_map(_Blank({
        "allowed": ", ".join(c.allowed), "min": c.min, "max": c.max, "value": "Giá trị",
        "start": start, "end": end, "so": numbers, "cot": letters}))


def input_title(header: str, limit: int = 32) -> str:
    """A column header as the title of its input message, which Excel cuts at 32
    characters: a long one is shortened to its first whole phrase (before "(", else up to
    a ";" or ","), so the tip never reads "Tài liệu kiểm chứng (số, ký hiệu"."""
    text = " ".join(header.split())
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    for mark in ("(", ";", ","):
        cut = head.find(mark) if mark == "(" else head.rfind(mark)
        if cut > 0:
            return text[:cut].rstrip(" ,;")
    return head.rsplit(" ", 1)[0].rstrip(" ,;(")


def _dv_for(rules: list[Rule], col: Column, period: Period | None,
            columns: Sequence[Column] = ()) -> tuple[dict | None, bool]:
    """Excel data validation for one input cell from its rules, and whether it is required.

    Messages may name other columns as the form prints them: ``{so[completion_date]}`` is
    the column's number in the (1)…(n) row, "(6)", and ``{cot[completion_date]}`` its
    letter, "F"."""
    required = any(r.check.kind == "required" for r in rules)
    dv: dict[str, Any] | None = None
    help_text = ""
    start = _fmt_period(period.start) if period else ""
    end = _fmt_period(period.end) if period else ""
    for rule in rules:
        c = rule.check
        params = {"allowed": ", ".join(c.allowed), "min": c.min, "max": c.max, "value": "Giá trị",
                  "start": start, "end": end}
        help_text = help_text or rule_help(rule, columns, start, end)
        if dv is not None:
            continue
        if c.kind == "allowed":
            dv = {"validate": "list", "source": list(c.allowed)}
        elif c.kind in ("whole", "decimal"):
            kind = "integer" if c.kind == "whole" else "decimal"
            if c.min is not None and c.max is not None:
                dv = {"validate": kind, "criteria": "between", "minimum": c.min,
                      "maximum": c.max}
            elif c.min is not None:
                dv = {"validate": kind, "criteria": ">=", "value": c.min}
            elif c.max is not None:
                dv = {"validate": kind, "criteria": "<=", "value": c.max}
            else:
                dv = {"validate": kind, "criteria": "between", "minimum": -1e12,
                      "maximum": 1e12}
        elif c.kind == "date_in_period" and period is not None:
            dv = {"validate": "date", "criteria": "between", "minimum": period.start,
                  "maximum": period.end}
        elif c.kind == "date_by_period_end" and period is not None:
            # any date up to the period's end: a task done in an earlier period is reported
            dv = {"validate": "date", "criteria": "<=", "value": period.end}
        else:
            continue
        dv["error_title"] = "Giá trị không hợp lệ"
        shown = {**params, "value": "Giá trị vừa nhập"}
        dv["error_message"] = rule.message.format_map(_Blank(shown))[:255]
    if required:
        help_text = (help_text + " (Bắt buộc.)").strip()
    if help_text:
        dv = dv or {"validate": "any"}
        dv["input_title"] = input_title(col.header)
        dv["input_message"] = help_text[:255]
    return dv, required


def build_table(spec: FormSpec, records: list[Record], rules: list[Rule],
                period: Period | None) -> TableModel:
    """Lay out the table cells of ``spec`` for these records (unit-independent)."""
    cols = spec.columns
    layout = fit_widths([c.width for c in cols], spec.orientation == "landscape")
    widths = list(layout.widths)
    index = {c.key: i for i, c in enumerate(cols)}
    n = len(cols)
    cells: list[list[Cell]] = []
    keys: list[str] = []
    group_title_col = next((i for i, c in enumerate(cols) if c.group_title), None)
    group_col = next((i for i, c in enumerate(cols) if c.group_column), None)
    task_level = [bool(c.value) and _template_fields(c.value) <= _TASK_FIELDS for c in cols]

    spans: list[int] = []  # per row: how many rows its task covers (0: not a task's first)
    for rec in records:
        row: list[Cell] = [Cell("blank") for _ in range(n)]
        keys.append(rec["key"])
        spans.append(rec.get("span", 0) if spec.rows == "tasks" else 0)
        if rec["kind"] == "group":
            if spec.layout == "group_column":
                cells.append(None)  # type: ignore[arg-type] # placeholder, removed below
                continue
            for i, col in enumerate(cols):
                if col.key == "stt":
                    row[i] = Cell("text", rec.get("stt", ""), ("td_group_center", ()))
                else:
                    row[i] = Cell("blank", fmt=("td_group", ()))
            if group_title_col is not None:
                row[group_title_col] = Cell("text", rec.get("title", ""), ("td_group", ()),
                                            merge_right=n - 1 - group_title_col)
                for j in range(group_title_col + 1, n):
                    row[j].skip = True
            cells.append(row)
            continue
        for i, col in enumerate(cols):
            if col.group_column:
                row[i] = Cell("blank", fmt=("td_group_column", ()))
                continue
            if col.input and col.applies(rec):
                col_rules = [r for r in rules if col.key in r.columns and r.applies(rec)]
                dv, required = _dv_for(col_rules, col, period, cols)
                row[i] = Cell("input", fmt=("td", tuple(sorted(
                    {**INPUT_FORMATS[col.input], "locked": False}.items()))),
                    dv=dv, required=required)
                continue
            formula = col.formula_for(rec)
            if formula:
                if formula == "met":
                    target = rec.get("target")
                    res = index.get("result")
                    if target is None or res is None or rec.get("met_mode") != "formula":
                        row[i] = Cell("blank", fmt=("td_center", ()))
                        continue
                    formula = _met_formula(target, "{result}", rec.get("measure", ""))
                num_fmt = col.format_for(rec)
                extra = (("num_format", vi_format(num_fmt)),) if num_fmt else ()
                row[i] = Cell("formula", formula=formula, fmt=("td_center", extra))
                continue
            text = render(col.value, rec) if col.value else ""
            fmt = "td_center" if col.align == "center" else "td"
            row[i] = Cell("text" if text else "blank", text, (fmt, ()))
            if spec.rows == "tasks" and task_level[i] and rec.get("span", 0) > 1:
                row[i].merge_down = rec["span"] - 1
        if spec.rows == "tasks" and rec.get("span", 1) == 0:
            for i in range(n):
                if task_level[i]:
                    row[i].skip = True
        cells.append(row)

    # group_column layout: drop the group placeholder rows, merge the group cell downwards
    if spec.layout == "group_column":
        kept_cells, kept_keys, kept_spans, groups = [], [], [], []
        for rec, row, key, span in zip(records, cells, keys, spans, strict=True):
            if rec["kind"] == "group":
                groups.append([rec.get("title", ""), len(kept_cells), 0])
                continue
            kept_cells.append(row)
            kept_keys.append(key)
            kept_spans.append(span)
            if groups:
                groups[-1][2] += 1
        cells, keys, spans = kept_cells, kept_keys, kept_spans
        if group_col is not None:
            for title, start, count in groups:
                if count == 0:
                    continue
                cells[start][group_col] = Cell("text", title, ("td_group_column", ()),
                                               merge_down=count - 1)
                for k in range(start + 1, start + count):
                    cells[k][group_col].skip = True

    widths, layout = _balanced(spec, cells, widths, layout)
    heights = _heights(cells, widths)
    total = _total_row(spec, cols) if spec.total_row else None
    table = TableModel(spec, widths, cells, keys, heights, total, layout=layout)
    table.group_rows = tuple(k for k, row in enumerate(cells)
                             if any(c.fmt[0] == "td_group" and c.kind == "text" for c in row))
    # the rows of one task (its product rows) are one block; a group's name merged down
    # beside its tasks is a label over those blocks, split where a page breaks
    table.task_blocks = tuple((k, k + span - 1) for k, span in enumerate(spans) if span > 0)
    table.header_heights = header_heights(spec, widths)
    _group_inputs(table)
    return table


def _balanced(spec: FormSpec, cells: list[list[Cell]], widths: list[float],
              layout: SheetLayout) -> tuple[list[float], SheetLayout]:
    """Widths given to the columns whose text needs them (``layout.widths.balance``)."""
    cols = spec.columns
    shape = (spec.id, spec.version, spec.orientation, tuple(widths),
             tuple(tuple((c.kind, c.text, c.merge_down, c.merge_right, c.skip, c.fmt[0])
                         for c in row) for row in cells))
    known = _BALANCED.get(shape)
    if known is not None:  # every unit of a plan has the same table: balance it once
        return list(known.widths), known
    texts: list[list[str]] = [[] for _ in cols]
    for row in cells:
        for i, cell in enumerate(row):
            if cell.kind == "text" and cell.text and not cell.skip and not cell.merge_right:
                texts[i].append(cell.text)
    keep = [c.input in ("date", "whole", "number") or bool(c.formula) for c in cols]
    page = printable(spec.orientation == "landscape")[1]

    def printed(w: list[float]) -> float:
        # the header repeats on every page: it weighs once per page the rows take
        body = sum(_heights(cells, w))
        return body + sum(header_heights(spec, w)) * (1 + body / page)

    new = balance(widths, [c.header for c in cols], texts, [bool(c.input) for c in cols], keep,
                  printed)
    if new != widths:
        layout = fit_widths(new, spec.orientation == "landscape", keep=tuple(
            i for i, k in enumerate(keep) if k))
    if len(_BALANCED) > 64:
        _BALANCED.clear()
    _BALANCED[shape] = layout
    return list(layout.widths), layout


_BALANCED: dict[tuple, SheetLayout] = {}  # table shape → its balanced layout


def _group_inputs(table: TableModel) -> None:
    """Data validations and required-cell ranges, grouped once into runs of rows."""
    dvs: dict[tuple[int, str], tuple[dict, list[int]]] = {}
    required: dict[int, list[int]] = {}
    for k, row in enumerate(table.cells):
        for i, cell in enumerate(row):
            if cell.kind != "input" or cell.skip:
                continue
            if cell.dv:
                sig = repr(sorted(cell.dv.items(), key=str))
                dvs.setdefault((i, sig), (cell.dv, []))[1].append(k)
            if cell.required:
                required.setdefault(i, []).append(k)
    table.dv_groups = [(i, opts, _runs(rows)) for (i, _sig), (opts, rows) in dvs.items()]
    table.required_runs = [(i, r0, r1) for i, rows in required.items()
                           for r0, r1 in _runs(rows)]


def grid_cells(spec: FormSpec) -> list[tuple[int, int, int, int, str]]:
    """Place a spec's header grid like an HTML table: (row, col, rowspan, colspan, text)."""
    placed = []
    taken: set[tuple[int, int]] = set()
    for gr, grow in enumerate(spec.header):
        c = 0
        for cell in grow:
            while (gr, c) in taken:
                c += 1
            for rr in range(gr, gr + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    taken.add((rr, cc))
            placed.append((gr, c, cell.rowspan, cell.colspan, cell.text))
            c += cell.colspan
    return placed


def header_heights(spec: FormSpec, widths: list[float]) -> list[float]:
    """Row heights of the header grid: each row tall enough for its one-row cells."""
    lines = [1] * len(spec.header)
    for gr, c, rowspan, colspan, text in grid_cells(spec):
        if rowspan == 1:
            lines[gr] = max(lines[gr], text_lines(text, sum(widths[c:c + colspan]),
                                                  bold=True))
    return [row_height(n) for n in lines]


def write_header_grid(ws: Any, fm: Formats, r: int, spec: FormSpec,
                      heights: list[float]) -> int:
    """Write the header grid at row ``r``; return the row after it."""
    th = fm.get("th")
    for gr, c, rowspan, colspan, text in grid_cells(spec):
        r0, r1, c1 = r + gr, r + gr + rowspan - 1, c + colspan - 1
        if r1 > r0 or c1 > c:
            ws.merge_range(r0, c, r1, c1, "", th)
        ws.write_string(r0, c, text, th)
    for gr, height in enumerate(heights):
        ws.set_row(r + gr, height)
    return r + len(spec.header)


def _heights(cells: list[list[Cell]], widths: list[float]) -> list[float]:
    heights = []
    for row in cells:
        lines = 1
        for i, cell in enumerate(row):
            if cell.skip or cell.merge_down or not cell.text:
                continue
            width = sum(widths[i:i + cell.merge_right + 1])
            lines = max(lines, text_lines(cell.text, width, bold=_bold(cell)))
        heights.append(row_height(lines))
    # vertical merges: make the covered rows together tall enough
    for r, row in enumerate(cells):
        for i, cell in enumerate(row):
            if cell.merge_down and cell.text and not cell.skip:
                need = row_height(text_lines(cell.text, widths[i], bold=_bold(cell)))
                span = range(r, r + cell.merge_down + 1)
                have = sum(heights[k] for k in span)
                if need > have:
                    heights[r + cell.merge_down] += need - have
    return heights


def _bold(cell: Cell) -> bool:
    return cell.fmt[0].startswith(("td_group", "total"))


def _total_row(spec: FormSpec, cols: tuple[Column, ...]) -> list[Cell]:
    label_col = spec.total_row.get("label_column") if spec.total_row else None
    row = []
    for col in cols:
        if col.key == label_col:
            row.append(Cell("text", spec.total_row["label"], ("total", ())))
        elif col.input in ("whole", "number") or col.formula:
            row.append(Cell("formula", formula="SUMCOL", fmt=("total", (("num_format",
                                                                        INTEGER),))))
        else:
            row.append(Cell("blank", fmt=("total", ())))
    return row


def write_sheet(wb: Any, fm: Formats, name: str, table: TableModel, head: HeaderTexts,
                password: str | None, worksheet_class: type) -> SheetIdentity:
    """Write one sheet: page header, table, signature, page setup, protection."""
    spec = table.spec
    ws = wb.add_worksheet(name, worksheet_class=worksheet_class)
    widths = table.widths
    n = len(widths)
    key_col = n
    begin_sheet(ws, table.layout or fit_widths(widths, spec.orientation == "landscape"))
    ws.set_column(key_col, key_col, 12, fm.get("key"), {"hidden": True})

    r = write_page_header(ws, fm, widths, head)
    header_first = r
    r_after = write_header_grid(ws, fm, r, spec, table.header_heights)
    header_last = r_after - 1
    ws.write_string(header_last, key_col, key_header(spec.id, spec.version), fm.get("key"))
    r = header_last + 1
    if spec.column_numbers:
        for i in range(n):
            ws.write_string(r, i, f"({i + 1})", fm.get("colnum"))
        header_last = r
        r += 1
    ws.freeze_panes(r, 0)

    first_data = r
    col_letters = [xl_col_to_name(i) for i in range(n)]
    letters = {c.key: col_letters[i] for i, c in enumerate(spec.columns)}
    row_formula: dict[str, str] = {}  # "{numerator}/{denominator}" -> "=D\\0/E\\0"
    key_fmt = fm.get("key")
    for k, (row, key, height) in enumerate(zip(table.cells, table.keys, table.heights,
                                                     strict=True)):
        rr = first_data + k
        ws.set_row(rr, height)
        for i, cell in enumerate(row):
            if cell.skip:
                continue
            fmt = fm.by_key(cell.fmt)
            if cell.merge_down or cell.merge_right:
                ws.merge_range(rr, i, rr + cell.merge_down, i + cell.merge_right, cell.text, fmt)
            elif cell.kind == "text":
                ws.write_string(rr, i, cell.text, fmt)
            elif cell.kind == "formula":
                shape = row_formula.get(cell.formula)
                if shape is None:
                    shape = row_formula[cell.formula] = "=" + _REF.sub(
                        lambda m: letters[m.group(1)] + "\x00", cell.formula)
                ws.write_formula(rr, i, shape.replace("\x00", str(rr + 1)), fmt, "")
            else:
                ws.write_blank(rr, i, None, fmt)
        ws.write_string(rr, key_col, key, key_fmt)
    last_data = first_data + len(table.cells) - 1
    for k in table.group_rows:
        ws.keep_with_next(first_data + k)
    for k0, k1 in table.task_blocks:
        ws.block(first_data + k0, first_data + k1)
    r = last_data + 1

    if table.total is not None:
        ws.set_row(r, row_height(1))
        for i, cell in enumerate(table.total):
            fmt = fm.by_key(cell.fmt)
            if cell.kind == "formula":
                letter = col_letters[i]
                ws.write_formula(r, i, f"=SUM({letter}{first_data + 1}:{letter}{last_data + 1})",
                                 fmt, 0)
            elif cell.kind == "text":
                ws.write_string(r, i, cell.text, fmt)
            else:
                ws.write_blank(r, i, None, fmt)
        ws.write_string(r, key_col, "total", fm.get("key"))
        r += 1

    for i, opts, runs in table.dv_groups:
        for start, end in runs:
            ws.data_validation(first_data + start, i, first_data + end, i, dict(opts))
    if table.required_runs:
        # one rule over every required range: cheaper to write and to open than one per run
        ranges = [f"{xl_rowcol_to_cell(first_data + r0, i)}:{xl_rowcol_to_cell(first_data + r1, i)}"
                  for i, r0, r1 in table.required_runs]
        i, r0, r1 = table.required_runs[0]
        ws.conditional_format(first_data + r0, i, first_data + r1, i, {
            "type": "blanks", "format": fm.get("required"), "multi_range": " ".join(ranges)})

    end_row = write_signature(ws, fm, widths, r, head)
    setup_page(ws, spec.orientation == "landscape", header_first, header_last, end_row)
    ws.print_area(0, 0, end_row, n - 1)
    ws.protect(password or "", {
        "format_cells": False, "format_columns": True, "format_rows": True,
        "select_locked_cells": True, "select_unlocked_cells": True,
    })
    doc = tuple((f, r0, c0) for f, (r0, c0) in getattr(ws, "cchc_doc", {}).items())
    return SheetIdentity(spec.id, spec.version, name, key_col, header_last if not
                         spec.column_numbers else header_last - 1, first_data, last_data,
                         doc_cells=doc)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for r in sorted(rows):
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs
