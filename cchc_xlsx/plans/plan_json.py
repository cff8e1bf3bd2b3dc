"""The whole plan as plain data for programs (``plan show --format json``).

The schema is documented in docs/plan-json.md. It is also the project's notion of "the
same plan": two plans are equal when their dicts are, whatever file or line they came
from (used to test that YAML → workbook → YAML and Word → YAML lose nothing).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cchc_xlsx.model import Deadline, Indicator, Plan, Target

SCHEMA_VERSION = 1


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _target(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"text": t.text, "parsed": t.parsed, "op": t.op, "value": t.value, "unit": t.unit,
            "baseline": t.baseline, "per": t.per, "direction": t.direction}


def _deadline(d: Deadline) -> dict[str, Any]:
    return {"text": d.text, "kind": d.kind, "start": _d(d.start), "end": _d(d.end),
            "recurrence": d.recurrence}


def _indicator(i: Indicator) -> dict[str, Any]:
    return {"key": i.key, "stt": i.stt, "text": i.text, "group": i.group,
            "target": _target(i.target), "measure": i.measure, "lead": i.lead,
            "coordinating": i.coordinating}


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    m = plan.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "id": plan.id,
        "meta": {
            "superior_body": m.superior_body, "issuing_body": m.issuing_body,
            "number": m.number, "symbol": m.symbol, "number_symbol": m.number_symbol,
            "place": m.place, "date": _d(m.date), "date_text": m.date_text, "title": m.title,
            "year": m.year,
            "signer": {"authority": m.signer.authority, "head_title": m.signer.head_title,
                       "title": m.signer.title, "name": m.signer.name},
            "recipients": list(m.recipients),
        },
        "appendices": [{"form": a.form, "number": a.number, "title": a.title,
                        "attached_line": a.attached_line} for a in plan.appendices],
        "areas": [{
            "stt": a.stt, "title": a.title,
            "tasks": [{
                "key": t.key, "stt": t.stt, "content": t.content,
                "products": [{"product": p.product, "deadline": _deadline(p.deadline),
                              "lead": p.lead, "coordinating": p.coordinating}
                             for p in t.products],
            } for t in a.tasks],
        } for a in plan.areas],
        "indicators": [_indicator(i) for i in plan.indicators],
        "roadmap": [{
            "code": p.code, "title": p.title,
            "criteria": [{"key": c.key(p.code), "stt": c.stt, "criterion": c.criterion,
                          "targets": [_target(t) for t in c.targets], "lead": c.lead,
                          "coordinating": c.coordinating} for c in p.criteria],
        } for p in plan.roadmap],
        "schedule": [{"id": p.id, "name": p.name, "from": _d(p.start), "to": _d(p.end),
                      "due": _d(p.due), "note": p.note, "kind": p.kind}
                     for p in plan.schedule],
        "procedures": [{"key": p.key, "name": p.name, "field": p.field,
                        "assignee": p.assignee} for p in plan.procedures],
        "report_forms": list(plan.report_forms),
    }
