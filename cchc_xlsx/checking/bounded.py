"""A file's findings, bounded: the first few hundred in full, the rest summarised.

A return holds a few hundred cells to check; a file with thousands of findings is a hostile
or broken one (8,000 pasted rows gave 16,000 findings, 25 MB of JSON per receipt, a 33 MB
page and a 20 MB annotated copy). Everything that stores or shows findings (the portal's
receipts and pages, the annotated copy) keeps ``MAX_LISTED`` of them as they are and, for
the rest, one line per rule and sheet: how many, from which cell to which. Counts (errors,
warnings) always stay whole: a summary never makes a file look better than it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_LISTED = 300
MAX_VALUE = 200  # characters of a found value kept for showing
MAX_MESSAGE = 600

_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


@dataclass
class Summary:
    """Findings beyond the listed ones, of one rule on one sheet."""

    rule_id: str
    severity: str
    sheet: str
    count: int
    first: str  # first and last cell (by row, then column), "" when none
    last: str
    message: str  # the first one's message, as an example

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "severity": self.severity, "sheet": self.sheet,
                "count": self.count, "first": self.first, "last": self.last,
                "message": self.message}

    @property
    def sentence(self) -> str:
        """One Vietnamese line for a page or a sheet."""
        where = f"trang «{self.sheet}»" if self.sheet else "toàn tệp"
        cells = (f", từ ô {self.first} đến ô {self.last}" if self.first and self.last
                 and self.first != self.last else f", ô {self.first}" if self.first else "")
        return (f"Còn {self.count} mục cùng quy tắc «{self.rule_id}» ở {where}{cells} "
                f"(ví dụ: {self.message})")


def _order(cell: str) -> tuple[int, int]:
    m = _CELL.match(cell or "")
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


def bound(issues: Sequence[Any], limit: int = MAX_LISTED) -> tuple[list[Any], list[Summary]]:
    """(the first ``limit`` issues, summaries of the rest by rule and sheet)."""
    shown = list(issues[:limit])
    groups: dict[tuple[str, str, str], Summary] = {}
    for issue in issues[limit:]:
        key = (issue.rule_id, issue.severity, issue.sheet)
        s = groups.get(key)
        if s is None:
            groups[key] = Summary(issue.rule_id, issue.severity, issue.sheet, 1, issue.cell,
                                  issue.cell, clip(issue.message, MAX_MESSAGE))
            continue
        s.count += 1
        if issue.cell:
            if not s.first or _order(issue.cell) < _order(s.first):
                s.first = issue.cell
            if not s.last or _order(issue.cell) > _order(s.last):
                s.last = issue.cell
    return shown, list(groups.values())


def clip(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, saying so."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…"
