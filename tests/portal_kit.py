"""Shared by the portal tests: a data folder with a round open on the sample plan, and
returns filled from the very template a school downloads (tests/fill.py), with mistakes
planted at known cells."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from cchc_xlsx.plans.units import load_units
from cchc_xlsx.web.service import Portal

from .conftest import PLAN_001, UNITS_CSV
from .fill import Filler, fill_clean

PERIOD = "q1-2023"
PASSWORD = "mat-khau-thu-nghiem"
XSS_SCRIPT = "<script>alert('x')</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'


def open_portal(data: Path, pool: Any = "threads", due: date | None = None,
                units_csv: Path = UNITS_CSV) -> tuple[Portal, Any, dict[str, str]]:
    """A portal over ``data`` with the q1-2023 round open and an office account «vanphong»."""
    portal = Portal(data, pool=ThreadPoolExecutor(2) if pool == "threads" else pool)
    rnd, _ = portal.open_round(PLAN_001, load_units(units_csv), PERIOD, due)
    portal.add_user("vanphong", PASSWORD)
    tokens = {code: url.rsplit("/", 1)[1]
              for code, _, _, url in portal.link_rows(rnd, "http://t")}
    return portal, rnd, tokens


def template_of(portal: Portal, rnd: Any, code: str, out: Path, name: str = "") -> Path:
    """The unit's own template, copied to ``out`` (as the school's download would be)."""
    out.mkdir(parents=True, exist_ok=True)
    src = portal.template(rnd, code)
    return Path(shutil.copy(src, out / (name or src.name)))


def clean_return(portal: Portal, rnd: Any, code: str, out: Path, seed: int = 0,
                 name: str = "") -> Path:
    f = fill_clean(Filler(template_of(portal, rnd, code, out, name)), seed)
    return f.save()


def planted_return(portal: Portal, rnd: Any, code: str, out: Path, name: str = ""
                   ) -> tuple[Path, dict[tuple[str, str], str]]:
    """A return with three planted mistakes; returns {(sheet, cell): rule_id}."""
    f = fill_clean(Filler(template_of(portal, rnd, code, out, name)), 7)
    planted = {f.set("report_tasks", "task:1.1", "status", "xong"): "task_status_allowed"}
    f.set("report_indicators", "ind:2.1", "denominator", 40)
    cell = f.set("report_indicators", "ind:2.1", "numerator", 43)  # more on time than resolved
    planted[cell] = "indicator_numerator_le_denominator"
    planted[f.set("report_tthc", "tthc:Lĩnh vực Thi, tuyển sinh", "c5", -2)] = (
        "tthc_counts_whole")
    return f.save(), planted


def hostile_text_return(portal: Portal, rnd: Any, code: str, out: Path) -> Path:
    """Cells holding markup, placed where a finding shows the value found."""
    f = fill_clean(Filler(template_of(portal, rnd, code, out)), 3)
    f.set("report_tasks", "task:1.1", "status", XSS_SCRIPT)
    f.set("report_tasks", "task:1.2", "status", XSS_IMG)
    return f.save()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)
