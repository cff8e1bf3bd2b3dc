"""The Nghị định 30/2020 page furniture around a table, written with xlsxwriter.

Header blocks, appendix heading, signature block, page setup and the fonts of each element
follow NĐ 30/2020 Phụ lục I (see shared/reference/vn-official-formats.md §1). The table
itself is the generator's job; this module knows only the official layout.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from cchc_xlsx.forms.identity import DOC_MARK
from cchc_xlsx.forms.layout.merges import split_merges
from cchc_xlsx.forms.layout.paginate import PAGE_FILL as PAGE_FILL
from cchc_xlsx.forms.layout.paginate import paginate  # the print stage
from cchc_xlsx.forms.layout.sheet import describe, sheet_blocks, sheet_labels
from cchc_xlsx.forms.text_measure import (
    CELL_PAD,
    SAFETY,
    col_points,
    span_points,
    text_points,
    wrapped_lines,
)
from cchc_xlsx.plans.names import break_name, recipient_lines

FONT = "Times New Roman"
# Number formats with the vi-VN locale tag: Excel and LibreOffice print "1.234" and
# "95,51%" whatever the reader's own locale (one convention for every printed output)
VI = "[$-42A]"
INTEGER = VI + "#,##0"
DECIMAL = VI + "#,##0.##"
RATIO = VI + "0.00%"


def vi_format(fmt: str) -> str:
    """A number format printed the Vietnamese way (dates and text formats unchanged)."""
    if not fmt or fmt.startswith("[$") or not any(ch in fmt for ch in "#0%"):
        return fmt
    return VI + fmt
TABLE_SIZE = 12
MM = 1 / 25.4  # inches per millimetre

# NĐ 30/2020 Phụ lục I, Mục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"left": 30 * MM, "right": 15 * MM, "top": 20 * MM, "bottom": 20 * MM}
A4 = 9

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = ""
    for value, numeral in ROMAN:
        while n >= value:
            out += numeral
            n -= value
    return out


# Format definitions by name: a workbook creates each once, on first use.
FORMATS: dict[str, dict[str, Any]] = {
    "superior": {"size": 12, "align": "center", "valign": "top", "text_wrap": True},
    "issuer": {"size": 12, "bold": True, "align": "center", "valign": "top", "text_wrap": True},
    "nation": {"size": 12, "bold": True, "align": "center", "valign": "top"},
    "motto": {"size": 13, "bold": True, "align": "center", "valign": "top", "underline": 1},
    "number": {"size": 13, "align": "center", "valign": "top"},
    "dateline": {"size": 13, "italic": True, "align": "center", "valign": "top"},
    "pl": {"size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "title": {"size": 13, "bold": True, "align": "center", "valign": "vcenter",
              "text_wrap": True},
    "attached": {"size": 13, "italic": True, "align": "center", "valign": "top",
                 "text_wrap": True},
    "note": {"size": 12, "italic": True, "align": "left", "valign": "top", "text_wrap": True},
    "th": {"size": TABLE_SIZE, "bold": True, "align": "center", "valign": "vcenter",
           "text_wrap": True, "border": 1},
    "colnum": {"size": 11, "italic": True, "align": "center", "valign": "vcenter", "border": 1},
    "td": {"size": TABLE_SIZE, "valign": "top", "text_wrap": True, "border": 1},
    "td_center": {"size": TABLE_SIZE, "valign": "top", "align": "center", "text_wrap": True,
                  "border": 1},
    "td_group": {"size": TABLE_SIZE, "bold": True, "valign": "top", "text_wrap": True,
                 "border": 1},
    "td_group_center": {"size": TABLE_SIZE, "bold": True, "valign": "top", "align": "center",
                        "text_wrap": True, "border": 1},
    "td_group_column": {"size": TABLE_SIZE, "bold": True, "valign": "vcenter",
                        "align": "center", "text_wrap": True, "border": 1},
    "total": {"size": TABLE_SIZE, "bold": True, "valign": "top", "align": "center",
              "text_wrap": True, "border": 1},
    "sig_title": {"size": 13, "bold": True, "align": "center", "valign": "top",
                  "text_wrap": True},
    "sig_name": {"size": 13, "bold": True, "align": "center", "valign": "top"},
    "recipients_title": {"size": 12, "bold": True, "italic": True, "valign": "top"},
    "recipient": {"size": 11, "valign": "top", "text_wrap": True},
    "required": {"bg_color": "#FFF2CC"},
    "rule": {"size": 12, "bold": True, "align": "center", "valign": "bottom"},
    "key": {"size": 8, "font_color": "#808080"},
}


class Formats:
    """Lazily created xlsxwriter formats of one workbook, by name plus extra properties."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[tuple, Any] = {}

    def get(self, name: str, **extra: Any) -> Any:
        return self.by_key((name, tuple(sorted(extra.items()))))

    def by_key(self, key: tuple[str, tuple]) -> Any:
        """The format for a precomputed (name, sorted extra properties) key."""
        fmt = self.cache.get(key)
        if fmt is None:
            props = {"font_name": FONT, **FORMATS[key[0]], **dict(key[1])}
            fmt = self.cache[key] = self.workbook.add_format(props)
        return fmt


def text_lines(text: str, width: float, size: float = TABLE_SIZE, bold: bool = False,
               italic: bool = False) -> int:
    """How many lines a wrapped cell ``width`` columns wide needs, measured with the font's
    own advance widths and a few per cent to spare, so nothing is clipped.

    Excel stores no row height for wrapped text it has not laid out, and LibreOffice keeps a
    stored height, so the generator must size rows itself.
    """
    if not text:
        return 1
    room = (col_points(width) - CELL_PAD) * SAFETY
    return wrapped_lines(str(text), room, size, bold, italic)


LINE = 1.15  # a line of Times New Roman (Liberation Serif) is 1.15 × its size apart


def row_height(lines: int, size: float = TABLE_SIZE) -> float:
    """Points a row of ``lines`` wrapped lines needs: the lines and a little padding, no
    blank line (measured on LibreOffice's PDF: 12 pt lines print 13.3–13.8 pt apart)."""
    return math.ceil(lines * size * LINE + 4)


DOC_HELP = {
    "number": ("Số, ký hiệu", "Ghi số và ký hiệu của báo cáo sau «Số:», ví dụ: Số: 15/BC-MNTT "
               "(văn thư cấp số khi phát hành)."),
    "date": ("Ngày, tháng", "Ghi ngày và tháng ban hành báo cáo vào chỗ trống, ví dụ: "
             "Quận 8, ngày 05 tháng 3 năm 2023 (ngày dưới 10 và tháng 1, 2 ghi thêm số 0)."),
    "signer": ("Người ký", "Ghi họ và tên người ký báo cáo."),
}


def excel_text(text: str) -> str:
    """A string literal inside an Excel formula."""
    return '"' + text.replace('"', '""') + '"'


def attached_formula(number_ref: str, date_ref: str, head: str, tail: str) -> str:
    """The "(Kèm theo Báo cáo số … ngày … tháng … năm … của …)" line from the unit's Số
    and dated-line cells: the text after "Số:", and the dated line from "ngày" on."""
    number = f'TRIM(MID({number_ref},FIND(":",{number_ref}&":")+1,200))'
    day = f'IFERROR(MID({date_ref},FIND("ngày",{date_ref}),200),"")'
    return f"={excel_text(head)}&{number}&\" \"&{day}&{excel_text(tail)}"


def attached_value(number_line: str, date_line: str, head: str, tail: str) -> str:
    """What ``attached_formula`` computes, stored as the formula's cached result."""
    number = " ".join(number_line.split(":", 1)[-1].split())
    k = date_line.find("ngày")
    return f"{head}{number} {date_line[k:] if k >= 0 else ''}{tail}"


@dataclass(frozen=True)
class HeaderTexts:
    """What the page furniture says; differs per unit, so it is kept apart from the table."""

    superior: str
    issuer: str
    number_line: str
    date_line: str
    appendix_label: str  # "Phụ lục I" or "Phụ lục"
    title: str
    attached_line: str
    period_line: str  # "" for plan appendices
    notes: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str
    recipients: tuple[str, ...]
    # the unit's own document fields (Số/ký hiệu, the dated line, the signer's name):
    # "" printed as given; "input" this sheet holds them as input cells; "ref" this sheet
    # shows them by formula from ``doc_refs`` (field -> "'Sheet'!$A$4")
    doc_fields: str = ""
    doc_refs: tuple[tuple[str, str], ...] = ()
    attached_head: str = ""  # "(Kèm theo Báo cáo số " — the line follows the fields
    attached_tail: str = ""  # " của Trường …)"


def signer_lines(title: str) -> tuple[str, ...]:
    """The signature's title lines: "KT. HIỆU TRƯỞNG|PHÓ HIỆU TRƯỞNG" → two lines, capitals."""
    return tuple(p.strip().upper() for p in re.split(r"[|\n]", title) if p.strip())




# --- the page: column widths, the two header blocks, print scale --------------------------

PAGE = (595.28, 841.89)  # A4 in points
_FIXED_WIDTH = 6.0  # STT and one-letter columns keep their width when a table is fitted
_MIN_LEFT = 150.0  # points the left header block keeps for the issuing body's name
# a place name of this length still fits the dated line on one line ("Thành phố Sóc Trăng")
_PLACE_RESERVE = "Thành phố Sóc Trăng, ngày     tháng     năm 2026"


def printable(landscape: bool) -> tuple[float, float]:
    """Width and height in points inside the NĐ 30 margins."""
    w, h = (PAGE[1], PAGE[0]) if landscape else PAGE
    return (w - (MARGINS["left"] + MARGINS["right"]) * 72,
            h - (MARGINS["top"] + MARGINS["bottom"]) * 72)


@dataclass(frozen=True)
class SheetLayout:
    """A sheet's fitted columns, where the right header block starts, and the print scale.

    The table is fitted to the printable width, so the sheet prints at 100 % and every font
    prints at its nominal size (NĐ 30: 12–13 pt in tables, never below 12 pt for the Quốc
    hiệu). Only a table whose narrow columns alone are wider than the page prints smaller;
    its page furniture is then set larger by the same factor, so it still prints at size.
    """

    widths: tuple[float, ...]
    split: int
    scale: float  # print scale, 0.1–1.0
    landscape: bool

    def size(self, nominal: float) -> float:
        """The font size that prints at ``nominal`` points at this sheet's print scale."""
        return nominal if self.scale >= 1 else math.ceil(nominal / self.scale * 2) / 2


def _right_need(scale: float) -> float:
    """Points the right header block needs for the Quốc hiệu, the motto and the dated line."""
    s = 1 / scale
    return max(text_points(NATION, 12 * s, True), text_points(MOTTO, 13 * s, True),
               text_points(_PLACE_RESERVE, 13 * s, False, True)) / SAFETY + CELL_PAD


def fit_widths(widths: list[float] | tuple[float, ...], landscape: bool,
               keep: tuple[int, ...] = ()) -> SheetLayout:
    """Fit a table's columns to the printable width and place the two header blocks.

    Wide columns shrink in proportion (their text wraps into taller rows); the right block
    takes the last columns wide enough for "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in 12 pt bold,
    and when no column boundary gives both blocks room, width moves from the left block's
    wide columns to the right block's. Columns in ``keep`` (dates and numbers, which Excel
    cannot wrap) keep their width.
    """
    room = printable(landscape)[0] * 0.99
    w = [float(x) for x in widths]
    flex = [i for i, x in enumerate(w) if x > _FIXED_WIDTH and i not in keep]
    total = span_points(w)
    if total > room and flex:
        fixed = total - span_points([w[i] for i in flex])
        pad = col_points(1) - DIGIT_UNIT  # each column's own padding, in points
        k = (room - fixed - pad * len(flex)) / (DIGIT_UNIT * sum(w[i] for i in flex))
        k = max(k, 0.5)
        for i in flex:
            w[i] = math.floor(w[i] * k * 10) / 10
    scale = min(1.0, math.floor(room / span_points(w) * 100) / 100)
    need = _right_need(scale)
    n = len(w)
    if n < 2:
        return SheetLayout(tuple(w), 1, scale, landscape)
    total = span_points(w)
    fits = [s for s in range(1, n)
            if span_points(w[s:]) >= need and span_points(w[:s]) >= _MIN_LEFT / scale]
    if fits:
        split = min(fits, key=lambda s: abs(span_points(w[:s]) / total - 0.4))
        return SheetLayout(tuple(w), split, scale, landscape)
    # no boundary fits: take the split leaving the left block its room, widen the right one
    split = min([s for s in range(1, n) if span_points(w[:s]) >= _MIN_LEFT / scale] or [n - 1])
    deficit = (need - span_points(w[split:])) / DIGIT_UNIT
    givers = [i for i in range(split) if w[i] > _FIXED_WIDTH and i not in keep]
    spare = sum(w[i] - _FIXED_WIDTH for i in givers)
    takers = list(range(split, n))
    if deficit > 0 and spare > 0:
        take = min(deficit, spare)
        for i in givers:
            w[i] -= take * (w[i] - _FIXED_WIDTH) / spare
        for i in takers:
            w[i] += math.ceil(take / len(takers) * 10) / 10
        w = [round(x, 1) for x in w]
    return SheetLayout(tuple(w), split, scale, landscape)


DIGIT_UNIT = col_points(2) - col_points(1)  # points per unit of column width


def begin_sheet(ws: Worksheet, layout: SheetLayout) -> list[float]:
    """Set a sheet's fitted columns and remember the layout for the furniture and pages."""
    for i, w in enumerate(layout.widths):
        ws.set_column(i, i, w)
    ws.cchc_layout = layout
    return list(layout.widths)


def _layout(ws: Worksheet, widths: list[float]) -> SheetLayout:
    layout = getattr(ws, "cchc_layout", None)
    if layout is None:
        layout = fit_widths(widths, True)
        ws.cchc_layout = layout
    return layout


def _merge(ws: Worksheet, row: int, c0: int, c1: int, text: str, fmt: Any) -> None:
    if c1 > c0:
        ws.merge_range(row, c0, row, c1, text, fmt)
    else:
        ws.write_string(row, c0, text, fmt)


def _lines(text: str, widths: list[float] | tuple[float, ...], size: float,
           bold: bool = False, italic: bool = False) -> int:
    room = (span_points(widths) - CELL_PAD) * SAFETY
    return wrapped_lines(text, room, size, bold, italic) if text else 1


def _fits(text: str, widths: list[float] | tuple[float, ...], size: float, bold: bool = False,
          italic: bool = False) -> bool:
    return text_points(text, size, bold, italic) <= (span_points(widths) - CELL_PAD) * SAFETY


def _doc_cell(ws: Worksheet, fm: Formats, h: HeaderTexts, field: str, row: int, c0: int,
              c1: int, text: str, fmt_name: str, size: float,
              extra: dict[str, Any] | None = None) -> None:
    """One of the unit's document fields: printed text, an input cell (unlocked, with its
    input message and a marker in the hidden key column so the reader finds it wherever
    rows move), or a formula showing the input sheet's cell."""
    extra = dict(extra or {})
    if h.doc_fields == "input":
        fmt = fm.get(fmt_name, size=size, locked=False, **extra)
        _merge(ws, row, c0, c1, text, fmt)
        title, message = DOC_HELP[field]
        ws.data_validation(row, c0, row, c0, {"validate": "any", "input_title": title,
                                              "input_message": message})
        if not hasattr(ws, "cchc_doc"):
            ws.cchc_doc = {}
        ws.cchc_doc[field] = (row, c0)
        on_row = ";".join(f"{f}:{c}" for f, (r, c) in ws.cchc_doc.items() if r == row)
        ws.write_string(row, len(ws.cchc_layout.widths), DOC_MARK + on_row, fm.get("key"))
        return
    refs = dict(h.doc_refs)
    fmt = fm.get(fmt_name, size=size, **extra)
    if h.doc_fields == "ref" and field in refs:
        if c1 > c0:
            ws.merge_range(row, c0, row, c1, "", fmt)
        ws.write_formula(row, c0, f'=IF({refs[field]}="","",{refs[field]})', fmt, text)
        return
    _merge(ws, row, c0, c1, text, fmt)


def write_page_header(ws: Worksheet, fm: Formats, widths: list[float], h: HeaderTexts) -> int:
    """Write everything above the table; return the first free row.

    Lines that must stay on one line (Quốc hiệu, motto, Số, the dated line) are measured
    against their blocks; the dated line wraps only for a place name too long for any block.
    """
    lay = _layout(ws, widths)
    w = lay.widths
    last = len(w) - 1
    split = lay.split
    left, right = w[:split], w[split:]
    sz = lay.size
    r = 0
    # names too long for one line break between words at a reader's point (``break_name``)
    superior = break_name(h.superior.upper(), lambda s: _fits(s, left, sz(12)))
    issuer = break_name(h.issuer.upper(), lambda s: _fits(s, left, sz(12), True))
    _merge(ws, r, 0, split - 1, superior, fm.get("superior", size=sz(12)))
    _merge(ws, r, split, last, NATION, fm.get("nation", size=sz(12)))
    ws.set_row(r, row_height(_lines(superior, left, sz(12)), sz(12)))
    r += 1
    _merge(ws, r, 0, split - 1, issuer, fm.get("issuer", size=sz(12)))
    _merge(ws, r, split, last, MOTTO, fm.get("motto", size=sz(13)))
    iss_lines = _lines(issuer, left, sz(12), True)
    ws.set_row(r, max(row_height(iss_lines, sz(12)), row_height(1, sz(13))))
    # the short rule under the issuing body: 1/3–1/2 of its text line, centred
    r += 1
    widest = (max(text_points(line, sz(12), True) for line in issuer.split("\n"))
              if "\n" in issuer else text_points(issuer, sz(12), True) / iss_lines)
    longest = max(widest, text_points("_" * 8, sz(12)))
    rule = "_" * max(6, int(0.45 * longest / text_points("_", sz(12), True)))
    while not _fits(rule, left, sz(12), True) and len(rule) > 6:
        rule = rule[:-1]
    _merge(ws, r, 0, split - 1, rule, fm.get("rule", size=sz(12)))
    ws.set_row(r, math.ceil(9 * sz(12) / 12))
    r += 1
    _doc_cell(ws, fm, h, "number", r, 0, split - 1, h.number_line, "number", sz(13))
    one_line = _fits(h.date_line, right, sz(13), italic=True)
    _doc_cell(ws, fm, h, "date", r, split, last, h.date_line, "dateline", sz(13),
              {} if one_line else {"text_wrap": True})
    number_row = r
    ws.set_row(r, row_height(_lines(h.date_line, right, sz(13), italic=True), sz(13)))
    r += 1
    ws.set_row(r, row_height(1, sz(12)))
    r += 1
    _merge(ws, r, 0, last, h.appendix_label, fm.get("pl", size=sz(14)))
    ws.set_row(r, row_height(1, sz(14)))
    r += 1
    _merge(ws, r, 0, last, h.title, fm.get("title", size=sz(13)))
    ws.set_row(r, row_height(_lines(h.title, w, sz(13), True), sz(13)))
    r += 1
    for n, text in enumerate((h.attached_line, h.period_line)):
        if not text:
            continue
        fmt = fm.get("attached", size=sz(13))
        if n == 0 and h.doc_fields:
            # follows the Số and dated-line cells of this sheet (inputs or formulas)
            number_ref = xl_rowcol_to_cell(number_row, 0)
            date_ref = xl_rowcol_to_cell(number_row, split)
            text = attached_value(h.number_line, h.date_line, h.attached_head, h.attached_tail)
            ws.merge_range(r, 0, r, last, "", fmt)
            ws.write_formula(r, 0, attached_formula(number_ref, date_ref, h.attached_head,
                                                    h.attached_tail), fmt, text)
        else:
            _merge(ws, r, 0, last, text, fmt)
        ws.set_row(r, row_height(_lines(text, w, sz(13), italic=True), sz(13)))
        r += 1
    for note in h.notes:
        _merge(ws, r, 0, last, note, fm.get("note", size=sz(12)))
        ws.set_row(r, row_height(_lines(note, w, sz(12), italic=True), sz(12)))
        r += 1
    ws.set_row(r, row_height(1, sz(12)))
    return r + 1


def write_signature(ws: Worksheet, fm: Formats, widths: list[float], row: int,
                    h: HeaderTexts) -> int:
    """Nơi nhận on the left, the signer's title and name on the right; return next row.

    It is the sheet's signature block: the paginator keeps it whole, on one page with the
    table's last block.
    """
    lay = _layout(ws, widths)
    w = lay.widths
    last = len(w) - 1
    split = lay.split
    left, right = w[:split], w[split:]
    sz = lay.size
    ws.set_row(row, row_height(1, sz(12)))
    r = row + 1
    heights: dict[int, float] = {}
    _merge(ws, r, 0, split - 1, "Nơi nhận:", fm.get("recipients_title", size=sz(12)))
    heights[r] = row_height(1, sz(12))
    rr = r + 1
    for rec in recipient_lines(h.recipients):
        _merge(ws, rr, 0, split - 1, rec, fm.get("recipient", size=sz(11)))
        heights[rr] = row_height(_lines(rec, left, sz(11)), sz(11))
        rr += 1
    sr = r
    for line in h.signer_lines:
        _merge(ws, sr, split, last, line, fm.get("sig_title", size=sz(13)))
        heights[sr] = max(heights.get(sr, 0), row_height(_lines(line, right, sz(13), True),
                                                           sz(13)))
        sr += 1
    for blank in range(sr, sr + 4):  # room for the signature and the seal
        heights[blank] = max(heights.get(blank, 0), math.ceil(18 * sz(12) / 12))
    sr += 4
    _doc_cell(ws, fm, h, "signer", sr, split, last, h.signer_name, "sig_name", sz(13))
    heights[sr] = max(heights.get(sr, 0), row_height(1, sz(13)))
    for k, height in heights.items():
        ws.set_row(k, height)
    end = max(rr, sr + 1)
    describe(ws).signature = (row, end - 1)
    return end


def setup_page(ws: Worksheet, landscape: bool, header_first: int, header_last: int,
               end_row: int | None = None) -> None:
    """A4, NĐ 30 margins, repeated table header, page number from page 2, and the page
    breaks the paginator places over the sheet's blocks (``layout.sheet``: furniture, the
    repeated header, what the writer described, the signature), printed at the fitted
    scale: Excel ignores manual breaks under "fit to page"."""
    lay = getattr(ws, "cchc_layout", None)
    landscape = lay.landscape if lay else landscape
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.set_header(f'&C&"{FONT},Regular"&13&P', {"margin": 10 * MM})
    ws.set_start_page(1)  # each appendix is numbered on its own (NĐ 30, Phụ lục I, Mục III)
    ws.repeat_rows(header_first, header_last)
    ws.center_horizontally()
    if lay is None or end_row is None:
        ws.fit_to_pages(1, 0)
        return
    ws.set_print_scale(max(10, round(lay.scale * 100)))
    heights = getattr(ws, "cchc_heights", {})
    desc = describe(ws)

    def height(k: int) -> float:
        return heights.get(k, DEFAULT_ROW)

    def need(label: tuple) -> float:
        _, c0, _, c1, text, size, bold = label
        return row_height(text_lines(text, sum(lay.widths[c0:c1 + 1]), size, bold), size)

    blocks = sheet_blocks(desc, height, header_first, header_last, end_row)
    breaks = paginate(blocks, printable(landscape)[1] / lay.scale, sheet_labels(desc, need))
    ws.set_h_pagebreaks(breaks)
    split_merges(ws, breaks)  # a merge the breaks cut prints its label on each page


DEFAULT_ROW = 15.0  # points: xlsxwriter's default row height
