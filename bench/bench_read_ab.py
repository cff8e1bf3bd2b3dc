"""A/B of the read/check path (issue 18): two source trees against the same floors, in one run.

Per repetition, each in a fresh interpreter: the floors (bare python-calamine reading every
sheet of every file, 2-process ``Pool``, as ``bench_validate.calamine_read``; bare read +
stack, as ``bench_merge.calamine_stack``), then tree A and tree B alternately first:
``validate()`` in process (timed after a warm-up validate of ``samples/returns``), the CLI
``validate DIR --format json`` (wall and CPU of the process tree around the subprocess; also
``cliuser``: the same with ``hypothesis`` hidden, as in a user's install, where pandera then
skips its data-synthesis strategies) and ``merge()`` in process with its phases. Ratios are
medians of the per-repetition ratios to that repetition's floor; CPU is the process tree's
(self and reaped children), far steadier than wall time on a shared machine.

    git archive main | tar -x -C /tmp/base        # the trees to compare
    git archive HEAD | tar -x -C /tmp/branch
    python bench/bench_read_ab.py /tmp/cchc-bench-merge/1000/returns /tmp/base /tmp/branch

The folder needs a ``units.csv`` beside it for ``merge`` (``bench_merge.py``'s cache has one).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAN = os.path.join(ROOT, "samples", "plans", "001-mntt-q8-2023.yaml")
PERIOD = "q1-2023"


def _use_tree(tree: str) -> None:
    """Import ``cchc_xlsx`` from ``tree`` rather than the editable install."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, tree)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def child(mode: str, folder: str, tree: str) -> None:
    """One timed run of ``mode``; prints one JSON line (nothing for the CLI modes)."""
    _use_tree(tree)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    if mode in ("cli", "cliuser"):
        if mode == "cliuser":
            sys.modules["hypothesis"] = None  # type: ignore[assignment]
        from cchc_xlsx.cli import main

        sys.argv = ["cchc-xlsx", "validate", folder, "--format", "json"]
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        try:
            main()
        except SystemExit:
            pass
        return
    from cchc_xlsx.checking.validate import expand_paths, validate

    out: dict = {}
    paths = [str(p) for p in expand_paths([folder])]
    if mode == "floor":
        import bench_validate

        c, t = _cpu(), time.perf_counter()
        bench_validate.calamine_read(paths, 2)
    elif mode == "stack":
        import bench_merge

        c, t = _cpu(), time.perf_counter()
        bench_merge.calamine_stack(paths, 2)
    elif mode == "validate":
        validate([os.path.join(ROOT, "samples", "returns")])  # imports, pandera, catalog
        c, t = _cpu(), time.perf_counter()
        report = validate([folder])
        out.update(exit=report.exit_code, issues=len(report.issues))
    else:  # merge
        import tempfile

        import bench_merge

        from cchc_xlsx.merging.merge import merge, office_from_units
        from cchc_xlsx.plans.plan_loader import load_plan
        from cchc_xlsx.plans.units import load_units

        plan = load_plan(PLAN)
        units = load_units(os.path.join(os.path.dirname(folder), "units.csv"))
        office = office_from_units(units, plan)
        work = tempfile.mkdtemp(prefix="cchc-read-ab-")
        merge(paths[:5], plan, units, PERIOD, os.path.join(work, "warm.xlsx"), office)
        timers = bench_merge.Timers()
        with timers.installed():
            c, t = _cpu(), time.perf_counter()
            result = merge([folder], plan, units, PERIOD, os.path.join(work, "out.xlsx"), office)
            wall = time.perf_counter() - t
        out.update(phases=timers.phases(wall), exit=result.exit_code)
    out.update(wall=time.perf_counter() - t, cpu=_cpu() - c)
    print(json.dumps(out))


def run(mode: str, folder: str, tree: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", mode, folder, tree],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{mode} ({tree}) failed:\n{proc.stderr[-3000:]}")
    if mode.startswith("cli"):
        return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime)
                + (after.ru_stime - before.ru_stime)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(*argv[1:4])
        return 0
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("tree_a")
    ap.add_argument("tree_b")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", default="validate,cli,cliuser,merge")
    args = ap.parse_args(argv)
    modes = args.modes.split(",")
    trees = {"A": args.tree_a, "B": args.tree_b}
    rows = []
    print(f"A = {args.tree_a}, B = {args.tree_b}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for rep in range(args.repeat):
        row: dict = {"load": round(os.getloadavg()[0], 2),
                     "floor": run("floor", args.folder, args.tree_b),
                     "stack": run("stack", args.folder, args.tree_b)}
        order = ["A", "B"] if rep % 2 == 0 else ["B", "A"]
        for mode in modes:
            for side in order:
                row[f"{mode}:{side}"] = run(mode, args.folder, trees[side])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def ratio(key: str, floor: str, what: str) -> float:
        return statistics.median(r[key][what] / r[floor][what] for r in rows)

    for mode in modes:
        floor = "stack" if mode == "merge" else "floor"
        for side in trees:
            key = f"{mode}:{side}"
            walls = ", ".join(f"{r[key]['wall']:.2f}" for r in rows)
            print(f"{key:12s} wall/{floor} {ratio(key, floor, 'wall'):.2f}x  "
                  f"CPU/{floor} {ratio(key, floor, 'cpu'):.2f}x  (wall {walls} s)")
            if mode == "merge":
                phases = {p: round(statistics.median(r[key]["phases"][p] for r in rows), 2)
                          for p in ("read", "checks", "aggregate", "write")}
                side_read = statistics.median(
                    (r[key]["wall"] - r[key]["phases"]["write"]) / r["stack"]["wall"]
                    for r in rows)
                print(f"{'':12s} phases {phases}; read side (wall − write) / stack "
                      f"{side_read:.2f}x")
    for floor in ("floor", "stack"):
        walls = ", ".join(f"{r[floor]['wall']:.2f}" for r in rows)
        cpus = ", ".join(f"{r[floor]['cpu']:.2f}" for r in rows)
        print(f"{floor}: wall {walls} s; CPU {cpus} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
