"""Received times a user can trust: a plain folder's received time is each file's own
modification time. Files copied or downloaded in one go after the due date (the samples
fresh from ``git clone``, attachments saved from webmail on the day of merging) all carry
the moment of copying, and every return shows late. ``merge`` cannot know the real time,
but it says so, rather than printing a column of "Quá hạn" without a word."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta

from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.units import load_units

from .conftest import PLAN_004, SAMPLES

UNITS = SAMPLES / "units" / "soctrang-don-vi.csv"
HINT = "có thể là lúc chép hoặc tải các tệp về máy"


def _merge(inbox, out):
    plan, units = load_plan(PLAN_004), load_units(UNITS)
    return merge([inbox], plan, units, "6t-2023", out, office_from_units(units, plan),
                 workers=1)


def test_a_batch_copied_after_the_due_date_is_pointed_out(tmp_path):
    inbox = tmp_path / "hop-thu"
    shutil.copytree(SAMPLES / "returns-soctrang", inbox)  # all "modified" now: after 2023
    result = _merge(inbox, tmp_path / "th.xlsx")
    assert all(s.on_time is False for s in result.submissions if s.received_from)
    [hint] = [m for m in result.messages if HINT in m]
    assert hint.startswith("3 tệp có thời gian sửa") and "collect" in hint


def test_returns_received_at_their_own_times_get_no_hint(tmp_path):
    inbox = tmp_path / "hop-thu"
    shutil.copytree(SAMPLES / "returns-soctrang", inbox)
    when = datetime(2023, 6, 10, 9)
    for i, path in enumerate(sorted(inbox.iterdir())):  # as the e-mails came, days apart
        stamp = (when + timedelta(days=3 * i)).timestamp()
        os.utime(path, (stamp, stamp))
    result = _merge(inbox, tmp_path / "th.xlsx")
    assert [s.on_time for s in result.submissions if s.received_from].count(False) == 1
    assert not [m for m in result.messages if HINT in m]


def test_unit_plan_merge_points_out_a_copied_batch_too(tmp_path):
    from click.testing import CliRunner

    from cchc_xlsx.cli import main

    inbox = tmp_path / "hop-thu-ke-hoach"
    shutil.copytree(SAMPLES / "plan-returns", inbox)
    result = CliRunner().invoke(main, [
        "unit-plan", "merge", "--plan", str(PLAN_004), "--units", str(UNITS),
        "--out", str(tmp_path / "th.xlsx"), str(inbox)])
    assert result.exit_code in (0, 1), result.output
    assert HINT in result.output
