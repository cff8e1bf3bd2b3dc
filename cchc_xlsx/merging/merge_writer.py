"""Write the consolidated workbook: the district's own appendices built from its units' returns.

A consolidation is read by people first (it is attached to the office's report upward), so
every sheet is an official NĐ 30/2020 appendix with the office as issuer, the same page
furniture as the forms units filled (``official_layout``), and row heights that print all
text. It is also read by software: the next level up merges it again, so the exact figures
travel in the hidden identity (``Aggregate`` JSON), never re-read from the rounded cells.

Every text that came from a unit (names, file names, notes, difficulties) is written with
``write_string`` and the workbook refuses to turn strings into formulas or links: a school
typing "=HYPERLINK(…)" or "+84 912" must see its text printed, not executed.

Each appendix has its own module under ``merging/writers/`` (as ``forms/`` does); this
module orders them and writes the workbook.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import xlsxwriter

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.forms.fast_cells import release
from cchc_xlsx.forms.identity import Identity, write_identity
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    Formats,
    roman,
)
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.merging.aggregate import (
    Aggregate,
    Submission,
)
from cchc_xlsx.merging.writers.common import (
    SHEET_DIFFICULTIES,
    SHEET_INDICATORS,
    SHEET_LEVELS,
    SHEET_SUBMISSIONS,
    SHEET_TASK_DETAIL,
    SHEET_TASKS,
    SHEET_TTHC,
    STATUS_LABELS,
    Office,
    _Context,
    _uses,
)
from cchc_xlsx.merging.writers.difficulties import _write_difficulties
from cchc_xlsx.merging.writers.indicators import _write_indicators
from cchc_xlsx.merging.writers.levels import _write_levels
from cchc_xlsx.merging.writers.outline import plan_outline
from cchc_xlsx.merging.writers.submissions import SHEET_LOG, _write_submissions, write_log
from cchc_xlsx.merging.writers.task_detail import _write_task_detail
from cchc_xlsx.merging.writers.tasks import _write_tasks
from cchc_xlsx.merging.writers.tthc import _write_tthc
from cchc_xlsx.model import Period, Plan
from cchc_xlsx.plans.names import normal_case

__all__ = ["SHEET_DIFFICULTIES", "SHEET_INDICATORS", "SHEET_LEVELS", "SHEET_LOG",
           "SHEET_SUBMISSIONS", "SHEET_TASKS", "SHEET_TASK_DETAIL", "SHEET_TTHC", "STATUS_LABELS",
           "Office",
           "normal_case", "plan_outline", "write_consolidated"]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Writing allocates a small object per cell (~90,000 at 1,000 units) and makes no
    cyclic garbage worth collecting meanwhile; each automatic collection would walk
    everything the merge holds, which was a fifth of the write. Reference counting still
    frees as usual; the collector runs again afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


#: Up to this many units the workbook is assembled in memory (about 8 MB of XML per 1,000
#: units); beyond it, through temporary files, which keeps a 10,000-unit merge under 1 GB.
IN_MEMORY_UNITS = 2000


def write_consolidated(path: str | Path, plan: Plan, period: Period, agg: Aggregate,
                       submissions: list[Submission], office: Office,
                       generated_at: datetime, *,
                       expected: Collection[str] | None = None) -> Path:
    """Write the consolidated workbook atomically and return its path.

    ``submissions`` lists every expected unit and any unexpected file, in display order;
    ``agg`` holds the figures of the counted units. ``expected`` (unit codes of the unit
    list) lets the totals tell a file from outside the list apart; without it every unit
    code among ``submissions`` counts as expected.
    """
    path = Path(path)
    catalog = load_catalog()
    tthc_spec = catalog.forms["report_tthc"]
    with atomic_path(path) as tmp, _cyclic_gc_paused():
        wb = xlsxwriter.Workbook(str(tmp), {
            # a district's sheet XML (a few MB) stays in memory, which saves writing and
            # reading it back (about a tenth of the write); a province's goes to temp files
            "in_memory": len(submissions) <= IN_MEMORY_UNITS,
            "strings_to_formulas": False,  # belt and braces: write() never makes a formula
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
        })
        wb.set_properties({
            "title": f"Tổng hợp báo cáo CCHC - {period.name}", "author": office.name,
            "company": office.name, "created": generated_at,
            "comments": f"cchc-xlsx {__version__}",
        })
        ctx = _Context(plan, period, office, Formats(wb), normal_case(office.name),
                       normal_case(office.superior))
        # one appendix per form the units filled, numbered I, II, … over those written
        writers: list[Callable[[str], None]] = [
            lambda label: _write_submissions(wb, ctx, label, agg, submissions, expected,
                                             generated_at)]
        if plan.areas and _uses(plan, "report_tasks"):
            writers.append(lambda label: _write_tasks(wb, ctx, label, agg))
            writers.append(lambda label: _write_task_detail(wb, ctx, label, agg, submissions))
        if any(not i.group for i in plan.indicators) and _uses(plan, "report_indicators"):
            writers.append(lambda label: _write_indicators(wb, ctx, label, agg))
        if _uses(plan, "report_tthc") or agg.tthc:
            writers.append(lambda label: _write_tthc(wb, ctx, label, agg, tthc_spec))
        if any(s.level for s in agg.units.values()):
            writers.append(lambda label: _write_levels(wb, ctx, label, agg, tthc_spec))
        writers.append(lambda label: _write_difficulties(wb, ctx, label, agg))
        for n, write in enumerate(writers, start=1):
            write(f"Phụ lục {roman(n)}")
        write_log(wb, ctx, submissions, generated_at)
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=plan.id, unit_code=office.code,
            unit_name=office.name, kind="consolidation", period_id=period.id,
            period_start=period.start.isoformat(), period_end=period.end.isoformat(),
            period_due=period.due.isoformat(), aggregate=agg.to_json(),
            office=json.dumps(office.to_dict(), ensure_ascii=False),
            outline=json.dumps(plan_outline(plan, period, tthc_spec, submissions, expected,
                                            generated_at),
                               ensure_ascii=False, separators=(",", ":"))))
        wb.close()
        release(wb)
    return path

