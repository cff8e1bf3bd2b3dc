"""Print setup shared by the scoring workbooks (self-assessment, appraisal, ranking).

Each sheet is laid out to print at 100 % on A4, as NĐ 30 sizes hold only there: its columns
are fitted to the printable width (``fit_widths``: wide text columns narrow and wrap,
numbers keep their width), the table header repeats on every page, and ``setup_page``
places the page breaks so the signature and Nơi nhận stay with the last table row. Every
appendix is signable: the number line carries the office's ký hiệu, the signer's title
comes from the office's profile or else from the kind of office (Phòng → TRƯỞNG PHÒNG),
and Nơi nhận lists only real recipients ("- Như trên;" needs a "Kính gửi" above, which
these appendices do not have).
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from cchc_xlsx.forms.layout.widths import balance_table
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    HeaderTexts,
    begin_sheet,
    fit_widths,
    setup_page,
    signer_lines,
)
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.model import Unit
from cchc_xlsx.plans.names import normal_case
from cchc_xlsx.plans.office_profile import date_line
from cchc_xlsx.plans.units import head_title

DOTS = "……"
BLANK_DAY = "ngày     tháng     năm"
# Times New Roman 12 as the workbook's default font: column widths are counted in its digit
# width, which ``fit_widths`` measures the page by (as forms and merging do)
# scores: up to two decimals as given, no trailing zeros or point ("12", "7,5"); the vi-VN
# locale tag makes LibreOffice print the decimal comma, as Word and the team's outputs do
POINTS = "[$-42A]General"
INTEGER = "[$-42A]#,##0"
WORKBOOK_OPTIONS = {"default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
                    "strings_to_formulas": False, "strings_to_urls": False}


def vi_points(x: float) -> str:
    """Points the Vietnamese way, as the workbooks print them: 87.63 → "87,63", 12.0 →
    "12", 7.5 → "7,5" (terminal output and text cells alike)."""
    return f"{round(x, 2):g}".replace(".", ",")


def fit_sheet(ws: Worksheet, widths: Sequence[float], landscape: bool,
              keep: tuple[int, ...] = ()) -> list[float]:
    """Fit the columns to the page at 100 % and return the widths rows are measured by."""
    return begin_sheet(ws, fit_widths(list(widths), landscape, keep))


def balanced_widths(widths: Sequence[float], landscape: bool, keep: tuple[int, ...],
                    headers: Sequence[str], rows: Sequence[Sequence[object]],
                    inputs: Sequence[int] = ()) -> list[float]:
    """Widths that print the table shortest, by the print stage's table balance (as the
    forms and the consolidated writers do): the columns are first fitted to the page, then
    width moves to the text columns where it saves the most lines (``inputs`` keep writing
    room; ``keep`` columns, numbers and dates, stay as given)."""
    base = fit_widths(list(widths), landscape, keep).widths
    return balance_table(base, headers, rows, keep, inputs)


def finish_sheet(ws: Worksheet, header_first: int, header_last: int, end: int,
                 columns: int) -> None:
    """Page setup at the fitted scale (100 % when the columns fit), the breaks, the area."""
    lay = ws.cchc_layout
    setup_page(ws, lay.landscape, header_first, header_last, end)
    ws.print_area(0, 0, end, columns - 1)


def _sentence(name: str) -> str:
    """A body named in running text: "PHÒNG GIÁO DỤC …" → "Phòng Giáo dục …"."""
    return normal_case(" ".join(name.split()))


def office_header(office: Office, year: int, label: str, title: str,
                  notes: Sequence[str] = ()) -> HeaderTexts:
    """The scoring office's page furniture, signable without a profile."""
    dated = date_line(office.place or DOTS, office.date, year)
    when = dated.split(", ", 1)[-1] if office.date else f"{BLANK_DAY} {year}"
    return HeaderTexts(
        superior=office.superior, issuer=office.name, number_line=office.number_line(),
        date_line=dated, appendix_label=label, title=title,
        attached_line=(f"(Kèm theo Báo cáo số {office.number_symbol()} {when} của "
                       f"{_sentence(office.name)})"),
        period_line="", notes=tuple(notes),
        signer_lines=signer_lines(office.signer_title or head_title(office.name)
                                  or "THỦ TRƯỞNG CƠ QUAN"),
        signer_name=office.signer_name, recipients=office.recipient_lines())


def unit_header(unit: Unit, year: int, label: str, title: str,
                notes: Sequence[str] = ()) -> HeaderTexts:
    """A unit's own page furniture (its self-assessment): its ký hiệu is left for its văn
    thư, its head's title from the unit list or from the kind of unit."""
    number = f"     /BC-{DOTS}"
    recipient = _sentence(unit.recipient) if unit.recipient else ""
    return HeaderTexts(
        superior=unit.superior, issuer=unit.name, number_line=f"Số: {number}",
        date_line=f"{unit.place or DOTS}, {BLANK_DAY} {year}",
        appendix_label=label, title=title,
        attached_line=f"(Kèm theo Báo cáo số {number.strip()} {BLANK_DAY} {year} của "
                      f"{_sentence(unit.name)})",
        period_line="", notes=tuple(notes),
        signer_lines=signer_lines(unit.signer_title or head_title(unit.name)
                                  or "THỦ TRƯỞNG ĐƠN VỊ"),
        signer_name=unit.signer_name,
        recipients=tuple(x for x in (f"- {recipient};" if recipient else "", "- Lưu: VT.")
                         if x))
