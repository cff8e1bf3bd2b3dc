"""Periods that nest: the half-year built from the quarters equals a direct merge of
half-year returns whose cells a test computed from the quarterly cells (the composition
rule written out independently here), whether the quarters come as the units' returns or
as the office's quarterly consolidations; a unit missing a quarter is left out, named."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.aggregate import Aggregate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.model import Unit
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_001
from .fill import Filler, fill_clean

SCHEDULE = """schedule:
  - id: q1-2023
    name: Quý I năm 2023
    from: 2022-12-15
    to: 2023-03-14
    due: 2023-03-20
  - id: q2-2023
    name: Quý II năm 2023
    from: 2023-03-15
    to: 2023-06-14
    due: 2023-06-20
  - id: 6t-2023
    name: 6 tháng đầu năm 2023
    from: 2022-12-15
    to: 2023-06-14
    due: 2023-06-20
    parts: [q1-2023, q2-2023]
"""
CODES = ("MN-TT", "MN-SM", "TH-HV", "THCS-LL", "TH-PD")
GAP = "TH-PD"  # sends quý I only
NOW = datetime(2023, 6, 25, 9)
LATER = datetime(2023, 9, 25, 9)  # after quý III: its completion dates are in the past
INPUT_TTHC = ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13")


def nested_plan(tmp_path, schedule: str = SCHEDULE):
    text = PLAN_001.read_text(encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(text[:text.index("schedule:")] + schedule, encoding="utf-8")
    return load_plan(path)


def v(f: Filler, form: str, key: str, col: str):
    return f.cell(form, key, col).value


def half_year_cells(q1: Filler, q2: Filler, h: Filler) -> None:
    """Type the half-year return a unit would send, from its two quarterly returns."""
    for key in h.keys("report_tasks"):
        parts = [v(q, "report_tasks", key, "status") for q in (q1, q2)]
        done = [q for q, s in zip((q1, q2), parts, strict=True) if s == "Đã hoàn thành"]
        active = [s for s in parts if s in ("Đang thực hiện", "Chưa thực hiện")]
        status = ("Đã hoàn thành" if done else active[-1] if active else
                  "Không phát sinh" if "Không phát sinh" in parts else None)
        h.set("report_tasks", key, "status", status)
        if done:
            h.set("report_tasks", key, "completion_date",
                  v(done[0], "report_tasks", key, "completion_date"))
            h.set("report_tasks", key, "evidence", v(done[0], "report_tasks", key, "evidence"))
        texts = []
        for q in (q1, q2):
            t = v(q, "report_tasks", key, "difficulties")
            if t and t.strip() not in texts:
                texts.append(t.strip())
        h.set("report_tasks", key, "difficulties", "\n".join(texts) or None)
    for key, a in h.attrs("report_indicators").items():
        if a.get("measure") == "rate":
            for col in ("numerator", "denominator"):
                h.set("report_indicators", key, col,
                      sum(v(q, "report_indicators", key, col) or 0 for q in (q1, q2)))
        elif a.get("measure") == "count":
            h.set("report_indicators", key, "result",
                  sum(v(q, "report_indicators", key, "result") or 0 for q in (q1, q2)))
        if a.get("met_mode") == "input":
            h.set("report_indicators", key, "met", v(q2, "report_indicators", key, "met"))
    for key in h.keys("report_tthc"):
        def n(q, col, key=key):
            return v(q, "report_tthc", key, col) or 0
        for col in ("c4", "c5", "c8", "c9", "c10"):
            h.set("report_tthc", key, col, n(q1, col) + n(q2, col))
        h.set("report_tthc", key, "c6", n(q1, "c6"))
        h.set("report_tthc", key, "c12", n(q2, "c12"))
        h.set("report_tthc", key, "c13", n(q2, "c13"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, units):
    tmp = tmp_path_factory.mktemp("nesting")
    plan = nested_plan(tmp)
    mine = [u for u in units if u.code in CODES]
    books = {}
    for pid in ("q1-2023", "q2-2023", "6t-2023"):
        for path in generate(plan, mine, tmp / pid, period_id=pid, workers=1):
            books[(pid, path.name.split("_")[0])] = path
    fillers = {}
    for n, code in enumerate(CODES):
        for k, pid in enumerate(("q1-2023", "q2-2023")):
            if pid == "q2-2023" and code == GAP:
                books[(pid, code)].unlink()
                continue
            fillers[(pid, code)] = fill_clean(Filler(books[(pid, code)]), seed=10 * n + k)
            fillers[(pid, code)].save()
    for code in CODES:
        if code == GAP:
            books[("6t-2023", code)].unlink()
            continue
        h = Filler(books[("6t-2023", code)])
        half_year_cells(fillers[("q1-2023", code)], fillers[("q2-2023", code)], h)
        h.save()
    office = office_from_units(mine, plan)
    direct = merge([tmp / "6t-2023"], plan, mine, "6t-2023", tmp / "direct.xlsx", office,
                   now=NOW, workers=1)
    from_returns = merge([tmp / "q1-2023", tmp / "q2-2023"], plan, mine, "6t-2023",
                         tmp / "from-returns.xlsx", office, now=NOW, workers=1)
    quarters = [merge([tmp / pid], plan, mine, pid, tmp / f"th-{pid}.xlsx", office,
                      now=NOW, workers=1).out for pid in ("q1-2023", "q2-2023")]
    from_consolidations = merge(quarters, plan, mine, "6t-2023", tmp / "from-th.xlsx", office,
                                now=NOW, workers=1)
    return {"plan": plan, "direct": direct, "returns": from_returns,
            "consolidations": from_consolidations, "fillers": fillers, "tmp": tmp}


def identity(path) -> Aggregate:
    ws = load_workbook(path, read_only=True)["_cchc"]
    chunks = {int(r[1]): r[2] for r in ws.iter_rows(values_only=True) if r[0] == "aggregate"}
    return Aggregate.from_json("".join(chunks[i] for i in sorted(chunks)))


@pytest.mark.parametrize("route", ["returns", "consolidations"])
def test_half_year_from_quarters_equals_a_direct_merge(runs, route):
    direct = identity(runs["direct"].out).figures()
    nested = identity(runs[route].out).figures()
    assert direct["units"] == sorted(c for c in CODES if c != GAP)
    assert nested == direct


@pytest.mark.parametrize("route", ["returns", "consolidations"])
def test_biểu_06_carry_over_and_pending_from_the_right_quarter(runs, route):
    f = runs["fillers"]
    agg = identity(runs[route].out)
    for key, values in agg.tthc.items():
        col = dict(zip(("c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12",
                        "c13"), values, strict=True))
        units = [c for c in CODES if c != GAP]
        assert col["c6"] == sum(v(f[("q1-2023", c)], "report_tthc", key, "c6") or 0
                                for c in units)
        assert col["c12"] == sum(v(f[("q2-2023", c)], "report_tthc", key, "c12") or 0
                                 for c in units)
        assert col["c4"] == sum((v(f[(p, c)], "report_tthc", key, "c4") or 0)
                                for c in units for p in ("q1-2023", "q2-2023"))


def test_unit_missing_a_quarter_is_named(runs):
    result = runs["consolidations"]
    gap = next(s for s in result.submissions if s.unit_code == GAP)
    assert gap.status == "missing" and "Quý II năm 2023" in gap.note
    assert result.exit_code == 1


def test_plan_refuses_parts_that_do_not_tile(tmp_path):
    bad = SCHEDULE.replace("from: 2023-03-15", "from: 2023-03-16")
    with pytest.raises(UserError, match="không nối liền"):
        nested_plan(tmp_path, bad)
    bad = SCHEDULE.replace("parts: [q1-2023, q2-2023]", "parts: [q1-2023, q9-2023]")
    with pytest.raises(UserError, match="q9-2023"):
        nested_plan(tmp_path, bad)
    assert date(2023, 6, 14) == nested_plan(tmp_path).period("6t-2023").end


NINE = SCHEDULE + """  - id: q3-2023
    name: Quý III năm 2023
    from: 2023-06-15
    to: 2023-09-14
    due: 2023-09-20
  - id: 9t-2023
    name: 9 tháng năm 2023
    from: 2022-12-15
    to: 2023-09-14
    due: 2023-09-20
    parts: [6t-2023, q3-2023]
"""


def test_two_levels_of_nesting_compose(tmp_path, units):
    """9 tháng = (quý I + quý II) + quý III: from the half-year consolidation and the quý
    III one, or from the three quarters, or from the raw returns: the same figures."""
    plan = nested_plan(tmp_path, NINE)
    mine = [u for u in units if u.code in CODES[:3]]
    office = office_from_units(mine, plan)
    for pid in ("q1-2023", "q2-2023", "q3-2023"):
        for n, path in enumerate(generate(plan, mine, tmp_path / pid, period_id=pid,
                                          workers=1)):
            fill_clean(Filler(path), seed=n + len(pid)).save()
    th = {pid: merge([tmp_path / pid], plan, mine, pid, tmp_path / f"th-{pid}.xlsx", office,
                     now=LATER, workers=1).out for pid in ("q1-2023", "q2-2023", "q3-2023")}
    half = merge([th["q1-2023"], th["q2-2023"]], plan, mine, "6t-2023", tmp_path / "6t.xlsx",
                 office, now=LATER, workers=1).out
    a = merge([half, th["q3-2023"]], plan, mine, "9t-2023", tmp_path / "a.xlsx", office,
              now=LATER, workers=1)
    b = merge(list(th.values()), plan, mine, "9t-2023", tmp_path / "b.xlsx", office,
              now=LATER, workers=1)
    c = merge([tmp_path / p for p in th], plan, mine, "9t-2023", tmp_path / "c.xlsx", office,
              now=LATER, workers=1)
    figures = [identity(r.out).figures() for r in (a, b, c)]
    assert figures[0]["units"] == sorted(u.code for u in mine)
    assert figures[0] == figures[1] == figures[2]
    assert a.exit_code == 0


def test_province_composes_its_districts_quarterly_consolidations(runs, units, tmp_path):
    """Two 'districts' consolidate their schools' quarters; the province builds the
    half-year from the four consolidations: the same figures as the direct merge, each
    district counted, the school missing a quarter named."""
    plan, tmp = runs["plan"], runs["tmp"]
    clusters = {"CUM-A": ("MN-TT", "MN-SM"), "CUM-B": ("TH-HV", "THCS-LL", GAP)}
    parts = []
    for code, members in clusters.items():
        mine = [u for u in units if u.code in members]
        office = office_from_units(mine, plan, f"CỤM {code}", code)
        for pid in ("q1-2023", "q2-2023"):
            files = [p for p in (tmp / pid).glob("*.xlsx") if p.name.split("_")[0] in members]
            parts.append(merge(files, plan, mine, pid, tmp_path / f"{code}-{pid}.xlsx",
                               office, now=NOW, workers=1).out)
    districts = [Unit(code, f"Cụm {code}", superior="ỦY BAN NHÂN DÂN QUẬN 8", place="Quận 8",
                      signer_title="TRƯỞNG PHÒNG", signer_name="A") for code in clusters]
    top = merge(parts, plan, districts, "6t-2023", tmp_path / "top.xlsx",
                office_from_units(districts, plan, "SỞ", "SO"), now=NOW, workers=1)
    assert identity(top.out).figures() == identity(runs["direct"].out).figures()
    by = {s.unit_code: s for s in top.submissions}
    assert set(by) == set(clusters)
    assert by["CUM-A"].status == "valid" and by["CUM-A"].note.startswith("2/2")
    assert by["CUM-B"].status == "valid" and by["CUM-B"].note.startswith("2/3")
    assert "Quý II năm 2023" in by["CUM-B"].note
