"""Form specs (``workbook_templates/*.yaml``) and rule sets (``rules/*.yaml``) as objects.

A form is data, so adding one needs no Python: these loaders check a spec as strictly as a
compiler would (unknown keys, bad references, header grids that do not add up) and report
the file and line in Vietnamese. Rules are the single source that both Excel's data
validation (generate) and the read-back checks (validate) are built from.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.resources import data_dir
from cchc_xlsx.yamlio import Fields, load_yaml

FORM_WHAT = "mẫu biểu"
RULE_WHAT = "quy tắc kiểm tra"

ROW_SOURCES = ("tasks", "indicators", "roadmap", "procedures")
LAYOUTS = ("group_rows", "group_column", "plain")
INPUT_TYPES = ("text", "date", "whole", "number")
SEVERITIES = {"lỗi": "error", "cảnh báo": "warning", "error": "error", "warning": "warning"}
CHECK_KINDS = ("required", "date", "date_in_period", "date_by_period_end", "allowed", "whole",
               "decimal", "expr", "builtin")
# checks that concern a whole file (identity, rows), implemented in validate; messages are data
BUILTINS = ("no_identity", "unit_unknown", "period_mismatch", "form_version", "missing_row",
            "extra_row", "legacy_text", "ambiguous_date", "plan_mismatch", "stray_cell",
            "text_too_long", "name_mismatch", "near_miss",
            "doc_field_empty", "carried_over", "task_undone")
ROW_ATTRS = ("measure", "met_mode", "deadline_in_period")
EXPR_FUNCTIONS = ("notna", "isna", "blank")
_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class HeaderCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float = 12
    value: str | None = None  # template over the row record, e.g. "{stt}. {content}"
    input: str | None = None  # None for printed cells; else text | date | whole | number
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()  # an input only on matching rows
    formula: str | dict[str, str] | None = None  # per-measure when a dict; "met" = built in
    number_format: str | dict[str, str] | None = None
    align: str = "left"
    group_title: bool = False  # group rows print their title here, merged to the right
    group_column: bool = False  # group title merged vertically down the group's rows

    def applies(self, record: dict[str, Any]) -> bool:
        return matches(self.when, record)

    def formula_for(self, record: dict[str, Any]) -> str | None:
        if isinstance(self.formula, dict):
            return self.formula.get(str(record.get("measure")))
        return self.formula

    def format_for(self, record: dict[str, Any]) -> str | None:
        if isinstance(self.number_format, dict):
            return self.number_format.get(str(record.get("measure")))
        return self.number_format


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    kind: str  # plan | report
    name: str
    sheet: str
    title: str
    rows: str
    layout: str
    orientation: str
    columns: tuple[Column, ...]
    header_rows: tuple[tuple[HeaderCell, ...], ...] = ()
    column_numbers: bool = False
    total_row: dict[str, str] | None = None
    notes_before_table: tuple[str, ...] = ()
    default_rows: tuple[str, ...] = ()
    default_row_levels: tuple[tuple[str, ...], ...] = ()  # cấp học per default row; () = all
    source: str = ""

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def header(self) -> tuple[tuple[HeaderCell, ...], ...]:
        """The header grid; one row of the columns' own headers when the spec gives none."""
        return self.header_rows or (tuple(HeaderCell(c.header) for c in self.columns),)


@dataclass(frozen=True)
class Check:
    kind: str
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    expr: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    form: str
    columns: tuple[str, ...]
    severity: str  # "error" | "warning"
    check: Check
    message: str
    help: str = ""
    suggest: str = ""  # added to the message when a near allowed value exists: {nearest}
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: str = ""
    line: int = 0

    def applies(self, record: dict[str, Any]) -> bool:
        return matches(self.when, record)


@dataclass
class Catalog:
    """Everything the shipped (or given) folders define: forms by id, and rules."""

    forms: dict[str, FormSpec] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)

    def form(self, form_id: str) -> FormSpec:
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms))
            raise UserError(
                f"Không có mẫu biểu «{form_id}»; các mẫu hiện có: {known} "
                "(xem «cchc-xlsx forms»)."
            ) from None

    def rules_for(self, form_id: str, column: str | None = None) -> list[Rule]:
        return [r for r in self.rules
                if r.form == form_id and (column is None or column in r.columns)]


def matches(when: tuple[tuple[str, tuple[str, ...]], ...], record: dict[str, Any]) -> bool:
    """Whether a row record satisfies a ``when`` condition (every key, any listed value)."""
    return all(str(record.get(k)) in values for k, values in when)


def _when(f: Fields, key: str = "when") -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = f.raw(key)
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        f.fail("«when» phải là một bảng khóa như {measure: rate}", key=key)
    return tuple((str(k), tuple(str(x) for x in v) if isinstance(v, list) else (str(v),))
                 for k, v in raw.items())


def _column(f: Fields) -> Column:
    key = f.text("key", required=True)
    inp = f.text("input") or None
    if inp and inp not in INPUT_TYPES:
        f.fail(f"cột «{key}»: «input» phải là một trong {', '.join(INPUT_TYPES)}", key="input")
    formula = f.raw("formula")
    fmt = f.raw("number_format")
    col = Column(
        key=key,
        header=f.text("header", required=True),
        width=float(f.raw("width", 12)),
        value=f.text("value") or None,
        input=inp,
        when=_when(f),
        formula=dict(formula) if isinstance(formula, dict) else formula,
        number_format=dict(fmt) if isinstance(fmt, dict) else fmt,
        align=f.text("align", "left"),
        group_title=bool(f.raw("group_title", False)),
        group_column=bool(f.raw("group_column", False)),
    )
    f.done()
    return col


def load_form(path: str | Path, shipped: bool = False) -> FormSpec:
    """Load and check one form spec file (``shipped``: one of ours, see ``load_yaml``)."""
    f = Fields(load_yaml(path, FORM_WHAT, shipped=shipped), path, FORM_WHAT, "mẫu biểu")
    spec_id = f.text("id", required=True)
    columns = tuple(_column(f.child("columns", c, f"cột thứ {i + 1}"))
                    for i, c in enumerate(f.listing("columns", required=True)))
    header_rows = tuple(
        tuple(_header_cell(f, cell) for cell in row) for row in f.listing("header_rows")
    )
    total = f.raw("total_row")
    defaults = [_default_row(f, i, item) for i, item in enumerate(f.listing("default_rows"))]
    spec = FormSpec(
        id=spec_id,
        version=int(f.raw("version", 1)),
        kind=f.text("kind", required=True),
        name=f.text("name", required=True),
        sheet=f.text("sheet", required=True),
        title=f.text("title", required=True),
        rows=f.text("rows", required=True),
        layout=f.text("layout", "plain"),
        orientation=f.text("orientation", "portrait"),
        columns=columns,
        header_rows=header_rows,
        column_numbers=bool(f.raw("column_numbers", False)),
        total_row=dict(total) if isinstance(total, dict) else None,
        notes_before_table=tuple(str(n) for n in f.listing("notes_before_table")),
        default_rows=tuple(name for name, _ in defaults),
        default_row_levels=tuple(levels for _, levels in defaults),
        source=str(path),
    )
    f.done()
    _check_form(spec, f)
    return spec


def _default_row(f: Fields, i: int, item: Any) -> tuple[str, tuple[str, ...]]:
    """A default row: its name, or ``{name: …, levels: [TH, THCS]}`` for rows that apply
    only to some school levels (cấp học)."""
    if not isinstance(item, dict):
        return str(item), ()
    from cchc_xlsx.plans.plan_loader import read_levels

    row = f.child("default_rows", item, f"dòng mặc định thứ {i + 1}")
    name = row.text("name", required=True)
    levels = read_levels(row)
    row.done()
    return name, levels


def _header_cell(f: Fields, cell: Any) -> HeaderCell:
    if not isinstance(cell, dict) or "text" not in cell:
        f.fail("mỗi ô tiêu đề trong «header_rows» phải có dạng {text: …, rowspan: …, "
               "colspan: …}", key="header_rows")
    extra = set(cell) - {"text", "rowspan", "colspan"}
    if extra:
        f.fail(f"ô tiêu đề có khóa lạ «{sorted(extra)[0]}»", key="header_rows")
    return HeaderCell(str(cell["text"]), int(cell.get("rowspan", 1)), int(cell.get("colspan", 1)))


def _check_form(spec: FormSpec, f: Fields) -> None:
    if spec.kind not in ("plan", "report"):
        f.fail(f"«kind» phải là plan hoặc report, không phải «{spec.kind}»", key="kind")
    if spec.rows not in ROW_SOURCES:
        f.fail(f"«rows» phải là một trong {', '.join(ROW_SOURCES)}", key="rows")
    if spec.layout not in LAYOUTS:
        f.fail(f"«layout» phải là một trong {', '.join(LAYOUTS)}", key="layout")
    if spec.orientation not in ("portrait", "landscape"):
        f.fail("«orientation» phải là portrait hoặc landscape", key="orientation")
    if len(spec.sheet) > 31 or re.search(r"[\[\]:*?/\\]", spec.sheet):
        f.fail(f"tên trang «{spec.sheet}» dài quá 31 ký tự hoặc có ký tự []:*?/\\", key="sheet")
    keys = [c.key for c in spec.columns]
    if len(set(keys)) != len(keys):
        f.fail("hai cột trùng «key»", key="columns")
    for col in spec.columns:
        formulas = (col.formula.values() if isinstance(col.formula, dict)
                    else [col.formula] if col.formula else [])
        for formula in formulas:
            for ref in _REF.findall(formula):
                if ref not in keys:
                    f.fail(f"công thức của cột «{col.key}» tham chiếu cột lạ «{ref}»",
                           key="columns")
    if spec.header_rows:
        _check_grid(spec, f)


def _check_grid(spec: FormSpec, f: Fields) -> None:
    """The header grid must cover exactly len(columns) columns on every row."""
    n_rows, n_cols = len(spec.header_rows), len(spec.columns)
    taken = [[False] * n_cols for _ in range(n_rows)]
    for r, row in enumerate(spec.header_rows):
        c = 0
        for cell in row:
            while c < n_cols and taken[r][c]:
                c += 1
            if c + cell.colspan > n_cols or r + cell.rowspan > n_rows:
                f.fail(f"ô tiêu đề «{cell.text}» vượt ra ngoài bảng", key="header_rows")
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    taken[rr][cc] = True
            c += cell.colspan
    if not all(all(row) for row in taken):
        f.fail("«header_rows» không phủ kín mọi cột của bảng", key="header_rows")


def _check(f: Fields, raw: Any) -> Check:
    if isinstance(raw, str):
        if raw not in ("required", "date", "date_in_period", "date_by_period_end"):
            f.fail(f"kiểu kiểm tra «{raw}» không có; dùng một trong {', '.join(CHECK_KINDS)}",
                   key="check")
        return Check(kind=raw)
    if not isinstance(raw, dict) or len(raw) != 1:
        f.fail("«check» phải là một kiểu kiểm tra, ví dụ {allowed: [...]}", key="check")
    kind, arg = next(iter(raw.items()))
    if kind == "allowed":
        if not isinstance(arg, list) or not arg:
            f.fail("«allowed» cần một danh sách giá trị", key="check")
        return Check(kind=kind, allowed=tuple(str(a) for a in arg))
    if kind in ("whole", "decimal"):
        arg = arg or {}
        if not isinstance(arg, dict) or set(arg) - {"min", "max"}:
            f.fail(f"«{kind}» chỉ nhận min và max", key="check")
        return Check(kind=kind, min=arg.get("min"), max=arg.get("max"))
    if kind == "expr":
        try:
            expr_names(str(arg))
        except SyntaxError as exc:
            f.fail(f"biểu thức «{arg}» sai cú pháp ({exc.msg})", key="check")
        except ValueError as exc:
            f.fail(f"biểu thức «{arg}»: {exc}", key="check")
        return Check(kind=kind, expr=str(arg))
    if kind == "builtin":
        if arg not in BUILTINS:
            f.fail(f"kiểm tra có sẵn «{arg}» không có; dùng một trong {', '.join(BUILTINS)}",
                   key="check")
        return Check(kind=kind, expr=str(arg))
    f.fail(f"kiểu kiểm tra «{kind}» không có; dùng một trong {', '.join(CHECK_KINDS)}",
           key="check")
    raise AssertionError  # unreachable: fail() raises


def expr_names(expr: str) -> set[str]:
    """The names an ``expr`` check reads; refuses anything but a small safe subset.

    Raises SyntaxError for bad syntax and ValueError for constructs rules may not use.
    """
    tree = ast.parse(expr, mode="eval")
    names = set()
    allowed_nodes = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not,
                     ast.USub, ast.UAdd, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
                     ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
                     ast.NotIn, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List,
                     ast.Call)
    for node in ast.walk(tree):
        if not isinstance(node, allowed_nodes):
            raise ValueError(f"không dùng được «{ast.unparse(node)}» trong biểu thức")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in EXPR_FUNCTIONS
                    and len(node.args) == 1 and not node.keywords):
                raise ValueError(f"chỉ gọi được các hàm {', '.join(EXPR_FUNCTIONS)} "
                                 "với một đối số")
        elif isinstance(node, ast.Name) and node.id not in EXPR_FUNCTIONS:
            names.add(node.id)
    return names - {"True", "False"}


def load_rules(path: str | Path, shipped: bool = False) -> list[Rule]:
    """Load and check one rule file (``shipped``: one of ours, see ``load_yaml``)."""
    top = Fields(load_yaml(path, RULE_WHAT, shipped=shipped), path, RULE_WHAT, "tệp quy tắc")
    rules = []
    for i, raw in enumerate(top.listing("rules", required=True)):
        f = top.child("rules", raw, f"quy tắc thứ {i + 1}")
        rid = f.text("id", required=True)
        cols = f.listing("columns") if f.has("columns") else []
        single = f.text("column")
        columns = tuple(str(c) for c in cols) + ((single,) if single else ())
        check = _check(f, f.raw("check", required=True))
        if not columns and check.kind != "builtin":
            f.fail(f"quy tắc «{rid}» phải có «column» hoặc «columns»")
        sev = f.text("severity", "lỗi")
        if sev not in SEVERITIES:
            f.fail(f"mức độ «{sev}» phải là «lỗi» hoặc «cảnh báo»", key="severity")
        help_text = f.text("help")
        suggest = f.text("suggest")
        if suggest and check.kind != "allowed":
            f.fail("«suggest» chỉ dùng với kiểm tra «allowed»", key="suggest")
        if len(help_text) > 255:
            f.fail("«help» dài quá 255 ký tự (giới hạn của Excel)", key="help")
        rules.append(Rule(
            id=rid,
            form=f.text("form", required=True),
            columns=columns,
            severity=SEVERITIES[sev],
            check=check,
            message=f.text("message", required=True),
            help=help_text,
            suggest=suggest,
            when=_when(f),
            source=str(path),
            line=f.line,
        ))
        f.done()
    top.done()
    ids = [r.id for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        top.fail(f"mã quy tắc «{sorted(dup)[0]}» bị trùng", key="rules")
    return rules


def load_catalog(forms_dir: str | Path | None = None,
                 rules_dir: str | Path | None = None) -> Catalog:
    """Load every form and rule; defaults to the shipped folders."""
    if forms_dir is None and rules_dir is None:
        return _shipped_catalog()
    return _load_catalog(Path(forms_dir or data_dir("workbook_templates")),
                         Path(rules_dir or data_dir("rules")))


@lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    return _load_catalog(data_dir("workbook_templates"), data_dir("rules"), shipped=True)


def _load_catalog(forms_dir: Path, rules_dir: Path, shipped: bool = False) -> Catalog:
    cat = Catalog()
    for path in sorted(forms_dir.glob("*.yaml")):
        spec = load_form(path, shipped)
        if spec.id in cat.forms:
            raise UserError(f"Mẫu biểu «{spec.id}» được định nghĩa hai lần: «{path}» và "
                            f"«{cat.forms[spec.id].source}».")
        cat.forms[spec.id] = spec
    for path in sorted(rules_dir.glob("*.yaml")):
        cat.rules.extend(load_rules(path, shipped))
    for rule in cat.rules:
        if rule.check.kind == "builtin" and rule.form == "*":
            continue
        spec = cat.forms.get(rule.form)
        if spec is None:
            raise UserError(f"Tệp {RULE_WHAT} «{rule.source}», dòng {rule.line}: quy tắc "
                            f"«{rule.id}» nhắc tới mẫu biểu lạ «{rule.form}».")
        keys = {c.key for c in spec.columns}
        names = set(rule.columns) | set(dict(rule.when))
        if rule.check.kind == "expr":
            names |= expr_names(rule.check.expr)
        for col in sorted(names):
            if col not in keys and col not in ROW_ATTRS:
                raise UserError(f"Tệp {RULE_WHAT} «{rule.source}», dòng {rule.line}: quy tắc "
                                f"«{rule.id}» nhắc tới cột lạ «{col}» của mẫu «{rule.form}».")
    return cat
