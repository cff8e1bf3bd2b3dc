"""Write each unit's self-assessment workbook (bảng tự đánh giá, chấm điểm CCHC).

One sheet in the NĐ 30 layout: the criteria tree with its maxima and scoring guidance, the
cells the unit fills (result, "Không áp dụng", score, evidence, explanation), live subtotals
per tiêu chí and lĩnh vực, the total rescaled to the criteria's scale, and the appraisal
columns, locked in the unit's copy. Excel's own validation comes from the same scoring mode
that ``scoring.check`` enforces on read-back. The hidden identity names the criteria set
and its fingerprint, so a return from another version is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.forms.generate import workbook_name
from cchc_xlsx.forms.identity import Identity, SheetIdentity, key_header, write_identity
from cchc_xlsx.forms.official_layout import (
    Formats,
    HeaderTexts,
    row_height,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.model import Unit
from cchc_xlsx.scoring.criteria import NA_TEXT, NO, YES, CriteriaSet, Item
from cchc_xlsx.scoring.scoring_print import (
    POINTS,
    WORKBOOK_OPTIONS,
    balanced_widths,
    finish_sheet,
    fit_sheet,
    unit_header,
)

FORM_ID = "cchc_scoring"
FORM_VERSION = 1
SHEET_NAME = "Tự đánh giá"
# (key, header, width): the table's columns, in order; the key column follows them. The
# widths fit A4 landscape at 100 % (Times New Roman 12): text columns wrap, the narrow ones
# hold a score or a short choice; the unit's two writing columns, evidence (8) and
# explanation (9), get real room (a sentence in a few lines), the office's comment (11)
# less: it writes one only where its score differs.
COLUMNS = (
    ("stt", "STT", 5),
    ("name", "Lĩnh vực / Tiêu chí / Tiêu chí thành phần", 20.5),
    ("max", "Điểm tối đa", 6.5),
    ("guide", "Cách chấm", 16),
    ("result", "Kết quả", 8),
    ("na", "Không áp dụng", 7.5),
    ("score", "Điểm tự đánh giá", 7.5),
    ("evidence", "Tài liệu kiểm chứng (số, ngày, trích yếu)", 14),
    ("explain", "Giải trình", 12),
    ("appraised", "Điểm thẩm định", 7.5),
    ("comment", "Ý kiến thẩm định", 7.5),
)
COL = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
INPUT_KEYS = ("evidence", "explain", "comment")  # what the unit and the office write
KEY_COL = len(COLUMNS)
TOTAL_KEYS = ("total", "applicable", "converted", "class")
# an item the unit may mark «Không áp dụng» then needs its explanation in (9): its row keeps
# room for a sentence this long, so the typed reason prints whole in the fixed row height
NA_REASON = "Đơn vị không phát sinh nội dung này trong năm báo cáo."


def letter(key: str) -> str:
    return xl_col_to_name(COL[key])


def guide_text(item: Item) -> str:
    """The scoring guidance a unit reads: the criteria's own words, else from the mode."""
    if item.guide:
        return item.guide
    s = item.scoring
    if s is None:
        return ""
    if s.mode == "yesno":
        return f"Có: {_n(item.max)} điểm; Không: 0 điểm."
    if s.mode == "ratio":
        return "; ".join(f"từ {_n(b.min)}%: {_n(b.points)} điểm" for b in s.bands) + "."
    return f"Chấm từ 0 đến {_n(item.max)} điểm, bước {_n(s.step)}."


def _n(x: float) -> str:
    """A number as Vietnamese write it: 0,25 and 2."""
    return f"{x:g}".replace(".", ",")


def allowed_text(item: Item) -> str:
    s = item.scoring
    allowed = s.allowed_points(item.max) if s else None
    if allowed is not None:
        return "chỉ nhận " + ", ".join(_n(p) for p in allowed)
    return f"từ 0 đến {_n(item.max)}, bước {_n(s.step if s else 0.25)}"


def _score_validation(item: Item, cell: str, title: str) -> dict:
    """Excel validation of a score cell: a range on the step, or the mode's only values."""
    s = item.scoring
    allowed = s.allowed_points(item.max) if s else None
    if allowed is not None:
        formula = "=OR(" + ",".join(f"{cell}={p:g}" for p in allowed) + ")"
    else:
        step = s.step if s else 0.25
        formula = (f"=AND(ISNUMBER({cell}),{cell}>=0,{cell}<={item.max:g},"
                   f"ABS({cell}/{step:g}-ROUND({cell}/{step:g},0))<0.000001)")
    text = f"Điểm {allowed_text(item)}."
    return {"validate": "custom", "value": formula, "input_title": title[:32],
            "input_message": text[:255], "error_title": "Điểm không hợp lệ",
            "error_message": text[:255], "ignore_blank": True}


def header_texts(crit: CriteriaSet, unit: Unit) -> HeaderTexts:
    notes = [f"Bộ tiêu chí: {crit.name}, {crit.decision}."]
    if crit.sample:
        notes.append("MẪU MINH HỌA: bộ tiêu chí này chỉ để làm quen với công cụ, không phải "
                     "bộ tiêu chí chính thức.")
    notes.append("Đơn vị điền các cột (5), (6), (7), (8), (9); cột (10), (11) do cơ quan thẩm "
                 "định ghi. Ô tổng tự tính, không ghi đè.")
    return unit_header(unit, crit.year, "Phụ lục",
                       f"BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM {crit.year}",
                       notes)


def write_self_assessment(crit: CriteriaSet, unit: Unit, path: str | Path,
                          password: str | None = None) -> Path:
    """Write one unit's workbook atomically; the items not applying to its level are left
    out, so its maximum is already its own."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True,  # small: no temp files
                                            **WORKBOOK_OPTIONS})
        wb.set_properties({"title": f"Tự đánh giá CCHC {crit.year} - {unit.name}",
                           "author": "cchc-xlsx"})
        wb.set_calc_mode("auto")
        ws = wb.add_worksheet(SHEET_NAME, worksheet_class=OfficialWorksheet)
        ident = _write_sheet(wb, ws, crit, unit, password)
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=crit.tag, unit_code=unit.code,
            unit_name=unit.name, kind="scoring", period_id=str(crit.year),
            sheets=(ident,)))
        wb.close()
    return path


def _write_sheet(wb, ws, crit: CriteriaSet, unit: Unit, password: str | None
                 ) -> SheetIdentity:
    fm = Formats(wb)
    # A4 landscape at 100 %: scores keep their width; the criteria's words and the scoring
    # guide get the width where it saves the most lines, the unit's input columns keep room
    keep = tuple(COL[k] for k in ("max", "result", "na", "score", "appraised"))
    items = list(crit.walk(unit.level))
    text_rows = [[it.code, it.name, "", guide_text(it)] + [""] * (len(COLUMNS) - 4)
                 for it in items]
    # (the evidence and explanation columns keep their width: the unit writes there, and
    # what it writes prints in rows measured before it wrote)
    widths = fit_sheet(ws, balanced_widths([w for _, _, w in COLUMNS], True,
                                           (*keep, COL["evidence"], COL["explain"]),
                                           [t for _, t, _ in COLUMNS], text_rows,
                                           inputs=[COL[k] for k in INPUT_KEYS]),
                       True, keep=keep)
    h = header_texts(crit, unit)
    r = write_page_header(ws, fm, widths, h)
    header_row = r
    th = fm.get("th")
    for c, (_, title, _w) in enumerate(COLUMNS):
        ws.write_string(r, c, title, th)
    ws.write_string(r, KEY_COL, key_header(FORM_ID, FORM_VERSION), fm.get("key"))
    ws.set_column(KEY_COL, KEY_COL, 12, None, {"hidden": True})
    ws.set_row(r, row_height(max(text_lines(t, w, bold=True)
                                 for (_, t, _), w in zip(COLUMNS, widths, strict=True))))
    r += 1
    for c in range(len(COLUMNS)):
        ws.write_string(r, c, f"({c + 1})", fm.get("colnum"))
    r += 1
    first = r
    rows = {it.code: first + i for i, it in enumerate(items)}
    unlocked = {"locked": False}
    grey = {"bg_color": "#F2F2F2"}
    for it in items:
        rr = rows[it.code]
        leaf = it.is_leaf
        bold = "td_group" if not leaf else "td"
        center = "td_group_center" if not leaf else "td_center"
        ws.write_string(rr, COL["stt"], it.code, fm.get(center))
        ws.write_string(rr, COL["name"], it.name, fm.get(bold))
        ws.write_number(rr, COL["max"], crit.unit_max(it, unit.level),
                        fm.get(center, num_format=POINTS))
        ws.write_string(rr, COL["guide"], guide_text(it), fm.get("td"))
        ws.write_string(rr, KEY_COL, it.code, fm.get("key"))
        if leaf:
            _leaf_cells(ws, fm, it, rr, unlocked, grey)
        else:
            ws.keep_with_next(rr)  # a lĩnh vực or tiêu chí never ends a page
            kids = [rows[c.code] for c in it.children if c.code in rows]
            sub = fm.get(center, num_format=POINTS, **grey)
            ws.write_formula(rr, COL["score"], self_sum(kids), sub, "")
            ws.write_formula(rr, COL["appraised"], appraised_sum(kids), sub, "")
            for col in ("result", "na", "evidence", "explain", "comment"):
                ws.write_blank(rr, COL[col], None, fm.get("td", **grey))
        lines = max(text_lines(it.name, widths[COL["name"]], bold=not leaf),
                    text_lines(guide_text(it), widths[COL["guide"]]),
                    text_lines(NA_REASON, widths[COL["explain"]])
                    if leaf and it.not_applicable else 1)
        ws.set_row(rr, row_height(lines))
    last = first + len(items) - 1
    r = last + 1
    _totals(ws, fm, crit, unit, items, rows, r, first, last, widths)
    _highlights(ws, fm, first, last, [rows[it.code] for it in items if it.is_leaf])
    end = write_signature(ws, fm, widths, r + len(TOTAL_KEYS), h)
    finish_sheet(ws, header_row, header_row + 1, end, len(COLUMNS))
    ws.freeze_panes(header_row + 2, 2)
    ws.protect(password or "", {
        "format_cells": True, "format_columns": True, "format_rows": True,
        "select_locked_cells": True, "select_unlocked_cells": True})
    return SheetIdentity(FORM_ID, FORM_VERSION, SHEET_NAME, KEY_COL, header_row, first, last,
                         tuple((it.code, "leaf=1" if it.is_leaf else "leaf=0")
                               for it in items))


def _leaf_cells(ws, fm: Formats, it: Item, rr: int, unlocked: dict, grey: dict) -> None:
    center = fm.get("td_center", num_format=POINTS, **unlocked)
    mode = it.scoring.mode if it.scoring else "step"
    cell = f"{letter('score')}{rr + 1}"
    if mode == "ratio":
        ws.write_blank(rr, COL["result"], None, center)
        ws.data_validation(rr, COL["result"], rr, COL["result"], {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
            "input_title": "Tỷ lệ đạt (%)",
            "input_message": "Ghi tỷ lệ đạt theo phần trăm, từ 0 đến 100 (ví dụ 97,5).",
            "error_title": "Tỷ lệ không hợp lệ",
            "error_message": "Tỷ lệ đạt là một số từ 0 đến 100."})
    elif mode == "yesno":
        ws.write_blank(rr, COL["result"], None, center)
        ws.data_validation(rr, COL["result"], rr, COL["result"], {
            "validate": "list", "source": [YES, NO], "input_title": "Kết quả",
            "input_message": f"Chọn Có hoặc Không; Có: {_n(it.max)} điểm, Không: 0 điểm."})
    else:
        ws.write_blank(rr, COL["result"], None, fm.get("td", **grey))
    if it.not_applicable:
        ws.write_blank(rr, COL["na"], None, center)
        ws.data_validation(rr, COL["na"], rr, COL["na"], {
            "validate": "list", "source": [NA_TEXT], "input_title": "Không áp dụng",
            "input_message": "Chọn «Không áp dụng» nếu đơn vị không phát sinh nội dung này; "
                             "khi đó để trống điểm và ghi giải trình."})
    else:
        ws.write_blank(rr, COL["na"], None, fm.get("td", **grey))
    ws.write_blank(rr, COL["score"], None, center)
    ws.data_validation(rr, COL["score"], rr, COL["score"],
                       _score_validation(it, cell, "Điểm tự đánh giá"))
    for col in ("evidence", "explain"):
        ws.write_blank(rr, COL[col], None, fm.get("td", **unlocked))
    ws.data_validation(rr, COL["evidence"], rr, COL["evidence"], {
        "validate": "any", "input_title": "Tài liệu kiểm chứng",
        "input_message": "Số, ngày, trích yếu của văn bản; mục/trang hoặc đường dẫn."})
    # appraisal: same validation, locked in the unit's copy (the office unprotects its own)
    ws.write_blank(rr, COL["appraised"], None, fm.get("td_center", num_format=POINTS))
    ws.data_validation(rr, COL["appraised"], rr, COL["appraised"],
                       _score_validation(it, f"{letter('appraised')}{rr + 1}",
                                         "Điểm thẩm định"))
    ws.write_blank(rr, COL["comment"], None, fm.get("td"))


def _totals(ws, fm: Formats, crit: CriteriaSet, unit: Unit, items: Sequence[Item],
            rows: dict[str, int], r: int, first: int, last: int,
            widths: Sequence[float]) -> None:
    """Total, the maximum left after "Không áp dụng", the total on the scale, the class."""
    areas = [rows[it.code] for it in items if it.level == 1]
    total_fmt = fm.get("total", num_format=POINTS)
    label_fmt = fm.get("td_group")
    mx, na = letter("max"), letter("na")
    rng = f"{first + 1}:{{c}}{last + 1}"
    labels = ("TỔNG ĐIỂM", "Điểm tối đa của các tiêu chí áp dụng (trừ «Không áp dụng»)",
              f"TỔNG ĐIỂM QUY ĐỔI (thang {_n(crit.scale)})", "XẾP LOẠI")
    for i, (key, label) in enumerate(zip(TOTAL_KEYS, labels, strict=True)):
        rr = r + i
        ws.merge_range(rr, COL["stt"], rr, COL["name"], label, label_fmt)
        ws.write_string(rr, KEY_COL, key, fm.get("key"))
        if i < len(TOTAL_KEYS) - 1:
            ws.keep_with_next(rr)  # the totals print together, with the signature
        for c in range(COL["max"], len(COLUMNS)):
            ws.write_blank(rr, c, None, total_fmt)
        lines = text_lines(label, widths[COL["stt"]] + widths[COL["name"]], bold=True)
        if key == "class":  # the class the formulas print ("Trung bình") in a score column
            lines = max([lines, *(text_lines(b.name, widths[COL[c]], bold=True)
                                  for b in crit.classes for c in ("score", "appraised"))])
        ws.set_row(rr, row_height(lines))
    t, a, v = r + 1, r + 2, r + 3  # 1-based rows of total, applicable, converted
    ws.write_number(r, COL["max"], sum(crit.unit_max(it, unit.level) for it in items
                                       if it.level == 1), total_fmt)
    ws.write_formula(r + 1, COL["max"], f'={mx}{t}-SUMIF({na}{rng.format(c=na)},"{NA_TEXT}",'
                     f'{mx}{rng.format(c=mx)})', total_fmt, "")
    ws.write_formula(r, COL["score"], self_sum(areas), total_fmt, "")
    ws.write_formula(r, COL["appraised"], appraised_sum(areas), total_fmt, "")
    for col in ("score", "appraised"):
        c = letter(col)
        if crit.rescale:
            conv = f'=IF(OR({c}{t}="",{mx}{a}<=0),"",ROUND({c}{t}/{mx}{a}*{crit.scale:g},2))'
        else:
            conv = f'=IF({c}{t}="","",ROUND({c}{t},2))'
        ws.write_formula(r + 2, COL[col], conv, total_fmt, "")
        klass = '""'
        for band in reversed(crit.classes):
            klass = f'IF({c}{v}>={band.min:g},"{band.name}",{klass})'
        ws.write_formula(r + 3, COL[col], f'=IF({c}{v}="","",{klass})', total_fmt, "")


def self_sum(rows: Sequence[int]) -> str:
    """A parent's self score: the sum of its children, blank while none is scored."""
    refs = ",".join(f"{letter('score')}{k + 1}" for k in rows)
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def appraised_sum(rows: Sequence[int]) -> str:
    """A parent's appraised score: each child's appraised score, or its self score where
    the office left it blank (agreed); blank while nothing is appraised."""
    a, s = letter("appraised"), letter("score")
    refs = ",".join(f"{a}{k + 1}" for k in rows)
    parts = "+".join(f"IF(ISNUMBER({a}{k + 1}),{a}{k + 1},N({s}{k + 1}))" for k in rows)
    return f'=IF(COUNT({refs})=0,"",{parts})'


def _highlights(ws, fm: Formats, first: int, last: int, leaf_rows: Sequence[int]) -> None:
    """Colour what needs a look: an appraised score that differs from the self score, and a
    positive score with neither evidence nor explanation."""
    s, a, e, x = (letter(k) for k in ("score", "appraised", "evidence", "explain"))
    top = first + 1
    diff = fm.workbook.add_format({"bg_color": "#F8CBAD", "bold": True})
    need = fm.workbook.add_format({"bg_color": "#FFF2CC"})
    ws.conditional_format(first, COL["appraised"], last, COL["appraised"], {
        "type": "formula", "format": diff,
        "criteria": f'=AND(ISNUMBER({a}{top}),ISNUMBER({s}{top}),{a}{top}<>{s}{top})'})
    if not leaf_rows:
        return
    ranges = " ".join(f"{e}{k + 1}:{x}{k + 1}" for k in leaf_rows)
    t = leaf_rows[0] + 1  # the formula is relative to the first range's top-left cell
    ws.conditional_format(leaf_rows[0], COL["evidence"], leaf_rows[0], COL["explain"], {
        "type": "formula", "format": need, "multi_range": ranges,
        "criteria": f'=AND(ISNUMBER(${s}{t}),${s}{t}>0,${e}{t}="",${x}{t}="")'})


def generate_self_assessments(crit: CriteriaSet, units: Sequence[Unit], out_dir: str | Path,
                              password: str | None = None,
                              progress: Callable[[int], object] | None = None) -> list[Path]:
    """One workbook per unit, named like the plan workbooks: ``<code>_<name>.xlsx``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units:
        name = workbook_name(unit).replace(".xlsx", f"_cham-diem-cchc-{crit.year}.xlsx")
        written.append(write_self_assessment(crit, unit, out / name, password))
        if progress:
            progress(1)
    return written
