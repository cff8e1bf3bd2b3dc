"""Compare two workbooks as they print: every cell, format, merge, row height, page setup.

Used to check that a faster writer writes the same workbook (issue 18): first the zip
members are compared byte for byte (what differs is listed); then, whatever that says,
openpyxl reads both and compares per sheet every cell's value, type and style (font, fill,
border, alignment, number format, protection), merged ranges, row heights and column
widths, page breaks, print area and titles, page setup, margins, header and footer, frozen
panes, visibility, data validations and conditional formats, and the defined names.
Format indexes may differ (formats created in another order); what they mean may not.

    python bench/xlsx_compare.py BEFORE.xlsx AFTER.xlsx      # exit 0 when they print the same
"""

from __future__ import annotations

import sys
import zipfile
from copy import copy
from pathlib import Path
from typing import Any


def zip_differences(a: Path, b: Path) -> list[str]:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names_a, names_b = set(za.namelist()), set(zb.namelist())
        out = [f"only in {a.name}: {n}" for n in sorted(names_a - names_b)]
        out += [f"only in {b.name}: {n}" for n in sorted(names_b - names_a)]
        out += [f"member differs: {n}" for n in sorted(names_a & names_b)
                if za.read(n) != zb.read(n)]
    return out


def _style(cell: Any, memo: dict) -> tuple:
    """What a cell's format index means (the real objects: openpyxl's proxies only compare
    by identity), worked out once per distinct index."""
    key = tuple(cell._style)
    if key not in memo:
        memo[key] = (copy(cell.font), copy(cell.fill), copy(cell.border), copy(cell.alignment),
                     cell.number_format, copy(cell.protection))
    return memo[key]


def _sheet_facts(ws: Any) -> dict[str, Any]:
    ps = ws.page_setup
    return {
        "state": ws.sheet_state,
        "merges": sorted(str(m) for m in ws.merged_cells.ranges),
        "rows": {k: (d.height, d.hidden, d.customHeight) for k, d in ws.row_dimensions.items()
                 if d.height is not None or d.hidden},
        "cols": {k: (d.width, d.hidden, d.min, d.max) for k, d in ws.column_dimensions.items()},
        "row_breaks": [(b.id, b.man) for b in ws.row_breaks.brk],
        "col_breaks": [(b.id, b.man) for b in ws.col_breaks.brk],
        "print_area": ws.print_area,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        "page_setup": (ps.orientation, ps.paperSize, ps.scale, ps.fitToWidth, ps.fitToHeight,
                       ps.firstPageNumber, ps.useFirstPageNumber),
        "fit": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr
        else None,
        "margins": ws.page_margins,
        "print_options": ws.print_options,
        "header_footer": (ws.oddHeader.center.text, ws.oddFooter.center.text,
                          ws.HeaderFooter.differentFirst, ws.firstHeader.center.text),
        "freeze": ws.freeze_panes,
        "validations": sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.operator,
                               v.prompt, v.error) for v in ws.data_validations.dataValidation),
        "conditional": sorted((str(r.sqref), [(x.type, x.formula, x.operator) for x in r.rules])
                              for r in ws.conditional_formatting),
        "protection": ws.protection.sheet,
    }


def semantic_differences(a: Path, b: Path, limit: int = 30) -> list[str]:
    import openpyxl

    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    out: list[str] = []
    if wa.sheetnames != wb.sheetnames:
        return [f"sheets differ: {wa.sheetnames} vs {wb.sheetnames}"]
    if sorted(wa.defined_names) != sorted(wb.defined_names):
        out.append("defined names differ")
    cells = 0
    memo_a: dict = {}
    memo_b: dict = {}
    for name in wa.sheetnames:
        sa, sb = wa[name], wb[name]
        fa, fb = _sheet_facts(sa), _sheet_facts(sb)
        out += [f"{name}: {k} differs" for k in fa if fa[k] != fb[k]]
        keys = set(sa._cells) | set(sb._cells)
        for key in sorted(keys):
            ca, cb = sa._cells.get(key), sb._cells.get(key)
            cells += 1
            if ca is None or cb is None:
                real = ca if ca is not None else cb
                if real.value is not None or real.has_style:
                    out.append(f"{name}!{real.coordinate}: only in one workbook")
                continue
            if (ca.value, ca.data_type) != (cb.value, cb.data_type):
                out.append(f"{name}!{ca.coordinate}: {ca.value!r} vs {cb.value!r}")
            elif _style(ca, memo_a) != _style(cb, memo_b):
                out.append(f"{name}!{ca.coordinate}: style differs")
            if len(out) >= limit:
                return [*out, "… (stopped)"]
    out.append(f"({cells:,} cells compared)") if not out else None
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    a, b = Path(argv[0]), Path(argv[1])
    raw = zip_differences(a, b)
    print("zip members: " + ("all identical" if not raw else "; ".join(raw)))
    sem = semantic_differences(a, b)
    same = len(sem) == 1 and sem[0].startswith("(")
    print("as printed: " + ("the same " + sem[0] if same else "DIFFERENT"))
    if not same:
        print("\n".join("  " + line for line in sem))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
