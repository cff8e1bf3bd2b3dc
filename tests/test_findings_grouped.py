"""Findings for people (issue 16): identical findings on a range are one line with the
cells and a count, in ``validate``'s text output (and the portal, tests/test_web_district);
sheets come in the workbook's order; the JSON output keeps every finding."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from cchc_xlsx.checking.report import cell_ranges
from cchc_xlsx.cli import main

from .conftest import PLAN_001


def test_cell_ranges_read_as_a_clerk_would():
    assert cell_ranges([f"{c}{r}" for r in (18, 19) for c in "DEFHIJLM"]) == "D18:M19"
    assert cell_ranges(["G17", "G23"]) == "G17, G23"
    assert cell_ranges(["E14", "E15", "E16", "E18"]) == "E14:E18"  # a heading row between
    assert cell_ranges(["A1", "B1"]) == "A1:B1"
    assert cell_ranges(["D5", "F7", "D6"]) == "D5:D6, F7"
    assert cell_ranges(["E9"]) == "E9"


def test_validate_groups_a_blank_table_and_json_keeps_every_finding(one_book, tmp_path):
    blank = shutil.copy(one_book, tmp_path / one_book.name)
    runner = CliRunner()
    text = runner.invoke(main, ["validate", str(blank), "--plan", str(PLAN_001)]).output
    lines = [line for line in text.splitlines() if "Chưa ghi số hồ sơ" in line]
    assert len(lines) == 1  # one line for the blank TTHC table, not one per cell
    assert "D17:M19" in lines[0] and "(24 ô)" in lines[0]
    sheets = [line.strip() for line in text.splitlines() if line.strip().startswith("Trang «")]
    assert sheets == ["Trang «BC Nhiệm vụ»:", "Trang «BC Chỉ tiêu»:", "Trang «BC TTHC»:"]
    out = runner.invoke(main, ["validate", str(blank), "--plan", str(PLAN_001),
                               "--format", "json"]).output
    data = json.loads(out[out.index("{"):])
    issues = data["files"][0]["issues"]
    assert sum(1 for i in issues if i["rule_id"] == "tthc_counts_required") == 24
    assert len(issues) == data["files"][0]["errors"] + data["files"][0]["warnings"]
