"""What the Word report needs of the plan, stored in the consolidated workbook's identity."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from cchc_xlsx.forms.form_rows import indicator_records, procedure_records, task_records
from cchc_xlsx.forms.specs import FormSpec
from cchc_xlsx.merging.aggregate import (
    Submission,
)
from cchc_xlsx.merging.writers.difficulties import _row_titles
from cchc_xlsx.merging.writers.submissions import Standing, standing
from cchc_xlsx.model import Period, Plan

# --- what the Word report needs of the plan ---------------------------------------------


def _standing_summary(st: Standing) -> dict[str, Any]:
    """Who sent what, as the report words it: counts, and the names it lists."""
    def names(items: list[Submission]) -> list[str]:
        return [u.unit_name or u.unit_code for u in items]

    return {"units": len(st.units), "sent": len(st.sent), "on_time": len(st.on_time),
            "late": names(st.late), "missing": names(st.missing), "bad": names(st.bad),
            "others": len(st.others)}


def plan_outline(plan: Plan, period: Period, tthc_spec: FormSpec,
                 submissions: Sequence[Submission] = (),
                 expected: Collection[str] | None = None,
                 generated_at: datetime | None = None) -> dict[str, Any]:
    """The plan's texts the figures hang on (groups, tasks, indicators, procedures) and
    who sent what, so the Word report is drafted from the consolidated workbook alone."""
    st = standing(submissions, expected)
    m = plan.meta
    areas = []
    for rec in task_records(plan):
        if rec["kind"] == "group":
            areas.append({"stt": rec["stt"], "title": rec["title"], "items": []})
        else:
            if not areas:
                areas.append({"stt": "", "title": "", "items": []})
            areas[-1]["items"].append({
                "key": rec["key"], "stt": rec["stt"], "content": rec["content"],
                "product": rec["product"] if rec["key"] != rec["task_key"] else ""})
    indicators = [{"key": r["key"], "stt": r.get("stt", ""),
                   "text": r.get("title", "") if r["kind"] == "group" else r["text"],
                   "group": r["kind"] == "group", "target": r.get("target_text", ""),
                   "measure": r.get("measure", "")}
                  for r in indicator_records(plan)]
    return {
        "plan": {"id": plan.id, "title": m.title, "number": m.number_symbol,
                 "date": m.date.isoformat() if m.date else "", "issuer": m.issuing_body},
        "period": {"id": period.id, "name": period.name, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "due": period.due.isoformat()},
        "areas": areas, "indicators": indicators,
        "procedures": [{"key": r["key"], "stt": r["stt"], "name": r["name"]}
                       for r in procedure_records(plan, tthc_spec)],
        "titles": _row_titles(plan),
        "standing": _standing_summary(st),
        "generated_at": generated_at.isoformat(timespec="minutes") if generated_at else "",
    }


