"""Benchmark: validate and rank 1,000 CCHC self-assessments.

Target (issue 10): 1,000 self-assessments validated and ranked in ≤ 8 s on the project's
2-core machine.

The returns are made once and cached under the system temp folder: the sample criteria set
(``criteria/par-mau-2025.yaml``) generated for N synthetic units of three school levels,
each filled as a unit's staff would (``tests.scoring_fill.fill_correct`` with its own seed,
saved by openpyxl, so formulas carry no cached values), one unit in four marking an item
"Không áp dụng", and one file in ten with one planted mistake (a score off its step, or a
band not matching its ratio). Variants, interleaved per repetition (median shown):

1. ``score_round`` end to end: read + check every file (all cores), rank, write the
   ranking workbook with its chart — the figure the target is about;
2. the same with ``workers=1``;
3. a diagnostic: ``check_files`` alone (reading and checking, all cores);
4. a diagnostic: writing the appraisal workbook (one row per unit and criterion).

    python bench/bench_scoring.py            # 1,000 files, 3 repetitions
    python bench/bench_scoring.py --quick    # 50-file smoke run

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CRITERIA = ROOT / "criteria" / "par-mau-2025.yaml"
TARGET_FILES = 1000
TARGET_SECONDS = 8.0
FILL_STAMP = "fill-v1"
LEVELS = ("Mầm non", "Tiểu học", "Trung học cơ sở")


def make_units(n: int):
    from cchc_xlsx.model import Unit

    return [Unit(code=f"U{i:04d}", name=f"Trường {LEVELS[i % 3]} Số {i}", level=LEVELS[i % 3],
                 superior="ỦY BAN NHÂN DÂN QUẬN 8", place="Quận 8", signer_title="HIỆU TRƯỞNG",
                 signer_name="Nguyễn Văn A", recipient="Phòng Giáo dục và Đào tạo Quận 8")
            for i in range(n)]


def _fill_one(job: tuple[str, str, int]) -> tuple[str, str | None]:
    from cchc_xlsx.scoring.criteria import load_criteria
    from tests.scoring_fill import ScoreFiller, fill_correct

    template, out, i = job
    crit = load_criteria(CRITERIA)
    shutil.copy(template, out)
    fill_correct(out, crit, seed=i, na=("3.2.1",) if i % 4 == 0 else ())
    plant = {3: "step", 7: "band"}.get(i % 10)
    if plant:
        f = ScoreFiller(out)
        if plant == "step":
            f.set("2.3", "score", 1.25)
        else:
            f.set("4.2.1", "result", 97)
            f.set("4.2.1", "score", 3)
        f.save()
    return out, plant


def ensure_returns(n: int, cache_root: Path, rebuild: bool) -> tuple[Path, dict]:
    import cchc_xlsx
    from cchc_xlsx.scoring.criteria import load_criteria
    from cchc_xlsx.scoring.self_assessment import generate_self_assessments

    crit = load_criteria(CRITERIA)
    key = f"scoring-{crit.fingerprint}-n{n}-{cchc_xlsx.__version__}-{FILL_STAMP}"
    home = cache_root / key
    returns = home / "returns"
    manifest_path = home / "manifest.json"
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("files") == n and len(list(returns.glob("*.xlsx"))) == n:
            manifest["cached"] = True
            return returns, manifest
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    t0 = time.perf_counter()
    templates = generate_self_assessments(crit, make_units(n), home / "templates")
    t_gen = time.perf_counter() - t0
    filled = home / "build"
    filled.mkdir()
    jobs = [(str(t), str(filled / t.name), i) for i, t in enumerate(templates)]
    t0 = time.perf_counter()
    with Pool(os.cpu_count() or 1) as pool:
        done = pool.map(_fill_one, jobs, chunksize=8)
    t_fill = time.perf_counter() - t0
    filled.rename(returns)
    shutil.rmtree(home / "templates", ignore_errors=True)
    manifest = {"files": n, "planted": {Path(p).name: k for p, k in done if k},
                "generate_s": round(t_gen, 2), "fill_s": round(t_fill, 2)}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    manifest["cached"] = False
    return returns, manifest


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=TARGET_FILES)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="50 files, 1 run")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "cchc-bench")
    args = ap.parse_args()
    if args.quick:
        args.files, args.runs = 50, 1
    from cchc_xlsx.scoring.appraisal import write_appraisal
    from cchc_xlsx.scoring.check import check_files
    from cchc_xlsx.scoring.criteria import load_criteria
    from cchc_xlsx.scoring.scoring_round import score_round

    returns, manifest = ensure_returns(args.files, args.cache, args.rebuild)
    crit = load_criteria(CRITERIA)
    units = make_units(args.files)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()} (load average before: {load}); python "
          f"{platform.python_version()}; files: {args.files} "
          f"({'cached' if manifest['cached'] else 'made now'}: generate "
          f"{manifest['generate_s']} s, fill {manifest['fill_s']} s); planted mistakes: "
          f"{len(manifest['planted'])}")
    out_dir = Path(tempfile.mkdtemp(prefix="bench-scoring-"))
    times: dict[str, list[float]] = {"round": [], "round_1w": [], "check": [], "appraisal": []}
    last = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        last = score_round([returns], crit, units, out_dir / "xep-hang.xlsx")
        times["round"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score_round([returns], crit, units, out_dir / "xep-hang-1.xlsx", workers=1)
        times["round_1w"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _, scores = check_files([returns], crit, units)
        times["check"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        write_appraisal(crit, scores, out_dir / "tham-dinh.xlsx")
        times["appraisal"].append(time.perf_counter() - t0)
    bad = sum(1 for f in last.report.files if not f.valid)
    print(f"ranked {len(last.ranking.units)} units; files with errors: {bad} "
          f"(planted: {len(manifest['planted'])})")
    labels = {"round": "validate + rank + write (all cores)",
              "round_1w": "validate + rank + write (1 worker)",
              "check": "read + check only (all cores)",
              "appraisal": "write the appraisal workbook"}
    for key, label in labels.items():
        runs = ", ".join(f"{t:.2f}" for t in times[key])
        print(f"{label:<40} median {statistics.median(times[key]):6.2f} s  [{runs}]")
    median = statistics.median(times["round"])
    scaled = median * TARGET_FILES / args.files
    verdict = "MET" if scaled <= TARGET_SECONDS else "MISSED"
    print(f"target: {TARGET_FILES} self-assessments validated and ranked ≤ {TARGET_SECONDS} s "
          f"→ {median:.2f} s for {args.files} files: {verdict}")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
