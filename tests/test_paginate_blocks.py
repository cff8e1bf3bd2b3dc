"""The one paginator over measured blocks (``forms.layout.paginate``) and the sheet
description that feeds it (``forms.layout.sheet``): properties over random sheets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xlsx.forms.layout.paginate import PAGE_FILL, Block, Label, paginate
from cchc_xlsx.forms.layout.sheet import SheetBlocks, sheet_blocks

PAGE = 500.0
CAP = PAGE * PAGE_FILL

row_h = st.floats(12, 90)
body_block = st.tuples(st.lists(row_h, min_size=1, max_size=5),
                       st.sampled_from(["task", "row", "group"]))


@st.composite
def sheets(draw) -> list[Block]:
    """Furniture, a repeated header, body blocks (a group keeps with its next), signature."""
    blocks: list[Block] = []
    at = 0

    def add(heights, role, keep=False, solid=False, repeat=False):
        nonlocal at
        blocks.append(Block(at, tuple(heights), role, keep, solid, repeat))
        at += len(heights)

    add(draw(st.lists(st.floats(15, 40), min_size=3, max_size=8)), "furniture", True, True)
    add(draw(st.lists(st.floats(15, 50), min_size=1, max_size=2)), "header", True, True, True)
    body = draw(st.lists(body_block, min_size=1, max_size=40))
    for n, (heights, role) in enumerate(body):
        if role == "group":
            heights = heights[:1]
        add(heights, role, keep=role == "group" or n == len(body) - 1)
    add(draw(st.lists(st.floats(15, 25), min_size=6, max_size=10)), "signature", solid=True)
    return blocks


def _pages(blocks: list[Block], breaks: list[int]) -> list[range]:
    n = blocks[-1].last + 1
    starts = [0, *breaks, n]
    return [range(a, b) for a, b in zip(starts, starts[1:], strict=False)]


def _chain(blocks: list[Block], i: int) -> list[Block]:
    """Block ``i`` with the blocks it is kept with (before and after)."""
    a = i
    while a > 0 and blocks[a - 1].keep_with_next:
        a -= 1
    b = i
    while b < len(blocks) - 1 and blocks[b].keep_with_next:
        b += 1
    return blocks[a:b + 1]


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_breaks_fall_between_blocks_unless_a_chain_outgrows_a_page(blocks):
    breaks = paginate(blocks, PAGE)
    n = blocks[-1].last + 1
    assert breaks == sorted(set(breaks)) and all(0 < b < n for b in breaks)
    repeat = sum(b.height for b in blocks if b.repeat)
    heights = [h for b in blocks for h in b.heights]
    firsts = {b.first: i for i, b in enumerate(blocks)}
    for at in breaks:
        if at in firsts:
            i = firsts[at]
            if not blocks[i - 1].keep_with_next:
                continue  # between two blocks free to part
            chain = _chain(blocks, i)
        else:  # inside a block
            i = max(k for k, b in enumerate(blocks) if b.first <= at)
            chain = _chain(blocks, i)
        # only a chain taller than a page is ever cut
        assert repeat + sum(b.height for b in chain) > CAP, (at, [b.role for b in chain])
    for n_page, rows in enumerate(_pages(blocks, breaks)):
        top = repeat if n_page else 0.0
        used = top + sum(heights[k] for k in rows)
        if used > CAP:  # an overfull page holds a part of a chain too tall to cut finer
            i = max(k for k, b in enumerate(blocks) if b.first <= rows[0])
            assert repeat + sum(b.height for b in _chain(blocks, i)) > CAP or len(rows) == 1


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_page_one_and_the_signature(blocks):
    breaks = paginate(blocks, PAGE)
    pages = _pages(blocks, breaks)
    header = next(b for b in blocks if b.role == "header")
    first_body = blocks[2]
    if sum(b.height for b in blocks[:3]) <= CAP:  # page 1: never the header alone
        assert first_body.first in pages[0]
    sig = blocks[-1]
    last_body = blocks[-2]
    if header.height + last_body.heights[-1] + sig.height <= CAP and len(blocks) > 4:
        # (with one table block, page 1 and the signature both ask for it)
        page = next(p for p in pages if sig.first in p)
        assert last_body.last in page and sig.last in page  # the last row signs with it


@settings(max_examples=400, deadline=None)
@given(sheets(), st.floats(20, 60), st.floats(0, 1), st.floats(0, 1))
def test_a_cut_label_keeps_room_on_both_sides(blocks, need, a, b):
    """A group's name merged down over some of the body's blocks is cut only where
    each part (a middle one too) keeps the height the name prints in (on sheets whose
    blocks are well under a page, so there is always such a place)."""
    body = [x for x in blocks if x.role in ("task", "row", "group")]
    if any(x.height > CAP / 4 for x in blocks) or blocks[0].height + blocks[1].height > CAP / 3:
        return
    i, j = sorted((int(a * (len(body) - 1)), int(b * (len(body) - 1))))
    label = Label(body[i].first, body[j].last, need)
    breaks = paginate(blocks, PAGE, [label])
    heights = [h for x in blocks for h in x.heights]
    cuts = [at for at in breaks if label.first < at <= label.last]
    for lo, hi in zip([label.first, *cuts], [*cuts, label.last + 1], strict=True):
        if cuts:  # every piece, a middle one (between two breaks) too
            assert sum(heights[lo:hi]) >= need, (lo, hi)


def test_a_label_is_not_cut_where_its_name_has_no_room():
    """Page 1 would end after the group's first short row: its merged name (40 pt) would
    print in 30 pt. The break moves before that row; the label is not cut at all."""
    blocks = [Block(0, (100.0,), "furniture", True, True),
              Block(1, (20.0,), "header", True, True, True),
              Block(2, (300.0,), "task"),
              Block(3, (30.0,), "task"),  # the group starts here, its name merged down
              Block(4, (100.0,), "task"),
              Block(5, (100.0,), "task", keep_with_next=True),
              Block(6, (20.0,) * 6, "signature", solid=True)]
    assert paginate(blocks, PAGE) == [4]  # without the label: after the short row
    assert paginate(blocks, PAGE, [Label(3, 5, 40.0)]) == [3]


def test_a_label_cut_twice_keeps_its_middle_piece():
    """A task taller than a page after one that ends page 1: the group's name merged
    down over both. Placing the breaks, not only balancing the last page, asks the one
    label rule: page 2 does not hold the first task's last row alone (a 40 pt piece for
    a 72.5 pt name), and the sheet takes three pages, not four."""
    blocks = [Block(0, (30.5, 22.9, 30.7), "furniture", True, True),
              Block(3, (22.6, 23.9), "header", True, True, True),
              Block(5, (50.3, 50.9, 85.5, 128.2, 40.3), "task"),
              Block(10, (42.3, 69.5, 83.6, 71.1), "task", keep_with_next=True),
              Block(14, (15.2, 20.4, 23.4, 24.2, 19.7, 18.6, 23.7, 18.9, 21.6), "signature",
                    solid=True)]
    assert paginate(blocks, PAGE, [Label(5, 13, 72.5)]) == [9, 11]


def test_blocks_must_tile_the_rows():
    with pytest.raises(ValueError):
        paginate([Block(0, (10.0,)), Block(2, (10.0,))], PAGE)
    with pytest.raises(ValueError):
        Block(0, ())


def test_last_row_not_alone_above_the_signature():
    """Rows that would leave one task alone on the last page are balanced."""
    blocks = [Block(0, (100.0,), "furniture", True, True),
              Block(1, (20.0,), "header", True, True, True)]
    for k in range(2, 2 + 12):
        blocks.append(Block(k, (30.0,), "task", keep_with_next=k == 13))
    blocks.append(Block(14, (20.0,) * 8, "signature", solid=True))
    breaks = paginate(blocks, PAGE)
    assert breaks and breaks[-1] < 13  # at least two table rows above the signature


def test_the_description_becomes_blocks():
    """Furniture, header, described tasks and groups, undescribed merges, signature."""
    desc = SheetBlocks()
    desc.block(5, 5, "group", keep_with_next=True)
    desc.block(6, 8)  # a task of three product rows
    desc.merged(6, 8)  # its name merged over them: inside the block
    desc.merged(5, 10, ("label",))  # a group label over blocks: not a block
    desc.merged(11, 12)  # an undescribed merge: a block of its own
    desc.signature = (14, 20)
    blocks = sheet_blocks(desc, lambda k: 15.0, 3, 4, 21)
    spans = [(b.first, b.last, b.role, b.keep_with_next) for b in blocks]
    assert spans == [(0, 2, "furniture", True), (3, 4, "header", True), (5, 5, "group", True),
                     (6, 8, "task", False), (9, 9, "row", False), (10, 10, "row", False),
                     (11, 12, "task", False), (13, 13, "row", True),
                     (14, 21, "signature", False)]
    assert [b.repeat for b in blocks] == [False, True] + [False] * 7


def test_table_balance_gives_the_text_the_width():
    """A narrow name column beside a wide, empty notes column: the names get the width
    (fewer printed lines), the input column keeps its writing room, the total stays."""
    from cchc_xlsx.forms.layout.widths import INPUT_ROOM, balance_table

    headers = ["STT", "Tên đơn vị", "Ngày", "Ghi chú"]
    rows = [("1", "Trường Mầm non Họa Mi Phường 15 Quận 8", "", ""),
            ("2", "Trường Tiểu học Nguyễn Trung Ngạn Quận 8", "", "")]
    base = [5.0, 12.0, 12.0, 40.0]
    new = balance_table(base, headers, rows, keep=(0, 2))
    assert new[1] > base[1] and new[3] < base[3]
    assert new[0] == base[0] and new[2] == base[2]
    assert sum(new) <= sum(base) + 0.01
    with_input = balance_table(base, headers, rows, keep=(0, 2), inputs=(3,))
    assert with_input[3] >= INPUT_ROOM and with_input[1] > base[1]


def test_a_short_sheet_takes_the_orientation_that_fits_one_page():
    from cchc_xlsx.forms.layout.orientation import one_page_orientation

    page = {True: 482.0, False: 728.0}.__getitem__  # A4 inside the NĐ 30 margins
    assert one_page_orientation({True: 400.0, False: 450.0}.__getitem__, page) is True
    # the 3-unit status appendix: 507 pt landscape, taller rows but one page portrait
    assert one_page_orientation({True: 507.0, False: 560.0}.__getitem__, page) is False
    # too long either way: the wide table's own landscape layout, over several pages
    assert one_page_orientation({True: 900.0, False: 1100.0}.__getitem__, page) is True
