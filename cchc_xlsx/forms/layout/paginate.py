"""One paginator for every workbook: where the page breaks go.

A sheet is a run of measured rows; writers say which rows must stay on the page of the row
after them (``glue``: a group title, the rows of one task, the furniture and the table
header with the first row, the last table row with the signature) and which of those may
never end a page even when a chain taller than a page must be cut (``hard``). ``paginate``
places the breaks; ``layout.merges.split_merges`` then splits any merge a break cuts.

Used through ``official_layout.setup_page`` by the forms and the consolidated workbook;
other writers (scoring, appraisal, ranking) can call ``setup_page`` the same way.
"""

from __future__ import annotations

PAGE_FILL = 0.97  # leave a little of each page free: Excel and LibreOffice round row heights


def paginate(heights: list[float], glue: set[int], repeat: float, page: float,
             hard: set[int] | frozenset[int] = frozenset(),
             fallback: int | None = None) -> list[int]:
    """Rows that start a new page, given each row's printed height.

    ``glue`` holds rows that must stay on the page of the row after them (a group title,
    the rows of a vertical merge, the signature block and the table row above it); pages
    after the first begin with the repeated table header (``repeat`` points). A chain of
    glued rows taller than a page is split where it must, never after a ``hard`` row (the
    signature block, a group title) while another place will do; failing that, at
    ``fallback`` (where the signature block starts: it stays whole on its own page).
    """
    cap = page * PAGE_FILL
    blocks: list[tuple[int, int]] = []
    start = 0
    for k in range(len(heights)):
        if k not in glue or k == len(heights) - 1:
            blocks.append((start, k))
            start = k + 1
    breaks: list[int] = []
    used, top = 0.0, 0.0  # top: what a fresh page already holds (the repeated header)
    for b0, b1 in blocks:
        h = sum(heights[b0:b1 + 1])
        if used + h <= cap:
            used += h
            continue
        if used > top:
            breaks.append(b0)
            used = top = repeat
        if used + h <= cap:
            used += h
            continue
        last_soft = None  # the latest row of this page after which a break is allowed
        for k in range(b0, b1 + 1):  # taller than a page: split it row by row
            if used + heights[k] > cap and used > top:
                at = k
                if k - 1 in hard:
                    if last_soft is not None:
                        at = last_soft
                    elif fallback is not None and b0 < fallback <= k and used - sum(
                            heights[fallback:k]) > top:
                        at = fallback
                breaks.append(at)
                used = top = repeat
                used += sum(heights[at:k])
                last_soft = None
            used += heights[k]
            if k not in hard:
                last_soft = k + 1
    return _balance_last_page(breaks, heights, glue, hard, repeat, cap, fallback)


def _balance_last_page(breaks: list[int], heights: list[float], glue: set[int],
                       hard: set[int] | frozenset[int], repeat: float, cap: float,
                       sig: int | None) -> list[int]:
    """No table row (or one glued block: a task's rows, the blank rows kept with it) alone
    above the signature on the last page: when the block before it fits there too, the
    last break moves up to that block's start. A chain the last break already cut (rows
    taller than a page) gives its row before, unless that row must stay with it (a hard
    row)."""
    if not breaks or sig is None:
        return breaks
    last = breaks[-1]
    if sig <= last or any(k not in glue for k in range(last, sig - 1)):
        return breaks  # the last page holds more than the last row or block (or none)
    before = breaks[-2] if len(breaks) > 1 else 0
    if last - 1 in glue:  # the break cut a chain: one more of its rows may come along
        k0 = last - 1
        if k0 <= before or k0 - 1 in hard:
            return breaks
    else:
        k0 = last - 1
        while k0 - 1 in glue and k0 > 0:
            k0 -= 1
        if k0 <= before or k0 - 1 in glue:
            return breaks
    if repeat + sum(heights[k0:]) > cap:
        return breaks
    return [*breaks[:-1], k0]
