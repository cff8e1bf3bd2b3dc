"""Plain data objects for plans, units and periods.

Everything downstream (specs, generate, read, validate, merge) speaks these types, so they
carry no I/O and import nothing heavier than the standard library. Every value that came
from a person's text keeps that text (``text`` fields) beside any parsed form, because the
official documents must be reproduced word for word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# --- parsed Vietnamese phrases ---------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An indicator's target ("chỉ tiêu cần đạt"), parsed where the phrase allows.

    ``op`` is one of ``>=``, ``>``, ``<=``, ``<``, ``=`` or ``change`` (a change against a
    baseline, e.g. "Giảm tối thiểu 10% … so với năm 2021"). ``unit`` is ``%`` for rates
    and ``count`` for plain numbers. ``baseline`` names what the value is compared with
    when it is not a constant: ``last_year`` or a year such as ``2021``. ``per`` is a
    recurrence such as ``month`` or ``quarter`` ("mỗi tháng có ít nhất 01 tin, bài").
    ``parsed`` is False when nothing could be read; the text is then the only truth.
    """

    text: str
    parsed: bool = False
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    baseline: str | None = None
    per: str | None = None
    direction: str | None = None  # for op == "change": "decrease" or "increase"

    @property
    def is_rate(self) -> bool:
        return self.parsed and self.unit == "%"


@dataclass(frozen=True)
class Deadline:
    """A deadline ("thời gian hoàn thành / thực hiện") as written, plus what it means.

    ``kind`` is one of: ``date`` (a day), ``before`` (before a day), ``month``,
    ``months`` (several months), ``quarter``, ``year``, ``range`` (a span of days),
    ``recurring`` (e.g. every quarter), ``ongoing`` ("Thường xuyên"), ``event`` (depends
    on something happening, "Khi có thay đổi") or ``unparsed``. ``start``/``end`` bound
    the dates the deadline covers when it has any; ``recurrence`` says how it repeats.
    """

    text: str
    kind: str = "unparsed"
    start: date | None = None
    end: date | None = None
    recurrence: str | None = None

    @property
    def parsed(self) -> bool:
        return self.kind != "unparsed"


# --- plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    authority: str = ""  # "KT.", "TM.", "Q.", "TL.", "TUQ." or ""
    head_title: str = ""  # the head's title after the authority, e.g. "HIỆU TRƯỞNG"
    title: str = ""  # the signer's own title, e.g. "PHÓ HIỆU TRƯỞNG"
    name: str = ""

    @property
    def title_lines(self) -> list[str]:
        """The one or two lines above the signature, as NĐ 30/2020 prints them."""
        if self.authority:
            first = f"{self.authority} {self.head_title}".strip()
            return [first, self.title] if self.title else [first]
        return [self.title or self.head_title] if (self.title or self.head_title) else []


@dataclass(frozen=True)
class PlanMeta:
    superior_body: str
    issuing_body: str
    number: str = ""
    symbol: str = ""
    place: str = ""
    date: date | None = None
    date_text: str = ""  # as printed when the original left blanks ("ngày tháng 12 năm 2022")
    title: str = ""
    year: int | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: tuple[str, ...] = ()

    @property
    def number_symbol(self) -> str:
        """'71/KH-MNTT', or '…/KH-SGDĐT' style with the blank kept when unnumbered."""
        return f"{self.number}/{self.symbol}" if self.symbol else self.number


@dataclass(frozen=True)
class Product:
    """One product row of a task; a task may have several, each with its own owners."""

    product: str = ""
    deadline: Deadline = field(default_factory=lambda: Deadline(""))
    lead: str = ""
    coordinating: str = ""


@dataclass(frozen=True)
class Task:
    stt: str
    content: str
    products: tuple[Product, ...]
    area_stt: str = ""
    line: int = 0  # line in the plan file, for error messages
    # the task's identity when its printed STT is not unique in the plan (numbering that
    # restarts in every group): "<group number>.<STT>", set by ``scope_task_ids``
    uid: str = ""

    @property
    def key(self) -> str:
        return f"task:{self.uid or self.stt}"


@dataclass(frozen=True)
class Area:
    """A group of tasks ("Công tác chỉ đạo, điều hành"): a bold group row or merged cell."""

    stt: str
    title: str
    tasks: tuple[Task, ...]


def scope_task_ids(areas: tuple[Area, ...]) -> tuple[Area, ...]:
    """Give every task a unique key when printed STTs repeat across groups.

    The rule (docs/plan-format.md, "Task keys"): while every task's STT is unique in the
    plan, a task's key is its STT, as it always was. When the numbering restarts in each
    group (I: 1, 2, 3; II: 1, 2 …), every task of the plan is keyed by its group's number
    and its STT, "<group>.<STT>" ("II.1"); a group printed without a number counts by its
    place (the third group: "3"). The printed STT is unchanged: forms print it as the plan
    does. Two tasks with the same STT in one group stay a duplicate (the loader refuses it).
    """
    import dataclasses

    stts = [t.stt for a in areas for t in a.tasks]
    if len(set(stts)) == len(stts):
        return areas
    return tuple(
        dataclasses.replace(a, tasks=tuple(
            dataclasses.replace(t, uid=f"{a.stt or i + 1}.{t.stt}") for t in a.tasks))
        for i, a in enumerate(areas))


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator table; group rows have ``group=True`` and no target."""

    stt: str
    text: str
    group: bool = False
    target: Target | None = None
    measure: str = "text"  # "rate", "count" or "text": what the report form collects
    lead: str = ""
    coordinating: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        return f"ind:{self.stt}"


@dataclass(frozen=True)
class Criterion:
    """A roadmap row: a criterion of a phase with one or more targets."""

    stt: str
    criterion: str
    targets: tuple[Target, ...]
    lead: str = ""
    coordinating: str = ""

    def key(self, phase: str) -> str:
        return f"road:{phase}.{self.stt}"


@dataclass(frozen=True)
class Phase:
    code: str  # "A", "B"
    title: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Period:
    """A reporting period with explicit cut-off dates (kỳ báo cáo, thời gian chốt số liệu)."""

    id: str
    name: str
    start: date
    end: date
    due: date
    note: str = ""
    # the shorter periods this one is made of, when the plan says they nest ("6 tháng" =
    # quý I + quý II): merge can then build it from their consolidations, exactly
    parts: tuple[str, ...] = ()
    # "report" (units report on the period) or "plan" (units send their own plans, drafted
    # from this one, by ``due``): a plan round is never a reporting period
    kind: str = "report"


@dataclass(frozen=True)
class Procedure:
    """A TTHC procedure or field: one row of the TTHC statistics form."""

    name: str
    field: str = ""
    assignee: str = ""
    levels: tuple[str, ...] = ()  # cấp học it applies to ("MN", "TH", …); () = every unit

    @property
    def key(self) -> str:
        return f"tthc:{self.name}"


@dataclass(frozen=True)
class Appendix:
    """An appendix the plan issues: which form lays it out and the heading it prints."""

    form: str
    number: str = ""
    title: str = ""
    attached_line: str = ""


@dataclass(frozen=True)
class Plan:
    id: str
    meta: PlanMeta
    appendices: tuple[Appendix, ...] = ()
    areas: tuple[Area, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    roadmap: tuple[Phase, ...] = ()
    schedule: tuple[Period, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    report_forms: tuple[str, ...] = ()
    source: str = ""  # the file it was loaded from

    @property
    def tasks(self) -> list[Task]:
        return [t for a in self.areas for t in a.tasks]

    def period(self, period_id: str) -> Period:
        for p in self.schedule:
            if p.id == period_id:
                return p
        raise KeyError(period_id)


# --- units -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A subordinate unit (đơn vị) that receives a personalised workbook."""

    code: str
    name: str
    level: str = ""  # cấp học
    superior: str = ""  # cơ quan chủ quản
    place: str = ""  # địa danh
    signer_title: str = ""  # chức danh người ký, e.g. "HIỆU TRƯỞNG" or "KT. HIỆU TRƯỞNG"
    signer_name: str = ""
    recipient: str = ""  # nơi nhận báo cáo (the office the unit reports to), optional
    email: str = ""  # where the portal mails the unit's link and reminders, optional
