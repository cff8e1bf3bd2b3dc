"""The scoring checks' severities and messages, read from ``rules/scoring/checks.yaml``.

The logic of each check follows the criteria set; what a user reads about it is data, so an
office can reword a message or demote a check to a warning without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cchc_xlsx.checking.report import ERROR, WARNING
from cchc_xlsx.resources import data_dir
from cchc_xlsx.yamlio import Fields, load_yaml

WHAT = "quy tắc chấm điểm"
SEVERITIES = {"lỗi": ERROR, "cảnh báo": WARNING}
KNOWN = (
    "scoring_no_identity", "scoring_criteria_version", "scoring_unit_unknown",
    "scoring_missing_row", "score_missing", "score_not_number", "score_out_of_range",
    "score_off_step", "score_result_missing", "score_result_invalid", "score_band_mismatch",
    "score_needs_evidence", "not_applicable_not_allowed", "not_applicable_with_score",
    "not_applicable_needs_reason", "not_applicable_invalid", "subtotal_overwritten",
    "appraisal_out_of_range", "appraisal_needs_reason",
)


@dataclass(frozen=True)
class ScoringRule:
    id: str
    severity: str
    message: str


def rules_path() -> Path:
    return data_dir("rules") / "scoring" / "checks.yaml"


@lru_cache(maxsize=4)
def load_scoring_rules(path: str | None = None) -> dict[str, ScoringRule]:
    """Every known check must be present once; an unknown id is refused (a typo)."""
    src = Path(path) if path else rules_path()
    top = Fields(load_yaml(src, WHAT), src, WHAT, "tệp quy tắc")
    out: dict[str, ScoringRule] = {}
    for i, raw in enumerate(top.listing("rules", required=True)):
        f = top.child("rules", raw, f"quy tắc thứ {i + 1}")
        rid = f.text("id", required=True)
        if rid not in KNOWN:
            f.fail(f"quy tắc «{rid}» không có; các quy tắc chấm điểm: {', '.join(KNOWN)}",
                   key="id")
        if rid in out:
            f.fail(f"quy tắc «{rid}» bị lặp lại", key="id")
        sev = f.text("severity", "lỗi")
        if sev not in SEVERITIES:
            f.fail(f"mức độ «{sev}» phải là «lỗi» hoặc «cảnh báo»", key="severity")
        out[rid] = ScoringRule(rid, SEVERITIES[sev], f.text("message", required=True))
        f.done()
    top.done()
    missing = [k for k in KNOWN if k not in out]
    if missing:
        top.fail(f"thiếu quy tắc «{missing[0]}»", key="rules")
    return out
