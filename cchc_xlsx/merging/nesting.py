"""Build a longer period from the periods it is made of (the plan's ``parts``).

A district whose schools report every quarter reports upward for the half-year and the
year. When the plan says "6 tháng" = quý I + quý II, merge builds the half-year unit by unit
from the quarterly returns or consolidations, as if each unit had sent a half-year return:

- tasks: done in any part → done; else the latest status other than "Không phát sinh";
  "Không phát sinh" only when every part says so;
- indicators: numerators, denominators and counts add up; the target is judged again on
  the sums, else the latest part's "Đạt / Không đạt" stands;
- Biểu 06: (4), (5), (8), (9), (10) add up; (6) is the first part's carry-over; (12), (13)
  are the last part's pending files; (3), (7), (11) are derived;
- difficulties: the parts' texts for the same task, one after the other.

A unit counts only when every part has its data; a missing part leaves it out, named.
Because each unit's part is kept in the ``Aggregate`` (task letters, indicator parts, Biểu
06 rows), the result is exact and is itself a valid input one level up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.aggregate import (
    CODE_STATUS,
    TTHC_COLUMNS,
    Aggregate,
    IndicatorAgg,
    Submission,
)
from cchc_xlsx.model import Period, Plan

_IDX = {c: i for i, c in enumerate(TTHC_COLUMNS)}


def descendants(plan: Plan, period: Period) -> list[str]:
    """Every period under ``period`` through ``parts``, depth first (empty: no nesting)."""
    out: list[str] = []
    for pid in period.parts:
        out.append(pid)
        out += descendants(plan, plan.period(pid))
    return out


@dataclass
class UnitData:
    """One unit's figures for one period, cut out of an ``Aggregate``."""

    sub: Submission
    letters: dict[str, str] = field(default_factory=dict)  # task row key → H/D/C/K
    indicators: dict[str, list[float]] = field(default_factory=dict)
    tthc: dict[str, list[float]] = field(default_factory=dict)
    difficulties: list[tuple[str, str]] = field(default_factory=list)  # (row key, text)


def unit_slices(agg: Aggregate, source: str) -> dict[str, UnitData]:
    """Each counted unit's own figures; refuse a consolidation too old to be cut."""
    if agg.tthc and not agg.tthc_unit_rows or (agg.indicators and not agg.indicator_by_unit):
        raise UserError(f"Tệp tổng hợp «{source}» được tạo bằng phiên bản cũ, không có số liệu "
                        "riêng của từng đơn vị để ghép kỳ; hãy tổng hợp lại kỳ đó.")
    out = {}
    for code, sub in agg.units.items():
        letters = agg.task_detail.get(code, "")
        out[code] = UnitData(
            sub=sub,
            letters={k: letters[i] for i, k in enumerate(agg.task_order)
                     if i < len(letters) and letters[i] in CODE_STATUS},
            indicators={k: list(v) for k, v in agg.indicator_by_unit.get(code, {}).items()},
            tthc={k: list(v) for k, v in agg.tthc_unit_rows.get(code, {}).items()},
            difficulties=[(k, t) for name, k, t in agg.difficulties if name == sub.unit_name])
    return out


def _letter(letters: list[str]) -> str:
    if "H" in letters:
        return "H"
    active = [x for x in letters if x in ("D", "C")]
    if active:
        return active[-1]
    return "K" if "K" in letters else ""


def _tthc(parts: list[list[float] | None]) -> list[float]:
    zero = [0.0] * len(TTHC_COLUMNS)
    rows = [p or zero for p in parts]
    v = {c: sum(r[_IDX[c]] for r in rows) for c in ("c4", "c5", "c8", "c9", "c10")}
    v["c6"] = rows[0][_IDX["c6"]]
    v["c12"], v["c13"] = rows[-1][_IDX["c12"]], rows[-1][_IDX["c13"]]
    v["c3"] = v["c4"] + v["c5"] + v["c6"]
    v["c7"] = v["c8"] + v["c9"] + v["c10"]
    v["c11"] = v["c12"] + v["c13"]
    return [v[c] for c in TTHC_COLUMNS]


def compose_unit(plan: Plan, parts: list[UnitData], period: Period,
                 names: Sequence[str]) -> UnitData:
    """One unit's figures for ``period`` from its parts, in time order."""
    from cchc_xlsx.merging.merge import meets

    last = parts[-1].sub
    keys = list(dict.fromkeys(k for p in parts for k in p.letters))
    letters = {k: _letter([p.letters[k] for p in parts if k in p.letters]) for k in keys}
    targets = {i.key: i for i in plan.indicators if not i.group}
    indicators: dict[str, list[float]] = {}
    for key in dict.fromkeys(k for p in parts for k in p.indicators):
        got = [p.indicators[key] for p in parts if key in p.indicators]
        num, den, total = (sum(g[i] for g in got) for i in range(3))
        ind = targets.get(key)
        measure = ind.measure if ind else "text"
        value = (num / den if den else None) if measure == "rate" else (
            total if measure == "count" else None)
        verdict = meets(ind.target if ind else None, measure, value)
        if verdict is None:
            judged = [g[3] for g in got if g[3] != -1]
            code = judged[-1] if judged else -1.0
        else:
            code = 1.0 if verdict else 0.0
        indicators[key] = [num, den, total, code]
    tthc = {key: _tthc([p.tthc.get(key) for p in parts])
            for key in dict.fromkeys(k for p in parts for k in p.tthc)}
    texts: dict[str, list[str]] = {}
    for p in parts:
        for key, text in p.difficulties:
            if text not in texts.setdefault(key, []):
                texts[key].append(text)
    timely = [p.sub.on_time for p in parts]
    received = max((p.sub.received_at for p in parts if p.sub.received_at), default="")
    sub = replace(
        last, status="valid", file="; ".join(p.sub.file for p in parts if p.sub.file),
        received_at=received, on_time=(False if False in timely else
                                       True if all(t is True for t in timely) else None),
        errors=sum(p.sub.errors for p in parts), warnings=sum(p.sub.warnings for p in parts),
        replaced=[], via="; ".join(dict.fromkeys(p.sub.via for p in parts if p.sub.via)),
        expected=True,
        note="ghép từ các kỳ: " + ", ".join(names))
    return UnitData(sub, letters, indicators, tthc,
                    [(k, "\n".join(t)) for k, t in texts.items()])


def build_aggregate(plan: Plan, period: Period, units: dict[str, UnitData],
                    task_order: list[str], indicator_keys: Sequence[str]) -> Aggregate:
    """The period's ``Aggregate`` from its units' composed figures (what a direct merge of
    the units' own returns for the period would hold)."""
    agg = Aggregate(plan.id, period.id, task_order=list(task_order))
    for code, ud in units.items():
        agg.units[code] = ud.sub
        if ud.letters:
            for key in task_order:
                counts = agg.tasks.setdefault(key, {})
                status = CODE_STATUS.get(ud.letters.get(key, ""))
                if status:
                    counts[status] = counts.get(status, 0) + 1
            agg.task_detail[code] = "".join(ud.letters.get(k, "-") or "-" for k in task_order)
        if ud.indicators:
            for key in indicator_keys:
                agg.indicators.setdefault(key, IndicatorAgg())
        for key, figures in ud.indicators.items():
            agg.indicators.setdefault(key, IndicatorAgg()).add_unit(figures, ud.sub.unit_name)
        if ud.indicators:
            agg.indicator_by_unit[code] = {k: list(v) for k, v in ud.indicators.items()}
        if ud.tthc:
            totals = [0.0] * len(TTHC_COLUMNS)
            for key, values in ud.tthc.items():
                mine = agg.tthc.setdefault(key, [0.0] * len(TTHC_COLUMNS))
                agg.tthc[key] = [a + b for a, b in zip(mine, values, strict=True)]
                totals = [a + b for a, b in zip(totals, values, strict=True)]
            agg.tthc_by_unit[code] = totals
            agg.tthc_unit_rows[code] = {k: list(v) for k, v in ud.tthc.items()}
        for key, text in ud.difficulties:
            agg.difficulties.append((ud.sub.unit_name, key, text))
    return agg


def compose(plan: Plan, period: Period, by_period: dict[str, dict[str, UnitData]],
            expected: Sequence[str], names: dict[str, str],
            task_order: list[str], indicator_keys: Sequence[str],
            ) -> tuple[Aggregate, dict[str, Submission]]:
    """The period's aggregate, and a Submission per expected unit (valid, or missing with
    the parts it lacks). ``by_period`` holds the units' figures read for each period."""

    def unit_data(p: Period, code: str) -> tuple[UnitData | None, list[str]]:
        """The unit's figures for ``p`` and the part periods it lacks."""
        direct = by_period.get(p.id, {}).get(code)
        if direct is not None:
            return direct, []
        if not p.parts:
            return None, [p.name]
        got, lacking = [], []
        for pid in sorted(p.parts, key=lambda x: plan.period(x).start):
            data, miss = unit_data(plan.period(pid), code)
            lacking += miss
            if data is not None:
                got.append((plan.period(pid).name, data))
        if lacking:
            return None, lacking
        return compose_unit(plan, [d for _, d in got], p, [n for n, _ in got]), []

    codes = list(dict.fromkeys([*expected, *(c for m in by_period.values() for c in m)]))
    composed: dict[str, UnitData] = {}
    standing: dict[str, Submission] = {}
    for code in codes:
        data, lacking = unit_data(period, code)
        if data is not None:
            composed[code] = data
            standing[code] = data.sub
        elif any(code in m for m in by_period.values()):
            standing[code] = Submission(
                code, names.get(code, code), status="missing",
                note="chưa có số liệu hợp lệ của kỳ: " + ", ".join(lacking))
    return build_aggregate(plan, period, composed, task_order, indicator_keys), standing


def when(sub: Submission) -> datetime:
    try:
        return datetime.fromisoformat(sub.received_at) if sub.received_at else datetime.min
    except ValueError:
        return datetime.min
