"""Read a returned workbook into tidy rows with a map back to its cells.

Files come back re-saved by Excel, LibreOffice or WPS, with sheets renamed or reordered and
rows inserted, deleted or sorted. So sheets are found by the hidden key-column header, not
by name; columns by the (1)…(n) row or the header text, not by position; rows by their
hidden key, not by place. A file without identity (an old copy, a table typed by hand) is
read by finding the header row from its text, with a warning. Values are read with
python-calamine (fast, values only); nothing here evaluates or trusts formulas: derived
cells are recomputed downstream.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.identity import (
    CHUNKED,
    DOC_MARK,
    KEY_HEADER_PREFIX,
    MAGIC,
    SHEET,
    decode_rows,
    parse_key_header,
)
from cchc_xlsx.forms.specs import Catalog, FormSpec
from cchc_xlsx.reading.bounds import check_return_size, col_name, trim
from cchc_xlsx.reading.file_guard import UnusableFile, inspect_workbook
from cchc_xlsx.reading.normalize import fold

_col_name = functools.lru_cache(maxsize=4096)(col_name)  # the same few letters, every file

HEADER_SCAN_ROWS = 60
MAX_TEXT = 32_767  # Excel's own limit for one cell; anything longer is cut there
MAX_DROPPED_SHOWN = 20
_COLNUM = re.compile(r"^\((\d{1,2})\)$")


@dataclass
class Row:
    """One data row: its key, where it is, its raw values by column key."""

    key: str
    excel_row: int  # 1-based
    values: dict[str, Any]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class TableColumns:
    """A table's data rows held by column: the checks read a column at a time, and a
    dict per row cost the reading worker more than the rest of the walk."""

    keys: list[str]
    excel_rows: list[int]  # 1-based
    attrs: list[dict[str, str]]
    values: dict[str, list[Any]]  # column key -> the raw values, row by row

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class FormTable:
    form_id: str
    version: int
    sheet: str
    col_letters: dict[str, str]  # column key -> "E"
    columns: TableColumns
    identified: bool = True  # False when found by header text only
    extra_rows: list[int] = field(default_factory=list)  # rows with data but no key

    @property
    def rows(self) -> list[Row]:
        """The rows as ``Row`` objects, built on first use for the callers that walk rows
        (merge, continuity, the web form); built once, so edits to them stay."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            data = self.columns
            names = list(data.values)
            cols = list(data.values.values())
            rows = self.__dict__["_rows"] = [
                Row(key, excel_row, dict(zip(names, vals, strict=True)), attrs)
                for key, excel_row, attrs, *vals in zip(data.keys, data.excel_rows,
                                                        data.attrs, *cols, strict=True)]
        return rows

    def cell(self, row: Row, column: str) -> str:
        return f"{self.col_letters.get(column, 'A')}{row.excel_row}"


@dataclass(frozen=True)
class DocField:
    """One of the unit's document fields (Số/ký hiệu, the dated line, the signer's name):
    the text as typed, the value read from it ("" when left as the blank template) and
    where it is."""

    text: str
    value: str
    sheet: str
    cell: str


_DAY_MONTH = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})", re.IGNORECASE)


def doc_value(field_name: str, text: str) -> str:
    """"Số: 15/BC-MNTT" → "15/BC-MNTT"; "Quận 8, ngày 05 tháng 3 năm 2023" → "05/3";
    the blank template ("Số:      /BC-……", "ngày     tháng") reads as ""."""
    text = " ".join(text.split())
    if field_name == "number":
        number = text.split(":", 1)[-1].strip()
        head = number.split("/", 1)[0]
        return number if head.strip() and "…" not in number else ""
    if field_name == "date":
        m = _DAY_MONTH.search(text)
        return f"{m.group(1)}/{m.group(2)}" if m else ""
    return text


@dataclass
class Workbook:
    path: str
    fmt: str  # xlsx | xlsm | ods | xls
    identity: dict[str, Any]  # key -> value from the identity sheet; {} when missing
    tables: dict[str, FormTable]
    stray: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell) left unread
    long_texts: list[tuple[str, str, int]] = field(default_factory=list)  # (sheet, cell, len)
    doc_fields: dict[str, DocField] = field(default_factory=dict)
    #: SHA-256 of the file's bytes when the guard read them whole (else ""), so the batch
    #: check records it without reading the file a second time
    sha256: str = field(default="", compare=False, repr=False)

    @property
    def has_identity(self) -> bool:
        return bool(self.identity)


def cell_text(value: Any) -> str:
    """A cell value as the text a person sees ("12" for 12.0), stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_book(path: str | Path):
    """Check the file, then open it with calamine; unusable files raise ``UnusableFile``.

    Returns (format, calamine workbook, stray cells left out of a too-large sheet)."""
    inspected, book, stray = _open_inspected(path)
    return inspected.fmt, book, stray


def _open_inspected(path: str | Path):
    """``open_book``, returning the guard's whole ``Inspection`` instead of the format."""
    import python_calamine as pc

    inspected = inspect_workbook(path, repack=True)
    trimmed = trim(path, inspected.far_parts)
    try:
        if inspected.data is not None:  # the parts the guard checked, inflated once
            import io

            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(inspected.data))
        elif trimmed.data is not None:
            import io

            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(trimmed.data))
        else:
            book = pc.CalamineWorkbook.from_path(str(path))
        return inspected, book, trimmed.dropped
    except pc.PasswordError:
        raise UnusableFile(f"Tệp «{path}» có đặt mật khẩu; hãy mở bằng Excel, bỏ mật khẩu rồi "
                           "lưu và gửi lại.", "encrypted") from None
    except Exception:  # noqa: BLE001 - any parse failure is the file's, told in one sentence
        raise UnusableFile(f"Không đọc được tệp «{path}» (tệp hỏng hoặc không đúng định dạng); "
                           "hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
                           "corrupt") from None


def _grid(book, name: str) -> tuple[list[list[Any]], int, int]:
    """Values of a sheet and the 0-based (row, col) of its first cell."""
    sheet = book.get_sheet_by_name(name)
    start = sheet.start or (0, 0)
    return sheet.to_python(skip_empty_area=False), start[0], start[1]


def read_identity(book, rows: list[list[Any]] | None = None) -> dict[str, Any]:
    """The hidden identity sheet's content; ``rows``: its ``to_python(skip_empty_area=False)``
    when the caller already parsed it."""
    names = book.sheet_names
    if SHEET not in names:
        return {}
    if rows is None:
        rows, _, _ = _grid(book, SHEET)
    if not rows or cell_text(rows[0][0]) != MAGIC:
        return {}
    ident: dict[str, Any] = {"sheets": [], "rows": {}}
    chunks: dict[str, dict[int, str]] = {}
    for row in rows[1:]:
        if not row:
            continue
        tag = cell_text(row[0])
        if tag in CHUNKED and len(row) >= 3:
            chunks.setdefault(tag, {})[int(float(row[1]))] = str(row[2])
        elif tag == "sheet":
            ident["sheets"].append([cell_text(v) for v in row[1:4]])
        elif tag == "rows" and len(row) >= 3:
            form_id = cell_text(row[1])
            for key, attrs in decode_rows(row[2]):
                ident["rows"][(form_id, key)] = attrs
        elif tag:
            ident[tag] = cell_text(row[1]) if len(row) > 1 else ""
    for tag, parts in chunks.items():
        ident[tag] = "".join(parts[i] for i in sorted(parts))
    return ident


def _find_key_header(rows: list[list[Any]]) -> tuple[int, int, str, int] | None:
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        try:  # a row of text only (the rows above a table are) is searched at once
            if KEY_HEADER_PREFIX not in "\x00".join(row):
                continue
        except TypeError:  # a number or a date in the row: cell by cell
            pass
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("cchc:"):
                parsed = parse_key_header(value)
                if parsed:
                    return r, c, parsed[0], parsed[1]
    return None


@functools.lru_cache(maxsize=256)
def _numbered(row: tuple[Any, ...]) -> dict[int, int]:
    """The (1)…(n) row's numbers -> their column index, kept: a form's row is the same in
    every return of it (only text can match, so equal rows read alike). Read only."""
    nums = {}
    for c, v in enumerate(row):
        m = _COLNUM.match(cell_text(v))
        if m:
            nums[int(m.group(1))] = c
    return nums


def _map_columns(spec: FormSpec, rows: list[list[Any]], header_row: int,
                 ncols: int) -> tuple[dict[str, int], int]:
    """Column key -> index, and the first data row (after a (1)…(n) row if any).

    The (1)…(n) row is the sturdiest clue; then header text; then position.
    """
    after = header_row + 1
    if after < len(rows):
        row = rows[after]
        # kept only for a row of a form's width (no file's made-up row stays in memory)
        nums = _numbered(tuple(row)) if len(row) <= 64 and max(
            map(len, compress(row, map(is_, map(type, row), repeat(str)))), default=0) <= 200 \
            else _numbered.__wrapped__(row)
        if len(nums) >= max(2, len(spec.columns) // 2):
            mapping = {col.key: nums.get(i + 1, i) for i, col in enumerate(spec.columns)}
            return mapping, after + 1
    wanted = {fold(col.header): col.key for col in spec.columns}
    mapping: dict[str, int] = {}
    top = max(0, header_row - len(spec.header) + 1)
    for r in range(top, header_row + 1):
        for c, v in enumerate(rows[r][:ncols + 8]):
            key = wanted.get(fold(cell_text(v)))
            if key and key not in mapping:
                mapping[key] = c
    if len(mapping) < len(spec.columns) // 2:
        mapping = {}
    for i, col in enumerate(spec.columns):
        mapping.setdefault(col.key, i)
    return mapping, after


def _table(spec: FormSpec, rows: list[list[Any]], r0: int, c0: int, header_row: int,
           key_col: int, attrs: dict[tuple[str, str], dict[str, str]], sheet: str,
           identified: bool) -> FormTable:
    mapping, first = _map_columns(spec, rows, header_row, len(spec.columns))
    if not identified:
        first = header_row + 1
    letters = {k: _col_name(c + c0) for k, c in mapping.items()}
    input_cols = [c.key for c in spec.columns if c.input or c.formula]
    # only what is typed or computed travels on: the printed plan texts are the plan's
    wanted = [(k, mapping[k]) for k in input_cols]
    extra: list[int] = []
    body = rows[first:]
    if body and min(map(len, body)) > key_col:  # calamine's grids are rectangular
        marks = [row[key_col] for row in body]
    else:
        marks = [row[key_col] if key_col < len(row) else "" for row in body]
    # cell_text's answer: a key is text (stripped) or, typed over, anything else
    keys = [mark.strip() if type(mark) is str else cell_text(mark) for mark in marks]
    last_keyed = len(keys) - 1  # the last keyed row (what follows is the signature)
    while last_keyed >= 0 and (not keys[last_keyed] or keys[last_keyed].startswith(DOC_MARK)):
        last_keyed -= 1
    taken: list[list[Any]] = []  # the keyed rows, in order
    out_keys: list[str] = []
    excel_rows: list[int] = []
    base = first + r0 + 1
    for i in range(last_keyed + 1):
        key = keys[i]
        if key.startswith(DOC_MARK):  # a document field's row is read as keyless
            key = ""
        elif key == "total" or key.startswith("grp:"):
            continue
        row = body[i]
        if not key:
            n = len(row)
            if any(cell_text(row[c] if c < n else None) for _, c in wanted):
                extra.append(i + base)
            continue
        taken.append(row)
        out_keys.append(key)
        excel_rows.append(i + base)
    values: dict[str, list[Any]] = {}
    if taken and wanted and min(map(len, taken)) > max(c for _, c in wanted):
        for k, c in wanted:  # calamine's grids are rectangular: the common case
            values[k] = [row[c] for row in taken]
    else:
        for k, c in wanted:
            values[k] = [row[c] if c < len(row) else None for row in taken]
    form_id = spec.id
    row_attrs = [{} if (a := attrs.get((form_id, key))) is None else a for key in out_keys]
    return FormTable(spec.id, spec.version, sheet, letters,
                     TableColumns(out_keys, excel_rows, row_attrs, values), identified, extra)


def _doc_fields(rows: list[list[Any]], r0: int, c0: int, key_col: int,
                sheet: str) -> dict[str, DocField]:
    """The unit's document fields, found by their "doc:field:col" markers in the hidden key
    column (so inserted or deleted rows above the signature do not lose them)."""
    out = {}
    # only text holding the mark can start with it once stripped
    found = [r for r, value in enumerate([row[key_col] if key_col < len(row) else None
                                          for row in rows])
             if type(value) is str and DOC_MARK in value]
    for r in found:
        row = rows[r]
        mark = row[key_col].strip()
        if not mark.startswith(DOC_MARK):
            continue
        for part in mark[len(DOC_MARK):].split(";"):
            name, _, col = part.partition(":")
            if not name or not col.isdigit():
                continue
            c = int(col)
            text = cell_text(row[c]) if c < len(row) else ""
            out[name] = DocField(text, doc_value(name, text), sheet,
                                 f"{_col_name(c + c0)}{r + r0 + 1}")
    return out


def _guess_table(spec: FormSpec, rows: list[list[Any]]) -> int | None:
    """Find a form's header row by its (folded) text, for files without identity."""
    wanted = [fold(c.header) for c in spec.columns]
    best: tuple[int, int] | None = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = {fold(cell_text(v)) for v in row}
        hits = sum(1 for w in wanted if w in texts)
        if hits >= max(3, int(len(wanted) * 0.6)) and (best is None or hits > best[1]):
            best = (r, hits)
    return best[0] if best else None


def _stt_key(spec: FormSpec, stt: str) -> str:
    prefix = {"tasks": "task", "indicators": "ind", "procedures": "tthc", "roadmap": "road"}
    return f"{prefix[spec.rows]}:{stt}" if stt else ""


def read_workbook(path: str | Path, catalog: Catalog) -> Workbook:
    """Read every form table of one returned workbook; raise ``UnusableFile`` if unusable."""
    inspected, book, stray = _open_inspected(path)
    fmt = inspected.fmt
    try:
        # the identity sheet is parsed once, for the identity and for the size bound
        ident_sheet = book.get_sheet_by_name(SHEET) if SHEET in book.sheet_names else None
        ident_rows = bound_rows = None
        if ident_sheet is not None:
            ident_rows = ident_sheet.to_python(skip_empty_area=False)
            # a sheet starting at A1 (as every written identity does) reads the same with
            # or without its empty area: no second parse for the size bound
            bound_rows = ident_rows if (ident_sheet.start or (0, 0)) == (0, 0) else \
                ident_sheet.to_python()
        identity = read_identity(book, ident_rows)
        if str(identity.get("plan_id", "")).startswith("scoring|"):  # issue 10's workbooks
            raise UnusableFile(
                f"Tệp «{path}» là bảng chấm điểm CCHC, không phải báo cáo theo kế hoạch; hãy "
                "kiểm tra bằng «cchc-xlsx criteria validate --criteria …» và tổng hợp bằng "
                "«cchc-xlsx criteria merge».", "scoring_workbook")
        if identity.get("kind") in ("unit_plan", "unit_plan_consolidation"):  # issue 20's
            raise UnusableFile(
                f"Tệp «{path}» là kế hoạch của đơn vị (hoặc bản tổng hợp các kế hoạch), không "
                "phải báo cáo; hãy kiểm tra bằng "
                "«cchc-xlsx unit-plan validate --plan …» và tổng hợp bằng «cchc-xlsx "
                "unit-plan merge».", "unit_plan_workbook")
        check_return_size(  # before any grid: a return's size is bounded
            path, book, catalog, inspected, bound_rows)
        attrs = identity.get("rows", {}) if identity else {}
        tables: dict[str, FormTable] = {}
        docs: dict[str, DocField] = {}
        visible = [m.name for m in book.sheets_metadata if m.name != SHEET]
        grids = {}
        for name in visible:
            rows, r0, c0 = _grid(book, name)
            grids[name] = (rows, r0, c0)
            found = _find_key_header(rows)
            if not found:
                continue
            hr, kc, form_id, version = found
            spec = catalog.forms.get(form_id)
            if spec is None or form_id in tables:
                continue
            table = _table(spec, rows, r0, c0, hr, kc, attrs, name, True)
            table.version = version
            tables[form_id] = table
            docs.update(_doc_fields(rows, r0, c0, kc, name))
        if not tables:
            tables = _read_without_identity(catalog, grids)
        return Workbook(str(path), fmt, identity, tables, stray, _cut_long_texts(tables), docs,
                        inspected.sha256 or "")
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - a malformed sheet is the file's problem, not a crash
        raise UnusableFile(f"Không đọc được nội dung tệp «{path}»; hãy mở bằng Excel, lưu lại "
                           "dạng .xlsx rồi gửi lại.", "corrupt") from None
    finally:
        book.close()


def _cut_long_texts(tables: dict[str, FormTable]) -> list[tuple[str, str, int]]:
    """Cut a text past Excel's own cell limit there (only a made-up file has one), so no
    check downstream works on megabytes; say where."""
    found = []
    for table in tables.values():
        data = table.columns
        longs = {}  # column key -> its long texts' row indexes
        for key, values in data.values.items():
            # the longest text of the column, found without a Python step per cell
            texts = compress(values, map(is_, map(type, values), repeat(str)))
            if max(map(len, texts), default=0) <= MAX_TEXT:
                continue
            longs[key] = [i for i, value in enumerate(values)
                          if type(value) is str and len(value) > MAX_TEXT]
        if not longs:
            continue
        letters = table.col_letters
        # told row by row, each row's cells in column order, as they always were
        order = list(data.values)
        for i, key in sorted(((i, key) for key, at in longs.items() for i in at),
                             key=lambda p: (p[0], order.index(p[1]))):
            value = data.values[key][i]
            found.append((table.sheet, f"{letters.get(key, 'A')}{data.excel_rows[i]}",
                          len(value)))
            data.values[key][i] = value[:MAX_TEXT]
    return found


def _read_without_identity(catalog: Catalog, grids: dict) -> dict[str, FormTable]:
    """Old copies and hand-typed tables: match header text, key rows by their STT."""
    tables: dict[str, FormTable] = {}
    for spec in catalog.forms.values():
        if spec.kind != "report":
            continue
        for name, (rows, r0, c0) in grids.items():
            header_row = _guess_table(spec, rows)
            if header_row is None:
                continue
            mapping, first = _map_columns(spec, rows, header_row, len(spec.columns))
            stt_col = mapping.get("stt", 0)
            keyed = [list(r) for r in rows]
            width = max((len(r) for r in keyed), default=0)
            for r in range(first, len(keyed)):
                row = keyed[r] + [None] * (width + 1 - len(keyed[r]))
                stt = cell_text(row[stt_col]) if stt_col < len(row) else ""
                if spec.rows == "procedures":
                    stt = cell_text(row[mapping.get("name", 1)])
                row[width] = _stt_key(spec, stt)
                keyed[r] = row
            tables[spec.id] = _table(spec, keyed, r0, c0, first - 1 if first > header_row + 1
                                     else header_row, width, {}, name, False)
            break
    return tables
