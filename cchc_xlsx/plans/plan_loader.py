"""Read a plan YAML file (docs/plan-format.md) into a ``Plan``.

Plans are typed by office staff, so every problem names the file, the line and the field in
Vietnamese, and unknown keys are refused rather than ignored. Phrases (targets, deadlines)
are parsed here once; their text is always kept.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.model import (
    Appendix,
    Area,
    Criterion,
    Indicator,
    Period,
    Phase,
    Plan,
    PlanMeta,
    Procedure,
    Product,
    Signer,
    Target,
    Task,
    scope_task_ids,
)
from cchc_xlsx.plans.levels import LEVELS, level_codes
from cchc_xlsx.plans.phrases import find_target, parse_deadline, parse_target, parse_vn_date
from cchc_xlsx.yamlio import Fields, load_yaml

WHAT = "kế hoạch"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MEASURES = ("rate", "count", "text")


def load_plan(path: str | Path, warnings: list[str] | None = None) -> Plan:
    """Load and check one plan file; raise ``UserError`` on anything a person must fix.

    Every scalar is read as text and typed here by the plan's schema, so ``045`` stays
    "045" and ``1.10`` stays "1.10". Doubts that do not stop the plan (a due date far
    from its period) are appended to ``warnings`` as Vietnamese sentences.
    """
    data = load_yaml(path, WHAT, text_only=True)
    if data is None:
        raise UserError(f"Tệp {WHAT} «{path}» rỗng.")
    return plan_from_data(data, path, warnings)


def plan_from_data(data: Any, path: str | Path, warnings: list[str] | None = None) -> Plan:
    """A plan from data in the YAML file's shape, every scalar a string (the plan workbook
    reader builds such data, so both forms share one set of checks and defaults)."""
    top = Fields(data, path, WHAT, "kế hoạch")
    plan_id = top.text("id", required=True)
    if not _ID.match(plan_id):
        top.fail(f"mã kế hoạch «{plan_id}» chỉ được gồm chữ không dấu, số, «-», «_», «.»",
                 key="id")
    meta = _meta(top.child("meta", top.raw("meta", required=True), "meta"))
    year = meta.year
    appendices = tuple(
        _appendix(top.child("appendices", a, f"phụ lục thứ {i + 1}"))
        for i, a in enumerate(top.listing("appendices"))
    )
    areas = tuple(
        _area(top.child("areas", a, f"nhóm nhiệm vụ thứ {i + 1}"), year)
        for i, a in enumerate(top.listing("areas"))
    )
    areas = scope_task_ids(areas)  # numbering restarting per group: keys by group
    indicators = _indicators(top, top.listing("indicators"))
    roadmap = tuple(
        _phase(top.child("roadmap", p, f"giai đoạn thứ {i + 1}"))
        for i, p in enumerate(top.listing("roadmap"))
    )
    schedule = tuple(
        _period(top.child("schedule", p, f"kỳ báo cáo thứ {i + 1}"), warnings)
        for i, p in enumerate(top.listing("schedule"))
    )
    procedures = tuple(
        _procedure(top.child("procedures", p, f"thủ tục thứ {i + 1}"))
        for i, p in enumerate(top.listing("procedures"))
    )
    report_forms = tuple(top.lines("report_forms"))
    top.done()

    _unique(top, "areas", [t.uid or t.stt for a in areas for t in a.tasks],
            "số thứ tự nhiệm vụ")
    _unique(top, "indicators", [i.key for i in indicators], "số thứ tự chỉ tiêu")
    _unique(top, "schedule", [p.id for p in schedule], "mã kỳ báo cáo")
    _check_nesting(top, schedule)
    _unique(top, "procedures", [p.name for p in procedures], "tên thủ tục")
    return Plan(
        id=plan_id,
        meta=meta,
        appendices=appendices,
        areas=areas,
        indicators=indicators,
        roadmap=roadmap,
        schedule=schedule,
        procedures=procedures,
        report_forms=report_forms,
        source=str(path),
    )


def _unique(top: Fields, key: str, values: list[str], label: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            top.fail(f"{label} «{value}» bị trùng", key=key)
        seen.add(value)


def _date(f: Fields, key: str, required: bool = False) -> date | None:
    value = f.raw(key, None, required)
    if value is None or isinstance(value, date):
        return value
    parsed = parse_vn_date(str(value))
    if parsed is None:
        f.fail(f"ngày «{value}» ở trường «{key}» không hợp lệ (viết 2023-03-17 hoặc 17/3/2023)",
               key=key)
    return parsed


def _meta(f: Fields) -> PlanMeta:
    signer_f = f.child("signer", f.raw("signer", required=True), "người ký")
    if not signer_f.has("name") and not signer_f.has("title"):
        signer_f.fail("thiếu chức danh và tên người ký (ghi «name:» và «title:»; để trống "
                      "«name: \"\"» nếu văn bản gốc không có)")
    signer = Signer(
        authority=signer_f.text("authority"),
        head_title=signer_f.text("head_title"),
        title=signer_f.text("title"),
        name=signer_f.text("name"),
    )
    signer_f.done()
    year_raw = f.raw("year")
    try:
        year = int(year_raw) if year_raw is not None else None
    except (TypeError, ValueError):
        f.fail(f"năm «{year_raw}» phải là một số như 2023", key="year")
    if year is not None and not 1900 <= year <= 2200:
        f.fail(f"năm «{year_raw}» phải là một năm như 2023", key="year")
    meta = PlanMeta(
        superior_body=f.text("superior_body"),
        issuing_body=f.text("issuing_body", required=True),
        number=f.text("number"),
        symbol=f.text("symbol"),
        place=f.text("place"),
        date=_date(f, "date"),
        date_text=f.text("date_text"),
        title=f.text("title", required=True),
        year=year,
        signer=signer,
        recipients=tuple(f.lines("recipients")),
    )
    if meta.year is None and meta.date is not None:
        meta = PlanMeta(**{**meta.__dict__, "year": meta.date.year})
    f.done()
    return meta


def _appendix(f: Fields) -> Appendix:
    a = Appendix(
        form=f.text("form", required=True),
        number=f.text("number"),
        title=f.text("title"),
        attached_line=f.text("attached_line"),
    )
    f.done()
    return a


def _product(f: Fields, year: int | None) -> Product:
    return Product(
        product=f.text("product"),
        deadline=parse_deadline(f.text("deadline"), year),
        lead=f.text("lead"),
        coordinating=f.text("coordinating"),
    )


def _area(f: Fields, year: int | None) -> Area:
    stt = f.text("stt")
    title = f.text("title", required=True)
    tasks = []
    for i, raw in enumerate(f.listing("tasks", required=True)):
        tf = f.child("tasks", raw, f"nhiệm vụ thứ {i + 1} của nhóm «{title}»")
        t_stt = tf.text("stt", required=True)
        content = tf.text("content", required=True)
        if tf.has("products"):
            for single in ("product", "deadline", "lead", "coordinating"):
                if tf.has(single):
                    tf.fail(f"nhiệm vụ {t_stt} có «products» thì không ghi «{single}» riêng",
                            key=single)
            products = tuple(
                _checked_product(tf.child("products", p, f"sản phẩm {j + 1} của nhiệm vụ "
                                          f"{t_stt}"), year)
                for j, p in enumerate(tf.listing("products"))
            )
            if not products:
                tf.fail(f"nhiệm vụ {t_stt} có «products» rỗng", key="products")
        else:
            products = (_product(tf, year),)
        tf.done()
        tasks.append(Task(stt=t_stt, content=content, products=products, area_stt=stt,
                          line=tf.line))
    f.done()
    return Area(stt=stt, title=title, tasks=tuple(tasks))


def _checked_product(f: Fields, year: int | None) -> Product:
    p = _product(f, year)
    f.done()
    return p


def _indicators(top: Fields, items: list[Any]) -> tuple[Indicator, ...]:
    result: list[Indicator] = []
    group = ""
    bullet = 0
    for i, raw in enumerate(items):
        f = top.child("indicators", raw, f"chỉ tiêu thứ {i + 1}")
        stt = f.text("stt")
        text = f.text("text", required=True)
        is_group = f.flag("group")
        target_text = f.text("target")
        measure = f.text("measure")
        if measure and measure not in MEASURES:
            f.fail(f"«measure» phải là một trong {', '.join(MEASURES)}, không phải «{measure}»",
                   key="measure")
        target: Target | None = None
        if target_text:
            if target_text not in text:
                f.fail(f"chỉ tiêu cần đạt «{target_text}» phải chép đúng từ nội dung chỉ tiêu",
                       key="target")
            target = parse_target(target_text)
        elif not is_group:
            target = find_target(text)
        if not measure:
            measure = default_measure(target)
        if is_group:
            group, bullet = stt or group, 0
        ind = Indicator(
            stt=stt,
            text=text,
            group=is_group,
            target=None if is_group else target,
            measure="text" if is_group else measure,
            lead=f.text("lead"),
            coordinating=f.text("coordinating"),
            line=f.line,
        )
        f.done()
        if not stt.strip() or stt.strip() in "-–•+":
            # unnumbered bullets get stable keys from their group and position
            bullet += 1
            ind = _with_key(ind, f"{group or 'g'}-{bullet}")
        result.append(ind)
    return tuple(result)


def default_measure(target: Target | None) -> str:
    """What the report collects for an indicator whose plan does not say: a rate for a
    percentage target, a count for a number, else text."""
    if target is not None and target.is_rate:
        return "rate"
    return "count" if target is not None and target.parsed and target.unit == "count" else "text"


class _KeyedIndicator(Indicator):
    """An indicator whose printed STT is a bullet; its key comes from its position."""

    _key: str = ""

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"ind:{self._key}"


def _with_key(ind: Indicator, key: str) -> Indicator:
    keyed = _KeyedIndicator(**ind.__dict__)
    object.__setattr__(keyed, "_key", key)
    return keyed


def _phase(f: Fields) -> Phase:
    code = f.text("code", required=True)
    criteria = []
    for i, raw in enumerate(f.listing("criteria", required=True)):
        cf = f.child("criteria", raw, f"tiêu chí thứ {i + 1} của giai đoạn {code}")
        criteria.append(Criterion(
            stt=cf.text("stt", required=True),
            criterion=cf.text("criterion", required=True),
            targets=tuple(parse_target(t) for t in cf.lines("targets")),
            lead=cf.text("lead"),
            coordinating=cf.text("coordinating"),
        ))
        cf.done()
    phase = Phase(code=code, title=f.text("title"), criteria=tuple(criteria))
    f.done()
    return phase


def _period(f: Fields, warnings: list[str] | None = None) -> Period:
    pid = f.text("id", required=True)
    if not _ID.match(pid):
        f.fail(f"mã kỳ báo cáo «{pid}» chỉ được gồm chữ không dấu, số, «-», «_», «.»", key="id")
    start = _date(f, "from", required=True)
    end = _date(f, "to", required=True)
    due = _date(f, "due", required=True)
    assert start and end and due
    if end < start:
        f.fail(f"kỳ báo cáo «{pid}» có ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu "
               f"{start:%d/%m/%Y}", key="to")
    parts = tuple(str(x).strip() for x in f.listing("parts"))
    kind = f.text("kind") or "report"
    if kind not in ("report", "plan"):
        f.fail(f"loại kỳ «{kind}» không rõ; dùng «report» (kỳ báo cáo) hoặc «plan» (đợt các "
               "đơn vị gửi kế hoạch của mình)", key="kind")
    period = Period(id=pid, name=f.text("name") or pid, start=start, end=end, due=due,
                    note=f.text("note"), parts=parts, kind=kind)
    f.done()
    if warnings is not None and kind == "report":
        doubt = due_doubt(period)
        if doubt:
            warnings.append(f"Tệp {f.what} «{f.path}», dòng {f.line_of('due')}: {doubt}.")
    return period


def due_doubt(period: Period) -> str:
    """Why a period's due date looks wrong, or "": a due date before the period or more
    than two months after it is most often a day and month read the wrong way round."""
    due, start, end = period.due, period.start, period.end
    if start <= due <= end + timedelta(days=62) or (due >= start and due.year > 2200):
        return ""
    hint = ""
    if due.day <= 12:
        try:
            swapped = date(due.year, due.day, due.month)
        except ValueError:
            swapped = None
        if swapped and start <= swapped <= end + timedelta(days=62):
            hint = f"; có phải ngày {swapped:%d/%m/%Y} (ngày và tháng bị đảo)?"
    return (f"hạn gửi {due:%d/%m/%Y} của kỳ «{period.id}» nằm xa kỳ báo cáo "
            f"({start:%d/%m/%Y} – {end:%d/%m/%Y}){hint}")


def _check_nesting(top: Fields, schedule: tuple[Period, ...]) -> None:
    """A period made of parts must be tiled by them exactly: the first starts with it, each
    next starts the day after the previous ends, the last ends with it. Then every figure
    built from the parts covers the same days a direct report would."""
    by_id = {p.id: p for p in schedule}
    for period in schedule:
        if not period.parts:
            continue
        unknown = [x for x in period.parts if x not in by_id]
        if unknown:
            top.fail(f"kỳ «{period.id}» gồm kỳ «{unknown[0]}» không có trong lịch báo cáo",
                     key="schedule")
        if len(period.parts) < 2 or len(set(period.parts)) != len(period.parts):
            top.fail(f"kỳ «{period.id}» phải gồm ít nhất hai kỳ khác nhau (parts)",
                     key="schedule")
        parts = sorted((by_id[x] for x in period.parts), key=lambda p: p.start)
        day = period.start
        for part in parts:
            if part.start != day:
                top.fail(f"các kỳ của «{period.id}» không nối liền nhau: kỳ «{part.id}» bắt "
                         f"đầu ngày {part.start:%d/%m/%Y}, cần ngày {day:%d/%m/%Y}",
                         key="schedule")
            day = part.end + timedelta(days=1)
        if parts[-1].end != period.end:
            top.fail(f"các kỳ của «{period.id}» kết thúc ngày {parts[-1].end:%d/%m/%Y}, "
                     f"nhưng kỳ «{period.id}» kết thúc ngày {period.end:%d/%m/%Y}",
                     key="schedule")


def _procedure(f: Fields) -> Procedure:
    p = Procedure(name=f.text("name", required=True), field=f.text("field"),
                  assignee=f.text("assignee"), levels=read_levels(f))
    f.done()
    return p


def read_levels(f: Fields) -> tuple[str, ...]:
    """The optional ``levels`` (cấp học) of a row: ``[TH, THCS]`` or "Tiểu học, THCS"."""
    raw = f.raw("levels")
    codes, unknown = level_codes(raw)
    if unknown:
        f.fail(f"cấp học «{unknown[0]}» không rõ; dùng {', '.join(LEVELS)} "
               "(hoặc tên: Mầm non, Tiểu học, Trung học cơ sở, …)", key="levels")
    return codes
