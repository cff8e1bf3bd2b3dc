"""Compile the rules in ``rules/`` into vectorised checks over a stacked table.

Each rule becomes one pandera ``Check`` over the whole stacked frame of a form (every file's
rows at once), returning a boolean Series: True where the row passes. Rules are data, so
the ``expr`` language is a small, safe subset of Python evaluated on columns (no names but
columns and a few functions, no attribute access, no calls but the listed ones).

Frame layout (built by ``validate``): for a column ``c`` of the form, ``c`` holds the
normalised value (float, date as datetime64, or text) and ``c__raw`` the text as typed;
row attributes (measure, met_mode, deadline_in_period) are plain columns.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cchc_xlsx.forms.specs import Rule
from cchc_xlsx.reading.normalize import fold

# statuses and labels repeat across thousands of rows: fold each distinct text once
_fold = lru_cache(maxsize=65536)(fold)


def _fold_series(s: pd.Series) -> pd.Series:
    return s.map(lambda v: _fold(v) if isinstance(v, str) else v)


def _by_distinct(series: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``fn(series)``, for an element-wise ``fn``, worked out once per distinct value.

    A text column of 1,000 returns holds tens of thousands of cells but a handful of
    distinct texts (the listed statuses, blanks): calling Python per cell was most of the
    pandera pass. ``fn`` sees a Series of the same dtype holding one cell of each distinct
    value (missing values are one value: every ``fn`` here treats None and NaN alike) and
    its answer is spread back by position. Numbers and dates go straight to ``fn``: their
    operations are vectorised already."""
    dtype = series.dtype
    if len(series) < 64 or not (pd.api.types.is_object_dtype(dtype)
                                or isinstance(dtype, pd.StringDtype)):
        return fn(series)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if 2 * len(uniques) > len(series):
        return fn(series)
    first = np.empty(len(uniques), dtype=np.intp)
    first[codes] = np.arange(len(codes))  # any cell of each value will do
    out = fn(series.iloc[first])
    spread = out.iloc[codes]
    spread.index = series.index
    return spread

CheckFn = Callable[[pd.DataFrame], pd.Series]


class _Eval:
    """Evaluate a parsed expression on a frame, vectorised, with 'unknown passes' nulls.

    A comparison with a blank operand is True (not this rule's business: the required
    rules report blanks), so a rule never fires on a cell that is simply empty.
    """

    def __init__(self, df: pd.DataFrame, blanks: Mapping[str, pd.Series] | None = None
                 ) -> None:
        self.df = df
        self.blanks = blanks  # as in compile_rule: worked out once per frame by the caller

    def __call__(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ValueError(f"không dùng được «{ast.unparse(node)}» trong biểu thức")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self(node.body)

    def _Name(self, node: ast.Name) -> Any:
        if node.id in ("True", "False"):
            return node.id == "True"
        col = self.df[node.id]
        if node.id in ("deadline_in_period",):
            return col.astype(str) == "1"
        return col

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self(e) for e in node.elts)

    _List = _Tuple

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        values = [self._bool(self(v)) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self(node.operand)
        if isinstance(node.op, ast.Not):
            return ~self._bool(value)
        if isinstance(node.op, ast.USub):
            return -value
        return value

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self(node.left), self(node.right)
        ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}
        fn = ops.get(type(node.op))
        if fn is None:
            raise ValueError("chỉ dùng được + - * / trong biểu thức")
        return fn(left, right)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        arg = node.args[0]
        if name in ("blank", "isna", "notna") and isinstance(arg, ast.Name):
            known = self.blanks.get(arg.id) if self.blanks is not None else None
            if known is not None and known.index.equals(self.df.index):
                blank = known
            else:
                raw = self.df.get(arg.id + "__raw")
                blank = raw.fillna("").astype(str).str.strip() == "" if raw is not None else (
                    self.df[arg.id].isna())
            return ~blank if name == "notna" else blank
        value = self(arg)
        return value.isna() if name in ("isna", "blank") else value.notna()

    def _Compare(self, node: ast.Compare) -> Any:
        left = self(node.left)
        result = None
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = self(comp)
            part = self._compare(left, op, right)
            result = part if result is None else (result & part)
            left = right
        return result

    def _compare(self, left: Any, op: ast.cmpop, right: Any) -> pd.Series:
        index = self.df.index
        if isinstance(op, (ast.In, ast.NotIn)):
            series = _series(left, index)
            allowed = {_fold(str(v)) for v in right}
            inside = _by_distinct(series, lambda u: u.map(
                lambda v: isinstance(v, str) and _fold(v) in allowed))
            out = inside if isinstance(op, ast.In) else ~inside
            return out | series.isna()
        a, b = _series(left, index), _series(right, index)
        unknown = a.isna() | b.isna()
        if _numeric(a) and _numeric(b):
            a, b = a.astype(float), b.astype(float)
            eq = pd.Series(np.isclose(a.fillna(0), b.fillna(0), rtol=0, atol=1e-9),
                           index=index)
            table = {ast.Eq: eq, ast.NotEq: ~eq, ast.Lt: (a < b) & ~eq,
                     ast.LtE: (a <= b) | eq, ast.Gt: (a > b) & ~eq, ast.GtE: (a >= b) | eq}
        elif isinstance(right, str):
            # a column against a text: once per distinct value of the column (every
            # comparison is made, as below, so one that cannot be made fails alike)
            sb = _fold(right)

            def compared(u: pd.Series) -> pd.Series:
                su = _fold_series(u)
                table = {kind: fn(su, sb) for kind, fn in _TEXT_OPS.items()}
                return table[type(op)]

            return _by_distinct(a, compared) | unknown
        else:
            sa = _fold_series(a)
            sb = _fold_series(b)
            table = {ast.Eq: sa == sb, ast.NotEq: sa != sb, ast.Lt: sa < sb,
                     ast.LtE: sa <= sb, ast.Gt: sa > sb, ast.GtE: sa >= sb}
        return table[type(op)] | unknown

    @staticmethod
    def _bool(value: Any) -> pd.Series:
        if isinstance(value, pd.Series):
            return value.fillna(False).astype(bool)
        return value


_TEXT_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge}


def _series(value: Any, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return pd.Series(value, index=index, dtype=float if numeric else object)


def _numeric(s: pd.Series) -> bool:
    # the frame's numeric columns are converted to floats before checking
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _blank(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col + "__raw"].fillna("").astype(str).str.strip() == ""


def _applies(rule: Rule, df: pd.DataFrame) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for key, values in rule.when:
        col = df[key].astype(str) if key in df else pd.Series("", index=df.index)
        mask &= col.isin(values)
    return mask


def compile_rule(rule: Rule, today: date,
                 blanks: Mapping[str, pd.Series] | None = None) -> CheckFn:
    """A vectorised check for one rule: True where the row passes (or the rule is silent).

    Period bounds come per row (``_pstart``/``_pend``): a batch may mix periods.
    ``blanks``: column → where its text as typed is blank, when the caller has worked it
    out once for every rule over the frame (pandas' string ops cost more than the checks).
    """
    c = rule.check
    cols = rule.columns
    allowed = frozenset(_fold(a) for a in c.allowed)

    def column_check(df: pd.DataFrame) -> pd.Series:
        ok = pd.Series(True, index=df.index)
        for col in cols:
            known = blanks.get(col) if blanks is not None else None
            blank = known if known is not None and known.index.equals(df.index) else \
                _blank(df, col)
            if c.kind == "required":
                ok &= ~blank
                continue
            value = df[col]
            if c.kind == "allowed":
                # the value as read: a near miss of a listed value is that value by now
                ok &= blank | _by_distinct(value, lambda u: u.map(
                    lambda v: isinstance(v, str) and _fold(v) in allowed))
            elif c.kind in ("whole", "decimal"):
                num = pd.to_numeric(value, errors="coerce")
                good = num.notna()
                if c.kind == "whole":
                    good &= (num - num.round()).abs() < 1e-9
                if c.min is not None:
                    good &= num >= c.min
                if c.max is not None:
                    good &= num <= c.max
                ok &= blank | good
            elif c.kind == "date":
                ok &= blank | value.notna()
            elif c.kind == "date_in_period":
                when = pd.to_datetime(value, errors="coerce")
                lo = df["_pstart"]
                hi = df["_pend"].where(df["_pend"] <= pd.Timestamp(today), pd.Timestamp(today))
                inside = (when >= lo) & (when <= hi)
                ok &= blank | when.isna() | lo.isna() | inside
            elif c.kind == "date_by_period_end":
                # done in an earlier period is a fact to report, not an error: only a date
                # after the period's end (or after today) is refused
                when = pd.to_datetime(value, errors="coerce")
                hi = df["_pend"].where(df["_pend"] <= pd.Timestamp(today), pd.Timestamp(today))
                ok &= blank | when.isna() | hi.isna() | (when <= hi)
        return ok

    if c.kind == "expr":
        tree = ast.parse(c.expr, mode="eval")

        def expr_check(df: pd.DataFrame) -> pd.Series:
            result = _Eval(df, blanks)(tree)
            result = _series(result, df.index).fillna(True).astype(bool)
            return result | ~_applies(rule, df)

        return expr_check

    def check(df: pd.DataFrame) -> pd.Series:
        return column_check(df) | ~_applies(rule, df)

    return check
