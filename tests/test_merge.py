"""merge, accepted from the outside: the consolidated workbook's figures are recomputed
from the returned files' own cells (openpyxl, or the .ods XML itself), never through the
product's reader or aggregation; the status sheet says who sent what and when; a later
file replaces an earlier one; consolidations roll up exactly (merge(merge(A), merge(B)) =
merge(A ∪ B)); a unit counted twice is refused; unit text stays text; bad inputs are
listed while the batch goes on; exit codes; LibreOffice opens the result.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.forms.identity import parse_key_header
from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.merging.aggregate import Aggregate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.model import Unit

from .conftest import PLAN_001, SAMPLES, UNITS_CSV, needs_soffice
from .fill import STATUSES, Filler, fill_clean
from .libreoffice import pdf_text, soffice_convert

PERIOD = "q1-2023"
RETURNS = SAMPLES / "returns"
TODAY = date(2023, 3, 12)
NOW = datetime(2023, 3, 12, 9, 30)
NOT_SENT = "THCS-TD"  # sends nothing
CSV_RENAMED = "TH-BD"  # sends a CSV renamed .xlsx
REPORT_FORMS = ["report_tasks", "report_indicators", "report_tthc"]
LETTERS = {"Đã hoàn thành": "H", "Đang thực hiện": "D", "Chưa thực hiện": "C",
           "Không phát sinh": "K"}
# Biểu 06: the columns a unit types; (3), (7) and (11) are formulas, recomputed here
TTHC_INPUT = ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13")
# received times (file mtimes) against the due date 05/03/2023 (on time up to 23:59:59)
RECEIVED = {
    "MN-TT": datetime(2023, 3, 1, 8, 0),
    "MN-HM": datetime(2023, 3, 5, 23, 59, 0),  # the last minute of the due day
    "MN-SM": datetime(2023, 3, 4, 16, 30),
    "MN-BM": datetime(2023, 3, 6, 0, 0, 1),  # one second after the due day
    "TH-HV": datetime(2023, 3, 3, 10, 15),
    "TH-RB": datetime(2023, 3, 7, 14, 0),
    "TH-BD": datetime(2023, 3, 2, 9, 0),
    "TH-PD": datetime(2023, 3, 10, 11, 0),
    "THCS-LL": datetime(2023, 2, 28, 15, 45),
    "THCS-CB": datetime(2023, 3, 6, 7, 15),
    "MN-VX": datetime(2023, 4, 1, 8, 0),
}
DUE_END = datetime(2023, 3, 5, 23, 59, 59)

CATALOG = load_catalog()


def code_of(path: Path) -> str:
    return Path(path).name.split("_", 1)[0]


def set_mtime(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", *args], capture_output=True,
                          text=True, timeout=300)


# --- reading a returned file without the product's reader --------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_text(el: ElementTree.Element) -> str:
    out = [el.text or ""]
    for child in el:
        if child.tag == _X + "s":
            out.append(" " * int(child.get(_X + "c", "1")))
        elif child.tag == _X + "tab":
            out.append("\t")
        elif child.tag == _X + "line-break":
            out.append("\n")
        else:
            out.append(_ods_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _ods_value(cell: ElementTree.Element) -> Any:
    kind = cell.get(_O + "value-type")
    if kind in ("float", "percentage", "currency"):
        return float(cell.get(_O + "value"))
    if kind == "date":
        return cell.get(_O + "date-value")
    if kind == "boolean":
        return cell.get(_O + "boolean-value") == "true"
    if kind == "string":
        if cell.get(_O + "string-value") is not None:
            return cell.get(_O + "string-value")
        return "\n".join(_ods_text(p) for p in cell.findall(_X + "p"))
    return None


def ods_sheets(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """Every sheet of an .ods as {(row, col): value} (1-based), from content.xml."""
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("content.xml"))
    sheets = {}
    for table in root.iter(_T + "table"):
        cells: dict[tuple[int, int], Any] = {}
        r = 0
        for row in table.iter(_T + "table-row"):
            repeat_rows = int(row.get(_T + "number-rows-repeated", "1"))
            c = 0
            found = []
            for cell in row:
                if cell.tag not in (_T + "table-cell", _T + "covered-table-cell"):
                    continue
                repeat_cols = int(cell.get(_T + "number-columns-repeated", "1"))
                value = _ods_value(cell)
                if value is not None:
                    found += [(c + k, value) for k in range(min(repeat_cols, 256))]
                c += repeat_cols
            for k in range(min(repeat_rows, 256) if found else 0):
                for col, value in found:
                    cells[(r + k + 1, col + 1)] = value
            r += repeat_rows
        sheets[table.get(_T + "name")] = cells
    return sheets


def _ods_rows(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for cells in ods_sheets(path).values():
        heads = sorted((rc, parse_key_header(v)) for rc, v in cells.items()
                       if rc[0] <= 60 and parse_key_header(v))
        if not heads:
            continue
        (_, key_col), (form_id, _) = heads[0]
        columns = [c.key for c in CATALOG.forms[form_id].columns]
        rows = {}
        for (r, c), v in sorted(cells.items()):
            if (c == key_col and isinstance(v, str) and ":" in v
                    and not v.startswith(("cchc:", "grp:"))):
                rows[v] = {col: cells.get((r, i + 1)) for i, col in enumerate(columns)}
        out[form_id] = rows
    return out


def _xlsx_rows(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    f = Filler(path)
    out = {}
    for form_id in f.tables:
        columns = [c.key for c in CATALOG.forms[form_id].columns]
        out[form_id] = {key: {col: f.cell(form_id, key, col).value for col in columns}
                        for key in f.keys(form_id)}
    return out


class Return:
    """A returned file's cells by form, row key and column key."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows = (_ods_rows(self.path) if self.path.suffix.lower() == ".ods"
                     else _xlsx_rows(self.path))

    def keys(self, form: str) -> list[str]:
        return list(self.rows.get(form, {}))

    def get(self, form: str, key: str, column: str) -> Any:
        return self.rows[form][key][column]

    def labels(self, form: str, *columns: str) -> dict[tuple, str]:
        """(visible label cells) → row key, the STT carried down merged cells."""
        out, last = {}, None
        for key in self.keys(form):
            values = [self.get(form, key, c) for c in columns]
            if columns[0] == "stt":
                last = values[0] if values[0] not in (None, "") else last
                values[0] = last
            out[tuple("" if v is None else str(v) for v in values)] = key
        return out


def num(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(value).strip())


def tthc_values(ret: Return, key: str) -> list[float]:
    """(3)…(13) of one procedure row from the typed cells alone."""
    v = {c: num(ret.get("report_tthc", key, c)) for c in TTHC_INPUT}
    return [v["c4"] + v["c5"] + v["c6"], v["c4"], v["c5"], v["c6"],
            v["c8"] + v["c9"] + v["c10"], v["c8"], v["c9"], v["c10"],
            v["c12"] + v["c13"], v["c12"], v["c13"]]


def add(a: list[float], b: list[float]) -> list[float]:
    return [x + y for x, y in zip(a, b, strict=True)]


@dataclasses.dataclass
class Expected:
    units: list[str]
    tasks: dict[str, list[int]]  # row key → units per status, in STATUSES order
    rates: dict[str, tuple[float, float]]  # indicator key → (Σ numerator, Σ denominator)
    tthc: dict[str, list[float]]  # procedure key → (3)…(13)
    tthc_by_unit: dict[str, list[float]]  # unit name → (3)…(13) over its procedures
    letters: dict[str, dict[str, str]]  # unit code → task key → H/D/C/K


def recompute(paths: list[Path], plan, units) -> Expected:
    names = {u.code: u.name for u in units}
    rate_keys = [i.key for i in plan.indicators if not i.group and i.measure == "rate"]
    tasks: dict[str, Counter] = {}
    rates = {k: (0.0, 0.0) for k in rate_keys}
    tthc: dict[str, list[float]] = {}
    by_unit: dict[str, list[float]] = {}
    letters: dict[str, dict[str, str]] = {}
    codes = []
    for path in paths:
        ret = Return(path)
        code = code_of(path)
        codes.append(code)
        letters[code] = {}
        for key in ret.keys("report_tasks"):
            status = ret.get("report_tasks", key, "status")
            status = status.strip() if isinstance(status, str) else status
            counts = tasks.setdefault(key, Counter())
            if status in STATUSES:
                counts[status] += 1
                letters[code][key] = LETTERS[status]
        for key in rate_keys:
            n = ret.get("report_indicators", key, "numerator")
            d = ret.get("report_indicators", key, "denominator")
            assert isinstance(n, (int, float)) and isinstance(d, (int, float)), (path, key)
            rates[key] = (rates[key][0] + n, rates[key][1] + d)
        total = [0.0] * 11
        for key in ret.keys("report_tthc"):
            values = tthc_values(ret, key)
            tthc[key] = add(tthc.get(key, [0.0] * 11), values)
            total = add(total, values)
        if ret.keys("report_tthc"):
            by_unit[names[code]] = total
    return Expected(
        units=sorted(codes),
        tasks={k: [c[s] for s in STATUSES] for k, c in tasks.items()},
        rates=rates, tthc=tthc, tthc_by_unit=by_unit, letters=letters)


# --- reading the consolidated workbook's visible cells -----------------------------------


def _row_values(ws, r: int) -> list[Any]:
    return [ws.cell(r, c).value for c in range(1, ws.max_column + 1)]


def find_row(ws, *texts: str) -> int:
    for r in range(1, ws.max_row + 1):
        values = _row_values(ws, r)
        if all(t in values for t in texts):
            return r
    raise AssertionError(f"{ws.title}: no row holding {texts}")


def header_cols(ws, r: int) -> dict[str, int]:
    return {v: c for c, v in enumerate(_row_values(ws, r), start=1) if isinstance(v, str)}


def is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_status(wb) -> tuple[list[str], list[dict[str, Any]]]:
    """(the totals lines above the printed table, the log sheet's rows as {header: value}:
    files, time sources and error counts are kept there, off the printed appendix)."""
    ws = wb["Tình hình nộp"]
    head = find_row(ws, "STT", "Mã đơn vị", "Tình trạng", "Đúng hạn")
    lines = [ws.cell(r, 1).value for r in range(1, head)
             if isinstance(ws.cell(r, 1).value, str)]
    ws = wb["Nhật ký tổng hợp"]
    assert ws.sheet_state == "hidden"
    head = find_row(ws, "STT", "Mã đơn vị", "Tình trạng", "Đúng hạn", "Tệp")
    cols = header_cols(ws, head)
    rows = []
    for r in range(head + 1, ws.max_row + 1):
        if not is_num(ws.cell(r, 1).value):
            break
        rows.append({h: ws.cell(r, c).value for h, c in cols.items()})
    return lines, rows


def read_tasks(wb, cached) -> dict[tuple[str, str], dict[str, Any]]:
    """TH Nhiệm vụ: (STT, Sản phẩm) → the four counts, and (8) as Excel would show it."""
    ws, wc = wb["TH Nhiệm vụ"], cached["TH Nhiệm vụ"]
    head = find_row(ws, *STATUSES, "Sản phẩm")
    cols = header_cols(ws, head)
    out, stt = {}, None
    for r in range(head + 2, ws.max_row + 1):
        a = ws.cell(r, 1).value
        stt = str(a) if a not in (None, "") else stt
        counts = [ws.cell(r, cols[s]).value for s in STATUSES]
        if all(is_num(v) for v in counts):
            product = ws.cell(r, cols["Sản phẩm"]).value or ""
            out[(stt, product)] = {"counts": counts,
                                   "reporting": wc.cell(r, cols["Số đơn vị báo cáo"]).value}
    return out


def read_indicators(wb, cached) -> dict[str, dict[str, Any]]:
    """TH Chỉ tiêu: STT → Σ numerator, Σ denominator, their cells, the result cell."""
    ws, wc = wb["TH Chỉ tiêu"], cached["TH Chỉ tiêu"]
    head = find_row(ws, "Tử số (Σ)", "Mẫu số (Σ)", "Kết quả")
    cols = header_cols(ws, head)
    out = {}
    for r in range(head + 2, ws.max_row + 1):
        stt = ws.cell(r, 1).value
        reporting = ws.cell(r, cols["Số đơn vị báo cáo"]).value
        if stt in (None, "") or not is_num(reporting):
            continue
        n_cell = ws.cell(r, cols["Tử số (Σ)"])
        d_cell = ws.cell(r, cols["Mẫu số (Σ)"])
        out[str(stt)] = {
            "numerator": n_cell.value, "denominator": d_cell.value,
            "numerator_cell": n_cell.coordinate, "denominator_cell": d_cell.coordinate,
            "result": ws.cell(r, cols["Kết quả"]).value,
            "result_cached": wc.cell(r, cols["Kết quả"]).value,
            "reporting": reporting, "meeting": ws.cell(r, cols["Số đơn vị đạt"]).value,
            "not_meeting": sorted(filter(None, (ws.cell(r, cols["Đơn vị chưa đạt"]).value
                                                or "").split(", "))),
        }
    return out


def read_tthc(wb, cached) -> dict[str, Any]:
    """TH TTHC: procedure name → (3)…(13); the Tổng cộng row's formulas and cached values;
    the per-unit rows below it."""
    ws, wc = wb["TH TTHC"], cached["TH TTHC"]
    numbering = find_row(ws, "(1)", "(2)", "(13)")
    cols = [header_cols(ws, numbering)[f"({k})"] for k in range(3, 14)]
    procedures: dict[str, list[float]] = {}
    rows: list[int] = []
    r = numbering + 1
    while ws.cell(r, 2).value != "Tổng cộng":
        assert r < ws.max_row, "no Tổng cộng row"
        procedures[ws.cell(r, 2).value] = [ws.cell(r, c).value for c in cols]
        rows.append(r)
        r += 1
    total_row = r
    unit_rows = []  # (name, values) below "Chi tiết theo đơn vị"
    for r in range(total_row + 1, ws.max_row + 1):
        values = [ws.cell(r, c).value for c in cols]
        if all(is_num(v) for v in values):
            unit_rows.append((ws.cell(r, 2).value, values))
    return {
        "procedures": procedures, "procedure_rows": rows, "cols": cols,
        "total_formulas": [ws.cell(total_row, c).value for c in cols],
        "total_cached": [wc.cell(total_row, c).value for c in cols],
        "unit_rows": unit_rows, "by_unit": dict(unit_rows),
    }


def read_detail(wb) -> dict[str, dict[str, str | None]]:
    """TH Nhiệm vụ chi tiết: unit code → task STT → letter."""
    ws = wb["TH Nhiệm vụ chi tiết"]
    out: dict[str, dict[str, str | None]] = {}
    heads = [r for r in range(1, ws.max_row + 1)
             if {"STT", "Mã đơn vị", "Tên đơn vị"} <= set(_row_values(ws, r))]
    assert heads, "no table on TH Nhiệm vụ chi tiết"
    for head in heads:  # one table per part of the task columns (and of the units)
        labels = {c: v for c, v in enumerate(_row_values(ws, head + 1), start=1) if v}
        for r in range(head + 2, ws.max_row + 1):
            if not is_num(ws.cell(r, 1).value):
                break
            out.setdefault(ws.cell(r, 2).value, {}).update(
                {str(v): ws.cell(r, c).value for c, v in labels.items()})
    return out


def identity_aggregate(path: Path) -> Aggregate:
    ws = load_workbook(path)["_cchc"]
    chunks = sorted((row[1], row[2]) for row in ws.iter_rows(values_only=True)
                    if row[0] == "aggregate")
    return Aggregate.from_json("".join(text for _, text in chunks))


def visible(path: Path) -> dict[str, Any]:
    """The numbers a reader sees, keyed by the labels printed beside them."""
    wb, cached = load_workbook(path), load_workbook(path, data_only=True)
    tthc = read_tthc(wb, cached)
    return {
        "tasks": read_tasks(wb, cached),
        "indicators": {k: {f: v[f] for f in ("numerator", "denominator", "result_cached",
                                             "reporting", "meeting", "not_meeting")}
                       for k, v in read_indicators(wb, cached).items()},
        "tthc": tthc["procedures"], "tthc_total": tthc["total_cached"],
        "tthc_by_unit": tthc["by_unit"],
    }


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan(plan001):
    return plan001


@pytest.fixture(scope="module")
def names(units):
    return {u.code: u.name for u in units}


@pytest.fixture(scope="module")
def returns_dir(tmp_path_factory):
    """Copies of the sample returns, received at known times (their mtimes)."""
    out = tmp_path_factory.mktemp("returns")
    for src in sorted(RETURNS.iterdir()):
        dst = out / src.name
        shutil.copy(src, dst)
        set_mtime(dst, RECEIVED[code_of(src)])
    return out


@pytest.fixture(scope="module")
def verdicts(returns_dir, plan, units):
    """Each sample file's validation (validation is not merge): path → FileResult."""
    report = validate(sorted(returns_dir.iterdir()), units=units, period_id=PERIOD,
                      plan_id=plan.id, today=TODAY, workers=1)
    return {Path(f.file): f for f in report.files}


@pytest.fixture(scope="module")
def valid_files(verdicts):
    return sorted(p for p, f in verdicts.items() if f.valid)


@pytest.fixture(scope="module")
def invalid_files(verdicts):
    return sorted(p for p, f in verdicts.items() if f.usable and not f.valid)


@pytest.fixture(scope="module")
def direct(tmp_path_factory, returns_dir, plan, units):
    out = tmp_path_factory.mktemp("direct") / "tong-hop.xlsx"
    result = merge([returns_dir], plan, units, PERIOD, out, office_from_units(units, plan),
                   now=NOW, workers=1)
    return result


@pytest.fixture(scope="module")
def direct_book(direct):
    return load_workbook(direct.out), load_workbook(direct.out, data_only=True)


@pytest.fixture(scope="module")
def expected(valid_files, plan, units):
    return recompute(valid_files, plan, units)


@pytest.fixture(scope="module")
def labels(valid_files):
    ref = Return(valid_files[0])
    return {"tasks": ref.labels("report_tasks", "stt", "product"),
            "indicators": ref.labels("report_indicators", "stt"),
            "tthc": ref.labels("report_tthc", "name")}


# --- 1. independent recomputation --------------------------------------------------------


def test_sample_batch_is_what_the_samples_say(verdicts, valid_files, invalid_files):
    assert sorted(code_of(p) for p in valid_files) == sorted(
        ["MN-TT", "MN-SM", "MN-BM", "TH-HV", "TH-PD", "THCS-LL", "MN-VX"])
    assert sorted(code_of(p) for p in invalid_files) == ["MN-HM", "TH-RB", "THCS-CB"]
    assert [code_of(p) for p, f in verdicts.items() if not f.usable] == [CSV_RENAMED]


def test_counted_units_are_exactly_the_valid_returns(direct, expected):
    assert sorted(direct.aggregate.units) == expected.units


def test_task_counts_equal_recomputed(direct_book, expected, labels):
    rows = read_tasks(*direct_book)
    seen = {labels["tasks"][(stt, product)]: row["counts"]
            for (stt, product), row in rows.items()}
    assert seen == expected.tasks
    # (8) "Số đơn vị báo cáo" as Excel shows it: the units that gave that task a status
    reporting = {labels["tasks"][k]: row["reporting"] for k, row in rows.items()}
    assert reporting == {k: sum(v) for k, v in expected.tasks.items()}


def test_indicator_sums_and_rate_equal_recomputed(direct_book, expected, labels):
    rows = read_indicators(*direct_book)
    by_key = {labels["indicators"][(stt,)]: row for stt, row in rows.items()}
    seen = {k: (by_key[k]["numerator"], by_key[k]["denominator"]) for k in expected.rates}
    assert seen == expected.rates
    rates = {k: round(by_key[k]["result_cached"], 12) for k in expected.rates}
    assert rates == {k: round(n / d, 12) for k, (n, d) in expected.rates.items()}


def test_indicator_result_formula_divides_exactly_the_two_sums(direct_book, expected, labels):
    rows = read_indicators(*direct_book)
    by_key = {labels["indicators"][(stt,)]: row for stt, row in rows.items()}
    found, wanted = {}, {}
    for key in expected.rates:
        row = by_key[key]
        m = re.fullmatch(r'=IF\(([A-Z]+\d+)>0,([A-Z]+\d+)/([A-Z]+\d+),""\)', row["result"])
        found[key] = m.groups() if m else row["result"]
        wanted[key] = (row["denominator_cell"], row["numerator_cell"], row["denominator_cell"])
    assert found == wanted


def test_tthc_rows_equal_recomputed_from_typed_cells(direct_book, expected, labels):
    tthc = read_tthc(*direct_book)
    seen = {labels["tthc"][(name,)]: values for name, values in tthc["procedures"].items()}
    assert seen == expected.tthc


def test_tthc_total_row_sums_exactly_the_procedure_rows(direct_book, expected):
    wb, _ = direct_book
    tthc = read_tthc(*direct_book)
    first, last = min(tthc["procedure_rows"]), max(tthc["procedure_rows"])
    assert tthc["procedure_rows"] == list(range(first, last + 1))
    letters = [get_column_letter(c) for c in tthc["cols"]]
    assert tthc["total_formulas"] == [f"=SUM({x}{first}:{x}{last})" for x in letters]
    totals = [sum(col) for col in zip(*expected.tthc.values(), strict=True)]
    ws = wb["TH TTHC"]
    summed = [sum(ws.cell(r, c).value for r in range(first, last + 1)) for c in tthc["cols"]]
    assert summed == totals
    assert tthc["total_cached"] == totals


def test_tthc_per_unit_rows_equal_recomputed(direct_book, expected):
    assert read_tthc(*direct_book)["by_unit"] == expected.tthc_by_unit


def test_task_detail_letters_equal_each_units_statuses(direct_book, expected, labels):
    wb, _ = direct_book
    stt_key = {stt: key for (stt, _product), key in labels["tasks"].items()}
    seen = {code: {stt_key[stt]: letter for stt, letter in row.items() if letter}
            for code, row in read_detail(wb).items()}
    assert seen == expected.letters


def test_hidden_aggregate_equals_recomputed(direct, expected):
    agg = identity_aggregate(direct.out)
    assert sorted(agg.units) == expected.units
    assert {k: [v.get(s, 0) for s in STATUSES] for k, v in agg.tasks.items()} == expected.tasks
    assert {k: (agg.indicators[k].numerator, agg.indicators[k].denominator)
            for k in expected.rates} == expected.rates
    assert agg.tthc == expected.tthc
    by_name = {agg.units[code].unit_name: v for code, v in agg.tthc_by_unit.items()}
    assert by_name == expected.tthc_by_unit  # stored by unit code, printed by name
    assert agg.figures() == direct.aggregate.figures()


# --- 2. the status sheet -----------------------------------------------------------------


def test_status_sheet_lists_every_expected_unit_once(direct_book, units):
    _, rows = read_status(direct_book[0])
    assert sorted(r["Mã đơn vị"] for r in rows) == sorted(u.code for u in units)


def test_status_per_unit(direct_book, verdicts, names):
    _, rows = read_status(direct_book[0])
    label = {True: "Đã nộp, hợp lệ", False: "Đã nộp, có lỗi"}
    wanted = {code_of(p): label[f.valid] if f.usable else "Không đọc được"
              for p, f in verdicts.items()}
    wanted[NOT_SENT] = "Chưa nộp"
    assert {r["Mã đơn vị"]: r["Tình trạng"] for r in rows} == wanted
    assert {r["Mã đơn vị"]: r["Tên đơn vị"] for r in rows} == names


def test_invalid_files_listed_with_their_error_counts(direct_book, verdicts):
    _, rows = read_status(direct_book[0])
    seen = {r["Mã đơn vị"]: (r["Số lỗi"], r["Số cảnh báo"], Path(r["Tệp"]))
            for r in rows if r["Tình trạng"] == "Đã nộp, có lỗi"}
    assert seen == {code_of(p): (f.errors, f.warnings, p) for p, f in verdicts.items()
                    if f.usable and not f.valid}


def test_csv_renamed_file_listed_as_unreadable(direct_book, direct):
    _, rows = read_status(direct_book[0])
    [row] = [r for r in rows if r["Mã đơn vị"] == CSV_RENAMED]
    assert row["Tình trạng"] == "Không đọc được"
    assert Path(row["Tệp"]).name.startswith(CSV_RENAMED + "_")
    assert "CSV" in row["Ghi chú"]
    assert any("CSV" in m and CSV_RENAMED in m for m in direct.messages)


def test_missing_unit_named_in_totals_block(direct_book, names, verdicts):
    lines, rows = read_status(direct_book[0])
    [row] = [r for r in rows if r["Mã đơn vị"] == NOT_SENT]
    assert (row["Tình trạng"], row["Thời điểm nhận"], row["Đúng hạn"], row["Tệp"]) == (
        "Chưa nộp", None, None, None)
    [missing] = [ln for ln in lines if ln.startswith("Chưa nộp:")]
    assert missing == f"Chưa nộp: 1 ({names[NOT_SENT]})."
    [bad] = [ln for ln in lines if ln.startswith("Không hợp lệ")]
    for p, f in verdicts.items():
        assert (names[code_of(p)] in bad) == (not f.valid), (p, bad)


def test_on_time_and_late_against_the_due_date(direct_book, direct):
    lines, rows = read_status(direct_book[0])
    seen = {r["Mã đơn vị"]: (r["Thời điểm nhận"], r["Đúng hạn"]) for r in rows
            if r["Mã đơn vị"] != NOT_SENT}
    wanted = {code: (moment.replace(microsecond=0),
                     "Đúng hạn" if moment <= DUE_END else "Quá hạn")
              for code, moment in RECEIVED.items()}
    assert seen == wanted
    on_time = sum(1 for m in RECEIVED.values() if m <= DUE_END)
    sent = len(RECEIVED)
    [head] = [ln for ln in lines if ln.startswith("Đã nộp:")]
    assert head.startswith(f"Đã nộp: {sent}/12 đơn vị; đúng hạn: {on_time}; "
                           f"quá hạn: {sent - on_time} (hạn nộp: ngày 05/03/2023)")
    assert {s.unit_code: s.on_time for s in direct.submissions if s.status != "missing"} == {
        code: moment <= DUE_END for code, moment in RECEIVED.items()}


def test_exit_code_of_the_sample_batch_is_incomplete(direct):
    assert direct.exit_code == 1
    assert [s.unit_code for s in direct.missing] == [NOT_SENT]


# --- 3. resubmission ---------------------------------------------------------------------


@pytest.mark.parametrize("changed_is_later", [True, False], ids=["changed-later",
                                                                 "changed-earlier"])
def test_later_file_replaces_earlier(tmp_path, plan, units, changed_is_later):
    src = RETURNS / "MN-TT_truong-mam-non-tuoi-tho.xlsx"
    original = tmp_path / "lan-1" / src.name
    original.parent.mkdir()
    shutil.copy(src, original)
    changed = tmp_path / "lan-2" / src.name
    changed.parent.mkdir()
    f = Filler(src)
    f.set("report_indicators", "ind:2.1", "denominator", 500)
    f.set("report_indicators", "ind:2.1", "numerator", 499)
    f.save(changed)
    early, late = datetime(2023, 3, 2, 8, 0), datetime(2023, 3, 4, 17, 0)
    set_mtime(changed, late if changed_is_later else early)
    set_mtime(original, early if changed_is_later else late)
    winner, loser = (changed, original) if changed_is_later else (original, changed)
    # the changed file is given first, so input order alone would not pick the later one
    result = merge([changed, original], plan, units, PERIOD, tmp_path / "out.xlsx",
                   office_from_units(units, plan), now=NOW, workers=1)
    ind = result.aggregate.indicators["ind:2.1"]
    expected_pair = ((499.0, 500.0) if changed_is_later else
                     tuple(num(Return(original).get("report_indicators", "ind:2.1", c))
                           for c in ("numerator", "denominator")))
    assert (ind.numerator, ind.denominator) == expected_pair
    assert sorted(result.aggregate.units) == ["MN-TT"]
    _, rows = read_status(load_workbook(result.out))
    mine = [r for r in rows if r["Mã đơn vị"] == "MN-TT"]
    assert [(r["Tình trạng"], r["Tệp"]) for r in mine] == [("Đã nộp, hợp lệ", str(winner))]
    assert str(loser) in mine[0]["Ghi chú"] and "thay thế" in mine[0]["Ghi chú"]
    said = [m for m in result.messages if str(loser) in m]
    assert len(said) == 1 and str(winner) in said[0] and "thay thế" in said[0]


# --- 4. roll-up through real workbooks ---------------------------------------------------


def district_merge(files, sub_units, plan, out: Path, name: str, code: str):
    return merge(files, plan, sub_units, PERIOD, out,
                 office_from_units(sub_units, plan, name=name, code=code), now=NOW, workers=1)


@pytest.fixture(scope="module")
def districts(tmp_path_factory, returns_dir, plan, units):
    out = tmp_path_factory.mktemp("rollup")
    files = sorted(returns_dir.iterdir())
    halves = {"PA": units[:6], "PB": units[6:]}
    paths = {}
    for code, sub in halves.items():
        mine = [f for f in files if code_of(f) in {u.code for u in sub}]
        name = "PHÒNG A" if code == "PA" else "PHÒNG B"
        district_merge(mine, sub, plan, out / f"{code}.xlsx", name, code)
        paths[code] = out / f"{code}.xlsx"
    province_units = [Unit(code="PA", name="Phòng A"), Unit(code="PB", name="Phòng B")]
    province = merge([paths["PA"], paths["PB"]], plan, province_units, PERIOD,
                     out / "province.xlsx",
                     office_from_units(province_units, plan, name="SỞ GIÁO DỤC", code="SO"),
                     now=NOW, workers=1)
    return paths, province


def test_rollup_figures_equal_direct_merge(districts, direct):
    _, province = districts
    assert province.aggregate.figures() == direct.aggregate.figures()


def test_rollup_province_status(districts):
    _, province = districts
    assert [(s.unit_code, s.status) for s in province.submissions] == [
        ("PA", "valid"), ("PB", "valid")]
    assert province.exit_code == 0


def test_rollup_visible_numbers_equal_direct_merge(districts, direct):
    _, province = districts
    assert visible(province.out) == visible(direct.out)


def test_rollup_hidden_aggregate_equals_direct(districts, direct):
    _, province = districts
    assert identity_aggregate(province.out).figures() == identity_aggregate(
        direct.out).figures()


@pytest.fixture(scope="module")
def valid_only(tmp_path_factory, valid_files, plan, units):
    """One merge of the valid returns alone: the reference for random splits."""
    out = tmp_path_factory.mktemp("valid-only") / "all.xlsx"
    return merge(valid_files, plan, units, PERIOD, out, office_from_units(units, plan),
                 now=NOW, workers=1)


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_split_rolls_up_to_the_same_figures(data, tmp_path_factory, valid_files,
                                                valid_only, plan, units):
    k = data.draw(st.integers(2, 3), label="groups")
    order = data.draw(st.permutations(valid_files), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(1, len(order) - 1), min_size=k - 1,
                                     max_size=k - 1, unique=True), label="cuts"))
    groups = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    out = tmp_path_factory.mktemp("split")
    by_code = {u.code: u for u in units}
    parts = []
    for i, group in enumerate(groups, start=1):
        sub = [by_code[code_of(p)] for p in group]
        district_merge(group, sub, plan, out / f"G{i}.xlsx", f"PHÒNG {i}", f"G{i}")
        parts.append(Unit(code=f"G{i}", name=f"Phòng {i}"))
    top = merge([out / f"{u.code}.xlsx" for u in parts], plan, parts, PERIOD,
                out / "top.xlsx", office_from_units(parts, plan, name="SỞ", code="SO"),
                now=NOW, workers=1)
    assert top.aggregate.figures() == valid_only.aggregate.figures()
    assert top.exit_code == 0
    if k == 3:  # merge(merge(G1, G2), G3) = merge(G1, G2, G3)
        inner = parts[:2]
        merge([out / "G1.xlsx", out / "G2.xlsx"], plan, inner, PERIOD, out / "G12.xlsx",
              office_from_units(inner, plan, name="PHÒNG 12", code="G12"), now=NOW,
              workers=1)
        outer = [Unit(code="G12", name="Phòng 12"), parts[2]]
        nested = merge([out / "G12.xlsx", out / "G3.xlsx"], plan, outer, PERIOD,
                       out / "nested.xlsx",
                       office_from_units(outer, plan, name="SỞ", code="SO"), now=NOW,
                       workers=1)
        assert nested.aggregate.figures() == valid_only.aggregate.figures()


def test_rollup_keeps_per_unit_rows_of_same_named_schools(tmp_path, plan, units):
    """Two districts each have a "Trường Mầm non Hoa Mai" (school names repeat from one
    district to the next): the province's Biểu 06 detail must show both schools, and the
    per-unit rows must add up to the Tổng cộng row."""
    same = "Trường Mầm non Hoa Mai"
    by_code = {u.code: u for u in units}
    sources = {"PA": "MN-TT", "PB": "MN-SM"}
    top_units, per_unit = [], []
    for office_code, unit_code in sources.items():
        src = next(RETURNS.glob(f"{unit_code}_*"))
        sub = [dataclasses.replace(by_code[unit_code], name=same)]
        district_merge([src], sub, plan, tmp_path / f"{office_code}.xlsx",
                       f"PHÒNG {office_code}", office_code)
        top_units.append(Unit(code=office_code, name=f"Phòng {office_code}"))
        ret = Return(src)
        total = [0.0] * 11
        for key in ret.keys("report_tthc"):
            total = add(total, tthc_values(ret, key))
        per_unit.append((same, total))
    top = merge([tmp_path / "PA.xlsx", tmp_path / "PB.xlsx"], plan, top_units, PERIOD,
                tmp_path / "top.xlsx", office_from_units(top_units, plan, code="SO"),
                now=NOW, workers=1)
    assert sorted(top.aggregate.units) == ["MN-SM", "MN-TT"]
    tthc = read_tthc(load_workbook(top.out), load_workbook(top.out, data_only=True))
    assert sorted(tthc["unit_rows"]) == sorted(per_unit)
    columns = zip(*(values for _, values in tthc["unit_rows"]), strict=True)
    assert [sum(col) for col in columns] == tthc["total_cached"]


# --- 5. a unit counted through two routes ------------------------------------------------


def _refused(result) -> list:
    return [s for s in result.submissions if "hai lần" in (s.note or "")]


def test_district_file_and_a_units_own_return_count_it_once(districts, tmp_path, plan,
                                                            units, names):
    paths, _ = districts
    own = next(RETURNS.glob("MN-TT_*"))
    both = [Unit(code="PA", name="Phòng A"), *[u for u in units if u.code == "MN-TT"]]
    result = merge([paths["PA"], own], plan, both, PERIOD, tmp_path / "out.xlsx",
                   office_from_units(both, plan, name="SỞ", code="SO"), now=NOW, workers=1)
    [refused] = _refused(result)
    kept = paths["PA"] if Path(refused.file) == own else own
    assert Path(refused.file) in (own, paths["PA"])
    assert refused.status == "invalid"
    said = [m for m in result.messages if "tính hai lần" in m]
    assert len(said) == 1 and names["MN-TT"] in said[0] and "MN-TT" in said[0]
    _, rows = read_status(load_workbook(result.out))
    notes = [r["Ghi chú"] for r in rows if r["Tệp"] == refused.file]
    assert len(notes) == 1 and "tính hai lần" in notes[0] and names["MN-TT"] in notes[0]
    # the figures are those of the kept input alone: MN-TT once
    alone = merge([kept], plan, both, PERIOD, tmp_path / "alone.xlsx",
                  office_from_units(both, plan, name="SỞ", code="SO"), now=NOW, workers=1)
    assert result.aggregate.figures() == alone.aggregate.figures()
    assert "MN-TT" in result.aggregate.units
    assert all(sum(v.values()) <= len(result.aggregate.units)
               for v in result.aggregate.tasks.values())
    assert result.exit_code == 1


def test_two_overlapping_district_files_are_not_both_counted(districts, tmp_path, plan,
                                                             units, names):
    paths, _ = districts
    by_code = {u.code: u for u in units}
    sub = [by_code["MN-TT"], by_code["TH-PD"]]  # MN-TT is also in district A
    files = [next(RETURNS.glob(f"{u.code}_*")) for u in sub]
    district_merge(files, sub, plan, tmp_path / "PC.xlsx", "PHÒNG C", "PC")
    top_units = [Unit(code="PA", name="Phòng A"), Unit(code="PC", name="Phòng C")]
    result = merge([paths["PA"], tmp_path / "PC.xlsx"], plan, top_units, PERIOD,
                   tmp_path / "top.xlsx", office_from_units(top_units, plan, code="SO"),
                   now=NOW, workers=1)
    [refused] = _refused(result)
    kept = paths["PA"] if Path(refused.file) == tmp_path / "PC.xlsx" else tmp_path / "PC.xlsx"
    assert any("tính hai lần" in m and names["MN-TT"] in m for m in result.messages)
    assert result.aggregate.figures() == identity_aggregate(kept).figures()
    _, rows = read_status(load_workbook(result.out))
    assert [r["Tình trạng"] for r in rows if r["Tệp"] == refused.file] == ["Đã nộp, có lỗi"]


# --- 6. unit text is never a formula -----------------------------------------------------

TRICKY = ['=HYPERLINK("http://evil","x")', "+84 912 345 678", "-5 hồ sơ", "@all"]


def _with_difficulties(src: Path, dst: Path, texts: list[str]) -> None:
    f = Filler(src)
    keys = [k for k in f.keys("report_tasks")
            if f.cell("report_tasks", k, "status").value != "Đã hoàn thành"]
    for key, text in zip(keys, texts, strict=False):
        cell = f.cell("report_tasks", key, "difficulties")
        cell.value = text
        cell.data_type = "s"  # typed as text ('=… in Excel), not a formula
    f.save(dst)
    g = Filler(dst)
    got = [(g.cell("report_tasks", k, "difficulties").value,
            g.cell("report_tasks", k, "difficulties").data_type) for k in keys[:len(texts)]]
    assert got == [(t, "s") for t in texts]


def test_difficulties_starting_with_formula_characters_stay_strings(tmp_path, plan, units):
    a = tmp_path / "MN-TT_a.xlsx"
    b = tmp_path / "MN-SM_b.xlsx"
    _with_difficulties(next(RETURNS.glob("MN-TT_*")), a, TRICKY[:2])
    _with_difficulties(next(RETURNS.glob("MN-SM_*")), b, TRICKY[2:])
    result = merge([a, b], plan, units, PERIOD, tmp_path / "out.xlsx",
                   office_from_units(units, plan), now=NOW, workers=1)
    assert sorted(result.aggregate.units) == ["MN-SM", "MN-TT"]
    ws = load_workbook(result.out)["Khó khăn, đề xuất"]
    cells = [c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and any(t[:4] in c.value for t in TRICKY)]
    assert sorted((c.value, c.data_type) for c in cells) == sorted((t, "s") for t in TRICKY)
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert not ws._hyperlinks


# --- 7. bad inputs: listed, and the batch goes on ----------------------------------------


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory, returns_dir, plan, units):
    work = tmp_path_factory.mktemp("bad")
    inbox = work / "inbox"
    shutil.copytree(returns_dir, inbox)
    by_code = {u.code: u for u in units}
    [t6] = generate(plan, [by_code["MN-SM"]], work / "t6", period_id="6t-2023",
                    forms=REPORT_FORMS, workers=1)
    other_period = fill_clean(Filler(t6), 5).save(inbox / "MN-SM_ky-6-thang.xlsx")
    stranger = dataclasses.replace(by_code["MN-TT"], code="MN-NGOAI",
                                   name="Trường Mầm non Ngoài Danh Sách")
    [ts] = generate(plan, [stranger], work / "ts", period_id=PERIOD, forms=REPORT_FORMS,
                    workers=1)
    unknown = fill_clean(Filler(ts), 6).save(inbox / "MN-NGOAI_truong-ngoai.xlsx")
    junk = inbox / "bao-cao-hong.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook" + bytes(range(256)))
    for p in (other_period, unknown, junk):
        set_mtime(p, datetime(2023, 3, 3, 9, 0))
    out = work / "out.xlsx"
    result = merge([inbox], plan, units, PERIOD, out, office_from_units(units, plan),
                   now=NOW, workers=1)
    return {"result": result, "inbox": inbox, "other_period": other_period,
            "unknown": unknown, "junk": junk, "work": work}


def test_bad_inputs_on_the_status_sheet(bad_batch):
    _, rows = read_status(load_workbook(bad_batch["result"].out))
    by_file = {r["Tệp"]: r for r in rows if r["Tệp"]}
    other = by_file[str(bad_batch["other_period"])]
    assert (other["Mã đơn vị"], other["Tình trạng"]) == ("MN-SM", "Đã nộp, có lỗi")
    assert "6t-2023" in other["Ghi chú"] and PERIOD in other["Ghi chú"]
    unknown = by_file[str(bad_batch["unknown"])]
    assert (unknown["Mã đơn vị"], unknown["Tình trạng"]) == ("MN-NGOAI", "Đã nộp, có lỗi")
    assert "MN-NGOAI" in unknown["Ghi chú"] and "danh sách" in unknown["Ghi chú"]
    junk = by_file[str(bad_batch["junk"])]
    assert junk["Tình trạng"] == "Không đọc được" and junk["Ghi chú"]
    [csv] = [r for r in rows if r["Mã đơn vị"] == CSV_RENAMED]
    assert csv["Tình trạng"] == "Không đọc được"


def test_bad_inputs_named_in_totals_block(bad_batch):
    lines, _ = read_status(load_workbook(bad_batch["result"].out))
    [others] = [ln for ln in lines if ln.startswith("Tệp không thuộc danh sách")]
    # named by the file's own name: where the office stores its files never prints
    assert bad_batch["unknown"].name in others and bad_batch["junk"].name in others
    assert str(bad_batch["unknown"].parent) not in others


def test_wrong_period_file_counted_in_totals_block(bad_batch):
    """The line is "files not in the unit list or not of this period": a wrong-period file
    belongs there even when its unit (MN-SM) also sent the right one."""
    lines, _ = read_status(load_workbook(bad_batch["result"].out))
    [others] = [ln for ln in lines if ln.startswith("Tệp không thuộc danh sách")]
    assert others.startswith("Tệp không thuộc danh sách đơn vị hoặc không đúng kỳ: 3 (")
    assert bad_batch["other_period"].name in others


def test_bad_inputs_do_not_stop_the_batch(bad_batch, valid_files):
    result = bad_batch["result"]
    assert sorted(result.aggregate.units) == sorted(code_of(p) for p in valid_files)
    # MN-SM's own q1 return still counts despite its wrong-period file beside it
    assert [s.status for s in result.submissions if s.unit_code == "MN-SM"
            and Path(s.file).name.startswith("MN-SM_truong")] == ["valid"]
    assert result.exit_code == 1


def test_bad_inputs_reported_in_the_terminal(bad_batch):
    out = bad_batch["work"] / "cli.xlsx"
    r = run_cli("merge", str(bad_batch["inbox"]), "--plan", str(PLAN_001), "--units",
                str(UNITS_CSV), "--period", PERIOD, "--out", str(out))
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    for needle in ("6t-2023", "MN-NGOAI", bad_batch["junk"].name, CSV_RENAMED + "_",
                   "Chưa nộp: Trường Trung học cơ sở Tùng Thiện Vương."):
        assert needle in r.stdout, needle
    assert out.exists()


def test_terminal_summary_counts_units_not_files(bad_batch):
    """11 of the 12 units sent something (THCS-TD did not): a second, wrong-period file
    from MN-SM must not make it "12/12" while the next line says one has not sent."""
    out = bad_batch["work"] / "cli-summary.xlsx"
    r = run_cli("merge", str(bad_batch["inbox"]), "--plan", str(PLAN_001), "--units",
                str(UNITS_CSV), "--period", PERIOD, "--out", str(out))
    first = r.stdout.splitlines()[0]
    assert first.startswith("Đã nộp: 11/12 đơn vị;"), first
    assert "chưa nộp: 1." in first


def test_totals_block_names_units_in_the_unit_list_order(tmp_path, plan, units, direct_book):
    """The lists in the totals block follow the unit list (as the table does), so the same
    merge gives the same workbook on every run."""
    sent = [next(RETURNS.glob("MN-SM_*")), next(RETURNS.glob("TH-PD_*"))]
    result = merge(sent, plan, units, PERIOD, tmp_path / "out.xlsx",
                   office_from_units(units, plan), now=NOW, workers=1)
    lines, _ = read_status(load_workbook(result.out))
    missing = [u.name for u in units if u.code not in {code_of(p) for p in sent}]
    [line] = [ln for ln in lines if ln.startswith("Chưa nộp:")]
    assert line == f"Chưa nộp: {len(missing)} ({', '.join(missing)})."
    lines, rows = read_status(direct_book[0])
    bad = [r["Tên đơn vị"] for r in rows if r["Tình trạng"] in ("Đã nộp, có lỗi",
                                                               "Không đọc được")]
    [line] = [ln for ln in lines if ln.startswith("Không hợp lệ")]
    assert line.endswith(f": {len(bad)} ({', '.join(bad)}).")


def test_cli_exit_0_when_every_expected_unit_sent_a_valid_file(tmp_path, valid_files):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in valid_files:
        shutil.copy(p, inbox / p.name)
    codes = {code_of(p) for p in valid_files}
    lines = UNITS_CSV.read_text(encoding="utf-8").splitlines()
    units_csv = tmp_path / "units.csv"
    units_csv.write_text("\n".join([lines[0], *[ln for ln in lines[1:]
                                                if ln.split(",", 1)[0] in codes]]) + "\n",
                         encoding="utf-8")
    out = tmp_path / "out.xlsx"
    r = run_cli("merge", str(inbox), "--plan", str(PLAN_001), "--units", str(units_csv),
                "--period", PERIOD, "--out", str(out))
    assert (r.returncode, r.stderr.count("Lỗi")) == (0, 0), r.stdout + r.stderr
    assert f"Đã nộp: {len(codes)}/{len(codes)} đơn vị" in r.stdout
    assert out.exists()


def test_cli_exit_1_when_a_unit_is_missing_or_invalid(tmp_path):
    out = tmp_path / "out.xlsx"
    r = run_cli("merge", str(RETURNS), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
                "--period", PERIOD, "--out", str(out))
    assert r.returncode == 1, r.stderr
    assert out.exists()


def _usage_cases(tmp_path: Path) -> dict[str, list[str]]:
    empty = tmp_path / "empty"
    empty.mkdir()
    base = ["--units", str(UNITS_CSV), "--out", str(tmp_path / "out.xlsx")]
    return {
        "unknown-period": [str(RETURNS), "--plan", str(PLAN_001), "--period", "q9-2023",
                           *base],
        "no-spreadsheets": [str(empty), "--plan", str(PLAN_001), "--period", PERIOD, *base],
        "plan-missing": [str(RETURNS), "--plan", str(tmp_path / "khong-co.yaml"),
                         "--period", PERIOD, *base],
    }


@pytest.mark.parametrize("case", ["unknown-period", "no-spreadsheets", "plan-missing"])
def test_cli_exit_2_for_usage_errors_one_sentence(tmp_path, case):
    r = run_cli("merge", *_usage_cases(tmp_path)[case])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Lỗi")]
    assert len(errors) == 1 and errors[0].rstrip().endswith("."), r.stderr
    if case == "unknown-period":
        assert "q9-2023" in errors[0] and PERIOD in errors[0]
    assert not (tmp_path / "out.xlsx").exists()


# --- 8. --include-invalid ----------------------------------------------------------------


@pytest.fixture(scope="module")
def with_invalid(tmp_path_factory, returns_dir, plan, units):
    out = tmp_path_factory.mktemp("incl") / "out.xlsx"
    return merge([returns_dir], plan, units, PERIOD, out, office_from_units(units, plan),
                 include_invalid=True, now=NOW, workers=1)


def test_include_invalid_counts_invalid_files(with_invalid, valid_files, invalid_files,
                                              plan, units, direct):
    counted = sorted(valid_files + invalid_files)
    assert sorted(with_invalid.aggregate.units) == sorted(code_of(p) for p in counted)
    wanted = recompute(counted, plan, units)
    agg = with_invalid.aggregate
    assert {k: [v.get(s, 0) for s in STATUSES] for k, v in agg.tasks.items()} == wanted.tasks
    assert {k: (agg.indicators[k].numerator, agg.indicators[k].denominator)
            for k in wanted.rates} == wanted.rates
    # the difference from the default merge is exactly the invalid files' cells (TH-RB's
    # 43 on time of 40 resolved among them)
    extra = [sum(num(Return(p).get("report_indicators", "ind:2.1", c)) for p in invalid_files)
             for c in ("numerator", "denominator")]
    default = direct.aggregate.indicators["ind:2.1"]
    assert [agg.indicators["ind:2.1"].numerator - default.numerator,
            agg.indicators["ind:2.1"].denominator - default.denominator] == extra


def test_include_invalid_visible_sheets(with_invalid, valid_files, invalid_files, plan,
                                        units):
    wanted = recompute(sorted(valid_files + invalid_files), plan, units)
    wb = load_workbook(with_invalid.out)
    cached = load_workbook(with_invalid.out, data_only=True)
    ref = Return(valid_files[0])
    task_key = ref.labels("report_tasks", "stt", "product")
    ind_key = ref.labels("report_indicators", "stt")
    assert {task_key[k]: v["counts"] for k, v in read_tasks(wb, cached).items()} == \
        wanted.tasks
    rows = {ind_key[(k,)]: v for k, v in read_indicators(wb, cached).items()}
    assert {k: (rows[k]["numerator"], rows[k]["denominator"]) for k in wanted.rates} == \
        wanted.rates


# --- 9. LibreOffice, and back into validate ----------------------------------------------


@needs_soffice
@pytest.mark.libreoffice
def test_consolidated_workbook_prints_in_libreoffice(direct, tmp_path):
    pdf = soffice_convert(direct.out, tmp_path / "pdf", "pdf", tmp_path / "profile")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", pdf_text(pdf)))
    assert "TÌNH HÌNH NỘP BÁO CÁO" in text
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8" in text
    # the missing unit is named (pdftotext may split a word at a kerning gap)
    assert "TrườngTrunghọccơsởTùngThiệnVương" in text.replace(" ", "")


@needs_soffice
@pytest.mark.libreoffice
def test_district_file_resaved_by_libreoffice_rolls_up_the_same(districts, tmp_path, plan):
    paths, _ = districts
    resaved = soffice_convert(paths["PA"], tmp_path / "lo", "xlsx", tmp_path / "profile")
    top = [Unit(code="PA", name="Phòng A")]
    result = merge([resaved], plan, top, PERIOD, tmp_path / "top.xlsx",
                   office_from_units(top, plan, code="SO"), now=NOW, workers=1)
    assert [s.status for s in result.submissions] == ["valid"]
    assert result.aggregate.figures() == identity_aggregate(paths["PA"]).figures()


def test_consolidated_workbook_validates_without_errors(direct, districts):
    _, province = districts
    report = validate([direct.out, province.out], today=TODAY, workers=1)
    assert [(f.usable, f.kind, f.errors) for f in report.files] == [
        (True, "consolidation", 0), (True, "consolidation", 0)]
    assert [i for f in report.files for i in f.issues if i.severity == "error"] == []
