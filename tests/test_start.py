"""Starting: ``make demo`` leaves ``./cchc-xlsx`` at the repository root, a small script that
runs the command installed in ``.venv`` from any folder, without activating anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

VENV = Path(sys.prefix)


@pytest.mark.skipif(shutil.which("make") is None or not (VENV / ".installed").exists()
                    or not (VENV / "bin" / "cchc-xlsx").exists(),
                    reason="needs make and a .venv made by make")
def test_make_writes_a_runnable_wrapper(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    settled = (VENV / ".installed").stat().st_mtime - 60
    for name in ("Makefile", "setup.cfg", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
        os.utime(repo / name, (settled, settled))  # older than the install: make must not redo it
    (repo / ".venv").symlink_to(VENV)
    made = subprocess.run(["make", "-s", "cchc-xlsx"], cwd=repo, capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    wrapper = repo / "cchc-xlsx"
    assert os.access(wrapper, os.X_OK)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = subprocess.run([str(wrapper), "--version"], cwd=elsewhere, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "cchc-xlsx, phiên bản" in r.stdout
    r = subprocess.run([str(wrapper), "merge"], cwd=elsewhere, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi: ")


def test_generated_wrapper_is_ignored_by_git():
    assert "/cchc-xlsx" in (ROOT / ".gitignore").read_text().splitlines()
