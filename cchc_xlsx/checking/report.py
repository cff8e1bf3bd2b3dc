"""What validation found, per file, in a form both people and programs can read.

``Issue`` is the unit of every result: which file, sheet and cell, which rule, how severe,
the value found and a Vietnamese sentence saying what is expected. The JSON form is a
stable, documented schema (docs/validate-json.md) that a future web page can rely on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
SEVERITY_VI = {ERROR: "lỗi", WARNING: "cảnh báo"}
JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Issue:
    """One problem at one place. ``cell`` is "" when it concerns the whole file or sheet."""

    file: str
    rule_id: str
    severity: str  # ERROR | WARNING
    message: str  # one Vietnamese sentence: what is wrong and what to do
    sheet: str = ""
    cell: str = ""  # "E14"
    value: str | None = None  # the value found, as text
    form_id: str = ""
    row_key: str = ""

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet


@dataclass
class FileResult:
    """The outcome for one file: what it is (when it could be read) and its issues."""

    file: str
    usable: bool = True
    unit_code: str = ""
    unit_name: str = ""
    plan_id: str = ""
    period_id: str = ""
    kind: str = ""  # "unit" | "consolidation" | "issuer" | "" (no identity)
    forms: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # the forms' sheets, in workbook order
    issues: list[Issue] = field(default_factory=list)
    not_return: bool = False  # a document, picture or spreadsheet that is not our form
    sha256: str = ""  # of the bytes read: identical copies are one submission
    mtime: float | None = None  # the file's own modification time
    name_unit: str = ""  # the unit the file's name names, when not the one inside

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)

    @property
    def valid(self) -> bool:
        return self.usable and not self.not_return and self.errors == 0


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return [i for f in self.files for i in f.issues]

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 errors found, 2 an unusable file (or no return at
        all). Files that are not returns (documents, pictures, other spreadsheets) are
        listed but change nothing."""
        if any(not f.usable for f in self.files) or all(f.not_return for f in self.files):
            return 2
        return 1 if any(f.errors for f in self.files) else 0

    def flat(self) -> list[tuple[str, str, str]]:
        """[(sheet, cell, rule_id), …]: the shape tests assert on."""
        return [(i.sheet, i.cell, i.rule_id) for i in self.issues]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "summary": {
                "files": len(self.files),
                "valid": sum(1 for f in self.files if f.valid),
                "with_errors": sum(1 for f in self.files if f.usable and f.errors),
                "not_returns": sum(1 for f in self.files if f.not_return),
                "unusable": sum(1 for f in self.files if not f.usable),
                "errors": sum(f.errors for f in self.files if not f.not_return),
                "warnings": sum(f.warnings for f in self.files if not f.not_return),
            },
            "files": [
                {
                    "file": f.file, "usable": f.usable, "valid": f.valid,
                    "not_a_return": f.not_return,
                    "unit_code": f.unit_code, "unit_name": f.unit_name, "plan_id": f.plan_id,
                    "period_id": f.period_id, "kind": f.kind, "forms": f.forms,
                    "errors": f.errors, "warnings": f.warnings,
                    "issues": [
                        {k: v for k, v in asdict(i).items() if k != "file"}
                        | {"severity_vi": SEVERITY_VI[i.severity]}
                        for i in f.issues
                    ],
                }
                for f in self.files
            ],
        }


@dataclass(frozen=True)
class IssueLine:
    """Identical findings (same sheet, rule, severity, message and value) as one line for
    people: "D17:M19" and a count instead of twenty-four lines saying the same thing. The
    JSON output keeps every finding; this is only how they are shown."""

    sheet: str
    cells: str  # "D17:M19", "E14:E47, G20", or "" for a whole-file or whole-sheet finding
    count: int  # how many cells
    severity: str
    rule_id: str
    message: str
    value: str | None


_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def cell_ranges(cells: Sequence[str]) -> str:
    """"D17", "E17", …, "M19" → "D17:M19": rows sharing the same columns form one block
    (rows in between that are not listed, such as a group's heading row, do not split it);
    a computed column skipped inside a row is left out of the count, not of the block."""
    rows: dict[int, set[str]] = {}
    odd: list[str] = []
    for cell in cells:
        m = _CELL.match(cell)
        if m:
            rows.setdefault(int(m.group(2)), set()).add(m.group(1))
        elif cell not in odd:
            odd.append(cell)
    blocks: list[tuple[frozenset[str], list[int]]] = []
    for row in sorted(rows):
        cols = frozenset(rows[row])
        if blocks and blocks[-1][0] == cols:
            blocks[-1][1].append(row)
        else:
            blocks.append((cols, [row]))
    parts = []
    for cols, listed in blocks:
        ordered = sorted(cols, key=_col_number)
        span = _col_number(ordered[-1]) - _col_number(ordered[0]) + 1
        whole = span == len(ordered) and listed[-1] - listed[0] + 1 == len(listed)
        if not whole and len(ordered) * len(listed) <= 3:  # "G17, G23", not "G17:G23"
            parts.extend(f"{c}{r}" for r in listed for c in ordered)
            continue
        a, b = f"{ordered[0]}{listed[0]}", f"{ordered[-1]}{listed[-1]}"
        parts.append(a if a == b else f"{a}:{b}")
    return ", ".join(parts + odd)


def grouped(issues: Sequence[Issue]) -> list[IssueLine]:
    """``issues`` (in their order) with identical findings on several cells merged into
    one line, placed where the first of them was."""
    order: list[tuple] = []
    cells: dict[tuple, list[str]] = {}
    for i in issues:
        key = (i.sheet, i.severity, i.rule_id, i.message, i.value if i.cell else None,
               "" if i.cell else id(i))
        if key not in cells:
            order.append(key)
            cells[key] = []
        if i.cell:
            cells[key].append(i.cell)
    out = []
    for key in order:
        sheet, severity, rule_id, message, value, _ = key
        found = cells[key]
        out.append(IssueLine(sheet, cell_ranges(found), len(found), severity, rule_id,
                             message, value))
    return out


def to_text(report: Report) -> str:
    """Grouped by file and sheet: cell, severity, the message, the value found, the rule."""
    lines: list[str] = []
    for f in report.files:
        who = f" — {f.unit_name} ({f.unit_code})" if f.unit_code else ""
        period = f", kỳ {f.period_id}" if f.period_id else ""
        if f.not_return:
            lines.append(f"– {f.file}: không phải báo cáo theo mẫu, bỏ qua")
        elif not f.usable:
            lines.append(f"✗ {f.file}: không dùng được")
        elif f.errors:
            lines.append(f"✗ {f.file}{who}{period}: {f.errors} lỗi, {f.warnings} cảnh báo")
        else:
            note = f" ({f.warnings} cảnh báo)" if f.warnings else ""
            lines.append(f"✓ {f.file}{who}{period}: hợp lệ{note}")
        sheet = None
        for i in grouped(f.issues):
            if i.sheet != sheet:
                sheet = i.sheet
                lines.append(f"  Trang «{sheet}»:" if sheet else "  Toàn tệp:")
            shown = i.value not in (None, "") and f"{i.value}" not in i.message
            value = f" (giá trị: «{i.value}»)" if shown else ""
            cell = i.cells or "-"
            count = f" ({i.count} ô)" if i.count > 1 else ""
            lines.append(f"    {cell:<6} {SEVERITY_VI[i.severity]:<9} {i.message}{value}"
                         f"{count} [{i.rule_id}]")
    s = report.to_dict()["summary"]
    lines.append("")
    others = (f" ({s['not_returns']} tệp khác không phải báo cáo theo mẫu, đã bỏ qua)"
              if s["not_returns"] else "")
    lines.append(f"Đã kiểm tra {s['files'] - s['not_returns']} tệp: {s['valid']} hợp lệ, "
                 f"{s['with_errors']} có lỗi, {s['unusable']} không dùng được; tổng "
                 f"{s['errors']} lỗi, {s['warnings']} cảnh báo{others}.")
    return "\n".join(lines)
