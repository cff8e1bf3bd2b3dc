# ruff: noqa: F811  (test_merge's module fixtures are imported and used as parameters)
"""The per-cấp-học breakdown of the consolidated workbook, recomputed from the returned
files' own cells (tests/test_merge.py's ``Return``, never the product's reader) and each
unit's level in the units list; and it survives a merge one level up."""

from __future__ import annotations

from collections import Counter

import pytest
from openpyxl import load_workbook

from cchc_xlsx.merging.by_level import level_name
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.model import Unit
from cchc_xlsx.plans.levels import NAMES

from .fill import STATUSES
from .test_merge import (  # noqa: F401  (module fixtures reused)
    NOW,
    PERIOD,
    Return,
    add,
    code_of,
    direct,
    plan,
    returns_dir,
    tthc_values,
    valid_files,
    verdicts,
)

SHEET = "TH Cấp học"


def recompute_levels(paths, plan, units) -> dict:
    # the appendix writes the levels out: "Mầm non", "Trung học cơ sở"
    level_of = {u.code: NAMES.get(level_name(u.level), level_name(u.level)) for u in units}
    rate_keys = [i.key for i in plan.indicators if not i.group and i.measure == "rate"]
    out: dict[str, dict] = {}
    for path in paths:
        ret = Return(path)
        fig = out.setdefault(level_of[code_of(path)], {
            "units": 0, "statuses": Counter(), "rates": {}, "tthc": [0.0] * 11})
        fig["units"] += 1
        for key in ret.keys("report_tasks"):
            status = ret.get("report_tasks", key, "status")
            if isinstance(status, str) and status.strip() in STATUSES:
                fig["statuses"][status.strip()] += 1
        for key in rate_keys:
            n = ret.get("report_indicators", key, "numerator")
            d = ret.get("report_indicators", key, "denominator")
            a, b, k = fig["rates"].get(key, (0.0, 0.0, 0))
            fig["rates"][key] = (a + n, b + d, k + 1)
        for key in ret.keys("report_tthc"):
            fig["tthc"] = add(fig["tthc"], tthc_values(ret, key))
    return out


def read_level_sheet(path) -> dict:
    ws = load_workbook(path)[SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    starts = {str(r[0])[:2]: i for i, r in enumerate(rows)  # the block titles
              if isinstance(r[0], str) and r[0][:3] in ("1. ", "2. ", "3. ")}
    tasks, tthc, rates = {}, {}, {}
    i = starts["1."] + 2
    while rows[i][0] not in (None, ""):
        r = rows[i]
        tasks[r[1]] = (r[2], dict(zip(STATUSES, r[3:7], strict=True)), r[7])
        i += 1
    i = starts["2."] + 3  # title, (n) header, column names
    while rows[i][0] not in (None, ""):
        tthc[rows[i][1]] = rows[i][2:13]
        i += 1
    i = starts["3."] + 2
    stt = None
    totals = {}
    while i < len(rows) and rows[i][1] not in (None, ""):
        r = rows[i]  # an indicator's row (its number and words), one row per level, Tổng cộng
        if r[0] not in (None, ""):
            stt = r[0]
        elif r[1] == "Tổng cộng":
            totals[str(stt)] = (r[3], r[4], r[5], r[6], r[7])
        else:
            rates[(str(stt), r[1])] = (r[3], r[4], r[5], r[6])
        i += 1
    return {"tasks": tasks, "tthc": tthc, "rates": rates, "totals": totals}


@pytest.fixture(scope="module")
def shown(direct):
    return read_level_sheet(direct.out)


def test_levels_listed_in_order_with_their_units(shown, valid_files, plan, units):
    expected = recompute_levels(valid_files, plan, units)
    assert list(shown["tasks"]) == [NAMES[lv] for lv in ("MN", "TH", "THCS")
                                    if NAMES[lv] in expected]
    for level, (n_units, _, _) in shown["tasks"].items():
        assert n_units == expected[level]["units"]


def test_task_completion_by_level_equals_recomputed(shown, valid_files, plan, units):
    expected = recompute_levels(valid_files, plan, units)
    for level, (_, counts, rate) in shown["tasks"].items():
        want = expected[level]["statuses"]
        assert counts == {s: want[s] for s in STATUSES}, level
        applicable = sum(want[s] for s in STATUSES if s != "Không phát sinh")
        assert rate == pytest.approx(want["Đã hoàn thành"] / applicable)


def test_indicator_sums_by_level_equal_recomputed(shown, valid_files, plan, units):
    expected = recompute_levels(valid_files, plan, units)
    stt_of = {i.key: i.stt for i in plan.indicators}
    checked = 0
    for level, fig in expected.items():
        for key, (n, d, k) in fig["rates"].items():
            num, den, result, reporting = shown["rates"][(stt_of[key], level)]
            assert (num, den, reporting) == (n, d, k), (key, level)
            assert result == pytest.approx(n / d)
            checked += 1
    assert checked > 20


def test_indicator_totals_over_all_levels_are_sums_over_sums(shown, valid_files, plan,
                                                            units):
    """Each indicator's Tổng cộng row: Σ numerators / Σ denominators over every level (not
    a mean of the levels' ratios), and the units reporting summed."""
    expected = recompute_levels(valid_files, plan, units)
    stt_of = {i.key: i.stt for i in plan.indicators}
    checked = 0
    for key in {k for fig in expected.values() for k in fig["rates"]}:
        n = sum(fig["rates"][key][0] for fig in expected.values() if key in fig["rates"])
        d = sum(fig["rates"][key][1] for fig in expected.values() if key in fig["rates"])
        k = sum(fig["rates"][key][2] for fig in expected.values() if key in fig["rates"])
        num, den, result, reporting, _ = shown["totals"][stt_of[key]]
        assert (num, den, reporting) == (n, d, k), key
        assert result == pytest.approx(n / d, rel=1e-12)
        checked += 1
    assert checked > 5


def test_biểu_06_totals_by_level_equal_recomputed(shown, valid_files, plan, units):
    expected = recompute_levels(valid_files, plan, units)
    assert set(shown["tthc"]) == set(expected)
    for level, values in shown["tthc"].items():
        assert list(values) == expected[level]["tthc"], level


def test_breakdown_survives_a_merge_one_level_up(direct, valid_files, plan, units,
                                                 tmp_path):
    """Two halves consolidated apart, then merged as two 'districts': same breakdown."""
    by_code = {u.code: u for u in units}
    halves = [valid_files[::2], valid_files[1::2]]
    parts = []
    for n, files in enumerate(halves, start=1):
        mine = [by_code[code_of(p)] for p in files]
        out = tmp_path / f"half{n}.xlsx"
        merge(files, plan, mine, PERIOD, out,
              office_from_units(mine, plan, f"CỤM {n}", f"CUM-{n}"), now=NOW, workers=1)
        parts.append(out)
    districts = [Unit(f"CUM-{n}", f"Cụm {n}", superior="ỦY BAN NHÂN DÂN QUẬN 8",
                      place="Quận 8", signer_title="TRƯỞNG PHÒNG", signer_name="A")
                 for n in (1, 2)]
    top = tmp_path / "top.xlsx"
    merge(parts, plan, districts, PERIOD, top,
          office_from_units(districts, plan, "SỞ", "SO"), now=NOW, workers=1)
    assert read_level_sheet(top) == read_level_sheet(direct.out)
