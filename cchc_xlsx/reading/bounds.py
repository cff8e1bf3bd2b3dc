"""Bound a worksheet's grid before a reader allocates it, and drop stray far cells.

python-calamine turns every sheet into a dense grid from A1 (or the first cell) to the last
cell. One value typed at XFD1048576 (a stray keystroke after Ctrl+End) makes that grid
16,384 × 1,048,576 cells: calamine asks for hundreds of GB and the process aborts. The file
guard flags the worksheet parts where a cell may lie far away (``Inspection.far_parts``);
here those parts, and only those, are parsed precisely (every ``<row>`` and ``<c>`` with
its position, implicit ones counted as calamine counts them). When the grid would exceed
``MAX_SHEET_CELLS``, the cells beyond the widest gaps (the stray ones) are dropped from an
in-memory copy of the workbook, which is what the reader then opens; the caller warns with
each dropped cell named. What remains too large after that makes the file unusable.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

from cchc_xlsx.reading.file_guard import UnusableFile

MAX_SHEET_CELLS = 2_000_000  # rows × columns of one sheet's grid (a 10,000-unit merge: ~1M)
MAX_STRAY_ROUNDS = 12
MIN_GAP = (100, 20)  # empty rows, columns: only a gap this wide sets cells apart as stray
MAX_COLS = 16_384
MAX_ROWS = 1_048_576

_ITEM = re.compile(
    rb"<(?P<p>[\w.-]+:)?(?:(?P<row>row)\b(?P<ra>[^>]*?)(?P<rclose>/?)>"
    rb"|c\b(?P<ca>[^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?c>))",
    re.DOTALL)
_SHEET_DATA = re.compile(rb"<(?P<p>[\w.-]+:)?sheetData\b[^>]*?(?P<empty>/?)>")
_R_ATTR = re.compile(rb"""(?<![\w:])r\s*=\s*["']([^"']*)["']""")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def col_name(col: int) -> str:
    """Column letters of a 0-based column index ("A", "Z", "AA", …, "XFD"). Written here
    rather than taken from xlsxwriter.utility: reading a return must not import a whole
    workbook writer (it showed in every command's start-up)."""
    name = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name



@dataclass
class Trimmed:
    """A workbook opened from a cleaned copy, and the stray cells left out (sheet, cell)."""

    data: bytes | None = None  # the cleaned copy; None when nothing needed cleaning
    dropped: list[tuple[str, str]] = field(default_factory=list)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _positions(xml: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """(start, end) of <sheetData>'s content and every cell as (row, col, start, end),
    0-based, positions as calamine counts them (a missing ``r`` follows the previous one)."""
    m = _SHEET_DATA.search(xml)
    if not m or m.group("empty"):
        return 0, 0, []
    start = m.end()
    end = xml.find(b"sheetData>", start)
    end = len(xml) if end < 0 else xml.rfind(b"<", start, end)
    cells: list[tuple[int, int, int, int]] = []
    row, col = -1, -1
    for item in _ITEM.finditer(xml, start, end):
        if item.group("row"):
            ref = _R_ATTR.search(item.group("ra"))
            row = int(ref.group(1)) - 1 if ref and ref.group(1).isdigit() else row + 1
            col = -1
            continue
        ref = _R_ATTR.search(item.group("ca"))
        parsed = _REF.match(ref.group(1).decode("ascii", "replace")) if ref else None
        if parsed:
            row, col = int(parsed.group(2)) - 1, _col_number(parsed.group(1)) - 1
        else:
            row, col = max(row, 0), col + 1
        cells.append((row, col, item.start(), item.end()))
    return start, end, cells


def _cut(values: list[int], min_gap: int) -> int | None:
    """The last value before the widest gap in sorted distinct ``values``, if it is wide."""
    distinct = sorted(set(values))
    if len(distinct) < 2:
        return None
    gap, at = max((b - a, a) for a, b in zip(distinct, distinct[1:], strict=False))
    return at if gap > min_gap else None


def _keep(cells: list[tuple[int, int, int, int]]) -> tuple[list[int], bool]:
    """Indexes of the cells of the real table area; False when even that is too large."""
    kept = list(range(len(cells)))
    for _ in range(MAX_STRAY_ROUNDS):
        rows = [cells[i][0] for i in kept]
        cols = [cells[i][1] for i in kept]
        if not kept:
            return kept, True
        height = max(rows) - min(min(rows), 0) + 1
        width = max(cols) - min(min(cols), 0) + 1
        if height * width <= MAX_SHEET_CELLS and max(rows) < MAX_ROWS and max(cols) < MAX_COLS:
            return kept, True
        row_cut, col_cut = _cut(rows, MIN_GAP[0]), _cut(cols, MIN_GAP[1])
        # cut where it shrinks the grid most
        by_rows = (row_cut + 1) * width if row_cut is not None else None
        by_cols = height * (col_cut + 1) if col_cut is not None else None
        if by_rows is None and by_cols is None:
            return kept, False
        if by_cols is None or (by_rows is not None and by_rows <= by_cols):
            kept = [i for i in kept if cells[i][0] <= row_cut]  # type: ignore[operator]
        else:
            kept = [i for i in kept if cells[i][1] <= col_cut]  # type: ignore[operator]
    return kept, False


def _rebuilt(xml: bytes, start: int, end: int, cells: list[tuple[int, int, int, int]],
             kept: list[int]) -> bytes:
    """The part with <sheetData> rewritten: the kept cells only, each with its reference."""
    prefix = (_SHEET_DATA.search(xml).group("p") or b"")  # type: ignore[union-attr]
    by_row: dict[int, list[bytes]] = {}
    for i in kept:
        row, col, a, b = cells[i]
        element = xml[a:b]
        head_end = element.find(b">")
        head = element[:head_end]
        ref = f"{col_name(col)}{row + 1}".encode("ascii")
        if _R_ATTR.search(head):
            head = _R_ATTR.sub(b'r="' + ref + b'"', head, count=1)
        else:
            name_end = head.find(b"c") + 1
            head = head[:name_end] + b' r="' + ref + b'"' + head[name_end:]
        by_row.setdefault(row, []).append(head + element[head_end:])
    out = [xml[:start]]
    for row in sorted(by_row):
        out.append(b"<" + prefix + b'row r="' + str(row + 1).encode() + b'">')
        out.extend(by_row[row])
        out.append(b"</" + prefix + b"row>")
    out.append(xml[end:])
    return b"".join(out)


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's name as the user sees it."""
    try:
        return _sheet_names_of(z.read("xl/workbook.xml"), z.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}


def _sheet_names_of(book_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """``_sheet_names`` from the two parts' bytes (as the file guard already inflated them)."""
    if len(book_xml) + len(rels_xml) > 1 << 16:  # a template's are a few kB: keep no more
        return _read_sheet_names(book_xml, rels_xml)
    return dict(_sheet_names_kept(book_xml, rels_xml))


@functools.lru_cache(maxsize=8)
def _sheet_names_kept(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """``_sheet_names_of``'s reading, kept by the parts' content: returns made from one
    template carry the same two parts byte for byte, so most files skip the regexes."""
    return tuple(_read_sheet_names(book_xml, rels_xml).items())


def _read_sheet_names(book_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    book = book_xml.decode("utf-8", "replace")
    rels = rels_xml.decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]*)"', m.group(0))
        target = re.search(r'\bTarget="([^"]*)"', m.group(0))
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    names = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name = re.search(r'\bname="([^"]*)"', m.group(0))
        rid = re.search(r'\br:id="([^"]*)"', m.group(0)) or re.search(r'\bid="([^"]*)"',
                                                                     m.group(0))
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)]] = unescape(name.group(1))
    return names


def trim(path: str | Path, far_parts: tuple[str, ...]) -> Trimmed:
    """Look precisely at ``far_parts`` (flagged by the guard); return a cleaned copy when a
    grid would be too large, naming the dropped cells; raise ``UnusableFile`` when even the
    real table area is too large."""
    if not far_parts:
        return Trimmed()
    changed: dict[str, bytes] = {}
    dropped: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as z:
        names = _sheet_names(z)
        for part in far_parts:
            xml = z.read(part)  # the guard has checked its size and its CRC
            start, end, cells = _positions(xml)
            kept, ok = _keep(cells)
            sheet = names.get(part, part)
            if not ok:
                raise UnusableFile(
                    f"Tệp «{path}» có trang tính «{sheet}» với bảng dữ liệu quá lớn (vượt"
                    f" {MAX_SHEET_CELLS:,} ô), không thể là một biểu mẫu CCHC; hãy xóa dữ liệu"
                    " thừa, lưu lại dạng .xlsx rồi gửi lại.".replace(",", "."), "too_large")
            if len(kept) == len(cells):
                continue
            keep = set(kept)
            dropped += [(sheet, col_name(c[1]) + str(c[0] + 1))
                        for i, c in enumerate(cells) if i not in keep]
            changed[part] = _rebuilt(xml, start, end, cells, kept)
        if not changed:
            return Trimmed()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info in z.infolist():
                out.writestr(info.filename, changed.get(info.filename) or z.read(info))
    return Trimmed(buffer.getvalue(), dropped)


# --- how much a return can hold (issue 17) ----------------------------------------------
#
# A return is the office's template filled in: the form's rows (the template's, recorded in
# its hidden identity as each sheet's last row) plus rows a unit inserts for work of its
# own. A unit inserts a handful, a large one a few dozen; so a sheet may hold up to twice its
# template's rows or 500 more, whichever is larger, across the form's columns plus a margin
# of 10 for notes typed beside the table. Cells with a value are counted (empty formatted
# rows that LibreOffice or Excel write cost nothing and do not count), by streaming the
# worksheet part before any grid is built: a file past that bound (the audit's: 8,000 rows
# × 26 long texts under a 70-row template, 190 MB of XML, 25 s and 1 GB to read) is refused
# in a fraction of a second with one sentence. Files without identity keep the bounds above.

MIN_INSERTED_ROWS = 500
EXTRA_COLUMNS = 10
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)>")
_CHUNK = 1 << 20


def _value_cells(z: zipfile.ZipFile, part: str) -> int:
    """Cells holding a value (``<v>`` or inline ``<is>``) in one worksheet part, streamed."""
    count, tail = 0, b""
    with z.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            count += sum(1 for m in _VALUE.finditer(buf) if m.end() > len(tail))
            tail = buf[-64:]
    return count


def return_bounds(book, catalog, sheet: str = "_cchc",
                  rows: list[list[Any]] | None = None) -> dict[str, tuple[int, int]]:
    """Sheet name -> (template rows, most value cells a return can hold), from the hidden
    identity of an opened calamine ``book`` (empty without one). ``rows``: that sheet's
    ``to_python()`` when the caller already has it (the sheet is then not parsed again)."""
    if sheet not in book.sheet_names:
        return {}
    out: dict[str, tuple[int, int]] = {}
    if rows is None:
        rows = book.get_sheet_by_name(sheet).to_python()
    for row in rows[1:]:
        if len(row) < 8 or row[0] != "sheet":
            continue
        spec = catalog.forms.get(str(row[1]))
        try:
            last = int(float(row[7]))
        except (TypeError, ValueError):
            continue
        if spec is None or last <= 0:
            continue
        rows_most = last + max(last, MIN_INSERTED_ROWS)
        out[str(row[3])] = (last, rows_most * (len(spec.columns) + EXTRA_COLUMNS))
    return out


def check_return_size(path: str | Path, book, catalog, inspection: Any = None,
                      identity_rows: list[list[Any]] | None = None) -> None:
    """Refuse (``UnusableFile``, one sentence naming the file and the sheet) a return whose
    form sheet holds far more than any return of its form can; see the note above.

    ``inspection``: the file guard's ``Inspection`` of this file, whose one inflate already
    bounded the worksheet parts' value cells (by their count of ``<``) and kept
    ``xl/workbook.xml`` and its rels: a part within its limit by that bound is not inflated
    a second time; one above it is counted here exactly, as before, so the outcome and the
    message are the same. ``identity_rows``: see ``return_bounds``."""
    limits = return_bounds(book, catalog, rows=identity_rows)
    if not limits:
        return
    counted = getattr(inspection, "cell_bounds", None)
    kept = getattr(inspection, "book_parts", None)
    if counted is None or kept is None:
        if not zipfile.is_zipfile(path):  # .xls: calamine's own bounds apply
            return
        with zipfile.ZipFile(path) as z:  # .ods has no such parts: nothing is counted
            _check_counts(path, limits, _sheet_names(z), set(), z)
        return
    if all(part in kept for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")):
        names = _sheet_names_of(kept["xl/workbook.xml"], kept["xl/_rels/workbook.xml.rels"])
    else:
        names = {}
    # a part with no more "<" than its limit cannot hold more value cells than that
    within = {part for part, name in names.items()
              if name in limits and counted.get(part, limits[name][1] + 1) <= limits[name][1]}
    if all(part in within for part, name in names.items() if name in limits):
        return
    with zipfile.ZipFile(path) as z:  # count the others exactly, as without the guard's bound
        _check_counts(path, limits, names, within, z)


def _check_counts(path: str | Path, limits: dict[str, tuple[int, int]], names: dict[str, str],
                  within: set[str], z: zipfile.ZipFile) -> None:
    """Count the value cells of each limited part of ``names`` but those ``within`` their
    limit already; raise for the first one above its limit."""
    members = set(z.namelist())
    for part, name in names.items():
        if name not in limits or part in within or part not in members:
            continue
        found = _value_cells(z, part)
        template_rows, most = limits[name]
        if found > most:
            def n(x: int) -> str:
                return f"{x:,}".replace(",", ".")  # Vietnamese digit grouping

            raise UnusableFile(
                f"Tệp «{path}» có trang tính «{name}» chứa {n(found)} ô có dữ liệu, nhiều"
                f" hơn hẳn mọi báo cáo theo biểu mẫu này (mẫu có {n(template_rows)} dòng,"
                f" tối đa {n(most)} ô kể cả dòng chèn thêm); hãy xóa các dòng thừa bên"
                " dưới bảng, lưu lại dạng .xlsx rồi gửi lại.",
                "too_large")


__all__ = ["EXTRA_COLUMNS", "MAX_SHEET_CELLS", "MIN_INSERTED_ROWS", "Trimmed",
           "check_return_size", "return_bounds", "trim"]
