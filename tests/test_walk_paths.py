"""The by-column table walk and row normalising (issue 18) against the old row-by-row path
(tests/walk_old.py, main 6594e08 verbatim): on the bench's cached returns, the sample
returns and returns with planted mistakes, ``_read_stack`` hands over the same findings,
the same stacked columns (keys, order, values' repr) and the same cell of every row, and
``read_workbook``'s tables give the same rows."""

from __future__ import annotations

import glob
import shutil
import zipfile
from pathlib import Path

import pytest

from cchc_xlsx.checking import validate as v
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.forms.identity import decode_rows
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.reading import reader
from cchc_xlsx.reading.bounds import _read_sheet_names, _sheet_names_of

from . import walk_old
from .fill import Filler, fill_clean

BENCH = "/tmp/cchc-bench-validate/001-mntt-q8-2023-q1-2023-n1000-0.1.0-fill-v1/returns"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "returns"
TCVN3 = "Ch\u00ada cã h\u00adíng dÉn cña Phßng"


@pytest.fixture(scope="module")
def catalog():
    catalog = load_catalog()
    v._init_reader(catalog)
    return catalog


@pytest.fixture(scope="module")
def template(tmp_path_factory, plan001, units):
    out = tmp_path_factory.mktemp("walk_template")
    [path] = generate(plan001, units[:1], out, period_id="q1-2023", workers=1)
    return path


def _planted(template: Path, folder: Path) -> list[Path]:
    """Returns with the mistakes a person makes, each kind in several rows (so a reading
    kept from one cell serves the next) and some in every file (so it serves files)."""
    out = []

    def new(name: str, clean: bool = True) -> Filler:
        path = folder / f"{name}.xlsx"
        shutil.copy(template, path)
        f = Filler(path)
        return fill_clean(f, seed=len(out)) if clean else f

    f = new("mistakes")
    tasks = f.keys("report_tasks")
    for i, key in enumerate(tasks[:6]):
        f.set("report_tasks", key, "status", ("Da hoan thanh", "đã hoàn thành ", "Xong",
                                              "Đang thuc hien", "  ", "Chưa thực hiện")[i])
        f.set("report_tasks", key, "completion_date",
              ("03/02/2023", "04/02/2023", "20/12/2022", "2023-01-05", "05/01/23", 44950)[i])
        f.set("report_tasks", key, "difficulties", (TCVN3, TCVN3, " có ", 12.0, 7, "")[i])
    f.set("report_tasks", tasks[6], "evidence", "W" * 99)  # made past Excel's limit below
    f.set("report_tasks", tasks[6], "difficulties", "Q" * 99)
    f.set("report_tasks", tasks[8], "difficulties", "Q" * 99)
    f.set("report_tasks", tasks[7], "evidence", "Cong van so 5 \u0301")  # a lone mark
    for i, (key, a) in enumerate(f.attrs("report_indicators").items()):
        if a.get("measure") == "rate":
            f.set("report_indicators", key, "numerator", ("1.234", " 12 ", "abc", -3, 2.5)[i % 5])
        if a.get("met_mode") == "input":
            f.set("report_indicators", key, "met", ("dat", "Đạt", "khong dat", "Đ")[i % 4])
    for i, key in enumerate(f.keys("report_tthc")):
        f.set("report_tthc", key, "c4", ("1.234", "7", None, "1,5", 3)[i % 5])
        f.set("report_tthc", key, "c8", None)
    typed = f.save(folder / "typed.xlsx")
    path = folder / "mistakes.xlsx"  # texts past 32,767: only a made-up file has them
    with zipfile.ZipFile(typed) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info).replace(b"Q" * 99, "khó khăn ".encode() * 5000)
                         .replace(b"W" * 99, b"W" * 40_000))
    out.append(path)

    f = new("blank", clean=False)  # the template as sent
    out.append(f.save())

    f = new("inserted")
    ws, keys, _ = f.tables["report_tasks"]
    row = keys[f.keys("report_tasks")[2]]
    ws.insert_rows(row, 2)
    ws.cell(row, 2).value = "Nhiệm vụ tự thêm"
    ws.cell(row, 5).value = "Đã hoàn thành"
    ws2, keys2, key_col = f.tables["report_tthc"]
    ws2.delete_rows(list(keys2.values())[1])
    out.append(f.save())

    f = new("sorted")
    ws, keys, key_col = f.tables["report_tasks"]
    a, b = keys["task:1.1"], keys["task:1.2"]
    for col in range(1, key_col + 1):
        x, y = ws.cell(a, col), ws.cell(b, col)
        x.value, y.value = y.value, x.value
    ws.title = "Nhiệm vụ"
    f.wb.move_sheet(ws, offset=-1)
    out.append(f.save())

    for n, clean in enumerate((True, False)):
        f = new(f"no_identity_{n}", clean)
        if clean:
            f.set("report_tasks", "task:1.1", "status", "Xong")
            f.set("report_tasks", "task:1.2", "completion_date", "03/02/2023")
            f.set("report_tasks", "task:1.3", "difficulties", TCVN3)
        for ws in list(f.wb.worksheets):
            if ws.title == "_cchc":
                f.wb.remove(ws)
            else:
                ws.delete_cols(ws.max_column)
        out.append(f.save())

    f = new("old_version")
    ws, _, key_col = f.tables["report_tasks"]
    header = next(c for row in ws.iter_rows(min_col=key_col, max_col=key_col) for c in row
                  if isinstance(c.value, str) and c.value.startswith("cchc:"))
    header.value = "cchc:report_tasks:0"
    for cell in f.doc_cells().values():
        cell.value = None
    out.append(f.save())
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory, template, catalog):
    folder = tmp_path_factory.mktemp("walk_planted")
    bench = sorted(glob.glob(f"{BENCH}/*.xlsx"))[::29][:36]
    samples = sorted(str(p) for p in SAMPLES.iterdir()) if SAMPLES.is_dir() else []
    return [str(p) for p in _planted(template, folder)] + samples + bench


def _rows(table) -> list:
    return [(r.key, r.excel_row, repr(r.values), r.attrs) for r in table.rows]


def _same_book(old, new) -> None:
    assert (new.path, new.fmt, new.identity, new.stray, new.long_texts) == (
        old.path, old.fmt, old.identity, old.stray, old.long_texts)
    assert repr(new.doc_fields) == repr(old.doc_fields)  # the old copy has its own class
    assert list(new.tables) == list(old.tables)
    for form_id, t in old.tables.items():
        n = new.tables[form_id]
        assert (n.form_id, n.version, n.sheet, n.col_letters, n.identified, n.extra_rows) == (
            t.form_id, t.version, t.sheet, t.col_letters, t.identified, t.extra_rows)
        assert _rows(n) == _rows(t)


def _same_stack(old, new, catalog) -> None:
    assert (new.path, new.error, new.forms, new.sheets, new.table_issues) == (
        old.path, old.error, old.forms, old.sheets, old.table_issues)
    if old.book is not None:
        assert new.book.identity == old.book.identity
    assert (new.parts is None) == (old.parts is None)
    for form_id, o in (old.parts or {}).items():
        p = new.parts[form_id]
        assert p.n == o.n
        assert list(p.columns) == list(o.columns)
        for key, values in o.columns.items():
            assert repr(p.columns[key]) == repr(values), key
        assert p.issues == o.issues
        assert p.where == o.where
        batch = v._Batch(catalog.forms[form_id])  # the parent's side takes it as before
        batch.extend(3, p)
        assert [batch.at(i) for i in range(p.n)] == [(3, *w) for w in o.where]
        assert batch.issues == [(3, i) for i in o.issues]


def test_read_stack_matches_the_old_path(files, catalog):
    assert len(files) > (40 if Path(BENCH).is_dir() else 15)  # the bench's returns: if cached
    issues = set()
    for _ in range(2):  # the second pass reads every cell from the kept readings
        for path in files:
            new, old = v._read_stack(path), walk_old._read_stack(path)
            _same_stack(old, new, catalog)
            for part in (new.parts or {}).values():
                issues.update(i.rule_id for i in part.issues)
            issues.update(i.rule_id for i in new.table_issues or ())
    # the planted mistakes did raise what they stand for
    assert {"text_legacy_encoding", "date_ambiguous", "file_extra_row",
            "file_missing_row", "file_form_version", "file_text_too_long"} <= issues, issues


def test_read_workbook_tables_match_the_old_path(files, catalog):
    for path in files:
        try:
            old = walk_old.read_workbook(path, catalog)
        except reader.UnusableFile as exc:
            with pytest.raises(reader.UnusableFile) as new:
                reader.read_workbook(path, catalog)
            assert (new.value.code, new.value.message) == (exc.code, exc.message)
            continue
        _same_book(old, reader.read_workbook(path, catalog))


def test_rows_are_built_once_and_edits_stay(files, catalog):
    book = reader.read_workbook(files[0], catalog)
    table = next(iter(book.tables.values()))
    rows = table.rows
    rows[0].values["x"] = 1
    assert table.rows is rows and table.rows[0].values["x"] == 1


def test_decode_rows_matches_the_old_one_and_hands_out_fresh_dicts():
    texts = ["task:1.1|measure=rate;met_mode=input\ntask:1.2|\n|x=1\ntask:1.3|a=b=c;d;e=\n"
             "task:1.1|measure=count", "", "k", "a|b=1\r\nc|b=1\u2028d|b=2", 5, None]
    for text in texts * 2:
        assert decode_rows(text) == walk_old.decode_rows(text)
    a, b = decode_rows(texts[0]), decode_rows(texts[0])
    a[0][1]["measure"] = "changed"
    assert b[0][1]["measure"] == "rate" and decode_rows(texts[0])[0][1]["measure"] == "rate"


def test_sheet_names_kept_by_content_match_a_fresh_reading(files):
    for path in files:
        if not zipfile.is_zipfile(path):
            continue
        with zipfile.ZipFile(path) as z:
            try:
                parts = z.read("xl/workbook.xml"), z.read("xl/_rels/workbook.xml.rels")
            except KeyError:
                continue
        for _ in range(2):
            names = _sheet_names_of(*parts)
            assert names == _read_sheet_names(*parts)
            names.clear()  # a caller's edit never reaches the kept reading
