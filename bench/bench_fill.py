"""Benchmark: many schools filling their return in the browser at once, on loopback only.

Targets (issue 19), on the project's 2-core machine: 300 schools filling at once, drafts
saved every few seconds, p95 draft save ≤ 0.5 s and p95 send ≤ 3 s.

Each run: a fresh data folder with a round of the sample plan (``001-mntt-q8-2023``,
q1-2023) opened for N synthetic schools (``cchc-xlsx web open``), ``cchc-xlsx serve
--workers 2`` on 127.0.0.1 (a free port; nothing else is ever addressed), and N asyncio
clients in this one process (httpx, one keep-alive connection and cookie jar each, as a
browser tab). Each client starts at a random moment in the first ``--ramp`` seconds, opens
its fill page (the CSRF token and field names come from it), then saves its draft every
``--every`` seconds (±30 %), each save holding a larger part of a whole correct return
(``tests.fill_entries.clean_entries``), ``--saves`` times (``--checks`` extra server checks
along the way, none by default: the page checks as it is typed and asks the server only
after 8 s without typing); then reads it over for 0–``--review`` seconds (so sends spread
as people finish), the page asking the server's check once when that pause passes 8 s, and
sends. Latency is one request's round trip. Every save
must be accepted (version n → n+1) and every send recorded valid: the history's rows are
counted at the end. Each run prints the CPU seconds of the server's process tree and of
this client (its share of the machine), and the load average before and after: the
machine is shared.

    python bench/bench_fill.py                 # 300 schools, 3 runs, median of the p95s
    python bench/bench_fill.py --schools 50 --runs 1

Exit status is 0 whatever the result: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import html
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fill_entries import clean_entries  # noqa: E402
from tests.server_kit import free_port  # noqa: E402

PLAN = ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml"
PERIOD = "q1-2023"
START, END = date(2022, 12, 15), date(2023, 3, 4)
HOST = "127.0.0.1"
#: the fill page asks the server's check after this many seconds without typing (fill.js)
PAUSE_CHECK = 8.0
CLI = [sys.executable, "-m", "cchc_xlsx.cli"]


def units_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["mã", "tên", "cơ quan chủ quản", "địa danh", "chức danh", "tên người ký"])
        for i in range(1, n + 1):
            w.writerow([f"U{i:03d}", f"Trường Thử nghiệm số {i}", "ỦY BAN NHÂN DÂN QUẬN 8",
                        "Quận 8", "HIỆU TRƯỞNG", f"Người Ký {i}"])


def open_round(data: Path, n: int) -> dict[str, str]:
    units = data.parent / "don-vi.csv"
    units_csv(units, n)
    r = subprocess.run([*CLI, "web", "open", "--data", str(data), "--plan", str(PLAN),
                        "--units", str(units), "--period", PERIOD, "--due", "31/12/2099"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*CLI, "web", "links", "--data", str(data), "--period", PERIOD,
                        "--base-url", ""], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {line.split(",")[0]: line.rsplit(",", 1)[1] for line in r.stdout.splitlines()[1:]}


class Times:
    def __init__(self) -> None:
        self.save: list[float] = []
        self.check: list[float] = []
        self.send: list[float] = []
        self.page: list[float] = []
        self.failures: list[str] = []
        self.lag: list[float] = []


async def school(base: str, link: str, args: argparse.Namespace, times: Times,
                 rng: random.Random, limits: httpx.Limits) -> None:
    """One school: opens its page, types (a save every few seconds, as the page does after
    a pause), lets the server check now and then, reviews, sends. One keep-alive connection
    per school, like a browser tab; everything else is waiting (think time)."""
    await asyncio.sleep(rng.uniform(0, args.ramp))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        t = time.perf_counter()
        page = await client.get(link + "/dien-truc-tuyen")
        times.page.append(time.perf_counter() - t)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        names = [html.unescape(n) for n in re.findall(r'name="([^"]+)"[^>]*data-f', page.text)]
        whole = clean_entries(names, START, END)
        items = list(whole.items())
        version = 0
        check_at = {args.saves * (i + 1) // (args.checks + 1) for i in range(args.checks)}

        async def check(entries: dict[str, str]) -> None:
            t = time.perf_counter()
            r = await client.post(link + "/dien-truc-tuyen/kiem-tra",
                                  json={"csrf": csrf, "entries": entries})
            times.check.append(time.perf_counter() - t)
            if r.status_code not in (200, 429):
                times.failures.append(f"check {r.status_code}")

        for k in range(1, args.saves + 1):
            await asyncio.sleep(args.every * rng.uniform(0.7, 1.3))
            part = dict(items[: len(items) * k // args.saves])
            t = time.perf_counter()
            r = await client.post(link + "/dien-truc-tuyen/luu",
                                  json={"csrf": csrf, "version": version, "entries": part})
            times.save.append(time.perf_counter() - t)
            if r.status_code != 200:
                times.failures.append(f"save {r.status_code} {r.text[:60]}")
                return
            version = r.json()["version"]
            if k in check_at:
                await check(part)
        review = rng.uniform(0, args.review)  # reading it over before sending
        if review > PAUSE_CHECK:  # the page asks the server's check after a pause
            await asyncio.sleep(PAUSE_CHECK)
            await check(dict(items))
            review -= PAUSE_CHECK
        await asyncio.sleep(review)
        t = time.perf_counter()
        r = await client.post(link + "/dien-truc-tuyen/gui",
                              json={"csrf": csrf, "version": version})
        times.send.append(time.perf_counter() - t)
        if r.status_code != 200 or not r.json().get("new") or r.json()["errors"]:
            times.failures.append(f"send {r.status_code}")


def own_cpu(pid: int) -> float:
    """CPU seconds of one process (the server's event loop and its threads)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants, from
    /proc (the server's worker pool and forkserver are its grandchildren)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    mine, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in mine:
                mine.add(pid)
                todo.append(pid)
    return sum(stats[p][1] for p in mine if p in stats)


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def one_run(args: argparse.Namespace, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cchc-bench-fill-") as tmp:
        data = Path(tmp) / "data"
        links = open_round(data, args.schools)
        port = free_port()
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen([*CLI, "serve", "--data", str(data), "--host", HOST,
                                   "--port", str(port), "--workers", "2"],
                                  stdout=log, stderr=subprocess.STDOUT)
        base = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 300  # a loaded machine starts slowly
            while True:
                try:
                    if httpx.get(base + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            times = Times()
            rng = random.Random(seed)
            # a browser holds its connection between saves; the server keeps it 75 s
            limits = httpx.Limits(max_connections=1, keepalive_expiry=60)
            started = time.perf_counter()
            client0 = time.process_time()
            server0 = tree_cpu(server.pid)
            main0 = own_cpu(server.pid)

            async def one(link: str, r: random.Random) -> None:
                try:
                    await school(base, link, args, times, r, limits)
                except httpx.HTTPError as exc:  # a timeout counts as a failure, not a crash
                    times.failures.append(type(exc).__name__)

            async def lag_watch(done: asyncio.Event) -> None:
                # how late this client's own loop wakes up: part of every measured latency
                # that is the load generator's, not the server's
                while not done.is_set():
                    t = time.perf_counter()
                    await asyncio.sleep(0.05)
                    times.lag.append(time.perf_counter() - t - 0.05)

            async def everyone() -> None:
                done = asyncio.Event()
                watch = asyncio.ensure_future(lag_watch(done))
                await asyncio.gather(*(one(link, random.Random(rng.random()))
                                       for link in links.values()))
                done.set()
                await watch

            asyncio.run(everyone())
            wall = time.perf_counter() - started
            client_cpu = time.process_time() - client0
            server_cpu = tree_cpu(server.pid) - server0
            main_cpu = own_cpu(server.pid) - main0
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
        with sqlite3.connect(data / "cchc-lich-su.sqlite") as c:
            recorded = c.execute("SELECT count(*) FROM submissions WHERE valid = 1").fetchone()[0]
    load = os.getloadavg()[0]
    if not times.save or not times.send:
        raise SystemExit(f"nothing was measured: {Counter(times.failures)}")
    return {"load": load, "save_p95": p95(times.save),
            "save_median": statistics.median(times.save),
            "check_p95": p95(times.check), "send_p95": p95(times.send),
            "send_median": statistics.median(times.send), "page_p95": p95(times.page),
            "saves": len(times.save), "sends": len(times.send), "recorded": recorded,
            "failures": len(times.failures), "kinds": dict(Counter(times.failures)),
            "wall": wall, "client_cpu": client_cpu, "server_cpu": server_cpu,
            "main_cpu": main_cpu, "lag_p95": p95(times.lag)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", type=int, default=300)
    ap.add_argument("--saves", type=int, default=8, help="draft saves per school")
    ap.add_argument("--every", type=float, default=3.0, help="seconds between saves")
    ap.add_argument("--ramp", type=float, default=30.0, help="seconds over which schools start")
    ap.add_argument("--checks", type=int, default=0,
                    help="extra server checks per school while filling (the page itself asks "
                         "only after an 8 s pause, modelled during the review)")
    ap.add_argument("--review", type=float, default=30.0,
                    help="seconds (uniform 0..R) a school reads its return over before sending")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"{args.schools} schools, {args.saves} saves each every ~{args.every:g} s, "
          f"{args.checks} extra server checks, send after 0–{args.review:g} s of review; start "
          f"spread over {args.ramp:g} s; {os.cpu_count()} cores; server --workers 2")
    cores = os.cpu_count() or 1
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results = []
    for run in range(args.runs):
        res = one_run(args, run)
        results.append(res)
        print(f"run {run + 1}: save p95 {res['save_p95']:.3f} s (median "
              f"{res['save_median']:.3f}), check p95 {res['check_p95']:.2f} s, send p95 "
              f"{res['send_p95']:.2f} s (median {res['send_median']:.2f}), page p95 "
              f"{res['page_p95']:.2f} s; client's own loop lag p95 {res['lag_p95']:.2f} s; "
              f"{res['saves']} saves, {res['sends']} sends, "
              f"{res['recorded']} recorded valid, {res['failures']} failures {res['kinds'] or ''}, "
              f"{res['wall']:.0f} s wall; CPU: server tree {res['server_cpu']:.0f} s (its main "
              f"process {res['main_cpu']:.0f} s), this client "
              f"{res['client_cpu']:.0f} s ({100 * res['client_cpu'] / (res['wall'] * cores):.0f} % "
              f"of the machine); load average {res['load']:.1f}")
    save = statistics.median(r["save_p95"] for r in results)
    send = statistics.median(r["send_p95"] for r in results)
    lost = any(r["recorded"] != args.schools or r["failures"] for r in results)
    print(f"median of p95s: save {save:.3f} s ({'PASS' if save <= 0.5 else 'FAIL'} ≤ 0.5 s), "
          f"send {send:.2f} s ({'PASS' if send <= 3 else 'FAIL'} ≤ 3 s); "
          f"{'something was lost or refused' if lost else 'every save kept, every send recorded'}"
          f"; load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
