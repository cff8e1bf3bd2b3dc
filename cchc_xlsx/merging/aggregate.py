"""Consolidated figures that compose: merge(merge(A, B), C) = merge(A, B, C).

Everything here is a sum or a union: status counts add, rates keep Σ numerator and
Σ denominator (never a mean of percentages), per-unit listings concatenate, and the units
covered must be disjoint, so a unit counted through two routes is refused. A consolidated
workbook stores its ``Aggregate`` as JSON in its hidden identity, so the next level up
reads exact figures rather than rounded printed ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from cchc_xlsx.errors import UserError


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _fields_of(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict for JSON, without ``asdict``'s deep copy of every list
    (the same JSON; the copy was 7 % of a profiled 1,000-unit write)."""
    return {name: getattr(obj, name) for name in _field_names(type(obj))}


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# one letter per task status in the compact per-unit detail ("" = not filled)
STATUS_CODES = {"Đã hoàn thành": "H", "Đang thực hiện": "D", "Chưa thực hiện": "C",
                "Không phát sinh": "K"}
CODE_STATUS = {v: k for k, v in STATUS_CODES.items()}
#: How a received time was established, in the words the status sheet and ``status`` use.
SOURCE_LABELS = {"db": "theo lần ghi nhận đầu tiên", "mtime": "theo thời gian sửa tệp"}
TTHC_COLUMNS = ("c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13")


@dataclass
class Submission:
    """One expected (or unexpected) unit's standing in a merge."""

    unit_code: str
    unit_name: str
    status: str = "missing"  # valid | invalid | unusable | missing
    file: str = ""
    received_at: str = ""  # ISO date-time
    received_from: str = ""  # the earlier evidence: "db" (collect's first record) | "mtime"
    on_time: bool | None = None
    errors: int = 0
    warnings: int = 0
    replaced: list[str] = field(default_factory=list)  # earlier files this one replaced
    via: str = ""  # the consolidated file that covered this unit, if any
    note: str = ""  # why it was left out, etc.
    expected: bool = True  # False for a file outside the unit list or the period
    report_number: str = ""  # the unit's "Số: 15/BC-MNTT" as it filled it ("" if blank)
    level: str = ""  # cấp học from the unit list ("Mầm non", "TH", …), for the breakdown

    @property
    def counted(self) -> bool:
        return self.status == "valid" or self.status == "included"


@dataclass
class IndicatorAgg:
    numerator: float = 0.0
    denominator: float = 0.0
    total: float = 0.0  # Σ results, for count indicators
    reporting: int = 0
    meeting: int = 0
    not_meeting: list[str] = field(default_factory=list)  # unit names

    def add_unit(self, figures: Sequence[float], unit_name: str) -> None:
        """One unit's stored figures: numerator, denominator, total and the verdict (1 met,
        0 not met, -1 not judged), as ``Aggregate.indicator_by_unit`` keeps them."""
        num, den, total, verdict = figures
        self.numerator += num
        self.denominator += den
        self.total += total
        self.reporting += 1
        if verdict == 1:
            self.meeting += 1
        elif verdict == 0:
            self.not_meeting.append(unit_name)

    def add(self, other: IndicatorAgg) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.total += other.total
        self.reporting += other.reporting
        self.meeting += other.meeting
        self.not_meeting += other.not_meeting


@dataclass
class Aggregate:
    plan_id: str
    period_id: str
    units: dict[str, Submission] = field(default_factory=dict)  # units whose data is in
    tasks: dict[str, dict[str, int]] = field(default_factory=dict)  # row key → status → n
    task_detail: dict[str, str] = field(default_factory=dict)  # unit code → status letters
    task_order: list[str] = field(default_factory=list)  # row keys, for task_detail
    indicators: dict[str, IndicatorAgg] = field(default_factory=dict)
    tthc: dict[str, list[float]] = field(default_factory=dict)  # row key → c3..c13 sums
    tthc_by_unit: dict[str, list[float]] = field(default_factory=dict)  # unit code → totals
    difficulties: list[tuple[str, str, str]] = field(default_factory=list)  # unit, key, text
    # unit code → row key → [numerator, denominator, total, verdict (1 met, 0 not, -1 ?)]:
    # what the per-cấp-học breakdown sums, so it composes like everything else
    indicator_by_unit: dict[str, dict[str, Sequence[float]]] = field(default_factory=dict)
    # unit code → row key → c3..c13: Biểu 06 per unit and row, so periods can nest exactly
    tthc_unit_rows: dict[str, dict[str, Sequence[float]]] = field(default_factory=dict)

    # --- composition ---------------------------------------------------------------------

    def add(self, other: Aggregate) -> None:
        """Fold ``other`` into this one; refuse a unit already counted."""
        if (other.plan_id, other.period_id) != (self.plan_id, self.period_id):
            raise UserError(
                f"Không gộp được số liệu của kế hoạch «{other.plan_id}», kỳ «{other.period_id}» "
                f"với kế hoạch «{self.plan_id}», kỳ «{self.period_id}».")
        twice = sorted(set(self.units) & set(other.units))
        if twice:
            names = ", ".join(f"{self.units[c].unit_name} ({c})" for c in twice[:5])
            raise UserError(f"Đơn vị được tính hai lần qua hai đường: {names}; hãy bỏ một trong "
                            "hai tệp (tệp của đơn vị hoặc tệp tổng hợp có chứa đơn vị đó).")
        self.units.update(other.units)
        for key, counts in other.tasks.items():
            mine = self.tasks.setdefault(key, {})
            for status, n in counts.items():
                mine[status] = mine.get(status, 0) + n
        if not self.task_order:
            self.task_order = list(other.task_order)
        same = other.task_order == self.task_order
        order = {k: i for i, k in enumerate(other.task_order)}
        for code, letters in other.task_detail.items():
            if same and len(letters) == len(order) == len(self.task_order):
                self.task_detail[code] = letters  # rows in the same order: nothing to move
                continue
            self.task_detail[code] = "".join(
                letters[order[k]] if k in order and order[k] < len(letters) else "-"
                for k in self.task_order)
        for key, agg in other.indicators.items():
            self.indicators.setdefault(key, IndicatorAgg()).add(agg)
        for key, values in other.tthc.items():
            mine = self.tthc.setdefault(key, [0.0] * len(TTHC_COLUMNS))
            self.tthc[key] = [a + b for a, b in zip(mine, values, strict=True)]
        self.tthc_by_unit.update(other.tthc_by_unit)
        self.difficulties += other.difficulties
        self.indicator_by_unit.update(other.indicator_by_unit)
        self.tthc_unit_rows.update(other.tthc_unit_rows)

    @classmethod
    def combine(cls, plan_id: str, period_id: str, parts: list[Aggregate]) -> Aggregate:
        out = cls(plan_id, period_id)
        for part in parts:
            out.add(part)
        return out

    def figures(self) -> dict[str, Any]:
        """The consolidated numbers alone (no provenance): what must not depend on the
        order or grouping of merges."""
        return {
            "units": sorted(self.units),
            "tasks": {k: dict(sorted(v.items())) for k, v in sorted(self.tasks.items())},
            "task_detail": dict(sorted(self.task_detail.items())),
            "indicators": {k: (round(v.numerator, 9), round(v.denominator, 9),
                               round(v.total, 9), v.reporting, v.meeting,
                               sorted(v.not_meeting))
                           for k, v in sorted(self.indicators.items())},
            "tthc": {k: [round(x, 9) for x in v] for k, v in sorted(self.tthc.items())},
            "tthc_by_unit": dict(sorted(self.tthc_by_unit.items())),
            "difficulties": sorted(self.difficulties),
            "indicator_by_unit": {u: {k: [round(x, 9) for x in v] for k, v in sorted(d.items())}
                                  for u, d in sorted(self.indicator_by_unit.items())},
            "levels": {c: s.level for c, s in sorted(self.units.items())},
            "tthc_unit_rows": {u: {k: [round(x, 9) for x in v] for k, v in sorted(d.items())}
                               for u, d in sorted(self.tthc_unit_rows.items())},
        }

    def not_judged(self, key: str) -> list[str]:
        """Units that reported an indicator without a verdict (a rate of 0/0, or no
        «Đạt / Không đạt» where the figure cannot decide): counted as reporting, neither
        met nor not met, so the consolidation names them apart."""
        return [self.units[c].unit_name for c, rows in self.indicator_by_unit.items()
                if c in self.units and key in rows and rows[key][3] == -1]

    # --- storage -------------------------------------------------------------------------

    def to_json(self) -> str:
        # shallow: only the small dataclasses are converted; the big per-unit dicts are
        # already plain JSON data and are serialised in place (``asdict`` would deep-copy
        # them: 10,000 units made that copy the merge's memory peak)
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["units"] = {k: _fields_of(v) for k, v in self.units.items()}
        data["indicators"] = {k: _fields_of(v) for k, v in self.indicators.items()}
        return _dump(data)

    @classmethod
    def from_json(cls, text: str) -> Aggregate:
        d = json.loads(text)
        return cls(
            plan_id=d["plan_id"], period_id=d["period_id"],
            units={k: Submission(**v) for k, v in d["units"].items()},
            tasks={k: dict(v) for k, v in d["tasks"].items()},
            task_detail=dict(d["task_detail"]), task_order=list(d["task_order"]),
            indicators={k: IndicatorAgg(**v) for k, v in d["indicators"].items()},
            tthc={k: list(v) for k, v in d["tthc"].items()},
            tthc_by_unit={k: list(v) for k, v in d["tthc_by_unit"].items()},
            difficulties=[tuple(x) for x in d["difficulties"]],  # type: ignore[misc]
            indicator_by_unit={u: {k: list(v) for k, v in m.items()}
                               for u, m in d.get("indicator_by_unit", {}).items()},
            tthc_unit_rows={u: {k: list(v) for k, v in m.items()}
                            for u, m in d.get("tthc_unit_rows", {}).items()},
        )
