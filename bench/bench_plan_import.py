"""Benchmark: import a 200-task plan document (Word) into a plan.

Target (from issue 7): importing a 200-task document takes ≤ 2 s on the project's 2-core
machine. The document is seed 001 made synthetic: 10 groups of 20 tasks (STT 1.1 … 10.20),
the indicator appendix, the NĐ 30 first page, written once with ``write_plan_docx``. Each
repetition runs ``import_plan`` (python-docx reading, table and prose parsing, review) and
then writes the plan's YAML, as ``cchc-xlsx plan import`` does.

    python bench/bench_plan_import.py              # 200 tasks, 7 repetitions
    python bench/bench_plan_import.py --tasks 1000

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from cchc_xlsx.plan_import.opener import import_to_yaml
    from cchc_xlsx.plans.plan_docx import write_plan_docx
    from tests.plan_docs import big_plan

    with tempfile.TemporaryDirectory() as tmp:
        plan = big_plan(args.tasks)
        doc = write_plan_docx(plan, Path(tmp) / "ke-hoach.docx")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            got, review = import_to_yaml(doc, Path(tmp) / "ke-hoach.yaml")
            times.append(time.perf_counter() - start)
            assert got is not None and len(got.tasks) == args.tasks, review.text(got)
        size = doc.stat().st_size
    median = statistics.median(times)
    print(f"plan import: {args.tasks} tasks, {size / 1024:.0f} KiB .docx, "
          f"{args.repeat} runs on {os.cpu_count()} cores")
    print(f"  median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s")
    if args.tasks == 200:
        verdict = "PASS" if median <= TARGET_S else "FAIL"
        print(f"  target ≤ {TARGET_S:.1f} s for 200 tasks: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
