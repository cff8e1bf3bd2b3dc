"""How wide text prints, and how wide a column prints, in points.

Excel and LibreOffice both read a column width in digits of the workbook's Normal font
(Times New Roman 12 here: 8 px = 6 pt per digit), and both print Times New Roman with its
own advance widths; the committed table (``font_widths``, read from Liberation Serif, which
has Times New Roman's metrics) lets the layout size cells by measurement, not guesswork.
"""

from __future__ import annotations

from functools import lru_cache

from cchc_xlsx.forms.font_widths import CHARS, WIDEST, WIDTHS

DIGIT_PT = 6.0  # one unit of column width: the Normal font's digit, TNR 12 pt at 96 dpi
CELL_PAD = 4.5  # points a cell keeps free left and right of its text (≈ 3 px each side)
SAFETY = 0.95  # Excel's hinted widths on Windows run a few per cent wider than the metrics

_TABLE = {style: dict(zip(CHARS, widths, strict=True)) for style, widths in WIDTHS.items()}


def col_points(width: float) -> float:
    """Printed width of a column set to ``width`` with xlsxwriter's ``set_column``."""
    if width <= 0:
        return 0.0
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return pixels / 7 * DIGIT_PT


def span_points(widths: list[float] | tuple[float, ...]) -> float:
    return sum(col_points(w) for w in widths)


@lru_cache(maxsize=65536)
def text_points(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width in points of ``text`` on one line; unknown characters count as the widest."""
    table = _TABLE[(bold, italic)]
    return sum(table.get(ch, WIDEST) for ch in text) * size / 2048


@lru_cache(maxsize=65536)
def wrapped_lines(text: str, room: float, size: float, bold: bool = False,
                  italic: bool = False) -> int:
    """Lines ``text`` takes when wrapped at spaces into ``room`` points (long words break)."""
    if room <= 0:
        return max(1, len(text))
    lines = 0
    space = text_points(" ", size, bold, italic)
    for part in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in part.split(" "):
            w = text_points(word, size, bold, italic)
            if used and used + space + w > room:
                lines += 1
                used = 0.0
            elif used:
                used += space
            while w > room:  # a word longer than the line breaks anywhere
                lines += 1
                w -= room
            used += w
    return lines
