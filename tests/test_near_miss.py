"""Near misses of a listed value are forgiven exactly: accepted as the listed value with a
warning (and merged as that value) when they match one value after folding case,
diacritics, spaces and trailing punctuation; otherwise an error that suggests the nearest
listed value. A count indicator takes whole numbers only."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from cchc_xlsx.checking.choices import match_choice
from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_001
from .fill import Filler, fill_clean

TODAY = date(2023, 3, 10)
STATUSES = ("Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Không phát sinh")


@pytest.mark.parametrize("typed, accepted", [
    ("Đã hoàn thành", "Đã hoàn thành"),
    ("Da hoan thanh", "Đã hoàn thành"),
    ("đã hoàn thành.", "Đã hoàn thành"),
    ("ĐÃ HOÀN THÀNH", "Đã hoàn thành"),
    ("  chua   thuc hien! ", "Chưa thực hiện"),
    ("Hoàn thành", None),
    ("Xong rồi", None),
])
def test_match_choice(typed, accepted):
    assert match_choice(typed, STATUSES).value == accepted


def test_a_fold_matching_two_values_is_not_guessed():
    # "bàn" and "bản" both fold to "ban" without diacritics: only an exact fold decides
    assert match_choice("ban", ("bàn", "bản")).value is None
    assert match_choice("BẢN.", ("bàn", "bản")).value == "bản"


@pytest.fixture(scope="module")
def clean(tmp_path_factory, plan001, units):
    out = tmp_path_factory.mktemp("near")
    [template] = generate(plan001, units[:1], out, period_id="q1-2023", workers=1)
    path = out / "clean.xlsx"
    fill_clean(Filler(template)).save(path)
    return path


@pytest.fixture
def book(tmp_path, clean):
    path = tmp_path / clean.name
    shutil.copy(clean, path)
    return Filler(path)


def _done(book, key):
    book.set("report_tasks", key, "completion_date", date(2023, 1, 5))
    book.set("report_tasks", key, "evidence", "12/BC-MNTT")


@pytest.mark.parametrize("typed", ["Da hoan thanh", "đã hoàn thành.", "ĐÃ HOÀN THÀNH"])
def test_near_miss_status_is_accepted_with_a_warning_naming_the_value(book, typed):
    sheet, cell = book.set("report_tasks", "task:1.1", "status", typed)
    _done(book, "task:1.1")
    book.save()
    report = validate([book.path], today=TODAY, workers=1)
    assert report.flat() == [(sheet, cell, "value_near_miss")]
    [issue] = report.issues
    assert issue.severity == "warning"
    assert f"«{typed}»" in issue.message and "«Đã hoàn thành»" in issue.message
    assert report.exit_code == 0


def test_not_a_fold_is_an_error_with_a_suggestion(book):
    sheet, cell = book.set("report_tasks", "task:1.1", "status", "Hoàn thành")
    book.save()
    report = validate([book.path], today=TODAY, workers=1)
    assert (sheet, cell, "task_status_allowed") in report.flat()
    issue = next(i for i in report.issues if i.rule_id == "task_status_allowed")
    assert issue.severity == "error"
    assert issue.message.endswith("Có phải «Đã hoàn thành»?")
    assert report.exit_code == 1


def test_far_value_gets_no_suggestion(book):
    book.set("report_tasks", "task:1.1", "status", "xyz")
    book.save()
    issue = next(i for i in validate([book.path], today=TODAY, workers=1).issues
                 if i.rule_id == "task_status_allowed")
    assert "Có phải" not in issue.message


def test_near_miss_met_value(book):
    sheet, cell = book.set("report_indicators", "ind:2.3", "met", "khong dat")
    book.save()
    report = validate([book.path], today=TODAY, workers=1)
    assert report.flat() == [(sheet, cell, "value_near_miss")]
    assert "«Không đạt»" in report.issues[0].message


def test_accepted_value_counts_as_the_listed_value_in_merge(tmp_path, plan001, units):
    [template] = generate(plan001, units[:1], tmp_path / "t", period_id="q1-2023", workers=1)
    book = fill_clean(Filler(template))
    keys = book.keys("report_tasks")
    for key in keys:
        book.set("report_tasks", key, "status", "Da hoan thanh.")
        _done(book, key)
    path = book.save(tmp_path / "r.xlsx")
    office = office_from_units(units, plan001, None, None)
    result = merge([path], plan001, units[:1], "q1-2023", tmp_path / "th.xlsx", office,
                   now=datetime(2023, 3, 10, 9), workers=1)
    counts = result.aggregate.tasks
    assert counts and all(c == {"Đã hoàn thành": 1} for c in counts.values())
    assert len(counts) == len(keys)


@pytest.fixture(scope="module")
def count_plan(tmp_path_factory):
    """Plan 001 with one indicator that counts things ("ít nhất 03 tin, bài")."""
    text = PLAN_001.read_text(encoding="utf-8").replace("indicators:\n", (
        "indicators:\n"
        "  - stt: '9'\n"
        "    text: Đăng ít nhất 03 tin, bài về cải cách hành chính trên trang thông tin "
        "điện tử của trường mỗi quý.\n"
        "    lead: Trường Mầm non Tuổi Thơ\n"), 1)
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert [i.stt for i in plan.indicators if i.measure == "count"] == ["9"]
    return plan


@pytest.mark.parametrize("typed, ok", [(3, True), ("4", True), ("98,5", False), (98.5, False)])
def test_count_indicator_takes_whole_numbers(tmp_path, count_plan, units, typed, ok):
    [template] = generate(count_plan, units[:1], tmp_path, period_id="q1-2023", workers=1)
    book = fill_clean(Filler(template))
    sheet, cell = book.set("report_indicators", "ind:9", "result", typed)
    path = book.save(tmp_path / "r.xlsx")
    report = validate([path], today=TODAY, workers=1)
    if ok:
        assert report.flat() == [] and report.exit_code == 0
    else:
        assert report.flat() == [(sheet, cell, "indicator_count_result")]
        assert "số nguyên" in report.issues[0].message
        assert report.exit_code == 1
