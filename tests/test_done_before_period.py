"""A task done before the period (in an earlier one) can be reported: "Đã hoàn thành" with
a completion date before the period's start is valid, in the generated workbook's own data
validation and on read-back; a date after the period's end, or in the future, is refused.
The status cell's input message says which columns "Đã hoàn thành" needs, by the numbers
and letters the form prints."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate

from .conftest import needs_soffice
from .fill import Filler, fill_clean
from .libreoffice import soffice_convert

TODAY = date(2023, 3, 10)  # q1-2023 runs 15/12/2022 – 14/03/2023 in the sample plan
RULE = "task_completion_date_in_period"


@pytest.fixture(scope="module")
def template(tmp_path_factory, plan001, units):
    [path] = generate(plan001, units[:1], tmp_path_factory.mktemp("t"), period_id="q1-2023",
                      workers=1)
    return path


@pytest.fixture(scope="module")
def clean(tmp_path_factory, template):
    path = tmp_path_factory.mktemp("clean") / template.name
    fill_clean(Filler(template)).save(path)
    return path


def _done(tmp_path, clean, when) -> tuple[Filler, str, str]:
    path = tmp_path / clean.name
    shutil.copy(clean, path)
    book = Filler(path)
    book.set("report_tasks", "task:1.1", "status", "Đã hoàn thành")
    book.set("report_tasks", "task:1.1", "evidence", "12/KH-MNTT")
    sheet, cell = book.set("report_tasks", "task:1.1", "completion_date", when)
    book.save()
    return book, sheet, cell


def _issues(path, today=TODAY):
    return validate([path], workers=1, today=today).flat()


def test_done_before_the_period_is_valid(tmp_path, clean):
    start, _end = Filler(clean).period()
    book, sheet, cell = _done(tmp_path, clean, date(2022, 11, 20))
    assert date(2022, 11, 20) < start
    found = _issues(book.path)
    assert not [f for f in found if f[1] == cell], found
    assert found == []


def test_done_after_the_period_end_is_an_error(tmp_path, clean):
    _start, end = Filler(clean).period()
    book, sheet, cell = _done(tmp_path, clean, date(2023, 3, 15))
    assert date(2023, 3, 15) > end
    assert (sheet, cell, RULE) in _issues(book.path, today=date(2023, 4, 1))


def test_done_in_the_future_is_an_error(tmp_path, clean):
    book, sheet, cell = _done(tmp_path, clean, date(2023, 3, 12))
    assert (sheet, cell, RULE) in _issues(book.path, today=date(2023, 3, 11))


def _validation_of(ws, coordinate: str):
    return next(dv for dv in ws.data_validations.dataValidation
                if any(coordinate in rng for rng in dv.sqref.ranges))


def test_excel_validation_accepts_earlier_dates(template):
    book = Filler(template)
    start, end = book.period()
    sheet, cell = book.address("report_tasks", "task:1.1", "completion_date")
    ws = load_workbook(template)[sheet]
    dv = _validation_of(ws, cell)
    assert dv.type == "date"
    assert dv.operator == "lessThanOrEqual"  # no lower bound: done before the period is fine
    assert float(dv.formula1) == (end - date(1899, 12, 30)).days
    assert f"không sau ngày cuối kỳ {end:%d/%m/%Y}" in dv.prompt
    assert start.strftime("%d/%m/%Y") not in dv.prompt


def test_status_message_names_the_columns_done_needs(template):
    book = Filler(template)
    sheet, cell = book.address("report_tasks", "task:1.1", "status")
    ws = load_workbook(template)[sheet]
    prompt = _validation_of(ws, cell).prompt
    date_col = book.col("report_tasks", "completion_date")
    ev_col = book.col("report_tasks", "evidence")
    # the printed (1)…(n) row puts these numbers over these columns
    numbers = {}
    for row in ws.iter_rows(max_row=40):
        for c in row:
            if isinstance(c.value, str) and c.value in (f"({date_col})", f"({ev_col})"):
                numbers[c.value] = c.column
    assert numbers == {f"({date_col})": date_col, f"({ev_col})": ev_col}
    for n in (date_col, ev_col):
        assert f"cột ({n}), tức cột {get_column_letter(n)}" in prompt, prompt
    assert "Đã hoàn thành" in prompt and len(prompt) <= 255


@needs_soffice
@pytest.mark.libreoffice
def test_done_before_the_period_survives_a_libreoffice_resave(tmp_path, clean):
    book, _sheet, _cell = _done(tmp_path, clean, date(2022, 11, 20))
    resaved = soffice_convert(book.path, tmp_path / "lo", "xlsx", tmp_path / "profile")
    assert _issues(resaved) == []
