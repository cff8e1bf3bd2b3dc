"""The rule checks worked out once per distinct value (issue 18) give the per-row answers.

``rule_checks`` evaluates the text operations (folding, comparing with a text, ``in``,
``allowed``, ``when``) once per distinct value of a column and spreads the answer back;
``validate._run_pandera`` hands pandera only the columns the checks read and works the
blanks out once per distinct text. Both are compared here with the plain per-row
evaluation, on random frames over every rule in ``rules/`` and a few more rules of the
kinds and operators the shipped rules do not use."""

from __future__ import annotations

import ast
import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cchc_xlsx.checking import rule_checks, validate
from cchc_xlsx.forms.specs import Check, Rule, load_catalog

TODAY = date(2023, 4, 15)
CATALOG = load_catalog()
REPORT_FORMS = [f for f, spec in CATALOG.forms.items() if spec.kind == "report"]

TEXTS = ["Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Không phát sinh", "đã hoàn thành",
         "DA HOAN THANH", "Đã hoàn thành.", "xong", "Đạt", "Không đạt", "khong dat", "dat", "",
         " ", "abc", "15/BC-TH", "1", "0", "rate", None, None]
RAWS = ["", " ", "  ", "\t", None, "x", "12", "05/03/2023", "abc", "Đã hoàn thành", "0"]
NUMBERS = [None, float("nan"), 0.0, 1.0, 2.0, 3.0, 5.0, 7.5, -1.0, 1e9, 0.5, 2.0000000001,
           float("inf"), 12.0, 40.0]
DAYS = [None, date(2022, 12, 31), date(2023, 1, 1), date(2023, 2, 14), date(2023, 3, 31),
        date(2023, 4, 1), date(2023, 4, 20), datetime(2023, 3, 5, 14, 30), date(2030, 1, 1)]
PERIODS = [(date(2023, 1, 1), date(2023, 3, 31)), (date(2023, 4, 1), date(2023, 6, 30)),
           (None, None), (date(2023, 1, 1), None)]


def _rule(form: str, rule_id: str, columns: tuple[str, ...], check: Check,
          when: tuple = ()) -> Rule:
    return Rule(rule_id, form, columns, "error", check, "«{value}» {allowed} {min} {max} "
                "{start} {end}", when=when, suggest="Có phải «{nearest}»?")


# kinds and operators rules/ does not use today, so a future rule is covered too
EXTRA = {
    "report_tasks": [
        _rule("report_tasks", "x_in_period", ("completion_date",), Check("date_in_period")),
        _rule("report_tasks", "x_not_in", ("status",),
              Check("expr", expr="status not in ('Đã hoàn thành', 'Xong') or blank(evidence)")),
        _rule("report_tasks", "x_order", ("status",),
              Check("expr", expr="status < 'Đang' or status >= 'Không' or status == evidence")),
        _rule("report_tasks", "x_isna", ("difficulties",),
              Check("expr", expr="isna(difficulties) or not notna(evidence) or "
                                 "deadline_in_period and status != 'Xong'"),
              when=(("deadline_in_period", ("1",)),)),
        _rule("report_tasks", "x_extra_required", ("extra",), Check("required")),
        _rule("report_tasks", "x_extra_blank", ("status",),
              Check("expr", expr="blank(extra) or status == 'Xong'")),
        _rule("report_tasks", "x_allowed_when", ("status",),
              Check("allowed", allowed=("Đã hoàn thành", "Đang thực hiện")),
              when=(("deadline_in_period", ("1", "")),)),
    ],
    "report_indicators": [
        _rule("report_indicators", "x_decimal", ("result", "numerator"),
              Check("decimal", min=0.5, max=100)),
        _rule("report_indicators", "x_arith", ("numerator",),
              Check("expr", expr="numerator * 2 - denominator / 4 > -numerator + 1 or "
                                 "result <= 0.5 or True and False"),
              when=(("measure", ("rate", "count")),)),
        _rule("report_indicators", "x_met_text", ("met",),
              Check("expr", expr="met in ['Đạt'] or met == 'Không đạt' or blank(note)"),
              when=(("met_mode", ("input",)),)),
    ],
    "report_tthc": [
        _rule("report_tthc", "x_whole_max", ("c4", "c5"), Check("whole", min=1, max=10)),
        _rule("report_tthc", "x_chain", ("c3",), Check("expr", expr="0 <= c4 < c3 != c5")),
    ],
}


def _rules(form: str) -> list[Rule]:
    shipped = [r for r in CATALOG.rules_for(form) if r.check.kind != "builtin"]
    return shipped + EXTRA.get(form, [])


def _records(form: str, n: int, rnd: random.Random) -> dict[str, list[Any]]:
    """A form's stacked rows as the workers hand them over, with a few columns missing
    for some files (None) and texts, numbers and dates from small pools, as in returns."""
    spec = CATALOG.forms[form]
    cols = [c for c in spec.columns if c.input or c.formula]
    periods = [rnd.choice(PERIODS) for _ in range(n)]
    records: dict[str, list[Any]] = {
        "_f": [rnd.randrange(5) for _ in range(n)],
        "_key": [f"k:{rnd.randrange(50)}" for _ in range(n)],
        "_pstart": [p[0] for p in periods],
        "_pend": [p[1] for p in periods],
        "measure": [rnd.choice(["rate", "count", "", None]) for _ in range(n)],
        "met_mode": [rnd.choice(["input", "", None]) for _ in range(n)],
        "deadline_in_period": [rnd.choice(["1", "0", "", None]) for _ in range(n)],
    }
    for attr in ("measure", "met_mode", "deadline_in_period"):
        if rnd.random() < 0.15:
            del records[attr]  # a form whose rows carry no such attribute
    for col in cols:
        kind = col.input or ("number" if col.formula else "text")
        pool = {"date": DAYS, "whole": NUMBERS, "number": NUMBERS}.get(kind, TEXTS)
        values = [rnd.choice(pool) for _ in range(n)]
        raws = [rnd.choice(RAWS) if rnd.random() < 0.5 else
                ("" if v is None else str(v)) for v in values]
        records[col.key] = values
        records[col.key + "__raw"] = raws
    if rnd.random() < 0.2:  # a column without its text as typed: blank is then "missing"
        del records[rnd.choice(cols).key + "__raw"]
    # a column that is no column of the form, with its text as typed (none is made today)
    records["extra"] = [rnd.choice(TEXTS) for _ in range(n)]
    records["extra__raw"] = [rnd.choice(RAWS) for _ in range(n)]
    return records


def _frame(records: dict[str, list[Any]], form: str, as_object: bool) -> pd.DataFrame:
    """The frame as ``_run_pandera`` builds it (every column, ``__raw`` too)."""
    df = pd.DataFrame(records)
    for col in ("_pstart", "_pend"):
        df[col] = pd.to_datetime(df[col], errors="coerce")
    for col in CATALOG.forms[form].columns:
        if col.key not in df:
            continue
        if col.input == "date":
            df[col.key] = pd.to_datetime(df[col.key], errors="coerce")
        elif col.input in ("whole", "number") or (col.formula and not col.input):
            df[col.key] = pd.to_numeric(df[col.key], errors="coerce")
        elif as_object:
            df[col.key] = df[col.key].astype(object)
    for attr in ("measure", "met_mode", "deadline_in_period"):
        if attr not in df:
            df[attr] = ""
    return df.fillna({"measure": "", "met_mode": "", "deadline_in_period": ""})


def _per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rule_checks, "_by_distinct", lambda series, fn: fn(series))


def _outcome(rule: Rule, blanks: Any, df: pd.DataFrame) -> Any:
    """The check's answer, or the type of what it raised."""
    try:
        return rule_checks.compile_rule(rule, TODAY, blanks)(df)
    except Exception as exc:  # noqa: BLE001 - compared, not hidden
        return type(exc)


def _units(rules: list[Rule]) -> list[Rule]:
    return [replace(r, columns=(col,)) for r in rules
            for col in (r.columns if r.check.kind != "expr" else r.columns[:1])]


@pytest.mark.parametrize("form", REPORT_FORMS)
def test_checks_match_the_per_row_evaluation(form, monkeypatch):
    rnd = random.Random(f"checks-{form}")
    units = _units(_rules(form))
    compared = raised = 0
    for trial in range(12):
        n = rnd.choice([0, 1, 5, 63, 64, 200, 900])
        records = _records(form, n, rnd)
        df = _frame(records, form, as_object=trial % 3 == 0)
        blanks_sets = [None, {c: rule_checks._blank(df, c) for c in df
                              if c + "__raw" in df}]
        for blanks in blanks_sets:
            fast = [_outcome(rule, blanks, df) for rule in units]
            with monkeypatch.context() as m:
                _per_row(m)
                plain = [_outcome(rule, blanks, df) for rule in units]
            for rule, a, b in zip(units, fast, plain, strict=True):
                if isinstance(a, type) or isinstance(b, type):  # a check that cannot run
                    assert a is b, rule.id  # fails alike (pandera reports it)
                    continue
                assert a.dtype == b.dtype, rule.id
                assert a.index.equals(b.index), rule.id
                assert np.array_equal(a.to_numpy(), b.to_numpy()), (rule.id, trial)
                compared += n
                raised -= 1
            raised += len(units)
    assert compared > 10_000
    assert raised < compared / 1000


def test_by_distinct_spreads_each_value_answer():
    s = pd.Series(["a", None, "b", "a", np.nan, "b"] * 20, index=range(100, 220))
    seen: list[int] = []

    def fn(u: pd.Series) -> pd.Series:
        seen.append(len(u))
        return u.map(lambda v: v if isinstance(v, str) else "-")

    out = rule_checks._by_distinct(s, fn)
    assert seen == [3]  # a, b and the missing value, once each
    assert out.index.equals(s.index)
    assert out.tolist() == s.map(lambda v: v if isinstance(v, str) else "-").tolist()
    numbers = pd.Series([1.0, 2.0] * 50)
    assert rule_checks._by_distinct(numbers, lambda u: u * 2).equals(numbers * 2)


# --- the whole pass: the frame without __raw, the blanks once per text ------------------


def _plain_run(builder, rules, today, paths):
    """``_run_pandera`` as it was: every column in the frame, ``__raw`` too, a blank test
    per cell, the checks per row."""
    import pandera.pandas as pa

    if not builder.records or not rules:
        return []
    df = pd.DataFrame(builder.records.columns)
    for col in ("_pstart", "_pend"):
        df[col] = pd.to_datetime(df[col], errors="coerce")
    for col in builder.cols:
        if col.input == "date":
            df[col.key] = pd.to_datetime(df[col.key], errors="coerce")
        elif col.input in ("whole", "number") or (col.formula and not col.input):
            df[col.key] = pd.to_numeric(df[col.key], errors="coerce")
    for attr in ("measure", "met_mode", "deadline_in_period"):
        if attr not in df:
            df[attr] = ""
    df = df.fillna({"measure": "", "met_mode": "", "deadline_in_period": ""})
    units = [(r, col) for r in rules for col in (r.columns if r.check.kind != "expr"
                                                 else r.columns[:1])]
    blanks = {col.key: pd.Series([v is None or ((not v or v.isspace()) if type(v) is str
                                                else not str(v).strip())
                                  for v in builder.records.columns[col.key + "__raw"]],
                                 index=df.index, dtype=bool)
              for col in builder.cols if col.key + "__raw" in builder.records.columns}
    checks = [pa.Check(rule_checks.compile_rule(replace(r, columns=(col,)), today, blanks),
                       name=r.id, ignore_na=False)
              for r, col in units]
    try:
        pa.DataFrameSchema(checks=checks).validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out = []
    seen = set()
    for number, index in zip(cases["check_number"], cases["index"], strict=True):
        if number is None or index is None or (number, index) in seen:
            continue
        seen.add((number, index))
        rule, column = units[int(number)]
        out.append((int(number), int(index), rule.id, column))
    return out


def _batch(form: str, records: dict[str, list[Any]]) -> validate._Batch:
    batch = validate._Batch(CATALOG.forms[form])
    n = len(records["_f"])
    batch.records.columns = {k: list(v) for k, v in records.items()}
    batch.records.n = n
    letters = {c.key: chr(ord("B") + i) for i, c in enumerate(CATALOG.forms[form].columns)}
    batch.where = [("Sheet", letters, 10 + i, records["_key"][i]) for i in range(n)]
    return batch


def _cells(found) -> list[tuple]:
    return sorted((fi, i.rule_id, i.severity, i.message, i.sheet, i.cell, i.value, i.form_id,
                   i.row_key) for fi, i in found)


@pytest.mark.parametrize("form", REPORT_FORMS)
def test_pandera_pass_matches_the_plain_one(form, monkeypatch):
    rnd = random.Random(f"pass-{form}")
    rules = _rules(form)
    paths = [f"/in/u{i}.xlsx" for i in range(5)]
    fired = 0
    for _ in range(6):
        records = _records(form, rnd.choice([1, 40, 300, 1500]), rnd)
        fast = validate._run_pandera(_batch(form, records), rules, TODAY, paths)
        with monkeypatch.context() as m:
            _per_row(m)
            plain = _plain_run(_batch(form, records), rules, TODAY, paths)
            # the same findings, with their messages, from the same pass done the old way
            m.setattr(validate, "_columns_read",
                      lambda rules, every=set(records): (every, set()))
            m.setattr(validate, "_blank_flags", lambda raws: [validate._is_blank(v)
                                                              for v in raws])
            old_frame = validate._run_pandera(_batch(form, records), rules, TODAY, paths)
        assert _cells(fast) == _cells(old_frame)
        assert sorted((fi, i.rule_id, i.cell) for fi, i in fast) == sorted(
            (int(records["_f"][index]), rule_id, f"{_letter(form, column)}{10 + index}")
            for _, index, rule_id, column in plain)
        fired += len(fast)
    assert fired > 100


def _letter(form: str, column: str) -> str:
    letters = {c.key: chr(ord("B") + i) for i, c in enumerate(CATALOG.forms[form].columns)}
    return letters.get(column, "A")


def test_columns_read_names_every_column_an_expression_reads():
    rule = _rule("report_tasks", "x", ("status",),
                 Check("expr", expr="a + b > c or blank(d) or e in ('x',) or notna(g) "
                                    "or isna(a) or g == 'y' or notna(h)"),
                 when=(("f", ("1",)),))
    read, tested = validate._columns_read([rule])
    assert {"status", "a", "b", "c", "e", "f", "g"} <= read
    assert tested == {"d", "h"}  # only ever tested for blank
    assert not any(c.endswith("__raw") for c in read | tested)
    names = {n.id for n in ast.walk(ast.parse(rule.check.expr, mode="eval"))
             if isinstance(n, ast.Name)}
    assert names - {"blank", "notna", "isna"} <= read | tested
    assert "_pstart" in validate._columns_read(
        [_rule("report_tasks", "y", ("completion_date",), Check("date_by_period_end"))])[0]


def test_blank_flags_match_the_per_cell_test():
    rnd = random.Random(3)
    pool = RAWS + ["a b", "\u00a0", "\n", " x ", str(timedelta(0))]
    raws = [rnd.choice(pool) for _ in range(5000)]
    assert validate._blank_flags(raws).tolist() == [validate._is_blank(v) for v in raws]
    assert validate._blank_flags([[1], " ", None]).tolist() == [False, True, True]
