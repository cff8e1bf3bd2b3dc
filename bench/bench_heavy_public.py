"""Benchmark (issue 17): three hostile files on the public check page against one school.

The audit's heavy file: a real return plus 8,000 extra rows × 26 long strings on the
tasks sheet (≈190 MB of XML, under the guard's 200 MB; 16,000 findings). Three of them are
sent to ``/kiem-tra`` at once; one second later a school sends its 25 KB return through its
link. Measured: the school's time from POST to its findings page, each heavy request's time
and status, and the server tree's peak RSS (uvicorn, forkserver, workers; sampled every
0.1 s). Target: the school ≤ 3 s, the tree ≤ 800 MB.

    python bench/bench_heavy_public.py [--runs 3]

Files are cached under ``<tmp>/cchc-bench-heavy``; each run uses a fresh data folder and
``cchc-xlsx serve --workers 2`` on 127.0.0.1. Exit status is always 0 (a benchmark).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_portal_load import tree_rss  # noqa: E402
from tests.server_kit import Server, prepare  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "cchc-bench-heavy"


def files() -> tuple[Path, Path]:
    """(a school's clean return for MN-TT, the heavy file), built once."""
    heavy, school = CACHE / "heavy.xlsx", CACHE / "school.xlsx"
    if heavy.exists() and school.exists():
        return school, heavy
    from openpyxl import load_workbook

    from tests.portal_kit import clean_return, open_portal

    data = CACHE / "build"
    shutil.rmtree(data, ignore_errors=True)
    portal, rnd, _ = open_portal(data)
    good = clean_return(portal, rnd, "MN-TT", CACHE / "r")
    portal.pool.shutdown()
    shutil.copy(good, school)
    wb = load_workbook(good)
    ws = wb.worksheets[0]
    rng = random.Random(1)
    words = ("báo cáo cải cách hành chính nhiệm vụ chỉ tiêu thủ tục đơn vị trường học "
             "kết quả").split()
    base = " ".join(rng.choice(words) for _ in range(82))
    start = ws.max_row + 1
    for r in range(8000):
        for c in range(1, 27):
            ws.cell(start + r, c).value = f"{base} {r}-{c}"
    wb.save(heavy)
    return school, heavy


def csrf(client: httpx.Client, url: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert m
    return m.group(1)


def one_run(school: Path, heavy: Path) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="cchc-heavy-"))
    data = work / "data"
    links = prepare(data)
    server = Server(data, workers=2)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(server.proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    heavy_times: list[tuple[int, float]] = []

    def public() -> None:
        with httpx.Client(base_url=server.url, timeout=300) as c:
            token = csrf(c, "/kiem-tra")
            t = time.perf_counter()
            r = c.post("/kiem-tra", data={"csrf": token, "dot": "1"},
                       files={"tep": ("nang.xlsx", heavy.read_bytes())})
            heavy_times.append((r.status_code, time.perf_counter() - t))

    try:
        threads = [threading.Thread(target=public) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        with httpx.Client(base_url=server.url, timeout=300, follow_redirects=True) as c:
            link = links["MN-TT"]
            token = csrf(c, link)
            t = time.perf_counter()
            r = c.post(f"{link}/nop", data={"csrf": token},
                       files={"tep": (school.name, school.read_bytes())})
            school_s = time.perf_counter() - t
            assert r.status_code == 200 and "bien-nhan" in str(r.url), r.status_code
        for t in threads:
            t.join()
    finally:
        stop.set()
        sampler.join()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"  school {school_s:.2f} s; heavy " + ", ".join(f"{s} in {d:.1f} s"
                                                        for s, d in heavy_times)
          + f"; peak tree RSS {peak[0] / 2**20:.0f} MB")
    return {"school": school_s, "rss": peak[0] / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    CACHE.mkdir(exist_ok=True)
    school, heavy = files()
    results = [one_run(school, heavy) for _ in range(runs)]
    print(f"median of {runs}: school {statistics.median(r['school'] for r in results):.2f} s, "
          f"peak tree RSS {statistics.median(r['rss'] for r in results):.0f} MB "
          "(targets ≤ 3 s, ≤ 800 MB)")


if __name__ == "__main__":
    main()
