"""The rows a form shows for a plan, as plain records with stable keys.

Generate writes these records; read-back maps returned rows to them by key, so the keys are
the contract between the two: ``task:1.1`` (``task:3/2`` for a task's second product row),
``ind:2.1``, ``road:A.1``, ``tthc:<name>``, and ``grp:…`` for group rows.
"""

from __future__ import annotations

from typing import Any

from cchc_xlsx.forms.specs import FormSpec
from cchc_xlsx.model import Period, Plan, Target
from cchc_xlsx.plans.levels import applies

Record = dict[str, Any]


def _bullets(lines: list[str]) -> str:
    return lines[0] if len(lines) == 1 else "\n".join(f"- {x}" for x in lines)


def task_records(plan: Plan) -> list[Record]:
    rows: list[Record] = []
    for a_index, area in enumerate(plan.areas):
        group_key = f"grp:area:{area.stt or a_index + 1}"
        rows.append({"kind": "group", "key": group_key, "stt": area.stt, "title": area.title,
                     "area_title": area.title})
        for task in area.tasks:
            n = len(task.products)
            for i, p in enumerate(task.products):
                rows.append({
                    "kind": "item",
                    "key": task.key if n == 1 else f"{task.key}/{i + 1}",
                    "task_key": task.key,
                    "stt": task.stt,
                    "content": task.content,
                    "product": p.product,
                    "lead": p.lead,
                    "coordinating": p.coordinating,
                    "deadline": p.deadline.text,
                    "deadline_obj": p.deadline,
                    "area_title": area.title,
                    "area_stt": area.stt,
                    "group_key": group_key,
                    "span": n if i == 0 else 0,  # >0 on a task's first row: rows it covers
                })
    return rows


def _target_text(target: Target | None) -> str:
    return target.text if target is not None else ""


COMPARISONS = (">=", ">", "<=", "<", "=")


def met_mode(measure: str, target: Target | None) -> str:
    """``formula`` when Excel can judge the target itself, else ``input`` (a dropdown).

    Targets against a baseline, per period or as a change need data the sheet lacks.
    """
    if target is None or not target.parsed or target.op not in COMPARISONS:
        return "input"
    if target.baseline or target.per or target.value is None:
        return "input"
    if measure == "rate" and target.unit == "%":
        return "formula"
    if measure == "count" and target.unit == "count":
        return "formula"
    return "input"


def indicator_records(plan: Plan) -> list[Record]:
    rows: list[Record] = []
    for ind in plan.indicators:
        if ind.group:
            rows.append({"kind": "group", "key": f"grp:{ind.key}", "stt": ind.stt,
                         "title": ind.text})
            continue
        rows.append({
            "kind": "item",
            "key": ind.key,
            "stt": ind.stt,
            "text": ind.text,
            "target_text": _target_text(ind.target),
            "target": ind.target,
            "measure": ind.measure,
            "met_mode": met_mode(ind.measure, ind.target),
            "lead": ind.lead,
            "coordinating": ind.coordinating,
        })
    return rows


def roadmap_records(plan: Plan) -> list[Record]:
    rows: list[Record] = []
    for phase in plan.roadmap:
        rows.append({"kind": "group", "key": f"grp:road:{phase.code}", "stt": phase.code,
                     "title": phase.title})
        for c in phase.criteria:
            rows.append({
                "kind": "item",
                "key": c.key(phase.code),
                "stt": c.stt,
                "criterion": c.criterion,
                "targets": _bullets([t.text for t in c.targets]) if c.targets else "",
                "lead": c.lead,
                "coordinating": c.coordinating,
            })
    return rows


def procedure_records(plan: Plan, spec: FormSpec) -> list[Record]:
    names = [(p.name, p.field, p.levels) for p in plan.procedures] or [
        (n, "", spec.default_row_levels[i] if i < len(spec.default_row_levels) else ())
        for i, n in enumerate(spec.default_rows)]
    return [{"kind": "item", "key": f"tthc:{name}", "stt": str(i + 1), "name": name,
             "field": fld, "levels": levels} for i, (name, fld, levels) in enumerate(names)]


def for_levels(records: list[Record], levels: tuple[str, ...]) -> list[Record]:
    """The rows a unit of these school levels (cấp học) reports: rows without levels, and
    rows naming one of its levels; numbered again so the printed STT runs on."""
    kept = [r for r in records if applies(r.get("levels", ()), levels)]
    if len(kept) == len(records):
        return records
    if all(r["kind"] == "item" and r.get("stt", "").isdigit() for r in kept):
        kept = [{**r, "stt": str(i + 1)} for i, r in enumerate(kept)]
    return kept


def records_for(spec: FormSpec, plan: Plan) -> list[Record]:
    """The printed rows of ``spec`` for ``plan``, in order, group rows included."""
    if spec.rows == "tasks":
        return task_records(plan)
    if spec.rows == "indicators":
        return indicator_records(plan)
    if spec.rows == "roadmap":
        return roadmap_records(plan)
    return procedure_records(plan, spec)


def has_rows(spec: FormSpec, plan: Plan) -> bool:
    """Whether the plan has anything for this form (TTHC always has default rows)."""
    if spec.rows == "tasks":
        return bool(plan.areas)
    if spec.rows == "indicators":
        return any(not i.group for i in plan.indicators)
    if spec.rows == "roadmap":
        return bool(plan.roadmap)
    return True


ATTRS = ("measure", "met_mode", "deadline_in_period")


def row_attrs(record: Record, period: Period | None) -> dict[str, str]:
    """What validation needs to know about a row that the sheet itself does not show.

    Stored in the workbook's identity so a returned file can be checked without its plan.
    """
    attrs = {k: str(record[k]) for k in ("measure", "met_mode") if k in record}
    deadline = record.get("deadline_obj")
    if deadline is not None and period is not None:
        due = deadline.end
        inside = due is not None and period.start <= due <= period.end
        attrs["deadline_in_period"] = "1" if inside else "0"
    return attrs
