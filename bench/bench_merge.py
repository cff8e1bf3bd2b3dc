"""Benchmark: merge many returned workbooks into the office's consolidated workbook.

Targets (from the issue): merging 1,000 returned workbooks (read, validate, aggregate,
write) takes ≤ 8 s on the project's 2-core machine; merging 10,000 returns peaks at
≤ 1 GB of memory.

The returns are made once and cached under ``<tmp>/cchc-bench-merge/N``: every report form
of one period (``report_tasks``, ``report_indicators``, ``report_tthc``) generated for 50
synthetic units and filled as a person would (``tests.fill.fill_clean``, own seed, saved by
openpyxl); the other N − 50 returns are byte copies of those 50 with only the identity's
unit code rewritten inside the zip (``<t>U00001</t>`` → ``<t>U00051</t>``), checked by
reading a sample back with ``cchc_xlsx.reading.reader.read_workbook``. Every return is clean, so a
correct merge counts all N units. The units CSV for the N units sits next to them.

Measured, repetitions interleaved (median shown):

1. ``merge(...)`` in process, default workers, with a breakdown taken by wrapping
   ``validate.read_all``, ``merge.check_files`` and ``merge_writer.write_consolidated``
   with timers in this process (aggregation = the rest of ``merge``);
2. the CLI end to end, ``cchc-xlsx merge DIR --plan … --units … --period … --out …``;
3. for reference only, bare python-calamine: open every sheet of every file, take its
   values and stack the rows (same number of processes), the figure the issue quotes.

Then one run over 10,000 returns for memory: the CLI's ``main`` run in process by a small
wrapper (this script with ``--rusage-child``) under ``/usr/bin/time -v``; the wrapper
prints ``getrusage`` maxrss of itself and of its largest child (the read pool's workers),
and this script samples the process tree's summed RSS and PSS every 0.1 s.

    python bench/bench_merge.py                # 1,000 files × 3, then 10,000 for memory
    python bench/bench_merge.py --quick        # 50 files × 1, memory run on 200
    python bench/bench_merge.py --skip-memory

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import copy
import cProfile
import csv
import json
import os
import platform
import pstats
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml"
DEFAULT_PERIOD = "q1-2023"
FORMS = ("report_tasks", "report_indicators", "report_tthc")
TARGET_FILES = 1000
TARGET_SECONDS = 8.0  # for 1,000 files on the 2-core machine
TARGET_RATIO = 2.0  # issue 18: merge() within 2x of bare calamine reading and stacking
TARGET_WRITE_SECONDS = 0.6  # issue 18: the consolidated workbook for 1,000 units
MEMORY_FILES = 10000
TARGET_BYTES = 10**9  # 1 GB, taken as 10^9 bytes (the stricter reading)
DISTINCT = 50  # returns filled with openpyxl; the rest are copies with a new unit code
VERIFY_SAMPLE = 25  # copies read back with read_workbook when the cache is built
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree's RSS
PSS_EVERY = 5  # PSS (smaps_rollup, dearer to read) on every 5th sample
MEMORY_TIMEOUT = 3600.0  # seconds before the memory run is stopped
STAMP = "merge-v1"  # bump when the way returns are made changes (invalidates the cache)
MB = 10**6

SUPERIOR = "ỦY BAN NHÂN DÂN QUẬN 8"
RECIPIENT = "Phòng Giáo dục và Đào tạo Quận 8"
CSV_HEADER = ["mã", "tên", "cấp học", "cơ quan chủ quản", "địa danh", "chức danh",
              "tên người ký", "nơi nhận"]


# --- the returned workbooks (made once, cached) ------------------------------------------


def unit_code(i: int) -> str:
    return f"U{i:05d}"


def unit_row(i: int) -> list[str]:
    return [unit_code(i), f"Trường Số {i}", "Mầm non", SUPERIOR, "Quận 8", "HIỆU TRƯỞNG",
            "Nguyễn Văn A", RECIPIENT]


def make_units(n: int):
    from cchc_xlsx.model import Unit

    return [Unit(code=c, name=name, level=level, superior=sup, place=place,
                 signer_title=title, signer_name=signer, recipient=rec)
            for c, name, level, sup, place, title, signer, rec
            in (unit_row(i) for i in range(1, n + 1))]


def return_name(i: int) -> str:
    return f"{unit_code(i)}_truong-so-{i}.xlsx"


def _fill_one(job: tuple[str, str, int]) -> str:
    from tests.fill import Filler, fill_clean

    template, out, seed = job
    fill_clean(Filler(template), seed=seed).save(out)
    return out


def _code_pattern(code: str) -> re.Pattern[bytes]:
    """The code as a whole string cell: shared string or inline string, any attributes."""
    return re.compile(rb"(<t(?:\s[^>]*)?>)" + re.escape(code.encode()) + rb"</t>")


def _copy_with_code(job: tuple[str, str, list[tuple[str, str]]]) -> int:
    """Copy one filled return to many paths, each with its own unit code in the identity."""
    src, old, targets = job
    with zipfile.ZipFile(src) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    pat = _code_pattern(old)
    hits = [(k, len(pat.findall(data))) for k, (info, data) in enumerate(members)
            if info.filename.startswith("xl/") and info.filename.endswith(".xml")]
    hits = [(k, c) for k, c in hits if c]
    if sum(c for _, c in hits) != 1:
        raise RuntimeError(f"{src}: unit code {old} found {sum(c for _, c in hits)} times as a "
                           f"whole string, expected once (the identity's unit_code)")
    at = hits[0][0]
    for dst, new in targets:
        if new == old:
            shutil.copyfile(src, dst)
            continue
        with zipfile.ZipFile(dst, "w") as out:
            for k, (info, data) in enumerate(members):
                if k == at:
                    data = pat.sub(lambda m, new=new: m.group(1) + new.encode() + b"</t>", data)
                out.writestr(copy.copy(info), data)
    return len(targets)


def cache_key(n: int, plan_path: Path, period: str, distinct: int) -> dict[str, Any]:
    import cchc_xlsx

    return {"stamp": STAMP, "version": cchc_xlsx.__version__, "plan": plan_path.name,
            "period": period, "files": n, "distinct": distinct}


def ensure_returns(n: int, plan_path: Path, period: str, cache_root: Path, rebuild: bool,
                   distinct: int = DISTINCT) -> tuple[Path, Path, dict[str, Any]]:
    """(folder of N filled returns, units CSV, manifest); built only when missing."""
    home = cache_root / str(n)
    returns, units_csv, manifest_path = home / "returns", home / "units.csv", home / "manifest.json"
    key = cache_key(n, plan_path, period, distinct)
    if not rebuild and manifest_path.exists() and units_csv.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("key") == key and len(list(returns.glob("*.xlsx"))) == n:
            manifest["cached"] = True
            return returns, units_csv, manifest

    from cchc_xlsx.forms.generate import generate
    from cchc_xlsx.forms.specs import load_catalog
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.reading.reader import read_workbook

    shutil.rmtree(home, ignore_errors=True)
    work = home / "build"
    (work / "filled").mkdir(parents=True)
    (work / "returns").mkdir()
    procs = os.cpu_count() or 1
    k = min(n, distinct)
    t0 = time.perf_counter()
    templates = generate(load_plan(plan_path), make_units(k), work / "templates",
                         forms=list(FORMS), period_id=period)
    t_gen = time.perf_counter() - t0
    by_code = {t.name.split("_", 1)[0]: t for t in templates}
    fills = [(str(by_code[unit_code(i)]), str(work / "filled" / return_name(i)), i)
             for i in range(1, k + 1)]
    t0 = time.perf_counter()
    with Pool(procs) as pool:
        filled = pool.map(_fill_one, fills, chunksize=1)
    t_fill = time.perf_counter() - t0
    jobs = [(filled[b - 1], unit_code(b),
             [(str(work / "returns" / return_name(i)), unit_code(i))
              for i in range(b, n + 1, k)])
            for b in range(1, k + 1)]
    t0 = time.perf_counter()
    with Pool(procs) as pool:
        made = sum(pool.map(_copy_with_code, jobs, chunksize=1))
    t_copy = time.perf_counter() - t0
    if made != n:
        raise SystemExit(f"made {made} returns, expected {n}")

    catalog = load_catalog()
    rnd = random.Random(n)
    sample = sorted({1, k, min(n, k + 1), n} | set(rnd.sample(range(1, n + 1),
                                                              min(n, VERIFY_SAMPLE))))
    for i in sample:
        book = read_workbook(work / "returns" / return_name(i), catalog)
        got = book.identity.get("unit_code")
        if got != unit_code(i) or set(book.tables) != set(FORMS):
            raise SystemExit(f"copy {return_name(i)} reads back as unit {got!r} with forms "
                             f"{sorted(book.tables)}; expected {unit_code(i)} and {FORMS}")

    (work / "returns").rename(returns)
    with open(units_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADER)
        w.writerows(unit_row(i) for i in range(1, n + 1))
    shutil.rmtree(work, ignore_errors=True)
    manifest = {"key": key, "generate_s": round(t_gen, 2), "fill_s": round(t_fill, 2),
                "copy_s": round(t_copy, 2), "procs": procs, "verified": len(sample)}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    manifest["cached"] = False
    return returns, units_csv, manifest


def describe_cache(folder: Path, manifest: dict[str, Any], checked_s: float) -> str:
    if manifest["cached"]:
        return f"{folder}: reused from the cache ({checked_s:.1f} s to check)"
    k = manifest["key"]["distinct"]
    return (f"{folder}: made now in {manifest['procs']} processes: generate {k} "
            f"{manifest['generate_s']:.1f} s, fill {k} with openpyxl {manifest['fill_s']:.1f} s, "
            f"copy with new unit codes {manifest['copy_s']:.1f} s; {manifest['verified']} "
            f"copies read back with read_workbook")


def warm_page_cache(folder: Path) -> float:
    """Read every file once so the runs compare reading, not the disk."""
    t0 = time.perf_counter()
    for p in folder.iterdir():
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass
    return time.perf_counter() - t0


# --- phase timers (wrap library functions in this process only) --------------------------


PHASES = ("read", "checks", "aggregate", "write")
PHASE_LABELS = {
    "read": "read: validate.read_all (guard, calamine)",
    "checks": "checks: rest of check_files (stack, pandera)",
    "aggregate": "aggregate: rest of merge()",
    "write": "write: write_consolidated (xlsxwriter)",
}


class Timers:
    def __init__(self) -> None:
        self.acc: dict[str, float] = {}

    @contextlib.contextmanager
    def installed(self) -> Iterator[Timers]:
        import cchc_xlsx.checking.validate as validate_mod
        import cchc_xlsx.merging.merge as merge_mod
        import cchc_xlsx.merging.merge_writer as writer_mod

        # merge imported check_files by name; it imports write_consolidated at call time
        targets = [(validate_mod, "read_all", "read_all"),
                   (merge_mod, "check_files", "check_files"),
                   (writer_mod, "write_consolidated", "write")]
        saved = []
        for module, name, label in targets:
            orig = getattr(module, name)
            saved.append((module, name, orig))
            setattr(module, name, self._timed(orig, label))
        try:
            yield self
        finally:
            for module, name, orig in saved:
                setattr(module, name, orig)

    def _timed(self, func: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.acc[label] = self.acc.get(label, 0.0) + time.perf_counter() - t0
        return timed

    def phases(self, total: float) -> dict[str, float]:
        read = self.acc.get("read_all", 0.0)
        check = self.acc.get("check_files", 0.0)
        write = self.acc.get("write", 0.0)
        return {"read": read, "checks": check - read, "aggregate": total - check - write,
                "write": write}


# --- the reference: bare python-calamine read and stack ----------------------------------


def _calamine_rows(path: str) -> list[list[Any]]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(path)
    rows: list[list[Any]] = []
    for name in wb.sheet_names:
        rows.extend(wb.get_sheet_by_name(name).to_python())
    return rows


def calamine_stack(paths: list[str], procs: int) -> int:
    if procs <= 1:
        parts = [_calamine_rows(p) for p in paths]
    else:
        with Pool(procs) as pool:
            parts = pool.map(_calamine_rows, paths, chunksize=16)
    stacked = [row for part in parts for row in part]
    return len(stacked)


# --- the memory run: the CLI under a wrapper --------------------------------------------


def child_main(argv: list[str]) -> int:
    """``--rusage-child OUT.json cli-args…``: run the CLI in process, then record rusage."""
    import resource

    out_json, cli_args = argv[0], argv[1:]
    timers = Timers()
    sys.argv = ["cchc-xlsx", *cli_args]
    t0 = time.perf_counter()
    with timers.installed():
        from cchc_xlsx.cli import main as cli_main

        try:
            cli_main()
            code: Any = 0
        except SystemExit as exc:
            code = exc.code
    wall = time.perf_counter() - t0
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    info = {
        "exit": code if isinstance(code, int) else 1,
        "wall_s": wall,
        "phases": timers.phases(wall),
        "self_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
        "children_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale,
    }
    Path(out_json).write_text(json.dumps(info))
    print(f"RUSAGE self={info['self_maxrss']} children={info['children_maxrss']}",
          file=sys.stderr)
    return 0


class TreeSampler(threading.Thread):
    """Sum of RSS and PSS over a process and its descendants, sampled periodically."""

    def __init__(self, root: int, every: float = SAMPLE_EVERY) -> None:
        super().__init__(daemon=True)
        self.root, self.every = root, every
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.max_procs = 0
        self.samples = 0
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.has_pss = Path("/proc/self/smaps_rollup").exists()

    def _children(self, pid: int) -> list[int]:
        out: list[int] = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
        return out

    def _tree(self) -> list[int]:
        todo, seen = [self.root], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo.extend(self._children(pid))
        return seen

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1]) * self.page
        except (OSError, IndexError, ValueError):
            return 0

    def _pss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            pass
        return 0

    def run(self) -> None:
        if not Path("/proc").is_dir():
            return
        while not self.stop.is_set():
            pids = self._tree()
            rss = sum(self._rss(p) for p in pids)
            pss = sum(self._pss(p) for p in pids) \
                if self.has_pss and self.samples % PSS_EVERY == 0 else 0
            with self.lock:
                self.peak_rss = max(self.peak_rss, rss)
                self.peak_pss = max(self.peak_pss, pss)
                self.max_procs = max(self.max_procs, len(pids))
                self.samples += 1
            self.stop.wait(self.every)


@dataclass
class MemoryRun:
    files: int
    wall_s: float
    exit: int
    phases: dict[str, float]
    self_maxrss: int | None  # None: the run was stopped at the timeout
    children_maxrss: int | None
    time_maxrss: int | None  # /usr/bin/time -v: the largest single process
    time_wall: str | None
    sampled_rss: int
    sampled_pss: int
    max_procs: int
    samples: int
    out_bytes: int
    stdout_tail: str


def memory_run(cli_args: list[str], out: Path, n: int, timeout: float) -> MemoryRun:
    gnu_time = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    with tempfile.TemporaryDirectory(prefix="cchc-bench-mem-") as tmp:
        rjson, tfile = Path(tmp) / "rusage.json", Path(tmp) / "time.txt"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--rusage-child", str(rjson),
               *cli_args]
        if gnu_time:
            cmd = [gnu_time, "-v", "-o", str(tfile), *cmd]
        t0 = time.perf_counter()
        # a session of its own, so a run stopped at the timeout takes its pool with it
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started above
            stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t0
        sampler.stop.set()
        sampler.join()
        if rjson.exists():
            info = json.loads(rjson.read_text())
        elif wall >= timeout:
            info = {"exit": -1, "phases": {}, "self_maxrss": None, "children_maxrss": None}
        else:
            raise SystemExit(f"memory run failed (exit {proc.returncode}):\n{stderr[-3000:]}")
        time_rss = time_wall = None
        if gnu_time and tfile.exists():
            text = tfile.read_text()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
            time_rss = int(m.group(1)) * 1024 if m else None
            m = re.search(r"Elapsed \(wall clock\) time.*?\): (\S+)", text)
            time_wall = m.group(1) if m else None
    return MemoryRun(n, wall, info["exit"], info["phases"], info["self_maxrss"],
                     info["children_maxrss"], time_rss, time_wall, sampler.peak_rss,
                     sampler.peak_pss, sampler.max_procs, sampler.samples,
                     out.stat().st_size if out.exists() else 0,
                     "\n".join(stdout.strip().splitlines()[:2]))


# --- measuring --------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    label: str
    times: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def phase_median(self, phase: str) -> float:
        return statistics.median(p[phase] for p in self.phases)


def profile_merge(run: Callable[[], Any], top: int = 15) -> list[str]:
    """cProfile of one merge: own time inside cchc_xlsx, with the main caller."""
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    raw = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    own = sorted(((v[2], v[3], v[1], k) for k, v in raw.items() if "cchc_xlsx" in k[0]),
                 reverse=True)[:top]
    out = [f"hot spots inside cchc_xlsx (profiled total {total:.2f} s; own time; cumulative; "
           f"calls; main caller):"]
    for tt, ct, calls, k in own:
        callers = raw[k][4]
        by = max(callers, key=lambda c: callers[c][3], default=None)
        caller = f"{Path(by[0]).name}:{by[1]} {by[2]}" if by else ""
        where = f"{Path(k[0]).name}:{k[1]} {k[2]}"
        out.append(f"  {where:<44}{tt:>8.3f} s{ct:>9.3f} s{calls:>10}  ← {caller}")
    overall = sorted(((v[2], v[1], k) for k, v in raw.items()), reverse=True)[:8]
    out += ["", "hot spots overall (own time; calls):"]
    for tt, calls, (f, ln, fn) in overall:
        short = "/".join(Path(f).parts[-2:]) if f != "~" else "(builtin)"
        out.append(f"  {f'{short}:{ln} {fn}'[:66]:<66}{tt:>8.3f} s{calls:>10}")
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def fmt_mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b / MB:,.0f} MB"


def compile_package() -> None:
    """Write the package's bytecode before timing the CLI: an installed wheel carries it,
    but an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as here) would compile every
    module of cchc_xlsx again in each CLI process, which is no part of validating."""
    compileall.compile_dir(str(ROOT / "cchc_xlsx"), quiet=1, force=False)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rusage-child"]:
        return child_main(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=TARGET_FILES,
                    help=f"files for the timed runs (default {TARGET_FILES})")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions (median; default 3)")
    ap.add_argument("--memory-files", type=int, default=MEMORY_FILES,
                    help=f"files for the memory run (default {MEMORY_FILES})")
    ap.add_argument("--skip-memory", action="store_true", help="leave out the memory run")
    ap.add_argument("--memory-timeout", type=float, default=MEMORY_TIMEOUT,
                    help=f"stop the memory run after this many seconds (default "
                         f"{MEMORY_TIMEOUT:g}); the sampled peaks so far are reported")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 50 files × 1, memory run on 200")
    ap.add_argument("--profile", action="store_true",
                    help="always profile one merge (otherwise only when a target fails)")
    ap.add_argument("--no-profile", action="store_true", help="never profile")
    ap.add_argument("--no-reference", action="store_true",
                    help="leave out the bare python-calamine reference")
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "cchc-bench-merge",
                    help="where the returns are kept between runs (one folder per N)")
    ap.add_argument("--rebuild", action="store_true", help="remake the cached returns")
    ap.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    ap.add_argument("--period", default=DEFAULT_PERIOD)
    args = ap.parse_args(argv)
    if args.quick:
        args.files, args.repeat, args.memory_files = 50, 1, 200

    sys.path.insert(0, str(ROOT))  # tests.fill
    from importlib.metadata import version

    from cchc_xlsx.checking.validate import expand_paths
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.units import load_units

    cores = os.cpu_count() or 1
    procs = min(cores, 8)  # what read_all uses by default
    n = args.files
    cli = str(Path(sys.executable).with_name("cchc-xlsx"))
    if not Path(cli).exists():
        cli = shutil.which("cchc-xlsx") or "cchc-xlsx"

    print(f"cchc-xlsx merge benchmark: {n} returned workbooks × {len(FORMS)} report forms "
          f"({', '.join(FORMS)}); memory run on "
          f"{'(skipped)' if args.skip_memory else args.memory_files}")
    print(f"plan {args.plan.name}, period {args.period}; machine: {cores} cores "
          f"(os.cpu_count), load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"python-calamine {version('python-calamine')}, xlsxwriter {version('xlsxwriter')}, "
          f"pandas {version('pandas')}, pandera {version('pandera')}")

    compile_package()
    t0 = time.perf_counter()
    folder, units_csv, manifest = ensure_returns(n, args.plan, args.period, args.cache,
                                                 args.rebuild)
    print(f"returns: {describe_cache(folder, manifest, time.perf_counter() - t0)}")
    paths = [str(p) for p in expand_paths([folder])]
    size = sum(Path(p).stat().st_size for p in paths)
    print(f"  {len(paths)} files, {size / len(paths) / 1024:.1f} KB each; units {units_csv}")

    plan = load_plan(args.plan)
    units = load_units(units_csv)
    office = office_from_units(units, plan)
    work = Path(tempfile.mkdtemp(prefix="cchc-bench-merge-out-"))

    def check_result(result: Any, count: int) -> None:
        bad = [s for s in result.submissions if s.status != "valid"]
        if result.exit_code != 0 or len(result.aggregate.units) != count or bad:
            raise SystemExit(f"merge: exit {result.exit_code}, {len(result.aggregate.units)} "
                             f"units counted of {count}, {len(bad)} not valid "
                             f"(first: {bad[0].status if bad else ''} "
                             f"{bad[0].note if bad else ''})")

    def cli_args(src: Path, csv_path: Path, out: Path) -> list[str]:
        return ["merge", str(src), "--plan", str(args.plan), "--units", str(csv_path),
                "--period", args.period, "--out", str(out)]

    # warm up: imports, the catalog, the page cache; nothing timed here
    warm_page_cache(folder)
    few = paths[:min(n, 5)]
    merge(few, plan, units, args.period, work / "warm.xlsx", office)  # most units missing

    api = Series(f"merge() in process, {procs} procs", "api")
    cli_s = Series("CLI merge end to end", "cli")
    ref = Series(f"bare calamine read+stack, {procs} procs", "calamine")
    series = [api, cli_s] + ([] if args.no_reference else [ref])
    out_size = 0
    print(f"repetitions: {args.repeat} (interleaved; median shown)", flush=True)
    for rep in range(args.repeat):
        timers = Timers()
        out = work / f"api-{rep}.xlsx"
        with timers.installed():
            t0 = time.perf_counter()
            result = merge([folder], plan, units, args.period, out, office)
            elapsed = time.perf_counter() - t0
        check_result(result, n)
        out_size = out.stat().st_size
        api.times.append(elapsed)
        api.phases.append(timers.phases(elapsed))

        out = work / f"cli-{rep}.xlsx"
        t0 = time.perf_counter()
        proc = subprocess.run([cli, *cli_args(folder, units_csv, out)], cwd=ROOT,
                              capture_output=True, text=True)
        cli_s.times.append(time.perf_counter() - t0)
        if proc.returncode != 0 or f"Đã nộp: {n}/{n} " not in proc.stdout:
            raise SystemExit(f"CLI: exit {proc.returncode}\n{proc.stdout[-2000:]}"
                             f"\n{proc.stderr[-2000:]}")

        if not args.no_reference:
            t0 = time.perf_counter()
            calamine_stack(paths, procs)
            ref.times.append(time.perf_counter() - t0)
        ph = api.phases[-1]
        print(f"  rep {rep + 1}: " + ", ".join(f"{s.label} {s.times[-1]:.2f}s" for s in series)
              + "  (api: " + ", ".join(f"{p} {ph[p]:.2f}" for p in PHASES) + ")", flush=True)

    mem: MemoryRun | None = None
    if not args.skip_memory:
        m = args.memory_files
        t0 = time.perf_counter()
        mfolder, mcsv, mmanifest = ensure_returns(m, args.plan, args.period, args.cache,
                                                  args.rebuild)
        print(f"memory returns: {describe_cache(mfolder, mmanifest, time.perf_counter() - t0)}")
        warmed = warm_page_cache(mfolder)
        print(f"  page cache warmed ({warmed:.1f} s); running the CLI under "
              f"{'/usr/bin/time -v and ' if Path('/usr/bin/time').exists() else ''}"
              f"the rusage wrapper…", flush=True)
        mout = work / "memory.xlsx"
        mem = memory_run(cli_args(mfolder, mcsv, mout), mout, m, args.memory_timeout)
        if mem.self_maxrss is None:
            print(f"  stopped at the timeout ({args.memory_timeout:g} s): only the sampled "
                  f"peaks so far are known")
        elif mem.exit != 0:
            print(f"  warning: the CLI exited {mem.exit}: {mem.stdout_tail}")

    # --- the report ---------------------------------------------------------------------
    print()
    print(f"{'variant':<46}{'files':>6}{'median s':>10}{'ms/file':>9}{'share':>7}   runs")
    for s in series:
        print(f"{s.name:<46}{n:>6}{s.median:>10.2f}{s.median / n * 1e3:>9.2f}{'':>7}   "
              + " ".join(f"{t:.2f}" for t in s.times))
        if s is api:
            for p in PHASES:
                v = s.phase_median(p)
                print(f"  {PHASE_LABELS[p]:<44}{'':>6}{v:>10.2f}{v / n * 1e3:>9.2f}"
                      f"{v / s.median:>7.0%}   " + " ".join(f"{x[p]:.2f}" for x in s.phases))
    print(f"  consolidated workbook: {out_size / 1024:.0f} KB")
    print(f"  CLI − in process (start-up, imports, units CSV, plan): "
          f"{cli_s.median - api.median:+.2f} s")
    ratio = None
    if ref.times:
        # one ratio per repetition (both sides ran back to back), then their median: a
        # burst of load elsewhere slows one repetition's pair, not one side of the table
        ratio = statistics.median(a / r for a, r in zip(api.times, ref.times, strict=True))
        print(f"  merge() / bare calamine read+stack, median of the per-repetition ratios: "
              f"{ratio:.2f}×")

    if mem is not None:
        workers = procs if mem.files >= 40 else 1  # read_all's pool (none under 40 files)
        done = mem.self_maxrss is not None and mem.children_maxrss is not None
        bound = strict = None
        if mem.self_maxrss is not None and mem.children_maxrss is not None:
            bound = mem.self_maxrss + mem.children_maxrss
            strict = mem.self_maxrss + workers * mem.children_maxrss
        print()
        print(f"memory run: {mem.files} returns, CLI main in process under the rusage "
              f"wrapper ({f'exit {mem.exit}' if done else 'STOPPED at the timeout'})")
        inside = ", ".join(f"{p} {mem.phases[p]:.1f} s" for p in PHASES if p in mem.phases)
        print(f"  wall time {mem.wall_s:.1f} s ({mem.wall_s / mem.files * 1e3:.2f} ms/file; "
              f"/usr/bin/time: {mem.time_wall or 'n/a'}); inside the wrapper: "
              f"{inside or 'n/a'}")
        if done:
            print(f"  consolidated workbook: {mem.out_bytes / 1024:.0f} KB; "
                  f"{mem.stdout_tail.splitlines()[0] if mem.stdout_tail else ''}")
        rows = [
            ("parent peak RSS (RUSAGE_SELF)", mem.self_maxrss),
            ("largest child peak RSS (RUSAGE_CHILDREN)", mem.children_maxrss),
            ("parent + largest child (upper bound)", bound),
            (f"parent + {workers} workers × largest child", strict),
            ("/usr/bin/time -v max RSS (one process)", mem.time_maxrss),
            (f"sampled Σ RSS of the tree, peak ({mem.samples} samples)", mem.sampled_rss),
            ("sampled Σ PSS of the tree, peak", mem.sampled_pss or None),
        ]
        for label, value in rows:
            print(f"  {label:<52}{fmt_mb(value):>10}")
        print(f"  (most processes seen at once in the tree: {mem.max_procs}"
              f"{', counting /usr/bin/time' if mem.time_maxrss is not None else ''}; PSS read "
              f"on every {PSS_EVERY}th sample)")

    print()
    scale = n / TARGET_FILES
    label = f"{TARGET_FILES} files" if n == TARGET_FILES else \
        f"{TARGET_FILES} files, extrapolated linearly from {n}"
    api_s, cli_t = api.median / scale, cli_s.median / scale
    time_ok = api_s <= TARGET_SECONDS and cli_t <= TARGET_SECONDS
    print(f"target: ≤ {TARGET_SECONDS:g} s for {TARGET_FILES} files, merge() in process "
          f"({procs} procs): {api_s:.2f} s ({label})  {verdict(api_s <= TARGET_SECONDS)}")
    print(f"target: ≤ {TARGET_SECONDS:g} s for {TARGET_FILES} files, CLI end to end: "
          f"{cli_t:.2f} s ({label})  {verdict(cli_t <= TARGET_SECONDS)}")
    if ratio is not None:
        print(f"target: merge() in process ≤ {TARGET_RATIO:g}× bare calamine read+stack, same "
              f"run: {ratio:.2f}×  {verdict(ratio <= TARGET_RATIO)}")
    write_s = api.phase_median("write") / scale
    print(f"target: writing the consolidated workbook ≤ {TARGET_WRITE_SECONDS:g} s for "
          f"{TARGET_FILES} units: {write_s:.2f} s ({label})  "
          f"{verdict(write_s <= TARGET_WRITE_SECONDS)}")
    mem_ok = True
    if mem is not None:
        at = "" if mem.files == MEMORY_FILES else f" (measured at {mem.files} files, not " \
            f"{MEMORY_FILES}: not comparable)"
        if mem.self_maxrss is not None and mem.children_maxrss is not None:
            bound = mem.self_maxrss + mem.children_maxrss
            mem_ok = bound <= TARGET_BYTES
            print(f"target: ≤ 1 GB peak for {MEMORY_FILES} returns, parent + largest child "
                  f"peak RSS: {fmt_mb(bound)}{at}  {verdict(mem_ok)}")
        else:  # stopped: a sampled peak above the target already fails it
            mem_ok = False
            known = "FAIL" if mem.sampled_rss > TARGET_BYTES else "UNKNOWN (run stopped)"
            print(f"target: ≤ 1 GB peak for {MEMORY_FILES} returns: run stopped at the timeout; "
                  f"sampled Σ RSS so far {fmt_mb(mem.sampled_rss)}{at}  {known}")
    if cores != 2:
        print(f"note: the targets are for the 2-core machine; this one has {cores}")

    if args.profile or (not args.no_profile and not (time_ok and mem_ok)):
        print()
        print(f"profile: one merge() of {n} files with workers=1 (reading in this process), "
              f"under cProfile:")
        print("\n".join(profile_merge(lambda: merge(
            [folder], plan, units, args.period, work / "profile.xlsx", office, workers=1))))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
