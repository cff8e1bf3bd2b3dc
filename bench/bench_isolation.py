"""Before/after: what isolated reading (issue 11) costs the three benchmarked paths.

Runs, in one go and interleaved (base, new, base, new, …), the code of a base revision
(``git archive``, default ``79eef18``: main before issue 11) and of the working tree, each in
a fresh interpreter, on the same inputs:

* ``validate()`` of N returned workbooks (default workers): reading is now isolated;
* ``merge()`` of the same N returns into a consolidated workbook;
* ``generate()`` of all report forms for U units (does not read: a control).

Wall times on a shared 2-core machine swing with the other load; the CPU seconds of the
whole process tree (``getrusage`` of the child and its reaped workers) are shown too, as
they depend far less on what else runs.

Inputs are the cached returns of ``bench_merge.py`` (50 filled returns copied to N at the
zip level). Times are taken inside the child (imports excluded); the table shows medians
and the ratio new / base. The exit status is always 0: a benchmark, not a test.

    python bench/bench_isolation.py [--files 1000] [--units 300] [--repeat 5] [--base REV]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, tempfile, time
from datetime import datetime
from pathlib import Path
what, returns, units_csv, n_units = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.forms.specs import load_catalog
import pandas, pandera.pandas, python_calamine  # noqa: imports are not what is measured
plan = load_plan("samples/plans/001-mntt-q8-2023.yaml")
catalog = load_catalog()
def cpu():
    ru = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(r.ru_utime + r.ru_stime for r in ru)
cpu0 = cpu()
with tempfile.TemporaryDirectory() as tmp:
    if what == "validate":
        from cchc_xlsx.checking.validate import validate
        t = time.perf_counter()
        report = validate([returns], catalog=catalog)
        took = time.perf_counter() - t
        assert report.exit_code == 0, report.exit_code
    elif what == "merge":
        from cchc_xlsx.merging.merge import merge, office_from_units
        units = load_units(units_csv)
        office = office_from_units(units, plan)
        t = time.perf_counter()
        res = merge([returns], plan, units, "q1-2023", Path(tmp) / "th.xlsx", office,
                    catalog=catalog)
        took = time.perf_counter() - t
        assert res.exit_code == 0, (res.exit_code, res.messages[:3])
    else:
        from cchc_xlsx.forms.generate import generate
        from cchc_xlsx.model import Unit
        units = [Unit(code=f"G{i:05d}", name=f"Trường Số {i}", superior="PHÒNG GD&ĐT",
                      place="Quận 8", signer_title="HIỆU TRƯỞNG", signer_name="Nguyễn Văn A")
                 for i in range(1, n_units + 1)]
        t = time.perf_counter()
        generate(plan, units, Path(tmp), period_id="q1-2023",
                 forms=["report_tasks", "report_indicators", "report_tthc"])
        took = time.perf_counter() - t
print(json.dumps({"s": took, "cpu": cpu() - cpu0}))
"""


def snapshot(rev: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(code_root: Path, what: str, returns: Path, units_csv: Path, n_units: int
        ) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run([sys.executable, "-c", CHILD, what, str(returns), str(units_csv),
                           str(n_units)], cwd=code_root, env=env, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{what} in {code_root} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["s"], out["cpu"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--base", default="79eef18")
    ap.add_argument("--only", nargs="*", default=["validate", "merge", "generate"])
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    import bench_merge

    cache = Path(tempfile.gettempdir()) / "cchc-bench-merge"
    returns, units_csv, _ = bench_merge.ensure_returns(
        args.files, ROOT / "samples/plans/001-mntt-q8-2023.yaml", "q1-2023", cache, False)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; {args.files} returns"
          f" in {returns}; generate: {args.units} units; {args.repeat} interleaved repetitions")
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"base": snapshot(args.base, Path(tmp) / "base"),
                 "new": snapshot_worktree(Path(tmp) / "new")}
        times: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        for what in args.only:
            for side in roots:
                run(roots[side], what, returns, units_csv, min(args.units, 20))  # warm-up
            for _ in range(args.repeat):
                for side in roots:
                    wall, cpu = run(roots[side], what, returns, units_csv, args.units)
                    times.setdefault((what, side), []).append(wall)
                    cpus.setdefault((what, side), []).append(cpu)
    print(f"\n{'path':<10}{'base (median)':>15}{'new (median)':>15}{'new/base':>10}   runs")
    for what in args.only:
        b = statistics.median(times[(what, "base")])
        n = statistics.median(times[(what, "new")])
        runs = " ".join(f"{x:.2f}" for x in times[(what, "new")])
        print(f"{what:<10}{b:>13.2f} s{n:>13.2f} s{n / b:>10.3f}   new: {runs}; base: "
              + " ".join(f"{x:.2f}" for x in times[(what, "base")]))
    print("\nCPU seconds of the process tree, parent and its reaped workers (imports excluded):")
    for what in args.only:
        b = statistics.median(cpus[(what, "base")])
        n = statistics.median(cpus[(what, "new")])
        print(f"{what:<10}{b:>13.2f} s{n:>13.2f} s{n / b:>10.3f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


def snapshot_worktree(into: Path) -> Path:
    """The working tree as it is (committed or not), without .venv and caches."""
    into.mkdir(parents=True, exist_ok=True)
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"],
                           check=True, capture_output=True, text=True).stdout.split("\n")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            dst = into / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    return into


if __name__ == "__main__":
    sys.exit(main())
