"""Appendix "TH TTHC" (Biểu 06): procedures summed over the units, then per unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.forms.form_rows import procedure_records
from cchc_xlsx.forms.generate import DOTS
from cchc_xlsx.forms.official_layout import (
    INTEGER,
    text_lines,
)
from cchc_xlsx.forms.sheet_writer import header_heights, write_header_grid
from cchc_xlsx.forms.specs import FormSpec
from cchc_xlsx.merging.aggregate import (
    Aggregate,
)
from cchc_xlsx.merging.writers.common import (
    SHEET_TTHC,
    _Context,
    _finish,
    _head,
    _height,
    _merged,
    _num_format,
    _period_upper,
    _sheet,
    _text,
)

# --- 5. TTHC (Biểu 06) -------------------------------------------------------------------


def _write_tthc(wb: Any, ctx: _Context, label: str, agg: Aggregate, spec: FormSpec) -> None:
    widths = [c.width for c in spec.columns]
    last = len(widths) - 1
    title = spec.title.format(year=ctx.period.due.year,
                              period_name_upper=_period_upper(ctx.period))
    title += " (TỔNG HỢP TỪ CÁC ĐƠN VỊ)"
    notes = tuple(n.format(unit_name=ctx.office_name, superior=ctx.superior_name or DOTS)
                  for n in spec.notes_before_table)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_TTHC, widths, head)
    header_first = r
    r = write_header_grid(ws, ctx.fm, r, spec, header_heights(spec, list(widths)))
    colnum = ctx.fm.get("colnum")
    for i in range(len(widths)):
        ws.write_string(r, i, f"({i + 1})", colnum)
    header_last = r
    r = first = r + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    number = fm.get("td_center", num_format=INTEGER)
    blank = [0.0] * (len(widths) - 2)

    def row(stt: str, name: str, values: Sequence[float], at: int) -> None:
        ws.write_string(at, 0, stt, center)
        _text(ws, at, 1, name, td)
        for j, v in enumerate(values):
            ws.write_number(at, 2 + j, v,
                            number if float(v).is_integer() else
                            fm.get("td_center", num_format=_num_format(v)))
        ws.set_row(at, _height(text_lines(name, widths[1])))

    totals = list(blank)
    for rec in procedure_records(ctx.plan, spec):
        values = agg.tthc.get(rec["key"], blank)
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        row(rec["stt"], rec["name"], values, r)
        r += 1
    total_fmt = fm.get("total", num_format=INTEGER)
    ws.write_blank(r, 0, None, total_fmt)
    ws.write_string(r, 1, spec.total_row["label"] if spec.total_row else "Tổng cộng",
                    total_fmt)
    for j in range(len(widths) - 2):
        col = xl_col_to_name(2 + j)
        ws.write_formula(r, 2 + j, f"=SUM({col}{first + 1}:{col}{r})", total_fmt, totals[j])
    ws.set_row(r, _height(1))
    r += 1
    if agg.tthc_by_unit:
        _merged(ws, r, 0, r, last, "Chi tiết theo đơn vị", fm.get("td_group"))
        ws.set_row(r, _height(1))
        r += 1
        for n, (code, values) in enumerate(agg.tthc_by_unit.items(), start=1):
            sub = agg.units.get(code)
            row(str(n), sub.unit_name if sub else code, values, r)
            r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


