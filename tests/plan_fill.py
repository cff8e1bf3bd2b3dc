"""Fill a unit's plan draft (forms/unit_plan.py) as a person would, with openpyxl: type into
the cells the sheet shows, found by the hidden row keys and column numbers (1)…(n)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from cchc_xlsx.forms.identity import DOC_MARK
from cchc_xlsx.forms.unit_plan import spec


class PlanFiller:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = openpyxl.load_workbook(path)
        self.sheets: dict[str, tuple[Any, int, dict[str, int], dict[str, int]]] = {}
        for ws in self.wb.worksheets:
            if ws.title == "_cchc":
                continue
            for part in (spec()["tasks"], spec()["indicators"]):
                found = self._find(ws, part)
                if found:
                    self.sheets[part["form"]] = found

    @staticmethod
    def _find(ws, part):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == f"cchc:{part['form']}:1":
                    key_col = cell.column
                    cols = {c["key"]: i + 1 for i, c in enumerate(part["columns"])}
                    keys = {}
                    for r in range(1, ws.max_row + 1):
                        v = ws.cell(r, key_col).value
                        if isinstance(v, str) and v:
                            keys[v] = r
                    return ws, key_col, cols, keys
        return None

    def set(self, form: str, key: str, column: str, value: Any) -> None:
        ws, _, cols, keys = self.sheets[form]
        ws.cell(keys[key], cols[column]).value = value

    def get(self, form: str, key: str, column: str) -> Any:
        ws, _, cols, keys = self.sheets[form]
        return ws.cell(keys[key], cols[column]).value

    def cell(self, form: str, key: str, column: str) -> str:
        ws, _, cols, keys = self.sheets[form]
        return ws.cell(keys[key], cols[column]).coordinate

    def keys(self, form: str) -> list[str]:
        return list(self.sheets[form][3])

    def doc(self, name: str, text: str) -> None:
        """Type the plan's Số line, dated line or signer on the first sheet holding them."""
        self.doc_cell(name).value = text

    def doc_cell(self, name: str):
        """The cell of the plan's Số line, dated line or signer (found by its marker)."""
        for ws, _key_col, _, keys in self.sheets.values():
            for key, r in keys.items():
                if not key.startswith(DOC_MARK):
                    continue
                for part in key[len(DOC_MARK):].split(";"):
                    field, _, col = part.partition(":")
                    if field == name:
                        return ws.cell(r, int(col) + 1)
        raise KeyError(name)

    def delete_row(self, form: str, key: str) -> None:
        ws, key_col, cols, keys = self.sheets[form]
        row = keys.pop(key)
        last = ws.max_row
        ws.delete_rows(row)
        # what Excel also moves and openpyxl leaves behind: row heights and merged cells
        for r in range(row, last + 1):
            ws.row_dimensions[r].height = ws.row_dimensions[r + 1].height
        for merged in list(ws.merged_cells.ranges):
            if merged.min_row > row:
                merged.shift(0, -1)
        for brk in ws.row_breaks.brk:  # manual page breaks below move up with the rows
            if brk.id >= row:
                brk.id -= 1
        self.sheets[form] = (ws, key_col, cols,
                             {k: r - 1 if r > row else r for k, r in keys.items()})

    def save(self, path: Path | None = None) -> Path:
        out = path or self.path
        self.wb.save(out)
        return out


def fill_plan_clean(f: PlanFiller, number: str, dated: str, signer: str) -> None:
    """A complete plan: every taken-up row has product, lead and deadline; added rows empty."""
    f.doc("number", f"Số: {number}")
    f.doc("date", dated)
    f.doc("signer", signer)
    form = spec()["tasks"]["form"]
    if form in f.sheets:
        for key in f.keys(form):
            if not key.startswith("task:"):
                continue
            if not f.get(form, key, "product"):
                f.set(form, key, "product", "Kế hoạch, báo cáo của đơn vị")
            if not f.get(form, key, "lead"):
                f.set(form, key, "lead", "Hiệu trưởng")
            if not f.get(form, key, "deadline"):
                f.set(form, key, "deadline", "Thường xuyên")
    form = spec()["indicators"]["form"]
    if form in f.sheets:
        for key in f.keys(form):
            if key.startswith("ind:"):
                f.set(form, key, "lead", "Tổ văn phòng")
