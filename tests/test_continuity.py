"""validate --db: a return against the same unit's previous period, from the history.

Plan 001: "6 tháng" ends 04/06, "Quý III" starts 05/06, so the 6-month return is the
previous one of the quý III return. Files are filled as a person would (tests/fill.py)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cchc_xlsx.cli import main
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.inbox.history import collect

from .conftest import UNITS_CSV
from .fill import Filler, fill_clean

UNIT = "MN-TT"


@pytest.fixture(scope="module")
def pair(tmp_path_factory, plan001, units):
    """The unit's filled 6-month return (collected into a history) and its quý III book."""
    tmp = tmp_path_factory.mktemp("continuity")
    unit = [u for u in units if u.code == UNIT]
    half = generate(plan001, unit, tmp / "6t", period_id="6t-2023", workers=1)[0]
    q3 = generate(plan001, unit, tmp / "q3", period_id="q3-2023", workers=1)[0]
    f = fill_clean(Filler(half), seed=3)
    done = next(k for k in f.keys("report_tasks")
                if f.cell("report_tasks", k, "status").value == "Đã hoàn thành")
    pending = {k: (f.cell("report_tthc", k, "c12").value or 0)
               + (f.cell("report_tthc", k, "c13").value or 0) for k in f.keys("report_tthc")}
    f.save()
    inbox = tmp / "inbox"
    inbox.mkdir()
    shutil.copy(half, inbox / half.name)
    db = tmp / "lich-su.sqlite"
    collect(inbox, db)
    return {"half": inbox / half.name, "q3": q3, "db": db, "done": done, "pending": pending,
            "tmp": tmp}


def _validate(path, db):
    res = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "--db",
                                    str(db), "--units", str(UNITS_CSV)])
    data = json.loads(res.output[res.output.index("{"):])
    return res.exit_code, data["files"][0]["issues"]


def _q3(pair, carried: dict, undo: bool, name: str):
    f = fill_clean(Filler(pair["q3"]), seed=5)
    for key, value in carried.items():
        f.set("report_tthc", key, "c6", value)
        f.set("report_tthc", key, "c12", (f.cell("report_tthc", key, "c12").value or 0) + value)
    if undo:
        f.set("report_tasks", pair["done"], "status", "Chưa thực hiện")
        f.set("report_tasks", pair["done"], "completion_date", None)
        f.set("report_tasks", pair["done"], "evidence", None)
        f.set("report_tasks", pair["done"], "difficulties", "Chưa làm lại trong quý.")
    elif f.cell("report_tasks", pair["done"], "status").value == "Chưa thực hiện":
        f.set("report_tasks", pair["done"], "status", "Đang thực hiện")
    return f.save(pair["tmp"] / name)


def test_consistent_return_has_no_continuity_warning(pair):
    path = _q3(pair, pair["pending"], undo=False, name="q3-ok.xlsx")
    code, issues = _validate(path, pair["db"])
    assert not [i for i in issues if i["rule_id"].startswith("continuity_")]


def test_carry_over_and_undone_task_are_warnings_naming_the_earlier_file(pair):
    key = next(iter(pair["pending"]))
    wrong = dict(pair["pending"])
    wrong[key] = pair["pending"][key] + 7
    path = _q3(pair, wrong, undo=True, name="q3-sai.xlsx")
    code, issues = _validate(path, pair["db"])
    found = [i for i in issues if i["rule_id"].startswith("continuity_")]
    assert {i["rule_id"] for i in found} == {"continuity_carried_over", "continuity_task_undone"}
    assert all(i["severity"] == "warning" for i in found)
    carried = next(i for i in found if i["rule_id"] == "continuity_carried_over")
    f = Filler(path)
    assert (carried["sheet"], carried["cell"]) == f.address("report_tthc", key, "c6")
    assert str(pair["pending"][key] + 7) in carried["message"]
    assert str(pair["half"].name) in carried["message"] and "6t-2023" in carried["message"]
    undone = next(i for i in found if i["rule_id"] == "continuity_task_undone")
    assert (undone["sheet"], undone["cell"]) == f.address("report_tasks", pair["done"],
                                                          "status")
    assert str(pair["half"].name) in undone["message"]
    assert code == 0  # warnings only: the file is still valid


def test_without_db_no_continuity_check(pair):
    path = pair["tmp"] / "q3-sai.xlsx"
    res = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert "continuity_" not in res.output
