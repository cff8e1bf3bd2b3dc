"""Column widths balanced by the text the columns hold.

A form's widths in its YAML are a designer's guess made before any plan's text was seen:
a narrow "Nhiệm vụ" column beside wide, empty input columns wraps a task into 12 lines
and prints a task per page. Here the table's own text decides: every column first gets
the least it can print with (its header's longest word, a text column's longest word,
input columns a little writing room), then the rest of the page's width goes, a unit at a
time, to the column where it saves the most printed height.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from cchc_xlsx.forms.text_measure import CELL_PAD, SAFETY, col_points, text_points, wrapped_lines

STEP = 1.0  # width units moved at a time
INPUT_ROOM = 10.0  # width an input column keeps for the unit's writing
FIXED = 6.0  # STT and one-letter columns are left as they are
LOOKAHEAD = 6  # units tried on one column before deciding it saves nothing
PASSES = 12  # rounds of moving width between text columns
SAMPLE_ROWS = 240  # distinct rows a table balance measures (a many-unit table repeats itself)
TABLE_SIZE = 12.0
LINE = 1.15  # as ``official_layout.row_height``: lines 1.15 × the size apart, 4 pt padding


def units_for(points: float) -> float:
    """The narrowest column width (in xlsxwriter units, 0.5 steps) that prints ``points``
    of text on one line."""
    need = points / SAFETY + CELL_PAD
    w = 1.0
    while col_points(w) < need:
        w += 0.5
    return w


def longest_word(texts: Sequence[str], size: float = 12, bold: bool = False) -> float:
    """Points of the widest word among ``texts``: the least a wrapped column can be."""
    return max((text_points(word, size, bold) for t in texts for word in str(t).split()),
               default=0.0)


def balance(widths: Sequence[float], headers: Sequence[str], texts: Sequence[Sequence[str]],
            inputs: Sequence[bool], keep: Sequence[bool],
            height: Callable[[list[float]], float], room: float = INPUT_ROOM,
            fixed: Sequence[bool] | None = None) -> list[float]:
    """New widths summing to no more than ``widths`` do, that print the table shortest.

    ``texts[i]`` is the text column ``i`` prints (empty for inputs); ``keep[i]`` leaves a
    column as it is (dates, numbers); ``height(widths)`` is the table's printed height;
    ``room`` is the least width an input (or count) column keeps; ``fixed[i]`` leaves a
    column as it is too (by default: columns no wider than ``FIXED``, STT and one-letter
    columns as a designer gave them; widths already fitted to a page say it themselves).
    Input columns never grow past their given width; what no text column can use goes back
    to them (more room to write).
    """
    n = len(widths)
    given = [float(w) for w in widths]
    budget = sum(given)
    small = list(fixed) if fixed is not None else [g <= FIXED for g in given]
    low = []
    for i in range(n):
        if keep[i] or small[i]:
            low.append(given[i])
            continue
        head = units_for(longest_word([headers[i]], bold=True))
        if inputs[i]:
            low.append(min(given[i], max(head, room)))
        else:
            low.append(min(given[i], max(head, units_for(longest_word(texts[i])), 8.0)))
    w = list(low)
    spare = budget - sum(w)
    grow = [i for i in range(n) if not keep[i] and not small[i] and not inputs[i]]
    best = height(w)
    while spare >= STEP and grow:
        # the column saving the most height per unit; a line is saved only once a word
        # fits, so look a few units ahead before giving up
        trials = []
        for i in grow:
            for k in range(1, 1 + min(LOOKAHEAD, int(spare // STEP))):
                w[i] += k * STEP
                h = height(w)
                w[i] -= k * STEP
                if h < best:
                    trials.append(((h - best) / k, k, h, i))
                    break
        if not trials:
            break
        _, k, best, i = min(trials)
        w[i] += k * STEP
        spare -= k * STEP
    # a greedy share can be stuck where one column's wrap hides another's: move width
    # between text columns while that prints shorter
    for _ in range(PASSES):
        moves = []
        for a in grow:
            for b in grow:
                if a == b:
                    continue
                for k in (1, 2, 4):
                    if w[a] - k * STEP < low[a]:
                        break
                    w[a] -= k * STEP
                    w[b] += k * STEP
                    h = height(w)
                    w[a] += k * STEP
                    w[b] -= k * STEP
                    if h < best:
                        moves.append((h, a, b, k))
        if not moves:
            break
        best, a, b, k = min(moves)
        w[a] -= k * STEP
        w[b] += k * STEP
    # what the text cannot use: back to the input columns, up to their given width
    room = [i for i in range(n) if inputs[i] and not keep[i] and w[i] < given[i]]
    while spare >= STEP / 2 and room:
        for i in list(room):
            add = min(STEP / 2, given[i] - w[i], spare)
            w[i] += add
            spare -= add
            if w[i] >= given[i]:
                room.remove(i)
    return [round(x, 1) for x in w]


def _lines(text: str, width: float, bold: bool = False) -> int:
    if not text:
        return 1
    return wrapped_lines(text, (col_points(width) - CELL_PAD) * SAFETY, TABLE_SIZE, bold)


def _row(lines: int) -> float:
    return math.ceil(lines * TABLE_SIZE * LINE + 4)


def balance_table(base: Sequence[float], headers: Sequence[str],
                  rows: Sequence[Sequence[object]], keep: Sequence[int] = (),
                  inputs: Sequence[int] = (), sample: int = SAMPLE_ROWS) -> list[float]:
    """``balance`` for a table given as its rows' texts, one 12 pt row per entry: widths
    (summing to ``base``'s, already fitted to the page) that print it shortest. ``inputs``
    (where a unit or the office writes) keep writing room and get what the text cannot
    use; what is left goes back to the text columns in proportion, so the table still
    spans the page; ``keep`` columns (numbers, dates) stay as given. A long table is
    measured on a weighted sample of ``sample`` of its distinct rows."""
    base = list(base)
    n = len(base)
    counted = Counter(tuple(str(v) if isinstance(v, str) else "" for v in r[:n]) for r in rows)
    distinct: list[tuple[tuple[str, ...], float]] = list(counted.items())
    if len(distinct) > sample:  # every k-th, weighted: the shape of the whole table
        step = len(distinct) / sample
        distinct = [(distinct[int(k * step)][0], distinct[int(k * step)][1] * step)
                    for k in range(sample)]
    texts = [[r[c] for r, _ in distinct if c < len(r) and r[c] and c not in inputs]
             for c in range(n)]

    def height(w: list[float]) -> float:
        # the printed height, plus a point for each wrapped line of a cell that is not the
        # row's tallest: a row is as tall as its tallest cell, so without it no single
        # column's widening would show until every column of the row had widened
        total = _row(max(_lines(h, x, bold=True) for h, x in zip(headers, w, strict=True)))
        for r, weight in distinct:
            lines = [_lines(v, w[c]) for c, v in enumerate(r) if v] or [1]
            total += weight * (_row(max(lines)) + sum(lines) - len(lines))
        return total

    is_input = [i in inputs for i in range(n)]
    kept = [i in keep for i in range(n)]
    new = balance(base, headers, texts, is_input, kept, height, fixed=kept)
    grow = [i for i in range(n) if i not in keep and not is_input[i]]
    spare = sum(base) - sum(new)
    if spare > 0 and grow:
        share = sum(new[i] for i in grow)
        for i in grow:
            new[i] = round(new[i] + spare * new[i] / share - 0.05, 1)
    return new if height(new) < height(base) else base

