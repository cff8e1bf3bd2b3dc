"""Benchmark: validate many returned workbooks, and the CLI's start-up.

Targets (from the issue): validating 1,000 returned workbooks takes ≤ 5 s on the project's
2-core machine and is ≥ 5× faster than a naive loop of ``pandas.read_excel`` (openpyxl
engine) plus per-file pandera validation, measured in the same run; ``cchc-xlsx --help``
starts in ≤ 0.3 s, importing pandas and pandera only where needed.

The returned workbooks are made once and cached under the system temp folder: every report
form of one period (``report_tasks``, ``report_indicators``, ``report_tthc``) generated for
N synthetic units, then each one filled as a person would (``tests.fill.fill_clean`` with
its own seed, saved by openpyxl), so every file carries its own unit identity. One file in
ten gets one planted mistake: a task status outside the list, or a numerator above its
denominator. Variants, interleaved per repetition (median shown):

1. ``validate([dir])`` in process, default workers (all cores);
2. ``validate([dir], workers=1)``;
3. the CLI end to end: ``cchc-xlsx validate DIR --format json > /dev/null`` (start-up,
   imports, reading, checking, printing), wall time around ``subprocess.run``;
4. the naive baseline: per file ``pandas.read_excel(path, sheet_name=None,
   engine="openpyxl", header=None)``, then the form rows cut out of each sheet and one
   pandera ``DataFrameSchema.validate`` per form (status in the list, numbers whole and
   ≥ 0, completion date in the period, numerator ≤ denominator), in one process; by
   default on the first 200 files, extrapolated linearly (``--naive-files``);
5. a diagnostic: the reading phase alone (``read_all``, default workers).

Then ``cchc-xlsx --help`` (median of 10, next to bare ``python -c pass`` and ``import
click``) with ``-X importtime`` to show whether pandas/pandera are imported, and a
one-process breakdown over 200 files: file guard, calamine reading, stacking, pandera pass
(direct timings, then cProfile cumulative shares and the hot spots inside ``cchc_xlsx``).

    python bench/bench_validate.py            # 1,000 files, 3 repetitions
    python bench/bench_validate.py --quick    # 50-file smoke run

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml"
DEFAULT_PERIOD = "q1-2023"
FORMS = ("report_tasks", "report_indicators", "report_tthc")
TARGET_FILES = 1000
TARGET_SECONDS = 5.0  # for 1,000 files, all cores
TARGET_RATIO = 5.0  # naive / ours, same run
TARGET_HELP = 0.3  # seconds for `cchc-xlsx --help`
HELP_RUNS = 10
PROFILE_FILES = 200
NAIVE_FILES = 200  # the naive loop is linear in files: measured on 200, extrapolated
FILL_STAMP = "fill-v1"  # bump when the way returns are made changes (invalidates the cache)
TARGET_BARE_INPROC = 2.0  # validate() in process / bare calamine reading, same run
TARGET_BARE_CLI = 2.5  # the CLI end to end / bare calamine reading, same run
HEAVY = ("pandas", "pandera", "numpy", "openpyxl", "python_calamine", "xlsxwriter", "yaml")


# --- the returned workbooks (made once, cached) ------------------------------------------


def make_units(n: int):
    from cchc_xlsx.model import Unit

    return [Unit(code=f"U{i:04d}", name=f"Trường Mầm non Số {i}",
                 superior="ỦY BAN NHÂN DÂN QUẬN 8", place="Quận 8",
                 signer_title="HIỆU TRƯỞNG", signer_name="Nguyễn Văn A")
            for i in range(n)]


def plant_for(i: int) -> str | None:
    """One file in ten carries one mistake."""
    return {3: "status", 8: "ratio"}.get(i % 10)


def _fill_one(job: tuple[str, str, int]) -> tuple[str, str | None]:
    from tests.fill import Filler, fill_clean

    template, out, i = job
    f = fill_clean(Filler(template), seed=i)
    plant = plant_for(i)
    if plant == "status":
        f.set("report_tasks", "task:1.1", "status", "xong")
    elif plant == "ratio":
        key = next(k for k, a in f.attrs("report_indicators").items()
                   if a.get("measure") == "rate")
        den = f.cell("report_indicators", key, "denominator").value
        f.set("report_indicators", key, "numerator", den + 5)
    f.save(out)
    return out, plant


def ensure_returns(n: int, plan_path: Path, period: str, cache_root: Path,
                   rebuild: bool) -> tuple[Path, dict]:
    """The folder of N filled returns and its manifest; built only when missing."""
    import cchc_xlsx

    key = f"{plan_path.stem}-{period}-n{n}-{cchc_xlsx.__version__}-{FILL_STAMP}"
    home = cache_root / key
    returns = home / "returns"
    manifest_path = home / "manifest.json"
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("files") == n and len(list(returns.glob("*.xlsx"))) == n:
            manifest["cached"] = True
            return returns, manifest
    from cchc_xlsx.forms.generate import generate
    from cchc_xlsx.plans.plan_loader import load_plan

    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    work = home / "build"
    t0 = time.perf_counter()
    templates = generate(load_plan(plan_path), make_units(n), work / "templates",
                         forms=list(FORMS), period_id=period)
    t_gen = time.perf_counter() - t0
    filled = work / "returns"
    filled.mkdir()
    jobs = [(str(t), str(filled / t.name), i) for i, t in enumerate(templates)]
    t0 = time.perf_counter()
    with Pool(os.cpu_count() or 1) as pool:
        done = pool.map(_fill_one, jobs, chunksize=4)
    t_fill = time.perf_counter() - t0
    filled.rename(returns)
    shutil.rmtree(work, ignore_errors=True)
    planted = {Path(p).name: kind for p, kind in done if kind}
    manifest = {"files": n, "plan": plan_path.name, "period": period, "planted": planted,
                "generate_s": round(t_gen, 2), "fill_s": round(t_fill, 2),
                "fill_procs": os.cpu_count() or 1}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    manifest["cached"] = False
    return returns, manifest


# --- the naive baseline -----------------------------------------------------------------


class Naive:
    """``pandas.read_excel`` (openpyxl) per file, then one pandera pass per form per file."""

    def __init__(self) -> None:
        import pandas as pd
        import pandera.pandas as pa

        from cchc_xlsx.forms.identity import DOC_MARK
        from cchc_xlsx.forms.specs import load_catalog

        catalog = load_catalog()
        self.pd, self.pa = pd, pa
        self.skip = ("grp:", DOC_MARK)  # key-column entries that are not form rows
        self.columns = {f: [c.key for c in catalog.forms[f].columns] for f in FORMS}

        def allowed(rule_id: str) -> list[str]:
            return list(next(r for r in catalog.rules if r.id == rule_id).check.allowed)

        def count(nullable: bool) -> pa.Column:
            return pa.Column(float, [pa.Check.ge(0), pa.Check(lambda s: s % 1 == 0,
                                                              element_wise=False)],
                             nullable=nullable, coerce=True)

        def in_period(df):
            day = pd.to_datetime(df["completion_date"], errors="coerce")
            return df["completion_date"].isna() | day.between(df["_pstart"], df["_pend"])

        def ratio(df):
            both = df["numerator"].notna() & df["denominator"].notna()
            return ~both | (df["numerator"] <= df["denominator"])

        self.schemas = {
            "report_tasks": pa.DataFrameSchema({
                "status": pa.Column(None, pa.Check.isin(allowed("task_status_allowed")),
                                    nullable=False),
            }, checks=[pa.Check(in_period, name="completion_date_in_period")]),
            "report_indicators": pa.DataFrameSchema({
                "numerator": count(True), "denominator": count(True),
                "met": pa.Column(None, pa.Check.isin(allowed("indicator_text_met_allowed")),
                                 nullable=True),
            }, checks=[pa.Check(ratio, name="numerator_le_denominator")]),
            "report_tthc": pa.DataFrameSchema(
                {c: count(False) for c in ("c4", "c5", "c6", "c8", "c9", "c10", "c12",
                                           "c13")}),
        }

    def one(self, path: str) -> int:
        """Failure cases found in one file (0: valid)."""
        pd, pa = self.pd, self.pa
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None)
        ident = sheets.get("_cchc")
        meta = {}
        if ident is not None:
            meta = {k: v for k, v in zip(ident[0], ident[1], strict=True) if isinstance(k, str)}
        pstart = pd.to_datetime(meta.get("period_start"), errors="coerce")
        pend = pd.to_datetime(meta.get("period_end"), errors="coerce")
        failures = 0
        for name, df in sheets.items():
            if name == "_cchc":
                continue
            found = self._key_header(df)
            if found is None:
                continue
            header_row, key_col, form_id = found
            if form_id not in self.schemas:
                continue
            keys = df.iloc[header_row + 1:, key_col]
            # what the templates hold in the key column besides row keys: the total row,
            # group rows and the document fields' markers (Số, dated line, signer)
            rows = keys.map(lambda k: isinstance(k, str) and k != "total"
                            and not k.startswith(self.skip))
            cols = self.columns[form_id]
            table = df.iloc[header_row + 1:, :len(cols)][rows.to_numpy()]
            table.columns = cols
            table = table.assign(_key=keys[rows], _pstart=pstart, _pend=pend)
            try:
                self.schemas[form_id].validate(table, lazy=True)
            except pa.errors.SchemaErrors as exc:
                failures += len(exc.failure_cases)
        return failures

    @staticmethod
    def _key_header(df) -> tuple[int, int, str] | None:
        for r, row in enumerate(df.head(60).itertuples(index=False)):
            for c, v in enumerate(row):
                if isinstance(v, str) and v.startswith("cchc:"):
                    return r, c, v.split(":")[1]
        return None

    def run(self, paths: list[str]) -> int:
        """Files with at least one failure."""
        return sum(1 for p in paths if self.one(p))


# --- the floor: bare python-calamine reading the same files -------------------------------


def _calamine_read(path: str) -> int:
    """Every sheet of one file to Python values (what any reader must at least do)."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(path)
    cells = 0
    for name in book.sheet_names:
        cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return cells


def calamine_read(paths: list[str], procs: int) -> int:
    """Bare python-calamine over every file, ``procs`` processes (a Pool, as any script
    would); the parent gets a cell count per file, so nothing is shipped back."""
    if procs <= 1:
        return sum(_calamine_read(p) for p in paths)
    with Pool(procs) as pool:
        return sum(pool.imap_unordered(_calamine_read, paths, chunksize=16))


# --- measuring --------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    label: str  # short, for the per-repetition line
    files: int  # how many files one run covers (the naive loop may cover fewer)
    run: Callable[[], object]
    check: Callable[[object], str | None]  # the run's result -> a complaint, or None
    diagnostic: bool = False  # shown for the breakdown, not compared
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def per_target(self, n: int) -> float:
        """Median seconds scaled linearly to n files."""
        return self.median * n / self.files


def time_once(v: Variant) -> float:
    t0 = time.perf_counter()
    result = v.run()
    elapsed = time.perf_counter() - t0
    problem = v.check(result)
    if problem:
        raise SystemExit(f"{v.name}: {problem}")
    return elapsed


def run_quiet(cmd: list[str]) -> int:
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          cwd=ROOT).returncode


def help_startup(cli: str) -> list[tuple[str, list[float]]]:
    """Wall times of `cchc-xlsx --help` next to bare interpreter start-ups, interleaved."""
    cmds = [("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import click'", [sys.executable, "-c", "import click"]),
            ("cchc-xlsx --help", [cli, "--help"])]
    times: list[tuple[str, list[float]]] = [(label, []) for label, _ in cmds]
    for _, cmd in cmds:  # warm the page cache
        run_quiet(cmd)
    for _ in range(HELP_RUNS):
        for (_, cmd), (_, ts) in zip(cmds, times, strict=True):
            t0 = time.perf_counter()
            code = run_quiet(cmd)
            ts.append(time.perf_counter() - t0)
            if code != 0:
                raise SystemExit(f"{cmd}: exit status {code}")
    return times


def import_report() -> tuple[float, dict[str, float]]:
    """-X importtime of what `cchc-xlsx --help` runs: total µs, and heavy packages seen."""
    code = ("import sys; sys.argv = ['cchc-xlsx', '--help']\n"
            "from cchc_xlsx.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, cwd=ROOT)
    total = 0.0
    heavy: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [p.strip() for p in line[len("import time:"):].split("|")]
        if not parts[1].isdigit():
            continue  # the header line
        cumulative, name = int(parts[1]), parts[2]
        if not line.split("|")[2].startswith("  "):  # a top-level import
            total += cumulative
        top = name.split(".")[0]
        if top in HEAVY:
            heavy[top] = max(heavy.get(top, 0.0), cumulative / 1e6)
    return total / 1e6, heavy


def breakdown(paths: list[str]) -> list[str]:
    """One process over `paths`: direct timings, then a cProfile of validate()."""
    from cchc_xlsx.checking.validate import validate
    from cchc_xlsx.forms.specs import load_catalog
    from cchc_xlsx.reading.file_guard import inspect_file
    from cchc_xlsx.reading.reader import read_workbook

    catalog = load_catalog()
    n = len(paths)
    guard: list[float] = []
    read: list[float] = []
    whole: list[float] = []
    for _ in range(3):  # interleaved, median
        t0 = time.perf_counter()
        for p in paths:
            inspect_file(p)
        guard.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for p in paths:
            read_workbook(p, catalog)
        read.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        validate(paths, workers=1)
        whole.append(time.perf_counter() - t0)
    g, r, w = (statistics.median(x) for x in (guard, read, whole))
    out = [f"one process, {n} files, no profiler (median of 3):",
           f"  {'validate(workers=1), total':<44}{w:>8.3f} s{w / n * 1e3:>8.2f} ms/file",
           f"  {'file guard (inspect_file)':<44}{g:>8.3f} s{g / n * 1e3:>8.2f} ms/file"
           f"{g / w:>7.0%}",
           f"  {'calamine reading (read_workbook − guard)':<44}{r - g:>8.3f} s"
           f"{(r - g) / n * 1e3:>8.2f} ms/file{(r - g) / w:>7.0%}",
           f"  {'after reading (stack, file checks, pandera)':<44}{w - r:>8.3f} s"
           f"{(w - r) / n * 1e3:>8.2f} ms/file{(w - r) / w:>7.0%}"]

    # validate() reads in worker processes, out of a profiler's sight: the profile runs the
    # workers' own function (_read_stack: guard, calamine, tables, normalising, stacking) on
    # every file in this process, then validate(workers=1) for the parent's share
    from cchc_xlsx.checking import validate as validate_mod

    validate_mod._init_reader(catalog)
    prof = cProfile.Profile()
    prof.enable()
    for p in paths:
        validate_mod._read_stack(p)
    validate(paths, workers=1)
    prof.disable()
    stats = pstats.Stats(prof)
    raw = stats.stats  # type: ignore[attr-defined]

    def cum(file_part: str, func: str) -> float:
        if not file_part:  # a builtin (calamine's Rust methods): match within its name
            return sum(v[3] for (f, _, fn), v in raw.items() if f == "~" and func in fn)
        return sum(v[3] for (f, _, fn), v in raw.items()
                   if fn == func and file_part in f.replace("\\", "/"))

    rows = [("worker: _read_stack, every file", "checking/validate.py", "_read_stack"),
            ("  inspect_workbook (guard)", "reading/file_guard.py", "inspect_workbook"),
            ("  read_workbook", "reading/reader.py", "read_workbook"),
            ("    CalamineWorkbook.from_path", "", "method from_path"),
            ("    get_sheet_by_name (calamine parse)", "", "'get_sheet_by_name'"),
            ("    sheet.to_python", "", "'to_python'"),
            ("    read_identity", "reading/reader.py", "read_identity"),
            ("    _find_key_header", "reading/reader.py", "_find_key_header"),
            ("    _table", "reading/reader.py", "_table"),
            ("  _table_checks", "checking/validate.py", "_table_checks"),
            ("  _Builder.add (normalising)", "checking/validate.py", "add"),
            ("parent: validate(workers=1)", "checking/validate.py", "validate"),
            ("  _Batch.extend (stacking)", "checking/validate.py", "extend"),
            ("  _run_pandera", "checking/validate.py", "_run_pandera"),
            ("    DataFrameSchema.validate", "pandera/", "validate"),
            ("    compile_rule", "checking/rule_checks.py", "compile_rule")]
    total = cum("checking/validate.py", "_read_stack") + cum("checking/validate.py", "validate")
    out += ["", f"cProfile of the workers' function over {n} files, then validate(workers=1): "
                f"{total:.2f} s under the profiler; cumulative time (share of both):"]
    pandera_validate = cum("pandera/api/pandas/container.py", "validate")
    for label, file_part, func in rows:
        t = (pandera_validate if label.strip() == "DataFrameSchema.validate"
             else cum(file_part, func))
        if t:
            out.append(f"  {label:<42}{t:>8.3f} s{t / total:>7.0%}")
    own = sorted(((v[2], v[3], v[1], (f, ln, fn)) for (f, ln, fn), v in raw.items()
                  if "cchc_xlsx" in f), reverse=True)[:12]
    out += ["", "hot spots inside cchc_xlsx (own time; cumulative; calls; main caller):"]
    for tt, ct, calls, k in own:
        callers = raw[k][4]
        top = max(callers, key=lambda c: callers[c][3], default=None)
        by = f"{Path(top[0]).name}:{top[1]} {top[2]}" if top else ""
        where = f"{Path(k[0]).name}:{k[1]} {k[2]}"
        out.append(f"  {where:<40}{tt:>7.3f} s{ct:>8.3f} s{calls:>8}  ← {by}")
    every = sorted(((v[2], v[1], f, ln, fn) for (f, ln, fn), v in raw.items()),
                   reverse=True)[:8]
    out += ["", "hot spots overall (own time; calls):"]
    for tt, calls, f, ln, fn in every:
        short = "/".join(Path(f).parts[-2:]) if f != "~" else "(builtin)"
        where = f"{short}:{ln} {fn}"
        out.append(f"  {where[:62]:<62}{tt:>7.3f} s{calls:>9}")
    return out


def load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def compile_package() -> None:
    """Write the package's bytecode before timing the CLI: an installed wheel carries it,
    but an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as here) would compile every
    module of cchc_xlsx again in each CLI process, which is no part of validating."""
    compileall.compile_dir(str(ROOT / "cchc_xlsx"), quiet=1, force=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=TARGET_FILES, help="files (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions (median; default 3)")
    ap.add_argument("--quick", action="store_true", help="50-file smoke run")
    ap.add_argument("--naive-files", type=int, default=NAIVE_FILES,
                    help="files the naive loop covers per repetition, extrapolated linearly "
                         f"to --files (default {NAIVE_FILES}; 0: all)")
    ap.add_argument("--profile-files", type=int, default=PROFILE_FILES,
                    help=f"files for the one-process breakdown (default {PROFILE_FILES})")
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "cchc-bench-validate",
                    help="where the filled returns are kept between runs")
    ap.add_argument("--rebuild", action="store_true", help="remake the cached returns")
    ap.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    ap.add_argument("--period", default=DEFAULT_PERIOD)
    args = ap.parse_args(argv)
    if args.quick:
        args.files = 50

    sys.path.insert(0, str(ROOT))  # tests.fill
    import openpyxl
    import pandas as pd
    import pandera

    from cchc_xlsx.checking.validate import expand_paths, read_all, validate
    from cchc_xlsx.forms.specs import load_catalog

    cores = os.cpu_count() or 1
    n = args.files
    cli = str(Path(sys.executable).with_name("cchc-xlsx"))
    if not Path(cli).exists():
        cli = shutil.which("cchc-xlsx") or "cchc-xlsx"

    compile_package()
    t0 = time.perf_counter()
    folder, manifest = ensure_returns(n, args.plan, args.period, args.cache, args.rebuild)
    made = time.perf_counter() - t0
    paths = [str(p) for p in expand_paths([folder])]
    planted = set(manifest["planted"])
    n_naive = min(args.naive_files or n, n)
    naive_paths = paths[:n_naive]
    naive_planted = sum(1 for p in naive_paths if Path(p).name in planted)
    size = sum(Path(p).stat().st_size for p in paths)

    print(f"cchc-xlsx validate benchmark: {n} returned workbooks × {len(FORMS)} report forms "
          f"({', '.join(FORMS)})")
    print(f"plan {args.plan.name}, period {args.period}; machine: {cores} cores "
          f"(os.cpu_count), {platform.python_implementation()} {platform.python_version()}, "
          f"pandas {pd.__version__}, pandera {pandera.__version__}, openpyxl "
          f"{openpyxl.__version__}, python-calamine {version('python-calamine')}")
    if manifest["cached"]:
        how = f"reused from the cache ({made:.1f} s to check)"
    else:
        how = (f"made now: generate {manifest['generate_s']:.1f} s, then every file filled "
               f"with tests.fill.fill_clean (own seed, own unit identity) and saved by "
               f"openpyxl in {manifest['fill_procs']} processes, {manifest['fill_s']:.1f} s")
    print(f"load average at start (1, 5, 15 min): {load()}")
    print(f"returns: {folder} ({size / n / 1024:.1f} KB per file); {how}")
    print(f"planted: {len(planted)} files with one mistake each (task status «xong» or "
          f"numerator > denominator), the rest clean")

    # warm up: imports, the catalog, the page cache; nothing timed here
    validate(paths[:5], workers=1)
    naive = Naive()
    naive.run(paths[:5])

    def ours_check(report) -> str | None:
        bad = {Path(f.file).name for f in report.files if not f.valid}
        if len(report.files) != n:
            return f"expected {n} file results, got {len(report.files)}"
        if bad != planted:
            return (f"files with errors differ from the planted ones: "
                    f"{len(bad - planted)} unexpected, {len(planted - bad)} missed")
        return None

    expected_code = 1 if planted else 0

    def cli_check(code: int) -> str | None:
        return None if code == expected_code else f"exit status {code}, expected {expected_code}"

    def naive_check(flagged: int) -> str | None:
        return None if flagged == naive_planted else (
            f"{flagged} files flagged, {naive_planted} planted")

    default_workers = min(cores, 8)
    catalog = load_catalog()
    folder_paths = expand_paths([folder])

    def reads_check(reads) -> str | None:
        bad = sum(1 for r in reads if r.book is None)
        return f"{bad} files unreadable" if bad else None

    variants = [
        Variant(f"validate() in process, {default_workers} procs", f"ours×{default_workers}",
                n, lambda: validate([folder]), ours_check),
        Variant("validate() in process, 1 proc", "ours×1", n,
                lambda: validate([folder], workers=1), ours_check),
        Variant("CLI validate --format json", "cli", n,
                lambda: run_quiet([cli, "validate", str(folder), "--format", "json"]),
                cli_check),
        Variant("naive read_excel+pandera, 1 proc", "naive", n_naive,
                lambda: naive.run(naive_paths), naive_check),
        Variant(f"(reading phase only, {default_workers} procs)", "read", n,
                lambda: read_all(folder_paths, catalog), reads_check, diagnostic=True),
        Variant(f"bare python-calamine, {default_workers} procs", "bare", n,
                lambda: calamine_read(paths, default_workers),
                lambda cells: None if cells > 0 else "no cells read", diagnostic=True),
    ]
    note = "" if n_naive == n else f" (naive loop on {n_naive} files, extrapolated)"
    print(f"repetitions: {args.repeat} (interleaved; median shown){note}", flush=True)
    for rep in range(args.repeat):
        for v in variants:
            v.times.append(time_once(v))
        print(f"  rep {rep + 1}: " + ", ".join(f"{v.label} {v.times[-1]:.2f}s"
                                               for v in variants), flush=True)

    help_times = help_startup(cli)
    import_total, heavy = import_report()
    profile = (breakdown(paths[:min(args.profile_files, n)]) if args.profile_files > 0
               else ["(no breakdown: --profile-files 0)"])

    ours, naive_v = variants[0], variants[3]
    naive_n = naive_v.per_target(n)
    print()
    print(f"{'variant':<36}{'files':>6}{'median s':>10}{'ms/file':>9}{'naive/this':>12}")
    for v in variants:
        ratio = "" if v.diagnostic else f"{naive_n / v.per_target(n):.1f}×"
        extra = f"  (extrapolated to {n}: {v.per_target(n):.2f} s)" if v.files != n else ""
        print(f"{v.name:<36}{v.files:>6}{v.median:>10.2f}{v.median / v.files * 1e3:>9.1f}"
              f"{ratio:>12}{extra}")
    print("  all times: " + "; ".join(
        f"{v.label} " + " ".join(f"{t:.2f}" for t in v.times) for v in variants))
    read_v = variants[4]
    rest = [a - b for a, b in zip(ours.times, read_v.times, strict=True)]
    print(f"  validate() {default_workers} procs minus its reading phase (stacking, file "
          f"checks, pandera; one process): median {statistics.median(rest):.2f} s")
    extra_cli = [c - o for c, o in zip(variants[2].times, ours.times, strict=True)]
    print(f"  CLI minus validate() in process: median {statistics.median(extra_cli):.2f} s "
          f"(interpreter start-up, imports of pandas/pandera, JSON output)")
    bare_v = variants[5]
    vs_bare = {v.label: statistics.median([t / b for t, b in zip(v.times, bare_v.times,
                                                                  strict=True)])
               for v in variants[:3]}
    print(f"  against bare python-calamine reading every sheet of the same files "
          f"({bare_v.median:.2f} s, {default_workers} procs), median of the per-repetition "
          f"ratios: " + ", ".join(f"{k} {r:.2f}×" for k, r in vs_bare.items()))

    print()
    print(f"start-up, median of {HELP_RUNS} (interleaved):")
    for label, ts in help_times:
        print(f"  {label:<28}{statistics.median(ts) * 1e3:>8.0f} ms   "
              f"(min {min(ts) * 1e3:.0f}, max {max(ts) * 1e3:.0f})")
    seen = ", ".join(f"{k} ({v * 1e3:.0f} ms cumulative)" for k, v in sorted(heavy.items()))
    print(f"  -X importtime of `cchc-xlsx --help`: {import_total * 1e3:.0f} ms of imports; "
          f"heavy packages imported: {seen or 'none'}")
    heavy_help = [k for k in ("pandas", "pandera") if k in heavy]

    print()
    print("\n".join(profile))

    print()
    scale = n / TARGET_FILES
    label = f"{TARGET_FILES} files" if n == TARGET_FILES else \
        f"{TARGET_FILES} files, extrapolated from {n}"
    ours_s = ours.median / scale
    cli_s = variants[2].median / scale
    ratio = naive_n / ours.per_target(n)
    help_s = statistics.median(help_times[-1][1])
    print(f"target: ≤ {TARGET_SECONDS:g} s for {TARGET_FILES} files, validate() with "
          f"{default_workers} processes: {ours_s:.2f} s ({label})  "
          f"{verdict(ours_s <= TARGET_SECONDS)}")
    print(f"target: ≤ {TARGET_SECONDS:g} s for {TARGET_FILES} files, CLI end to end: "
          f"{cli_s:.2f} s ({label})  {verdict(cli_s <= TARGET_SECONDS)}")
    print(f"target: ≥ {TARGET_RATIO:g}× faster than the naive loop, same run: {ratio:.1f}× "
          f"(naive {naive_n:.2f} s{note}; vs validate(workers=1): "
          f"{naive_n / variants[1].per_target(n):.1f}×)  {verdict(ratio >= TARGET_RATIO)}")
    print(f"target: validate() in process ≤ {TARGET_BARE_INPROC:g}× bare calamine reading, "
          f"same run: {vs_bare[ours.label]:.2f}×  "
          f"{verdict(vs_bare[ours.label] <= TARGET_BARE_INPROC)}")
    print(f"target: CLI end to end ≤ {TARGET_BARE_CLI:g}× bare calamine reading, same run: "
          f"{vs_bare['cli']:.2f}×  {verdict(vs_bare['cli'] <= TARGET_BARE_CLI)}")
    print(f"target: `cchc-xlsx --help` ≤ {TARGET_HELP:g} s: {help_s:.3f} s  "
          f"{verdict(help_s <= TARGET_HELP)}")
    print(f"target: --help imports neither pandas nor pandera: "
          f"{'imports ' + ', '.join(heavy_help) if heavy_help else 'neither imported'}  "
          f"{verdict(not heavy_help)}")
    print(f"load average at end (1, 5, 15 min): {load()}")
    if default_workers != cores:
        print(f"note: the targets assume all {cores} cores; this run used {default_workers}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
