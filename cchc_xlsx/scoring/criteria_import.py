"""Read a published criteria table (.xlsx or .docx) into a criteria file for review.

Offices receive the year's criteria as a table in a decision's appendix: STT | Lĩnh vực,
tiêu chí | Điểm tối đa | Cách chấm (column names vary). This reader finds that header by
its text, turns the numbering (1 / 1.1 / 1.1.1, or I / 1 / a) into codes, and guesses
each item's scoring mode from its guidance: "100%: 2 điểm; từ 95%…: 1 điểm" becomes ratio
bands, "Có: … Không: …" yes/no, anything else points on a 0.25 step. What was guessed or
does not add up is listed for review; the written file is loaded back with the normal
loader, so what a person then edits gets the same line-accurate errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.errors import UserError
from cchc_xlsx.reading.normalize import fold, parse_number
from cchc_xlsx.reading.reader import cell_text

WHAT = "bảng tiêu chí"
HEADERS = {
    "code": ("stt", "tt", "mã", "mã số", "số tt", "số thứ tự"),
    "name": ("lĩnh vực, tiêu chí", "nội dung", "tiêu chí", "lĩnh vực/tiêu chí/tiêu chí thành "
             "phần", "lĩnh vực, tiêu chí, tiêu chí thành phần", "nội dung tiêu chí",
             "lĩnh vực / tiêu chí / tiêu chí thành phần", "tên tiêu chí"),
    "max": ("điểm tối đa", "điểm chuẩn", "thang điểm", "điểm", "số điểm tối đa"),
    "guide": ("cách chấm", "hướng dẫn chấm", "cách chấm điểm", "phương pháp chấm",
              "hướng dẫn chấm điểm", "ghi chú", "cách tính điểm"),
}
_ROMAN = re.compile(r"^(?=[IVXL]+\.?$)(L?X{0,3})(IX|IV|V?I{0,3})\.?$")
_DOTTED = re.compile(r"^\d+(\.\d+){0,2}\.?$")
_LETTER = re.compile(r"^[a-zđ][).]?$")
_PERCENT_BAND = re.compile(r"(?P<clause>[^;\n]*?(?P<pct>\d+(?:[.,]\d+)?)\s*%[^;\n]*?"
                           r"(?P<pts>\d+(?:[.,]\d+)?)\s*điểm)", re.IGNORECASE)


@dataclass
class ImportResult:
    out: Path
    areas: int
    items: int
    total: float
    review: list[str] = field(default_factory=list)


def _rows_xlsx(path: Path) -> list[list[str]]:
    from cchc_xlsx.reading.reader import open_book

    _, book, _stray = open_book(path)  # stray far cells are left out by the bounded reader
    out: list[list[str]] = []
    for name in book.sheet_names:
        if name.startswith("_"):
            continue
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out.extend([cell_text(v) for v in row] for row in grid)
        out.append([])
    return out


def _rows_docx(path: Path) -> list[list[str]]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception:  # noqa: BLE001 - any unreadable document is the user's to fix
        raise UserError(f"Không mở được tệp {WHAT} «{path}» như một văn bản Word (.docx).") \
            from None
    # the title paragraphs first (they name the year), then the tables' rows
    out: list[list[str]] = [[p.text.strip()] for p in document.paragraphs[:30] if p.text.strip()]
    out.append([])
    for table in document.tables:
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:  # a merged cell repeats; keep it once
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell.text.strip())
            out.append(cells)
        out.append([])
    return out


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    wanted = {fold(a): k for k, aliases in HEADERS.items() for a in aliases}
    for r, row in enumerate(rows[:80]):
        found: dict[str, int] = {}
        for c, text in enumerate(row):
            key = wanted.get(fold(text).rstrip(":"))
            if key is None:
                key = next((k for a, k in wanted.items() if len(a) > 4 and a in fold(text)
                            and k in ("max", "guide")), None)
            if key and key not in found:
                found[key] = c
        if "name" in found and "max" in found:
            return r, found
    return None


def _number(text: str) -> float | None:
    value = parse_number(text.replace("điểm", "").strip()) if text else None
    return value if value is not None and value >= 0 else None


def _scoring(guide: str, maximum: float, where: str, review: list[str]) -> Any:
    """The mode a guidance text describes; ratio bands are listed for review."""
    folded = fold(guide)
    bands = []
    for m in _PERCENT_BAND.finditer(guide):
        clause = fold(m.group("clause"))
        pct = float(m.group("pct").replace(",", "."))
        pts = float(m.group("pts").replace(",", "."))
        low = 0.0 if ("dưới" in clause and "từ" not in clause) else pct
        if pts <= maximum + 1e-9:
            bands.append({"min": low, "points": pts})
    if len(bands) >= 2:
        if not any(b["min"] == 0 for b in bands):
            bands.append({"min": 0, "points": 0})
        uniq = {b["min"]: b for b in bands}
        ordered = sorted(uniq.values(), key=lambda b: -b["min"])
        review.append(f"{where}: đoán là chấm theo tỷ lệ đạt: " + "; ".join(
            f"từ {b['min']:g}% → {b['points']:g} điểm" for b in ordered) + ".")
        return {"ratio": ordered}
    if re.search(r"\bcó\b[^;]*:", folded) and re.search(r"\bkhông\b[^;]*:", folded):
        return "yesno"
    return None  # the file's default step


def import_criteria(source: str | Path, out: str | Path, crit_id: str | None = None,
                    year: int | None = None, decision: str | None = None) -> ImportResult:
    from cchc_xlsx.forms.generate import slug
    from cchc_xlsx.reading.file_guard import UnusableFile
    from cchc_xlsx.scoring.criteria import load_criteria

    src = Path(source)
    if not src.is_file():
        raise UserError(f"Không tìm thấy tệp {WHAT} «{src}».")
    suffix = src.suffix.lower()
    try:
        rows = _rows_docx(src) if suffix == ".docx" else _rows_xlsx(src)
    except UnusableFile as exc:
        raise UserError(exc.message) from None
    found = _header(rows)
    if found is None:
        raise UserError(f"Không tìm thấy bảng tiêu chí trong «{src}»: cần một dòng tiêu đề có "
                        "cột «Nội dung» (hoặc «Tiêu chí») và «Điểm tối đa».")
    head, cols = found
    review: list[str] = []
    areas: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []  # the open item at each level
    roman = False  # numbered I / 1 / a: renumbered systematically, not worth a note each
    for r in range(head + 1, len(rows)):
        row = rows[r]
        if not any(row):
            if areas:
                break  # the table ended
            continue
        raw_code, name = _get(row, cols, "code"), _get(row, cols, "name")
        if not name or re.fullmatch(r"\(?\d+\)?", name) or fold(name).startswith("tổng"):
            continue
        code_text = raw_code.rstrip(".")
        if _ROMAN.match(raw_code.upper()) and raw_code:
            level = 1
        elif _DOTTED.match(raw_code):
            level = len(code_text.split("."))
            if areas and any(a.get("_roman") for a in areas):
                level = min(3, level + 1)
        elif stack and (not raw_code or _LETTER.match(fold(raw_code))
                        or raw_code in ("-", "+", "*")):
            level = min(3, stack[-1]["_level"] + 1)
        else:
            review.append(f"dòng {r + 1}: không hiểu số thứ tự «{raw_code}», đã bỏ qua.")
            continue
        while stack and stack[-1]["_level"] >= level:
            stack.pop()
        if len(stack) != level - 1:
            review.append(f"dòng {r + 1}: «{name[:50]}» không nằm dưới mục cấp trên nào, "
                          "đã bỏ qua.")
            continue
        code = f"{stack[-1]['code']}.{len(stack[-1]['items']) + 1}" if stack \
            else str(len(areas) + 1)
        item: dict[str, Any] = {"code": code, "name": " ".join(name.split()),
                                "_level": level, "_row": r + 1, "items": []}
        if level == 1 and _ROMAN.match(raw_code.upper()):
            item["_roman"] = roman = True
        if _DOTTED.match(raw_code) and code_text != code and not roman:
            review.append(f"dòng {r + 1}: số thứ tự «{raw_code}» được đánh lại là «{code}».")
        item["_max"] = _number(_get(row, cols, "max"))
        item["_guide"] = " ".join(_get(row, cols, "guide").split())
        if stack:
            stack[-1]["items"].append(item)
        else:
            areas.append(item)
        stack.append(item)
    if not areas:
        raise UserError(f"Bảng tiêu chí trong «{src}» không có dòng nào đọc được.")
    count = 0

    def finish(item: dict[str, Any]) -> dict[str, Any]:
        nonlocal count
        count += 1
        out: dict[str, Any] = {"code": item["code"], "name": item["name"]}
        kids = [finish(k) for k in item["items"]]
        where = f"mục {item['code']} (dòng {item['_row']})"
        if kids:
            total = sum(k.get("max", 0) or _sum(k) for k in kids)
            if item["_max"] is not None and abs(item["_max"] - total) > 1e-6:
                review.append(f"{where}: điểm tối đa ghi {item['_max']:g} nhưng các mục con "
                              f"cộng lại {total:g}; đã dùng tổng các mục con.")
            out["items"] = kids
        else:
            if item["_max"] is None:
                review.append(f"{where}: không có điểm tối đa; đã tạm ghi 1, hãy sửa.")
            maximum = item["_max"] if item["_max"] is not None else 1.0
            out["max"] = maximum
            if item["_guide"]:
                out["guide"] = item["_guide"]
                scoring = _scoring(item["_guide"], maximum, where, review)
                if scoring is not None:
                    out["scoring"] = scoring
                if "không áp dụng" in fold(item["_guide"]):
                    out["not_applicable"] = True
            if item["_level"] == 1:
                review.append(f"{where}: lĩnh vực không có tiêu chí nào.")
        return out

    tree = [finish(a) for a in areas]
    total = sum(_sum(a) for a in tree)
    the_year = year or _year_from(rows) or date.today().year
    meta = {
        "id": crit_id or slug(src.stem) or "tieu-chi", "name": f"Bộ tiêu chí nhập từ {src.name}",
        "year": the_year, "decision": decision or "…/QĐ-… (hãy ghi văn bản ban hành)",
        "sample": False, "scale": 100, "rescale_not_applicable": True,
        "defaults": {"step": 0.25, "evidence": True, "not_applicable": False},
        "classification": [{"name": "Tốt", "min": 90}, {"name": "Khá", "min": 80},
                           {"name": "Trung bình", "min": 65}, {"name": "Yếu", "min": 0}],
    }
    if roman:
        review.append("số thứ tự kiểu I / 1 / a đã được đổi thành mã 1 / 1.1 / 1.1.1.")
    if not decision:
        review.append("chưa có văn bản ban hành (trường «decision»); dùng --decision.")
    review.append("xếp loại đang dùng mức mặc định Tốt 90 / Khá 80 / Trung bình 65 / Yếu; "
                  "hãy sửa theo văn bản (mục «classification»).")
    text = (f"# Nhập từ «{src.name}» bằng cchc-xlsx criteria import; HÃY RÀ SOÁT trước khi "
            "dùng.\n# Tiêu chí không ghi «scoring» được chấm theo bước 0,25 (defaults.step).\n"
            + yaml.safe_dump({"criteria": meta, "areas": tree}, allow_unicode=True,
                             sort_keys=False, width=100))
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    load_criteria(out_path)  # what was written must load; errors name the line
    return ImportResult(out_path, len(tree), count - len(tree), total, review)


def _get(row: list[str], cols: dict[str, int], key: str) -> str:
    return row[cols[key]].strip() if key in cols and cols[key] < len(row) else ""


def _sum(item: dict[str, Any]) -> float:
    if "items" in item:
        return sum(_sum(k) for k in item["items"])
    return float(item.get("max", 0))


def _year_from(rows: list[list[str]]) -> int | None:
    for row in rows[:20]:
        for text in row:
            m = re.search(r"năm\s+(20\d\d)", fold(text or ""))
            if m:
                return int(m.group(1))
    return None
