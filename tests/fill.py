"""Fill generated workbooks the way a person does, for tests and the sample returns.

A person opens the file in Excel, types into the input cells and saves: openpyxl does the
same here (it keeps validation, protection and formulas, and drops cached values, as a
re-save by a tool that does not recalculate would). Rows are addressed by their hidden
key and columns by form column key, so a test can plant a mistake at a known cell.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from cchc_xlsx.forms.identity import parse_key_header
from cchc_xlsx.forms.specs import load_catalog

STATUSES = ("Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Không phát sinh")


class Filler:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.wb = load_workbook(self.path)
        self.catalog = load_catalog()
        self.tables: dict[str, tuple[Any, dict[str, int], int]] = {}
        for ws in self.wb.worksheets:
            key_col = None
            for row in ws.iter_rows(max_row=60):
                for c in row:
                    if parse_key_header(c.value):
                        key_col = c.column
                        form_id = parse_key_header(c.value)[0]
                        break
                if key_col:
                    break
            if not key_col:
                continue
            keys = {}
            for r in range(1, ws.max_row + 1):
                v = ws.cell(r, key_col).value
                if isinstance(v, str) and ":" in v and not v.startswith(("cchc:", "grp:", "doc:")):
                    keys[v] = r
            self.tables[form_id] = (ws, keys, key_col)

    def keys(self, form_id: str) -> list[str]:
        return list(self.tables[form_id][1])

    def col(self, form_id: str, column: str) -> int:
        spec = self.catalog.forms[form_id]
        return [c.key for c in spec.columns].index(column) + 1

    def cell(self, form_id: str, key: str, column: str):
        ws, keys, _ = self.tables[form_id]
        return ws.cell(keys[key], self.col(form_id, column))

    def address(self, form_id: str, key: str, column: str) -> tuple[str, str]:
        """(sheet title, "E14") of a form cell."""
        ws, _, _ = self.tables[form_id]
        return ws.title, self.cell(form_id, key, column).coordinate

    def set(self, form_id: str, key: str, column: str, value: Any) -> tuple[str, str]:
        c = self.cell(form_id, key, column)
        c.value = value
        if isinstance(value, date):
            c.number_format = "dd/mm/yyyy"
        return self.address(form_id, key, column)

    def attrs(self, form_id: str) -> dict[str, dict[str, str]]:
        from cchc_xlsx.forms.identity import decode_rows

        for row in self.wb["_cchc"].iter_rows(values_only=True):
            if row[0] == "rows" and row[1] == form_id:
                return dict(decode_rows(row[2]))
        return {}

    def period(self) -> tuple[date, date]:
        ident = {r[0]: r[1] for r in self.wb["_cchc"].iter_rows(values_only=True)}
        return (date.fromisoformat(ident["period_start"]),
                date.fromisoformat(ident["period_end"]))

    def doc_cells(self) -> dict[str, Any]:
        """The unit's document fields (Số, dated line, signer) by their key-column marker."""
        out = {}
        for ws, _, key_col in self.tables.values():
            for r in range(1, ws.max_row + 1):
                mark = ws.cell(r, key_col).value
                if isinstance(mark, str) and mark.startswith("doc:"):
                    for part in mark[4:].split(";"):
                        name, _, col = part.partition(":")
                        out[name] = ws.cell(r, int(col) + 1)
        return out

    def fill_doc(self, number: str = "15/BC-MN", day: int = 5, month: int = 3,
                 signer: str | None = None) -> None:
        """Type the report's number, day and month, and the signer, as the clerk does."""
        cells = self.doc_cells()
        if "number" in cells:
            cells["number"].value = f"Số: {number}"
        if "date" in cells:
            cells["date"].value = re.sub(r"ngày\s*\d*\s*tháng\s*\d*\s*",
                                         f"ngày {day:02d} tháng {month} ",
                                         cells["date"].value)
        if signer is not None and "signer" in cells:
            cells["signer"].value = signer

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self.path
        self.wb.save(target)
        return target


def fill_clean(f: Filler, seed: int = 0) -> Filler:
    """A complete, correct return: every rule satisfied."""
    rnd = random.Random(seed)
    start, end = f.period()
    f.fill_doc(f"{10 + seed}/BC-CCHC", end.day, end.month)
    if "report_tasks" in f.tables:
        attrs = f.attrs("report_tasks")
        for i, key in enumerate(f.keys("report_tasks")):
            status = STATUSES[rnd.randrange(3)] if i % 5 else "Đã hoàn thành"
            f.set("report_tasks", key, "status", status)
            if status == "Đã hoàn thành":
                day = start + timedelta(days=rnd.randrange((end - start).days + 1))
                f.set("report_tasks", key, "completion_date", day)
                f.set("report_tasks", key, "evidence", f"{10 + i}/BC-TH")
            elif attrs.get(key, {}).get("deadline_in_period") == "1" or status != "Đang thực hiện":
                f.set("report_tasks", key, "difficulties", "Đang chờ hướng dẫn của cấp trên.")
    if "report_indicators" in f.tables:
        for key, a in f.attrs("report_indicators").items():
            if a.get("measure") == "rate":
                den = rnd.randint(5, 60)
                f.set("report_indicators", key, "denominator", den)
                f.set("report_indicators", key, "numerator", rnd.randint(den - 3, den)
                      if den > 3 else den)
            elif a.get("measure") == "count":
                f.set("report_indicators", key, "result", rnd.randint(0, 12))
            if a.get("met_mode") == "input":
                f.set("report_indicators", key, "met", rnd.choice(("Đạt", "Không đạt")))
    if "report_tthc" in f.tables:
        for key in f.keys("report_tthc"):
            online, direct, carried = rnd.randint(0, 30), rnd.randint(0, 20), rnd.randint(0, 5)
            total = online + direct + carried
            early = rnd.randint(0, total)
            ontime = rnd.randint(0, total - early)
            late = 0
            pending = total - early - ontime - late
            within = pending
            for col, v in (("c4", online), ("c5", direct), ("c6", carried), ("c8", early),
                           ("c9", ontime), ("c10", late), ("c12", within), ("c13", 0)):
                f.set("report_tthc", key, col, v)
    return f
