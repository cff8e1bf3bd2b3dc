"""Reading workers fork with the parent's objects frozen (``isolation._frozen_for_fork``)
and the parent's collector is as it was afterwards."""

from __future__ import annotations

import gc
import multiprocessing

import pytest

from cchc_xlsx.reading.isolation import imap_isolated

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork here")


def _frozen_in_worker(_job: int) -> int:
    return gc.get_freeze_count()


def test_workers_start_with_the_parents_objects_frozen() -> None:
    assert gc.get_freeze_count() == 0
    counts = list(imap_isolated(_frozen_in_worker, [1, 2, 3, 4], workers=2))
    assert all(count > 1000 for count in counts), counts
    assert gc.get_freeze_count() == 0  # the parent's collector sees everything again


def test_a_parent_that_froze_its_own_keeps_them() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        list(imap_isolated(_frozen_in_worker, [1, 2], workers=2))
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()
