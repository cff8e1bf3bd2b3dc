"""Appendix "TH Chỉ tiêu": indicators as Σ numerator / Σ denominator over the units."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.forms.form_rows import indicator_records
from cchc_xlsx.forms.official_layout import (
    INTEGER,
    RATIO,
    text_lines,
)
from cchc_xlsx.merging.aggregate import (
    Aggregate,
    IndicatorAgg,
)
from cchc_xlsx.merging.writers.common import (
    MAX_LINES,
    SHEET_INDICATORS,
    _Context,
    _finish,
    _head,
    _header_row,
    _height,
    _merged,
    _names,
    _num_format,
    _period_upper,
    _sheet,
    _text,
)

# --- 4. indicators -----------------------------------------------------------------------


def _write_indicators(wb: Any, ctx: _Context, label: str, agg: Aggregate) -> None:
    headers = ["STT", "Chỉ tiêu", "Chỉ tiêu cần đạt", "Tử số (Σ)", "Mẫu số (Σ)", "Kết quả",
               "Số đơn vị báo cáo", "Số đơn vị đạt", "Đơn vị chưa đạt"]
    widths = [5.0, 36.0, 13.0, 10.0, 10.0, 10.0, 9.0, 9.0, 30.0]
    title = (f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH "
             f"{_period_upper(ctx.period)} TỔNG HỢP TỪ CÁC ĐƠN VỊ")
    notes = (f"Số đơn vị có số liệu được tổng hợp: {len(agg.units)}. Chỉ tiêu tính theo tỷ lệ: "
             "kết quả (6) = tổng tử số (4) / tổng mẫu số (5) của các đơn vị, không lấy trung "
             "bình các tỷ lệ; chỉ tiêu tính theo số lượng: kết quả là tổng số của các đơn vị.",)
    head = _head(ctx, label, title, notes)
    ws, r = _sheet(wb, ctx, SHEET_INDICATORS, widths, head)
    header_first = r
    header_last = _header_row(ws, ctx, r, headers, widths, numbers=True)
    r = first = header_last + 1
    fm = ctx.fm
    td, center = fm.get("td"), fm.get("td_center")
    g, g_center = fm.get("td_group"), fm.get("td_group_center")
    rate_fmt = fm.get("td_center", num_format=RATIO)
    count = fm.get("td_center", num_format=INTEGER)
    last = len(widths) - 1
    num, den = xl_col_to_name(3), xl_col_to_name(4)
    for rec in indicator_records(ctx.plan):
        if rec["kind"] == "group":
            ws.write_string(r, 0, rec.get("stt", ""), g_center)
            _merged(ws, r, 1, r, last, rec.get("title", ""), g)
            ws.keep_with_next(r)
            ws.set_row(r, _height(text_lines(rec.get("title", ""), sum(widths[1:]), bold=True)))
            r += 1
            continue
        a = agg.indicators.get(rec["key"]) or IndicatorAgg()
        ws.write_string(r, 0, rec["stt"], center)
        _text(ws, r, 1, rec["text"], td)
        _text(ws, r, 2, rec["target_text"], td)
        measure = rec.get("measure")
        if measure == "rate":
            for c, v in ((3, a.numerator), (4, a.denominator)):
                ws.write_number(r, c, v, fm.get("td_center", num_format=_num_format(v)))
            n = r + 1
            ws.write_formula(r, 5, f'=IF({den}{n}>0,{num}{n}/{den}{n},"")', rate_fmt,
                             a.numerator / a.denominator if a.denominator > 0 else "")
        else:
            ws.write_blank(r, 3, None, center)
            ws.write_blank(r, 4, None, center)
            if measure == "count" and a.reporting:
                ws.write_number(r, 5, a.total,
                                fm.get("td_center", num_format=_num_format(a.total)))
            else:
                ws.write_blank(r, 5, None, center)
        ws.write_number(r, 6, a.reporting, count)
        ws.write_number(r, 7, a.meeting, count)
        failing = _names(a.not_meeting, widths[8], MAX_LINES - 1)
        idle = agg.not_judged(rec["key"])
        if idle:  # 0/0 is no failure: named apart, so every reporting unit is accounted for
            idle_text = "Không xét (0/0 hoặc chưa đánh giá): " + _names(idle, widths[8], 2)
            failing = f"{failing}; {idle_text}" if failing else idle_text
        _text(ws, r, 8, failing, td)
        lines = max(text_lines(rec["text"], widths[1]), text_lines(rec["target_text"], widths[2]),
                    text_lines(failing, widths[8]))
        ws.set_row(r, _height(lines))
        r += 1
    _finish(ws, ctx, widths, r, head, header_first, header_last, first)


