"""The table walk and row normalising as they were before the by-column rewrite (main
6594e08): ``reader``'s rows as ``Row`` objects with a dict each, ``_Builder`` a dict per row.
Kept verbatim (imports aside) for tests/test_walk_paths.py to compare the new path against.
"""
# ruff: noqa

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence
import os

from cchc_xlsx.checking.choices import match_choice
from cchc_xlsx.checking.report import ERROR, FileResult, Issue
from cchc_xlsx.checking.validate import (
    DOC_LABELS, _CATALOG, _SUM, _REF, _checking_rules, _format, _issue_adder, _iso, _raw_text)
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.identity import CHUNKED, DOC_MARK, MAGIC, SHEET, parse_key_header
from cchc_xlsx.forms.specs import Catalog, FormSpec, Rule
from cchc_xlsx.reading.bounds import check_return_size, col_name, trim
from cchc_xlsx.reading.file_guard import UnusableFile, inspect_workbook
from cchc_xlsx.reading.inbox_files import file_sha256
from cchc_xlsx.reading.normalize import (
    detect_legacy, fold, legacy_to_unicode, nfc, parse_date, parse_number)
from cchc_xlsx.reading.reader import MAX_DROPPED_SHOWN

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
class FormTable:
    form_id: str
    version: int
    sheet: str
    col_letters: dict[str, str]  # column key -> "E"
    rows: list[Row]
    identified: bool = True  # False when found by header text only
    extra_rows: list[int] = field(default_factory=list)  # rows with data but no key

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
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("cchc:"):
                parsed = parse_key_header(value)
                if parsed:
                    return r, c, parsed[0], parsed[1]
    return None


def _map_columns(spec: FormSpec, rows: list[list[Any]], header_row: int,
                 ncols: int) -> tuple[dict[str, int], int]:
    """Column key -> index, and the first data row (after a (1)…(n) row if any).

    The (1)…(n) row is the sturdiest clue; then header text; then position.
    """
    after = header_row + 1
    if after < len(rows):
        nums = {}
        for c, v in enumerate(rows[after]):
            m = _COLNUM.match(cell_text(v))
            if m:
                nums[int(m.group(1))] = c
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
    letters = {k: col_name(c + c0) for k, c in mapping.items()}
    input_cols = [c.key for c in spec.columns if c.input or c.formula]
    # only what is typed or computed travels on: the printed plan texts are the plan's
    wanted = [(k, mapping[k]) for k in input_cols]
    out: list[Row] = []
    extra: list[int] = []
    keys = [cell_text(row[key_col]) if key_col < len(row) else "" for row in rows[first:]]
    keys = ["" if key.startswith(DOC_MARK) else key for key in keys]  # document fields
    last_keyed = max((first + i for i, key in enumerate(keys) if key), default=first - 1)
    for r in range(first, last_keyed + 1):
        row = rows[r]
        key = keys[r - first]
        if key == "total" or key.startswith("grp:"):
            continue
        values = {k: (row[c] if c < len(row) else None) for k, c in wanted}
        if not key:
            if any(cell_text(values.get(k)) for k in input_cols):
                extra.append(r + r0 + 1)
            continue
        out.append(Row(key, r + r0 + 1, values, attrs.get((spec.id, key), {})))
    return FormTable(spec.id, spec.version, sheet, letters, out, identified, extra)


def _doc_fields(rows: list[list[Any]], r0: int, c0: int, key_col: int,
                sheet: str) -> dict[str, DocField]:
    """The unit's document fields, found by their "doc:field:col" markers in the hidden key
    column (so inserted or deleted rows above the signature do not lose them)."""
    out = {}
    for r, row in enumerate(rows):
        value = row[key_col] if key_col < len(row) else None
        if type(value) is not str or DOC_MARK not in value:
            continue  # only text holding the mark can start with it once stripped
        mark = cell_text(value)
        if not mark.startswith(DOC_MARK):
            continue
        for part in mark[len(DOC_MARK):].split(";"):
            name, _, col = part.partition(":")
            if not name or not col.isdigit():
                continue
            c = int(col)
            text = cell_text(row[c]) if c < len(row) else ""
            out[name] = DocField(text, doc_value(name, text), sheet,
                                 f"{col_name(c + c0)}{r + r0 + 1}")
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
        identity = read_identity(
            book, None if ident_sheet is None else ident_sheet.to_python(skip_empty_area=False))
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
            path, book, catalog, inspected,
            None if ident_sheet is None else ident_sheet.to_python())
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
        return Workbook(str(path), fmt, identity, tables, stray, _cut_long_texts(tables), docs)
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
        for row in table.rows:
            for key, value in row.values.items():
                if type(value) is str and len(value) > MAX_TEXT:
                    found.append((table.sheet, table.cell(row, key), len(value)))
                    row.values[key] = value[:MAX_TEXT]
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


def decode_rows(text: object) -> list[tuple[str, dict[str, str]]]:
    """Inverse of the "rows" identity cell: [(row key, attrs)], in sheet order."""
    if not isinstance(text, str):
        return []
    out = []
    for line in text.splitlines():
        key, _, attrs = line.partition("|")
        if key:
            out.append((key, decode_attrs(attrs)))
    return out



def decode_attrs(text: object) -> dict[str, str]:
    if not isinstance(text, str) or not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)



@dataclass
class _Part:
    """One file's rows of one report form, normalised and stored by column (``_f`` is 0
    here: the batch sets the file's index), where each row is (sheet, column letters,
    excel row, key), and the issues normalising raised (already final)."""

    columns: dict[str, list[Any]]
    n: int
    where: list[tuple[str, dict[str, str], int, str]]
    issues: list[Issue]



class _Builder:
    """Collects one form's rows of one file, normalising each cell by its column type (in
    the reading worker; ``part`` hands them over by column)."""

    def __init__(self, spec: FormSpec, rules: dict[str, Rule],
                 choices: Sequence[Rule] = ()) -> None:
        self.spec = spec
        self.rules = rules
        # column → the "allowed" rules over it: a near miss is read as the listed value
        self.choices: dict[str, list[Rule]] = {}
        for rule in choices:
            for column in rule.columns:
                self.choices.setdefault(column, []).append(rule)
        self.recs: list[dict[str, Any]] = []  # one dict per row: one file's rows only
        # (file index, sheet, column letters, excel row, row key): enough to name a cell
        self.where: list[tuple[int, str, dict[str, str], int, str]] = []
        self.issues: list[tuple[int, Issue]] = []
        # a clerk types every date of a column the same way: one warning per file and
        # column says how they were read, with how many more ((fi, sheet, column) →
        # [index in issues, its parameters, how many more])
        self.ambiguous: dict[tuple[int, str, str], list[Any]] = {}
        self.cols = [c for c in spec.columns if c.input or c.formula]
        # "SUM({c4},{c5},{c6})" columns, parsed once: (column, the columns it sums)
        self.sums = [(c.key, _REF.findall(m.group(1))) for c in self.cols
                     if isinstance(c.formula, str) and (m := _SUM.match(c.formula))]

    def add(self, fi: int, path: str, table: FormTable, period: tuple[Any, Any]) -> None:
        # numeric: a number column, whose float cells (what calamine gives for a number)
        # take the short way below, with parse_number's and cell_text's own answers
        cols = [(col, col.key, col.key + "__raw",
                 (col.input or ("number" if col.formula else "text")) in ("whole", "number"))
                for col in self.cols]
        inputs = [raw for col, _, raw, _ in cols if col.input]
        normal = self._normal
        isfinite = math.isfinite
        for row in table.rows:
            rec: dict[str, Any] = {"_f": fi, "_key": row.key, "_pstart": period[0],
                                   "_pend": period[1]}
            rec.update(row.attrs)
            values = row.values
            for col, key, raw, numeric in cols:
                value = values.get(key)
                if value is None or value == "":  # an empty cell: nothing to read or tell
                    rec[raw] = ""
                    rec[key] = None
                    continue
                if numeric and type(value) is float:
                    rec[raw] = str(int(value)) if value.is_integer() else str(value)
                    rec[key] = value if isfinite(value) else None
                    continue
                rec[raw] = _raw_text(value)
                rec[key] = normal(fi, path, table, row, col, value)
            if self.sums:
                self._derive(rec)
            if not table.identified and not any(rec[raw] for raw in inputs):
                continue  # without identity, an empty row may be a group row: skip it
            self.recs.append(rec)
            self.where.append((fi, table.sheet, table.col_letters, row.excel_row, row.key))

    def part(self) -> _Part:
        """This (one) file's rows by column, for the batch (``finish`` done here)."""
        keys: dict[str, None] = {}
        for rec in self.recs:
            keys.update(dict.fromkeys(rec))
        recs = self.recs
        columns = {key: [rec.get(key) for rec in recs] for key in keys}
        issues = [issue for _, issue in self.finish()]
        return _Part(columns, len(recs), [w[1:] for w in self.where], issues)

    def _normal(self, fi: int, path: str, table: FormTable, row: Any, col: Any,
                value: Any) -> Any:
        kind = col.input or ("number" if col.formula else "text")
        if kind in ("whole", "number"):
            if value is None or value == "":
                return None
            return parse_number(value)
        if kind == "date":
            if value is None or value == "":
                return None
            reading = parse_date(value)
            if reading.value is not None and reading.alternative is not None:
                seen = self.ambiguous.get((fi, table.sheet, col.key))
                if seen is not None:
                    seen[2] += 1
                    return reading.value
                params = {"value": _raw_text(value),
                          "expected": f"ngày {reading.value.day:02d} tháng "
                                      f"{reading.value.month:02d} năm {reading.value.year}"}
                self.ambiguous[(fi, table.sheet, col.key)] = [len(self.issues), params, 0]
                self._builtin(fi, path, table, row, col.key, "ambiguous_date", **params)
            return reading.value
        if not isinstance(value, str):
            return None if value is None else _raw_text(value)
        text = nfc(value).strip()
        legacy = detect_legacy(text)
        if legacy:
            fixed = legacy_to_unicode(text, legacy)
            self._builtin(fi, path, table, row, col.key, "legacy_text", value=text,
                          expected=fixed, found="TCVN3" if legacy == "tcvn3" else "VNI")
            text = fixed
        for rule in self.choices.get(col.key, ()):
            if text and rule.applies(row.attrs):
                choice = match_choice(text, rule.check.allowed)
                if choice.value is not None and not choice.exact:
                    self._builtin(fi, path, table, row, col.key, "near_miss", value=text,
                                  expected=choice.value)
                text = choice.value or text
        return text or None

    def _derive(self, rec: dict[str, Any]) -> None:
        """Recompute SUM columns whose cached value is missing: never trust caches."""
        for key, refs in self.sums:
            if rec[key] is not None:
                continue
            parts = [p for p in (rec.get(ref) for ref in refs) if isinstance(p, (int, float))]
            if parts:
                rec[key] = float(sum(parts))

    def finish(self) -> list[tuple[int, Issue]]:
        """The issues found while reading, each ambiguous-date warning counting the other
        dates of its column that were read the same way."""
        rule = self.rules.get("ambiguous_date")
        for index, params, more in self.ambiguous.values():
            if rule is not None and more and index < len(self.issues):
                fi, issue = self.issues[index]
                also = f", cùng cách với {more} ô ngày khác trong cột này"
                message = _format(rule.message, {**params, "more": also})
                self.issues[index] = (fi, replace(issue, message=message))
        return self.issues

    def _builtin(self, fi: int, path: str, table: FormTable, row: Any, column: str,
                 name: str, **params: Any) -> None:
        rule = self.rules.get(name)
        if rule is None:
            return
        self.issues.append((fi, Issue(
            path, rule.id, rule.severity, _format(rule.message, params), table.sheet,
            table.cell(row, column), params.get("value"), self.spec.id, row.key)))



def _table_checks(res: FileResult, book: Workbook, catalog: Catalog,
                  builtins: dict[str, Rule]) -> None:
    """Checks that need the file's tables: form versions, deleted and added rows."""
    add = _issue_adder(res, builtins)
    ident = book.identity
    for form_id, table in book.tables.items():
        spec = catalog.forms[form_id]
        if table.version != spec.version:
            add("form_version", table.sheet, key=form_id, value=table.version,
                expected=spec.version, form=form_id)
        expected_keys = [k for (f, k) in ident.get("rows", {}) if f == form_id] if ident else []
        present = {r.key for r in table.rows}
        for key in expected_keys:
            if key not in present:
                add("missing_row", table.sheet, key=key, form=form_id)
        for excel_row in table.extra_rows:
            add("extra_row", table.sheet, f"A{excel_row}", form=form_id)
    for sheet, cell in book.stray[:MAX_DROPPED_SHOWN]:
        add("stray_cell", sheet, cell)
    for sheet, cell, length in book.long_texts:
        add("text_too_long", sheet, cell, value=f"{length:,}".replace(",", "."))
    for name, label in DOC_LABELS.items():
        doc = book.doc_fields.get(name)
        if doc is not None and not doc.value:
            add("doc_field_empty", doc.sheet, doc.cell, field=label, value=doc.text)



def _read_one(path: str) -> _Read:
    catalog = _CATALOG[0]
    if not Path(path).exists():
        return _Read(path, None, Issue(path, "file_missing", ERROR,
                                       f"Không tìm thấy tệp «{path}»."))
    try:
        digest, mtime = file_sha256(path), os.stat(path).st_mtime
    except OSError:
        digest, mtime = "", None
    try:
        return _Read(path, read_workbook(path, catalog), None, digest, mtime)
    except UnusableFile as exc:
        return _Read(path, None, Issue(path, f"file_{exc.code}", ERROR, exc.message), digest,
                     mtime)
    except UserError as exc:
        return _Read(path, None, Issue(path, "file_unusable", ERROR, exc.message), digest,
                     mtime)



def _read_stack(path: str) -> _Read:
    """``_read_one``, then, still in the worker, the per-file half of the check: the
    tables' own checks and every report-form row normalised and stacked by column. The
    parent only appends the columns: this per-cell work is most of a file's cost after
    reading, and done here it runs on every core instead of in the one parent."""
    r = _read_one(path)
    book = r.book
    if book is None:
        return r
    catalog = _CATALOG[0]
    builtins, choices = _checking_rules(catalog)
    r.forms = list(book.tables)
    r.sheets = [t.sheet for t in book.tables.values()]
    if not book.identity and not book.tables:
        return r
    res = FileResult(str(book.path))
    _table_checks(res, book, catalog, builtins)
    r.table_issues = res.issues
    period = (_iso(book.identity.get("period_start")), _iso(book.identity.get("period_end")))
    parts: dict[str, _Part] = {}
    for form_id, table in book.tables.items():
        spec = catalog.forms[form_id]
        if spec.kind != "report":
            continue
        builder = _Builder(spec, builtins, choices[form_id])
        builder.add(0, str(book.path), table, period)
        parts[form_id] = builder.part()
    r.parts = parts
    book.tables = {}
    book.identity.pop("rows", None)  # the row attributes are in the stacked rows now
    return r




def _read_stack(path: str) -> _Read:
    """The old ``validate._read_stack``, over the old walk."""
    r = _read_one(path)
    book = r.book
    if book is None:
        return r
    catalog = _CATALOG[0]
    builtins, choices = _checking_rules(catalog)
    r.forms = list(book.tables)
    r.sheets = [t.sheet for t in book.tables.values()]
    if not book.identity and not book.tables:
        return r
    res = FileResult(str(book.path))
    _table_checks(res, book, catalog, builtins)
    r.table_issues = res.issues
    period = (_iso(book.identity.get("period_start")), _iso(book.identity.get("period_end")))
    parts = {}
    for form_id, table in book.tables.items():
        spec = catalog.forms[form_id]
        if spec.kind != "report":
            continue
        builder = _Builder(spec, builtins, choices[form_id])
        builder.add(0, str(book.path), table, period)
        parts[form_id] = builder.part()
    r.parts = parts
    book.tables = {}
    book.identity.pop("rows", None)
    return r


@dataclass
class _Read:
    path: str
    book: Any
    error: Any
    sha256: str = ""
    mtime: float | None = None
    forms: list[str] | None = None
    parts: dict | None = None
    table_issues: list | None = None
    sheets: list[str] | None = None
