"""Column widths balanced by the text the columns hold.

A form's widths in its YAML are a designer's guess made before any plan's text was seen:
a narrow "Nhiệm vụ" column beside wide, empty input columns wraps a task into 12 lines
and prints a task per page. Here the table's own text decides: every column first gets
the least it can print with (its header's longest word, a text column's longest word,
input columns a little writing room), then the rest of the page's width goes, a unit at a
time, to the column where it saves the most printed height.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cchc_xlsx.forms.text_measure import CELL_PAD, SAFETY, col_points, text_points

STEP = 1.0  # width units moved at a time
INPUT_ROOM = 10.0  # width an input column keeps for the unit's writing
FIXED = 6.0  # STT and one-letter columns are left as they are
LOOKAHEAD = 6  # units tried on one column before deciding it saves nothing
PASSES = 12  # rounds of moving width between text columns


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
            height: Callable[[list[float]], float], room: float = INPUT_ROOM) -> list[float]:
    """New widths summing to no more than ``widths`` do, that print the table shortest.

    ``texts[i]`` is the text column ``i`` prints (empty for inputs); ``keep[i]`` leaves a
    column as it is (dates, numbers); ``height(widths)`` is the table's printed height;
    ``room`` is the least width an input (or count) column keeps.
    Input columns never grow past their given width; what no text column can use goes back
    to them (more room to write).
    """
    n = len(widths)
    given = [float(w) for w in widths]
    budget = sum(given)
    low = []
    for i in range(n):
        if keep[i] or given[i] <= FIXED:
            low.append(given[i])
            continue
        head = units_for(longest_word([headers[i]], bold=True))
        if inputs[i]:
            low.append(min(given[i], max(head, room)))
        else:
            low.append(min(given[i], max(head, units_for(longest_word(texts[i])), 8.0)))
    w = list(low)
    spare = budget - sum(w)
    grow = [i for i in range(n) if not keep[i] and given[i] > FIXED and not inputs[i]]
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
