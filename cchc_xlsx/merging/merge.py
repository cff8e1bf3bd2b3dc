"""Merge the units' returns of one period into the office's consolidated workbook.

Inputs are read and checked by the validate machinery (``check_files``), never a second
reader. Each counted unit becomes an ``Aggregate``; consolidated workbooks from the level
below bring theirs; everything is summed exactly. The output always says who has not
submitted, who was late and whose file was invalid. A later file for the same unit replaces
an earlier one (and names it); invalid files are left out of the figures unless asked.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cchc_xlsx.checking.report import FileResult
from cchc_xlsx.checking.validate import check_files, unit_named_by
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.specs import Catalog, load_catalog
from cchc_xlsx.merging.aggregate import (
    SOURCE_LABELS,
    STATUS_CODES,
    TTHC_COLUMNS,
    Aggregate,
    IndicatorAgg,
    Submission,
)
from cchc_xlsx.model import Period, Plan, Target, Unit
from cchc_xlsx.plans.names import name_key, same_body
from cchc_xlsx.reading.normalize import ascii_fold, fold

_CANONICAL = {fold(s): s for s in STATUS_CODES}
# fold is pure and a batch holds a handful of distinct statuses and verdicts: remembered,
# 1,000 returns cost a few dozen folds instead of 46,000
_fold_choice = lru_cache(maxsize=4096)(fold)
_MET, _NOT_MET = fold("Đạt"), fold("Không đạt")

EXIT_OK = 0  # every expected unit sent a valid return
EXIT_INCOMPLETE = 1  # some unit is missing, or its file is invalid or unusable
EXIT_UNUSABLE = 2  # wrong usage, or nothing at all could be merged


@dataclass
class MergeResult:
    out: Path
    aggregate: Aggregate
    submissions: list[Submission]
    exit_code: int
    messages: list[str] = field(default_factory=list)  # Vietnamese, for the terminal

    @property
    def missing(self) -> list[Submission]:
        return [s for s in self.submissions if s.status == "missing"]


def meets(target: Target | None, measure: str, value: float | None) -> bool | None:
    """Whether a unit's value meets a parsed target; None when it cannot be judged."""
    if target is None or not target.parsed or value is None or target.value is None:
        return None
    if target.baseline or target.per or target.op not in (">=", ">", "<=", "<", "="):
        return None
    goal = target.value / 100 if (measure == "rate" and target.unit == "%") else target.value
    v = round(value, 9)
    return {">=": v >= goal, ">": v > goal, "<=": v <= goal, "<": v < goal,
            "=": abs(v - goal) < 1e-9}[target.op]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and value == value else None


def _small(x: float) -> float:
    """Whole numbers as ints: small ones are shared objects, which keeps the per-unit
    parts of 10,000 units (kept for the per-level breakdown and nesting) small in memory."""
    return int(x) if float(x).is_integer() else x


def unit_aggregate(plan: Plan, period: Period, unit_code: str, unit_name: str,
                   rows: dict[str, list[dict[str, Any]]], submission: Submission) -> Aggregate:
    """One unit's contribution, from its validated, normalised rows."""
    agg = Aggregate(plan.id, period.id, units={unit_code: submission})
    task_rows = {r["_key"]: r for r in rows.get("report_tasks", [])}
    agg.task_order = [r["_key"] for r in rows.get("report_tasks", [])]
    letters = []
    for key, r in task_rows.items():
        status = _CANONICAL.get(_fold_choice(str(r.get("status") or "")))
        counts = agg.tasks.setdefault(key, {})
        if status:
            counts[status] = counts.get(status, 0) + 1
        letters.append(STATUS_CODES.get(status or "", "-"))
        text = (r.get("difficulties") or "").strip() if isinstance(r.get("difficulties"),
                                                                     str) else ""
        if text:
            agg.difficulties.append((unit_name, key, text))
    if task_rows:
        agg.task_detail[unit_code] = "".join(letters)
    targets = {i.key: i for i in plan.indicators if not i.group}
    for r in rows.get("report_indicators", []):
        ind = targets.get(r["_key"])
        measure = r.get("measure") or (ind.measure if ind else "text")
        a = agg.indicators.setdefault(r["_key"], IndicatorAgg())
        value: float | None = None
        num = den = None
        if measure == "rate":
            num, den = _num(r.get("numerator")), _num(r.get("denominator"))
            if num is None or den is None:
                continue
            a.numerator += num
            a.denominator += den
            value = num / den if den else None
        elif measure == "count":
            value = _num(r.get("result"))
            if value is None:
                continue
            a.total += value
        a.reporting += 1
        verdict = meets(ind.target if ind else None, measure, value)
        if verdict is None:
            met = _fold_choice(str(r.get("met") or ""))
            verdict = True if met == _MET else False if met == _NOT_MET else None
        if verdict:
            a.meeting += 1
        elif verdict is False:
            a.not_meeting.append(unit_name)
        rate = (num or 0, den or 0) if measure == "rate" else (0, 0)
        parts = (*rate, (value or 0) if measure == "count" else 0,
                 1 if verdict else 0 if verdict is False else -1)
        # interned keys and small ints: 10,000 units share them instead of holding copies
        agg.indicator_by_unit.setdefault(unit_code, {})[sys.intern(r["_key"])] = tuple(
            map(_small, parts))
    totals = [0.0] * len(TTHC_COLUMNS)
    any_tthc = False
    for r in rows.get("report_tthc", []):
        cells = {c: _num(r.get(c)) or 0.0 for c in TTHC_COLUMNS}
        # the totals (3), (7), (11) are always derived: a typed-over total never leaks in
        cells["c3"] = cells["c4"] + cells["c5"] + cells["c6"]
        cells["c7"] = cells["c8"] + cells["c9"] + cells["c10"]
        cells["c11"] = cells["c12"] + cells["c13"]
        values = [cells[c] for c in TTHC_COLUMNS]
        agg.tthc[r["_key"]] = values
        agg.tthc_unit_rows.setdefault(unit_code, {})[sys.intern(r["_key"])] = tuple(
            map(_small, values))
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        any_tthc = True
    if any_tthc:
        agg.tthc_by_unit[unit_code] = totals
    return agg


def _received(res: FileResult, history: Any | None) -> tuple[datetime, str]:
    """The earliest evidence of when a file arrived: its own modification time, or when
    ``collect`` first recorded these bytes, whichever is earlier; and which it was."""
    found: list[tuple[datetime, str]] = []
    if res.mtime is not None:
        found.append((datetime.fromtimestamp(res.mtime).replace(microsecond=0), "mtime"))
    if history is not None and res.sha256:
        seen = history.find(res.sha256)
        if seen is not None:  # the first collect, and the file's own time it saw then
            found.append(seen.earliest)
    # on a tie the record wins: a file stored at the moment it was received (the portal)
    # was received then, not "modified" then
    return min(found, key=lambda t: (t[0], t[1] != "db")) if found else (datetime.min, "")


COPIED_WITHIN = timedelta(minutes=2)  # files "modified" this close were copied together


def copied_batch_hint(times: Sequence[datetime], due: date) -> str:
    """A hint when every return dated only by its file's time is late and all those times
    fall within a couple of minutes: that is the moment the files were copied or saved
    (a fresh clone, attachments downloaded on the day of merging), not when each unit
    sent. The figures stand; the clerk is told why the column says "Quá hạn"."""
    if len(times) < 2 or any(t.date() <= due for t in times):
        return ""
    if max(times) - min(times) > COPIED_WITHIN:
        return ""
    when = f"{min(times):%H:%M ngày %d/%m/%Y}"
    return (f"{len(times)} tệp có thời gian sửa gần như cùng lúc ({when}), sau hạn nộp: "
            "có thể là lúc chép hoặc tải các tệp về máy, không phải "
            "lúc đơn vị gửi. Nếu vậy, cột «Đúng hạn» không đúng: hãy ghi nhận tệp bằng "
            "«cchc-xlsx collect» ngay khi nhận thư, hoặc chép tệp giữ nguyên thời gian sửa.")


def _on_time(received: datetime, period: Period) -> bool:
    return received <= datetime.combine(period.due, time.max)


def _unit_from_name(path: str, codes: set[str]) -> str:
    """A generated file is named CODE_slug.xlsx: attribute an unreadable file to its unit."""
    return unit_named_by(path, codes)


def merge(inputs: Iterable[str | Path], plan: Plan, units: Sequence[Unit], period_id: str,
          out: str | Path, office: Any, history: Any | None = None,
          include_invalid: bool = False, catalog: Catalog | None = None,
          now: datetime | None = None, workers: int | None = None,
          progress: Callable[[int], None] | None = None) -> MergeResult:
    """Consolidate returns (files, folders, consolidated workbooks) into ``out``."""
    from cchc_xlsx.merging.merge_writer import write_consolidated

    catalog = catalog or load_catalog()
    inputs = list(inputs)
    for path in inputs:
        if not Path(path).exists() and not Path(path).is_symlink():  # a dangling link: listed
            raise UserError(f"Không tìm thấy «{path}»; hãy kiểm tra lại đường dẫn tệp hoặc "
                            "thư mục báo cáo.")
    try:
        period = plan.period(period_id)
    except KeyError:
        known = ", ".join(p.id for p in plan.schedule)
        raise UserError(f"Kế hoạch «{plan.source}» không có kỳ báo cáo «{period_id}»; các kỳ "
                        f"có: {known}.") from None
    if period.kind == "plan":
        raise UserError(f"«{period_id}» là đợt các đơn vị gửi kế hoạch, không phải kỳ báo cáo; "
                        "tổng hợp kế hoạch của các đơn vị bằng «cchc-xlsx unit-plan merge».")
    checked = check_files(inputs, units=units, period_id=period.id, plan_id=plan.id,
                          catalog=catalog, today=(now or datetime.now()).date(),
                          workers=workers, progress=progress,
                          known_periods=[p.id for p in plan.schedule])
    if period.parts:
        return _merge_nested(checked, plan, units, period, Path(out), office, history,
                             include_invalid, now or datetime.now())
    by_code = {u.code: u for u in units}
    expected = {u.code: Submission(u.code, u.name) for u in units}
    extras: list[Submission] = []
    messages: list[str] = []
    candidates: dict[str, list[tuple[datetime, int, Submission]]] = {}

    firsts: dict[str, tuple[datetime, str, int]] = {}  # sha256 -> earliest (time, source, fi)
    timed = []
    for fi, res in enumerate(checked.report.files):
        if res.not_return:
            messages.append(res.issues[0].message if res.issues else res.file)
            timed.append(None)
            continue
        if history is not None and res.sha256:
            history.record(res.file, res, sha256=res.sha256, mtime=res.mtime)
        received, source = _received(res, history)
        timed.append((received, source))
        if res.sha256:
            first = firsts.get(res.sha256)
            if first is None or (received, fi) < (first[0], first[2]):
                firsts[res.sha256] = (received, source, fi)
    sources: Counter[str] = Counter()
    by_mtime: list[datetime] = []  # received times that are only the files' own times
    for fi, (res, book) in enumerate(zip(checked.report.files, checked.books, strict=True)):
        if timed[fi] is None:
            continue
        received, source = timed[fi]
        if res.sha256 and firsts[res.sha256][2] != fi:
            original = checked.report.files[firsts[res.sha256][2]].file
            messages.append(f"«{res.file}» giống hệt «{original}» (cùng nội dung): chỉ tính "
                            "một lần, không thay thế và không đổi thời điểm nhận.")
            continue
        if res.sha256:  # the earliest evidence of these bytes, whichever copy shows it
            received, source = firsts[res.sha256][:2]
        if source:
            sources[source] += 1
        sub = _submission(res, by_code, received, source, period)
        if source == "mtime":
            by_mtime.append(received)
        number = book.doc_fields.get("number") if book is not None else None
        sub.report_number = number.value if number is not None else ""
        if not res.usable or book is None:
            code = _unit_from_name(res.file, set(by_code))
            sub.unit_code = code
            sub.unit_name = by_code[code].name if code else ""
            sub.status = "unusable"
            sub.note = res.issues[0].message if res.issues else ""
            if code:
                candidates.setdefault(code, []).append((received, fi, sub))
            else:
                sub.expected = False
                extras.append(sub)
            messages.append(sub.note)
            continue
        problem = _file_problem(res, book, by_code, plan, period)
        if problem:
            sub.status = "invalid"
            sub.note = problem
            sub.expected = False
            extras.append(sub)
            messages.append(f"«{res.file}»: {problem}")
            continue
        candidates.setdefault(sub.unit_code, []).append((received, fi, sub))

    by_file: dict[int, dict[str, list[int]]] = {}  # file index → form → row positions
    for form, stacked in checked.rows.items():
        for i, f in enumerate(stacked.columns.get("_f", [])):
            by_file.setdefault(f, {}).setdefault(form, []).append(i)
    # each unit's part is folded into the total as soon as it is built, so the per-unit
    # aggregates are freed one by one instead of all living until the workbook is written
    total = Aggregate(plan.id, period.id)
    for code, subs in candidates.items():
        subs.sort(key=lambda t: (t[0], t[1]))
        # a file whose name names another unit counts only when its unit sent nothing else
        proper = [t for t in subs if not checked.report.files[t[1]].name_unit]
        received, fi, winner = (proper or subs)[-1]
        for _, other_fi, other in subs:
            named = checked.report.files[other_fi].name_unit
            if named:
                kept = ("không tính vì đơn vị đã có tệp «" + winner.file + "»"
                        if other is not winner else "đã tính cho đơn vị theo nội dung")
                messages.append(f"«{other.file}» mang tên đơn vị «{named}» nhưng là báo cáo "
                                f"của {other.unit_name} ({code}): {kept}; «{named}» không được "
                                "tính là đã nộp bằng tệp này.")
        winner.replaced = [s.file for _, _, s in (proper or subs) if s is not winner]
        if winner.replaced:
            messages.append(f"{winner.unit_name}: tệp «{winner.file}» thay thế "
                            + ", ".join(f"«{f}»" for f in winner.replaced) + ".")
        expected[code] = winner
        winner.level = by_code[code].level if code in by_code else winner.level
        if winner.status == "unusable":
            continue
        counted = winner.status == "valid" or (include_invalid and winner.status == "invalid")
        if not counted:
            continue
        book = checked.books[fi]
        assert book is not None
        if book.identity.get("kind") == "consolidation":
            part = Aggregate.from_json(book.identity.get("aggregate", ""))
        else:
            rows = {form: [checked.rows[form].row(i) for i in idxs]
                    for form, idxs in by_file.get(fi, {}).items()}
            part = unit_aggregate(plan, period, code, winner.unit_name, rows, winner)
        try:
            total.add(part)
        except UserError as exc:
            winner.status = "invalid"
            winner.note = exc.message
            messages.append(f"«{winner.file}»: {exc.message}")
    if sources:
        messages.append("Thời điểm nhận lấy mốc sớm nhất có được: " + ", ".join(
            f"{SOURCE_LABELS.get(k, k)} cho {n} tệp" for k, n in sorted(sources.items())) + ".")
    hint = copied_batch_hint(by_mtime, period.due)
    if hint:
        messages.append(hint)
    checked.rows.clear()  # the stacked cells are not needed to write: free them first
    del by_file
    submissions = list(expected.values()) + extras
    out = Path(out)
    write_consolidated(out, plan, period, total, submissions, office, now or datetime.now(),
                       expected=list(by_code))
    complete = all(s.status == "valid" for s in expected.values()) and not extras
    any_data = bool(total.units)
    code = EXIT_OK if complete else (EXIT_INCOMPLETE if any_data or expected else EXIT_UNUSABLE)
    return MergeResult(out, total, submissions, code, messages)


def _submission(res: FileResult, by_code: dict[str, Unit], received: datetime, source: str,
                period: Period) -> Submission:
    unit = by_code.get(res.unit_code)
    return Submission(
        unit_code=res.unit_code, unit_name=unit.name if unit else res.unit_name,
        status="valid" if res.valid else "invalid", file=res.file,
        received_at=received.isoformat(timespec="seconds") if received != datetime.min else "",
        received_from=source, on_time=_on_time(received, period) if source else None,
        errors=res.errors, warnings=res.warnings)


def _file_problem(res: FileResult, book: Any, by_code: dict[str, Unit], plan: Plan,
                  period: Period) -> str:
    """Why a readable file cannot count for this merge at all ("" when it can)."""
    ident = book.identity
    if not ident:
        return ("tệp không có thông tin nhận dạng nên không biết của đơn vị nào; hãy điền vào "
                "sổ Excel đã được phát")
    if ident.get("plan_id") != plan.id:
        return f"tệp thuộc kế hoạch «{ident.get('plan_id')}», không phải «{plan.id}»"
    if ident.get("period_id") != period.id:
        return f"tệp là báo cáo kỳ «{ident.get('period_id')}», không phải kỳ «{period.id}»"
    if res.unit_code not in by_code:
        return f"mã đơn vị «{res.unit_code}» không có trong danh sách đơn vị"
    return ""


def office_from_units(units: Sequence[Unit], plan: Plan, name: str | None = None,
                      code: str | None = None, superior: str | None = None,
                      profile: Any | None = None) -> Any:
    """The consolidating office: its profile (``OfficeProfile``) when given, else the
    office the units report to (their common "nơi nhận"), or the plan's issuer. A name or
    code given as an option wins over both."""
    from dataclasses import replace

    from cchc_xlsx.merging.merge_writer import Office

    if profile is not None:
        office = Office.from_profile(profile)
        if name:
            office = replace(office, name=name.upper())
        if superior:
            office = replace(office, superior=superior.upper())
        return replace(office, code=code) if code else office
    recipients = {u.recipient for u in units if u.recipient}
    superiors = {u.superior for u in units if u.superior}
    office_name = name or (recipients.pop() if len(recipients) == 1 else plan.meta.issuing_body)
    sup = superior or (superiors.pop() if len(superiors) == 1 else plan.meta.superior_body)
    places = {u.place for u in units if u.place}
    place = places.pop() if len(places) == 1 else plan.meta.place
    own_plan = _issued_by(plan, office_name, place)
    if not superior and same_body(sup, office_name):
        # the units' managing body is this office itself (a Sở's schools): the office's
        # own superior is the one its own plan names (never its own name printed twice,
        # nor the superior of another body whose plan it collects on)
        sup = plan.meta.superior_body if own_plan else ""
        sup = "" if same_body(sup, office_name) else sup
    # on its own plan, the office's ký hiệu: "KH-SGDĐT" → "Số:      /BC-SGDĐT"
    symbol = plan.meta.symbol.split("-", 1)[1] if own_plan and "-" in plan.meta.symbol else ""
    return Office(superior=sup, name=office_name.upper(), place=place, symbol=symbol,
                  code=code or re.sub(r"[^a-z0-9]+", "-", ascii_fold(office_name)).strip("-"))


def _issued_by(plan: Plan, office_name: str, place: str) -> bool:
    """Whether the plan is this office's own: issued under its name, or under its name
    without the place ("SỞ GIÁO DỤC VÀ ĐÀO TẠO" of Sóc Trăng) in the same place."""
    issuer, name = name_key(plan.meta.issuing_body), name_key(office_name)
    if not issuer:
        return False
    same_place = same_body(plan.meta.place, place)
    return name == issuer or (name.startswith(issuer + " ") and same_place)


def _merge_nested(checked: Any, plan: Plan, units: Sequence[Unit], period: Period, out: Path,
                  office: Any, history: Any | None, include_invalid: bool,
                  now: datetime) -> MergeResult:
    """``merge`` for a period the plan builds from its parts: each unit's figures are read
    for the period itself or for its parts, then composed (see ``nesting``)."""
    from cchc_xlsx.forms.form_rows import task_records
    from cchc_xlsx.merging.merge_writer import write_consolidated
    from cchc_xlsx.merging.nesting import compose, descendants, unit_slices

    accepted = {period.id, *descendants(plan, period)}
    by_code = {u.code: u for u in units}
    messages: list[str] = []
    extras: list[Submission] = []
    returns: dict[tuple[str, str], list[tuple[datetime, int, Submission]]] = {}
    consolidations: dict[str, list[tuple[datetime, int, Submission]]] = {}
    for fi, (res, book) in enumerate(zip(checked.report.files, checked.books, strict=True)):
        if res.not_return:
            messages.append(res.issues[0].message if res.issues else res.file)
            continue
        if history is not None and res.sha256:
            history.record(res.file, res, sha256=res.sha256)
        received, source = _received(res, history)
        pid = book.identity.get("period_id", "") if book is not None else ""
        consolidation = book is not None and book.identity.get("kind") == "consolidation"
        if pid in accepted and pid != period.id:  # a part's file: its own period is right
            drop = {"file_period_mismatch"} | ({"file_unit_unknown"} if consolidation
                                               else set())
            res.issues = [i for i in res.issues if i.rule_id not in drop]
        sub = _submission(res, by_code, received, source, plan.period(pid)
                          if pid in accepted else period)
        problem = ""
        if not res.usable or book is None:
            problem = res.issues[0].message if res.issues else "tệp không dùng được"
        elif not book.identity:
            problem = "tệp không có thông tin nhận dạng nên không biết của đơn vị nào"
        elif book.identity.get("plan_id") != plan.id:
            problem = f"tệp thuộc kế hoạch «{book.identity.get('plan_id')}», không phải «{plan.id}»"
        elif pid not in accepted:
            problem = (f"tệp là báo cáo kỳ «{pid}», không thuộc kỳ «{period.id}» hoặc các kỳ "
                       "ghép thành kỳ này")
        elif not consolidation and res.unit_code not in by_code:
            problem = f"mã đơn vị «{res.unit_code}» không có trong danh sách đơn vị"
        elif not (sub.status == "valid" or include_invalid):
            problem = f"tệp có {res.errors} lỗi, chưa được tổng hợp"
        if problem:
            messages.append(f"«{res.file}»: {problem}")
            continue
        if consolidation and res.unit_code not in by_code:
            consolidations.setdefault(pid, []).append((received, fi, sub))
        else:
            returns.setdefault((pid, res.unit_code), []).append((received, fi, sub))

    by_file: dict[int, dict[str, list[int]]] = {}
    for form, stacked in checked.rows.items():
        for i, f in enumerate(stacked.columns.get("_f", [])):
            by_file.setdefault(f, {}).setdefault(form, []).append(i)
    by_period: dict[str, dict[str, Any]] = {}
    for pid, files in consolidations.items():
        for _, fi, sub in sorted(files, key=lambda t: (t[0], t[1])):
            book = checked.books[fi]
            agg = Aggregate.from_json(book.identity.get("aggregate", ""))
            for code, data in unit_slices(agg, sub.file).items():
                data.sub.via = sub.file
                by_period.setdefault(pid, {})[code] = data
    via_of: dict[str, str] = {}  # unit code → the listed unit whose consolidation has it
    for (pid, code), subs in returns.items():
        subs.sort(key=lambda t: (t[0], t[1]))
        _, fi, winner = subs[-1]
        if len(subs) > 1:
            winner.replaced = [s.file for _, _, s in subs[:-1]]
            messages.append(f"{winner.unit_name}: tệp «{winner.file}» thay thế "
                            + ", ".join(f"«{f}»" for f in winner.replaced) + ".")
        book = checked.books[fi]
        if book.identity.get("kind") == "consolidation":
            agg = Aggregate.from_json(book.identity.get("aggregate", ""))
        else:
            rows = {form: [checked.rows[form].row(i) for i in idxs]
                    for form, idxs in by_file.get(fi, {}).items()}
            agg = unit_aggregate(plan, plan.period(pid), code, winner.unit_name, rows, winner)
        for unit, data in unit_slices(agg, winner.file).items():
            by_period.setdefault(pid, {})[unit] = data
            if unit != code:  # a listed unit's consolidation: its units come through it
                via_of[unit] = code
                data.sub.via = winner.file
    for slices in by_period.values():
        for code, data in slices.items():
            if code in by_code:
                data.sub.level = by_code[code].level or data.sub.level
                data.sub.unit_name = by_code[code].name
    checked.rows.clear()  # the stacked cells are not needed to compose and write
    task_order = [r["key"] for r in task_records(plan) if r["kind"] == "item"]
    indicator_keys = [i.key for i in plan.indicators if not i.group]
    names = {u.code: u.name for u in units}
    total, standing = compose(plan, period, by_period, list(by_code), names, task_order,
                              indicator_keys)
    submissions = [standing.get(c) or _via_standing(c, names[c], via_of, standing)
                   for c in by_code]
    submissions += [s for c, s in standing.items() if c not in by_code and c not in via_of]
    write_consolidated(out, plan, period, total, submissions + extras, office, now,
                       expected=list(by_code))
    complete = all(s.status == "valid" for s in submissions[:len(by_code)])
    code = EXIT_OK if complete else (EXIT_INCOMPLETE if total.units or by_code
                                     else EXIT_UNUSABLE)
    return MergeResult(out, total, submissions, code, messages)


def _via_standing(code: str, name: str, via_of: dict[str, str],
                  standing: dict[str, Submission]) -> Submission:
    """A listed unit that sent consolidations (a district, for a province): counted when
    some unit they cover has all its parts; the units left out are named."""
    covered = [c for c, listed in via_of.items() if listed == code]
    if not covered:
        return Submission(code, name)
    lacking = [standing[c] for c in covered if c in standing and standing[c].status != "valid"]
    whole = len(covered) - len(lacking)
    note = f"{whole}/{len(covered)} đơn vị qua các tệp tổng hợp" + (
        "; chưa tính: " + "; ".join(f"{s.unit_name} ({s.note})" for s in lacking)
        if lacking else "")
    files = "; ".join(dict.fromkeys(standing[c].via for c in covered
                                    if c in standing and standing[c].via))
    return Submission(code, name, status="valid" if whole else "missing", note=note,
                      file=files)
