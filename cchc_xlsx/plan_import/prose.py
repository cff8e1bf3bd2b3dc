"""Indicators a plan states only in its prose, under a heading like "3. Một số chỉ tiêu cụ
thể" (seed 000 §I.3) or "3. Các chỉ tiêu cụ thể" with sub-headings "3.1. Công tác chỉ đạo,
điều hành" (seed 002 §I.3).

Such a plan has no indicator table, yet its units must report on these targets; leaving
them out would make the plan's workbook silently poorer than the paper. Every paragraph of
the section is one indicator (its text as printed, without the list dash), a sub-heading
is a group; the target phrase ("đạt trên 95%") is found as in a table. The numbers are not
printed in the prose, so they are given by place ("1", "2" …, or "3.1.1" under "3.1"), and
each indicator is a review line: prose is less certain than a table.
"""

from __future__ import annotations

import re

from cchc_xlsx.model import Indicator
from cchc_xlsx.plan_import.review import Review
from cchc_xlsx.plans.phrases import find_target
from cchc_xlsx.plans.plan_loader import default_measure
from cchc_xlsx.reading.normalize import fold

_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?:một số |các |những )?"
                      r"chỉ tiêu(?: cụ thể| chủ yếu| cần đạt)?\s*:?$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?P<text>\S.*)$")
_ROMAN = re.compile(r"^[IVX]{1,5}\.\s")
_DASH = re.compile(r"^[-+•*]\s*")


def prose_indicators(lines: list[str], review: Review) -> list[Indicator]:
    where = "phần chỉ tiêu trong văn bản"
    start = next((i for i, line in enumerate(lines)
                  if len(line) < 80 and _HEADING.match(fold(line).strip())), None)
    if start is None:
        return []
    num = _HEADING.match(fold(lines[start]).strip()).group("num")
    depth = num.count(".") + 1
    result: list[Indicator] = []
    group = ""
    counts: dict[str, int] = {}
    for line in lines[start + 1:]:
        text = line.strip()
        if not text:
            continue
        m = _NUMBERED.match(text)
        if _ROMAN.match(text) or (m and m.group("num").count(".") + 1 <= depth
                                  and not m.group("num").startswith(num + ".")):
            break  # the next section
        if m and m.group("num").startswith(num + ".") and len(text) < 120:
            group = m.group("num")
            result.append(Indicator(stt=group, text=m.group("text").strip(), group=True))
            continue
        body = _DASH.sub("", text, count=1)
        counts[group] = counts.get(group, 0) + 1
        stt = f"{group}.{counts[group]}" if group else str(counts[group])
        target = find_target(body)
        result.append(Indicator(stt=stt, text=body, target=target,
                                measure=default_measure(target)))
        review.doubt(where, f"chỉ tiêu {stt} lấy từ văn bản «{_short(body)}»"
                     + (f", mục tiêu «{target.text}»" if target else ", không thấy mục tiêu "
                        "bằng số (ghi nhận dạng văn bản)")
                     + "; số thứ tự do chương trình đặt", "indicator", stt)
    return result


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "…"
