"""Per-file CPU of the read path, one process, two source trees alternated (issue 18).

The wall-clock A/B of ``bench_read_ab.py`` swings by 2× on a shared 2-core machine; the CPU
one process spends per file on the same files swings by a few per cent. So a change to the
guard or the table walk is judged here first, each tree in a fresh interpreter, alternated
``--repeat`` times, each figure the minimum of 3 passes over the files:

* ``bare``: python-calamine from the path, every sheet ``to_python()`` (the floor's work);
* ``guard``: ``file_guard.inspect_workbook(path, repack=True)``;
* ``calamine``: calamine over the guard's stored ZIP, every sheet (what ``read_workbook``
  adds to the guard when nothing else runs);
* ``read_workbook``: guard, calamine and our table walk;
* ``stack``: the reading worker's whole function ``validate._read_stack`` and pickling its
  result (what one file costs a worker).

    git archive main | tar -x -C /tmp/base
    python bench/bench_read_perfile.py /tmp/base .            # 300 of bench_merge's returns
    python bench/bench_read_perfile.py /tmp/base . --folder DIR --files 200 --repeat 5
"""

from __future__ import annotations

import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

STEPS = ("bare", "guard", "calamine", "read_workbook", "stack")


def child(tree: str, folder: str, files: int) -> None:
    """Time every step in this interpreter, importing ``cchc_xlsx`` from ``tree``."""
    import io
    import pickle
    import time

    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, os.path.abspath(tree))
    import python_calamine as pc

    from cchc_xlsx.checking import validate as v
    from cchc_xlsx.forms.specs import load_catalog
    from cchc_xlsx.reading import file_guard, reader

    paths = sorted(glob.glob(os.path.join(folder, "*.xlsx")))[:files]
    catalog = load_catalog()
    v._init_reader(catalog)
    stored = [file_guard.inspect_workbook(p, repack=True).data for p in paths]

    def every_sheet(book) -> None:
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()

    steps = {
        "bare": lambda i: every_sheet(pc.CalamineWorkbook.from_path(paths[i])),
        "guard": lambda i: file_guard.inspect_workbook(paths[i], repack=True),
        "calamine": lambda i: every_sheet(pc.CalamineWorkbook.from_filelike(
            io.BytesIO(stored[i]))),
        "read_workbook": lambda i: reader.read_workbook(paths[i], catalog),
        "stack": lambda i: pickle.dumps(v._read_stack(paths[i])),
    }
    out = {}
    for name in STEPS:
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            for i in range(len(paths)):
                steps[name](i)
            best = min(best, time.process_time() - t)
        out[name] = best / len(paths) * 1000
    print(json.dumps(out))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], int(argv[3]))
        return 0
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree_a")
    ap.add_argument("tree_b")
    ap.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "cchc-bench-merge",
                                                     "1000", "returns"))
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not glob.glob(os.path.join(args.folder, "*.xlsx")):
        raise SystemExit(f"no .xlsx in {args.folder}: run bench/bench_merge.py once first")
    runs: dict[str, list[dict]] = {"A": [], "B": []}
    print(f"A = {args.tree_a}, B = {args.tree_b}; {args.files} files; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for rep in range(args.repeat):
        for side in ("A", "B") if rep % 2 == 0 else ("B", "A"):
            tree = args.tree_a if side == "A" else args.tree_b
            proc = subprocess.run([sys.executable, __file__, "--child", tree, args.folder,
                                   str(args.files)], capture_output=True, text=True)
            if proc.returncode:
                raise SystemExit(f"{tree} failed:\n{proc.stderr[-3000:]}")
            runs[side].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(side, " ".join(f"{k} {v:.3f}" for k, v in runs[side][-1].items()), flush=True)
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    head = ("ms per file, median", "A", "B", "B/A", "A/bare", "B/bare")
    print(f"{head[0]:22s} {head[1]:>8s} {head[2]:>8s} {head[3]:>6s} {head[4]:>7s} {head[5]:>7s}")
    for name in STEPS:
        a = statistics.median(r[name] for r in runs["A"])
        b = statistics.median(r[name] for r in runs["B"])
        bare_a = statistics.median(r["bare"] for r in runs["A"])
        bare_b = statistics.median(r["bare"] for r in runs["B"])
        print(f"{name:22s} {a:8.3f} {b:8.3f} {b / a:6.3f} {a / bare_a:7.2f} {b / bare_b:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
