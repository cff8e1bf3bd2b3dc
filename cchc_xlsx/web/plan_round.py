"""The portal's plan rounds: a round opened on a period of kind "plan" collects the units'
own plans (issue 20) instead of reports.

The portal keeps one flow for both kinds — a link per unit, a download, an upload checked,
stored under its hash and recorded in the history, a dashboard, a consolidation — and only
these steps differ: the download is the unit's plan draft (``forms.unit_plan``), an upload
is checked with the unit-plan checks (``checking.unit_plan_check``), and the consolidation
is "Tình hình ban hành kế hoạch của các đơn vị" (``merging.plan_merge``). The functions
that run in the portal's worker pool take plain, picklable arguments.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from cchc_xlsx.model import Plan, Unit


def is_plan_round(plan: Plan, period_id: str) -> bool:
    """Whether the round's period is the units' plan round (kind "plan")."""
    try:
        return plan.period(period_id).kind == "plan"
    except KeyError:
        return False


#: (kept plan file, its mtime, period) -> whether a plan round: loading a plan costs ~0.1 s,
#: and the portal asks on every page, download and upload of every round.
_KINDS: dict[tuple[str, int, str], bool] = {}


def kept_plan_round(plan_file: Path, period_id: str) -> bool:
    """``is_plan_round`` for a round's kept plan file, remembered until the file changes."""
    from cchc_xlsx.web.round_plan import load_round_plan

    key = (str(plan_file), plan_file.stat().st_mtime_ns, period_id)
    if key not in _KINDS:
        _KINDS[key] = is_plan_round(load_round_plan(plan_file), period_id)
    return _KINDS[key]


def draft_name(unit: Unit, plan_id: str) -> str:
    """The unit's draft's file name, from the plan's id alone (a download loads no plan)."""
    from cchc_xlsx.forms.unit_plan import unit_plan_name

    return unit_plan_name(unit, plan_id)


def write_drafts(plan: Plan, units: list[Unit], out: Path) -> None:
    """Every unit's plan draft in ``out`` (a fresh folder the portal owns)."""
    from cchc_xlsx.forms.unit_plan import write_unit_plans

    write_unit_plans(plan, units, out, overwrite=True)


def _round_plan(plan_file: str, period_id: str, due: date) -> Plan:
    from cchc_xlsx.web.round_plan import load_round_plan, with_due

    return with_due(load_round_plan(plan_file), period_id, due)


def check_upload(job: dict[str, Any], plan_file: str, period_id: str, due: date
                 ) -> dict[str, Any]:
    """One uploaded plan: guarded, checked, and kept under its hash when it is this unit's
    plan for this round — the same contract as ``checker.check_uploads`` for one job."""
    from cchc_xlsx.checking.unit_plan_check import check_plan_return
    from cchc_xlsx.reading.file_guard import UnusableFile, inspect_file
    from cchc_xlsx.web.checker import findings

    tmp, shown = job["tmp"], job["shown"]
    try:
        kind = inspect_file(tmp)  # before any parser sees the bytes
    except UnusableFile as exc:
        os.unlink(tmp)
        return {"refusal": exc.message.replace(tmp, shown)}
    path = f"{tmp}.{kind}"
    os.replace(tmp, path)
    try:
        plan = _round_plan(plan_file, period_id, due)
        res = check_plan_return(path, plan).result
        assert res is not None
        found = findings(res, shown, path)
        found["stored_name"] = ""
        if not res.usable:
            found["refusal"] = found["issues"][0]["message"] if found["issues"] else (
                f"Không đọc được tệp «{shown}».")
        elif not res.unit_code or not res.plan_id:
            found["refusal"] = (f"Tệp «{shown}» không phải bản dự thảo kế hoạch do hệ thống "
                                "phát; hãy tải bản dự thảo ở trang này, điền vào đó rồi gửi "
                                "lại.")
        elif job["unit"] is not None and res.unit_code != job["unit"]:
            found["refusal"] = (f"Tệp «{shown}» là kế hoạch của đơn vị khác (mã "
                                f"«{res.unit_code}»); hãy gửi đúng kế hoạch của đơn vị mình.")
        elif res.plan_id != plan.id:
            found["refusal"] = (f"Tệp «{shown}» là kế hoạch soạn theo kế hoạch khác "
                                f"(«{res.plan_id}»); hãy tải bản dự thảo ở trang này.")
        if job["files_dir"] and not found.get("refusal"):
            found["stored_name"] = f"{job['sha256']}{Path(path).suffix}"
            os.replace(path, os.path.join(job["files_dir"], found["stored_name"]))
        return found
    finally:
        if os.path.exists(path):
            os.unlink(path)


def annotate(stored: str, out_dir: str, plan_file: str, period_id: str, due: date,
             shown: str = "") -> str | None:
    """The annotated copy of a stored plan (checked again: same bytes, same findings)."""
    from cchc_xlsx.checking.annotate import annotated_name, write_annotated
    from cchc_xlsx.checking.unit_plan_check import check_plan_return

    target = Path(out_dir) / annotated_name(stored)
    if target.exists():
        return str(target)
    res = check_plan_return(stored, _round_plan(plan_file, period_id, due)).result
    assert res is not None
    written = write_annotated(res, out_dir, shown)
    return str(written) if written else None


def consolidate(files: list[str], plan_file: str, units: list[Unit], period_id: str,
                due: date, out: str, profile: Any) -> str:
    """The round's "Tình hình ban hành kế hoạch của các đơn vị", signed with the office's
    profile; a unit's receive time is its stored file's time (set from its receipt)."""
    from cchc_xlsx.merging.plan_merge import merge_plans

    merge_plans(files, _round_plan(plan_file, period_id, due), units, out, office=profile)
    return out
