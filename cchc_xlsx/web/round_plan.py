"""A round's plan as the portal reads it: one module both the request side (``service``)
and the worker processes (``checker``) import, so neither imports the other."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from cchc_xlsx.model import Plan


def load_round_plan(path: str | Path) -> Plan:
    """Load a round's plan, YAML or a plan document (Word, Excel, the plan workbook): the one
    place the portal reads plan files."""
    from cchc_xlsx.plan_import.opener import open_plan

    return open_plan(path)[0]


def with_due(plan: Plan, period_id: str, due: date | None) -> Plan:
    """The plan with one period's due date set by the office (for this round only)."""
    if due is None:
        return plan
    schedule = tuple(replace(p, due=due) if p.id == period_id else p for p in plan.schedule)
    return replace(plan, schedule=schedule)
