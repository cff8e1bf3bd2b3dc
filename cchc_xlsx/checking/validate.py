"""Validate returned workbooks as one batch: read, stack, one pandera pass, map to cells.

Reading is per file (and spread over the cores); checking is per form over the stacked
rows of every file, so 300 files cost one pandera pass, not 300. Every failure is mapped
back to its file, sheet and cell. One unusable file never stops the batch: it becomes a
``FileResult`` with ``usable=False`` and one Vietnamese sentence. Input files are only
ever opened for reading.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_xlsx.checking.choices import match_choice
from cchc_xlsx.checking.report import ERROR, WARNING, FileResult, Issue, Report
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.specs import Catalog, FormSpec, Rule, load_catalog
from cchc_xlsx.reading.file_guard import UnusableFile
from cchc_xlsx.reading.inbox_files import file_sha256
from cchc_xlsx.reading.normalize import (
    detect_legacy,
    legacy_to_unicode,
    nfc,
    parse_date,
    parse_number,
)
from cchc_xlsx.reading.reader import (
    MAX_DROPPED_SHOWN,
    FormTable,
    Workbook,
    cell_text,
    read_workbook,
)

if TYPE_CHECKING:  # the model's dataclasses cost ~10 ms to import; only named here
    from cchc_xlsx.model import Unit

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_SUM = re.compile(r"^SUM\((.*)\)$")
_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the files inside folders (recursively), in a stable order;
    Office lock files, ``Thumbs.db``, ``desktop.ini`` and hidden files are left out."""
    from cchc_xlsx.reading.inbox_files import expand

    return expand(list(paths))


@dataclass
class _Read:
    path: str
    book: Workbook | None
    error: Issue | None
    sha256: str = ""
    mtime: float | None = None
    # filled by ``_read_stack`` (the batch check): the forms the file holds, its report
    # forms' rows already normalised and stacked (the tables themselves are then dropped,
    # so less crosses the pipe and the parent does not redo the per-cell work), and the
    # issues its tables raised (form versions, missing and extra rows, stray cells, …)
    forms: list[str] | None = None
    parts: dict[str, _Part] | None = None
    table_issues: list[Issue] | None = None
    sheets: list[str] | None = None  # the forms' sheet names, in the workbook's order


_CATALOG: list[Catalog] = []  # a worker process's catalog, set once by its initializer


def _init_reader(catalog: Catalog) -> None:
    _CATALOG[:] = [catalog]


def _read_one(path: str) -> _Read:
    catalog = _CATALOG[0]
    if not Path(path).exists():
        return _Read(path, None, Issue(path, "file_missing", ERROR,
                                       f"Không tìm thấy tệp «{path}»."))
    try:
        book = read_workbook(path, catalog)
    except UnusableFile as exc:
        return _Read(path, None, Issue(path, f"file_{exc.code}", ERROR, exc.message),
                     *_digest(path))
    except UserError as exc:
        return _Read(path, None, Issue(path, "file_unusable", ERROR, exc.message),
                     *_digest(path))
    return _Read(path, book, None, *_digest(path, book.sha256))


def _digest(path: str, known: str = "") -> tuple[str, float | None]:
    """The file's SHA-256 and modification time ("" and None when it cannot be read);
    ``known``: the digest the guard took of the bytes it read, which spares reading the
    file again."""
    try:
        return known or file_sha256(path), os.stat(path).st_mtime
    except OSError:
        return "", None



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


_RULES: dict[int, tuple[dict[str, Rule], dict[str, list[Rule]]]] = {}


def _checking_rules(catalog: Catalog) -> tuple[dict[str, Rule], dict[str, list[Rule]]]:
    """The built-in rules by name, and each form's "allowed" rules (once per catalog)."""
    found = _RULES.get(id(catalog))
    if found is None:
        builtins = {r.check.expr: r for r in catalog.rules if r.check.kind == "builtin"}
        choices = {form_id: [r for r in catalog.rules_for(form_id) if r.check.kind == "allowed"]
                   for form_id in catalog.forms}
        found = _RULES[id(catalog)] = (builtins, choices)
    return found


def _renamed(r: _Read, name: str, mtime: float | None) -> _Read:
    """A result read from a temporary copy (an archive entry), told under its own name."""
    def fix(issue: Issue) -> Issue:
        return replace(issue, file=name, message=issue.message.replace(r.path, name))

    if r.book is not None:
        r.book.path = name
    out = _Read(name, r.book, fix(r.error) if r.error else None, r.sha256,
                mtime if mtime is not None else r.mtime, r.forms, r.parts)
    # issues found in the worker named the copy; the file is told by its own name
    out.sheets = r.sheets
    if r.table_issues is not None:
        out.table_issues = [replace(i, file=name) for i in r.table_issues]
    for part in (r.parts or {}).values():
        part.issues = [replace(i, file=name) for i in part.issues]
    return out


def read_all(paths: Sequence[Path], catalog: Catalog, workers: int | None = None,
             progress: Callable[[int], None] | None = None,
             consume: Callable[[int, _Read], None] | None = None,
             names: dict[str, tuple[str, float | None]] | None = None,
             reader: Callable[[str], _Read] = _read_one) -> list[_Read]:
    """Read every file in isolated worker processes (``reading.isolation``): a file that
    crashes, aborts or overruns its reader is reported unusable and the rest go on.
    ``consume`` sees each result as it arrives, in order, so a caller can stack it and free
    it at once. ``names`` maps a path read to the name shown and the file's own time
    (archive entries read from a temporary copy)."""
    import python_calamine  # noqa: F401 - imported before forking: workers never import it

    from cchc_xlsx.reading.isolation import Failure, imap_isolated

    jobs = [str(p) for p in paths]
    workers = workers or min(os.cpu_count() or 1, 8)
    if len(jobs) < 40:
        workers = min(workers, max(1, len(jobs) // 8))  # a process start costs ~8 reads
    out: list[_Read] = []
    warm = threading.Thread(target=_import_checkers, daemon=True)
    for job, r in zip(jobs, imap_isolated(reader, jobs, workers, _init_reader, (catalog,),
                                          on_started=warm.start), strict=True):
        if isinstance(r, Failure):
            r = _Read(job, None, _failure_issue(job, r.reason))
        if names and job in names:
            r = _renamed(r, *names[job])
        if consume:
            consume(len(out), r)
        out.append(r)
        if progress:
            progress(1)
    if warm.is_alive():
        warm.join()
    return out


def _failure_issue(path: str, reason: str) -> Issue:
    from cchc_xlsx.reading.isolation import READ_TIMEOUT

    if reason == "timeout":
        message = (f"Đọc tệp «{path}» quá {READ_TIMEOUT:.0f} giây nên đã dừng (tệp quá lớn "
                   "hoặc hỏng); hãy mở bằng Excel, xóa dữ liệu và trang tính thừa, lưu lại "
                   "dạng .xlsx rồi gửi lại.")
    else:
        message = (f"Không đọc được tệp «{path}»: bộ đọc bảng tính bị dừng khi mở tệp (tệp "
                   "quá lớn hoặc hỏng); hãy mở bằng Excel, xóa dữ liệu và trang tính thừa, "
                   "lưu lại dạng .xlsx rồi gửi lại.")
    return Issue(path, f"file_read_{reason}", ERROR, message)


def _pandera() -> Any:
    """``pandera.pandas``, imported where a check needs it (never at start-up)."""
    import pandera.pandas as pa

    return pa


def _import_checkers() -> None:
    """Import pandas and pandera while the workers read, and run one tiny schema: pandera
    registers its backends (importing its strategies) on the first ``validate``, which
    otherwise lands after reading, on the critical path."""
    import pandas as pd

    pa = _pandera()
    try:
        pa.DataFrameSchema(checks=[pa.Check(lambda d: d["a"] > 0, ignore_na=False)]).validate(
            pd.DataFrame({"a": [1]}), lazy=True)
    except Exception:  # noqa: BLE001 - only a warm-up: the real pass reports for itself
        pass
    # the imports leave a few hundred thousand young objects, and validate pauses the
    # collector meanwhile (``_collector_paused``): collected here, while the workers read,
    # they are out of the young generations before the collection that ends the pause,
    # which comes after reading, on the way to the result: 60-100 ms there on a first
    # validate in a process (a command), under 12 ms with this
    gc.collect(1)


# --- building the stacked frames --------------------------------------------------------


def _raw_text(value: Any) -> str:
    if type(value) is str:
        return value.strip()  # cell_text's answer for text, without its other tests
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if not (value.hour or value.minute) else str(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return cell_text(value)


class Stacked:
    """One form's rows from many files, stored by column: a dict per row costs several
    times more memory, and 10,000 returns make over half a million rows."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, rec: dict[str, Any]) -> None:
        for key in rec:
            if key not in self.columns:
                self.columns[key] = [None] * self.n
        for key, col in self.columns.items():
            col.append(rec.get(key))
        self.n += 1

    def extend(self, columns: dict[str, list[Any]], n: int, fi: int) -> None:
        """Append one file's ``n`` rows, given by column (``_f`` becomes ``fi``)."""
        mine = self.columns
        if columns.keys() == mine.keys():
            # the usual case: every file of a form has the same columns, so no column is
            # new and none is missing (the rows' order of keys does not matter here)
            for key, part in columns.items():
                mine[key].extend([fi] * n if key == "_f" else part if part is not None
                                 else [None] * n)
            self.n += n
            return
        for key in columns:
            if key not in self.columns:
                self.columns[key] = [None] * self.n
        for key, col in self.columns.items():
            if key == "_f":
                col.extend([fi] * n)
                continue
            part = columns.get(key)
            col.extend(part if part is not None else [None] * n)
        self.n += n

    def row(self, i: int) -> dict[str, Any]:
        return {key: col[i] for key, col in self.columns.items()}


@dataclass
class _Part:
    """One file's rows of one report form, normalised and stored by column (``_f`` is 0
    here: the batch sets the file's index), and the issues normalising raised (already
    final). Where each row is goes as the rows' excel rows and keys, with runs of (sheet,
    column letters, how many rows): a tuple per row cost the worker's pickling and the
    parent's unpickling; ``where`` rebuilds the tuples for the batch."""

    columns: dict[str, list[Any]]
    n: int
    issues: list[Issue]
    excel_rows: list[int]
    keys: list[str]
    places: list[tuple[str, dict[str, str], int]]

    @property
    def where(self) -> list[tuple[str, dict[str, str], int, str]]:
        """(sheet, column letters, excel row, row key) by row."""
        out: list[tuple[str, dict[str, str], int, str]] = []
        at = 0
        for sheet, letters, count in self.places:
            out += [(sheet, letters, excel_row, key) for excel_row, key in
                    zip(self.excel_rows[at:at + count], self.keys[at:at + count], strict=True)]
            at += count
        return out


class _Batch:
    """One report form's rows from every file of the batch, as the workers stacked them."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        self.cols = [c for c in spec.columns if c.input or c.formula]
        self.records = Stacked()
        # (sheet, column letters, excel row, row key) by row, as the parts hand them over;
        # with the row's file index (the ``_f`` column) enough to name a cell
        self.where: list[tuple[str, dict[str, str], int, str]] = []
        self.issues: list[tuple[int, Issue]] = []

    def extend(self, fi: int, part: _Part) -> None:
        self.records.extend(part.columns, part.n, fi)
        self.where.extend(part.where)
        self.issues.extend((fi, issue) for issue in part.issues)

    def at(self, i: int) -> tuple[int, str, dict[str, str], int, str]:
        """Row ``i``'s (file index, sheet, column letters, excel row, row key)."""
        return (self.records.columns["_f"][i], *self.where[i])


# readings kept across the files a worker reads, by the cell's value (a clerk's "Đạt" or
# "Có" recurs in every return); bounded, since a long run sees ever more distinct texts,
# and only short texts are kept (a long one is rarely typed twice)
_READINGS_MAX = 4096
_KEPT_TEXT = 200
_TEXT_READINGS: dict[tuple[tuple[str, ...], ...], dict[str, tuple[Any, ...]]] = {}
_DATE_READINGS: dict[tuple[type, Any], tuple[str, Any, Any]] = {}
_NUMBER_READINGS: dict[tuple[type, Any], tuple[str, Any]] = {}
_FLOAT_RAW: dict[float, str] = {}


def _kept(cache: dict, size: int = _READINGS_MAX) -> dict:
    if len(cache) > size:
        cache.clear()
    return cache


def _text_reading(value: str, allowed: tuple[tuple[str, ...], ...]) -> tuple[Any, ...]:
    """A text cell read as ``_Builder`` reads it: (text as typed, value, the findings to
    raise for it as (rule name, parameters)); ``allowed``: the allowed lists of the
    "allowed" rules that apply to its row, in order. Only the reading is kept: each cell
    raises its own findings, at its own address."""
    text = nfc(value).strip()
    events: list[tuple[str, dict[str, Any]]] = []
    legacy = detect_legacy(text)
    if legacy:
        fixed = legacy_to_unicode(text, legacy)
        events.append(("legacy_text", {"value": text, "expected": fixed,
                                       "found": "TCVN3" if legacy == "tcvn3" else "VNI"}))
        text = fixed
    for choices in allowed:
        if text:
            choice = match_choice(text, choices)
            if choice.value is not None and not choice.exact:
                events.append(("near_miss", {"value": text, "expected": choice.value}))
            text = choice.value or text
    return value.strip(), text or None, tuple(events)


# a form's columns and rules as ``_Builder`` uses them, worked out once per form, not per
# file: id(spec) -> (spec, its "allowed" rules, choices, columns, sums); the entry holds the
# spec, so its id is never reused while the entry stands
_STATIC: dict[int, tuple[Any, ...]] = {}


def _static(spec: FormSpec, choices: Sequence[Rule]) -> tuple[Any, ...]:
    by_column: dict[str, list[Rule]] = {}
    for rule in choices:
        for column in rule.columns:
            by_column.setdefault(column, []).append(rule)
    cols = [c for c in spec.columns if c.input or c.formula]
    sums = [(c.key, _REF.findall(m.group(1))) for c in cols
            if isinstance(c.formula, str) and (m := _SUM.match(c.formula))]
    return by_column, cols, sums


class _Builder:
    """Collects one form's rows of one file, normalising each cell by its column type (in
    the reading worker; ``part`` hands them over by column). The work goes column by
    column over the table's columns, each distinct value read once."""

    def __init__(self, spec: FormSpec, rules: dict[str, Rule],
                 choices: Sequence[Rule] = ()) -> None:
        self.spec = spec
        self.rules = rules
        static = _STATIC.get(id(spec))
        if static is None or static[0] is not spec or static[1] is not choices:
            if len(_STATIC) > 256:  # catalogs loaded again and again (a long-lived server)
                _STATIC.clear()
            static = _STATIC[id(spec)] = (spec, choices, *_static(spec, choices))
        # column → the "allowed" rules over it: a near miss is read as the listed value;
        # the columns read; "SUM({c4},{c5},{c6})" columns, parsed once: (column, the
        # columns it sums)
        self.choices, self.cols, self.sums = static[2:]
        self.columns: dict[str, list[Any]] = {}
        self.order: dict[str, None] = {}  # the columns' keys, as the rows first had them
        self.n = 0
        self.excel_rows: list[int] = []
        self.keys: list[str] = []
        self.places: list[tuple[str, dict[str, str], int]] = []
        self.issues: list[tuple[int, Issue]] = []
        # a clerk types every date of a column the same way: one warning per file and
        # column says how they were read, with how many more ((fi, sheet, column) →
        # [the warning, its parameters, how many more])
        self.ambiguous: dict[tuple[int, str, str], list[Any]] = {}

    def add(self, fi: int, path: str, table: FormTable, period: tuple[Any, Any]) -> None:
        data = table.columns
        n = len(data.keys)
        if not n:
            return
        attrs = data.attrs
        out: dict[str, list[Any]] = {"_f": [fi] * n, "_key": list(data.keys),
                                     "_pstart": [period[0]] * n, "_pend": [period[1]] * n}
        fixed = list(out)
        shapes: dict[tuple[str, ...], None] = dict.fromkeys(tuple(a) for a in attrs)
        for name in dict.fromkeys(k for shape in shapes for k in shape):
            if name in out:  # an attribute named like one of ours wins, as rec.update did
                out[name] = [a[name] if name in a else x for a, x in
                             zip(attrs, out[name], strict=True)]
            else:
                out[name] = [a.get(name) for a in attrs]
        found: list[tuple[int, int, Issue]] = []  # (row, column's place, issue)
        col_keys: list[str] = []
        for ci, col in enumerate(self.cols):
            key, raw = col.key, col.key + "__raw"
            col_keys += (raw, key)
            values = data.values.get(key)
            if values is None:
                values = [None] * n
            out[raw], out[key] = self._normal(fi, path, table, ci, col, values, attrs, found)
        if self.sums:
            self._derive(out)
        keep = range(n)
        if not table.identified:  # without identity, an empty row may be a group row
            inputs = [out[col.key + "__raw"] for col in self.cols if col.input]
            keep = [i for i in range(n) if any(raws[i] for raws in inputs)]
            if len(keep) < n:
                out = {k: [v[i] for i in keep] for k, v in out.items()}
        found.sort(key=lambda f: (f[0], f[1]))  # as the rows were read, cell by cell
        self.issues += [(fi, issue) for _, _, issue in found]
        if not len(keep):
            return
        every = len(keep) == n
        order = self.order
        kept_shapes = shapes if every else dict.fromkeys(tuple(attrs[i]) for i in keep)
        for shape in kept_shapes:  # the keys in the order the rows' dicts had them
            order.update(dict.fromkeys(fixed))
            order.update(dict.fromkeys(shape))
            order.update(dict.fromkeys(col_keys))
        m = len(keep)
        if not self.n:  # the first (in the worker, only) table: its columns as they are
            self.columns = {k: out[k] if k in out else [None] * m for k in order}
        else:
            for k in order:
                column = self.columns.get(k)
                if column is None:
                    column = self.columns[k] = [None] * self.n
                column.extend(out[k] if k in out else [None] * m)
        self.n += m
        self.excel_rows += data.excel_rows if every else [data.excel_rows[i] for i in keep]
        self.keys += data.keys if every else [data.keys[i] for i in keep]
        self.places.append((table.sheet, table.col_letters, m))

    def part(self) -> _Part:
        """This (one) file's rows by column, for the batch (``finish`` done here)."""
        columns = {key: self.columns[key] for key in self.order}
        issues = [issue for _, issue in self.finish()]
        return _Part(columns, self.n, issues, self.excel_rows, self.keys, self.places)

    def _normal(self, fi: int, path: str, table: FormTable, ci: int, col: Any,
                values: list[Any], attrs: list[dict[str, str]],
                found: list[tuple[int, int, Issue]]) -> tuple[list[Any], list[Any]]:
        """One column's texts as typed and values read, the findings added to ``found``."""
        kind = col.input or ("number" if col.formula else "text")
        raws: list[Any] = []
        out: list[Any] = []
        if kind in ("whole", "number"):
            numbers = _kept(_NUMBER_READINGS)
            floats = _kept(_FLOAT_RAW)
            isfinite = math.isfinite
            for value in values:
                if value is None or value == "":  # an empty cell: nothing to read or tell
                    raws.append("")
                    out.append(None)
                elif type(value) is float:  # calamine's number: the short way
                    raw = floats.get(value)
                    if raw is None:
                        raw = floats[value] = str(int(value)) if value.is_integer() \
                            else str(value)
                    raws.append(raw)
                    out.append(value if isfinite(value) else None)
                else:
                    reading = numbers.get((type(value), value))
                    if reading is None:
                        reading = (_raw_text(value), parse_number(value))
                        if type(value) is not str or len(value) <= _KEPT_TEXT:
                            numbers[(type(value), value)] = reading
                    raws.append(reading[0])
                    out.append(reading[1])
            return raws, out
        if kind == "date":
            dates = _kept(_DATE_READINGS)
            place = (fi, table.sheet, col.key)
            for r, value in enumerate(values):
                if value is None or value == "":
                    raws.append("")
                    out.append(None)
                    continue
                reading = dates.get((type(value), value))
                if reading is None:
                    read = parse_date(value)
                    reading = (_raw_text(value), read.value, read.alternative)
                    if type(value) is not str or len(value) <= _KEPT_TEXT:
                        dates[(type(value), value)] = reading
                raw, day, alternative = reading
                raws.append(raw)
                out.append(day)
                if day is None or alternative is None:
                    continue
                seen = self.ambiguous.get(place)
                if seen is not None:
                    seen[2] += 1
                    continue
                params = {"value": raw,
                          "expected": f"ngày {day.day:02d} tháng {day.month:02d} năm "
                                      f"{day.year}"}
                issue = self._builtin(path, table, r, col.key, "ambiguous_date", **params)
                self.ambiguous[place] = [issue, params, 0]
                if issue is not None:
                    found.append((r, ci, issue))
            return raws, out
        rules = self.choices.get(col.key, ())
        # rules without a "when" apply to every row: their lists, once for the column
        every = tuple(rule.check.allowed for rule in rules) \
            if not any(rule.when for rule in rules) else None
        sigs: dict[tuple[tuple[str, ...], ...], dict[str, tuple[Any, ...]]] = {}
        texts = _kept(_TEXT_READINGS, 16)
        for r, value in enumerate(values):
            if value is None or value == "":
                raws.append("")
                out.append(None)
                continue
            if type(value) is not str:
                raw = _raw_text(value)
                raws.append(raw)
                out.append(raw)
                continue
            allowed = every if every is not None else \
                tuple(rule.check.allowed for rule in rules if rule.applies(attrs[r]))
            cache = sigs.get(allowed)
            if cache is None:
                cache = texts.get(allowed)
                if cache is None:
                    cache = texts[allowed] = {}
                sigs[allowed] = _kept(cache)
            reading = cache.get(value)
            if reading is None:
                reading = _text_reading(value, allowed)
                if len(value) <= _KEPT_TEXT:
                    cache[value] = reading
            raw, text, events = reading
            raws.append(raw)
            out.append(text)
            for name, params in events:
                issue = self._builtin(path, table, r, col.key, name, **params)
                if issue is not None:
                    found.append((r, ci, issue))
        return raws, out

    def _derive(self, out: dict[str, list[Any]]) -> None:
        """Recompute SUM columns whose cached value is missing: never trust caches."""
        for key, refs in self.sums:
            column = out[key]
            summed = [out[ref] for ref in refs if ref in out]
            for i, value in enumerate(column):
                if value is not None:
                    continue
                parts = [p for p in (c[i] for c in summed) if isinstance(p, (int, float))]
                if parts:
                    column[i] = float(sum(parts))

    def finish(self) -> list[tuple[int, Issue]]:
        """The issues found while reading, each ambiguous-date warning counting the other
        dates of its column that were read the same way."""
        rule = self.rules.get("ambiguous_date")
        at = {id(issue): index for index, (_, issue) in enumerate(self.issues)}
        for issue, params, more in self.ambiguous.values():
            index = at.get(id(issue))
            if rule is not None and more and index is not None:
                fi, issue = self.issues[index]
                also = f", cùng cách với {more} ô ngày khác trong cột này"
                message = _format(rule.message, {**params, "more": also})
                self.issues[index] = (fi, replace(issue, message=message))
        return self.issues

    def _builtin(self, path: str, table: FormTable, r: int, column: str, name: str,
                 **params: Any) -> Issue | None:
        rule = self.rules.get(name)
        if rule is None:
            return None
        return Issue(path, rule.id, rule.severity, _format(rule.message, params), table.sheet,
                     f"{table.col_letters.get(column, 'A')}{table.columns.excel_rows[r]}",
                     params.get("value"), self.spec.id, table.columns.keys[r])


def _format(message: str, params: dict[str, Any]) -> str:
    class Blank(dict):
        def __missing__(self, key: str) -> str:
            return ""

    return message.format_map(Blank({k: ("" if v is None else v) for k, v in params.items()}))


def _fmt_day(value: Any) -> str:
    if value is None or (hasattr(value, "year") is False):
        return ""
    try:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    except (AttributeError, ValueError):
        return ""


def _run_pandera(builder: _Batch, rules: list[Rule], today: date,
                 paths: list[str]) -> list[tuple[int, Issue]]:
    import pandas as pd

    from cchc_xlsx.checking.rule_checks import compile_rule

    pa = _pandera()

    if not builder.records or not rules:
        return []
    # only the columns a check reads: the text as typed (``__raw``) is read as ``blanks``
    # below and for messages from the records; the row keys, file indexes and columns no
    # rule names are not read at all. Building the frame and pandera's failure cases
    # (every column of every failing row) cost by the column.
    needed, tested = _columns_read(rules)
    records = builder.records.columns
    with_blank = {col.key for col in builder.cols if col.key + "__raw" in records}
    # a column with no blank worked out below is tested on its value, or on its text as
    # typed if the records have it (no such column is made today: the frame has them then)
    needed |= tested - with_blank
    needed |= {key + "__raw" for key in needed - with_blank if key + "__raw" in records}
    df = pd.DataFrame({key: values for key, values in records.items() if key in needed})
    for col in ("_pstart", "_pend"):
        if col in df:
            df[col] = pd.to_datetime(df[col], errors="coerce")
    for col in builder.cols:
        if col.key not in df:
            continue
        if col.input == "date":
            df[col.key] = pd.to_datetime(df[col.key], errors="coerce")
        elif col.input in ("whole", "number") or (col.formula and not col.input):
            df[col.key] = pd.to_numeric(df[col.key], errors="coerce")
    for attr in ("measure", "met_mode", "deadline_in_period"):
        if attr not in df:
            df[attr] = ""
    df = df.fillna({"measure": "", "met_mode": "", "deadline_in_period": ""})
    # a rule over several columns becomes one check per column, so a failure names its cell
    units = [(r, col) for r in rules for col in (r.columns if r.check.kind != "expr"
                                                 else r.columns[:1])]
    # where each column a rule reads has its text as typed blank, once for all the rules
    # over it (the same test as rule_checks._blank)
    blanks = {key: pd.Series(_blank_flags(records[key + "__raw"]), index=df.index, dtype=bool)
              for key in with_blank if key in needed or key in tested}
    # ignore_na=False: pandera would otherwise pass rows whose every cell is missing, which
    # it finds with an isna() over the whole frame per check; no row here is all missing
    # (the row attributes are always there, filled with ""), so the outcome is the same,
    # found faster
    checks = [pa.Check(compile_rule(replace(r, columns=(col,)), today, blanks), name=r.id,
                       ignore_na=False)
              for r, col in units]
    schema = pa.DataFrameSchema(checks=checks)
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out: list[tuple[int, Issue]] = []
    seen = set()
    for number, index in zip(cases["check_number"], cases["index"], strict=True):
        if number is None or index is None or (number, index) in seen:
            continue
        seen.add((number, index))
        rule, column = units[int(number)]
        fi, sheet, letters, excel_row, key = builder.at(int(index))
        rec = builder.records.row(int(index))
        raw = rec.get(column + "__raw", "")
        params = {"value": raw, "allowed": ", ".join(rule.check.allowed),
                  "min": _num(rule.check.min), "max": _num(rule.check.max),
                  "start": _fmt_day(rec.get("_pstart")), "end": _fmt_day(rec.get("_pend"))}
        message = _format(rule.message, params)
        if rule.suggest and raw:
            nearest = match_choice(str(raw), rule.check.allowed).nearest
            if nearest:
                message += " " + _format(rule.suggest, {"nearest": nearest})
        out.append((fi, Issue(paths[fi], rule.id, rule.severity, message, sheet,
                              f"{letters.get(column, 'A')}{excel_row}", raw or None,
                              builder.spec.id, key)))
    return out


def _is_blank(v: Any) -> bool:
    # the raw text is None or a stripped str; for text, ``not v or v.isspace()`` is
    # ``not v.strip()``: one predicate, no copy
    return v is None or ((not v or v.isspace()) if type(v) is str else not str(v).strip())


class _BlankByText(dict):
    """Text as typed → blank: a column holds few distinct texts, each tested once."""

    def __missing__(self, text: Any) -> bool:
        blank = self[text] = _is_blank(text)
        return blank


def _blank_flags(raws: list[Any]) -> Any:
    """Whether each text as typed is blank, as a bool array."""
    import numpy as np

    try:
        return np.fromiter(map(_BlankByText().__getitem__, raws), dtype=bool,
                           count=len(raws))
    except TypeError:  # an unhashable value (none is made today): one test per cell
        return np.array([_is_blank(v) for v in raws], dtype=bool)


_DATE_KINDS = ("date_in_period", "date_by_period_end")


def _columns_read(rules: list[Rule]) -> tuple[set[str], set[str]]:
    """The frame columns ``rule_checks`` may read for these rules: the rules' columns, the
    names in their expressions, their ``when`` keys, the row attributes (always in the
    frame, filled with ""), and the period bounds for the period checks. Blanks come from
    ``blanks``, so no ``__raw`` column is among them. Second, the names an expression only
    tests for blank (``notna(evidence)``): their values are read only where no blank was
    worked out for them."""
    import ast

    needed = {"measure", "met_mode", "deadline_in_period"}
    tested: set[str] = set()
    for rule in rules:
        needed.update(rule.columns)
        needed.update(key for key, _ in rule.when)
        if rule.check.kind in _DATE_KINDS:
            needed.update(("_pstart", "_pend"))
        if rule.check.kind == "expr":
            tree = ast.parse(rule.check.expr, mode="eval")
            calls = {id(node.args[0]) for node in ast.walk(tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id in _BLANK_TESTS and node.args
                     and isinstance(node.args[0], ast.Name)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and id(node) in calls:
                    tested.add(node.id)
                elif isinstance(node, ast.Name) and not (
                        isinstance(node.ctx, ast.Load) and node.id in _BLANK_TESTS
                        and _is_callee(tree, node)):
                    needed.add(node.id)
    return needed, tested - needed


_BLANK_TESTS = ("blank", "isna", "notna")  # as rule_checks._Eval._Call tells them


def _is_callee(tree: Any, name: Any) -> bool:
    import ast

    return any(isinstance(node, ast.Call) and node.func is name for node in ast.walk(tree))


def _num(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


# --- file-level checks ------------------------------------------------------------------


DOC_LABELS = {"number": "số, ký hiệu", "date": "ngày, tháng ban hành",
              "signer": "họ và tên người ký"}


def _issue_adder(res: FileResult, builtins: dict[str, Rule]) -> Callable[..., None]:
    def add(name: str, sheet: str = "", cell: str = "", **params: Any) -> None:
        rule = builtins.get(name)
        if rule:
            res.issues.append(Issue(res.file, rule.id, rule.severity,
                                    _format(rule.message, params), sheet, cell,
                                    params.get("value"), params.get("form", ""),
                                    params.get("key", "")))
    return add


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
        present = set(table.columns.keys)  # no Row objects needed for this
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


def _identity_checks(res: FileResult, book: Workbook, builtins: dict[str, Rule],
                     unit_codes: set[str] | None, expected_period: str | None,
                     expected_plan: str | None) -> None:
    """Checks on who the file is from and what it is for (needs the whole batch's view)."""
    add = _issue_adder(res, builtins)
    ident = book.identity
    if not ident:
        add("no_identity")
        return
    if unit_codes is not None and ident.get("unit_code") not in unit_codes:
        add("unit_unknown", value=ident.get("unit_code", ""))
    if expected_period and ident.get("period_id") and ident.get("period_id") != expected_period:
        add("period_mismatch", value=ident.get("period_id"), expected=expected_period)
    if expected_plan and ident.get("plan_id") and ident.get("plan_id") != expected_plan:
        add("plan_mismatch", value=ident.get("plan_id"), expected=expected_plan)


NOT_A_RETURN = ("Tệp «{file}» là bảng tính nhưng không phải báo cáo theo mẫu (không có thông "
                "tin nhận dạng và không có tiêu đề biểu mẫu nào nhận ra được); đã bỏ qua.")


def unit_named_by(path: str, codes: set[str]) -> str:
    """The unit code a file's name starts with (the generator names files CODE_slug.xlsx),
    for an archive entry the entry's own name; "" when it names none of ``codes``."""
    base = re.split(r"[/\\]", path.rsplit(" › ", 1)[-1])[-1]
    stem = re.split(r"[_ .]", base, maxsplit=1)[0]
    return stem if stem in codes else ""


def _name_check(res: FileResult, book: Workbook, builtins: dict[str, Rule],
                codes: set[str]) -> None:
    """The content says who sent the file; a name naming another unit is only a warning."""
    code = book.identity.get("unit_code", "")
    named = unit_named_by(res.file, codes)
    if code and named and named != code:
        res.name_unit = named
        who = f"«{code}»" + (f" ({res.unit_name})" if res.unit_name else "")
        _issue_adder(res, builtins)("name_mismatch", value=named, expected=who)


# --- the API ----------------------------------------------------------------------------


@dataclass
class Checked:
    """What a validation run read and found: the report, the workbooks (None where
    unusable, in report order) and each report form's normalised rows (``_f`` is the
    file's index, ``_key`` the row key; column keys hold normalised values)."""

    report: Report
    books: list[Workbook | None]
    rows: dict[str, Stacked]


def validate(paths: Iterable[str | Path], units: Sequence[Unit] | None = None,
             period_id: str | None = None, plan_id: str | None = None,
             catalog: Catalog | None = None, today: date | None = None,
             workers: int | None = None,
             progress: Callable[[int], None] | None = None,
             known_periods: Sequence[str] | None = None) -> Report:
    """Validate files and folders; returns a ``Report`` (never raises for a bad file).

    ``period_id``: the period expected; without it, the most common period in the batch.
    ``units``: when given, each file's unit code must be in it. ``known_periods``: the
    plan's period ids, when the caller has the plan (see ``check_files``).
    """
    return check_files(paths, units, period_id, plan_id, catalog, today, workers,
                       progress, known_periods).report


def check_files(paths: Iterable[str | Path], units: Sequence[Unit] | None = None,
                period_id: str | None = None, plan_id: str | None = None,
                catalog: Catalog | None = None, today: date | None = None,
                workers: int | None = None,
                progress: Callable[[int], None] | None = None,
                known_periods: Sequence[str] | None = None) -> Checked:
    """``validate``, also returning what was read, for merge to aggregate.

    An explicit ``period_id`` that is no period of the plan (``known_periods``; without
    it, the plans the files were made from) is a usage error, not a batch of
    wrong-period files: it is almost always a typo.
    """
    catalog = catalog or load_catalog()
    today = today or date.today()
    from cchc_xlsx.reading.inbox_files import open_inbox

    with open_inbox(list(paths)) as inbox:
        if not inbox.files and not inbox.others and not inbox.broken:
            raise UserError("Không có tệp nào để kiểm tra (.xlsx, .xlsm, .xls, .ods, .zip).")
        return _check(inbox, units, period_id, plan_id, catalog, today, workers, progress,
                      known_periods)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The parent unpickles some hundred objects per file and keeps them all: each automatic
    collection meanwhile walks everything held so far and frees nothing (a sixth of the
    parent's time at 1,000 files, one full collection most of it). Reference counting frees
    as usual; one collection of the young generations afterwards (a few ms) takes what the
    pause let pile up. Workers fork with the collector paused: ``isolation`` turns it back
    on in them. The collector is the process's: checks running at once in the portal's
    threads share one pause, which the last of them to end lifts (if it was on before the
    first began)."""
    with _PAUSE_LOCK:
        if _PAUSE["depth"] == 0:
            _PAUSE["was_on"] = gc.isenabled()
            gc.disable()
        _PAUSE["depth"] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSE["depth"] -= 1
            if _PAUSE["depth"] == 0:
                # before enabling: else the first allocation after it starts a collection
                # of its own; generation 1 also takes the survivors out of the young list
                gc.collect(1)
                if _PAUSE["was_on"]:
                    gc.enable()


_PAUSE_LOCK = threading.Lock()
_PAUSE: dict[str, Any] = {"depth": 0, "was_on": True}  # checks inside the pause, and before


def _check(inbox: Any, units: Sequence[Unit] | None, period_id: str | None,
           plan_id: str | None, catalog: Catalog, today: date, workers: int | None,
           progress: Callable[[int], None] | None,
           known_periods: Sequence[str] | None) -> Checked:
    with _collector_paused():
        return _check_batch(inbox, units, period_id, plan_id, catalog, today, workers,
                            progress, known_periods)


def _check_batch(inbox: Any, units: Sequence[Unit] | None, period_id: str | None,
                 plan_id: str | None, catalog: Catalog, today: date, workers: int | None,
                 progress: Callable[[int], None] | None,
                 known_periods: Sequence[str] | None) -> Checked:
    builtins, _ = _checking_rules(catalog)
    results: list[FileResult] = []
    builders: dict[str, _Batch] = {}

    def consume(fi: int, r: _Read) -> None:
        """Take one file as soon as it is read: its facts, the issues its tables raised
        and its rows, which the worker has already normalised and stacked."""
        res = FileResult(r.path, sha256=r.sha256, mtime=r.mtime)
        results.append(res)
        book = r.book
        if book is None:
            res.usable = False
            res.issues.append(r.error)  # type: ignore[arg-type]
            return
        if not book.identity and not r.forms:
            res.not_return = True
            res.issues.append(Issue(r.path, "file_not_a_return", WARNING, NOT_A_RETURN.format(
                file=r.path)))
            r.book = None
            return
        ident = book.identity
        res.unit_code = ident.get("unit_code", "")
        res.unit_name = ident.get("unit_name", "")
        res.plan_id = ident.get("plan_id", "")
        res.period_id = ident.get("period_id", "")
        res.kind = ident.get("kind", "")
        res.forms = list(r.forms or ())
        res.sheets = list(r.sheets or ())
        res.issues.extend(r.table_issues or ())
        for form_id, part in (r.parts or {}).items():
            builder = builders.get(form_id)
            if builder is None:
                builder = builders[form_id] = _Batch(catalog.forms[form_id])
            builder.extend(fi, part)
        r.parts = None

    if period_id is not None and known_periods is not None:
        _check_period(period_id, known_periods, "kế hoạch")
    names = {str(f.path): (f.name, f.mtime) for f in inbox.files if str(f.path) != f.name}
    reads = read_all([f.path for f in inbox.files], catalog, workers, progress, consume, names,
                     reader=_read_stack)
    books: list[Workbook | None] = [r.book for r in reads]
    if period_id is not None and known_periods is None:
        _check_period_of_batch(period_id, [b for b in books if b])
    if period_id is None:
        periods = Counter(b.identity.get("period_id") for b in books
                          if b and b.identity.get("period_id"))
        period_id = periods.most_common(1)[0][0] if periods else None
    if plan_id is None:
        plans = Counter(b.identity.get("plan_id") for b in books
                        if b and b.identity.get("plan_id"))
        plan_id = plans.most_common(1)[0][0] if plans else None
    unit_codes = {u.code for u in units} if units is not None else None
    named = unit_codes or {b.identity.get("unit_code") for b in books if b} - {None, ""}
    for res, book in zip(results, books, strict=True):
        if book is not None:
            _identity_checks(res, book, builtins, unit_codes, period_id, plan_id)
            _name_check(res, book, builtins, named)
    paths_s = [r.path for r in reads]
    for form_id, builder in builders.items():
        rules = [r for r in catalog.rules_for(form_id) if r.check.kind != "builtin"]
        found = builder.issues + _run_pandera(builder, rules, today, paths_s)
        for fi, issue in found:
            results[fi].issues.append(issue)
        for key in [k for k in builder.records.columns if k.endswith("__raw")]:
            del builder.records.columns[key]  # the text as typed was only for messages
    for name, message in inbox.broken:
        results.append(FileResult(name, usable=False, issues=[
            Issue(name, "file_archive_unusable", ERROR, message)]))
        books.append(None)
    for name, message in inbox.others:
        results.append(FileResult(name, not_return=True, issues=[
            Issue(name, "file_not_a_return", WARNING, message)]))
        books.append(None)
    if progress and (inbox.others or inbox.broken):
        progress(len(inbox.others) + len(inbox.broken))
    for res in results:
        res.issues.sort(key=functools.partial(_issue_order, res.sheets))
    return Checked(Report(results), books,
                   {form_id: b.records for form_id, b in builders.items()})


def _check_period(period_id: str, known: Sequence[str], whose: str) -> None:
    if period_id not in known:
        raise UserError(f"Không có kỳ báo cáo «{period_id}» trong {whose}; các kỳ có: "
                        f"{', '.join(known)} (xem «cchc-xlsx plan show»).")


def _check_period_of_batch(period_id: str, books: Sequence[Workbook]) -> None:
    """The plans' periods, as new templates carry them; for older files, the periods of
    the files themselves (a period no file has and no plan lists is a typo)."""
    listed: list[str] = []
    seen: list[str] = []
    for book in books:
        for p in str(book.identity.get("plan_periods") or "").split(","):
            if p and p not in listed:
                listed.append(p)
        p = book.identity.get("period_id")
        if p and p not in seen:
            seen.append(p)
    if listed:
        _check_period(period_id, listed, "kế hoạch của các tệp")
    elif seen and period_id not in seen:
        raise UserError(f"Không tệp nào là báo cáo kỳ «{period_id}» (các tệp thuộc kỳ: "
                        f"{', '.join(seen)}); hãy kiểm tra lại --period, hoặc thêm --plan để "
                        "đối chiếu với các kỳ của kế hoạch.")


def _iso(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _issue_order(sheets: list[str], issue: Issue) -> tuple:
    """Whole-file findings first, then sheet by sheet in the workbook's own order (as the
    clerk sees the tabs), then row by row."""
    m = re.match(r"([A-Z]+)(\d+)", issue.cell or "")
    row = int(m.group(2)) if m else 0
    col = len(m.group(1)) * 100 + ord(m.group(1)[-1]) if m else 0
    place = (-1 if not issue.sheet else sheets.index(issue.sheet) if issue.sheet in sheets
             else len(sheets))
    return (place, issue.sheet, row, col, issue.rule_id)


__all__ = ["validate", "check_files", "expand_paths", "Checked", "Stacked"]
