"""Assemble a ``Plan`` from a read document: front matter, then every appendix table
found by its header row, in document order, with a review of what to check."""

from __future__ import annotations

import re

from cchc_xlsx.model import Appendix, Area, Indicator, Phase, Plan, PlanMeta
from cchc_xlsx.plan_import.document import Document, Para, Table
from cchc_xlsx.plan_import.front import parse_front
from cchc_xlsx.plan_import.headers import Header, header_of, is_sub_header, roles
from cchc_xlsx.plan_import.prose import prose_indicators
from cchc_xlsx.plan_import.review import Review
from cchc_xlsx.plan_import.tables import TaskParser, parse_indicators, parse_roadmap
from cchc_xlsx.reading.normalize import ascii_fold, fold

_HEADING = re.compile(r"^phụ lục\s*(?:số\s*)?(?P<n>[0-9]+|[ivxl]+)?\s*[.:]?\s*(?P<rest>.*)$")
_FORMS = {"indicators": "plan_indicators", "roadmap": "plan_roadmap"}
_HEADER_SCAN = 10  # a spreadsheet may put a title row or two above the header


def find_header(table: Table) -> tuple[Header, int] | None:
    """The header and the first row under it. A header of two rows ("Cơ quan thực hiện"
    over "Chủ trì | Phối hợp") gives its second row's columns too."""
    for r, row in enumerate(table.rows[:_HEADER_SCAN]):
        header = header_of(row)
        if header is None:
            continue
        start = r + 1
        if start < len(table.rows):
            below = table.rows[start]
            sub = roles(below)
            if any(k not in header.columns or header.columns[k] != v for k, v in sub.items()) \
                    and is_sub_header(below):
                # the second row names the columns under a merged parent ("Đơn vị thực
                # hiện" over "Chủ trì | Phối hợp"): its words are the more precise ones
                for role, col in list(header.columns.items()):
                    if col in sub.values() and sub.get(role) != col:
                        del header.columns[role]
                header.columns.update(sub)
                header.sub_roles = frozenset(sub)
                for i, c in enumerate(below):
                    if c.text and not c.left and not c.above:
                        header.names[i] = " ".join(c.text.split())
                start += 1
        used = set(header.columns.values())
        header.unknown = {i: t for i, t in header.names.items() if i not in used}
        return header, start
    return None


def _lines(blocks: list[Para | Table]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(b.text)
        else:
            for row in b.rows:
                for cell in row:
                    if cell.text and not cell.left and not cell.above:
                        out.extend(cell.text.split("\n"))
    return out


def _heading(paras: list[Para]) -> tuple[int | None, str, str, str]:
    """(index of the "PHỤ LỤC" line, its number, title, attached line) among ``paras``."""
    at = None
    for i, p in enumerate(paras):
        if _HEADING.match(fold(p.text)) and len(p.text) < 200:
            at = i
    if at is None:
        return None, "", "", ""
    m = _HEADING.match(fold(paras[at].text))
    number = ""
    title_lines: list[str] = []
    if m and m.group("n"):
        raw = paras[at].text
        number = raw[m.start("n"):m.end("n")].upper()
        rest = raw[m.end("n"):].strip(" .:")
        if rest:
            title_lines.append(rest)
    attached = ""
    for p in paras[at + 1:]:
        if p.text.startswith("(") and "kèm theo" in fold(p.text):
            attached = p.text
            break
        title_lines.append(p.text)
    return at, number, " ".join(title_lines[:3]), attached


def build_plan(doc: Document, review: Review) -> Plan | None:
    review.notes.extend(doc.notes)
    appendix_blocks: set[int] = set()  # tables and their headings; the rest is the letter
    sections: list[dict] = []
    pending: list[Para] = []
    last: dict | None = None
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Para):
            pending.append(block)
            continue
        found = find_header(block)
        at, number, title, attached = _heading(pending)
        if found is None:
            if last is not None and at is None and block.width == last["width"]:
                last["parts"].append((block, last["header"], 0))  # the table goes on
            pending = []
            continue
        header, start = found
        appendix_blocks.add(i)
        if at is not None:
            appendix_blocks.update(range(i - len(pending) + at, i))
            block.label += f" (phụ lục {number})" if number else " (phụ lục)"
        if at is None and last is not None and last["header"].kind == header.kind:
            last["parts"].append((block, header, start))
        else:
            last = {"header": header, "width": block.width, "parts": [(block, header, start)],
                    "number": number, "title": title, "attached": attached,
                    "label": block.label}
            sections.append(last)
        pending = []
    front_blocks = [b for i, b in enumerate(doc.blocks) if i not in appendix_blocks]
    heading = [x for s in sections for x in (s["title"], s["attached"]) if x]
    front_lines = _lines(front_blocks)
    front = parse_front(front_lines, review, heading)

    appendices: list[Appendix] = []
    areas: list[Area] = []
    indicators: list[Indicator] = []
    roadmap: list[Phase] = []
    for s in sections:
        kind = s["header"].kind
        if kind == "tasks":
            parser = TaskParser(review, front.year)
            for table, header, start in s["parts"]:
                parser.feed(table, header, start)
            found_areas = parser.result(s["title"], s["label"])
            parser.column_review(s["label"])
            areas.extend(found_areas)
            form = "plan_tasks_column" if parser.column_layout else "plan_tasks_grouped"
            if not found_areas:
                review.doubt(s["label"], "bảng nhiệm vụ không có dòng nhiệm vụ nào")
                continue
        else:
            form = _FORMS[kind]
            for table, header, start in s["parts"]:
                if kind == "indicators":
                    indicators.extend(parse_indicators(table, header, start, review))
                else:
                    roadmap.extend(parse_roadmap(table, header, start, review))
        if not s["title"]:
            review.doubt(s["label"], "không thấy tên phụ lục phía trên bảng", "appendix",
                         str(len(appendices)))
        appendices.append(Appendix(form=form, number=s["number"], title=s["title"],
                                   attached_line=s["attached"]))
    if not any(s["header"].kind == "indicators" for s in sections):
        indicators.extend(prose_indicators(front_lines, review))  # plans with no table
    if not (areas or indicators or roadmap):
        review.usable = False
        review.doubt("", "không tìm thấy bảng nhiệm vụ, chỉ tiêu hay lộ trình nào (hàng tiêu "
                     "đề cần có các cột như STT, Nhiệm vụ, Sản phẩm, Chủ trì, Phối hợp, "
                     "Thời gian, hoặc STT, Chỉ tiêu)")
        return None
    meta = PlanMeta(
        superior_body=front.superior_body, issuing_body=front.issuing_body,
        number=front.number, symbol=front.symbol, place=front.place, date=front.date,
        date_text=front.date_text, title=front.title, year=front.year, signer=front.signer,
        recipients=front.recipients)
    return Plan(id=plan_id(meta), meta=meta, appendices=tuple(appendices),
                areas=tuple(areas), indicators=tuple(indicators), roadmap=tuple(roadmap),
                schedule=front.schedule, source=doc.source)


def plan_id(meta: PlanMeta) -> str:
    """An ASCII id from the symbol and year ("kh-mntt-2023"), for --period and file names."""
    base = meta.symbol or meta.issuing_body or "ke-hoach"
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(base)).strip("-") or "ke-hoach"
    year = meta.year or (meta.date.year if meta.date else None)
    return f"{slug}-{year}" if year else slug
