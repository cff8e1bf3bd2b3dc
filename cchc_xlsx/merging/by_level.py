"""The consolidated figures broken down by cấp học (MN, TH, THCS, …).

A district reports upward by school level as often as in total. The breakdown is computed
from the per-unit parts an ``Aggregate`` already keeps (task status letters, indicator
numerators and denominators, Biểu 06 totals) and each unit's level (``Submission.level``,
from the units list's optional ``cấp học`` column), so it is as exact as the totals and
survives being merged again one level up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from cchc_xlsx.merging.aggregate import CODE_STATUS, TTHC_COLUMNS, Aggregate, IndicatorAgg
from cchc_xlsx.plans.levels import LEVELS, NAMES, level_codes

UNKNOWN = "Chưa rõ cấp học"


@lru_cache(maxsize=256)
def level_name(text: str) -> str:
    """The level as a short name when it names one ("Tiểu học" → "TH"), else as written
    (a multi-level "Tiểu học, THCS" or "Liên cấp" is its own group)."""
    text = (text or "").strip()
    if not text:
        return UNKNOWN
    codes, unknown = level_codes(text)
    return codes[0] if len(codes) == 1 and not unknown else text


def level_order(name: str) -> tuple[int, str]:
    if name in LEVELS:
        return (LEVELS.index(name), name)
    return (len(LEVELS) + (1 if name == UNKNOWN else 0), name)


@dataclass
class LevelFigures:
    level: str
    units: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # status → task rows
    indicators: dict[str, IndicatorAgg] = field(default_factory=dict)
    tthc: list[float] = field(default_factory=lambda: [0.0] * len(TTHC_COLUMNS))

    @property
    def name(self) -> str:
        """The level written out ("Mầm non", "Trung học cơ sở"), as appendices print it."""
        return NAMES.get(self.level, self.level)

    @property
    def applicable(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != "Không phát sinh")

    @property
    def done(self) -> int:
        return self.statuses.get("Đã hoàn thành", 0)


def by_level(agg: Aggregate) -> list[LevelFigures]:
    """One entry per cấp học among the counted units, in the usual MN, TH, THCS… order."""
    levels: dict[str, LevelFigures] = {}
    for code, sub in agg.units.items():
        name = level_name(sub.level)  # a few levels among many units: looked up once each
        fig = levels.get(name) or levels.setdefault(name, LevelFigures(name))
        fig.units += 1
        for letter, n in Counter(agg.task_detail.get(code, "")).items():
            status = CODE_STATUS.get(letter)
            if status:
                fig.statuses[status] = fig.statuses.get(status, 0) + n
        for key, figures in agg.indicator_by_unit.get(code, {}).items():
            fig.indicators.setdefault(key, IndicatorAgg()).add_unit(figures, sub.unit_name)
        values = agg.tthc_by_unit.get(code)
        if values:
            fig.tthc = [a + b for a, b in zip(fig.tthc, values, strict=True)]
    return [levels[k] for k in sorted(levels, key=level_order)]
