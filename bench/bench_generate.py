"""Benchmark: generate every report form of one period for many units.

Target (from the issue): all report forms of one period for 1,000 units in ≤ 10 s on the
project's 2-core machine, and within 2× of writing the same cells with bare xlsxwriter in
the same run.

Everything is measured in one run, repetitions interleaved (generate, bare, generate, bare,
…), so the ratios are comparable on a noisy machine. The baseline ("bare xlsxwriter") is
built from one generated workbook read back once with openpyxl: per sheet, every cell's
string, number or formula, every merged range and every data validation (type, range,
operator, list source or bounds, messages). It then writes N workbooks with plain
xlsxwriter (``in_memory``) reproducing those cells, merges and validations with one shared
format, with the unit's name and code substituted, using the same number of processes.
It leaves out what the real generator adds on top: per-cell formats, row heights, column
widths, conditional formats, the header rule (a drawing), page setup, sheet protection,
defined names, document properties and the atomic write (temp file + rename).

    python bench/bench_generate.py            # 1,000 units, 3 repetitions
    python bench/bench_generate.py --quick    # 50-unit smoke run

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml"
DEFAULT_PERIOD = "q1-2023"
TARGET_SECONDS = 10.0  # for 1,000 units with all cores
TARGET_UNITS = 1000
TARGET_RATIO = 2.0

# openpyxl's data-validation operators → xlsxwriter criteria
_CRITERIA = {
    None: "between", "between": "between", "notBetween": "not between",
    "equal": "==", "notEqual": "!=", "greaterThan": ">", "lessThan": "<",
    "greaterThanOrEqual": ">=", "lessThanOrEqual": "<=",
}
# openpyxl's data-validation types → xlsxwriter validate
_VALIDATE = {
    None: "any", "whole": "integer", "decimal": "decimal", "list": "list", "date": "date",
    "time": "time", "textLength": "length", "custom": "custom",
}


def make_units(n: int):
    from cchc_xlsx.model import Unit

    return [Unit(code=f"U{i:04d}", name=f"Trường Mầm non Số {i}",
                 superior="ỦY BAN NHÂN DÂN QUẬN 8", place="Quận 8",
                 signer_title="HIỆU TRƯỞNG", signer_name="Nguyễn Văn A")
            for i in range(n)]


# --- the bare-xlsxwriter baseline ---------------------------------------------------------


@dataclass
class SheetCells:
    """What the baseline writes for one sheet, read back from a generated workbook."""

    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    # (row, col, kind, value, substitute) with kind "s" string, "n" number, "f" formula,
    # "b" blank; substitute says the string holds the unit's name or code
    cells: list[tuple[int, int, str, object, bool]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int, str, bool]] = field(default_factory=list)
    validations: list[tuple[tuple[int, int, int, int], dict]] = field(default_factory=list)


@dataclass
class Template:
    sheets: list[SheetCells]
    tokens: tuple[str, ...]  # the template unit's name (as written and upper-cased), code

    def counts(self) -> dict[str, int]:
        return {
            "sheets": len(self.sheets),
            "rows": sum(len({c[0] for c in s.cells} | {m[0] for m in s.merges})
                        for s in self.sheets),
            "cells": sum(len(s.cells) + len(s.merges) for s in self.sheets),
            "merges": sum(len(s.merges) for s in self.sheets),
            "validations": sum(len(s.validations) for s in self.sheets),
        }


def _cell_value(cell) -> tuple[str, object] | None:
    value = cell.value
    if value is None:
        return ("b", None) if cell.has_style else None
    if cell.data_type == "f":
        return "f", str(value)
    if isinstance(value, bool):
        return "n", int(value)
    if isinstance(value, (int, float)):
        return "n", value
    return "s", str(value)


def read_template(path: Path, unit) -> Template:
    """Collect cells, merges and validations of one generated workbook (openpyxl, once)."""
    import openpyxl
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils.cell import range_boundaries

    tokens = (unit.name, unit.name.upper(), unit.code)

    def has_token(v: object) -> bool:
        return isinstance(v, str) and any(t in v for t in tokens)

    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        sc = SheetCells(ws.title, ws.sheet_state)
        merged_tl = {}
        for rng in ws.merged_cells.ranges:
            merged_tl[(rng.min_row, rng.min_col)] = rng
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                rng = merged_tl.get((cell.row, cell.column))
                got = _cell_value(cell)
                if rng is not None:
                    text = "" if got is None or got[1] is None else str(got[1])
                    sc.merges.append((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1,
                                      rng.max_col - 1, text, has_token(text)))
                    continue
                if got is None:
                    continue
                kind, value = got
                sc.cells.append((cell.row - 1, cell.column - 1, kind, value, has_token(value)))
        for dv in ws.data_validations.dataValidation:
            opts: dict = {"validate": _VALIDATE[dv.type]}
            if dv.type == "list":
                opts["source"] = dv.formula1
            elif dv.type not in (None, "custom"):
                opts["criteria"] = _CRITERIA[dv.operator]
                if opts["criteria"] in ("between", "not between"):
                    opts["minimum"], opts["maximum"] = dv.formula1, dv.formula2
                else:
                    opts["value"] = dv.formula1
            elif dv.type == "custom":
                opts["value"] = dv.formula1
            if dv.promptTitle:
                opts["input_title"] = dv.promptTitle
            if dv.prompt:
                opts["input_message"] = dv.prompt
            if dv.errorTitle:
                opts["error_title"] = dv.errorTitle
            if dv.error:
                opts["error_message"] = dv.error
            opts["ignore_blank"] = bool(dv.allow_blank)
            for rng in dv.sqref.ranges:
                c0, r0, c1, r1 = range_boundaries(rng.coord)
                sc.validations.append(((r0 - 1, c0 - 1, r1 - 1, c1 - 1), opts))
        sheets.append(sc)
    wb.close()
    return Template(sheets, tokens)


_BARE: dict = {}


def _bare_init(template: Template, out_dir: str) -> None:
    _BARE.update(template=template, out_dir=out_dir)


def _bare_write(unit) -> str:
    """Write one unit's workbook with plain xlsxwriter: same cells, merges and validations."""
    import xlsxwriter

    template: Template = _BARE["template"]
    subs = list(zip(template.tokens, (unit.name, unit.name.upper(), unit.code), strict=True))

    def sub(text: str) -> str:
        for old, new in subs:
            text = text.replace(old, new)
        return text

    path = os.path.join(_BARE["out_dir"], f"{unit.code}.xlsx")
    wb = xlsxwriter.Workbook(path, {"in_memory": True})
    fmt = wb.add_format({"font_name": "Times New Roman", "font_size": 12, "text_wrap": True,
                         "valign": "top", "border": 1})
    for sc in template.sheets:
        ws = wb.add_worksheet(sc.name)
        for r0, c0, r1, c1, text, s in sc.merges:
            ws.merge_range(r0, c0, r1, c1, sub(text) if s else text, fmt)
        for r, c, kind, value, s in sc.cells:
            if kind == "s":
                ws.write_string(r, c, sub(value) if s else value, fmt)
            elif kind == "n":
                ws.write_number(r, c, value, fmt)
            elif kind == "f":
                ws.write_formula(r, c, value, fmt)
            else:
                ws.write_blank(r, c, None, fmt)
        for (r0, c0, r1, c1), opts in sc.validations:
            ws.data_validation(r0, c0, r1, c1, dict(opts))
        if sc.state == "veryHidden":
            ws.very_hidden()
        elif sc.state == "hidden":
            ws.hide()
    wb.close()
    return path


def run_bare(template: Template, units, out_dir: str, workers: int) -> list[str]:
    if workers <= 1:
        _bare_init(template, out_dir)
        return [_bare_write(u) for u in units]
    with Pool(workers, initializer=_bare_init, initargs=(template, out_dir)) as pool:
        return pool.map(_bare_write, units, chunksize=8)


# --- measuring --------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    procs: int
    baseline: str | None  # the variant this one is compared with
    run: Callable[[str], list]  # out_dir -> the written paths
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def time_once(variant: Variant, root: str, n: int) -> float:
    out_dir = tempfile.mkdtemp(prefix="bench-", dir=root)
    try:
        t0 = time.perf_counter()
        paths = variant.run(out_dir)
        elapsed = time.perf_counter() - t0
        written = [p for p in os.listdir(out_dir) if p.endswith(".xlsx")]
        if len(paths) != n or len(written) != n:
            raise SystemExit(f"{variant.name}: expected {n} workbooks, got {len(paths)} "
                             f"returned and {len(written)} on disk")
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=TARGET_UNITS, help="units (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions (median; default 3)")
    ap.add_argument("--quick", action="store_true", help="50-unit smoke run")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes for the parallel variants (default: all cores)")
    ap.add_argument("--no-single", action="store_true",
                    help="skip the single-process variants")
    ap.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    ap.add_argument("--period", default=DEFAULT_PERIOD)
    ap.add_argument("--tmp", default=None, help="where the temporary output folders go")
    args = ap.parse_args(argv)
    if args.quick:
        args.units = 50

    sys.path.insert(0, str(ROOT))
    import xlsxwriter

    from cchc_xlsx.forms.generate import default_forms, generate
    from cchc_xlsx.forms.specs import load_catalog
    from cchc_xlsx.plans.plan_loader import load_plan

    cores = os.cpu_count() or 1
    plan = load_plan(args.plan)
    catalog = load_catalog()
    forms = [f for f in default_forms(plan, catalog) if catalog.forms[f].kind == "report"]
    units = make_units(args.units)
    n = len(units)
    root = tempfile.mkdtemp(prefix="cchc-bench-", dir=args.tmp)
    try:
        # one generated workbook, read back once, is the baseline's template
        sample_dir = os.path.join(root, "sample")
        sample = generate(plan, units[:1], sample_dir, forms=forms, period_id=args.period,
                          catalog=catalog, workers=1)[0]
        sample_size = sample.stat().st_size
        template = read_template(sample, units[0])
        counts = template.counts()

        def gen(workers: int):
            return lambda out: generate(plan, units, out, forms=forms, period_id=args.period,
                                        catalog=catalog, workers=workers)

        def bare(workers: int):
            return lambda out: run_bare(template, units, out, workers)

        p = args.workers
        variants = [Variant("generate (cchc_xlsx)", p, "bare", gen(p)),
                    Variant("bare xlsxwriter", p, None, bare(p))]
        if not args.no_single and p != 1:
            variants += [Variant("generate (cchc_xlsx)", 1, "bare", gen(1)),
                         Variant("bare xlsxwriter", 1, None, bare(1))]

        print(f"cchc-xlsx generate benchmark: {n} units × {len(forms)} report forms "
              f"({', '.join(forms)})")
        print(f"plan {args.plan.name}, period {args.period}; machine: {cores} cores "
              f"(os.cpu_count), {platform.python_implementation()} "
              f"{platform.python_version()}, xlsxwriter {xlsxwriter.__version__}")
        print(f"one workbook: {sample_size:,} bytes; {counts['sheets']} sheets, "
              f"{counts['rows']} rows, {counts['cells']} cells, {counts['merges']} merges, "
              f"{counts['validations']} data-validation ranges")
        print(f"repetitions: {args.repeat} (interleaved; median shown)", flush=True)

        for rep in range(args.repeat):
            for v in variants:
                v.times.append(time_once(v, root, n))
            print(f"  rep {rep + 1}: " + ", ".join(
                f"{'gen' if v.baseline else 'bare'}×{v.procs} {v.times[-1]:.2f}s"
                for v in variants), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    base = {v.procs: v for v in variants if v.baseline is None}
    print()
    print(f"{'variant':<24}{'procs':>6}{'median s':>10}{'ms/wb':>9}{'vs bare':>9}")
    for v in variants:
        ratio = f"{v.median / base[v.procs].median:.2f}×" if v.baseline else "1.00×"
        print(f"{v.name:<24}{v.procs:>6}{v.median:>10.2f}{v.median / n * 1000:>9.1f}"
              f"{ratio:>9}")

    print()
    main_gen = variants[0]
    seconds = main_gen.median
    label = f"{n} units"
    if n != TARGET_UNITS:
        seconds = seconds * TARGET_UNITS / n
        label = f"{TARGET_UNITS} units, extrapolated from {n}"
    ratio = main_gen.median / base[main_gen.procs].median
    ok_time = seconds <= TARGET_SECONDS
    ok_ratio = ratio <= TARGET_RATIO
    print(f"target: ≤ {TARGET_SECONDS:g} s for {TARGET_UNITS} units with {main_gen.procs} "
          f"processes: {seconds:.2f} s ({label})  {'PASS' if ok_time else 'FAIL'}")
    print(f"target: ≤ {TARGET_RATIO:g}× bare xlsxwriter, {main_gen.procs} processes: "
          f"{ratio:.2f}×  {'PASS' if ok_ratio else 'FAIL'}")
    if main_gen.procs != cores:
        print(f"note: the targets assume all {cores} cores; this run used {main_gen.procs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
