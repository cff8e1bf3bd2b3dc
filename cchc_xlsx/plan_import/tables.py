"""Turn recognised appendix tables into tasks, indicators and roadmap phases.

The rules follow how offices build these tables in Word and Excel:

* a row with a number (STT) starts a task; "1.1", "1.1.", "1.10" and "1)" are all read as
  written, without the trailing dot or bracket ("1.10" never becomes "1.1");
* a row without a number whose task cell is merged with the one above (or left empty)
  is one more product row of the same task (004's task 3), with its own deadline and
  units; a lead or partner merged down over several rows belongs to each of them;
* a row without a number whose task cell has its own text is the rest of a row cut by a
  page break: each of its cells is joined to the row above, and the join is reported;
* a repeated header row, a "(1) (2) (3)" row and blank rows are skipped;
* a group is a row whose only text is its title (merged across or with empty cells, often
  bold), or a "Nhiệm vụ chung" column, merged down or written once per group.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from cchc_xlsx.model import Area, Criterion, Indicator, Phase, Product, Task, scope_task_ids
from cchc_xlsx.plan_import.document import Cell, Table
from cchc_xlsx.plan_import.headers import ROLE_NAMES, Header, is_column_numbers
from cchc_xlsx.plan_import.review import Review
from cchc_xlsx.plans.phrases import find_target, parse_deadline, parse_target
from cchc_xlsx.plans.plan_loader import default_measure

_STT = re.compile(r"^(?:(?P<num>\d{1,3}(?:\.\d{1,3})*)[.)]?|(?P<roman>[IVXL]{1,5})[.)]?"
                  r"|(?P<letter>[a-zđA-ZĐ])[.)]|(?P<upper>[A-ZĐ])|(?P<bullet>[-+•]))$")
_PHASE = re.compile(r"^(?:[A-H]|[IVX]{1,4})$")
_LEADING_NUMBER = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:[.)]\s*|\s+)(?=\S)")
# a group title with its own mark typed in front: "A. Công tác …", "II. Cải cách …", "3) …"
_LEADING_MARK = re.compile(r"^(?:(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:[.)]\s*|\s+)"
                           r"|(?P<mark>[IVXL]{1,5}|[A-ZĐ])[.)]\s*)(?=\S)")


def split_mark(text: str) -> tuple[str, str] | None:
    """("A", "Công tác …") from "A. Công tác …", or None when there is no leading mark."""
    m = _LEADING_MARK.match(text)
    if not m:
        return None
    return m.group("num") or m.group("mark"), text[m.end():]


def clean_stt(text: str) -> str | None:
    """The STT as printed without its trailing dot or bracket, or None if it is not one."""
    text = text.strip()
    m = _STT.match(text)
    if not m:
        return None
    for kind in ("num", "roman", "letter", "upper", "bullet"):
        if m.group(kind):
            return m.group(kind)
    return None


def _join(before: str, after: str) -> str:
    if not before:
        return after
    if not after:
        return before
    return before + ("\n" if after.startswith("- ") else " ") + after


def _cell(row: list[Cell], cols: dict[str, int], role: str) -> Cell:
    i = cols.get(role)
    return row[i] if i is not None and i < len(row) else Cell()


def _val(cell: Cell) -> str:
    """The cell's value: a copy from a neighbour merged across is no value of its own."""
    return "" if cell.left else cell.text


def _own(cell: Cell) -> str:
    """The cell's own text: empty when it only continues a merged neighbour."""
    return "" if cell.above or cell.left else cell.text


@dataclass
class _Task:
    stt: str
    content: str
    where: str
    products: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Area:
    stt: str
    title: str
    tasks: list[_Task] = field(default_factory=list)


class ColumnLedger:
    """What each column of an appendix held, so a column that is not part of a plan (Ghi
    chú, Kinh phí) or a role that came out empty is a review line, never lost in silence."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.columns: dict[str, dict] = {}  # header text -> role, column, rows with text

    def add(self, header: Header, row: list[Cell], where: str) -> None:
        for col, name in header.names.items():
            role = next((r for r, c in header.columns.items() if c == col), None)
            info = self.columns.setdefault(name, {"role": role, "rows": [], "col": col})
            cell = row[col] if col < len(row) else Cell()
            if cell.text and not cell.left and not (cell.above and role is None):
                info["rows"].append((where, cell.text))

    def report(self, label: str) -> None:
        """One review line per column left out (with content) and per role found empty."""
        for name, info in self.columns.items():
            role, rows = info["role"], info["rows"]
            if role in (None, "note") and rows:
                first_where, first_text = rows[0]
                short = first_text.replace("\n", " ")
                short = short if len(short) <= 60 else short[:57] + "…"
                self.review.doubt(label, f"cột «{name}» (cột {info['col'] + 1}) không thuộc "
                                  f"mẫu kế hoạch nên không được nhập; nó có nội dung ở "
                                  f"{len(rows)} dòng (đầu tiên {first_where}: «{short}»)")
            elif role not in (None, "note", "stt", "group") and not rows:
                self.review.doubt(label, f"cột «{name}» (vai trò {ROLE_NAMES.get(role, role)}) "
                                  "để trống ở mọi dòng")


class TaskParser:
    """Collects the task rows of one appendix, possibly over several tables."""

    def __init__(self, review: Review, year: int | None) -> None:
        self.review = review
        self.year = year
        self.areas: list[_Area] = []
        self.task: _Task | None = None
        self.column_layout = False
        self.seen: dict[str, str] = {}  # STT -> where, in the whole appendix
        self.ledger = ColumnLedger(review)
        self.task_doubts: list[tuple[int, int]] = []  # (index in review, group index)

    def _mark_task_doubt(self) -> None:
        """Remember the group of the task doubt just written: if the numbering restarts in
        each group, its anchor becomes the task's key ("B.1"), not the bare STT."""
        self.task_doubts.append((len(self.review.doubts) - 1, max(0, len(self.areas) - 1)))

    def feed(self, table: Table, header: Header, start: int) -> None:
        cols = header.columns
        self.column_layout = self.column_layout or "group" in cols
        for r in range(start, len(table.rows)):
            row = table.rows[r]
            where = f"{table.label}, {table.row_labels[r]}"
            if not any(c.text for c in row) or is_column_numbers(row):
                continue
            if header.repeats(row):
                continue  # the header repeated on a new page
            self._row(row, cols, where)
            self.ledger.add(header, row, where)

    def column_review(self, label: str) -> None:
        self.ledger.report(label)

    def _row(self, row: list[Cell], cols: dict[str, int], where: str) -> None:
        stt_cell, task_cell = _cell(row, cols, "stt"), _cell(row, cols, "task")
        group_cell = _cell(row, cols, "group")
        fields = {k: _cell(row, cols, k) for k in ("product", "deadline", "lead",
                                                   "coordinating")}
        stt_text = _own(stt_cell)
        content = _own(task_cell)
        stt = clean_stt(stt_text) if stt_text else None
        if stt_text and stt is None and "stt" in cols and not content:
            # a title typed into the STT cell and merged across the row
            stt, content = split_mark(stt_text) or ("", stt_text)
            task_cell = Cell(content, stt_cell.bold)
        elif stt_text and stt is None:
            self.review.doubt(where, f"số thứ tự «{stt_text}» không đọc được; đã giữ "
                              "nguyên dòng như một nhiệm vụ")
            stt = stt_text
        if "stt" not in cols and content:
            m = _LEADING_NUMBER.match(content)
            if m:
                stt, content = m.group("num"), content[m.end():]
        others_empty = not any(_own(c) or (c.above and c.text) for c in fields.values())

        # group rows (numbered layout) and the group column (merged layout)
        if "group" in cols:
            title = _own(group_cell)
            if title and (stt is not None or not self.task or task_cell.above):
                self._new_area("", title)
            elif title and self.task is not None and content and stt is None:
                self.areas[-1].title = _join(self.areas[-1].title, title)
                title = ""  # joined below as part of the page-split row
        elif content and others_empty and (
                task_cell.bold or _is_group_stt(stt)
                or (not stt and all(c.left for c in fields.values()))):
            if not stt and split_mark(content):
                stt, content = split_mark(content)  # "A. Công tác …" in the task column
            self._new_area(stt or "", content)
            self.task = None
            return

        if stt and stt_cell.number and stt in self.seen and stt + "0" not in self.seen:
            self.review.doubt(where, f"STT «{stt}» bị Excel lưu thành số và trùng với "
                              f"{self.seen[stt]}; đã đọc là «{stt}0» (hãy định dạng cột STT là "
                              "Văn bản)", "task", stt + "0")
            self._mark_task_doubt()
            stt += "0"
        if stt is not None and content:
            self._new_task(stt, content, fields, where)
        elif stt is not None and not content:
            self.review.doubt(where, f"nhiệm vụ số {stt} không có nội dung", "task", stt)
            self._mark_task_doubt()
            self._new_task(stt, "", fields, where)
        elif self.task is None:
            if content or not others_empty:
                self.review.doubt(where, "dòng không có số thứ tự đứng trước nhiệm vụ đầu "
                                  "tiên; đã bỏ qua")
        elif content:  # the rest of a row cut by a page break
            self.task.content = _join(self.task.content, content)
            last = self.task.products[-1]
            for key, cell in fields.items():
                last[key] = _join(last[key], _own(cell))
            self.review.doubt(where, f"dòng không có số thứ tự, đã nối vào nhiệm vụ "
                              f"{self.task.stt} (hàng bị ngắt trang?)", "task", self.task.stt)
            self._mark_task_doubt()
        elif not others_empty:  # one more product row of the same task
            self.task.products.append({k: _val(c) for k, c in fields.items()})

    def _new_area(self, stt: str, title: str) -> None:
        self.areas.append(_Area(stt, title))
        self.task = None

    def _new_task(self, stt: str, content: str, fields: dict[str, Cell], where: str) -> None:
        if not self.areas:
            self.areas.append(_Area("", ""))
        if any(t.stt == stt for t in self.areas[-1].tasks):
            self.review.doubt(where, f"số thứ tự nhiệm vụ «{stt}» trùng với "
                              f"{self.seen[stt]} trong cùng nhóm", "task", stt)
            self._mark_task_doubt()
        self.seen.setdefault(stt, where)
        self.task = _Task(stt, content, where, [{k: _val(c) for k, c in fields.items()}])
        self.areas[-1].tasks.append(self.task)

    def result(self, fallback_title: str, where: str) -> tuple[Area, ...]:
        areas = []
        for a in self.areas:
            if not a.tasks:
                self.review.doubt(where, f"nhóm «{a.title}» không có nhiệm vụ nào")
                continue
            title = a.title
            if not title:
                title = fallback_title or "Nhiệm vụ"
                self.review.doubt(where, "bảng nhiệm vụ không chia nhóm; đã đặt tên nhóm "
                                  f"«{title}»", "area", title)
            areas.append(Area(stt=a.stt, title=title, tasks=tuple(
                Task(stt=t.stt, content=t.content, area_stt=a.stt, products=tuple(
                    Product(product=p["product"], deadline=parse_deadline(p["deadline"],
                                                                          self.year),
                            lead=p["lead"], coordinating=p["coordinating"])
                    for p in t.products))
                for t in a.tasks)))
        scoped = scope_task_ids(tuple(areas))
        if any(t.uid for a in scoped for t in a.tasks):
            kept = [id(a) for a in self.areas if a.tasks]
            for at, group in self.task_doubts:
                d = self.review.doubts[at]
                if group < len(self.areas) and id(self.areas[group]) in kept:
                    g = kept.index(id(self.areas[group]))
                    mark = scoped[g].stt or str(g + 1)
                    self.review.doubts[at] = dataclasses.replace(
                        d, anchor=("task", f"{mark}.{d.anchor[1]}"))
        return scoped


def _is_group_stt(stt: str | None) -> bool:
    """A row with only a title is a group when its number is a top level one. Without a
    number it is a group only when bold or merged across the row; otherwise it is the rest
    of a task cut by a page break (seed 001's task 4.1)."""
    return bool(stt) and "." not in stt and stt not in "-+•"


@dataclass
class _Row:
    stt: str
    text: str
    lead: str
    coordinating: str
    bold: bool
    where: str
    extra: str = ""  # roadmap: the targets cell


def _plain_rows(table: Table, header: Header, start: int, text_role: str,
                review: Review, phases: bool = False) -> list[_Row]:
    cols = header.columns
    rows: list[_Row] = []
    ledger = ColumnLedger(review)
    _plain(table, header, start, text_role, review, phases, cols, rows, ledger)
    ledger.report(table.label)
    return rows


def _plain(table: Table, header: Header, start: int, text_role: str, review: Review,
           phases: bool, cols: dict[str, int], rows: list[_Row], ledger: ColumnLedger) -> None:
    for r in range(start, len(table.rows)):
        row = table.rows[r]
        where = f"{table.label}, {table.row_labels[r]}"
        if not any(c.text for c in row) or is_column_numbers(row):
            continue
        if header.repeats(row):
            continue
        ledger.add(header, row, where)
        stt_text = _own(_cell(row, cols, "stt"))
        text_cell = _cell(row, cols, text_role)
        text = _own(text_cell)
        stt = clean_stt(stt_text) if stt_text else None
        if phases and stt is None and _PHASE.match(stt_text.rstrip(".)")):
            stt = stt_text.rstrip(".)")
        if stt_text and stt is None:
            m = _LEADING_NUMBER.match(stt_text)
            if not text and m:
                stt, text = m.group("num"), stt_text[m.end():]
            else:
                stt = stt_text
                review.doubt(where, f"số thứ tự «{stt_text}» không đọc được")
        if "stt" not in cols and text:
            m = _LEADING_NUMBER.match(text)
            if m:
                stt, text = m.group("num"), text[m.end():]
        lead, coord = _cell(row, cols, "lead"), _cell(row, cols, "coordinating")
        extra = _cell(row, cols, "targets")
        if stt is None and text and rows:
            last = rows[-1]
            last.text = _join(last.text, text)
            last.lead = _join(last.lead, _own(lead))
            last.coordinating = _join(last.coordinating, _own(coord))
            last.extra = _join(last.extra, _own(extra))
            review.doubt(where, f"dòng không có số thứ tự, đã nối vào dòng «{last.stt}» "
                         "(hàng bị ngắt trang?)", "row", last.stt)
            continue
        if stt is None and not text:
            if rows and (_own(extra) or _own(lead) or _own(coord)):
                last = rows[-1]
                last.extra = _join(last.extra, _own(extra))
                last.lead = _join(last.lead, _own(lead))
                last.coordinating = _join(last.coordinating, _own(coord))
            continue
        rows.append(_Row(stt or "", text, _val(lead), _val(coord), text_cell.bold, where,
                         _val(extra)))


def parse_indicators(table: Table, header: Header, start: int,
                     review: Review) -> list[Indicator]:
    rows = _plain_rows(table, header, start, "indicator", review)
    if "targets" in header.columns and any(r.extra for r in rows):
        # the plan form keeps the target inside the indicator's text; keep it, say so
        for row in rows:
            if row.extra and row.extra not in row.text:
                row.text = f"{row.text}: {row.extra}" if row.text else row.extra
        review.doubt(table.label, "cột «Chỉ tiêu cần đạt» đã được ghép vào cuối nội dung "
                     "từng chỉ tiêu (sau dấu «:»); hãy xem lại cách viết")
    result = []
    for i, row in enumerate(rows):
        nxt = rows[i + 1].stt if i + 1 < len(rows) else ""
        parent = bool(row.stt) and row.stt not in "-+•" and nxt.startswith(row.stt + ".")
        group = parent or (row.bold and not row.lead and not row.coordinating
                           and nxt in ("-", "+", "•"))
        if not row.text:
            review.doubt(row.where, f"chỉ tiêu «{row.stt}» không có nội dung", "indicator",
                         row.stt)
        target = None if group else find_target(row.text)
        result.append(Indicator(stt=row.stt, text=row.text, group=group, target=target,
                                measure="text" if group else default_measure(target),
                                lead=row.lead, coordinating=row.coordinating))
    return result


def parse_roadmap(table: Table, header: Header, start: int, review: Review) -> list[Phase]:
    rows = _plain_rows(table, header, start, "criterion", review, phases=True)
    phases: list[tuple[str, str, list[Criterion]]] = []
    for row in rows:
        if _PHASE.match(row.stt) and not row.extra and not row.lead:
            phases.append((row.stt, row.text, []))
            continue
        if not phases:
            phases.append(("A", "", []))
            review.doubt(row.where, "lộ trình không có dòng giai đoạn (A, B …); đã đặt "
                         "giai đoạn «A»")
        targets = tuple(parse_target(t[2:] if t.startswith("- ") else t)
                        for t in row.extra.split("\n") if t.strip())
        phases[-1][2].append(Criterion(stt=row.stt, criterion=row.text, targets=targets,
                                       lead=row.lead, coordinating=row.coordinating))
    return [Phase(code=c, title=t, criteria=tuple(cs)) for c, t, cs in phases]
