"""The consolidated figures broken down by cấp học (MN, TH, THCS, …).

A district reports upward by school level as often as in total. The breakdown is computed
from the per-unit parts an ``Aggregate`` already keeps (task status letters, indicator
numerators and denominators, Biểu 06 totals) and each unit's level (``Submission.level``,
from the units list's optional ``cấp học`` column), so it is as exact as the totals and
survives being merged again one level up.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from cchc_xlsx.merging.aggregate import CODE_STATUS, TTHC_COLUMNS, Aggregate, IndicatorAgg

UNKNOWN = "Chưa rõ cấp học"
# folded spellings → the short name offices write ("Mầm non" → "MN")
_SHORT = {
    "mn": "MN", "mam non": "MN", "mau giao": "MN", "nha tre": "MN",
    "th": "TH", "tieu hoc": "TH",
    "thcs": "THCS", "trung hoc co so": "THCS",
    "thpt": "THPT", "trung hoc pho thong": "THPT",
    "gdtx": "GDTX", "giao duc thuong xuyen": "GDTX",
}
ORDER = ("MN", "TH", "THCS", "THPT", "GDTX")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(text.replace("-", " ").split())


def level_name(text: str) -> str:
    """The level as a short name when known ("Tiểu học" → "TH"), else as written."""
    text = (text or "").strip()
    if not text:
        return UNKNOWN
    return _SHORT.get(_fold(text), text)


def level_order(name: str) -> tuple[int, str]:
    if name in ORDER:
        return (ORDER.index(name), name)
    return (len(ORDER) + (1 if name == UNKNOWN else 0), name)


@dataclass
class LevelFigures:
    level: str
    units: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # status → task rows
    indicators: dict[str, IndicatorAgg] = field(default_factory=dict)
    tthc: list[float] = field(default_factory=lambda: [0.0] * len(TTHC_COLUMNS))

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
        fig = levels.setdefault(level_name(sub.level), LevelFigures(level_name(sub.level)))
        fig.units += 1
        for letter in agg.task_detail.get(code, ""):
            status = CODE_STATUS.get(letter)
            if status:
                fig.statuses[status] = fig.statuses.get(status, 0) + 1
        for key, figures in agg.indicator_by_unit.get(code, {}).items():
            fig.indicators.setdefault(key, IndicatorAgg()).add_unit(figures, sub.unit_name)
        values = agg.tthc_by_unit.get(code)
        if values:
            fig.tthc = [a + b for a, b in zip(fig.tthc, values, strict=True)]
    return [levels[k] for k in sorted(levels, key=level_order)]
