"""The plan's own data from its first page and prose: issuing body and its parent,
Số/ký hiệu, place and date, trích yếu, signer, Nơi nhận and the reporting schedule.

NĐ 30/2020 fixes where each of these sits, so they are found by their shape: the two
upper-case lines of the left header, "Số: …", "…, ngày … tháng … năm …", the word
"KẾ HOẠCH" and the lines under it, "Nơi nhận:" and its dashes, the signer's upper-case
title and name. Whatever is not found is reported, never invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from cchc_xlsx.model import Period, Signer
from cchc_xlsx.plan_import.review import Review
from cchc_xlsx.reading.normalize import fold

_MOTTO = tuple(fold(m) for m in ("cộng hòa xã hội chủ nghĩa việt nam",
                                  "độc lập - tự do - hạnh phúc", "độc lập – tự do – hạnh phúc"))
_NUMBER = re.compile(r"^Số\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,]{2,60}),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*"
    r"năm\s*(?P<y>\d{4})\s*$", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(?P<a>KT|TM|Q|TL|TUQ)\s*\.\s*(?P<head>.+)$")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DAY_MONTH = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])")


@dataclass
class Front:
    superior_body: str = ""
    issuing_body: str = ""
    number: str = ""
    symbol: str = ""
    place: str = ""
    date: date | None = None
    date_text: str = ""
    title: str = ""
    year: int | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: tuple[str, ...] = ()
    schedule: tuple[Period, ...] = ()


def _upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_motto(line: str) -> bool:
    f = fold(line)
    return any(m in f for m in _MOTTO) or set(line) <= set("-_—–=. ")


_ATTACHED = re.compile(
    r"kế hoạch\s*(?:số)?\s*:?\s*(?P<num>[0-9]*)\s*/\s*(?P<sym>[^\s,;)]+)"
    r"(?:.*?ngày\s*(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:.*?\bcủa\s+(?P<body>[^)]+))?", re.IGNORECASE)


def _from_appendix(heading: list[str], front: Front) -> None:
    """With no first page (an appendix sent alone), what its heading says of the plan:
    "(Kèm theo Kế hoạch số 71/KH-MNTT ngày 17/3/2023 của Trường Mầm non Tuổi Thơ)" gives
    the number, symbol, date and issuer; the title "… NĂM 2023" the year."""
    from cchc_xlsx.plans.phrases import parse_vn_date

    for line in heading:
        m = _ATTACHED.search(line) if "kèm theo" in fold(line) else None
        if m is None:
            continue
        front.number, front.symbol = m.group("num") or "", m.group("sym").strip(" .")
        if m.group("date"):
            front.date = parse_vn_date(m.group("date"))
        if m.group("body"):
            front.issuing_body = m.group("body").strip(" .;").upper()
        break
    for line in heading:
        years = _YEAR.findall(line) if "kèm theo" not in fold(line) else []
        if years:
            front.year = int(years[-1])
            break
    if front.year is None and front.date is not None:
        front.year = front.date.year


def parse_front(lines: list[str], review: Review, heading: list[str] = ()) -> Front:
    """``lines``: every paragraph and cell line before the first appendix, in order;
    ``heading``: the appendices' titles and "Kèm theo" lines, used when the first page
    is absent (a spreadsheet appendix alone)."""
    front = Front()
    where = "trang đầu"
    if not any(_NUMBER.match(x) or _PLACE_DATE.match(x) or fold(x) == "kế hoạch"
               or x.startswith("KẾ HOẠCH ") for x in lines) and heading:
        return _appendix_only(lines, review, list(heading))
    plan_at = next((i for i, line in enumerate(lines)
                    if fold(line) == "kế hoạch"
                    or (line.startswith("KẾ HOẠCH ") and len(line) < 300)), None)
    head = lines[:plan_at] if plan_at is not None else lines[:12]
    bodies: list[str] = []
    for line in head:
        m = _NUMBER.match(line)
        pd = _PLACE_DATE.match(line)
        if m and not front.number and not front.symbol:
            rest = m.group("rest").strip()
            number, _, symbol = rest.partition("/")
            front.number, front.symbol = number.strip(), symbol.strip()
        elif pd and not front.place:
            front.place = pd.group("place").strip()
            y = int(pd.group("y"))
            if pd.group("d") and pd.group("m"):
                try:
                    front.date = date(y, int(pd.group("m")), int(pd.group("d")))
                except ValueError:
                    review.doubt(where, f"ngày ban hành «{line}» không có thật", "meta", "date")
            if front.date is None:
                front.date_text = line
        elif _upper(line) and not _is_motto(line) and len(line) < 120:
            bodies.append(line)
    if len(bodies) >= 2:
        front.superior_body, front.issuing_body = bodies[0], bodies[1]
    elif bodies:
        front.issuing_body = bodies[0]
        review.doubt(where, "không thấy tên cơ quan chủ quản (dòng trên tên cơ quan ban "
                     "hành)", "meta", "superior_body")
    if not front.issuing_body:
        review.doubt(where, "không thấy tên cơ quan ban hành (góc trái trang đầu)",
                     "meta", "issuing_body")
    if not front.number and not front.symbol:
        review.doubt(where, "không thấy dòng «Số: …/KH-…»", "meta", "number")
    elif not front.number:
        review.doubt(where, f"số văn bản để trống («Số: /{front.symbol}»)", "meta", "number")
    if front.date is None:
        review.doubt(where, "không thấy ngày ban hành đầy đủ"
                     + (f" («{front.date_text}»)" if front.date_text else ""), "meta", "date")

    if plan_at is not None:
        first = lines[plan_at]
        rest = first.split(" ", 2)[2] if len(first.split(" ", 2)) > 2 else ""
        title_lines = [rest] if rest else []
        for line in lines[plan_at + 1:plan_at + 3]:
            f = fold(line)
            if f.startswith(("căn cứ", "thực hiện quyết định", "thực hiện kế hoạch",
                             "thực hiện công văn", "thực hiện chỉ thị")) or len(line) > 250:
                break
            if title_lines and (title_lines[-1].endswith((".", ";", ",", ":"))
                                or not line[:1].islower()):
                break
            title_lines.append(line)
        front.title = " ".join(title_lines)
    if not front.title:
        review.doubt(where, "không thấy trích yếu (dòng dưới chữ «KẾ HOẠCH»)", "meta", "title")
    years = [int(y) for y in _YEAR.findall(front.title)]
    if years:
        near = [y for y in years if front.date and y in (front.date.year, front.date.year + 1)]
        front.year = min(near) if near else years[0]
    elif front.date is not None:
        front.year = front.date.year
        review.doubt(where, f"trích yếu không nêu năm; đã lấy năm {front.year} của ngày ban "
                     "hành", "meta", "year")
    else:
        probe = Front()
        _from_appendix(list(heading), probe)  # "PHỤ LỤC … NĂM 2023", "Kèm theo … 2023"
        front.year = probe.year
        if front.year is None:
            review.doubt(where, "không xác định được năm của kế hoạch", "meta", "year")
    _signature(lines, front, review)
    front.schedule = _schedule(lines, front.year, review)
    return front


def _appendix_only(lines: list[str], review: Review, heading: list[str]) -> Front:
    """A plan known only by its appendix: take what the heading says, ask for the rest in
    one line per missing field (issuer, number, signer …), and use the default schedule
    when the text gives none."""
    front = Front()
    _from_appendix(heading, front)
    where = "trang đầu"
    review.notes.append("tệp chỉ có phụ lục, không có trang đầu của kế hoạch: số, ngày, "
                        "cơ quan ban hành và năm lấy từ tiêu đề phụ lục và dòng «Kèm theo» "
                        "nếu có")
    if not front.issuing_body:
        review.doubt(where, "không thấy tên cơ quan ban hành", "meta", "issuing_body")
    if not front.number:
        review.doubt(where, "không thấy số của kế hoạch" + (
            f" («…/{front.symbol}»)" if front.symbol else ""), "meta", "number")
    if front.date is None:
        review.doubt(where, "không thấy ngày ban hành", "meta", "date")
    if front.year is None:
        review.doubt(where, "không xác định được năm của kế hoạch", "meta", "year")
    front.title = next((x for x in heading if "kèm theo" not in fold(x)), "")
    review.doubt(where, "không thấy trích yếu của kế hoạch" + (
        f"; đã tạm ghi tên phụ lục «{front.title}», hãy sửa theo văn bản gốc"
        if front.title else ""), "meta", "title")
    review.doubt("khối chữ ký", "không thấy chức danh và tên người ký", "meta", "signer")
    front.schedule = _schedule(lines + heading, front.year, review)
    return front


def _signature(lines: list[str], front: Front, review: Review) -> None:
    where = "khối chữ ký"
    at = next((i for i, line in enumerate(lines) if fold(line).rstrip(":") == "nơi nhận"),
              None)  # the letter's own; an appendix may sign again
    if at is None:
        review.doubt(where, "không thấy «Nơi nhận:»", "meta", "recipients")
        region = lines[-12:]
    else:
        recipients = []
        for line in lines[at + 1:at + 30]:
            if line.startswith(("-", "+", "•")) or line.endswith(";") or \
                    fold(line).startswith("lưu"):
                recipients.append(line.lstrip("-+• ").strip())
            elif recipients:
                break
        front.recipients = tuple(recipients)
        region = lines[max(0, at - 8):]
    titles: list[str] = []
    name = ""
    for line in region:
        if fold(line).rstrip(":") == "nơi nhận" or line.startswith(("-", "+", "•")) or \
                line.strip() in front.recipients:
            continue
        if _upper(line) and len(line) < 60 and not _is_motto(line):
            titles.append(line)
        elif titles and _looks_like_name(line):
            name = line
            break
        else:
            titles = []  # prose: the signature block is further down
    if titles:
        m = _AUTHORITY.match(titles[0])
        if m:
            authority, head = m.group("a") + ".", m.group("head").strip()
            title = titles[1] if len(titles) > 1 else ""
            front.signer = Signer(authority=authority, head_title=head, title=title, name=name)
        else:
            front.signer = Signer(title=titles[-1], name=name)
    if not titles:
        review.doubt(where, "không thấy chức danh người ký", "meta", "signer")
    if not name:
        review.doubt(where, "không thấy tên người ký", "meta", "signer")


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return (2 <= len(words) <= 6 and all(w[:1].isupper() for w in words)
            and not any(ch.isdigit() for ch in line) and not line.endswith((".", ":", ";")))


_NAMES = {"q1": "Quý I năm {y}", "q2": "Quý II năm {y}", "6t": "6 tháng đầu năm {y}",
          "q3": "Quý III năm {y}", "nam": "Năm {y}"}
_KINDS = {4: ("q1", "6t", "q3", "nam"), 2: ("6t", "nam"), 1: ("nam",)}
_PERIOD_WORDS = re.compile(r"quý\s+(?P<q>iii|ii|i|iv|1|2|3|4)(?![a-z])|(?P<h>0?6\s+tháng)"
                           r"|(?P<y>(?:cả\s+|báo\s+cáo\s+)?năm)(?!\s*(?:20|học|liền))")
_QUARTERS = {"i": "q1", "1": "q1", "ii": "q2", "2": "q2", "iii": "q3", "3": "q3",
             "iv": "nam", "4": "nam"}


def _kind(m: re.Match[str]) -> str:
    return _QUARTERS[m.group("q")] if m.group("q") else ("6t" if m.group("h") else "nam")


def _kinds(folded: str, count: int) -> list[str]:
    """The periods a sentence names, in order ("quý I, 06 tháng, quý III, cả năm"). When
    each date has its own period just before it ("quý I trước ngày 05/3; quý II trước ngày
    05/6 …"), that pairing wins over the order of the words ("hằng năm … quý I …")."""
    dates = [m for m in _DAY_MONTH.finditer(folded) if 1 <= int(m.group(2)) <= 12]
    if len(dates) == count:
        paired: list[str] = []
        last = 0
        for d in dates:
            words = list(_PERIOD_WORDS.finditer(folded, last, d.start()))
            if not words:
                break
            paired.append(_kind(words[-1]))
            last = d.end()
        if len(paired) == count and len(set(paired)) == count:
            return paired
    kinds: list[str] = []
    for m in _PERIOD_WORDS.finditer(folded):
        kind = _QUARTERS[m.group("q")] if m.group("q") else ("6t" if m.group("h") else "nam")
        if kind not in kinds:
            kinds.append(kind)
    if len(kinds) == count:
        return kinds
    return list(_KINDS[count])


_DAY_MONTH_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})(?:\s*năm\s*(\d{4}))?",
                              re.IGNORECASE)
_QUARTER_END = re.compile(r"ngày\s*(\d{1,2})\s*(?:của\s*)?(?:các\s*)?tháng\s*cuối\s*"
                          r"(?:của\s*)?(?:mỗi\s*|hàng\s*|hằng\s*)?quý", re.IGNORECASE)


def _dates(line: str) -> list[tuple[int, int, int | None]]:
    """Due dates written "05/3", "05/3/2024" or "ngày 05 tháng 12 năm 2024", in order."""
    found = [(m.start(), m.groups()) for m in _DAY_MONTH.finditer(line)]
    found += [(m.start(), m.groups()) for m in _DAY_MONTH_WORDS.finditer(line)]
    return [(int(d), int(m), int(y) if y else None) for _, (d, m, y) in sorted(found)
            if 1 <= int(m) <= 12]


def _schedule_sentences(lines: list[str]):
    """(text, due dates, folded period words) of each statement of the reporting schedule:
    one sentence naming all the dates ("… gửi trước ngày 05/3, 05/6, 05/9, 05/12"), or a
    run of lines with one period and one date each ("Báo cáo quý I: Gửi trước ngày
    01/3/2024;" then quý II, quý III, năm), as seed 000 writes it."""
    run: list[tuple[str, tuple[int, int, int | None]]] = []
    out = []
    for line in lines + [""]:
        f = fold(line)
        found = _dates(line)
        quarter_end = _QUARTER_END.search(f) if "báo cáo" in f else None
        if quarter_end:  # "trước ngày 10 của tháng cuối quý, báo cáo năm trước ngày 05/12"
            rest = _dates(f[quarter_end.end():])
            if len(rest) == 1:
                day = int(quarter_end.group(1))
                out.append((line, [(day, 3, None), (day, 6, None), (day, 9, None), rest[0]],
                            "quý i, quý ii, quý iii, năm"))
                continue
        single = (len(found) == 1 and _PERIOD_WORDS.search(f) is not None
                  and re.search(r"trước|chậm nhất|hạn", f) is not None
                  and ("báo cáo" in f or run))
        if single:
            run.append((line, found[0]))
            continue
        if len(run) >= 2:
            text = "; ".join(x for x, _ in run)
            out.append((text, [d for _, d in run], fold(text)))
        run = []
        if "báo cáo" not in f or not re.search(r"trước|chậm nhất|hạn", f):
            continue
        if not re.search(r"định kỳ|hàng quý|quý i|6 tháng|06 tháng|báo cáo năm", f):
            continue
        out.append((line, found, f))
    return out


def _schedule(lines: list[str], year: int | None, review: Review) -> tuple[Period, ...]:
    """Reporting periods from a sentence like "báo cáo định kỳ … gửi trước ngày 05/3, 05/6,
    05/9, 05/12" or "Báo cáo 6 tháng chậm nhất ngày 15/6, báo cáo năm chậm nhất ngày
    15/12". The plan states due dates only; cut-offs follow the Bộ Nội vụ frame (from 15/12
    of the year before) and end the day before the due date, as the sample plans do."""
    where = "phần tổ chức thực hiện"
    for line, found, words in _schedule_sentences(lines):
        if len(found) not in _KINDS or year is None:
            continue
        periods: list[Period] = []
        for (d, m, y), pid in zip(found, _kinds(words, len(found)), strict=True):
            try:
                due = date(y or year, m, d)
            except ValueError:
                review.doubt(where, f"hạn gửi «{d}/{m}» không có thật", "schedule")
                return ()
            start = date(year - 1, 12, 15)
            if pid in ("q2", "q3") and periods:
                start = periods[-1].due
            elif pid == "q3":
                start = date(year, 6, 15)
            periods.append(Period(
                id=f"{pid}-{year}", name=_NAMES[pid].format(y=year), start=start,
                end=due - timedelta(days=1), due=due,
                note=f"Kế hoạch chỉ nêu hạn gửi («{line[:160]}»); thời gian chốt số liệu theo "
                     "khung của Bộ Nội vụ, kết thúc trước ngày gửi."))
        return tuple(periods)
    if year is None:
        review.doubt(where, "không thấy lịch gửi báo cáo định kỳ, và không biết năm của kế "
                     "hoạch nên chưa đặt kỳ báo cáo nào; hãy ghi «schedule:»", "schedule")
        return ()
    review.doubt(where, "không thấy lịch gửi báo cáo định kỳ; đã dùng khung của Bộ Nội vụ "
                 "(quý I, 6 tháng, quý III, năm), hạn gửi là ngày sau khi chốt số liệu",
                 "schedule")
    frame = ((1, 3, 14), (2, 6, 14), (3, 9, 14), (4, 12, 14))
    periods = []
    for pid, (_, m, d) in zip(_KINDS[4], frame, strict=True):
        start = date(year - 1, 12, 15) if pid != "q3" else date(year, 6, 15)
        end = date(year, m, d)
        periods.append(Period(id=f"{pid}-{year}", name=_NAMES[pid].format(y=year),
                              start=start, end=end,
                              due=end + timedelta(days=1),
                              note="Kế hoạch không nêu lịch báo cáo; lấy theo khung của "
                                   "Bộ Nội vụ."))
    return tuple(periods)
