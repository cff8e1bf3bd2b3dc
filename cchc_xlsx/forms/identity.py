"""The identity a generated workbook carries, so read-back never guesses.

A veryHidden sheet holds key/value rows (what the workbook is, for whom, for which period)
and one row per form sheet. Each form sheet also has a hidden last column whose header cell
names the form and version and whose cells hold the row keys, so a sheet stays identifiable
when renamed, reordered or re-saved by LibreOffice or WPS, and rows map by key, not by place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

SHEET = "_cchc"
MAGIC = "cchc-xlsx identity"
KEY_HEADER_PREFIX = "cchc:"  # + form_id + ":" + version, in the key column's header cell
DOC_MARK = "doc:"  # + "field:col;field:col", in the key column of a document field's row
CHUNK = 30000  # characters per identity cell (Excel's limit is 32,767)
CHUNKED = ("aggregate", "office", "outline")  # long JSON values, split over several cells


def key_header(form_id: str, version: int) -> str:
    return f"{KEY_HEADER_PREFIX}{form_id}:{version}"


def parse_key_header(text: object) -> tuple[str, int] | None:
    """Inverse of ``key_header``; None for anything else."""
    if not isinstance(text, str) or not text.startswith(KEY_HEADER_PREFIX):
        return None
    body = text[len(KEY_HEADER_PREFIX):]
    form_id, _, version = body.rpartition(":")
    if not form_id or not version.isdigit():
        return None
    return form_id, int(version)


@dataclass(frozen=True)
class SheetIdentity:
    form_id: str
    version: int
    sheet: str
    key_column: int  # 0-based
    header_row: int  # 0-based row of the key header cell (last table header row)
    first_row: int  # 0-based first data row
    last_row: int  # 0-based last data row
    row_attrs: tuple[tuple[str, str], ...] = ()  # (row key, "measure=rate;met_mode=…")
    # the unit's document fields on this sheet: (field, row, col), 0-based, as generated;
    # the reader finds them by the "doc:field:col" marker in the key column (rows move)
    doc_cells: tuple[tuple[str, int, int], ...] = ()


def decode_rows(text: object) -> list[tuple[str, dict[str, str]]]:
    """Inverse of the "rows" identity cell: [(row key, attrs)], in sheet order."""
    if not isinstance(text, str):
        return []
    # kept for a cell Excel could hold; a made-up longer one is read, not kept
    rows = _decoded_rows(text) if len(text) <= 32_767 else _decoded_rows.__wrapped__(text)
    return [(key, dict(attrs)) for key, attrs in rows]


@functools.lru_cache(maxsize=64)
def _decoded_rows(text: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``decode_rows``'s reading, kept: every return of a plan carries the same cell, and
    decoding it was a fair part of reading a small return. Pairs, not dicts, so a caller
    that edits its attrs never edits the kept reading."""
    out = []
    attrs_of: dict[str, tuple[tuple[str, str], ...]] = {}  # the same attrs, read once
    for line in text.splitlines():
        key, _, attrs = line.partition("|")
        if key:
            pairs = attrs_of.get(attrs)
            if pairs is None:
                pairs = attrs_of[attrs] = tuple(decode_attrs(attrs).items())
            out.append((key, pairs))
    return tuple(out)


@dataclass(frozen=True)
class Identity:
    generator_version: str
    plan_id: str
    unit_code: str
    unit_name: str
    kind: str = "unit"  # "unit" for one unit's return; "consolidation" for a merge output
    period_id: str = ""
    period_start: str = ""
    period_end: str = ""
    period_due: str = ""
    plan_periods: str = ""  # every period id of the plan, comma-separated: tells a typo
    sheets: tuple[SheetIdentity, ...] = field(default_factory=tuple)
    aggregate: str = ""  # a consolidation's exact figures (aggregate.Aggregate JSON)
    unit_levels: str = ""  # "MN" / "TH,THCS": the school levels whose rows this unit got
    office: str = ""  # a consolidation's issuing office (merge_writer.Office JSON)
    outline: str = ""  # a consolidation's plan outline (group, task, indicator texts) JSON

    def rows(self) -> list[list[object]]:
        head = [
            [MAGIC, 1],
            ["generator_version", self.generator_version],
            ["kind", self.kind],
            ["plan_id", self.plan_id],
            ["unit_code", self.unit_code],
            ["unit_name", self.unit_name],
            ["period_id", self.period_id],
            ["period_start", self.period_start],
            ["period_end", self.period_end],
            ["period_due", self.period_due],
        ]
        if self.plan_periods:
            head.append(["plan_periods", self.plan_periods])
        if self.unit_levels:
            head.append(["unit_levels", self.unit_levels])
        for s in self.sheets:
            head.append(["sheet", s.form_id, s.version, s.sheet, s.key_column, s.header_row,
                         s.first_row, s.last_row])
        for tag in CHUNKED:
            text = getattr(self, tag)
            for i in range(0, len(text), CHUNK):
                head.append([tag, i // CHUNK, text[i:i + CHUNK]])
        for s in self.sheets:
            for name, row, col in s.doc_cells:
                head.append(["doc", s.form_id, name, row, col])
        for s in self.sheets:
            if s.row_attrs:  # one cell per form: "key|attrs" lines (fewer cells to write)
                head.append(["rows", s.form_id,
                             "\n".join(f"{key}|{attrs}" for key, attrs in s.row_attrs)])
        return head


def encode_attrs(attrs: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(attrs.items()))


def decode_attrs(text: object) -> dict[str, str]:
    if not isinstance(text, str) or not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def write_identity(workbook, identity: Identity) -> None:
    """Add the veryHidden identity sheet (strings and numbers only, no formulas)."""
    ws = workbook.add_worksheet(SHEET)
    for r, row in enumerate(identity.rows()):
        for c, value in enumerate(row):
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif value not in (None, ""):  # an empty cell reads back the same everywhere
                ws.write_string(r, c, str(value))
    ws.protect()
    ws.very_hidden()
