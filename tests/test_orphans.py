"""Issue 17: after ``kill -9`` of the server (or of any caller of the isolated readers) no
helper process stays behind: the forkserver, its pool workers, the reader workers and the
resource tracker all go within a few seconds (Linux: ``cchc_xlsx.lifeline``)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from .server_kit import Server, prepare

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc; the parent-death signal is Linux's")


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc (psutil is not a dependency)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is gone for our purpose)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _survivors(pids: list[int], within: float) -> list[int]:
    deadline = time.monotonic() + within
    while True:
        left = [p for p in pids if _alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _reap(pids: list[int]) -> None:
    for pid in pids:  # only the helpers this test started
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def test_kill_9_of_the_server_leaves_no_helper(tmp_path):
    data = tmp_path / "data"
    links = prepare(data)
    server = Server(data)
    helpers: list[int] = []
    try:
        code = next(iter(links))
        with httpx.Client(base_url=server.url, timeout=60) as h:
            template = h.get(links[code] + "/mau").content
            token = re.search(r'name="csrf" value="([^"]+)"', h.get(links[code]).text).group(1)
            r = h.post(links[code] + "/nop", data={"csrf": token},
                       files={"tep": ("bao-cao.xlsx", template)})
        assert r.status_code == 303
        helpers = _tree(server.proc.pid)[1:]
        assert len(helpers) >= 3, helpers  # forkserver, two workers (and the tracker)
        server.proc.kill()
        server.proc.wait()
        left = _survivors(helpers, 5)
        assert not left, [open(f"/proc/{p}/cmdline").read() for p in left if _alive(p)]
    finally:
        server.stop()
        _reap([p for p in helpers if _alive(p)])


def test_kill_9_of_a_caller_ends_its_reader_workers(tmp_path):
    """A reader worker busy with a long file does not outlive its killed caller."""
    script = textwrap.dedent("""
        import sys, time
        from cchc_xlsx.reading.isolation import imap_isolated
        def slow(job):
            time.sleep(job)
            return job
        for r in imap_isolated(slow, [60, 60], 2, timeout=120):
            pass
    """)
    caller = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _tree(caller.pid)[1:]
        assert len(workers) == 2, workers
        caller.kill()
        caller.wait()
        assert not _survivors(workers, 5)
    finally:
        caller.kill()
        _reap([p for p in workers if _alive(p)])
