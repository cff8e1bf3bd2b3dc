"""Fill self-assessment workbooks as a unit's staff would, for the scoring tests and bench.

openpyxl types into the cells (keeping validation, protection and formulas, dropping cached
values), rows found by the hidden criterion code and columns by the form's column keys, so
a test can plant a mistake at a known cell.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc_xlsx.forms.identity import parse_key_header
from cchc_xlsx.scoring.criteria import NA_TEXT, NO, YES, CriteriaSet, Item
from cchc_xlsx.scoring.self_assessment import COL, SHEET_NAME


class ScoreFiller:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.wb = load_workbook(self.path)
        self.ws = self.wb[SHEET_NAME]
        key_col = None
        for row in self.ws.iter_rows(max_row=60):
            for c in row:
                if parse_key_header(c.value):
                    key_col = c.column
        assert key_col, "no key column"
        self.rows: dict[str, int] = {}
        for r in range(1, self.ws.max_row + 1):
            v = self.ws.cell(r, key_col).value
            if isinstance(v, str) and not v.startswith("cchc:"):
                self.rows[v] = r

    def address(self, code: str, column: str) -> str:
        return f"{get_column_letter(COL[column] + 1)}{self.rows[code]}"

    def set(self, code: str, column: str, value: Any) -> str:
        self.ws.cell(self.rows[code], COL[column] + 1).value = value
        return self.address(code, column)

    def save(self, path: str | Path | None = None) -> Path:
        out = Path(path or self.path)
        self.wb.save(out)
        return out


def plausible(item: Item, rng: random.Random) -> tuple[Any, float]:
    """A correct (result, score) pair for a leaf under its scoring mode."""
    s = item.scoring
    if s and s.mode == "ratio":
        band = s.bands[0] if rng.random() < 0.6 else rng.choice(s.bands)  # most do well
        ratio = band.min if band.min > 0 else rng.choice([0, 10, 40])
        return ratio, s.band_points(ratio)
    if s and s.mode == "yesno":
        yes = rng.random() < 0.8
        return (YES if yes else NO), (item.max if yes else 0.0)
    step = s.step if s else 0.25
    n = round(item.max / step)
    return None, rng.randint(max(0, n - 2), n) * step


def fill_correct(path: str | Path, crit: CriteriaSet, seed: int = 0,
                 na: tuple[str, ...] = ()) -> dict[str, float | None]:
    """Score every leaf correctly (with evidence); ``na`` codes get "Không áp dụng".
    Returns code -> self score (None for not applicable) as typed."""
    rng = random.Random(seed)
    f = ScoreFiller(path)
    typed: dict[str, float | None] = {}
    for code, _ in f.rows.items():
        item = crit.by_code.get(code)
        if item is None or not item.is_leaf:
            continue
        if code in na:
            f.set(code, "na", NA_TEXT)
            f.set(code, "explain", "Đơn vị không phát sinh nội dung này trong năm.")
            typed[code] = None
            continue
        result, score = plausible(item, rng)
        if result is not None:
            f.set(code, "result", result)
        f.set(code, "score", score)
        f.set(code, "evidence", f"Số {rng.randint(1, 99)}/KH-TH ngày 05/3/{crit.year}")
        typed[code] = score
    f.save()
    return typed
