"""One paginator for every workbook: where the page breaks go, placed over measured blocks.

A printed sheet is a list of ``Block``s, top to bottom: the page furniture, the table
header with its number row (repeated on every page), group titles, the rows of one task,
totals, the signature with Nơi nhận. Each block knows its rows' printed heights and what it
must stay with: a block that ``keep_with_next`` is never the last of a page (a group title,
the furniture, the last table row before the signature). Writers describe blocks (see
``layout.sheet``); ``paginate`` places the breaks; ``layout.merges.split_merges`` then
splits any merge a break cuts (a group's label merged down over its tasks: ``Label``).

Blocks that keep with the next form a chain that goes on one page. Only a chain taller than
a page is cut, between rows: never inside a ``solid`` block (furniture, header, signature)
or after a block that keeps with the next while another place will do, never where a cut
merge's label would not have room on both sides (``Label``), and failing all that at the
signature's first row, so the signature stays whole on its own page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAGE_FILL = 0.97  # leave a little of each page free: Excel and LibreOffice round row heights

ROLES = ("furniture", "header", "group", "task", "row", "total", "signature", "after")


@dataclass(frozen=True)
class Block:
    """Consecutive rows that print together, from sheet row ``first`` on.

    ``heights`` are the rows' printed heights in points. ``keep_with_next``: never the last
    block of a page. ``solid``: never cut inside, not even when its chain is taller than a
    page (a header, the signature). ``repeat``: printed again at the top of every later page
    (the table header). ``role`` says what the block is (one of ``ROLES``), for readers and
    for the paginator's one special case: it stays whole at a ``signature``.
    """

    first: int
    heights: tuple[float, ...]
    role: str = "row"
    keep_with_next: bool = False
    solid: bool = False
    repeat: bool = False

    def __post_init__(self) -> None:
        if not self.heights:
            raise ValueError("a block has at least one row")
        if self.role not in ROLES:
            raise ValueError(f"unknown block role {self.role!r}")

    @property
    def last(self) -> int:
        return self.first + len(self.heights) - 1

    @property
    def height(self) -> float:
        return sum(self.heights)


@dataclass(frozen=True)
class Label:
    """A label merged down over several blocks (a group's name beside its tasks): a break
    may cut it (the merge is split and the label repeated), but only where each part keeps
    ``need`` points, the height the label prints in."""

    first: int
    last: int
    need: float


def check_blocks(blocks: Sequence[Block]) -> None:
    """Blocks must tile the sheet's rows from row 0, in order, without gaps."""
    at = 0
    for b in blocks:
        if b.first != at:
            raise ValueError(f"block at row {b.first} where row {at} was expected")
        at = b.last + 1


def paginate(blocks: Sequence[Block], page: float, labels: Sequence[Label] = ()) -> list[int]:
    """Rows (0-based) that start a new page, for ``blocks`` printed on pages ``page`` points
    high; pages after the first begin with the repeated blocks (the table header)."""
    check_blocks(blocks)
    heights = [h for b in blocks for h in b.heights]
    glue: set[int] = set()  # rows that stay on the page of the row after them
    hard: set[int] = set()  # rows no page may end on while another place will do
    for b in blocks:
        inner = range(b.first, b.last)
        glue.update(inner)
        if b.solid:
            hard.update(inner)
        if b.keep_with_next:
            glue.add(b.last)
            hard.add(b.last)
    repeat = sum(b.height for b in blocks if b.repeat)
    sig = next((b.first for b in blocks if b.role == "signature"), None)
    # where a chain may still be cut when nothing else will do: after a body block that
    # keeps with the next (a group title) rather than part the signature from every row
    weak = {b.last for b in blocks if b.keep_with_next and not b.solid
            and b.role not in ("furniture", "header") and (sig is None or b.last != sig - 1)}
    room = _LabelRoom(labels, heights)
    breaks = _place(heights, glue, hard, repeat, page, sig, weak, room)
    return _balance_last_page(breaks, heights, glue, hard, repeat, page * PAGE_FILL, sig, room)


class _LabelRoom:
    """The one rule for labels: a page may start at a row inside a label only where the
    label's piece above the break (from the label's first row, or from the page's first
    row when the label was already cut) and the rest of it below both keep the height the
    label prints in. Every piece, a middle one too, is checked by the break that ends it;
    a label too short for two pieces is never cut. Whoever places a break asks here."""

    def __init__(self, labels: Sequence[Label], heights: Sequence[float]) -> None:
        self.labels = labels
        self.top = [0.0]  # top[k]: the height of rows 0 .. k-1
        for h in heights:
            self.top.append(self.top[-1] + h)

    def allows(self, start: int, at: int) -> bool:
        """May the page that starts at row ``start`` end before row ``at``?"""
        return all(self.top[at] - self.top[max(lab.first, start)] >= lab.need
                   and self.top[lab.last + 1] - self.top[at] >= lab.need
                   for lab in self.labels if lab.first < at <= lab.last)


def _place(heights: list[float], glue: set[int], hard: set[int], repeat: float, page: float,
           fallback: int | None, weak: set[int] | frozenset[int] = frozenset(),
           room: _LabelRoom | None = None) -> list[int]:
    """The breaks over rows, given which rows are glued to the next (chains) and which of
    those may not end a page even when a chain taller than a page must be cut; of those,
    ``weak`` rows may end one before the signature would be left without a table row.
    A break the labels do not allow (``_LabelRoom``) moves up to the latest chain of the
    page where they do; with none, the labels glue the chains as one taller than a page."""
    room = room or _LabelRoom((), heights)
    cap = page * PAGE_FILL
    chains: list[tuple[int, int]] = []
    start = 0
    for k in range(len(heights)):
        if k not in glue or k == len(heights) - 1:
            chains.append((start, k))
            start = k + 1
    breaks: list[int] = []
    used, top = 0.0, 0.0  # top: what a fresh page already holds (the repeated header)
    i = 0
    while i < len(chains):
        b0, b1 = chains[i]
        h = sum(heights[b0:b1 + 1])
        if used + h <= cap:
            used += h
            i += 1
            continue
        page_start = breaks[-1] if breaks else 0
        last_soft = None  # the latest row of this page after which a break is allowed
        if used > top:
            j: int | None = i
            if not room.allows(page_start, b0):  # the latest chain the labels allow
                j = next((j for j in range(i - 1, -1, -1) if chains[j][0] > page_start
                          and room.allows(page_start, chains[j][0])), None)
                if j is None:  # the labels glue the chains: the page fills as if with
                    # one chain taller than a page, up to its latest row they allow
                    last_soft = next((r for r in range(b0 - 1, page_start, -1)
                                      if r - 1 not in hard and room.allows(page_start, r)),
                                     None)
                elif repeat + h > cap:  # cut anyway: its first rows fill this page
                    last_soft, j = chains[j][0], None
            if j is not None:
                breaks.append(chains[j][0])
                used = top = repeat
                i = j
                continue  # the chains from ``j`` on go again, on the fresh page
        last_weak = None  # the latest one after a weak row
        for k in range(b0, b1 + 1):  # taller than a page: split it row by row
            if used + heights[k] > cap and used > top:
                at = k
                if k - 1 in hard or not room.allows(page_start, k):
                    if last_soft is not None:
                        at = last_soft
                    elif last_weak is not None and fallback is not None and (
                            last_weak < fallback <= k):
                        at = last_weak  # the signature takes a table row along
                    elif fallback is not None and b0 < fallback <= k and used - sum(
                            heights[fallback:k]) > top:
                        at = fallback
                breaks.append(at)
                page_start = at
                used = top = repeat
                used += sum(heights[at:k])
                last_soft = last_weak = None
            used += heights[k]
            if k not in hard and room.allows(page_start, k + 1):
                last_soft = k + 1
            elif k in weak and room.allows(page_start, k + 1):
                last_weak = k + 1
        i += 1
    return breaks


def _balance_last_page(breaks: list[int], heights: list[float], glue: set[int],
                       hard: set[int], repeat: float, cap: float,
                       sig: int | None, room: _LabelRoom) -> list[int]:
    """No table row (or one glued block: a task's rows, the blank rows kept with it) alone
    above the signature on the last page: when the block before it fits there too, the
    last break moves up to that block's start. A chain the last break already cut (rows
    taller than a page) gives its row before, unless that row must stay with it (a hard
    row). The labels must allow the moved break (``_LabelRoom``)."""
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
    if repeat + sum(heights[k0:]) > cap or not room.allows(before, k0):
        return breaks
    return [*breaks[:-1], k0]
