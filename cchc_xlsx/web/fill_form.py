"""Fill in the browser: the unit's own return as web fields, and back into its workbook.

Nothing here is written per form. The fields come from the unit's generated template (the
rows it got for the round, school levels applied, found by their hidden keys, as the reader
finds them in a return) and from the form specs and rules (which columns are inputs on which
rows, the status and Đạt lists, what is required). Entries go back into the same template's
input cells, stored as Excel stores what a person types, so the office reads, checks and
merges a browser return exactly like any other. A return sent from Excel is read back by the
same reader to continue it here.

Entries are plain strings keyed by field name: ``form|row key|column`` for table cells and
``doc|number`` / ``doc|date`` / ``doc|signer`` for the report's document fields.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc_xlsx.forms.form_rows import records_for
from cchc_xlsx.forms.official_layout import DOC_HELP, roman
from cchc_xlsx.forms.sheet_writer import rule_help
from cchc_xlsx.forms.specs import Catalog, FormSpec, Rule
from cchc_xlsx.model import Period, Plan

MAX_TEXT = 2000  # characters in one text field (a CCHC evidence line is far shorter)
MAX_NUMBER = 30  # characters in one number field
MAX_ENTRIES_BYTES = 512 * 1024  # a whole draft, as JSON
DOC_KINDS = {"number": "text", "date": "date", "signer": "text"}
_DAY_MONTH_YEAR = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})",
                             re.IGNORECASE)
_BLANK_DATE = re.compile(r"ngày[\s\d]*tháng[\s\d]*năm[\s\d]*", re.IGNORECASE)
# characters XML 1.0 (and so a workbook) cannot hold, dropped from entries
_CONTROL = dict.fromkeys([*(c for c in range(32) if c not in (9, 10)), 0xFFFE, 0xFFFF])


@dataclass(frozen=True)
class Field:
    """One input of the return: where it goes in the workbook and how it is typed."""

    name: str
    label: str
    kind: str  # text | date | whole | number (a text with ``choices`` is a list)
    sheet: str
    cell: str
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    @property
    def control(self) -> str:
        """The HTML control: select, date, numeric, textarea or line."""
        if self.choices:
            return "select"
        if self.kind == "date":
            return "date"
        if self.kind in ("whole", "number"):
            return "numeric"
        return "line" if self.name.startswith("doc|") else "textarea"

    @property
    def dom_id(self) -> str:
        """A short HTML id (row keys hold spaces and Vietnamese)."""
        import hashlib

        return "o-" + hashlib.sha1(self.name.encode()).hexdigest()[:12]

    @property
    def inputmode(self) -> str:
        return "numeric" if self.kind == "whole" else "decimal"

    @property
    def limit(self) -> int:
        return MAX_NUMBER if self.kind in ("whole", "number") else MAX_TEXT


@dataclass
class RowView:
    """One row of a form as a card: its printed texts, then its inputs."""

    stt: str
    title: str
    lines: list[tuple[str, str]]
    fields: list[Field]


@dataclass
class Section:
    form_id: str
    label: str  # "Phụ lục I"
    title: str  # the form's name
    sheet: str
    items: list[RowView | str] = field(default_factory=list)  # a str is a group title

    @property
    def field_count(self) -> int:
        return sum(len(i.fields) for i in self.items if isinstance(i, RowView))


@dataclass
class Layout:
    """The input cells of a unit's template, by field name (plan-free: a worker needs only
    the template to write entries into it)."""

    fields: dict[str, Field]
    doc_texts: dict[str, str]  # the template's own text of each document field
    rows: dict[str, list[tuple[str, dict[str, str]]]]  # form -> [(row key, attrs)] in order
    sheets: dict[str, str]  # form -> sheet name

    def by_cell(self) -> dict[tuple[str, str], str]:
        return {(f.sheet, f.cell): f.name for f in self.fields.values()}


@dataclass
class FillForm:
    layout: Layout
    doc_fields: list[Field]
    sections: list[Section]
    period: Period


# --- the template's input cells -------------------------------------------------------

_LAYOUTS: dict[tuple[str, float], Layout] = {}
_LOCK = threading.Lock()


def _period_params(period_start: str, period_end: str) -> dict[str, str]:
    def vi(text: str) -> str:
        try:
            return f"{date.fromisoformat(text):%d/%m/%Y}"
        except ValueError:
            return ""

    return {"start": vi(period_start), "end": vi(period_end)}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _field_rules(catalog: Catalog, spec: FormSpec, column: str,
                 ctx: dict[str, Any]) -> list[Rule]:
    return [r for r in catalog.rules_for(spec.id, column) if r.applies(ctx)]


def template_layout(template: str | Path, catalog: Catalog) -> Layout:
    """Every input cell of a generated template (cached per file and modification time)."""
    path = Path(template)
    key = (str(path.resolve()), path.stat().st_mtime)
    with _LOCK:
        found = _LAYOUTS.get(key)
    if found is not None:
        return found
    layout = _read_layout(path, catalog)
    with _LOCK:
        if len(_LAYOUTS) > 256:
            _LAYOUTS.clear()
        _LAYOUTS[key] = layout
    return layout


def _read_layout(path: Path, catalog: Catalog) -> Layout:
    from cchc_xlsx.reading.reader import read_workbook

    book = read_workbook(path, catalog)
    ident = book.identity
    params = _period_params(str(ident.get("period_start", "")), str(ident.get("period_end", "")))
    fields: dict[str, Field] = {}
    for name, doc in book.doc_fields.items():
        if name in DOC_KINDS:
            fields[f"doc|{name}"] = Field(f"doc|{name}", DOC_HELP[name][0], DOC_KINDS[name],
                                          doc.sheet, doc.cell, required=True)
    rows: dict[str, list[tuple[str, dict[str, str]]]] = {}
    sheets: dict[str, str] = {}
    for form_id, table in book.tables.items():
        spec = catalog.forms[form_id]
        if spec.kind != "report":
            continue
        sheets[form_id] = table.sheet
        rows[form_id] = []
        for row in table.rows:
            ctx = dict(row.attrs)
            rows[form_id].append((row.key, dict(row.attrs)))
            for col in spec.columns:
                if not col.input or not col.applies(ctx):
                    continue
                rules = _field_rules(catalog, spec, col.key, ctx)
                choices = next((r.check.allowed for r in rules if r.check.kind == "allowed"),
                               ())
                helps = [rule_help(r, spec.columns, params["start"], params["end"])
                         for r in rules if r.help]
                name = f"{form_id}|{row.key}|{col.key}"
                fields[name] = Field(name, col.header, col.input, table.sheet,
                                     table.cell(row, col.key), choices,
                                     any(r.check.kind == "required" for r in rules),
                                     helps[0] if helps else "")
    return Layout(fields, {n: d.text for n, d in book.doc_fields.items()}, rows, sheets)


def fill_form(template: str | Path, plan: Plan, period: Period, catalog: Catalog,
              shared: dict[Any, Section] | None = None) -> FillForm:
    """The page's sections: the template's rows in plan order, with the plan's texts.

    ``shared`` (one dict per plan and period, kept by the caller) lets units whose forms
    have the same rows share their sections: what the page shows of a field (its name,
    kind, list, help) follows from the row and its attributes, never from its cell, and
    building the sections of 300 schools one by one would hold the server for seconds."""
    layout = template_layout(template, catalog)
    docs = [layout.fields[f"doc|{n}"] for n in DOC_KINDS if f"doc|{n}" in layout.fields]
    sections = []
    forms = list(layout.rows)
    for n, form_id in enumerate(forms, start=1):
        key = (period.id, form_id, n, len(forms),
               tuple((k, tuple(sorted(a.items()))) for k, a in layout.rows[form_id]))
        if shared is not None and key in shared:
            sections.append(shared[key])
            continue
        spec = catalog.forms[form_id]
        label = f"Phụ lục {roman(n)}" if len(forms) > 1 else "Phụ lục"
        section = Section(form_id, label, spec.name, layout.sheets[form_id])
        present = {key for key, _ in layout.rows[form_id]}
        printed = [c for c in spec.columns if c.value and not c.input and not c.formula]
        title_col = next((c for c in printed if c.group_title), None) or next(
            (c for c in printed if c.key != "stt"), None)
        pending_group = ""
        ordered = records_for(spec, plan)
        records = {r["key"]: r for r in ordered if r["kind"] == "item"}
        seen = set()
        for rec in ordered:
            if rec["kind"] == "group":
                pending_group = " ".join(x for x in (rec.get("stt", ""), rec.get("title", ""))
                                         if x)
                continue
            if rec["key"] not in present:
                continue
            if pending_group:
                section.items.append(pending_group)
                pending_group = ""
            seen.add(rec["key"])
            section.items.append(_row_view(spec, rec, printed, title_col, layout))
        for key, _ in layout.rows[form_id]:  # rows the plan no longer names: still inputs
            if key not in seen:
                section.items.append(_row_view(spec, records.get(key, {"key": key}), printed,
                                               title_col, layout))
        sections.append(section)
        if shared is not None:
            shared[key] = section
    return FillForm(layout, docs, sections, period)


def _row_view(spec: FormSpec, rec: dict[str, Any], printed: list, title_col: Any,
              layout: Layout) -> RowView:
    from cchc_xlsx.forms.sheet_writer import render

    title = render(title_col.value, rec) if title_col is not None else rec["key"]
    lines = [(c.header, render(c.value, rec)) for c in printed
             if c is not title_col and c.key != "stt" and render(c.value, rec)]
    fields = [layout.fields[n] for n in (f"{spec.id}|{rec['key']}|{c.key}" for c in spec.columns)
              if n in layout.fields]
    return RowView(str(rec.get("stt", "")), title, lines, fields)


# --- entries ------------------------------------------------------------------------------

class EntryError(ValueError):
    """A draft the portal refuses to keep: one Vietnamese sentence."""


def clean_entries(raw: Any, layout: Layout) -> dict[str, str]:
    """The entries of a posted draft: known fields only, strings, within the size limits."""
    if not isinstance(raw, dict):
        raise EntryError("Dữ liệu gửi lên không đúng dạng; hãy tải lại trang rồi thử lại.")
    out: dict[str, str] = {}
    for name, value in raw.items():
        f = layout.fields.get(name) if isinstance(name, str) else None
        if f is None:
            continue  # a field of another template version: nothing to write it into
        text = "" if value is None else value if isinstance(value, str) else str(value)
        text = unicodedata.normalize("NFC", text.encode("utf-8", "ignore").decode("utf-8")
                                     ).translate(_CONTROL)
        if len(text) > f.limit:
            raise EntryError(f"Ô «{f.label}» ({f.sheet}!{f.cell}) dài {len(text):,} ký tự, "
                             f"quá giới hạn {f.limit:,} ký tự; hãy rút gọn."
                             .replace(",", "."))
        if text.strip():
            out[name] = text
    return out


def _as_number(text: str, whole: bool) -> Any:
    """Digits as Excel would store them; anything else stays the text typed (validate then
    says what is wrong with it, as for a cell typed in Excel)."""
    s = text.strip().replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,15}", s):
        return int(s)
    if not whole and re.fullmatch(r"[+-]?\d{1,15}([.,]\d{1,10})?", s):
        return float(s.replace(",", "."))
    return text.strip()


def _as_date(text: str) -> Any:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        return text.strip()


def dated_line(template_text: str, iso: str) -> str:
    """The template's dated line with the chosen day: "Quận 8, ngày 05 tháng 3 năm 2023"
    (NĐ 30: a leading zero for days below 10 and months 1 and 2)."""
    try:
        d = date.fromisoformat(iso.strip())
    except ValueError:
        return template_text
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    part = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    if _BLANK_DATE.search(template_text):
        return _BLANK_DATE.sub(part, template_text, count=1)
    return f"{template_text.rstrip(', ')}, {part}" if template_text.strip() else part


def build_workbook(template: str, entries: dict[str, str], catalog: Catalog | None = None
                   ) -> bytes:
    """The unit's workbook with the entries typed into its input cells.

    The generated template is copied part by part and only its input cells change: each
    empty ``<c r="E14" s="18"/>`` (and each document-field cell) becomes the value, as
    Excel stores what a person types (numbers and dates as numbers in the cell's own
    number format, text as an inline string, never a formula). Validation, protection,
    formulas (recalculated on opening: the template asks for it) and the identity stay
    as generated. Patching the XML costs milliseconds where loading and saving the
    workbook with openpyxl costs a few hundred, which is what lets many schools check
    and send at once; tests compare the result with the same values typed by openpyxl.
    """
    import zipfile

    from cchc_xlsx.forms.specs import load_catalog

    layout = template_layout(template, catalog or load_catalog())
    cells: dict[str, dict[str, Any]] = {}
    for name, f in layout.fields.items():
        text = entries.get(name, "")
        if name.startswith("doc|"):
            value: Any = _doc_text(name[4:], text, layout.doc_texts.get(name[4:], ""))
        elif not text.strip():
            continue
        elif f.kind in ("whole", "number"):
            value = _as_number(text, f.kind == "whole")
        elif f.kind == "date":
            value = _as_date(text)
        else:
            value = text.strip()
        cells.setdefault(f.sheet, {})[f.cell] = value
    buf = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(buf, "w",
                                                           zipfile.ZIP_DEFLATED) as out:
        parts = _sheet_parts(src)
        patched = {parts[sheet]: values for sheet, values in cells.items() if sheet in parts}
        sheets = set(parts.values())
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in sheets:
                xml = _patch_sheet(data.decode("utf-8"), patched.get(info.filename, {}))
                # cached formula results describe the empty template: drop them, as a
                # re-save by openpyxl does, so every reader computes them afresh
                data = _CACHED.sub(r"\1", xml).encode("utf-8")
            out.writestr(info, data)
    return buf.getvalue()


_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_CACHED = re.compile(r"(</f>)<v>[^<]*</v>")
_STYLE = re.compile(r'\ss="([0-9]+)"')
_EPOCH = datetime(1899, 12, 30)


def _sheet_parts(book: Any) -> dict[str, str]:
    """Sheet name -> its part in the package (``xl/worksheets/sheet1.xml``)."""
    import xml.etree.ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    wb = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
    out = {}
    for sheet in wb.findall("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else (
            "xl/" + target)
    return out


def _cell_xml(ref: str, style: str, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, datetime):
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is>'
            "</c>")


def _patch_sheet(xml: str, values: dict[str, Any]) -> str:
    placed = set()

    def put(m: re.Match) -> str:
        ref = m.group(1)
        if ref not in values:
            return m.group(0)
        placed.add(ref)
        style = _STYLE.search(m.group(2))
        return _cell_xml(ref, style.group(1) if style else "", values[ref])

    out = _CELL.sub(put, xml)
    if placed != set(values):  # not a template from this generator: never drop a value
        raise ValueError(f"input cells not in the sheet: {sorted(set(values) - placed)[:5]}")
    return out


def _doc_text(name: str, text: str, template_text: str) -> str:
    if name == "number":
        return f"Số: {text.strip()}" if text.strip() else template_text
    if name == "date":
        return dated_line(template_text, text) if text.strip() else template_text
    return text.strip()


def entries_from_workbook(path: str | Path, layout: Layout, catalog: Catalog
                          ) -> dict[str, str]:
    """A return's values as entries (a return sent from Excel, continued in the browser):
    read by the same reader that checks it, kept as typed where they are not clean."""
    from cchc_xlsx.reading.normalize import parse_date
    from cchc_xlsx.reading.reader import cell_text, doc_value, read_workbook

    book = read_workbook(path, catalog)
    out: dict[str, str] = {}
    for name, doc in book.doc_fields.items():
        key = f"doc|{name}"
        if key not in layout.fields:
            continue
        if name == "number":
            out[key] = doc_value("number", doc.text)
        elif name == "date":
            m = _DAY_MONTH_YEAR.search(doc.text)
            if m:
                try:
                    out[key] = date(int(m.group(3)), int(m.group(2)),
                                    int(m.group(1))).isoformat()
                except ValueError:
                    pass
        else:
            out[key] = doc.text
    for form_id, table in book.tables.items():
        for row in table.rows:
            for column, value in row.values.items():
                key = f"{form_id}|{row.key}|{column}"
                f = layout.fields.get(key)
                if f is None or value is None or value == "":
                    continue
                if f.kind == "date" and not isinstance(value, (datetime, date)):
                    read = parse_date(value).value  # "05/3/2023" typed as text
                    value = read if read is not None else value
                if isinstance(value, (datetime, date)):
                    out[key] = (value.date() if isinstance(value, datetime) else value
                                ).isoformat()
                else:
                    out[key] = cell_text(value)[:f.limit]
    return {k: v for k, v in out.items() if v}


def template_entries(layout: Layout) -> dict[str, str]:
    """What a fresh form starts with: the signer the unit list names."""
    signer = layout.doc_texts.get("signer", "").strip()
    return {"doc|signer": signer} if signer and "doc|signer" in layout.fields else {}


def issues_by_field(findings: dict[str, Any], layout: Layout
                    ) -> tuple[dict[str, list[dict[str, str]]], list[dict[str, str]]]:
    """A check's issues at their fields (by sheet and cell; a computed cell's, such as
    TTHC (3) = (4)+(5)+(6), at the first field of its row), and those of no field."""
    where = layout.by_cell()
    by_row: dict[tuple[str, str], str] = {}  # a computed cell's issue: its row's first field
    for f in layout.fields.values():
        by_row.setdefault((f.sheet, f.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), f.name)
    at: dict[str, list[dict[str, str]]] = {}
    general: list[dict[str, str]] = []
    for issue in findings.get("issues", []):
        shown = {"message": issue["message"], "severity": issue["severity"],
                 "severity_vi": issue["severity_vi"], "rule": issue["rule_id"],
                 "cell": f"{issue['sheet']}!{issue['cell']}" if issue["cell"] else ""}
        cell = issue["cell"] or ""
        name = where.get((issue["sheet"], cell)) or by_row.get(
            (issue["sheet"], cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))) if cell else None
        if name is None:
            general.append(shown)
        else:
            at.setdefault(name, []).append(shown)
    return at, general
