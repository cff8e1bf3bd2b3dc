"""Find an appendix table by its header row, and what each column holds.

Offices word the headers in many ways ("Nhiệm vụ cụ thể", "Nội dung nhiệm vụ", "Cơ quan
chủ trì", "Đơn vị chủ trì thực hiện", "Thời gian hoàn thành", "Thời hạn"), so a header is
recognised by key words in its folded text (accents kept, case and spacing ignored), not
by exact spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc_xlsx.plan_import.document import Cell
from cchc_xlsx.reading.normalize import fold

# role -> patterns on the folded header text; the first role that matches wins, in order.
# Each role is named by its meaning and its usual synonyms: who leads ("chủ trì", "phụ
# trách", "bộ phận/đơn vị/cơ quan thực hiện"), when ("thời gian", "thời hạn", "tiến độ"),
# what comes out ("sản phẩm", "kết quả"). "Thời gian thực hiện" is a deadline, so the
# deadline words are tried before the generic "… thực hiện" of a lead.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern)) for role, pattern in (
        ("stt", r"^(stt|tt|số tt|số thứ tự|thứ tự)\.?$"),
        ("group", r"nhiệm vụ chung|lĩnh vực|nhóm nhiệm vụ"),
        ("targets", r"chỉ tiêu cần đạt|mục tiêu cần đạt"),
        ("criterion", r"^tiêu chí"),
        ("lead", r"chủ trì|phụ trách|chịu trách nhiệm"),
        ("coordinating", r"phối hợp"),
        ("product", r"sản phẩm|kết quả (đầu ra|dự kiến)"),
        ("deadline", r"thời gian|thời hạn|tiến độ|^hạn (hoàn thành|thực hiện)|^mốc"),
        ("note", r"^ghi chú"),
        ("task", r"nhiệm vụ|^nội dung(?! chỉ tiêu)|^công việc|giải pháp|hoạt động"),
        ("indicator", r"chỉ tiêu"),
        ("lead", r"^(bộ phận|đơn vị|cơ quan|người|phòng|cá nhân)( \S+)? thực hiện$"
                 r"|^(người|đơn vị|bộ phận) (đảm nhận|đảm nhiệm)$"),
    )
)

ROLE_NAMES = {"stt": "STT", "task": "nhiệm vụ", "product": "sản phẩm", "lead": "chủ trì",
              "coordinating": "phối hợp", "deadline": "thời hạn", "note": "ghi chú",
              "indicator": "chỉ tiêu", "targets": "chỉ tiêu cần đạt", "criterion": "tiêu chí",
              "group": "nhóm nhiệm vụ"}


@dataclass
class Header:
    kind: str  # "tasks", "indicators" or "roadmap"
    columns: dict[str, int]  # role -> column index
    signature: tuple[str, ...]  # the roles in column order, to spot a repeated header
    sub_roles: frozenset[str] = frozenset()  # roles of a second header row, if any
    names: dict[int, str] = field(default_factory=dict)  # column -> header text as printed
    unknown: dict[int, str] = field(default_factory=dict)  # columns with no role

    def repeats(self, row: list[Cell]) -> bool:
        """Is ``row`` this header (or its second row) repeated on a new page?"""
        again = header_of(row)
        if again is not None and again.kind == self.kind:
            return True
        return bool(self.sub_roles) and is_sub_header(row) and \
            frozenset(roles(row)) == self.sub_roles


def role_of(text: str) -> str | None:
    """The role a header cell's words name, or None."""
    key = " ".join(fold(text.replace("\n", " ")).split()).strip(" :.()")
    if len(key) > 80:
        return None  # a sentence, not a header
    for role, pattern in _ROLES:
        if pattern.search(key):
            return role
    return None


def roles(row: list[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        if cell.left or cell.above or not cell.text:
            continue
        role = role_of(cell.text)
        if role is not None:
            found.setdefault(role, i)
    return found


def _names(row: list[Cell]) -> dict[int, str]:
    return {i: " ".join(c.text.split()) for i, c in enumerate(row)
            if c.text and not c.left and not c.above}


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
    names = _names(row)
    used = set(found.values())
    unknown = {i: t for i, t in names.items() if i not in used}
    return Header(kind, found, signature, names=names, unknown=unknown)


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
