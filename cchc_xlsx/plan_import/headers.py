"""Find an appendix table by its header row, and what each column holds.

Offices word the headers in many ways ("Nhiệm vụ cụ thể", "Nội dung nhiệm vụ", "Cơ quan
chủ trì", "Đơn vị chủ trì thực hiện", "Thời gian hoàn thành", "Thời hạn"), so a header is
recognised by key words in its folded text (accents kept, case and spacing ignored), not
by exact spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc_xlsx.plan_import.document import Cell
from cchc_xlsx.reading.normalize import fold

# role -> patterns on the folded header text; the first role that matches wins, in order
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern)) for role, pattern in (
        ("stt", r"^(stt|tt|số tt|số thứ tự|thứ tự)\.?$"),
        ("group", r"nhiệm vụ chung|lĩnh vực|nhóm nhiệm vụ"),
        ("targets", r"chỉ tiêu cần đạt|mục tiêu cần đạt"),
        ("criterion", r"^tiêu chí"),
        ("lead", r"chủ trì"),
        ("coordinating", r"phối hợp"),
        ("product", r"sản phẩm|kết quả (đầu ra|dự kiến)"),
        ("deadline", r"thời gian|thời hạn|tiến độ"),
        ("task", r"nhiệm vụ|nội dung( công việc)?$|^công việc|giải pháp"),
        ("indicator", r"chỉ tiêu"),
    )
)


@dataclass
class Header:
    kind: str  # "tasks", "indicators" or "roadmap"
    columns: dict[str, int]  # role -> column index
    signature: tuple[str, ...]  # the roles in column order, to spot a repeated header
    sub_roles: frozenset[str] = frozenset()  # roles of a second header row, if any

    def repeats(self, row: list[Cell]) -> bool:
        """Is ``row`` this header (or its second row) repeated on a new page?"""
        again = header_of(row)
        if again is not None and again.kind == self.kind:
            return True
        return bool(self.sub_roles) and is_sub_header(row) and \
            frozenset(roles(row)) == self.sub_roles


def roles(row: list[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        if cell.left or cell.above or not cell.text:
            continue
        key = fold(cell.text.replace("\n", " ")).strip(" :.")
        if len(key) > 80:
            continue  # a sentence, not a header
        for role, pattern in _ROLES:
            if pattern.search(key):
                found.setdefault(role, i)
                break
    return found


def header_of(row: list[Cell]) -> Header | None:
    """The header this row is, or None."""
    found = roles(row)
    if "task" in found and ("product" in found or "deadline" in found or "lead" in found):
        kind = "tasks"
    elif "criterion" in found and ("targets" in found or "indicator" in found):
        if "targets" not in found:
            found["targets"] = found.pop("indicator")
        kind = "roadmap"
    elif "indicator" in found and ("stt" in found or "lead" in found):
        kind = "indicators"
    else:
        return None
    signature = tuple(role for role, _ in sorted(found.items(), key=lambda x: x[1]))
    return Header(kind, found, signature)


def is_sub_header(row: list[Cell]) -> bool:
    """A second header row: only short header words ("Chủ trì", "Phối hợp"), at least two
    of them, and nothing that looks like data."""
    found = roles(row)
    if len(found) < 2 or "stt" in found:
        return False
    texts = [c.text for c in row if c.text and not c.left and not c.above]
    return len(texts) == len(found) and all(len(t) < 40 for t in texts)


_NUMBER_CELL = re.compile(r"^\(?\d{1,2}\)?$")


def is_column_numbers(row: list[Cell]) -> bool:
    """The "(1) (2) (3)" row some tables carry under their header."""
    texts = [c.text for c in row if c.text and not c.left]
    return len(texts) >= 3 and all(_NUMBER_CELL.match(t) for t in texts)
