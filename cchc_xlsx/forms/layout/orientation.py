"""Which way a short sheet prints: the orientation that puts it on one page.

A wide table is laid out landscape, but a landscape A4 page holds only about 480 points
inside the NĐ 30 margins: the status appendix of three units (furniture, counts, three
rows, the signature with Nơi nhận) needs about 507 and printed one row on page 1 and two
with the signature on page 2. Portrait holds about 730 points; the table, fitted to the
narrower width, wraps into taller rows but still fits. A writer measures its sheet both
ways (``measure``) and takes the first that fits one page, landscape first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cchc_xlsx.forms.layout.paginate import PAGE_FILL
from cchc_xlsx.forms.layout.sheet import describe

DEFAULT_ROW = 15.0  # points: xlsxwriter's default row height


def one_page_orientation(measure: Callable[[bool], float],
                         page: Callable[[bool], float]) -> bool:
    """True (landscape) or False (portrait): landscape when the sheet fits one landscape
    page, else portrait when it fits one portrait page, else landscape (the wide table's
    own layout, over several pages). ``measure(landscape)`` is the sheet's printed height,
    ``page(landscape)`` a page's printable height, in points."""
    for landscape in (True, False):
        if measure(landscape) <= page(landscape) * PAGE_FILL:
            return landscape
    return True


def sheet_height(ws: Any) -> float:
    """Printed height of an ``OfficialWorksheet`` from row 0 to its signature's last row
    (or its last sized row)."""
    heights: dict[int, float] = getattr(ws, "cchc_heights", {})
    sig = describe(ws).signature
    last = sig[1] if sig else max(heights, default=0)
    return sum(heights.get(k, DEFAULT_ROW) for k in range(last + 1))
