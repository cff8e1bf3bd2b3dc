"""A built wheel carries the default forms and rules and works outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import PLAN_001, ROOT, UNITS_CSV


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = tmp_path_factory.mktemp("src") / "cchc-xlsx"
    # build from a copy so the build never writes into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "demo-output", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(src)], check=True, capture_output=True)
    [whl] = out.glob("cchc_xlsx-*.whl")
    return whl


def test_wheel_contains_forms_and_rules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "cchc_xlsx/workbook_templates/report_tthc.yaml" in names
    assert "cchc_xlsx/rules/report.yaml" in names
    assert "cchc_xlsx/rules/scoring/checks.yaml" in names
    assert "cchc_xlsx/criteria/par-mau-2025.yaml" in names
    assert "cchc_xlsx/workbook_templates/unit_plan/unit_plan.yaml" in names
    assert "cchc_xlsx/rules/unit_plan/unit_plan.yaml" in names
    assert "cchc_xlsx/scoring/criteria.py" in names
    # the portal's pages and its script are package data too (no CDN, no checkout)
    assert "cchc_xlsx/web/templates/school.html" in names
    assert "cchc_xlsx/web/templates/_findings.html" in names
    assert "cchc_xlsx/web/static/portal.js" in names
    assert "cchc_xlsx/web/static/portal.css" in names
    assert "cchc_xlsx/reporting/templates/bao-cao-cchc.docx" in names


def test_installed_wheel_generates_outside_the_repo(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(PLAN_001, work / "plan.yaml")
    shutil.copy(UNITS_CSV, work / "units.csv")
    code = ("import sys, cchc_xlsx; from cchc_xlsx.cli import main\n"
            f"assert cchc_xlsx.__file__.startswith({str(target)!r}), cchc_xlsx.__file__\n"
            "main(sys.argv[1:])\n")
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code, "generate", "--plan", "plan.yaml",
                        "--units", "units.csv", "--out", "out"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(list((work / "out").glob("*.xlsx"))) == 12
    # the units' own plans: their form and rules travel in the wheel too
    r = subprocess.run([sys.executable, "-c", code, "unit-plan", "draft", "--plan", "plan.yaml",
                        "--units", "units.csv", "--out", "kh"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    drafts = sorted((work / "kh").glob("*.xlsx"))
    assert len(drafts) == 12
    r = subprocess.run([sys.executable, "-c", code, "unit-plan", "validate", "--plan",
                        "plan.yaml", str(drafts[0])], cwd=work, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 1 and "plan_number_required" in r.stdout, r.stderr  # blank
    # the shipped criteria set and the scoring rules travel in the wheel too
    r = subprocess.run([sys.executable, "-c", code, "generate", "--criteria", "par-mau",
                        "--units", "units.csv", "--out", "scoring"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    books = sorted((work / "scoring").glob("*.xlsx"))
    assert len(books) == 12
    r = subprocess.run([sys.executable, "-c", code, "criteria", "validate", "--criteria",
                        "par-mau", str(books[0])], cwd=work, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 1 and "score_missing" in r.stdout, r.stderr  # blank: not scored


def test_wheel_declares_the_command(wheel):
    """What pip and pipx turn into ``cchc-xlsx`` (``cchc-xlsx.exe`` on Windows)."""
    zf = zipfile.ZipFile(wheel)
    [entry] = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = zf.read(entry).decode()
    assert "[console_scripts]" in text
    assert "cchc-xlsx = cchc_xlsx.cli:main" in text


@pytest.mark.skipif(not os.environ.get("CCHC_TEST_PIPX"),
                    reason="slow (a fresh venv and every dependency): set CCHC_TEST_PIPX=1")
def test_pipx_install_gives_a_working_command(tmp_path):
    """``pipx install .``, as the README says, with pipx itself in a throwaway venv."""
    tools = tmp_path / "tools"
    subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
    subprocess.run([str(tools / "bin" / "pip"), "install", "-q", "pipx"], check=True,
                   capture_output=True)
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man")}
    subprocess.run([str(tools / "bin" / "pipx"), "install", str(ROOT)], check=True, env=env,
                   capture_output=True, timeout=900)
    r = subprocess.run([str(tmp_path / "bin" / "cchc-xlsx"), "generate", "--plan",
                        str(PLAN_001), "--units", str(UNITS_CSV), "--out", "out"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 12
