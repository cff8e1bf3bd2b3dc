"""Read back and check a unit's own plan (the workbook ``forms/unit_plan.py`` drafts).

The office needs to know, for every unit, whether it issued its plan (number, date, signer),
whether every one of the office's tasks and indicators is taken up or marked "Không áp
dụng" with a reason, whether the unit's products, leads and deadlines are written and its
deadlines fall in the plan's year, and whether its targets are at least the office's.
Rows are found by their hidden keys, so inserted, sorted or re-saved sheets still read.
What each check says and how severe it is lives in ``rules/unit_plan/unit_plan.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.checking.report import ERROR, WARNING, FileResult, Issue, Report
from cchc_xlsx.forms.identity import DOC_MARK, parse_key_header
from cchc_xlsx.forms.unit_plan import KIND, fold, plan_round, spec
from cchc_xlsx.model import Plan, Target
from cchc_xlsx.plans.phrases import parse_deadline, parse_target
from cchc_xlsx.reading.file_guard import UnusableFile
from cchc_xlsx.reading.reader import (
    DocField,
    _doc_fields,
    cell_text,
    open_book,
    read_identity,
)
from cchc_xlsx.resources import data_dir
from cchc_xlsx.yamlio import load_yaml

SEVERITY = {"lỗi": ERROR, "cảnh báo": WARNING}
_DATED = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.IGNORECASE)


@lru_cache(maxsize=1)
def rules() -> dict[str, dict[str, Any]]:
    data = load_yaml(data_dir("rules") / "unit_plan" / "unit_plan.yaml", "quy tắc kế hoạch")
    return {r["id"]: r for r in data["rules"]}


@dataclass
class PlanRow:
    key: str
    excel_row: int
    values: dict[str, str]


@dataclass
class SheetRows:
    sheet: str
    letters: dict[str, str]  # column key -> "C"
    rows: dict[str, PlanRow] = field(default_factory=dict)

    def cell(self, key: str, column: str) -> str:
        row = self.rows.get(key)
        return f"{self.letters.get(column, 'A')}{row.excel_row}" if row else ""


@dataclass
class PlanReturn:
    """What one unit's plan says, as read from its cells."""

    path: str
    unit_code: str = ""
    unit_name: str = ""
    plan_id: str = ""
    number: str = ""
    date: date | None = None
    signer: str = ""
    tasks: SheetRows | None = None
    indicators: SheetRows | None = None
    result: FileResult | None = None
    docs: dict[str, DocField] = field(default_factory=dict)  # Số, dated line, signer cells


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return cell_text(value)


def _read_sheet(rows: list[list[Any]], r0: int, c0: int, name: str,
                columns: list[dict[str, Any]]) -> tuple[SheetRows, int] | None:
    for r, row in enumerate(rows[:80]):
        for c, value in enumerate(row):
            parsed = parse_key_header(value) if isinstance(value, str) else None
            if not parsed:
                continue
            numbers = {}
            if r + 1 < len(rows):
                for cc, v in enumerate(rows[r + 1]):
                    m = re.fullmatch(r"\((\d{1,2})\)", _text(v))
                    if m:
                        numbers[int(m.group(1))] = cc
            mapping = {col["key"]: numbers.get(i + 1, i) for i, col in enumerate(columns)}
            out = SheetRows(name, {k: xl_col_to_name(i + c0) for k, i in mapping.items()})
            for rr in range(r + 2, len(rows)):
                line = rows[rr]
                key = _text(line[c]) if c < len(line) else ""
                if not key or key.startswith(DOC_MARK) or key.startswith("grp:"):
                    continue
                values = {k: _text(line[i]) if i < len(line) else "" for k, i in mapping.items()}
                out.rows[key] = PlanRow(key, rr + r0 + 1, values)
            return out, c
    return None


def read_plan_return(path: str | Path) -> PlanReturn:
    """Read a unit's plan workbook; ``UnusableFile`` when it cannot be read at all."""
    fmt, book, _ = open_book(path)
    try:
        ident = read_identity(book)
        if ident.get("kind") != KIND:
            raise UnusableFile(f"Tệp «{path}» không phải là kế hoạch của đơn vị tạo bằng "
                               "«cchc-xlsx unit-plan draft».", "not_unit_plan")
        out = PlanReturn(str(path), ident.get("unit_code", ""), ident.get("unit_name", ""),
                         ident.get("plan_id", ""))
        sp = spec()
        docs = {}
        for meta in book.sheets_metadata:
            if meta.name == "_cchc":
                continue
            sheet = book.get_sheet_by_name(meta.name)
            start = sheet.start or (0, 0)
            rows = sheet.to_python(skip_empty_area=False)
            for part, attr in ((sp["tasks"], "tasks"), (sp["indicators"], "indicators")):
                if getattr(out, attr) is not None or not _has_form(rows, part["form"]):
                    continue
                found = _read_sheet(rows, start[0], start[1], meta.name, part["columns"])
                if found:
                    setattr(out, attr, found[0])
                    docs.update(_doc_fields(rows, start[0], start[1], found[1], meta.name))
        out.number = docs["number"].value if "number" in docs else ""
        date_text = docs["date"].text if "date" in docs else ""
        m = _DATED.search(" ".join(date_text.split()))
        if m:
            try:
                out.date = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                out.date = None
        out.signer = docs["signer"].value if "signer" in docs else ""
        out.docs = docs
        return out
    except UnusableFile:
        raise
    except Exception:  # noqa: BLE001 - a malformed sheet is the file's problem
        raise UnusableFile(f"Không đọc được nội dung tệp «{path}»; hãy mở bằng Excel, lưu lại "
                           "dạng .xlsx rồi gửi lại.", "corrupt") from None
    finally:
        book.close()


def _has_form(rows: list[list[Any]], form_id: str) -> bool:
    prefix = f"cchc:{form_id}:"
    return any(isinstance(v, str) and v.startswith(prefix) for row in rows[:80] for v in row)


# --- checks ---------------------------------------------------------------------------


def _weaker(unit: Target, office: Target) -> bool | None:
    """Whether the unit's target asks less than the office's; None when not comparable."""
    if not (unit.parsed and office.parsed) or unit.value is None or office.value is None:
        return None
    if unit.unit != office.unit or (unit.per or "") != (office.per or "") \
            or "change" in (unit.op, office.op):
        return None
    u, o = unit.value, office.value
    if office.op in (">=", ">"):
        if unit.op not in (">=", ">", "="):
            return True
        return u < o or (u == o and office.op == ">" and unit.op == ">=")
    if office.op in ("<=", "<"):
        if unit.op not in ("<=", "<", "="):
            return True
        return u > o or (u == o and office.op == "<" and unit.op == "<=")
    if office.op == "=":
        if unit.op == "=":
            return u != o
        return not (unit.op in (">=", ">") and u >= o and o >= 100)
    return None


class _Checker:
    def __init__(self, plan: Plan, ret: PlanReturn, result: FileResult) -> None:
        self.plan, self.ret, self.res = plan, ret, result
        self.year = plan.meta.year or (plan.meta.date.year if plan.meta.date else None)
        self.rules = rules()

    def add(self, rule_id: str, sheet: str = "", cell: str = "", value: str | None = None,
            row_key: str = "", form_id: str = "", **params: Any) -> None:
        rule = self.rules.get(rule_id)
        if rule is None or rule.get("enabled", True) is False:
            return
        params = {"year": self.year or "", "value": value or "", **params}
        message = rule["message"].format_map(_Blank(params))
        self.res.issues.append(Issue(self.res.file, rule_id, SEVERITY[rule["severity"]],
                                     message, sheet, cell, value, form_id, row_key))

    def run(self) -> None:
        self._doc()
        sp = spec()
        if self.plan.areas:
            self._tasks(self.ret.tasks, sp["tasks"]["form"], sp["tasks"]["sheet"])
        if any(not i.group for i in self.plan.indicators):
            self._indicators(self.ret.indicators, sp["indicators"]["form"],
                             sp["indicators"]["sheet"])

    def _doc(self) -> None:
        docs = self.ret.docs
        for field_name, rule_id in (("number", "plan_number_required"),
                                    ("date", "plan_date_required"),
                                    ("signer", "plan_signer_required")):
            d = docs.get(field_name)
            filled = {"number": self.ret.number, "date": self.ret.date,
                      "signer": self.ret.signer}[field_name]
            if not filled:
                self.add(rule_id, d.sheet if d else "", d.cell if d else "",
                         d.text if d else None)
        rnd = plan_round(self.plan)
        if rnd and self.ret.date and self.ret.date > rnd.due:
            d = docs.get("date")
            self.add("plan_date_after_due", d.sheet if d else "", d.cell if d else "",
                     f"{self.ret.date:%d/%m/%Y}", due=f"{rnd.due:%d/%m/%Y}")

    def _apply(self, sheet: SheetRows, key: str, values: dict[str, str], stt: str,
               form_id: str) -> bool:
        """Check the "Áp dụng" choice; True when the row is taken up."""
        choices = list(spec()["choices"])
        raw = values.get("apply", "")
        by_fold = {fold(c).rstrip("."): c for c in choices}
        choice = by_fold.get(fold(raw).rstrip("."), "") if raw else choices[0]
        if raw and not choice:
            self.add("plan_apply_allowed", sheet.sheet, sheet.cell(key, "apply"), raw, key,
                     form_id, allowed=", ".join(choices))
            return True
        if choice == choices[1]:
            if not values.get("reason"):
                self.add("plan_not_applicable_reason", sheet.sheet, sheet.cell(key, "reason"),
                         None, key, form_id, stt=stt)
            return False
        return True

    def _tasks(self, sheet: SheetRows | None, form_id: str, sheet_name: str) -> None:
        rows = sheet.rows if sheet else {}
        for task in self.plan.tasks:
            for n in range(1, len(task.products) + 1):
                key = task.key if n == 1 else f"{task.key}#{n}"
                row = rows.get(key)
                if row is None:
                    self.add("plan_task_missing", sheet.sheet if sheet else sheet_name, "",
                             None, key, form_id, stt=task.stt)
                    continue
                assert sheet is not None
                if self._apply(sheet, key, row.values, task.stt, form_id):
                    self._task_cells(sheet, key, row.values, task.stt, form_id,
                                     task.products[n - 1].deadline.text)
        if sheet is None:
            return
        for key, row in rows.items():
            if not key.startswith("add:"):
                continue
            v = row.values
            if v.get("content"):
                if self._apply(sheet, key, v, v.get("stt") or v["content"][:30], form_id):
                    self._task_cells(sheet, key, v, v.get("stt") or v["content"][:30],
                                     form_id)
            elif any(v.get(k) for k in ("product", "lead", "deadline")):
                self.add("plan_added_needs_content", sheet.sheet, sheet.cell(key, "content"),
                         None, key, form_id)

    def _task_cells(self, sheet: SheetRows, key: str, v: dict[str, str], stt: str,
                    form_id: str, office_deadline: str = "") -> None:
        """Product, lead and deadline written; a deadline of the unit's own inside the
        plan's year (the office's own deadline, copied as drafted, is the office's word)."""
        for col in ("product", "lead", "deadline"):
            if not v.get(col):
                self.add(f"plan_{col}_required", sheet.sheet, sheet.cell(key, col), None, key,
                         form_id, stt=stt)
        text = v.get("deadline", "")
        if not text or " ".join(text.split()) == " ".join(office_deadline.split()):
            return
        d = parse_deadline(text, self.year)
        if not d.parsed:
            self.add("plan_deadline_unreadable", sheet.sheet, sheet.cell(key, "deadline"),
                     text, key, form_id, stt=stt)
        elif self.year and d.start and d.end and (d.end.year < self.year
                                                   or d.start.year > self.year):
            self.add("plan_deadline_outside_year", sheet.sheet, sheet.cell(key, "deadline"),
                     text, key, form_id, stt=stt)

    def _indicators(self, sheet: SheetRows | None, form_id: str, sheet_name: str) -> None:
        rows = sheet.rows if sheet else {}
        for ind in self.plan.indicators:
            if ind.group:
                continue
            row = rows.get(ind.key)
            if row is None:
                self.add("plan_indicator_missing", sheet.sheet if sheet else sheet_name, "",
                         None, ind.key, form_id, stt=ind.stt)
                continue
            assert sheet is not None
            stt = ind.stt if ind.stt.strip("-. ") else ind.text[:40]
            if not self._apply(sheet, ind.key, row.values, stt, form_id):
                continue
            self._target(sheet, ind.key, row.values, stt, form_id,
                         ind.target.text if ind.target else "")
        if sheet is None:
            return
        for key, row in rows.items():
            if key.startswith("add:") and row.values.get("content"):
                stt = row.values.get("stt") or row.values["content"][:30]
                if self._apply(sheet, key, row.values, stt, form_id):
                    self._target(sheet, key, row.values, stt, form_id, "")

    def _target(self, sheet: SheetRows, key: str, v: dict[str, str], stt: str, form_id: str,
                office_text: str) -> None:
        text = v.get("target", "")
        cell = sheet.cell(key, "target")
        if not text:
            self.add("plan_target_required", sheet.sheet, cell, None, key, form_id, stt=stt)
            return
        if not office_text:
            return
        office = parse_target(office_text)
        mine = parse_target(text)
        if not office.parsed:
            return
        if not mine.parsed:
            self.add("plan_target_unreadable", sheet.sheet, cell, text, key, form_id, stt=stt,
                     office_target=office_text)
        elif _weaker(mine, office):
            self.add("plan_target_weaker", sheet.sheet, cell, text, key, form_id, stt=stt,
                     office_target=office_text)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def check_plan_return(path: str | Path, plan: Plan) -> PlanReturn:
    """Read and check one unit's plan; the findings are in ``.result``."""
    res = FileResult(str(path), kind=KIND)
    try:
        ret = read_plan_return(path)
    except UnusableFile as exc:
        res.usable = False
        res.issues.append(Issue(str(path), "file_unusable", ERROR, exc.message))
        ret = PlanReturn(str(path))
        ret.result = res
        return ret
    res.unit_code, res.unit_name, res.plan_id = ret.unit_code, ret.unit_name, ret.plan_id
    rnd = plan_round(plan)
    res.period_id = rnd.id if rnd else ""
    res.forms = [s.sheet for s in (ret.tasks, ret.indicators) if s]
    if ret.plan_id != plan.id:
        res.issues.append(Issue(str(path), "plan_other_plan", ERROR,
                                f"Tệp là kế hoạch soạn theo kế hoạch «{ret.plan_id}», không "
                                f"phải «{plan.id}»."))
    else:
        _Checker(plan, ret, res).run()
    ret.result = res
    return ret


def check_plan_returns(paths: list[Path], plan: Plan) -> tuple[list[PlanReturn], Report]:
    returns = [check_plan_return(p, plan) for p in paths]
    return returns, Report([r.result for r in returns if r.result is not None])
