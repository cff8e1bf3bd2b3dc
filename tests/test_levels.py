"""Rows that apply to the unit: form rows carry the school levels (cấp học) they apply to,
each unit gets only its rows, validate does not miss the others, and merge stays exact when
units report different row sets (checked against sums recomputed from the input cells)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.model import Procedure
from cchc_xlsx.plans.levels import level_codes
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_001
from .fill import Filler, fill_clean

PROCEDURES = (
    Procedure("Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "Văn bằng, chứng chỉ"),
    Procedure("Chuyển trường đối với học sinh tiểu học", "Giáo dục và Đào tạo", levels=("TH",)),
    Procedure("Chuyển trường đối với học sinh trung học cơ sở", "Giáo dục và Đào tạo",
              levels=("THCS",)),
    Procedure("Tiếp nhận học sinh học lại", "Giáo dục và Đào tạo", levels=("TH", "THCS")),
    Procedure("Tuyển sinh trẻ vào trường mầm non", "Giáo dục và Đào tạo", levels=("MN",)),
)
COLS = [f"c{k}" for k in range(3, 14)]
INPUTS = ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13")


@pytest.mark.parametrize("text,codes", [
    ("Mầm non", ("MN",)), ("Trường Tiểu học", ("TH",)), ("Trung học cơ sở", ("THCS",)),
    ("Tiểu học, THCS", ("TH", "THCS")), (["THPT", "gdtx"], ("THPT", "GDTX")), ("", ()),
])
def test_level_codes(text, codes):
    assert level_codes(text) == (codes, [])


def test_plan_rows_carry_levels_and_unknown_levels_are_refused(tmp_path):
    text = PLAN_001.read_text(encoding="utf-8").replace("procedures: []", "")
    good = text + ('\nprocedures:\n  - name: Chuyển trường đối với học sinh tiểu học\n'
                   '    levels: [TH]\n  - name: Tiếp nhận học sinh học lại\n'
                   '    levels: "Tiểu học, Trung học cơ sở"\n')
    (tmp_path / "good.yaml").write_text(good, encoding="utf-8")
    plan = load_plan(tmp_path / "good.yaml")
    assert [p.levels for p in plan.procedures] == [("TH",), ("TH", "THCS")]
    (tmp_path / "bad.yaml").write_text(good.replace("levels: [TH]", "levels: [Đại học]"),
                                       encoding="utf-8")
    with pytest.raises(UserError, match="cấp học «Đại học» không rõ"):
        load_plan(tmp_path / "bad.yaml")


@pytest.fixture(scope="module")
def plan(plan001):
    return replace(plan001, procedures=PROCEDURES, report_forms=("report_tthc",))


@pytest.fixture(scope="module")
def filled(tmp_path_factory, plan, units):
    """Every sample unit's return, filled at random, with the rows of its own levels."""
    out = tmp_path_factory.mktemp("levels")
    books = generate(plan, units, out / "blank", period_id="q1-2023", workers=1)
    (out / "inbox").mkdir()
    paths = []
    for i, book in enumerate(books):
        paths.append(fill_clean(Filler(book), seed=i).save(out / "inbox" / book.name))
    return paths


def _rows(path):
    """Row key → {column: value} of a return's TTHC sheet, read from its input cells."""
    f = Filler(path)
    return {key: {c: f.cell("report_tthc", key, c).value for c in INPUTS}
            for key in f.keys("report_tthc")}


def test_each_unit_gets_the_rows_of_its_levels(filled, units):
    levels = {u.code: level_codes(u.level)[0] for u in units}
    for path in filled:
        code = path.name.split("_")[0]
        names = [k.removeprefix("tthc:") for k in _rows(path)]
        expected = [p.name for p in PROCEDURES
                    if not p.levels or set(p.levels) & set(levels[code])]
        assert names == expected, code
        ws = load_workbook(path)["BC TTHC"]
        stts = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)
                if ws.cell(r, 2).value in expected]
        assert stts == [str(i + 1) for i in range(len(expected))]  # numbered on
        ident = {r[0]: r[1] for r in load_workbook(path)["_cchc"].iter_rows(values_only=True)}
        assert ident["unit_levels"] == ",".join(levels[code])
    mn = next(p for p in filled if p.name.startswith("MN-"))
    assert not any("tiểu học" in k or "trung học" in k for k in _rows(mn))


def test_validate_does_not_miss_the_rows_of_other_levels(filled, units):
    report = validate(filled, units=units, workers=1, today=date(2023, 3, 20))
    rules = {i.rule_id for f in report.files for i in f.issues}
    assert "file_missing_row" not in rules
    assert all(f.valid for f in report.files), [
        (f.file, [i.message for i in f.issues][:3]) for f in report.files if not f.valid]


def test_merge_is_exact_over_different_row_sets(filled, plan, units, tmp_path):
    result = merge([filled[0].parent], plan, units, "q1-2023", tmp_path / "tong-hop.xlsx",
                   office_from_units(units, plan), workers=1)
    expected: dict[str, list[float]] = {f"tthc:{p.name}": [0.0] * 11 for p in PROCEDURES}
    for path in filled:
        for key, v in _rows(path).items():
            n = {c: float(v[c] or 0) for c in INPUTS}
            n["c3"], n["c7"] = n["c4"] + n["c5"] + n["c6"], n["c8"] + n["c9"] + n["c10"]
            n["c11"] = n["c12"] + n["c13"]
            expected[key] = [a + n[c] for a, c in zip(expected[key], COLS, strict=True)]
    ws = load_workbook(result.out)["TH TTHC"]
    numbering = next(r for r in range(1, ws.max_row) if ws.cell(r, 3).value == "(3)")
    got = {}
    r = numbering + 1
    while ws.cell(r, 2).value != "Tổng cộng":
        got[f"tthc:{ws.cell(r, 2).value}"] = [float(ws.cell(r, c).value) for c in range(3, 14)]
        r += 1
    assert got == expected
    assert sum(expected["tthc:Chuyển trường đối với học sinh tiểu học"]) > 0  # TH only
    assert len({len(_rows(p)) for p in filled}) > 1  # the units really reported different rows


def test_random_levels_property(plan, units, tmp_path):
    """Shuffled levels over the units: every unit's rows are exactly its levels' rows."""
    rnd = random.Random(7)
    shuffled = [replace(u, level=rnd.choice(["Mầm non", "Tiểu học", "THCS", "Tiểu học, THCS",
                                              "Liên cấp"])) for u in units[:6]]
    books = generate(plan, shuffled, tmp_path, period_id="q1-2023", workers=1)
    for unit, book in zip(shuffled, books, strict=True):
        mine = level_codes(unit.level)[0]
        want = [f"tthc:{p.name}" for p in PROCEDURES
                if not p.levels or not mine or set(p.levels) & set(mine)]
        assert list(_rows(book)) == want, unit.level
