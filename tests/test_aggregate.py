"""Roll-up algebra: merge(merge(A, B), C) = merge(A, merge(B, C)) = merge(A, B, C), and a
unit counted through two routes is refused. Exercised on random units with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.aggregate import STATUS_CODES, Aggregate, IndicatorAgg, Submission

TASKS = ["task:1.1", "task:1.2", "task:3/1", "task:3/2"]
INDICATORS = ["ind:1", "ind:2.1"]
TTHC = ["tthc:a", "tthc:b"]

counts = st.integers(min_value=0, max_value=500)


@st.composite
def unit(draw, code: str) -> Aggregate:
    name = f"Trường {code}"
    agg = Aggregate("plan", "q1", units={code: Submission(code, name, status="valid")})
    agg.task_order = list(TASKS)
    letters = ""
    for key in TASKS:
        status = draw(st.sampled_from([*STATUS_CODES, None]))
        agg.tasks[key] = {status: 1} if status else {}
        letters += STATUS_CODES.get(status, "-") if status else "-"
    agg.task_detail[code] = letters
    for key in INDICATORS:
        den = draw(counts)
        num = draw(st.integers(min_value=0, max_value=den))
        met = draw(st.booleans())
        agg.indicators[key] = IndicatorAgg(num, den, 0.0, 1, int(met), [] if met else [name])
    totals = [0.0] * 11
    for key in TTHC:
        row = [float(draw(counts)) for _ in range(11)]
        agg.tthc[key] = row
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    agg.tthc_by_unit[code] = totals
    if draw(st.booleans()):
        agg.difficulties.append((name, "task:1.1", draw(st.text(max_size=20))))
    return agg


@st.composite
def groups(draw):
    n = draw(st.integers(min_value=3, max_value=9))
    units = [draw(unit(f"U{i}")) for i in range(n)]
    a = draw(st.integers(min_value=1, max_value=n - 2))
    b = draw(st.integers(min_value=a + 1, max_value=n - 1))
    return units[:a], units[a:b], units[b:]


def merged(parts):
    return Aggregate.combine("plan", "q1", parts)


@settings(max_examples=60, deadline=None)
@given(groups())
def test_merge_is_associative(g):
    a, b, c = (merged(x) for x in g)
    flat = merged([*g[0], *g[1], *g[2]]).figures()
    assert merged([merged([a, b]), c]).figures() == flat
    assert merged([a, merged([b, c])]).figures() == flat
    assert merged([a, b, c]).figures() == flat


@settings(max_examples=30, deadline=None)
@given(groups())
def test_json_round_trip_keeps_exact_figures(g):
    agg = merged([*g[0], *g[1], *g[2]])
    assert Aggregate.from_json(agg.to_json()).figures() == agg.figures()


@settings(max_examples=30, deadline=None)
@given(groups())
def test_rates_are_sums_not_means(g):
    units = [*g[0], *g[1], *g[2]]
    agg = merged(units)
    for key in INDICATORS:
        assert agg.indicators[key].numerator == sum(u.indicators[key].numerator for u in units)
        assert agg.indicators[key].denominator == sum(u.indicators[key].denominator
                                                      for u in units)


@settings(max_examples=30, deadline=None)
@given(groups())
def test_a_unit_counted_twice_is_refused(g):
    a, b, _ = (merged(x) for x in g)
    shared = g[0][0]
    with pytest.raises(UserError, match="tính hai lần"):
        merged([a, merged([*g[1], shared])])
    assert merged([a, b]).units  # disjoint groups still merge


def test_other_period_is_refused():
    with pytest.raises(UserError, match="kỳ «q2»"):
        merged([Aggregate("plan", "q2")])
