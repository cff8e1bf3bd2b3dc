"""A sheet's description as blocks: what writers say, put in the paginator's terms.

Writers say what their table's rows are (``SheetBlocks.block``: the rows of one task, a
group title that keeps with its first task, the tables of a multi-table sheet) while they
write them; the page furniture, the repeated table header and the signature with Nơi nhận
are the same for every sheet and are added here (``sheet_blocks``). A vertical merge the
writer did not describe is either a label over several described blocks (a group's name
beside its tasks: a ``Label`` the paginator may cut, and the merge is split at the break)
or, inside undescribed rows, a block of its own (its rows print together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cchc_xlsx.forms.layout.paginate import Block, Label


@dataclass
class SheetBlocks:
    """What a writer has said about its sheet's rows, kept until the page is set up."""

    declared: list[tuple[int, int, str, bool]] = field(default_factory=list)
    merges: list[tuple[int, int]] = field(default_factory=list)  # vertical merges' rows
    labels: list[tuple] = field(default_factory=list)  # (r0, c0, r1, c1, text, size, bold)
    signature: tuple[int, int] | None = None  # the signature block's first and last row
    # where the page furniture ends when tables come before the repeated header (a sheet
    # of several tables repeats only its last one's header); None: at the header
    furniture_end: int | None = None

    def block(self, first: int, last: int, role: str = "task",
              keep_with_next: bool = False) -> None:
        """Rows ``first``…``last`` print together (unless taller than a page);
        ``keep_with_next``: never the last of a page (a group title)."""
        self.declared.append((first, last, role, keep_with_next))

    def merged(self, first: int, last: int, label: tuple | None = None) -> None:
        """A merge over rows ``first``…``last`` (with the label it prints, if any)."""
        self.merges.append((first, last))
        if label is not None:
            self.labels.append(label)


def sheet_blocks(desc: SheetBlocks, height: Callable[[int], float], header_first: int,
                 header_last: int, end_row: int) -> list[Block]:
    """The sheet's blocks from row 0 to ``end_row``: furniture, header (repeated), the
    body's described blocks, the signature block; the body row before the signature keeps
    with it."""
    sig = desc.signature
    body_end = sig[0] - 1 if sig else end_row
    spans = _body_spans(desc, header_last + 1, body_end)
    blocks: list[Block] = []

    def add(first: int, last: int, role: str, keep: bool = False, solid: bool = False,
            repeat: bool = False) -> None:
        if last >= first:
            blocks.append(Block(first, tuple(height(k) for k in range(first, last + 1)),
                                role, keep, solid, repeat))

    furniture_end = header_first if desc.furniture_end is None else desc.furniture_end
    add(0, furniture_end - 1, "furniture", keep=True, solid=True)
    for first, last, role, keep in _body_spans(desc, furniture_end, header_first - 1):
        add(first, last, role, keep)  # the tables above the repeated one
    add(header_first, header_last, "header", keep=True, solid=True, repeat=True)
    for first, last, role, keep in spans:
        add(first, last, role, keep or (sig is not None and last == body_end))
    if sig:
        add(sig[0], max(sig[1], end_row), "signature", solid=True)
    else:
        add(body_end + 1, end_row, "after")
    return blocks


def _body_spans(desc: SheetBlocks, first: int, last: int) -> list[tuple[int, int, str, bool]]:
    """The body rows ``first``…``last`` as spans: described blocks (clipped to the body),
    undescribed vertical merges, and single rows for the rest."""
    owner: dict[int, int] = {}  # row -> index of its span
    spans: list[list | None] = []
    for r0, r1, role, keep in sorted(desc.declared):
        r0, r1 = max(r0, first), min(r1, last)
        if r1 < r0 or any(k in owner for k in range(r0, r1 + 1)):
            continue  # outside the body, or already described
        for k in range(r0, r1 + 1):
            owner[k] = len(spans)
        spans.append([r0, r1, role, keep])
    described = set(owner)
    for r0, r1 in sorted(desc.merges):
        r0, r1 = max(r0, first), min(r1, last)
        rows = set(range(r0, r1 + 1))
        if r1 <= r0 or rows & described:
            continue  # within a described block, or a label over described blocks
        # an undescribed merge: its rows are one block, with the merges it overlaps
        joined = {owner[k] for k in rows if k in owner}
        lo = min([r0, *(spans[i][0] for i in joined)])
        hi = max([r1, *(spans[i][1] for i in joined)])
        for i in joined:
            spans[i] = None
        for k in range(lo, hi + 1):
            owner[k] = len(spans)
        spans.append([lo, hi, "task", False])
    out = [tuple(s) for s in spans if s is not None]
    taken = {k for s in out for k in range(s[0], s[1] + 1)}
    out += [(k, k, "row", False) for k in range(first, last + 1) if k not in taken]
    return sorted(out)  # type: ignore[return-value]


def sheet_labels(desc: SheetBlocks, need: Callable[[tuple], float]) -> list[Label]:
    """Every merged label, with the height it prints in (``need``)."""
    return [Label(lab[0], lab[2], need(lab)) for lab in desc.labels]


def describe(ws: object) -> SheetBlocks:
    """The worksheet's description (an ``OfficialWorksheet`` keeps one as it is written;
    another worksheet gets an empty one)."""
    desc = getattr(ws, "cchc_blocks", None)
    if desc is None:
        desc = SheetBlocks()
        ws.cchc_blocks = desc  # type: ignore[attr-defined]
    return desc

