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
from cchc_xlsx.forms.layout.widths import longest_word, units_for
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
FORM_VERSION = 2  # 2: the unit is a group row above its criteria (1: its name on every row)
SHEET = "Thẩm định"
# widths for A4 landscape at 100 % (Times New Roman 12): the criterion's name wraps. The
# unit's name is a group row above its criteria (on every row it wrapped each row into two
# lines); its code stays on every row, so the office still filters by unit or by criterion.
# The scores' columns are as narrow as their heads in two lines (the head repeats on every
# page: a line more there is a line less for the table); the comment column, with them,
# is as wide as the Quốc hiệu above it needs (else the page furniture takes the width from
# the criterion's name); it says in the note above the table when a reason is required.
HEADERS = (("Mã đơn vị", 8.5), ("Mã tiêu chí", 7), ("Tiêu chí thành phần", 56),
           ("Điểm tối đa", 6.5), ("Điểm tự đánh giá", 8), ("Điểm thẩm định", 10),
           ("Ý kiến thẩm định", 19.5))
MAX, SELF, APPRAISED, COMMENT = 3, 4, 5, 6
KEY = len(HEADERS)
# form version → (appraised, comment) columns, so a table written before the group rows
# is still read back where its office typed
COLUMNS_BY_VERSION = {1: (6, 7), 2: (APPRAISED, COMMENT)}


@dataclass
class Appraisal:
    result: FileResult
    entries: dict[tuple[str, str], tuple[Any, str, int]] = field(default_factory=dict)
    # (unit code, criterion code) -> (raw appraised value, comment, 1-based row)
    column: str = xl_col_to_name(APPRAISED)  # where the appraised scores are, for issues


def write_appraisal(crit: CriteriaSet, scores: Sequence[UnitScores], path: str | Path,
                    office: Office | None = None) -> Path:
    """The appraisal table as a signable appendix of the office (A4 landscape at 100 %,
    the header repeated, each unit a group row that keeps with its first criterion, the
    signature and Nơi nhận after the last row)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    office = office or Office(superior="", name="")
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        ws = wb.add_worksheet(SHEET, worksheet_class=OfficialWorksheet)
        fm = Formats(wb)
        # A4 landscape at 100 %: the criteria's names get the width; the comment column
        # keeps room to write the office's reasons
        keep = (MAX, SELF, APPRAISED)
        codes = (0, 1)  # the unit's and the criterion's codes: as wide as given
        text_rows = [(s.code, code, crit.by_code[code].name)
                     for s in scores for code in s.leaves if code in crit.by_code]
        given = [w for _, w in HEADERS]
        for c in codes:  # a code on one line ("THCS-CB", bold in the unit's title row)
            given[c] = max(given[c], units_for(longest_word([r[c] for r in text_rows],
                                                            bold=True)))
        widths = fit_sheet(ws, balanced_widths(given, True,
                                               (*keep, *codes, COMMENT),
                                               [t for t, _ in HEADERS], text_rows,
                                               inputs=(COMMENT,)), True, keep=keep)
        h = office_header(office, crit.year, "Phụ lục",
                          f"BẢNG THẨM ĐỊNH KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH "
                          f"NĂM {crit.year}",
                          (f"Bộ tiêu chí: {crit.name}, {crit.decision}. Ghi điểm thẩm định ở "
                           f"cột ({APPRAISED + 1}); để trống nghĩa là đồng ý với điểm tự đánh "
                           f"giá; điểm khác phải ghi lý do ở cột ({COMMENT + 1}).",))
        head = write_page_header(ws, fm, widths, h)
        th = fm.get("th")
        td = fm.get("td")
        center = fm.get("td_center")
        num = fm.get("td_center", num_format=POINTS)
        open_num = fm.get("td_center", num_format=POINTS, locked=False, bg_color="#FFF2CC")
        open_td = fm.get("td", locked=False, bg_color="#FFF2CC")
        grey = fm.get("td_center", bg_color="#F2F2F2")
        group, group_center = fm.get("td_group"), fm.get("td_group_center")
        key_fmt = fm.get("key")
        for c, (title, _w) in enumerate(HEADERS):
            ws.write_string(head, c, title, th)
            ws.write_string(head + 1, c, f"({c + 1})", fm.get("colnum"))
        ws.set_row(head, row_height(max(text_lines(t, w, bold=True)
                                        for (t, _), w in zip(HEADERS, widths, strict=True))))
        ws.write_string(head, KEY, key_header(FORM_ID, FORM_VERSION), key_fmt)
        ws.set_column(KEY, KEY, 12, None, {"hidden": True})
        first = r = head + 2
        for s in scores:
            leaves = [(code, leaf, crit.by_code[code]) for code, leaf in s.leaves.items()
                      if code in crit.by_code]
            if not leaves:
                continue
            # the unit: its code (a filter by unit keeps its title) and its name across
            store_text(s.code, ws, r, 0, group_center)
            ws.merge_range(r, 1, r, COMMENT, "", group)
            store_text(s.name, ws, r, 1, group)
            store_text(f"grp:{s.code}", ws, r, KEY, key_fmt)
            ws.set_row(r, row_height(max(text_lines(s.name, sum(widths[1:]), bold=True),
                                         text_lines(s.code, widths[0], bold=True))))
            ws.keep_with_next(r)  # a unit's title never ends a page
            r += 1
            for code, leaf, item in leaves:
                store_text(s.code, ws, r, 0, center)
                store_text(code, ws, r, 1, center)
                store_text(item.name, ws, r, 2, td)
                ws.write_number(r, MAX, item.max, num)
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
                lines = max(text_lines(item.name, widths[2]), text_lines(s.code, widths[0]),
                            text_lines(code, widths[1]),
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
        ws.freeze_panes(first, 2)
        end = write_signature(ws, fm, widths, last + 1, h)
        finish_sheet(ws, head, head + 1, end, len(HEADERS))
        ws.protect("", {"autofilter": True, "sort": False, "format_columns": True,
                        "format_rows": True})
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=crit.tag, unit_code=office.code,
            unit_name=office.name, kind="appraisal", period_id=str(crit.year),
            sheets=(SheetIdentity(FORM_ID, FORM_VERSION, SHEET, KEY, head, first, last),)))
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
        found = next(((c, parse_key_header(v)[1]) for row in grid[:60]
                      for c, v in enumerate(row)
                      if parse_key_header(v) and parse_key_header(v)[0] == FORM_ID), None)
        if found is None or found[1] not in COLUMNS_BY_VERSION:
            continue
        key_col, version = found
        appraised, commented = COLUMNS_BY_VERSION[version]
        out.column = xl_col_to_name(appraised)
        add.sheet = name
        for r, row in enumerate(grid):
            key = cell_text(row[key_col]) if key_col < len(row) else ""
            if "|" not in key:
                continue
            unit, code = key.split("|", 1)
            value = row[appraised] if appraised < len(row) else None
            comment = cell_text(row[commented]) if commented < len(row) else ""
            out.entries[(unit, code)] = (value, comment, r + r0 + 1)
        break
    return out


def apply_appraisal(appraisal: Appraisal, crit: CriteriaSet, scores: Sequence[UnitScores]
                    ) -> None:
    """Put the office's scores on the units' leaves, checking each; an invalid one is
    reported at its cell and not used."""
    add = IssueAdder(appraisal.result, load_scoring_rules(), SHEET)
    col = appraisal.column
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
