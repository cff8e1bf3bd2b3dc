"""Shared fixtures: the sample plans and units, and workbooks generated once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cchc_xlsx.forms.generate import generate
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PLANS = SAMPLES / "plans"
PLAN_001 = PLANS / "001-mntt-q8-2023.yaml"
PLAN_004 = PLANS / "004-sgddt-soctrang-2023.yaml"
UNITS_CSV = SAMPLES / "units" / "quan8-truong.csv"
UNITS_XLSX = SAMPLES / "units" / "quan8-truong.xlsx"

HAS_SOFFICE = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice/pdftotext not installed")


@pytest.fixture(scope="session")
def plan001():
    return load_plan(PLAN_001)


@pytest.fixture(scope="session")
def units():
    return load_units(UNITS_CSV)


@pytest.fixture(scope="session")
def unit_books(tmp_path_factory, plan001, units):
    """Every sample unit's workbook for plan 001, period q1-2023 (all forms)."""
    out = tmp_path_factory.mktemp("unit_books")
    return generate(plan001, units, out, period_id="q1-2023", workers=1)


@pytest.fixture(scope="session")
def one_book(unit_books):
    """The workbook of a unit whose head's deputy signs (KT. HIỆU TRƯỞNG)."""
    return next(p for p in unit_books if p.name.startswith("MN-SM_"))


# --- the browser tests (tests/browser_kit.py) ------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The portal on the sample round: (server, the units' links, a tmp folder)."""
    from .server_kit import Server, prepare

    tmp = tmp_path_factory.mktemp("portal")
    data = tmp / "data"
    links = prepare(data)
    server = Server(data)
    yield server, links, tmp
    server.stop()


@pytest.fixture(scope="module")
def browser():
    # Chromium in Vietnamese, as a school's phone or PC: with Debian's chromium-l10n its
    # native date fields show dd/mm/yyyy and its date picker Vietnamese months and days.
    # On Linux its interface language follows LANGUAGE, not only --lang.
    from playwright.sync_api import sync_playwright

    from .browser_kit import ARGS, CHROMIUM, VIETNAMESE

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=vi"],
                              env={**os.environ, **VIETNAMESE})
        yield b
        b.close()
