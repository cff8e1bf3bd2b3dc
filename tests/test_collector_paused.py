"""validate pauses the cyclic collector in the parent while it gathers the batch (issue 18):
the collector's state comes back as it was, even when the check fails, the workers still
collect, and the findings are those of a run with the collector left alone."""

from __future__ import annotations

import contextlib
import gc
from datetime import date
from pathlib import Path

import pytest

from cchc_xlsx.checking import validate as v
from cchc_xlsx.reading.isolation import imap_isolated

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "returns"
TODAY = date(2026, 12, 5)


def _collector_on(_job: int) -> bool:
    return gc.isenabled()


def _findings(report) -> list[tuple]:
    return [(i.file, i.rule_id, i.severity, i.message, i.sheet, i.cell, i.value, i.form_id,
             i.row_key) for f in report.files for i in f.issues]


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_restored_after(collector_on):
    with v._collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with v._collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


def test_restored_when_the_check_raises(collector_on, monkeypatch):
    def boom(*args, **kwargs):
        assert not gc.isenabled()
        raise RuntimeError("boom")

    monkeypatch.setattr(v, "_check_batch", boom)
    with pytest.raises(RuntimeError):
        v.validate([SAMPLES], today=TODAY, workers=1)
    assert gc.isenabled()


def test_workers_collect_while_the_parent_pauses(collector_on):
    with v._collector_paused():
        assert list(imap_isolated(_collector_on, [1, 2, 3], 2)) == [True, True, True]


def test_findings_as_with_the_collector_running(collector_on, monkeypatch):
    paused = _findings(v.validate([SAMPLES], today=TODAY, workers=2))
    assert gc.isenabled()
    monkeypatch.setattr(v, "_collector_paused", contextlib.nullcontext)
    running = _findings(v.validate([SAMPLES], today=TODAY, workers=2))
    assert paused == running
    assert paused  # the samples carry findings: the comparison is not of two empty lists


def test_checks_at_once_share_one_pause(collector_on):
    """Two checks overlapping in threads (the portal): the collector stays paused until
    the last ends, then is on again, whichever order they end in."""
    import threading

    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with v._collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with v._collector_paused():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())  # the first check has ended: still paused here

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]
    assert gc.isenabled()
