"""Consolidate the units' own plans: who issued a plan and when, and how each of the
office's tasks was taken up.

The office that issued a plan needs two appendices to report upward: "Tình hình ban hành
kế hoạch của các đơn vị" (per unit: the plan's number and date, when it was received,
whether on time and valid) and, per office task, how many units took it up, how many
marked it not applicable, and the deadlines the units set. Both are signed like every
consolidation (the office profile's header and signer, or the plan's issuer).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.checking.unit_plan_check import PlanReturn, check_plan_return
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.identity import Identity, write_identity
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    Formats,
    HeaderTexts,
    begin_sheet,
    fit_widths,
    row_height,
    setup_page,
    signer_lines,
    text_lines,
    write_page_header,
    write_signature,
)
from cchc_xlsx.forms.unit_plan import fold, plan_round, spec
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.model import Plan, Unit
from cchc_xlsx.plans.names import normal_case, recipient_lines
from cchc_xlsx.plans.office_profile import OfficeProfile, date_line

YES, NO = "Có", "Không"
KIND = "unit_plan_consolidation"  # the identity's kind: valid input one level up


@dataclass
class UnitPlanStatus:
    unit: Unit
    ret: PlanReturn | None = None
    received: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.ret is not None or self.sub is not None

    @property
    def on_time(self) -> bool | None:
        return None if self.received is None or self.due is None else \
            self.received.date() <= self.due

    @property
    def valid(self) -> bool:
        if self.sub is not None:
            return True
        return bool(self.ret and self.ret.result and self.ret.result.valid)

    due: date | None = None
    # a consolidation this unit (an office below) sent instead of a plan: its figures
    sub: dict | None = None
    sub_path: str = ""


@dataclass
class TaskUptake:
    stt: str
    content: str
    taken: list[str] = field(default_factory=list)  # unit names
    not_applicable: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # sent a plan without this task
    deadlines: Counter = field(default_factory=Counter)  # unit deadline text -> count


@dataclass
class PlanMergeResult:
    out: Path
    statuses: list[UnitPlanStatus]
    tasks: list[TaskUptake]
    strays: list[PlanReturn]  # plans of units not in the list


def plan_paths(inputs: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, inputs):
        if p.is_dir():
            out += sorted(x for x in p.iterdir() if x.is_file()
                          and x.suffix.lower() in (".xlsx", ".xlsm", ".ods")
                          and not x.name.startswith((".", "~$")))
        elif p.is_file():
            out.append(p)
        else:
            raise UserError(f"Không tìm thấy «{p}».")
    return out


def collect(inputs: Sequence[str | Path], plan: Plan, units: Sequence[Unit]
            ) -> tuple[list[UnitPlanStatus], list[PlanReturn]]:
    """Each unit's latest plan (by the file's received time), checked."""
    rnd = plan_round(plan)
    by_code = {u.code: UnitPlanStatus(u, due=rnd.due if rnd else None) for u in units}
    strays = []
    for path in plan_paths(inputs):
        sub = _consolidation(path)
        if sub is not None:
            status = by_code.get(sub["unit_code"])
            if status is None or sub["plan_id"] != plan.id:
                ret = PlanReturn(str(path), sub["unit_code"], sub["unit_name"], sub["plan_id"])
                strays.append(ret)
                continue
            when = datetime.fromtimestamp(path.stat().st_mtime)
            if status.received is None or when >= status.received:
                status.sub, status.sub_path, status.ret = sub["aggregate"], str(path), None
                status.received = when
            continue
        ret = check_plan_return(path, plan)
        status = by_code.get(ret.unit_code)
        if status is None:
            strays.append(ret)
            continue
        when = datetime.fromtimestamp(path.stat().st_mtime)
        if status.received is None or when >= status.received:
            status.ret, status.received, status.sub = ret, when, None
    return list(by_code.values()), strays


def _consolidation(path: Path) -> dict | None:
    """The identity of a consolidation of units' plans, or None for anything else."""
    from cchc_xlsx.reading.file_guard import UnusableFile
    from cchc_xlsx.reading.reader import open_book, read_identity

    try:
        _, book, _ = open_book(path)
    except UnusableFile:
        return None
    try:
        ident = read_identity(book)
    finally:
        book.close()
    if ident.get("kind") != KIND:
        return None
    try:
        aggregate = json.loads(ident.get("aggregate", ""))
    except ValueError:
        return None
    return {"unit_code": ident.get("unit_code", ""), "unit_name": ident.get("unit_name", ""),
            "plan_id": ident.get("plan_id", ""), "aggregate": aggregate}


def uptake(plan: Plan, statuses: Sequence[UnitPlanStatus]) -> list[TaskUptake]:
    """Per office task (its first product row): who took it up, who marked it not
    applicable, and the deadlines the units set."""
    na = fold(spec()["choices"][1])
    out = []
    for task in plan.tasks:
        t = TaskUptake(task.stt, task.content)
        for s in statuses:
            if s.sub is not None:  # an office below: its units, as it counted them
                got = s.sub.get("tasks", {}).get(task.key, {})
                t.taken += got.get("taken", [])
                t.not_applicable += got.get("not_applicable", [])
                t.absent += got.get("absent", [])
                t.deadlines.update(got.get("deadlines", {}))
                continue
            if not (s.ret and s.ret.tasks):
                continue
            row = s.ret.tasks.rows.get(task.key)
            name = s.unit.name
            if row is None:
                t.absent.append(name)
            elif fold(row.values.get("apply", "")).rstrip(".") == na:
                t.not_applicable.append(name)
            else:
                t.taken.append(name)
                deadline = " ".join(row.values.get("deadline", "").split())
                t.deadlines[deadline or "(chưa ghi)"] += 1
        out.append(t)
    return out


def _office_header(plan: Plan, office: OfficeProfile | None, title: str, label: str,
                   today: date | None) -> HeaderTexts:
    """The consolidating office's page furniture: like every consolidated appendix, the
    "(Kèm theo Báo cáo số … của …)" line naming the report it goes with, and Nơi nhận as
    "- Name;" lines in normal case (without a list: the office's superior, then the
    archive)."""
    m = plan.meta
    if office is not None:
        superior, issuer = office.superior, office.name
        number = office.number_line("BC")
        day = office.date or today
        dated = date_line(office.place, day, m.year or "")
        sig, name = signer_lines(office.signer_title), office.signer.name
        recipients = list(office.recipients)
    else:
        superior, issuer = m.superior_body, m.issuing_body
        number = f"Số:      /BC-{m.symbol.split('-', 1)[-1] if m.symbol else '……'}"
        day = today
        dated = date_line(m.place, today, m.year or "")
        sig, name = tuple(m.signer.title_lines), m.signer.name
        recipients = []
    if not recipients and superior:
        recipients = [normal_case(superior)]
    when = dated.split(", ", 1)[-1] if day else f"ngày     tháng     năm {m.year or ''}".rstrip()
    numbered = number.split(":", 1)[1].strip()
    if numbered.startswith("/"):
        numbered = "     " + numbered  # the văn thư's blank, as in the Số line
    attached = (f"(Kèm theo Báo cáo số {numbered} {when} "
                f"của {normal_case(issuer)})")
    return HeaderTexts(superior=superior, issuer=issuer, number_line=number, date_line=dated,
                       appendix_label=label, title=title, attached_line=attached,
                       period_line="", notes=(), signer_lines=sig, signer_name=name,
                       recipients=recipient_lines(recipients))


def _table(wb, fm: Formats, name: str, head: HeaderTexts, headers: list[str],
           widths: list[float], rows: list[list[str]], centre: set[int]) -> None:
    ws = wb.add_worksheet(name, worksheet_class=OfficialWorksheet)
    widths = begin_sheet(ws, fit_widths(widths, True))
    r = write_page_header(ws, fm, widths, head)
    first = r
    ws.set_row(r, max(row_height(text_lines(h, widths[i], TABLE_SIZE, True))
                      for i, h in enumerate(headers)))
    for i, h in enumerate(headers):
        ws.write_string(r, i, h, fm.get("th"))
    r += 1
    for i in range(len(headers)):
        ws.write_string(r, i, f"({i + 1})", fm.get("colnum"))
    last_head = r
    r += 1
    for row in rows:
        height = row_height(1)
        for i, text in enumerate(row):
            ws.write_string(r, i, text, fm.get("td_center" if i in centre else "td"))
            height = max(height, row_height(text_lines(text, widths[i])))
        ws.set_row(r, height)
        r += 1
    end = write_signature(ws, fm, widths, r, head)
    setup_page(ws, True, first, last_head, end)
    ws.print_area(0, 0, end, len(headers) - 1)


def _note(ret: PlanReturn, status: UnitPlanStatus) -> str:
    """What the office reads beside a unit: the tasks missing, other errors, a late date."""
    issues = ret.result.issues if ret.result else []
    parts = []
    for rule, what in (("plan_task_missing", "nhiệm vụ"), ("plan_indicator_missing", "chỉ tiêu")):
        missing = [i.row_key.split(":", 1)[-1] for i in issues if i.rule_id == rule]
        if missing:  # "Thiếu nhiệm vụ 5, 7": a bare "Thiếu 5" says not what is missing
            parts.append(f"thiếu {what} " + ", ".join(missing))
    others = sum(1 for i in issues if i.severity == "error"
                 and i.rule_id not in ("plan_task_missing", "plan_indicator_missing"))
    if others:
        parts.append(f"{others} lỗi khác" if parts else f"{others} lỗi cần sửa")
    if any(i.rule_id == "plan_date_after_due" for i in issues):
        parts.append("ban hành sau hạn")
    note = "; ".join(parts)
    return note[:1].upper() + note[1:]  # a cell's note starts with a capital


def _office_identity(plan: Plan, office: OfficeProfile | None) -> tuple[str, str]:
    """The code and name the office above finds this consolidation under."""
    from cchc_xlsx.plans.names import normal_case
    from cchc_xlsx.plans.office_profile import default_code

    if office is not None:
        return office.code or default_code(office.name), normal_case(office.name)
    return plan.id, normal_case(plan.meta.issuing_body)


def _aggregate(plan: Plan, statuses: Sequence[UnitPlanStatus],
               tasks: Sequence[TaskUptake]) -> dict:
    """What the office above needs to count this office's units as its own (exactly)."""
    units = sum(s.sub.get("units", 0) if s.sub is not None else 1 for s in statuses)
    sent = sum(s.sub.get("sent", 0) if s.sub is not None else int(s.sent) for s in statuses)
    return {"units": units, "sent": sent, "tasks": {
        task.key: {"taken": t.taken, "not_applicable": t.not_applicable, "absent": t.absent,
                   "deadlines": dict(t.deadlines)}
        for task, t in zip(plan.tasks, tasks, strict=True)}}


def _day(d: date | datetime | None) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d else ""


def merge_plans(inputs: Sequence[str | Path], plan: Plan, units: Sequence[Unit],
                out: str | Path, office: OfficeProfile | None = None,
                today: date | None = None) -> PlanMergeResult:
    """Write the consolidation of the units' plans to ``out`` (atomically)."""
    if not units:
        raise UserError("Cần danh sách đơn vị (--units) để biết đơn vị nào chưa gửi kế hoạch.")
    statuses, strays = collect(inputs, plan, units)
    tasks = uptake(plan, statuses)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rnd = plan_round(plan)
    year = plan.meta.year or ""
    due = f" (hạn gửi {_day(rnd.due)})" if rnd else ""
    with atomic_path(out) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE}})
        wb.set_properties({"title": f"Tổng hợp kế hoạch CCHC năm {year} của các đơn vị",
                           "comments": f"cchc-xlsx {__version__}"})
        fm = Formats(wb)
        rows = []
        for n, s in enumerate(statuses, start=1):
            ret = s.ret
            note = ("Chưa gửi" if not s.sent else
                    f"Tổng hợp: {s.sub.get('sent', 0)}/{s.sub.get('units', 0)} đơn vị trực "
                    "thuộc đã gửi kế hoạch" if s.sub is not None else _note(ret, s))
            rows.append([str(n), s.unit.name, ret.number if ret else "",
                         _day(ret.date) if ret else "", _day(s.received),
                         "" if s.on_time is None else (YES if s.on_time else NO),
                         (YES if s.valid else NO) if s.sent else "", note])
        sent = sum(1 for s in statuses if s.sent)
        rows.append(["", f"Tổng cộng: {sent}/{len(statuses)} đơn vị đã gửi", "", "", "",
                     str(sum(1 for s in statuses if s.on_time)),
                     str(sum(1 for s in statuses if s.valid)), ""])
        head = _office_header(plan, office, "TÌNH HÌNH BAN HÀNH KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH "
                              f"NĂM {year} CỦA CÁC ĐƠN VỊ{due.upper()}", "Phụ lục I", today)
        _table(wb, fm, "Tình hình ban hành KH", head,
               ["STT", "Đơn vị", "Số, ký hiệu kế hoạch", "Ngày ban hành", "Ngày nhận",
                "Đúng hạn", "Hợp lệ", "Ghi chú"],
               [5, 30, 19, 12, 12, 9, 9, 20], rows, {0, 3, 4, 5, 6})
        task_rows = []
        for t in tasks:
            deadlines = "; ".join(f"{d.rstrip('.;')} ({k})" for d, k in t.deadlines.most_common())
            missing = ", ".join(t.absent)
            task_rows.append([t.stt, t.content, str(len(t.taken)), str(len(t.not_applicable)),
                              str(len(t.absent)), deadlines,
                              "; ".join(x for x in (
                                  ("Không áp dụng: " + ", ".join(t.not_applicable))
                                  if t.not_applicable else "",
                                  f"Thiếu: {missing}" if missing else "") if x)])
        head = _office_header(plan, office, "TÌNH HÌNH TRIỂN KHAI CÁC NHIỆM VỤ TRONG KẾ HOẠCH "
                              f"CỦA CÁC ĐƠN VỊ NĂM {year}", "Phụ lục II", today)
        _table(wb, fm, "Nhiệm vụ theo đơn vị", head,
               ["STT", "Nhiệm vụ của kế hoạch cấp trên", "Số đơn vị thực hiện",
                "Số đơn vị không áp dụng", "Số đơn vị thiếu nhiệm vụ",
                "Thời gian hoàn thành của các đơn vị (số đơn vị)", "Đơn vị không áp dụng, thiếu"],
               [5, 36, 10, 10, 10, 24, 22], task_rows, {0, 2, 3, 4})
        code, name = _office_identity(plan, office)
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=plan.id, unit_code=code, unit_name=name,
            kind=KIND, period_id=rnd.id if rnd else "",
            period_due=rnd.due.isoformat() if rnd else "",
            aggregate=json.dumps(_aggregate(plan, statuses, tasks), ensure_ascii=False)))
        wb.close()
    return PlanMergeResult(out, statuses, tasks, strays)
