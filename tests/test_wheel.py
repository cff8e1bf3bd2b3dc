"""A built wheel carries the default forms and rules and works outside the repository."""

from __future__ import annotations

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
