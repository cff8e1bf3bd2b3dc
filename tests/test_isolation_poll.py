"""The isolated readers wait with kept ``poll`` objects (issue 18): the results, the
crashes and the time-outs are those of ``connection.wait`` and ``conn.poll``, which they
replace."""

from __future__ import annotations

import os
import random
import time

import pytest

from cchc_xlsx.reading import isolation
from cchc_xlsx.reading.isolation import Failure, imap_isolated


def _job(x: str) -> str:
    if x == "abort":
        os.abort()
    if x == "exit":
        os._exit(3)
    if x == "hang":
        time.sleep(60)
    if x.startswith("nap"):
        time.sleep(float(x[3:]))
    return x.upper()


def _expected(jobs: list[str]) -> list:
    return [Failure("crashed") if j in ("abort", "exit") else Failure("timeout") if j == "hang"
            else j.upper() for j in jobs]


def _without_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    real = isolation._Waiter.__init__

    def init(self) -> None:
        real(self)
        self.poller = None  # as where there is no poll: connection.wait

    monkeypatch.setattr(isolation._Waiter, "__init__", init)
    monkeypatch.setattr(isolation._Slot, "has_result", lambda self: self.conn.poll())


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_poll_gives_what_wait_gave(workers, monkeypatch):
    rnd = random.Random(workers)
    jobs = [rnd.choice(["a", "b", "nap0.01", "nap0.05", "abort", "exit", "c"])
            for _ in range(40)] + (["hang"] if workers == 2 else []) + ["d"]
    by_poll = list(imap_isolated(_job, jobs, workers, timeout=2))
    with monkeypatch.context() as m:
        _without_poll(m)
        by_wait = list(imap_isolated(_job, jobs, workers, timeout=2))
    assert by_poll == by_wait == _expected(jobs)


def test_poll_follows_the_workers_it_waits_for(monkeypatch):
    """Only the busy workers' descriptors are polled: idle and replaced (closed) ones
    leave the set, new ones join it."""
    if not hasattr(isolation.select, "poll"):
        pytest.skip("no poll here")
    real = isolation._Waiter.ready
    seen: list[int] = []

    def ready(self, busy, timeout):
        out = real(self, busy, timeout)
        assert self.fds == {fd for s in busy for fd in (s.conn.fileno(), s.proc.sentinel)}
        for fd in self.fds:
            os.fstat(fd)  # open: no closed descriptor of a stopped worker is polled
        assert out <= self.fds
        seen.append(len(self.fds))
        return out

    monkeypatch.setattr(isolation._Waiter, "ready", ready)
    jobs = ["a", "exit", "b", "abort"] + ["x"] * 30 + ["nap0.2"]
    assert list(imap_isolated(_job, jobs, 2, timeout=5)) == _expected(jobs)
    assert 4 in seen and 2 in seen  # both workers busy, then one, at the end
