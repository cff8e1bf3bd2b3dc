"""Write the ranking workbook: the chart first, then the ranking, the per-lĩnh vực table,
the per-criterion statistics and who has sent what, each an appendix in the NĐ 30 layout.

The figures are written as numbers computed by ``ranking`` from the leaves; the hidden
identity carries every unit's exact leaf scores, so a province can merge district rankings
(merge(merge(A, B), C) = merge(A, B, C)).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.forms.identity import Identity, write_identity
from cchc_xlsx.forms.official_layout import (
    MARGINS,
    Formats,
    HeaderTexts,
    fit_widths,
    printable,
    roman,
    row_height,
    span_points,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.scoring.check import UnitScores
from cchc_xlsx.scoring.criteria import CriteriaSet
from cchc_xlsx.scoring.ranking import Ranking
from cchc_xlsx.scoring.scoring_print import (
    POINTS,
    WORKBOOK_OPTIONS,
    balanced_widths,
    finish_sheet,
    fit_sheet,
    office_header,
    vi_points,
)
from cchc_xlsx.user_text import store_text

CHART_SHEET = "Biểu đồ"
RANK_SHEET = "Xếp hạng"
AREA_SHEET = "Theo lĩnh vực"
STATS_SHEET = "Thống kê tiêu chí"
STATUS_SHEET = "Tình hình nộp"
LOG_SHEET = "Nhật ký chấm điểm"
STATUS_NOTES = {"Có lỗi": "Tệp có lỗi, chưa được chấm; đề nghị nộp lại",
                "Không dùng được": "Không đọc được tệp; đề nghị nộp lại"}
UNLISTED_NOTE = "Không thuộc danh sách đơn vị phải nộp"


@dataclass(frozen=True)
class Submission:
    code: str
    name: str
    status: str  # Vietnamese: Hợp lệ / Có lỗi / Không đọc được / Chưa nộp / Ngoài danh sách
    errors: int
    warnings: int
    file: str
    received: datetime | None = None  # when the file reached the office (its save time)
    listed: bool = True  # False: a file from a unit not on the list of units


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = "text"  # text | center | number


def _header(crit: CriteriaSet, office: Office, label: str, title: str,
            notes: Sequence[str] = ()) -> HeaderTexts:
    lines = [f"Bộ tiêu chí: {crit.name}, {crit.decision}.", *notes]
    if crit.sample:
        lines.append("MẪU MINH HỌA: kết quả trên bộ tiêu chí mẫu, không phải kết quả chính thức.")
    return office_header(office, crit.year, label, title, lines)


def _fits(widths: Sequence[float]) -> bool:
    """Whether columns this wide print at 100 % on A4 landscape once the text columns wrap."""
    keep = tuple(i for i, w in enumerate(widths) if w < 10)
    return fit_widths(list(widths), True, keep).scale >= 1


_points = vi_points  # 12 → "12", 7.5 → "7,5"


def _landscape(widths: Sequence[float]) -> bool:
    """Portrait when the table fits A4 portrait at 100 %, else landscape."""
    return span_points(list(widths)) > printable(False)[0] * 0.99


def _table(wb, fm: Formats, name: str, h: HeaderTexts, columns: Sequence[Column],
           rows: Sequence[Sequence[Any]], groups: Sequence[tuple[str, int]] = (),
           bold_rows: set[int] | None = None) -> tuple[Any, int]:
    """One appendix sheet: header, a (two-level when ``groups``) table head, the rows, the
    signature; return the sheet and its first data row. ``groups`` spans the last columns:
    [(title, n columns), …] after the plain ones."""
    ws = wb.add_worksheet(name, worksheet_class=OfficialWorksheet)
    widths = [c.width for c in columns]
    keep = tuple(i for i, c in enumerate(columns) if c.kind != "text")
    landscape = _landscape(widths)
    widths = fit_sheet(ws, balanced_widths(widths, landscape, keep,
                                           [c.title for c in columns], rows), landscape, keep)
    r = write_page_header(ws, fm, widths, h)
    head_first = r
    th = fm.get("th")
    plain = len(columns) - sum(n for _, n in groups)
    if groups:
        for c in range(plain):
            ws.merge_range(r, c, r + 1, c, columns[c].title, th)
        c = plain
        for title, n in groups:
            if n > 1:
                ws.merge_range(r, c, r, c + n - 1, title, th)
            else:
                ws.write_string(r, c, title, th)
            for k in range(n):
                ws.write_string(r + 1, c + k, columns[c + k].title, th)
            c += n
        spans, c = [], plain
        for title, n in groups:
            spans.append(text_lines(title, sum(widths[c:c + n]), bold=True))
            c += n
        ws.set_row(r, row_height(max(spans)))
        r += 1
    else:
        for c, col in enumerate(columns):
            ws.write_string(r, c, col.title, th)
    ws.set_row(r, row_height(max(text_lines(c.title, w, bold=True)
                                 for c, w in zip(columns, widths, strict=True))))
    r += 1
    for c in range(len(columns)):
        ws.write_string(r, c, f"({c + 1})", fm.get("colnum"))
    head_last = r
    r += 1
    first_data = r
    bold_rows = bold_rows or set()
    for i, row in enumerate(rows):
        lines = 1
        for c, (col, value) in enumerate(zip(columns, row, strict=False)):
            group = i in bold_rows
            if col.kind == "number":
                fmt = fm.get("td_group_center" if group else "td_center", num_format=POINTS)
            elif col.kind == "center":
                fmt = fm.get("td_group_center" if group else "td_center")
            else:
                fmt = fm.get("td_group" if group else "td")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value, fmt)
            elif value is None or value == "":
                ws.write_blank(r, c, None, fmt)
            else:
                store_text(value, ws, r, c, fmt)
                lines = max(lines, text_lines(str(value), widths[c], bold=group))
        ws.set_row(r, row_height(lines))
        if i in bold_rows:
            ws.keep_with_next(r)  # a lĩnh vực or tiêu chí never ends a page
        r += 1
    end = write_signature(ws, fm, widths, r, h)
    finish_sheet(ws, head_first, head_last, end, len(columns))
    ws.freeze_panes(head_last + 1, 0)
    return ws, first_data


def write_ranking(crit: CriteriaSet, ranking: Ranking, scores: Sequence[UnitScores],
                  submissions: Sequence[Submission], office: Office,
                  path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties({"title": f"Kết quả chấm điểm CCHC {crit.year}",
                           "author": "cchc-xlsx"})
        fm = Formats(wb)
        chart_ws = wb.add_worksheet(CHART_SHEET, worksheet_class=OfficialWorksheet)
        n = 0

        def label() -> str:
            nonlocal n
            n += 1
            return f"Phụ lục {roman(n)}"

        rank_rows = [
            [u.rank, u.code, u.name, u.self_total, u.total, round(u.total - u.self_total, 2),
             u.klass, "; ".join(x for x in (
                 "Đồng hạng" if u.tied else "",
                 "Chưa thẩm định" if u.appraised_leaves == 0 else "") if x)]
            for u in ranking.units]
        scale = f"{crit.scale:g}".replace(".", ",")
        rank_ws, rank_first = _table(wb, fm, RANK_SHEET, _header(
            crit, office, label(), f"KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG CẢI CÁCH HÀNH CHÍNH NĂM "
                                   f"{crit.year} CỦA CÁC ĐƠN VỊ"),
            [Column("Xếp hạng", 7, "center"), Column("Mã đơn vị", 10, "center"),
             Column("Đơn vị", 34), Column(f"Điểm tự đánh giá (thang {scale})", 11, "number"),
             Column(f"Điểm thẩm định (thang {scale})", 11, "number"),
             Column("Chênh lệch", 9, "number"), Column("Xếp loại", 11, "center"),
             Column("Ghi chú", 16)], rank_rows)
        if rank_rows:  # where the office's appraisal moved a unit's total
            rank_ws.conditional_format(rank_first, 5, rank_first + len(rank_rows) - 1, 5, {
                "type": "cell", "criteria": "!=", "value": 0,
                "format": wb.add_format({"bg_color": "#F8CBAD", "bold": True})})
        # both figures per lĩnh vực when they fit A4 landscape at 100 %, else the points
        with_percent = _fits([6, 20] + [5.0] * (2 * len(crit.areas)))
        per_area = 2 if with_percent else 1
        area_cols = [Column("Xếp hạng", 6, "center"), Column("Đơn vị", 20)]
        groups = []
        for area in crit.areas:
            area_cols.append(Column("Điểm", 5, "number"))
            if with_percent:
                area_cols.append(Column("Tỷ lệ %", 5, "number"))
            # a short head ("Lĩnh vực 1 (tối đa 12)"), the names in a note above the table:
            # eight names over two narrow columns each made a header taller than a page's rest
            groups.append((f"Lĩnh vực {area.code} (tối đa {_points(area.max)})", per_area))
        area_rows = []
        for u in ranking.units:
            by = {a.code: a for a in u.areas}
            row: list[Any] = [u.rank, u.name]
            for area in crit.areas:
                a = by.get(area.code)
                figures = [a.points, a.percent] if a else ["", ""]
                row += figures[:per_area]
            area_rows.append(row)
        _table(wb, fm, AREA_SHEET, _header(
            crit, office, label(), f"ĐIỂM THẨM ĐỊNH THEO LĨNH VỰC NĂM {crit.year}",
            ("Các lĩnh vực: " + "; ".join(f"{a.code}. {a.name}" for a in crit.areas) + ".",
             *(() if with_percent else ("Mỗi lĩnh vực ghi điểm thẩm định; tỷ lệ so với điểm "
                                        "tối đa xem ở phụ lục thống kê theo tiêu chí.",)))),
            area_cols, area_rows, groups)
        stat_rows, bold = [], set()
        for i, s in enumerate(ranking.stats):
            if s.level < 3 and not crit.by_code[s.code].is_leaf:
                bold.add(i)
            stat_rows.append([s.code, s.name, s.max, s.units, s.mean if s.mean is not None
                              else "", s.mean_percent if s.mean_percent is not None else "",
                              "; ".join(f"{name} (-{lost:g})".replace(".", ",")
                                        for name, lost in s.losers)])
        _table(wb, fm, STATS_SHEET, _header(
            crit, office, label(), f"THỐNG KÊ ĐIỂM THEO TIÊU CHÍ NĂM {crit.year}"),
            [Column("Mã", 7, "center"), Column("Lĩnh vực / Tiêu chí / Tiêu chí thành phần", 40),
             Column("Điểm tối đa", 8, "number"), Column("Số đơn vị tính điểm", 9, "center"),
             Column("Điểm bình quân", 9, "number"), Column("Tỷ lệ đạt bình quân (%)", 9,
                                                           "number"),
             Column("Đơn vị mất nhiều điểm nhất (số điểm bị mất)", 40)], stat_rows, (), bold)
        _status_sheet(wb, fm, crit, office, label(), submissions)
        _chart(wb, fm, chart_ws, crit, ranking, office, rank_first)
        aggregate = json.dumps({"units": [s.to_json() for s in scores]}, ensure_ascii=False,
                               separators=(",", ":"))
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=crit.tag, unit_code=office.code,
            unit_name=office.name, kind="consolidation", period_id=str(crit.year),
            aggregate=aggregate))
        wb.close()
    return path


def _counts(submissions: Sequence[Submission]) -> str:
    """The line a head of office reads first: who sent, who sent a file that cannot be
    scored, who has not sent."""
    listed = [s for s in submissions if s.listed]
    valid = sum(s.status == "Hợp lệ" for s in listed)
    missing = sum(s.status == "Chưa nộp" for s in listed)
    bad = len(listed) - valid - missing
    return (f"Đã nộp hợp lệ: {valid}/{len(listed)} đơn vị; có lỗi hoặc không đọc được: {bad}; "
            f"chưa nộp: {missing}.")


def _status_sheet(wb, fm: Formats, crit: CriteriaSet, office: Office, label: str,
                  submissions: Sequence[Submission]) -> None:
    """One short row per unit and the counts, as the consolidated workbook's appendix:
    file names, error and warning counts belong to the clerk's log sheet, never to paper."""
    rows = [[i, s.code, s.name, f"{s.received:%d/%m/%Y}" if s.received else "", s.status,
             STATUS_NOTES.get(s.status, "") if s.listed else UNLISTED_NOTE]
            for i, s in enumerate(submissions, start=1)]
    _table(wb, fm, STATUS_SHEET, _header(
        crit, office, label, f"TÌNH HÌNH NỘP BẢNG TỰ ĐÁNH GIÁ CCHC NĂM {crit.year}",
        (_counts(submissions),)),
        [Column("STT", 5, "center"), Column("Mã đơn vị", 10, "center"),
         Column("Đơn vị", 34), Column("Ngày nhận", 12, "center"),
         Column("Tình trạng", 14, "center"), Column("Ghi chú", 30)], rows)
    _log_sheet(wb, fm, submissions)


def _log_sheet(wb, fm: Formats, submissions: Sequence[Submission]) -> None:
    """The hidden, non-printing log: the file each unit's figures came from, its error and
    warning counts (what the clerk needs to chase a unit, not what a head signs)."""
    ws = wb.add_worksheet(LOG_SHEET)
    ws.hide()
    headers = ["STT", "Mã đơn vị", "Đơn vị", "Tình trạng", "Thời điểm nhận", "Số lỗi",
               "Số cảnh báo", "Tệp"]
    for c, w in enumerate([5, 10, 34, 14, 16, 7, 8, 60]):
        ws.set_column(c, c, w)
    th, td, center = fm.get("th"), fm.get("td"), fm.get("td_center")
    for c, text in enumerate(headers):
        ws.write_string(0, c, text, th)
    for i, s in enumerate(submissions, start=1):
        ws.write_number(i, 0, i, center)
        store_text(s.code, ws, i, 1, center)
        store_text(s.name, ws, i, 2, td)
        store_text(s.status, ws, i, 3, center)
        store_text(f"{s.received:%d/%m/%Y %H:%M}" if s.received else "", ws, i, 4, center)
        if s.status != "Chưa nộp":
            ws.write_number(i, 5, s.errors, center)
            ws.write_number(i, 6, s.warnings, center)
        store_text(s.file, ws, i, 7, td)
    ws.freeze_panes(1, 0)


CHART_TOP = 4  # rows above the chart: office, title, a line, a gap
ROW_PT = 15.0  # the chart sheet's rows keep the default height
BAR_PX = 22  # a unit's bar with its gap, when the page has room
MIN_BAR_PX = 14  # the least that still prints a 9 pt name and figure legibly
FRAME_PX = 120  # title, axis and margins of the chart itself


def chart_parts(n: int, page_pt: float) -> list[tuple[int, int, int]]:
    """How the chart of ``n`` units goes on paper: [(first unit, units, height px), …],
    one chart per page, each no taller than the page leaves below the heading (page 1)
    or from the top (later pages). Bars shrink to fit one page; below ``MIN_BAR_PX`` the
    units are shared out evenly over as many pages as needed."""
    first_px = int((page_pt * 0.97 - CHART_TOP * ROW_PT - 22) / 0.75)  # the title row: 22 pt
    if n <= 0:
        return []
    if FRAME_PX + MIN_BAR_PX * n <= first_px:
        return [(0, n, min(first_px, FRAME_PX + BAR_PX * n))]
    per_page = (first_px - FRAME_PX) // MIN_BAR_PX
    pages = -(-n // per_page)
    size = -(-n // pages)  # even shares: no page with a lone unit or two
    out, at = [], 0
    while at < n:
        k = min(size, n - at)
        out.append((at, k, min(first_px, FRAME_PX + BAR_PX * k)))
        at += k
    return out


def _chart(wb, fm: Formats, ws, crit: CriteriaSet, ranking: Ranking, office: Office,
           first: int) -> None:
    """The page people look at first: a horizontal bar per unit, best at the top, sized
    to the page (with many units, one chart per page, each page headed the same way)."""
    ws.set_column(0, 0, 128)  # 901 px: the chart (10 + 860 px) inside the print area
    n = len(ranking.units)
    parts = chart_parts(n, printable(True)[1])
    row, breaks = 0, []
    for k, (start, count, height) in enumerate(parts or [(0, 0, 0)]):
        if k:
            breaks.append(row)
        ws.write_string(row, 0, office.name.upper(), fm.get("issuer"))
        more = f" (tiếp theo, {k + 1}/{len(parts)})" if k else (
            f" ({k + 1}/{len(parts)})" if len(parts) > 1 else "")
        ws.write_string(row + 1, 0, f"KẾT QUẢ CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM {crit.year}"
                                    + more, fm.get("title"))
        ws.write_string(row + 2, 0, f"Điểm thẩm định quy đổi thang {crit.scale:g}, {n} "
                                    f"đơn vị; chi tiết ở trang «{RANK_SHEET}».",
                        fm.get("attached"))
        ws.set_row(row + 1, 22)
        if count:
            ws.insert_chart(row + CHART_TOP, 0, _bar_chart(wb, crit, first + start, count,
                                                          height),
                            {"x_offset": 10, "y_offset": 5})
        row += CHART_TOP + int((height * 0.75 + 5) // ROW_PT) + 2
    # at 100 %: the chart (860 px wide) fits A4 landscape inside the NĐ 30 margins
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(**MARGINS)
    ws.center_horizontally()
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, row - 2, 0)
    ws.activate()


def _bar_chart(wb, crit: CriteriaSet, first: int, count: int, height: int):
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Điểm thẩm định",
        "categories": [RANK_SHEET, first, 2, first + count - 1, 2],
        "values": [RANK_SHEET, first, 4, first + count - 1, 4],
        "data_labels": {"value": True, "num_format": POINTS,
                        "font": {"name": "Times New Roman", "size": 9}},
        "fill": {"color": "#2F5597"}, "gap": 40,
    })
    chart.set_title({"name": f"Tổng điểm CCHC năm {crit.year} (thang {crit.scale:g})",
                     "name_font": {"name": "Times New Roman", "size": 13}})
    chart.set_x_axis({"min": 0, "max": crit.scale if crit.rescale else None,
                      "num_font": {"name": "Times New Roman", "size": 10},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "Times New Roman", "size": 10}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 860, "height": height})
    return chart
