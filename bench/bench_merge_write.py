"""Benchmark: writing the consolidated workbook alone (issue 18: ≤ 0.6 s for 1,000 units).

The 1,000 returns of ``bench_merge.py`` (same cache) are merged ONCE, with
``merge_writer.write_consolidated`` replaced by a catcher that keeps its arguments (and
writes the workbook once, kept as ``reference.xlsx`` for the baseline). Then, interleaved,
median of ``--repeat`` (≥ 5):

1. ``write_consolidated(...)`` with those arguments into a fresh temporary folder;
2. the floor: bare xlsxwriter writing the SAME cells (every string, number, date and styled
   blank of every sheet of ``reference.xlsx``, read back once with openpyxl, and every
   merged range) with ONE shared format and the same workbook options, no row heights,
   page setup or measuring.

Each repetition's ratio ours / bare is taken in the same run, so a busy machine slows both
alike; the median ratio is reported with the medians, the core count and the load average.
``--profile`` adds one cProfile of the writer: share per appendix writer, the xlsxwriter
calls and the hot spots.

``--code DIR`` runs another checkout's ``cchc_xlsx`` (e.g. ``git archive main``) for a
before/after comparison; ``--save PATH`` keeps one written workbook (compare two with
``bench/xlsx_compare.py``).

    python bench/bench_merge_write.py                 # 1,000 units, 7 repetitions
    python bench/bench_merge_write.py --profile
    python bench/bench_merge_write.py --files 50 --repeat 5

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.6  # for 1,000 units
WHEN = datetime(2023, 4, 12, 9, 30)  # a fixed merge time: outputs comparable run to run


def use_code(code: Path) -> None:
    """Import ``cchc_xlsx`` from ``code`` instead of the editable install."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, str(code))


def capture_args(folder: Path, units_csv: Path, plan_path: Path, period: str,
                 out: Path) -> tuple[tuple, dict]:
    """Merge once; return what ``write_consolidated`` was called with (it runs too)."""
    import cchc_xlsx.merging.merge_writer as writer_mod
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.units import load_units

    plan = load_plan(plan_path)
    units = load_units(units_csv)
    office = office_from_units(units, plan)
    orig = writer_mod.write_consolidated
    caught: list[tuple[tuple, dict]] = []

    def catcher(*args: Any, **kwargs: Any) -> Any:
        caught.append((args[1:], kwargs))
        return orig(*args, **kwargs)

    writer_mod.write_consolidated = catcher
    try:
        merge([folder], plan, units, period, out, office, now=WHEN)
    finally:
        writer_mod.write_consolidated = orig
    return caught[0]


# --- the floor: bare xlsxwriter, the same cells, one format ------------------------------


def read_cells(path: Path) -> list[tuple[str, bool, list[tuple], list[tuple[int, int, int, int]]]]:
    """Per sheet: (name, hidden, [(row, col, kind, value)], [merged ranges]), zero-based."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for (r, c), cell in sorted(ws._cells.items()):
            v = cell.value
            if v is None:
                if cell.has_style:
                    cells.append((r - 1, c - 1, "blank", None))
            elif isinstance(v, str):
                cells.append((r - 1, c - 1, "formula" if cell.data_type == "f" else "string", v))
            elif isinstance(v, bool):
                cells.append((r - 1, c - 1, "bool", v))
            elif isinstance(v, (int, float)):
                cells.append((r - 1, c - 1, "number", v))
            elif isinstance(v, datetime):
                cells.append((r - 1, c - 1, "date", v))
            else:
                cells.append((r - 1, c - 1, "string", str(v)))
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in ws.merged_cells.ranges]
        sheets.append((ws.title, ws.sheet_state != "visible", cells, merges))
    return sheets


def write_bare(path: Path, sheets: list) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    fmt = wb.add_format({"border": 1, "text_wrap": True})
    for name, hidden, cells, merges in sheets:
        ws = wb.add_worksheet(name)
        for r0, c0, r1, c1 in merges:
            ws.merge_range(r0, c0, r1, c1, "", fmt)
        for r, c, kind, v in cells:
            if kind == "string":
                ws.write_string(r, c, v, fmt)
            elif kind == "number":
                ws.write_number(r, c, v, fmt)
            elif kind == "date":
                ws.write_datetime(r, c, v, fmt)
            elif kind == "blank":
                ws.write_blank(r, c, None, fmt)
            elif kind == "bool":
                ws.write_boolean(r, c, v, fmt)
            else:
                ws.write_formula(r, c, v, fmt)
        if hidden:
            ws.hide()
    wb.close()


# --- the profile ----------------------------------------------------------------------------


def profile_write(write: Any, top: int = 18) -> list[str]:
    prof = cProfile.Profile()
    prof.enable()
    write()
    prof.disable()
    raw = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    out = [f"cProfile of one write: {total:.2f} s profiled (read the shares, not the seconds)"]
    cum = {k[2]: v[3] for k, v in raw.items()
           if "merging/writers" in k[0] or "merge_writer" in k[0] or "identity" in k[0]}
    out.append("  per appendix (cumulative share):")
    for name in ("_write_submissions", "_write_tasks", "_write_task_detail",
                 "_write_indicators", "_write_tthc", "_write_levels", "_write_difficulties",
                 "write_log", "write_identity"):
        if name in cum:
            out.append(f"    {name:<28}{cum[name] / total:>7.0%}")
    xw_own = sum(v[2] for k, v in raw.items() if "xlsxwriter" in k[0])
    out.append(f"  own time inside xlsxwriter: {xw_own / total:.0%}")
    calls = sorted(((v[1], k[2]) for k, v in raw.items() if "xlsxwriter/worksheet" in k[0]
                    and k[2] in ("write_string", "write_number", "write_blank",
                                 "write_datetime", "merge_range", "set_row", "write_row",
                                 "write_column", "_write_cell", "_write_single_row")),
                   reverse=True)
    out.append("  xlsxwriter calls: " + ", ".join(f"{fn} {n:,}" for n, fn in calls))
    overall = sorted(((v[2], v[3], v[1], k) for k, v in raw.items()), reverse=True)[:top]
    out.append("  hot spots (own time; cumulative; calls):")
    for tt, ct, n, (f, ln, fn) in overall:
        short = "/".join(Path(f).parts[-2:]) if f != "~" else "(builtin)"
        out.append(f"    {f'{short}:{ln} {fn}'[:70]:<70}{tt / total:>6.1%}{ct / total:>7.1%}"
                   f"{n:>9,}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=1000, help="returns (default 1,000)")
    ap.add_argument("--repeat", type=int, default=7, help="repetitions (median; default 7)")
    ap.add_argument("--profile", action="store_true", help="add a cProfile of one write")
    ap.add_argument("--code", type=Path, help="import cchc_xlsx from this checkout")
    ap.add_argument("--save", type=Path, help="keep one written workbook here")
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "cchc-bench-merge",
                    help="where bench_merge.py caches its returns")
    ap.add_argument("--plan", type=Path,
                    default=ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml")
    ap.add_argument("--period", default="q1-2023")
    args = ap.parse_args(argv)
    if args.code:
        use_code(args.code.resolve())
    sys.path.append(str(ROOT))  # tests.fill; after --code, or it would shadow that checkout
    sys.path.insert(0, str(ROOT / "bench"))  # bench_merge
    from bench_merge import ensure_returns

    import cchc_xlsx
    from cchc_xlsx.merging.merge_writer import write_consolidated

    cores = os.cpu_count() or 1
    load0 = os.getloadavg()
    n = args.files
    print(f"consolidated-workbook writer benchmark: {n} units; {cores} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in load0)}; cchc_xlsx from "
          f"{Path(cchc_xlsx.__file__).parent}")
    folder, units_csv, _ = ensure_returns(n, args.plan, args.period, args.cache, False)
    work = Path(tempfile.mkdtemp(prefix="cchc-bench-write-"))
    try:
        t0 = time.perf_counter()
        ref = work / "reference.xlsx"
        wargs, wkwargs = capture_args(folder, units_csv, args.plan, args.period, ref)
        t_merge = time.perf_counter() - t0
        t0 = time.perf_counter()
        sheets = read_cells(ref)
        ncells = sum(len(c) for _, _, c, _ in sheets)
        nmerges = sum(len(m) for _, _, _, m in sheets)
        print(f"merged once in {t_merge:.1f} s; reference {ref.stat().st_size / 1024:.0f} KB, "
              f"{ncells:,} cells and {nmerges:,} merges in {len(sheets)} sheets (read back in "
              f"{time.perf_counter() - t0:.1f} s): "
              + ", ".join(f"{name} {len(c):,}" for name, _, c, _ in sheets))

        def ours(k: int) -> tuple[float, float]:
            out = work / f"ours-{k}.xlsx"
            t, c = time.perf_counter(), time.process_time()
            write_consolidated(out, *wargs, **wkwargs)
            t, c = time.perf_counter() - t, time.process_time() - c
            if args.save and k == 0:
                shutil.copyfile(out, args.save)
            out.unlink()
            return t, c

        def bare(k: int) -> tuple[float, float]:
            out = work / f"bare-{k}.xlsx"
            t, c = time.perf_counter(), time.process_time()
            write_bare(out, sheets)
            t, c = time.perf_counter() - t, time.process_time() - c
            out.unlink()
            return t, c

        ours(-1)
        bare(-1)  # warm both
        t_ours, t_bare, c_ours, c_bare = [], [], [], []
        for k in range(args.repeat):
            for fn, wall, cpu in ((ours, t_ours, c_ours), (bare, t_bare, c_bare)):
                t, c = fn(k)
                wall.append(t)
                cpu.append(c)
            print(f"  rep {k + 1}: ours {t_ours[-1]:.3f} s ({c_ours[-1]:.3f} CPU-s), bare "
                  f"{t_bare[-1]:.3f} s ({c_bare[-1]:.3f} CPU-s), ratio "
                  f"{t_ours[-1] / t_bare[-1]:.2f}", flush=True)
        ratios = [a / b for a, b in zip(t_ours, t_bare, strict=True)]
        med = statistics.median(t_ours)
        print()
        print(f"write_consolidated, {n} units: median {med:.3f} s "
              f"(min {min(t_ours):.3f}, max {max(t_ours):.3f}); target ≤ {TARGET_SECONDS} s: "
              f"{'PASS' if med <= TARGET_SECONDS else 'FAIL'}")
        print(f"bare xlsxwriter, same cells, one format: median {statistics.median(t_bare):.3f} s")
        print(f"CPU time (what an idle core gives; one thread): ours median "
              f"{statistics.median(c_ours):.3f} CPU-s, bare {statistics.median(c_bare):.3f} "
              f"CPU-s")
        print(f"ratio ours / bare (median of per-repetition ratios): "
              f"{statistics.median(ratios):.2f}×")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.profile:
            print()
            print("\n".join(profile_write(lambda: write_consolidated(work / "prof.xlsx", *wargs,
                                                                     **wkwargs))))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
