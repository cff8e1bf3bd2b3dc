"""Run the readers in worker processes that one file cannot take down with the batch.

A spreadsheet parser is native code: a hostile or merely odd file can make it abort the
process (python-calamine does, on an allocation it cannot make), loop, or eat all memory.
So every file is read in a worker process with an address-space limit (``RLIMIT_AS``: a huge
allocation fails at once instead of swapping the machine) and a time limit; a worker that
dies or overruns costs only the file it was reading, which comes back as a ``Failure``, and
a fresh worker takes its place for the remaining files. The worker's stderr is closed so a
native crash prints no backtrace at the user, and on Linux a worker dies with the process
that started it, even when that one is killed outright (``cchc_xlsx.lifeline``).

Each worker holds at most four files (the one it reads and three queued), so the parent never
waits to hand out work; results are yielded in the order of the jobs.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import select
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

#: Seconds one file may take to read (a normal return takes a few hundredths of a second).
READ_TIMEOUT = float(os.environ.get("CCHC_READ_TIMEOUT", "120"))
#: Memory a worker may allocate beyond what it holds when it starts, in MB.
READ_MEMORY_MB = int(os.environ.get("CCHC_READ_MEMORY_MB", "1536"))
#: Files a worker holds: the one it reads and three queued behind it. With one queued, a
#: worker ran dry whenever the parent was late to hand out the next (busy stacking a
#: result, or holding the interpreter lock while a thread imports pandas in the CLI): about
#: one file in ten of a 1,000-file CLI validate, against one in seventy with three queued.
_AHEAD = 4


@dataclass(frozen=True)
class Failure:
    """A job whose worker died ("crashed": killed, aborted, out of memory) or overran
    ("timeout")."""

    reason: str


def _address_space() -> int:
    """This process's current virtual size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


def _limit_memory(extra_mb: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still applies
        return
    current = _address_space()
    if not current or extra_mb <= 0:
        return
    limit = current + extra_mb * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _silence_stderr() -> None:
    """A native abort writes its backtrace to fd 2; the user must not see it."""
    import faulthandler

    faulthandler.disable()  # a host (pytest) may have it write to its own copy of stderr
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _worker(conn: Any, fn: Callable[[Any], Any], initializer: Callable[..., None] | None,
            initargs: tuple, memory_mb: int, parent: int) -> None:
    from cchc_xlsx.lifeline import die_with_parent

    die_with_parent(parent)  # a killed caller (kill -9 of the portal) takes its readers along
    gc.enable()  # a parent may pause its collector while it collects results (validate)
    _silence_stderr()
    if initializer is not None:
        initializer(*initargs)
    _limit_memory(memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = fn(job)
        except MemoryError:
            return  # the parent sees the worker gone: this file, and only it, failed
        conn.send(result)


class _Slot:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], initializer: Any, initargs: tuple,
                 memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, initializer, initargs,
                                                      memory_mb, os.getpid()),
                                daemon=True)
        self.proc.start()
        child.close()
        self.held: deque[int] = deque()  # job indexes sent, oldest (being read) first
        self.since = time.monotonic()  # when the oldest held job started
        # its pipe alone, polled for each result: ``conn.poll`` builds a selector per call
        self._pipe = select.poll() if hasattr(select, "poll") else None
        if self._pipe is not None:
            self._pipe.register(self.conn.fileno(), select.POLLIN)

    def has_result(self) -> bool:
        """``conn.poll()``: a result (or the end of the pipe: ``recv`` then raises) waits."""
        if self._pipe is None:
            return self.conn.poll()
        return bool(self._pipe.poll(0))

    def stop(self, kill: bool = False) -> None:
        if kill and self.proc.is_alive():
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class _Waiter:
    """Waits for the busy workers' pipes and process sentinels with one ``poll`` object
    kept across results, registering only the changes: ``connection.wait`` builds (and
    closes) a selector with every descriptor registered anew for each result, a thousand
    times a batch, in the parent that also unpickles and stacks the results. Where there
    is no ``poll`` (Windows), ``connection.wait`` as before."""

    def __init__(self) -> None:
        self.poller = select.poll() if hasattr(select, "poll") else None
        self.fds: set[int] = set()

    def ready(self, busy: list[Any], timeout: float) -> set[Any]:
        """What is ready among the busy slots' connections and sentinels: the objects
        themselves without ``poll``, their descriptors with it."""
        if self.poller is None:
            return set(wait([s.conn for s in busy] + [s.proc.sentinel for s in busy],
                            timeout=timeout))
        wanted = {fd for s in busy for fd in (s.conn.fileno(), s.proc.sentinel)}
        for fd in self.fds - wanted:  # idle or stopped (closed) since: not to be polled
            self.poller.unregister(fd)
        for fd in wanted - self.fds:
            self.poller.register(fd, select.POLLIN)
        self.fds = wanted
        if not wanted:
            return set()
        # any event counts, as for ``wait``: data, the other end closed, an error
        return {fd for fd, _ in self.poller.poll(math.ceil(timeout * 1000))}

    def holds(self, ready: set[Any], slot: Any) -> bool:
        if self.poller is None:
            return slot.conn in ready or slot.proc.sentinel in ready
        return slot.conn.fileno() in ready or slot.proc.sentinel in ready


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@contextmanager
def _frozen_for_fork() -> Iterator[None]:
    """Workers forked inside see the parent's objects in the collector's permanent
    generation (``gc.freeze``, as Python's documentation advises before ``fork``): their
    collections then neither walk nor write to those shared pages, so fewer of them are
    copied (about 15 % fewer page faults over a 1,000-file check). The parent's own
    collector is as it was once the workers are started; a process that froze objects of
    its own keeps them frozen (nothing is done then)."""
    if _context().get_start_method() != "fork" or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def imap_isolated(fn: Callable[[Any], Any], jobs: Sequence[Any], workers: int,
                  initializer: Callable[..., None] | None = None, initargs: tuple = (),
                  timeout: float | None = None, memory_mb: int | None = None,
                  on_started: Callable[[], None] | None = None) -> Iterator[Any]:
    """``fn(job)`` for every job in worker processes; yields, in job order, each result or
    a ``Failure``. ``fn``, ``initializer`` and the jobs must be picklable where processes
    are spawned. ``on_started`` runs once every first worker is up (the parent may then
    start threads of its own)."""
    timeout = READ_TIMEOUT if timeout is None else timeout
    memory_mb = READ_MEMORY_MB if memory_mb is None else memory_mb
    if not jobs:
        return
    ctx = _context()
    with _frozen_for_fork():
        slots: list[Any] = [_Slot(ctx, fn, initializer, initargs, memory_mb)
                            for _ in range(max(1, min(workers, len(jobs))))]
    if on_started is not None:
        on_started()
    pending: deque[int] = deque(range(len(jobs)))
    done: dict[int, Any] = {}
    next_out = 0
    spawns = len(slots)
    waiter = _Waiter()
    try:
        while next_out < len(jobs):
            if spawns > 2 * len(jobs) + 8:  # workers die before reading anything: give up
                for index in pending:
                    done[index] = Failure("crashed")
                pending.clear()
            for i, slot in enumerate(slots):
                while pending and len(slot.held) < _AHEAD:
                    index = pending.popleft()
                    try:
                        slot.conn.send(jobs[index])
                    except (OSError, ValueError):  # the worker died: its held job is to blame
                        pending.appendleft(index)
                        if not slot.held:  # nothing to blame: just replace it
                            slot.stop(kill=True)
                            slots[i] = _Slot(ctx, fn, initializer, initargs, memory_mb)
                            spawns += 1
                        break
                    if not slot.held:
                        slot.since = time.monotonic()
                    slot.held.append(index)
            busy = [s for s in slots if s.held]
            now = time.monotonic()
            wait_for = max(0.0, min(s.since + timeout - now for s in busy)) if busy else 0
            ready = waiter.ready(busy, wait_for)
            for i, slot in enumerate(slots):
                if not slot.held:
                    continue
                failed = None
                if waiter.holds(ready, slot):
                    try:
                        while slot.held and slot.has_result():
                            done[slot.held.popleft()] = slot.conn.recv()
                            slot.since = time.monotonic()
                    except (EOFError, OSError):
                        failed = "crashed"
                    if failed is None and slot.held and not slot.proc.is_alive():
                        failed = "crashed"
                elif time.monotonic() - slot.since > timeout:
                    failed = "timeout"
                if failed is None:
                    continue
                culprit = slot.held.popleft()
                done[culprit] = Failure(failed)
                pending.extendleft(reversed(slot.held))  # not started: read them elsewhere
                slot.held.clear()
                slot.stop(kill=True)
                slots[i] = _Slot(ctx, fn, initializer, initargs, memory_mb) if pending else None
                spawns += 1
            slots = [s for s in slots if s is not None]
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for slot in slots:
            slot.stop(kill=bool(slot.held))


__all__ = ["Failure", "READ_MEMORY_MB", "READ_TIMEOUT", "imap_isolated"]
