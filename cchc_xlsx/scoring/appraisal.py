"""The office's appraisal workbook (bảng thẩm định): one row per unit and criterion.

Appraising 30–700 units means typing scores next to the units' own, filtering by unit or
by criterion. So the round writes one long table: the self score, then "Điểm thẩm định"
and "Ý kiến thẩm định" to fill (pre-filled with what was already appraised, so writing it
again loses nothing). A difference from the self score is coloured, and reading it back
requires a reason for every difference. The office may instead type in the units' own
workbooks (unprotect the sheet); this table wins where both hold a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.checking.report import FileResult
from cchc_xlsx.forms.identity import (
    Identity,
    SheetIdentity,
    key_header,
    parse_key_header,
    write_identity,
)
from cchc_xlsx.forms.official_layout import (
    Formats,
    row_height,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.reading.reader import cell_text, open_book, read_identity
from cchc_xlsx.scoring.check import IssueAdder, UnitScores, check_appraised
from cchc_xlsx.scoring.criteria import NA_TEXT, CriteriaSet, parse_tag
from cchc_xlsx.scoring.rules import load_scoring_rules
from cchc_xlsx.scoring.scoring_print import (
    POINTS,
    WORKBOOK_OPTIONS,
    balanced_widths,
    finish_sheet,
    fit_sheet,
    office_header,
)
from cchc_xlsx.user_text import store_text

FORM_ID = "cchc_appraisal"
SHEET = "Thẩm định"
# widths for A4 landscape at 100 % (Times New Roman 12): the text columns wrap
HEADERS = (("Mã đơn vị", 9), ("Đơn vị", 18), ("Mã tiêu chí", 7),
           ("Tiêu chí thành phần", 32), ("Điểm tối đa", 7), ("Điểm tự đánh giá", 8),
           ("Điểm thẩm định", 8), ("Ý kiến thẩm định (bắt buộc khi khác điểm tự đánh giá)",
                                    22))
SELF, APPRAISED, COMMENT = 5, 6, 7
KEY = len(HEADERS)


@dataclass
class Appraisal:
    result: FileResult
    entries: dict[tuple[str, str], tuple[Any, str, int]] = field(default_factory=dict)
    # (unit code, criterion code) -> (raw appraised value, comment, 1-based row)


def write_appraisal(crit: CriteriaSet, scores: Sequence[UnitScores], path: str | Path,
                    office: Office | None = None) -> Path:
    """The appraisal table as a signable appendix of the office (A4 landscape at 100 %,
    the header repeated, the signature and Nơi nhận after the last row)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    office = office or Office(superior="", name="")
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        ws = wb.add_worksheet(SHEET, worksheet_class=OfficialWorksheet)
        fm = Formats(wb)
        # A4 landscape at 100 %: width where the units' and criteria's names save lines;
        # the comment column keeps its width (the office writes its reasons there)
        keep = (4, SELF, APPRAISED)
        text_rows = [(s.code, s.name, code, crit.by_code[code].name)
                     for s in scores for code in s.leaves if code in crit.by_code]
        widths = fit_sheet(ws, balanced_widths([w for _, w in HEADERS], True,
                                               (*keep, COMMENT), [t for t, _ in HEADERS],
                                               text_rows, inputs=(COMMENT,)), True, keep=keep)
        h = office_header(office, crit.year, "Phụ lục",
                          f"BẢNG THẨM ĐỊNH KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH "
                          f"NĂM {crit.year}",
                          (f"Bộ tiêu chí: {crit.name}, {crit.decision}. Ghi điểm thẩm định ở "
                           "cột (7); để trống nghĩa là đồng ý với điểm tự đánh giá; điểm khác "
                           "phải ghi lý do ở cột (8).",))
        head = write_page_header(ws, fm, widths, h)
        th = fm.get("th")
        td = fm.get("td")
        num = fm.get("td_center", num_format=POINTS)
        open_num = fm.get("td_center", num_format=POINTS, locked=False, bg_color="#FFF2CC")
        open_td = fm.get("td", locked=False, bg_color="#FFF2CC")
        grey = fm.get("td_center", bg_color="#F2F2F2")
        key_fmt = fm.get("key")
        for c, (title, _w) in enumerate(HEADERS):
            ws.write_string(head, c, title, th)
            ws.write_string(head + 1, c, f"({c + 1})", fm.get("colnum"))
        ws.set_row(head, row_height(max(text_lines(t, w, bold=True)
                                        for (t, _), w in zip(HEADERS, widths, strict=True))))
        ws.write_string(head, KEY, key_header(FORM_ID, 1), key_fmt)
        ws.set_column(KEY, KEY, 12, None, {"hidden": True})
        first = r = head + 2
        for s in scores:
            for code, leaf in s.leaves.items():
                item = crit.by_code.get(code)
                if item is None:
                    continue
                store_text(s.code, ws, r, 0, td)
                store_text(s.name, ws, r, 1, td)
                store_text(code, ws, r, 2, td)
                store_text(item.name, ws, r, 3, td)
                ws.write_number(r, 4, item.max, num)
                if leaf.na:
                    ws.write_string(r, SELF, NA_TEXT, grey)
                    ws.write_blank(r, APPRAISED, None, grey)
                    ws.write_blank(r, COMMENT, None, grey)
                else:
                    if leaf.self is None:
                        ws.write_blank(r, SELF, None, num)
                    else:
                        ws.write_number(r, SELF, leaf.self, num)
                    if leaf.appraised is None:
                        ws.write_blank(r, APPRAISED, None, open_num)
                    else:
                        ws.write_number(r, APPRAISED, leaf.appraised, open_num)
                    store_text(leaf.comment, ws, r, COMMENT, open_td)
                store_text(f"{s.code}|{code}", ws, r, KEY, key_fmt)
                lines = max(text_lines(item.name, widths[3]), text_lines(s.name, widths[1]),
                            text_lines(s.code, widths[0]),
                            text_lines(NA_TEXT if leaf.na else "", widths[SELF]),
                            text_lines(leaf.comment or "", widths[COMMENT]))
                ws.set_row(r, row_height(lines))
                r += 1
        last = max(r - 1, first)
        a, b = xl_col_to_name(APPRAISED), xl_col_to_name(SELF)
        ws.conditional_format(first, APPRAISED, last, APPRAISED, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({a}{first + 1}),"
                                          f"{a}{first + 1}<>{b}{first + 1})",
            "format": wb.add_format({"bg_color": "#F8CBAD", "bold": True})})
        ws.autofilter(head + 1, 0, last, COMMENT)
        ws.freeze_panes(first, 3)
        end = write_signature(ws, fm, widths, last + 1, h)
        finish_sheet(ws, head, head + 1, end, len(HEADERS))
        ws.protect("", {"autofilter": True, "sort": False, "format_columns": True,
                        "format_rows": True})
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=crit.tag, unit_code=office.code,
            unit_name=office.name, kind="appraisal", period_id=str(crit.year),
            sheets=(SheetIdentity(FORM_ID, 1, SHEET, KEY, head, first, last),)))
        wb.close()
    return path


def read_appraisal(path: str | Path, crit: CriteriaSet) -> Appraisal:
    """Raises ``UnusableFile`` for an unreadable file; a wrong criteria set is an issue."""
    _, book, _stray = open_book(path)  # stray far cells are left out by the bounded reader
    ident = read_identity(book)
    res = FileResult(str(path), kind="appraisal", plan_id=str(ident.get("plan_id", "")))
    out = Appraisal(res)
    add = IssueAdder(res, load_scoring_rules(), SHEET)
    tag = parse_tag(ident.get("plan_id", ""))
    if tag is None or ident.get("kind") != "appraisal":
        add("scoring_no_identity")
        res.usable = False
        return out
    if tag != (crit.id, str(crit.year), crit.fingerprint):
        add("scoring_criteria_version", value=f"«{tag[0]}» năm {tag[1]}", expected=crit.label)
        res.usable = False
        return out
    for name in book.sheet_names:
        if name.startswith("_"):
            continue
        sheet = book.get_sheet_by_name(name)
        r0 = (sheet.start or (0, 0))[0]
        grid = sheet.to_python(skip_empty_area=False)
        key_col = next((c for row in grid[:60] for c, v in enumerate(row)
                        if parse_key_header(v) and parse_key_header(v)[0] == FORM_ID), None)
        if key_col is None:
            continue
        add.sheet = name
        for r, row in enumerate(grid):
            key = cell_text(row[key_col]) if key_col < len(row) else ""
            if "|" not in key:
                continue
            unit, code = key.split("|", 1)
            value = row[APPRAISED] if APPRAISED < len(row) else None
            comment = cell_text(row[COMMENT]) if COMMENT < len(row) else ""
            out.entries[(unit, code)] = (value, comment, r + r0 + 1)
        break
    return out


def apply_appraisal(appraisal: Appraisal, crit: CriteriaSet, scores: Sequence[UnitScores]
                    ) -> None:
    """Put the office's scores on the units' leaves, checking each; an invalid one is
    reported at its cell and not used."""
    add = IssueAdder(appraisal.result, load_scoring_rules(), SHEET)
    col = "G"
    for s in scores:
        for code, leaf in s.leaves.items():
            entry = appraisal.entries.get((s.code, code))
            if entry is None or leaf.na or cell_text(entry[0]) == "":
                continue
            value = check_appraised(add, f"{col}{entry[2]}", crit.by_code[code], entry[0],
                                    leaf.self, entry[1])
            if value is not None:
                leaf.appraised = value
                leaf.comment = entry[1]
