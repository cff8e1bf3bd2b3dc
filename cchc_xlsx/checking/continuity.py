"""Checks across periods: a return against the same unit's previous return.

What was "đang giải quyết" (11) at the end of one period is what the next one carries over
"từ kỳ trước" (6); a task reported done does not go back to "Chưa thực hiện". Neither is
certain (a file can be withdrawn, a task can recur), so both are warnings, and each names
the earlier file so the school can compare the two.

The earlier returns come from the submission history (``validate --db``); this module only
compares two files it is given, so it does not depend on the history's storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cchc_xlsx.checking.report import FileResult, Issue
from cchc_xlsx.forms.specs import Catalog, Rule
from cchc_xlsx.reading.normalize import fold, parse_number
from cchc_xlsx.reading.reader import Workbook, read_workbook

_DONE, _NOT_STARTED = fold("Đã hoàn thành"), fold("Chưa thực hiện")


def _iso(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _read(path: str, catalog: Catalog) -> Workbook | None:
    try:
        return read_workbook(path, catalog)
    except Exception:  # noqa: BLE001 - an earlier file that no longer reads is simply skipped
        return None


def previous_return(current: Workbook, earlier: Sequence[str | Path],
                    catalog: Catalog) -> Workbook | None:
    """Of the unit's earlier returns (same plan), the one whose period ends last before
    this period starts: the previous period's return. Cumulative periods that start
    together ("6 tháng", "năm") have none, and are not checked."""
    start = _iso(current.identity.get("period_start"))
    if start is None:
        return None
    best: tuple[date, Workbook] | None = None
    for path in earlier:
        book = _read(str(path), catalog)
        if book is None or book.identity.get("unit_code") != current.identity.get("unit_code"):
            continue
        if book.identity.get("plan_id") != current.identity.get("plan_id"):
            continue
        end = _iso(book.identity.get("period_end"))
        if end is not None and end < start and (best is None or end > best[0]):
            best = (end, book)
    return best[1] if best else None


def continuity_issues(result: FileResult, current: Workbook, previous: Workbook,
                      builtins: dict[str, Rule]) -> list[Issue]:
    """Warnings for ``current`` against ``previous`` (both read with their tables)."""
    out: list[Issue] = []
    found = f"tệp «{previous.path}», kỳ {previous.identity.get('period_id', '')}"

    def add(name: str, table: Any, row: Any, column: str, value: str, expected: str) -> None:
        rule = builtins.get(name)
        if rule is None:
            return
        message = rule.message.format_map({"value": value, "expected": expected,
                                           "found": found, "key": row.key})
        out.append(Issue(result.file, rule.id, rule.severity, message, table.sheet,
                         table.cell(row, column), value, table.form_id, row.key))

    now, before = current.tables.get("report_tthc"), previous.tables.get("report_tthc")
    if now is not None and before is not None:
        carried = {r.key: r for r in before.rows}
        for row in now.rows:
            prev = carried.get(row.key)
            if prev is None:
                continue
            c6 = parse_number(row.values.get("c6")) if row.values.get("c6") not in (None, "") \
                else 0.0
            p = prev.values
            c11 = p.get("c11")
            if c11 in (None, ""):  # a formula without a cached value: recompute it
                c11 = sum(parse_number(p.get(c)) or 0.0 for c in ("c12", "c13")
                          if p.get(c) not in (None, ""))
            else:
                c11 = parse_number(c11)
            if c6 is None or c11 is None or abs(c6 - c11) < 1e-9:
                continue
            add("carried_over", now, row, "c6", _n(c6), _n(c11))
    now, before = current.tables.get("report_tasks"), previous.tables.get("report_tasks")
    if now is not None and before is not None:
        was = {r.key: fold(str(r.values.get("status") or "")) for r in before.rows}
        for row in now.rows:
            status = str(row.values.get("status") or "").strip()
            if was.get(row.key) == _DONE and fold(status) == _NOT_STARTED:
                add("task_undone", now, row, "status", status, "Đã hoàn thành")
    return out


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_continuity(results: Sequence[FileResult],
                     earlier_of: Any, catalog: Catalog) -> int:
    """Add the continuity warnings to each unit return of ``results``; ``earlier_of(plan,
    unit, period)`` lists the unit's current earlier files (from the history). Returns how
    many warnings were added."""
    builtins = {r.check.expr: r for r in catalog.rules if r.check.kind == "builtin"}
    added = 0
    for res in results:
        if not res.usable or not res.unit_code or res.kind != "unit" or not res.period_id:
            continue
        earlier = [p for p in earlier_of(res.plan_id, res.unit_code, res.period_id)
                   if Path(p).is_file() and Path(p).resolve() != Path(res.file).resolve()]
        if not earlier:
            continue
        current = _read(res.file, catalog)
        if current is None:
            continue
        previous = previous_return(current, earlier, catalog)
        if previous is None:
            continue
        found = continuity_issues(res, current, previous, builtins)
        res.issues.extend(found)
        added += len(found)
    return added
