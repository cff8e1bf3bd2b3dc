"""The checks a fill page runs as the school types, generated from the rules ``validate``
applies (rules/*.yaml through the catalog), never written a second time by hand.

For each field of a unit's form: its column checks (required, list, whole or decimal
number with its bounds, a date by the period's end or inside the period), and the row
checks (``expr`` rules such as ``numerator <= denominator`` or «Đã hoàn thành» needing a
date) as a small expression tree over the row's fields, its attributes and its SUM
columns. Each carries the rule's message with every parameter but ``{value}`` filled in,
as ``validate`` formats it; the page puts in what was typed. The page is conservative:
it judges only what it can read exactly as the server does (a plain integer, an ISO date
from the date picker, a choice of the list); anything else waits for the server's real
check, which stays the final word on the built workbook.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from typing import Any

from cchc_xlsx.checking.report import SEVERITY_VI
from cchc_xlsx.forms.specs import Catalog, FormSpec, Rule
from cchc_xlsx.web.fill_form import Layout

#: column check kinds the page can run (the rest, builtins, run on the server only)
COLUMN_KINDS = ("required", "allowed", "whole", "decimal", "date_in_period",
                "date_by_period_end")
_SUM = re.compile(r"^SUM\((.*)\)$")
_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
        ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}


class _Unsupported(Exception):
    """An expression the page does not run (the server still does)."""


def _message(rule: Rule, start: str, end: str) -> str:
    """The rule's message as ``validate._format`` fills it, ``{value}`` left for the page."""
    from cchc_xlsx.checking.validate import _format, _num

    c = rule.check
    return _format(rule.message, {"value": "{value}", "allowed": ", ".join(c.allowed),
                                  "min": _num(c.min), "max": _num(c.max), "start": start,
                                  "end": end})


def _tree(node: ast.AST, spec: FormSpec) -> Any:
    """An ``expr`` rule as JSON the page evaluates with the same semantics as
    ``rule_checks._Eval`` (a comparison with a blank side passes): ``{"col": key}`` is a
    field of the row, ``{"sum": [keys]}`` a SUM column, ``{"attr": key}`` a row
    attribute."""
    def sub(n: ast.AST) -> Any:
        return _tree(n, spec)

    if isinstance(node, ast.Expression):
        return sub(node.body)
    if isinstance(node, ast.Constant):
        return {"c": node.value}
    if isinstance(node, (ast.Tuple, ast.List)):
        if not all(isinstance(e, ast.Constant) for e in node.elts):
            raise _Unsupported(ast.dump(node))
        return {"list": [e.value for e in node.elts]}  # type: ignore[attr-defined]
    if isinstance(node, ast.Name):
        column = next((c for c in spec.columns if c.key == node.id), None)
        if column is not None and column.input:
            return {"col": node.id}
        if column is not None and isinstance(column.formula, str):
            m = _SUM.match(column.formula)
            if m and _REF.findall(m.group(1)):
                return {"sum": _REF.findall(m.group(1))}
            raise _Unsupported(node.id)
        return {"attr": node.id, "flag": node.id == "deadline_in_period"}
    if isinstance(node, ast.BoolOp):
        return {"op": "and" if isinstance(node.op, ast.And) else "or",
                "args": [sub(v) for v in node.values]}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return {"op": "not", "args": [sub(node.operand)]}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {"op": "+", "args": [sub(node.left), sub(node.right)]}
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _OPS:
        return {"op": _OPS[type(node.ops[0])], "args": [sub(node.left),
                                                        sub(node.comparators[0])]}
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("notna", "isna", "blank") and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)):
        return {"op": "notna" if node.func.id == "notna" else "isna",
                "args": [{"col": node.args[0].id}]}
    raise _Unsupported(ast.dump(node))


def _refs(tree: Any) -> set[str]:
    """The columns an expression tree reads."""
    if isinstance(tree, dict):
        found = {tree["col"]} if "col" in tree else set(tree.get("sum", ()))
        for arg in tree.get("args", ()):
            found |= _refs(arg)
        return found
    return set()


def field_checks(layout: Layout, catalog: Catalog, period_start: date, period_end: date,
                 today: date) -> dict[str, Any]:
    """The page's checks for a unit's form, as JSON-ready data.

    ``rules``: rule id → severity (and its Vietnamese word), kind, message and what the
    kind needs (the list, the bounds, the last allowed day, an expression tree and the
    column it is reported at). ``fields``: field name → the ids of its column checks.
    ``rows``: each row with row checks → its fields by column, the attributes the trees
    read, and the ids of its row checks."""
    start, end = f"{period_start:%d/%m/%Y}", f"{period_end:%d/%m/%Y}"
    last = min(period_end, today).isoformat()
    table: dict[str, dict[str, Any]] = {}
    fields: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    for form_id, form_rows in layout.rows.items():
        spec = catalog.forms[form_id]
        rules = [r for r in catalog.rules_for(form_id)
                 if r.check.kind in COLUMN_KINDS or r.check.kind == "expr"]
        for key, attrs in form_rows:
            cols = {c.key: f"{form_id}|{key}|{c.key}" for c in spec.columns
                    if f"{form_id}|{key}|{c.key}" in layout.fields}
            row_rules = []
            for rule in rules:
                if not rule.applies(attrs):
                    continue
                if rule.id not in table:
                    entry = _entry(rule, spec, start, end, period_start, last)
                    if entry is None:
                        continue
                    table[rule.id] = entry
                entry = table[rule.id]
                if rule.check.kind == "expr":
                    if _refs(entry["tree"]) <= set(cols) and cols:
                        row_rules.append(rule.id)
                    continue
                for column in rule.columns:
                    if column in cols:
                        fields.setdefault(cols[column], []).append(rule.id)
            if row_rules:
                read = {a for r in row_rules for a in _attrs(table[r]["tree"])}
                rows.append({"cols": cols, "first": next(iter(cols.values())),
                             "attrs": {a: str(attrs.get(a, "")) for a in sorted(read)},
                             "rules": row_rules})
    empty = next((r for r in catalog.rules if r.check.kind == "builtin"
                  and r.check.expr == "doc_field_empty"), None)
    if empty is not None:  # the report's own fields: validate's builtin, its own labels
        from cchc_xlsx.checking.validate import DOC_LABELS, _format

        for name, label in DOC_LABELS.items():
            if f"doc|{name}" in layout.fields:
                rid = f"{empty.id}|{name}"
                table[rid] = {"id": empty.id, "severity": empty.severity,
                              "severity_vi": SEVERITY_VI.get(empty.severity, empty.severity),
                              "kind": "required",
                              "message": _format(empty.message, {"field": label})}
                fields.setdefault(f"doc|{name}", []).append(rid)
    return {"rules": table, "fields": fields, "rows": rows}


def _attrs(tree: Any) -> set[str]:
    if isinstance(tree, dict):
        found = {tree["attr"]} if "attr" in tree else set()
        for arg in tree.get("args", ()):
            found |= _attrs(arg)
        return found
    return set()


def _entry(rule: Rule, spec: FormSpec, start: str, end: str, period_start: date,
           last: str) -> dict[str, Any] | None:
    c = rule.check
    entry: dict[str, Any] = {"id": rule.id, "severity": rule.severity,
                             "severity_vi": SEVERITY_VI.get(rule.severity, rule.severity),
                             "kind": c.kind, "message": _message(rule, start, end)}
    if c.kind == "expr":
        try:
            entry["tree"] = _tree(ast.parse(c.expr, mode="eval"), spec)
        except (_Unsupported, SyntaxError):
            return None  # the server's check covers it
        entry["at"] = rule.columns[0]  # validate reports a row check at its first column
    elif c.kind == "allowed":
        entry["allowed"] = list(c.allowed)
    elif c.kind in ("whole", "decimal"):
        entry |= {"min": c.min, "max": c.max}
    elif c.kind == "date_in_period":
        entry |= {"from": period_start.isoformat(), "to": last}
    elif c.kind == "date_by_period_end":
        entry["to"] = last
    return entry
