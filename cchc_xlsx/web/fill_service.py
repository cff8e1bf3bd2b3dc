"""What filling in the browser does, as plain calls over the ``Portal`` (the routes in
``fill_routes`` only translate HTTP): the unit's form, its starting entries, a check of a
draft by the real ``validate`` on the workbook built from it, and sending it, which records
the built workbook through the very call an upload goes through (``Portal.receive``).
Building the workbook runs in the portal's worker pool, like every check."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from cchc_xlsx.web.fill_form import (
    FillForm,
    build_workbook,
    entries_from_workbook,
    fill_form,
    issues_by_field,
    template_entries,
)
from cchc_xlsx.web.fill_store import Draft, Drafts, drafts_of
from cchc_xlsx.web.service import Outcome, Portal
from cchc_xlsx.web.store import Round, RoundUnit

SOURCE = "điền trực tuyến"


class FillService:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.drafts: Drafts = drafts_of(portal)
        self._forms: dict[tuple[int, str, float], FillForm] = {}
        self._plans: dict[tuple, Any] = {}
        self._sections: dict[Any, Any] = {}  # sections shared by units with the same rows
        self._checks: dict[tuple[int, str, str], str] = {}  # the page's checks, as JSON
        self._lock = threading.Lock()

    def form(self, rnd: Round, unit: RoundUnit) -> FillForm:
        """The unit's fields (cached per template file and its modification time)."""
        from cchc_xlsx.forms.specs import load_catalog

        template = self.template(rnd, unit)
        key = (rnd.id, unit.code, template.stat().st_mtime)
        with self._lock:
            found = self._forms.get(key)
        if found is None:
            plan = self._plan(rnd)
            found = fill_form(template, plan, plan.period(rnd.period_id), load_catalog(),
                              self._sections)
            with self._lock:
                if len(self._forms) > 512:
                    self._forms.clear()
                self._forms[key] = found
        return found

    def checks(self, form: FillForm) -> str:
        """The checks the page runs as the school types (``fill_checks``), as JSON safe to
        put inside a ``<script>`` element; cached per template layout, period and day."""
        import json
        from datetime import date

        from cchc_xlsx.forms.specs import load_catalog
        from cchc_xlsx.web.fill_checks import field_checks

        today = date.today()
        key = (id(form.layout), form.period.id, today.isoformat())
        with self._lock:
            found = self._checks.get(key)
        if found is None:
            data = field_checks(form.layout, load_catalog(), form.period.start,
                                form.period.end, today)
            found = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace(
                "<", "\\u003c")
            with self._lock:
                if len(self._checks) > 512:
                    self._checks.clear()
                self._checks[key] = found
        return found

    def _plan(self, rnd: Round) -> Any:
        """The round's plan, read once per plan file version (not once per school)."""
        path = self.portal.dir / "ke-hoach" / rnd.plan_file
        key = (rnd.id, str(path), path.stat().st_mtime, rnd.due)
        with self._lock:
            plan = self._plans.get(key)
        if plan is None:
            plan = self.portal.plan(rnd)
            with self._lock:
                self._plans = {key: plan}  # the last round asked for: enough for a link page
                self._sections = {}  # built from the previous plan
        return plan

    def start(self, rnd: Round, unit: RoundUnit, form: FillForm
              ) -> tuple[dict[str, str], Draft | None, str]:
        """The entries a page opens with, the draft they come from (None when new), and
        where they came from, for the page to say."""
        from cchc_xlsx.forms.specs import load_catalog

        draft = self.drafts.get(rnd.id, unit.code)
        if draft is not None:
            return draft.entries, draft, "nháp"
        receipts = self.portal.receipts(rnd, unit.code)
        if receipts:
            stored = self.portal.stored_file(receipts[0])
            try:
                entries = entries_from_workbook(stored, form.layout, load_catalog())
            except Exception:  # noqa: BLE001 - an unreadable return: start from the template
                entries = {}
            if entries:
                return entries, None, "đã nộp"
        return template_entries(form.layout), None, "mẫu"

    def template(self, rnd: Round, unit: RoundUnit) -> Path:
        """The unit's template, by its name (``Portal.template`` reads the whole unit list
        to find it, which a save every few seconds from hundreds of schools cannot pay)."""
        from cchc_xlsx.forms.generate import workbook_name

        path = self.portal.dir / "mau" / str(rnd.id) / workbook_name(unit.unit, rnd.plan_id,
                                                                     rnd.period_id)
        return path if path.exists() else self.portal.template(rnd, unit.code)

    def school(self, token: str) -> tuple[Round, RoundUnit] | None:
        """The round and unit a live link opens (one unit read, not the round's list)."""
        import json

        from cchc_xlsx.model import Unit

        link = self.portal.store.link(token) if len(token) <= 64 else None
        if link is None:
            return None
        rnd = self.portal.store.round(link.round_id)
        with self.portal.store.conn() as c:
            row = c.execute("SELECT code, name, email, unit_json FROM web_units WHERE "
                            "round_id = ? AND code = ?", (link.round_id, link.unit_code)
                            ).fetchone()
        if rnd is None or row is None:
            return None
        return rnd, RoundUnit(row[0], row[1], row[2], Unit(**json.loads(row[3])))

    async def build(self, rnd: Round, unit: RoundUnit, entries: dict[str, str]) -> bytes:
        template = self.template(rnd, unit)
        return await self.portal._run(build_workbook, str(template), entries)

    async def check(self, rnd: Round, unit: RoundUnit, form: FillForm,
                    entries: dict[str, str]) -> dict[str, Any]:
        """The real checks on the workbook these entries make, by field."""
        data = await self.build(rnd, unit, entries)
        found = await self.portal.check_draft(rnd, io.BytesIO(data), self.file_name(rnd, unit))
        return shown(found, form)

    async def send(self, rnd: Round, unit: RoundUnit, form: FillForm,
                   draft: Draft) -> tuple[Outcome, dict[str, Any]]:
        """Record the draft's workbook as the unit's return (like an upload); the same
        draft sent again is the return already recorded, not a second one."""
        if draft.sent and draft.sent_sha256:
            known = self.portal.receipt_for(rnd, unit.code, draft.sent_sha256)
            if known is not None:
                return Outcome(known, new=False), shown(known.findings, form)
        data = await self.build(rnd, unit, draft.entries)
        outcome = await self.portal.receive(rnd, unit, io.BytesIO(data),
                                            self.file_name(rnd, unit), source=SOURCE)
        if outcome.receipt is not None:
            # on the loop, like every draft write: one writer of the drafts file
            self.drafts.mark_sent(rnd.id, unit.code, draft.version, outcome.receipt.sha256)
            return outcome, shown(outcome.receipt.findings, form)
        return outcome, {}

    @staticmethod
    def file_name(rnd: Round, unit: RoundUnit) -> str:
        from cchc_xlsx.forms.generate import workbook_name

        return workbook_name(unit.unit, rnd.plan_id, rnd.period_id)


def shown(findings: dict[str, Any], form: FillForm) -> dict[str, Any]:
    at, general = issues_by_field(findings, form.layout)
    return {"valid": bool(findings.get("valid")), "errors": findings.get("errors", 0),
            "warnings": findings.get("warnings", 0), "fields": at, "general": general,
            "refusal": findings.get("refusal", "")}


def service_of(portal: Portal) -> FillService:
    found = getattr(portal, "_fill_service", None)
    if found is None:
        found = FillService(portal)
        portal._fill_service = found
    return found


def draft_of(portal: Portal, rnd: Round, unit: RoundUnit) -> Draft | None:
    """The unit's draft for the link page ("bản nháp" with its time)."""
    return drafts_of(portal).get(rnd.id, unit.code)

