"""Check returned self-assessments against their criteria set, cell by cell.

Every rule follows the criteria file: the range and step of a score, the band matching the
stated ratio, Có/Không, evidence or an explanation for a positive score, "Không áp dụng"
only where allowed and then with no score. Subtotals are recomputed from the leaves; a
subtotal cell that says otherwise is reported, and never used. A workbook made from another
criteria version is refused as a whole. Messages and severities come from
``rules/scoring/checks.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_xlsx.checking.report import ERROR, FileResult, Issue, Report
from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Unit
from cchc_xlsx.reading.file_guard import UnusableFile
from cchc_xlsx.reading.normalize import fold, parse_number, parse_percent
from cchc_xlsx.reading.reader import cell_text
from cchc_xlsx.scoring.criteria import EPS, NA_TEXT, NO, YES, CriteriaSet, Item, parse_tag
from cchc_xlsx.scoring.read import ReadBook, read_book
from cchc_xlsx.scoring.rules import ScoringRule, load_scoring_rules
from cchc_xlsx.scoring.self_assessment import allowed_text

_NA = fold(NA_TEXT)
_YES = {fold(YES), "co", "x", "đạt", "dat", "yes"}
_NO = {fold(NO), "khong", "không đạt", "khong dat", "no"}


@dataclass
class LeafScore:
    """One criterion's figures for one unit, as the ranking needs them."""

    self: float | None  # None: not scored or "Không áp dụng"
    na: bool = False
    appraised: float | None = None  # None: not appraised (the self score stands)
    comment: str = ""


@dataclass
class UnitScores:
    code: str
    name: str
    leaves: dict[str, LeafScore] = field(default_factory=dict)  # only the unit's own items
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name,
                "leaves": {k: [v.self, v.na, v.appraised] for k, v in self.leaves.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str) -> UnitScores:
        return cls(str(data["code"]), str(data["name"]),
                   {k: LeafScore(v[0], bool(v[1]), v[2]) for k, v in data["leaves"].items()},
                   source)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


class IssueAdder:
    def __init__(self, res: FileResult, rules: dict[str, ScoringRule], sheet: str) -> None:
        self.res, self.rules, self.sheet = res, rules, sheet

    def __call__(self, rule_id: str, cell: str = "", code: str = "", value: Any = None,
                 **params: Any) -> None:
        rule = self.rules[rule_id]
        fields = {"value": _fmt(value) if value is not None else "", "code": code,
                  **{k: _fmt(v) for k, v in params.items()}}
        message = rule.message
        for k, v in fields.items():
            message = message.replace("{" + k + "}", str(v))
        self.res.issues.append(Issue(self.res.file, rule_id, rule.severity, message,
                                     self.sheet if cell else "", cell,
                                     None if value is None else _fmt(value),
                                     "cchc_scoring", code))

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.res.issues)


def check_book(book: ReadBook, crit: CriteriaSet, rules: dict[str, ScoringRule],
               unit_codes: set[str] | None = None
               ) -> tuple[FileResult, list[UnitScores]]:
    """The file's issues and, when it is usable, its units' scores (a ranking workbook
    carries many units)."""
    ident = book.identity
    res = FileResult(book.path, unit_code=str(ident.get("unit_code", "")),
                     unit_name=str(ident.get("unit_name", "")),
                     plan_id=str(ident.get("plan_id", "")), kind=book.kind,
                     forms=["cchc_scoring"] if book.rows else [])
    add = IssueAdder(res, rules, book.sheet)
    tag = parse_tag(ident.get("plan_id", ""))
    if not ident or tag is None or (not book.rows and book.aggregate is None):
        add("scoring_no_identity")
        res.usable = False
        return res, []
    if tag != (crit.id, str(crit.year), crit.fingerprint):
        found = f"«{tag[0]}» năm {tag[1]}"
        if tag[:2] == (crit.id, str(crit.year)):
            found += " (bản khác, đã sửa sau khi phát sổ)"
        add("scoring_criteria_version", value=found, expected=crit.label)
        res.usable = False
        return res, []
    if book.aggregate is not None:
        units = [UnitScores.from_json(u, book.path) for u in book.aggregate.get("units", [])]
        return res, units
    if unit_codes is not None and res.unit_code not in unit_codes:
        add("scoring_unit_unknown", value=res.unit_code)
    scores = UnitScores(res.unit_code, res.unit_name, source=book.path)
    expected = [code for (form, code) in ident.get("rows", {}) if form == "cchc_scoring"]
    for code in expected or [i.code for i in crit.walk()]:
        item = crit.by_code.get(code)
        if item is None:
            continue
        row = book.rows.get(code)
        if row is None:
            add("scoring_missing_row", code=code)
            continue
        if item.is_leaf:
            scores.leaves[code] = _check_leaf(add, book, item, row.values)
    _check_subtotals(add, book, crit, scores)
    return res, [scores]


def _number_or_text(add: IssueAdder, cell: str, code: str, raw: Any) -> tuple[float | None, bool]:
    """(number, present): a blank cell is (None, False); text not a number is reported."""
    if cell_text(raw) == "":
        return None, False
    value = parse_number(raw)
    if value is None:
        add("score_not_number", cell, code, cell_text(raw))
    return value, True


def _on_rule(item: Item, value: float) -> bool:
    s = item.scoring
    if value < -EPS or value > item.max + EPS:
        return False
    allowed = s.allowed_points(item.max) if s else None
    if allowed is not None:
        return any(abs(value - p) < 1e-6 for p in allowed)
    step = s.step if s else 0.25
    return abs(value / step - round(value / step)) < 1e-6


def _check_leaf(add: IssueAdder, book: ReadBook, item: Item, v: dict[str, Any]) -> LeafScore:
    code = item.code
    cell = lambda col: book.cell(code, col)  # noqa: E731
    na_text = cell_text(v.get("na"))
    na = False
    if na_text:
        if fold(na_text) == _NA or fold(na_text) in ("x", "kad", "k/a/d"):
            na = True
            if not item.not_applicable:
                add("not_applicable_not_allowed", cell("na"), code, na_text)
                na = False
        else:
            add("not_applicable_invalid", cell("na"), code, na_text)
    score, present = _number_or_text(add, cell("score"), code, v.get("score"))
    evidence = cell_text(v.get("evidence"))
    explain = cell_text(v.get("explain"))
    if na:
        if present:
            add("not_applicable_with_score", cell("score"), code, cell_text(v.get("score")))
        if not explain and not evidence:
            add("not_applicable_needs_reason", cell("explain"), code)
        appraised = _appraisal(add, book, item, v, None)
        return LeafScore(None, True, appraised, cell_text(v.get("comment")))
    if not present:
        add("score_missing", cell("score"), code)
    elif score is not None:
        if score < -EPS or score > item.max + EPS:
            add("score_out_of_range", cell("score"), code, score, max=item.max)
            score = None
        elif not _on_rule(item, score):
            add("score_off_step", cell("score"), code, score, allowed=allowed_text(item))
            score = None
        else:
            _check_result(add, book, item, v, score)
        if score is not None and score > EPS and item.evidence and not evidence \
                and not explain:
            add("score_needs_evidence", cell("evidence"), code, score)
    appraised = _appraisal(add, book, item, v, score)
    return LeafScore(score, False, appraised, cell_text(v.get("comment")))


def _check_result(add: IssueAdder, book: ReadBook, item: Item, v: dict[str, Any],
                  score: float) -> None:
    """A ratio or Có/Không item: the stated result decides the score."""
    s = item.scoring
    if s is None or s.mode == "step":
        return
    code = item.code
    raw = v.get("result")
    text = cell_text(raw)
    cell = book.cell(code, "result")
    want = "tỷ lệ đạt (%)" if s.mode == "ratio" else "«Có» hoặc «Không»"
    if not text:
        add("score_result_missing", cell, code, found=want)
        return
    if s.mode == "ratio":
        percent = _percent(raw)
        if percent is None or percent < 0 or percent > 100 + EPS:
            add("score_result_invalid", cell, code, text, found=want)
            return
        expected = s.band_points(percent)
        shown = f"{_fmt(percent)}%"
    else:
        key = fold(text)
        if key not in _YES and key not in _NO:
            add("score_result_invalid", cell, code, text, found=want)
            return
        expected = item.max if key in _YES else 0.0
        shown = f"«{text}»"
    if abs(expected - score) > 1e-6:
        add("score_band_mismatch", book.cell(code, "score"), code, score, ratio=shown,
            expected=expected)


def _percent(raw: Any) -> float | None:
    """The ratio column holds percent points (97,5 or "97,5%"): the column says "%", and
    its cells are not percent-formatted, so a bare 1 is 1 %, not 100 %."""
    text = cell_text(raw)
    if text.endswith("%"):
        fraction = parse_percent(text)
        return None if fraction is None else round(fraction * 100, 6)
    number = parse_number(raw)
    return None if number is None else round(number, 6)


def _appraisal(add: IssueAdder, book: ReadBook, item: Item, v: dict[str, Any],
               self_score: float | None) -> float | None:
    """The office's score typed in the unit's own workbook (the appraisal columns)."""
    raw = v.get("appraised")
    if cell_text(raw) == "":
        return None
    comment = cell_text(v.get("comment"))
    return check_appraised(add, book.cell(item.code, "appraised"), item, raw,
                           self_score, comment)


def check_appraised(add: Callable[..., None], cell: str, item: Item, raw: Any,
                    self_score: float | None, comment: str) -> float | None:
    value = parse_number(raw)
    if value is None or not _on_rule(item, value):
        add("appraisal_out_of_range", cell, item.code, cell_text(raw),
            allowed=allowed_text(item))
        return None
    if abs(value - (self_score or 0.0)) > 1e-6 and not comment:
        add("appraisal_needs_reason", cell, item.code, value, expected=self_score or 0.0)
        return None  # a changed score stands only with its reason
    return value


def _check_subtotals(add: IssueAdder, book: ReadBook, crit: CriteriaSet,
                     scores: UnitScores) -> None:
    """Recompute every parent from its leaves; a cell holding another number is reported.

    A formula cell without a cached value (saved by a tool that does not recalculate) reads
    blank and is fine: only a number that disagrees is suspicious.
    """
    def total(item: Item) -> float | None:
        if item.is_leaf:
            leaf = scores.leaves.get(item.code)
            return leaf.self if leaf else None
        parts = [total(c) for c in item.children if c.code in book.rows]
        parts = [p for p in parts if p is not None]
        return sum(parts) if parts else None

    for code, row in book.rows.items():
        item = crit.by_code.get(code)
        if item is None or item.is_leaf:
            continue
        found = parse_number(row.values.get("score"))
        if found is None:
            continue
        expected = total(item) or 0.0
        if abs(found - expected) > 0.005:
            add("subtotal_overwritten", book.cell(code, "score"), code, found,
                expected=round(expected, 2))


# --- many files, in worker processes ------------------------------------------------------

_STATE: list[Any] = []


def _init(crit: CriteriaSet, rules: dict[str, ScoringRule], codes: set[str] | None) -> None:
    _STATE[:] = [crit, rules, codes]


def _one(path: str) -> tuple[FileResult, list[UnitScores]]:
    crit, rules, codes = _STATE
    try:
        return check_book(read_book(path), crit, rules, codes)
    except UnusableFile as exc:
        res = FileResult(path, usable=False)
        res.issues.append(Issue(path, f"file_{exc.code}", ERROR, exc.message))
        return res, []
    except UserError as exc:
        res = FileResult(path, usable=False)
        res.issues.append(Issue(path, "file_unusable", ERROR, exc.message))
        return res, []


def check_files(paths: Iterable[str | Path], crit: CriteriaSet,
                units: Sequence[Unit] | None = None, workers: int | None = None,
                progress: Callable[[int], object] | None = None
                ) -> tuple[Report, list[UnitScores]]:
    """Read and check every file; reading is spread over the cores for big batches."""
    from cchc_xlsx.checking.validate import expand_paths

    jobs = [str(p) for p in expand_paths(paths)]
    rules = load_scoring_rules()
    codes = {u.code for u in units} if units is not None else None
    workers = workers or min(os.cpu_count() or 1, 8)
    report = Report()
    scored: list[UnitScores] = []

    def take(result: tuple[FileResult, list[UnitScores]]) -> None:
        report.files.append(result[0])
        if result[0].usable:
            scored.extend(result[1])
        if progress:
            progress(1)

    if workers <= 1 or len(jobs) < 40:
        _init(crit, rules, codes)
        for job in jobs:
            take(_one(job))
    else:
        with ProcessPoolExecutor(workers, initializer=_init,
                                 initargs=(crit, rules, codes)) as pool:
            for result in pool.map(_one, jobs, chunksize=16):
                take(result)
    return report, scored
