"""Merged cells never cross a page break: a merge the paginator had to break is split at
the break and its label repeated on the next page.

A group name merged down its tasks ("Cải cách thủ tục hành chính" beside twenty tasks)
is taller than a page; printed as one merge, its label shows on one page only (or is cut
at the foot of one and overprinted by the repeated header on the next). Splitting the
merge where the page breaks prints the label on every page the group covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def split_merges(ws: Any, breaks: Sequence[int]) -> int:
    """Split ``ws``'s merged ranges at page ``breaks`` (0-based rows that start a page);
    each part keeps the label (its text and format). Return how many merges were split.

    Works on an xlsxwriter worksheet before it is closed: ``ws.merge`` lists ranges as
    [first_row, first_col, last_row, last_col] and ``ws.table`` holds the cells.
    """
    starts = sorted(set(breaks))
    out: list[list[int]] = []
    split = 0
    for r0, c0, r1, c1 in ws.merge:
        cuts = [b for b in starts if r0 < b <= r1]
        if not cuts:
            out.append([r0, c0, r1, c1])
            continue
        split += 1
        label = ws.table.get(r0, {}).get(c0)
        bounds = [r0, *cuts, r1 + 1]
        for a, b in zip(bounds, bounds[1:], strict=False):
            if b - 1 > a or c1 > c0:
                out.append([a, c0, b - 1, c1])
            if a != r0 and label is not None:
                ws.table[a][c0] = label  # the same text, the same format
                if type(label).__name__ == "CellStringTuple":
                    ws.str_table.count += 1  # one more use of the shared string
    ws.merge[:] = out
    return split
