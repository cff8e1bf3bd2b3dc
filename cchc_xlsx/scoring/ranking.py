"""Rank the units from their leaf scores: totals, per-lĩnh vực figures, ties, bands, and
per-criterion statistics.

Everything is recomputed from the leaves, never from a workbook's subtotals. An item marked
"Không áp dụng" (or not applying to a unit's level) leaves that unit's maximum, and the
total is rescaled to the criteria's scale when the criteria say so. The appraised score of a
leaf is the office's where it gave one, else the unit's own (a blank appraisal cell means
the office agreed). Units with equal rescaled totals (to 2 decimals) share a rank
("đồng hạng"), and the next rank is skipped, as in a competition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from cchc_xlsx.scoring.check import UnitScores
from cchc_xlsx.scoring.criteria import CriteriaSet, Item

TOP_LOSERS = 3


def round2(x: float) -> float:
    """Round half away from zero to 2 decimals, as Excel's ROUND does in the unit's own
    workbook (Python's round() gives 78.12 for 78.125 where Excel shows 78.13)."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class AreaResult:
    code: str
    name: str
    self_points: float
    points: float  # appraised
    max: float  # applicable maximum for this unit

    @property
    def percent(self) -> float | None:
        return round2(self.points / self.max * 100) if self.max > 0 else None


@dataclass
class UnitResult:
    code: str
    name: str
    self_points: float
    points: float  # appraised, raw
    max: float  # applicable maximum
    self_total: float  # on the scale
    total: float  # appraised, on the scale
    klass: str
    appraised_leaves: int
    areas: list[AreaResult] = field(default_factory=list)
    rank: int = 0
    tied: bool = False


@dataclass
class ItemStat:
    code: str
    name: str
    level: int
    max: float
    units: int  # units it counted for
    mean: float | None  # mean appraised points
    mean_percent: float | None
    losers: list[tuple[str, float]]  # (unit name, points lost), most first


@dataclass
class Ranking:
    units: list[UnitResult]
    stats: list[ItemStat]


def _scale(crit: CriteriaSet, points: float, maximum: float) -> float:
    if not crit.rescale:
        return round2(points)
    return round2(points / maximum * crit.scale) if maximum > 0 else 0.0


def figures(crit: CriteriaSet, s: UnitScores) -> dict[str, tuple[float, float, float]]:
    """Every item's (self, appraised, applicable max) for a unit, in one pass from the
    leaves up; an item none of whose leaves counts for the unit is absent."""
    out: dict[str, tuple[float, float, float]] = {}

    def visit(item: Item) -> tuple[float, float, float] | None:
        if item.is_leaf:
            leaf = s.leaves.get(item.code)
            if leaf is None or leaf.na:
                return None
            own = leaf.self or 0.0
            f = (own, own if leaf.appraised is None else leaf.appraised, item.max)
        else:
            parts = [p for p in (visit(c) for c in item.children) if p is not None]
            if not parts:
                return None
            f = (sum(p[0] for p in parts), sum(p[1] for p in parts),
                 sum(p[2] for p in parts))
        out[item.code] = f
        return f

    for area in crit.areas:
        visit(area)
    return out


def unit_result(crit: CriteriaSet, s: UnitScores,
                figs: dict[str, tuple[float, float, float]] | None = None) -> UnitResult:
    figs = figures(crit, s) if figs is None else figs
    areas = [AreaResult(a.code, a.name, *figs[a.code]) for a in crit.areas if a.code in figs]
    own = sum(a.self_points for a in areas)
    points = sum(a.points for a in areas)
    maximum = sum(a.max for a in areas)
    total = _scale(crit, points, maximum)
    return UnitResult(
        s.code, s.name, own, points, maximum, _scale(crit, own, maximum), total,
        crit.classify(total), sum(1 for v in s.leaves.values() if v.appraised is not None),
        areas)


def rank(results: list[UnitResult]) -> list[UnitResult]:
    """Competition ranking on the rescaled appraised total: 1, 1, 3."""
    ordered = sorted(results, key=lambda u: (-u.total, u.name, u.code))
    counts: dict[float, int] = {}
    for u in ordered:
        counts[u.total] = counts.get(u.total, 0) + 1
    position = 0
    previous = None
    for i, u in enumerate(ordered, start=1):
        if u.total != previous:
            position = i
            previous = u.total
        u.rank = position
        u.tied = counts[u.total] > 1
    return ordered


def item_stats(crit: CriteriaSet, scores: Sequence[UnitScores],
               figs: Sequence[dict[str, tuple[float, float, float]]]) -> list[ItemStat]:
    out = []
    for item in crit.walk():
        got = [(s.name, f[item.code][1], f[item.code][2])
               for s, f in zip(scores, figs, strict=True) if item.code in f]
        if got:
            mean = round2(sum(g[1] for g in got) / len(got))
            mean_pct = round2(sum(g[1] / g[2] * 100 for g in got if g[2] > 0) / len(got))
            lost = sorted(((name, round2(m - p)) for name, p, m in got if m - p > 1e-9),
                          key=lambda x: (-x[1], x[0]))[:TOP_LOSERS]
        else:
            mean = mean_pct = None
            lost = []
        out.append(ItemStat(item.code, item.name, item.level, item.max, len(got), mean,
                            mean_pct, lost))
    return out


def compute_ranking(crit: CriteriaSet, scores: Sequence[UnitScores]) -> Ranking:
    figs = [figures(crit, s) for s in scores]
    return Ranking(rank([unit_result(crit, s, f) for s, f in zip(scores, figs, strict=True)]),
                   item_stats(crit, scores, figs))
