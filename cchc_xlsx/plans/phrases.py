"""Read the Vietnamese phrases plans are written in: indicator targets and task deadlines.

Plans state targets ("từ 98% trở lên", "không có công chức, viên chức bị kỷ luật") and
deadlines ("Quý I/2023", "Trước ngày 05/11/2023", "Khi có thay đổi") as free text. The
report forms, the validator and the merge need to know what they mean, but the official
documents must still be reproduced word for word. So every result keeps the text exactly
as given, and the parsed meaning sits beside it.

Matching runs on a folded copy of the text: NFC, lower case, one tone-mark placement
("hòa" and "hoà" both become "hoà", "qúy" becomes "quý"), other spaces as plain spaces
(line breaks stay: in a cell they separate items).
The fold keeps one character per NFC character and remembers where each came from, so a
phrase found in the folded copy maps back to a verbatim slice of the original, even when
the original is NFD (the Windows Vietnamese keyboard types decomposed text).

Phrases are matched by tables of regular expressions. When several rules match, the one
that starts first wins, then the longest, then the first in its table.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from cchc_xlsx.model import Deadline, Target

__all__ = ["find_target", "find_targets", "parse_deadline", "parse_target", "parse_vn_date"]

# --- vocabulary (folded: lower case NFC) -------------------------------------------------

# Words before a number and the comparison they mean ("tối thiểu 40%").
CMP_BEFORE: dict[str, str] = {
    "từ": ">=",
    "tối thiểu": ">=",
    "ít nhất": ">=",
    "không dưới": ">=",
    "không thấp hơn": ">=",
    "không ít hơn": ">=",
    "trên": ">",
    "hơn": ">",
    "cao hơn": ">",
    "nhiều hơn": ">",
    "vượt": ">",
    "tối đa": "<=",
    "không quá": "<=",
    "không vượt quá": "<=",
    "không vượt": "<=",
    "không cao hơn": "<=",
    "không nhiều hơn": "<=",
    "dưới": "<",
    "thấp hơn": "<",
    "ít hơn": "<",
}
# Words after the number ("98% trở lên").
CMP_AFTER: dict[str, str] = {"trở lên": ">=", "trở xuống": "<="}
# Comparisons against an earlier value ("bằng hoặc cao hơn năm 2022").
CMP_BASELINE: dict[str, str] = {
    "bằng hoặc cao hơn": ">=",
    "cao hơn hoặc bằng": ">=",
    "không thấp hơn": ">=",
    "cao hơn": ">",
    "bằng hoặc thấp hơn": "<=",
    "thấp hơn hoặc bằng": "<=",
    "không cao hơn": "<=",
    "thấp hơn": "<",
    "bằng": "=",
}
DIRECTIONS: dict[str, str] = {"tăng": "increase", "giảm": "decrease"}
PERIODS: dict[str, str] = {
    "ngày": "day",
    "tuần": "week",
    "tháng": "month",
    "quý": "quarter",
    "năm": "year",
}
# Nouns that make a bare number a countable target ("01 tin, bài", "02 lần/năm").
COUNT_NOUNS = r"tin\s*,?\s*bài|bài\s+viết|tin|bài|lần|cuộc|đợt|buổi|ngày|sáng\s+kiến|mô\s+hình"
# What "không có …" / "không để …" must end with to mean "zero of these".
ZERO_EVENTS = ("bị kỷ luật", "bị kỉ luật", "trễ hạn", "trễ hẹn", "quá hạn", "vi phạm", "sai phạm")
ROMAN_QUARTERS: dict[str, int] = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# Phrases that make a deadline depend on something happening.
EVENT_WORDS = (
    "khi có",
    "khi được",
    "khi cần",
    "khi phát sinh",
    "khi xảy ra",
    "sau khi",
    "nếu",
    "theo thông báo",
    "theo kết luận",
    "theo đề xuất",
    "theo yêu cầu",
    "theo chỉ đạo",
    "theo hướng dẫn",
    "theo lịch",
    "đột xuất",
)


def _ws(phrase: str) -> str:
    """A phrase as a regex that accepts any run of white space between its words."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _alt(phrases: Iterable[str]) -> str:
    """Alternation of phrases, longest first, so "không vượt quá" beats "không vượt"."""
    return "|".join(_ws(p) for p in sorted(phrases, key=len, reverse=True))


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- folding -----------------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_TONE_MOVES = {"o": "ae", "u": "y"}  # "òa" -> "oà", "òe" -> "oè", "ùy" -> "uỳ"
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")  # kept: they separate list items
_CHAR_MAP = {"\u2013": "-", "\u2014": "-", "\u2212": "-", "\uff05": "%"}


def _fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Fold text for matching; also return, per folded character, its span in ``text``.

    One folded character per NFC character, so a match in the folded text maps back to
    a verbatim slice of the original whatever its normal form.
    """
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            chars.append(ch)
            spans.append((i, j))
        i = j
    _place_tones(chars)
    return "".join(_fold_char(c) for c in chars), spans


def _place_tones(chars: list[str]) -> None:
    """Move a tone mark from the first to the second vowel of "oa", "oe", "uy" (in place)."""
    for k in range(len(chars) - 1):
        first = unicodedata.normalize("NFD", chars[k])
        if len(first) != 2 or first[1] not in _TONE_MARKS:
            continue
        targets = _TONE_MOVES.get(first[0].lower())
        second = unicodedata.normalize("NFD", chars[k + 1])
        if not targets or second[0].lower() not in targets:
            continue
        if any(mark in _TONE_MARKS for mark in second[1:]):
            continue
        chars[k] = first[0]
        chars[k + 1] = unicodedata.normalize("NFC", second + first[1])


def _fold_char(ch: str) -> str:
    if ch.isspace():
        return "\n" if ch in _LINE_BREAKS else " "
    ch = _CHAR_MAP.get(ch, ch)
    low = ch.lower()
    return low if len(low) == 1 else ch


def _folded(text: str) -> str:
    return _fold(text)[0]


# --- rule matching -----------------------------------------------------------------------

Builder = Callable[..., dict[str, Any] | None]
Rule = tuple[re.Pattern[str], Builder]


def _leftmost(
    folded: str, rules: list[Rule], *context: Any, pos: int = 0
) -> tuple[re.Match[str], dict[str, Any]] | None:
    """The match that starts first (then the longest, then the earliest rule), built.

    A builder returns None to refuse a match (e.g. a bare "3 ngày" is no target); the
    search then goes on with that rule's next match.
    """
    best: tuple[tuple[int, int, int], re.Match[str], dict[str, Any]] | None = None
    for order, (pattern, build) in enumerate(rules):
        for m in pattern.finditer(folded, pos):
            if best is not None and m.start() > best[0][0]:
                break
            fields = build(m, *context)
            if fields is None:
                continue
            key = (m.start(), m.start() - m.end(), order)
            if best is None or key < best[0]:
                best = (key, m, fields)
            break
    return None if best is None else (best[1], best[2])


# --- numbers -----------------------------------------------------------------------------

_NUM = r"\d++(?:[.,]\d++)*+"  # possessive: no backtracking inside long digit runs


def _number(text: str) -> float | None:
    """A Vietnamese-written number: "98,5" -> 98.5, "1.234" -> 1234, "1.0" -> 1.0.

    Comma is the decimal mark in vi-VN; a dot followed by exactly three digits groups
    thousands; when both appear, the last one is the decimal mark ("1,234.5"). None when
    the separators make no sense ("1,2.3,4").
    """
    s = text.replace(" ", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if decimal == "," else ","
        s = s.replace(group, "").replace(decimal, ".")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s.replace(",", "")
    elif s.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


# --- targets -----------------------------------------------------------------------------
# Free-text gaps ("không có … bị kỷ luật", "Giảm 10% … so với năm 2021") stay within one
# clause and one line; the fixed words of a phrase may still wrap onto the next line.

_PER_WORDS = r"tuần|tháng|quý|năm"
_BASE = (
    r"(?:năm\s+(?P<year>\d{4})(?!\d)"
    r"|(?P<last>(?:cùng\s+kỳ\s+)?năm\s+(?:trước|liền\s+kề)(?:\s+(?:liền\s+kề|trước))?))"
)

_COMPARE = re.compile(
    r"(?<!\w)"
    rf"(?:(?:mỗi|hàng|hằng)\s+(?P<per1>{_PER_WORDS})\s*,?\s*(?:có\s+)?)?"
    r"(?:đạt\s+(?:(?:tỷ|tỉ)\s+lệ\s+)?)?"
    rf"(?:(?P<cmp>{_alt(CMP_BEFORE)})\s+)?"
    rf"(?<!\d[.,])(?P<num>{_NUM})(?:\s?(?P<pct>%)|\s+(?P<noun>{COUNT_NOUNS})(?!\w))"
    rf"(?:(?:\s+[^\s\d%;.,:()]+){{0,3}}?\s+(?P<up>{_alt(CMP_AFTER)})(?!\w))?"
    rf"(?:(?:\s*/\s*|\s+(?:mỗi|hàng|hằng|một)\s+)(?P<per2>{_PER_WORDS})(?!\w))?"
)
_ZERO = re.compile(
    r"(?<!\w)không\s+(?:có|để(?:\s+xảy\s+ra)?)\s+(?:[^;.\n]{0,80}?[^\S\n])?"
    rf"(?:{_alt(ZERO_EVENTS)})(?!\w)"
)
_BASELINE = re.compile(
    rf"(?<!\w)(?P<cmp>{_alt(CMP_BASELINE)})(?:\s+so)?(?:\s+với)?\s+{_BASE}(?!\w)"
)
_CHANGE_PCT = re.compile(
    rf"(?<!\w)(?P<dir>{_alt(DIRECTIONS)})(?:\s+thêm)?\s+"
    r"(?:(?:tối\s+thiểu|ít\s+nhất|khoảng|từ|trên)\s+)?"
    rf"(?P<num>{_NUM})\s?%"
    rf"(?:[^;.\n]{{0,150}}?[^\S\n]+so\s+với\s+{_BASE}(?!\w))?"
)
_CHANGE_RANK = re.compile(
    rf"(?<!\w)(?P<dir>{_alt(DIRECTIONS)})"
    r"(?:\s+(?:(?P<num>\d+)\s+)?(?:bậc|hạng))?"
    rf"\s+so\s+với\s+{_BASE}(?!\w)"
)


def _baseline(m: re.Match[str]) -> str | None:
    if m["year"]:
        return m["year"]
    return "last_year" if m["last"] else None


def _build_compare(m: re.Match[str]) -> dict[str, Any] | None:
    per_word = m["per1"] or m["per2"]
    cmp, up = m["cmp"], m["up"]
    value = _number(m["num"])
    if value is None or (m["noun"] and not (cmp or up or per_word)):
        return None  # "3 ngày" alone is a duration, not a target
    if up and (not cmp or _squash(cmp) == "từ"):
        op = CMP_AFTER[_squash(up)]
    elif cmp:
        op = CMP_BEFORE[_squash(cmp)]
    else:
        op = ">="  # a bare "100%" or "đạt 80%" is a floor
    return {
        "op": op,
        "value": value,
        "unit": "%" if m["pct"] else "count",
        "per": PERIODS[per_word] if per_word else None,
    }


def _build_zero(m: re.Match[str]) -> dict[str, Any]:
    return {"op": "=", "value": 0.0, "unit": "count"}


def _build_baseline(m: re.Match[str]) -> dict[str, Any]:
    return {"op": CMP_BASELINE[_squash(m["cmp"])], "baseline": _baseline(m)}


def _build_change(m: re.Match[str]) -> dict[str, Any] | None:
    pct = m.re is _CHANGE_PCT
    value = _number(m["num"]) if m["num"] else None
    if m["num"] and value is None:
        return None
    return {
        "op": "change",
        "direction": DIRECTIONS[m["dir"]],
        "value": value,
        "unit": "%" if pct else ("count" if value is not None else None),
        "baseline": _baseline(m),
    }


TARGET_RULES: list[Rule] = [
    (_CHANGE_PCT, _build_change),
    (_CHANGE_RANK, _build_change),
    (_BASELINE, _build_baseline),
    (_ZERO, _build_zero),
    (_COMPARE, _build_compare),
]


def _target_at(
    text: str, folded: str, spans: list[tuple[int, int]], pos: int
) -> tuple[Target, int] | None:
    """The first target at or after ``pos`` with its verbatim slice, and where it ends."""
    found = _leftmost(folded, TARGET_RULES, pos=pos)
    if found is None:
        return None
    m, fields = found
    phrase = text[spans[m.start()][0]:spans[m.end() - 1][1]]
    return Target(phrase, parsed=True, **fields), m.end()


def parse_target(text: str) -> Target:
    """Parse an indicator's target ("chỉ tiêu cần đạt") into an operator and a value.

    The report form and the validator need to know what result meets the target; the
    phrase is kept verbatim in ``text`` because it is printed back as the plan wrote it.
    When the text holds several targets, the first is parsed (see ``find_targets``).
    Nothing readable gives ``Target(text, parsed=False)``.
    """
    folded, spans = _fold(text)
    found = _target_at(text, folded, spans, 0)
    if found is None:
        return Target(text)
    return replace(found[0], text=text)


def find_target(text: str) -> Target | None:
    """Find the first target phrase inside an indicator's longer text.

    Plans state the target inside the indicator ("Tỷ lệ … đúng hạn: từ 98% trở lên."); the
    plan loader uses this when the plan does not name the target separately. The result's
    ``text`` is a verbatim slice of ``text``, so it can be shown or highlighted as written.
    """
    folded, spans = _fold(text)
    found = _target_at(text, folded, spans, 0)
    return None if found is None else found[0]


def find_targets(text: str) -> list[Target]:
    """Every target phrase in a text, in order ("tối thiểu 40% … và tối thiểu 20% …").

    Some indicators and roadmap cells set several targets in one sentence; each result's
    ``text`` is a verbatim slice of ``text``.
    """
    folded, spans = _fold(text)
    targets: list[Target] = []
    pos = 0
    while (found := _target_at(text, folded, spans, pos)) is not None:
        targets.append(found[0])
        pos = found[1]
    return targets


# --- dates -------------------------------------------------------------------------------

# (pattern, order of its three numbers)
_DATE_FORMS = (
    (re.compile(r"(?:ngày\s+)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})"), "dmy"),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"), "dmy"),
)


def _year(text: str | None, fallback: int | None = None) -> int | None:
    if not text:
        return fallback
    y = int(text)
    return 2000 + y if y < 100 else y


def _safe_date(y: int | None, m: int, d: int) -> date | None:
    if y is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_vn_date(text: str) -> date | None:
    """A date written day first ("05/3/2024", "5-3-2024", "05/03/24"), or ISO "2024-03-05".

    Vietnamese users write the day first; plan files and returned workbooks hold dates as
    text in these forms. Also reads "ngày 05 tháng 3 năm 2024". Two-digit years are 20xx.
    Anything else, or an impossible day (31/02/2024), gives None.
    """
    s = _squash(_folded(text))
    for form, order in _DATE_FORMS:
        m = form.fullmatch(s)
        if m is None:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        return _safe_date(_year(parts["y"]), int(parts["m"]), int(parts["d"]))
    return None


def _month_bounds(y: int | None, first: int, last: int | None = None) -> tuple[date, date] | None:
    last = first if last is None else last
    if y is None or not (1 <= first <= 12 and 1 <= last <= 12):
        return None
    return date(y, first, 1), date(y, last, monthrange(y, last)[1])


# --- deadlines ---------------------------------------------------------------------------

_SEP_YEAR = r"(?:\s*[/-]\s*|\s+năm\s+|\s+)"  # "12/2023", "12 năm 2023", "12 2023"
_DATE_TOKEN = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?(?![\d/])"
    r"|\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
)
_NEXT_YEAR = r"(?P<next>\s+(?:của\s+)?năm\s+(?:liền\s+kề|sau|tiếp\s+theo))?"

_D_RANGE = re.compile(
    r"(?<!\w)từ\s+(?:ngày\s+)?(?P<a>" + _DATE_TOKEN + r"|tháng\s+\d{1,2}(?:\s*/\s*\d{4})?)"
    r"\s+(?:đến|tới|-)\s+(?:ngày\s+)?(?P<b>" + _DATE_TOKEN
    + r"|tháng\s+\d{1,2}(?:" + _SEP_YEAR + r"\d{4})?)"
)
_D_HALF = re.compile(
    r"(?<!\w)(?:0?6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm(?:\s+(?P<y>\d{4}))?"
)
_D_BEFORE_DAY = re.compile(
    r"(?<!\w)(?:(?P<strict>trước)|chậm\s+nhất(?:\s+(?:là|vào))?|hạn\s+chót|không\s+muộn\s+hơn"
    r"|muộn\s+nhất)\s+(?:ngày\s+)?(?P<date>" + _DATE_TOKEN + r")" + _NEXT_YEAR
)
_D_BEFORE_MONTH = re.compile(
    r"(?<!\w)(?:(?P<strict>trước)|chậm\s+nhất(?:\s+(?:là|vào))?(?:\s+trong)?)\s+"
    r"tháng\s+(?P<m>\d{1,2})(?:" + _SEP_YEAR + r"(?P<y>\d{4}))?(?!\d)"
)
_D_QUARTER = re.compile(
    r"(?<!\w)quý\s*(?P<q>iv|iii|ii|i|[1-4])(?![\w])"
    r"(?:(?:\s*[/-]\s*|\s+năm\s+)(?P<y>\d{4}))?"
)
_D_MONTHS = re.compile(
    r"(?<!\w)tháng\s+(?P<list>\d{1,2}(?:\s*(?:,|và|&)\s*(?:tháng\s+)?\d{1,2}(?!\d))+)"
    r"(?:" + _SEP_YEAR + r"(?P<y>\d{4}))?(?!\d)"
)
_D_MONTH = re.compile(
    r"(?<!\w)tháng\s+(?P<m>\d{1,2})(?:" + _SEP_YEAR + r"(?P<y>\d{4}))?(?!\d)"
)
_D_MONTH_BARE = re.compile(r"(?<![\w/.-])(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})(?!\d)")
_D_DATE = re.compile(r"(?<![\w/.-])(?:ngày\s+)?(?P<date>" + _DATE_TOKEN + r")")
_D_YEAR = re.compile(
    r"(?<!\w)(?:(?:trong|cả|cuối|đầu|suốt)\s+)?năm\s+(?P<y>\d{4})(?!\d)"
)
_D_THIS_YEAR = re.compile(r"(?<!\w)(?:trong|cả|suốt)\s+năm(?!\s*(?:\d|học|tài))")
_D_YEAR_ONLY = re.compile(r"^\s*(?P<y>\d{4})\s*\.?\s*$")
_D_RECURRING = re.compile(
    r"(?<!\w)(?:(?:định\s+kỳ\s+)?(?:hàng|hằng|mỗi)\s+(?P<r>ngày|tuần|tháng|quý|năm)"
    r"|định\s+kỳ\s+(?P<r2>tuần|tháng|quý|năm)|định\s+kỳ\s+(?P<half>0?6|sáu)\s+tháng)(?!\w)"
)
_D_ONGOING = re.compile(r"(?<!\w)(?:thường\s+xuyên|liên\s+tục)(?!\w)")
_D_EVENT = re.compile(rf"(?<!\w)(?:{_alt(EVENT_WORDS)})(?!\w)")


def _date_token(token: str, year: int | None) -> tuple[int, int, int | None]:
    """(day, month, year) of a date token; the plan's year when the token has none."""
    nums = [int(n) for n in re.findall(r"\d+", token)]
    if nums[0] > 31:  # ISO
        return nums[2], nums[1], nums[0]
    y = _year(str(nums[2]), year) if len(nums) > 2 else year
    return nums[0], nums[1], y


def _build_range(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    end_span = _token_span(m["b"], year)
    if end_span is None:
        return None
    start_span = _token_span(m["a"], end_span[1].year)  # "từ tháng 3 đến tháng 5/2023"
    if start_span is None or start_span[0] > end_span[1]:
        return None
    return {"kind": "range", "start": start_span[0], "end": end_span[1]}


def _token_span(token: str, year: int | None) -> tuple[date, date] | None:
    if token.startswith("tháng"):
        nums = [int(n) for n in re.findall(r"\d+", token)]
        return _month_bounds(_year(str(nums[1]), year) if len(nums) > 1 else year, nums[0])
    d, mo, y = _date_token(token, year)
    day = _safe_date(y, mo, d)
    return None if day is None else (day, day)


def _build_half(m: re.Match[str], year: int | None) -> dict[str, Any]:
    first = 1 if m["half"] == "đầu" else 7
    bounds = _month_bounds(_year(m["y"], year), first, first + 5)
    return _dated("range", bounds)


def _build_before_day(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    d, mo, y = _date_token(m["date"], year)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    if y is not None and m["next"]:
        y += 1
    day = _safe_date(y, mo, d)
    if y is not None and day is None:
        return None
    if day is not None and m["strict"]:
        day -= timedelta(days=1)
    return {"kind": "before", "end": day}


def _build_before_month(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    if not 1 <= int(m["m"]) <= 12:
        return None
    bounds = _month_bounds(_year(m["y"], year), int(m["m"]))
    if bounds is None:
        return {"kind": "before"}
    end = bounds[0] - timedelta(days=1) if m["strict"] else bounds[1]
    return {"kind": "before", "end": end}


def _build_quarter(m: re.Match[str], year: int | None) -> dict[str, Any]:
    q = ROMAN_QUARTERS.get(m["q"]) or int(m["q"])
    return _dated("quarter", _month_bounds(_year(m["y"], year), 3 * q - 2, 3 * q))


def _build_months(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    months = [int(n) for n in re.findall(r"\d+", m["list"])]
    if not all(1 <= mo <= 12 for mo in months):
        return None
    return _dated("months", _month_bounds(_year(m["y"], year), min(months), max(months)))


def _build_month(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    if not 1 <= int(m["m"]) <= 12:
        return None
    return _dated("month", _month_bounds(_year(m["y"], year), int(m["m"])))


def _build_date(m: re.Match[str], year: int | None) -> dict[str, Any] | None:
    d, mo, y = _date_token(m["date"], year)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    day = _safe_date(y, mo, d)
    if y is not None and day is None:
        return None
    return {"kind": "date", "start": day, "end": day}


def _build_year(m: re.Match[str], year: int | None) -> dict[str, Any]:
    y = _year(m.groupdict().get("y"), year)
    return _dated("year", _month_bounds(y, 1, 12))


def _build_recurring(m: re.Match[str], year: int | None) -> dict[str, Any]:
    word = m["r"] or m["r2"]
    return {"kind": "recurring", "recurrence": PERIODS[word] if word else "half_year"}


def _build_kind(kind: str) -> Builder:
    return lambda m, year: {"kind": kind}


def _dated(kind: str, bounds: tuple[date, date] | None) -> dict[str, Any]:
    """A kind with its first and last day; without a year the dates stay unknown."""
    if bounds is None:
        return {"kind": kind}
    return {"kind": kind, "start": bounds[0], "end": bounds[1]}


DEADLINE_RULES: list[Rule] = [
    (_D_RANGE, _build_range),
    (_D_HALF, _build_half),
    (_D_BEFORE_DAY, _build_before_day),
    (_D_BEFORE_MONTH, _build_before_month),
    (_D_QUARTER, _build_quarter),
    (_D_MONTHS, _build_months),
    (_D_MONTH, _build_month),
    (_D_MONTH_BARE, _build_month),
    (_D_DATE, _build_date),
    (_D_YEAR, _build_year),
    (_D_THIS_YEAR, _build_year),
    (_D_YEAR_ONLY, _build_year),
    (_D_RECURRING, _build_recurring),
    (_D_ONGOING, _build_kind("ongoing")),
    (_D_EVENT, _build_kind("event")),
]

# Where a cell lists several milestones: line breaks, <p> markup, ";", "- " bullets.
_PART_BREAK = re.compile(r"<[^>]*>|\n|;|(?:^|\s)[-•]\s+(?=[^\d\s])")
_LABEL = re.compile(r"^\s*[^\d:]{1,40}:\s*")  # "Kế hoạch: …", "Báo cáo năm: …"


def _parts(folded: str) -> list[str]:
    parts = (_LABEL.sub("", p, count=1) for p in _PART_BREAK.split(folded))
    return [p for p in parts if p.strip()]


def parse_deadline(text: str, year: int | None = None) -> Deadline:
    """Parse a task's deadline ("thời gian hoàn thành / thực hiện").

    Reports check completion dates against it and the forms print it, so the text is
    kept verbatim and the meaning (kind, first/last day, recurrence) sits beside it.
    ``year`` is the plan's year, used when the phrase has none ("Trong năm", "Tháng 12",
    "trước ngày 20/11"); without it such phrases keep their kind but no dates.

    A cell with several milestones ("- Kế hoạch: trước ngày 31/01/2023 - Báo cáo năm:
    trước ngày 31/01 của năm liền kề") gives the first milestone that can be read;
    within one milestone the phrase that starts first wins ("Tháng 7/2023 và trước ngày
    15/12/2023" is July 2023). Nothing readable gives kind "unparsed".
    """
    for part in _parts(_folded(text)):
        found = _leftmost(part, DEADLINE_RULES, year)
        if found is not None:
            return Deadline(text, **found[1])
    return Deadline(text)
