"""The Word report's figures, lists and tables, read from a consolidated workbook.

Everything comes from the workbook's hidden identity: the exact figures (``Aggregate``
JSON), the issuing office, and the plan outline with the submission standing. Visible cells
are rounded and may have been edited by hand; the identity is what merge computed. The
template sees plain dicts and strings with Vietnamese names, so an office editing the Word
template reads ``{{ nop.da_nop }}``, not Python.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.aggregate import TTHC_COLUMNS, Aggregate, IndicatorAgg
from cchc_xlsx.merging.by_level import by_level
from cchc_xlsx.merging.merge import meets
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.plans.names import name_key, normal_case
from cchc_xlsx.plans.office_profile import date_line
from cchc_xlsx.plans.phrases import parse_target
from cchc_xlsx.plans.units import head_title

WHAT = "sổ tổng hợp"
DONE, DOING, NOT_STARTED, NA = ("Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện",
                                "Không phát sinh")


def load_consolidation(path: str | Path) -> tuple[Aggregate, Office, dict[str, Any]]:
    """The exact figures, the office and the outline of a consolidated workbook."""
    from cchc_xlsx.reading.file_guard import UnusableFile
    from cchc_xlsx.reading.reader import open_book, read_identity

    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy {WHAT} «{path}».")
    try:
        _, book, _stray = open_book(path)
    except UnusableFile as exc:
        raise UserError(exc.message) from None
    try:
        ident = read_identity(book)
    finally:
        book.close()
    if ident.get("kind") != "consolidation" or not ident.get("aggregate"):
        raise UserError(f"Tệp «{path}» không phải {WHAT} do «cchc-xlsx merge» tạo ra (không "
                        "có số liệu tổng hợp ẩn); hãy chọn tệp kết quả của lệnh merge.")
    if not ident.get("outline") or not ident.get("office"):
        raise UserError(f"{WHAT.capitalize()} «{path}» được tạo bằng phiên bản cũ, thiếu nội "
                        "dung kế hoạch để soạn báo cáo; hãy chạy lại «cchc-xlsx merge».")
    try:
        agg = Aggregate.from_json(ident["aggregate"])
        office = Office.from_dict(json.loads(ident["office"]))
        outline = json.loads(ident["outline"])
    except (ValueError, KeyError, TypeError):
        raise UserError(f"Số liệu ẩn của {WHAT} «{path}» bị hỏng; hãy chạy lại «cchc-xlsx "
                        "merge».") from None
    return agg, office, outline


# --- Vietnamese number writing ----------------------------------------------------------


def vn_number(value: float, decimals: int = 2) -> str:
    """1234 → "1.234"; 12.5 → "12,5" (vi-VN: dot for thousands, comma for decimals)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(num: float, den: float, decimals: int = 2) -> str:
    """Σ numerator / Σ denominator as "95,24%", "100,00%": always two decimals, the one
    ratio format of every printed output (the workbooks print "[$-42A]0.00%"); "" when
    there is nothing to divide by."""
    if den <= 0:
        return ""
    text = f"{100 * num / den:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + "%"


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# --- the sections -----------------------------------------------------------------------


def _task_line(item: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    done, doing, todo, na = (int(counts.get(s, 0)) for s in (DONE, DOING, NOT_STARTED, NA))
    applicable = done + doing + todo
    parts = [f"{done}/{applicable} đơn vị đã hoàn thành"]
    if doing:
        parts.append(f"{doing} đang thực hiện")
    if todo:
        parts.append(f"{todo} chưa thực hiện")
    if na:
        parts.append(f"{na} không phát sinh")
    label = f"{item['stt']}. {item['content']}".rstrip().rstrip(".")
    if item.get("product"):
        label += f" (sản phẩm: {item['product']})"
    return {"stt": item["stt"], "noi_dung": label.replace("\n", "; "),
            "hoan_thanh": done, "dang_thuc_hien": doing, "chua_thuc_hien": todo,
            "khong_phat_sinh": na, "so_don_vi": applicable,
            "ty_le": vn_percent(done, applicable), "dem": ", ".join(parts)}


def _groups(outline: dict[str, Any], agg: Aggregate) -> list[dict[str, Any]]:
    """Per plan group: its tasks done everywhere, in progress somewhere, not started."""
    out = []
    for area in outline.get("areas", []):
        done, doing, todo, none = [], [], [], []
        for item in area["items"]:
            line = _task_line(item, agg.tasks.get(item["key"], {}))
            if line["so_don_vi"] == 0:
                none.append(line)  # no unit reported it, or it did not arise anywhere
            elif line["hoan_thanh"] == line["so_don_vi"]:
                done.append(line)
            elif line["hoan_thanh"] or line["dang_thuc_hien"]:
                doing.append(line)
            else:
                todo.append(line)
        # the lettered sub-lists a), b), c) over the lists that have tasks, so a group
        # with nothing done starts at a) rather than b)
        parts = [(name, items) for name, items in (("Đã hoàn thành", done),
                                                    ("Đang thực hiện", doing),
                                                    ("Chưa thực hiện", todo)) if items]
        muc = [{"chu": "abcdefgh"[i], "ten": name, "nhiem_vu": items}
               for i, (name, items) in enumerate(parts)]
        out.append({
            "stt": area["stt"], "ten": area["title"], "so_nhiem_vu": len(area["items"]),
            "muc": muc,
            "hoan_thanh": done, "dang_thuc_hien": doing, "chua_thuc_hien": todo,
            "khong_phat_sinh": none, "so_hoan_thanh": len(done),
            "so_dang_thuc_hien": len(doing), "so_chua_thuc_hien": len(todo),
            "so_khong_phat_sinh": len(none),
        })
    return out


NOT_ARISEN = "Không phát sinh"
NO_DATA = "Chưa có số liệu"
TO_JUDGE = "(Cơ quan tự đánh giá)"  # a placeholder: the target cannot be read as a number


def judge(target_text: str, measure: str, num: float, den: float,
          total: float) -> str:
    """The verdict by the rule the report states: Σ numerator / Σ denominator (a rate) or
    Σ results (a count) against the plan's target as ``plans.phrases`` reads it.

    "Đạt" / "Chưa đạt"; "Không phát sinh" for a rate with nothing to count (0/0 is not a
    miss); ``TO_JUDGE`` when the target is not a comparison the parser can apply (the
    office judges it: a placeholder, never a blank)."""
    if measure == "rate":
        if den <= 0:
            return NOT_ARISEN
        value = num / den
    elif measure == "count":
        value = total
    else:
        return TO_JUDGE
    met = meets(parse_target(target_text), measure, value)
    if met is None:
        return TO_JUDGE
    return "Đạt" if met else "Chưa đạt"


def _unit_verdicts(agg: Aggregate, key: str, target_text: str,
                   measure: str) -> tuple[int, int, list[str], list[str]] | None:
    """Per unit, by the same rule: (units met, units reporting, names missed, names where
    it did not arise); None when the workbook keeps no per-unit figures."""
    if not agg.indicator_by_unit:
        return None
    met = reporting = 0
    missed: list[str] = []
    na: list[str] = []
    for code in sorted(agg.indicator_by_unit, key=lambda c: agg.units[c].unit_name
                       if c in agg.units else c):
        figures = agg.indicator_by_unit[code].get(key)
        if figures is None:
            continue
        num, den, total = (float(x) for x in figures[:3])
        reporting += 1
        name = agg.units[code].unit_name if code in agg.units else code
        verdict = judge(target_text, measure, num, den, total)
        if verdict == TO_JUDGE and len(figures) > 3 and figures[3] in (0, 1):
            verdict = "Đạt" if figures[3] == 1 else "Chưa đạt"  # the unit's own verdict
        if verdict == "Đạt":
            met += 1
        elif verdict == "Chưa đạt":
            missed.append(name)
        elif verdict == NOT_ARISEN:
            na.append(name)
    return met, reporting, missed, na


def _indicators(outline: dict[str, Any], agg: Aggregate) -> list[dict[str, Any]]:
    rows = []
    for ind in outline.get("indicators", []):
        if ind["group"]:
            rows.append({"nhom": True, "stt": ind["stt"], "noi_dung": ind["text"],
                         "chi_tieu": "", "ket_qua": "", "tu_so": "", "mau_so": "",
                         "dat": "", "danh_gia": "", "chua_dat": "", "khong_phat_sinh": "",
                         "danh_gia_day_du": "", "can_danh_gia": False})
            continue
        a = agg.indicators.get(ind["key"]) or IndicatorAgg()
        measure = ind["measure"]
        if measure == "rate":
            result = vn_percent(a.numerator, a.denominator)
            num, den = vn_number(a.numerator), vn_number(a.denominator)
        elif measure == "count" and a.reporting:
            result, num, den = vn_number(a.total), "", ""
        else:
            result, num, den = "", "", ""
        if not a.reporting:
            verdict = NO_DATA
        else:
            verdict = judge(ind["target"], measure, a.numerator, a.denominator, a.total)
        per_unit = _unit_verdicts(agg, ind["key"], ind["target"], measure)
        if per_unit is None:  # an old workbook: the verdicts merge stored per unit
            met, reporting, missed, na = a.meeting, a.reporting, list(a.not_meeting), []
        else:
            met, reporting, missed, na = per_unit
        lines = [verdict]
        if missed:
            lines.append("Đơn vị chưa đạt: " + ", ".join(missed) + ".")
        if na and verdict != NOT_ARISEN:
            lines.append(f"Không phát sinh: {len(na)} đơn vị.")
        rows.append({
            "nhom": False, "stt": ind["stt"], "noi_dung": ind["text"],
            "chi_tieu": ind["target"], "ket_qua": result, "tu_so": num, "mau_so": den,
            "dat": f"{met}/{reporting}", "danh_gia": verdict,
            "chua_dat": ", ".join(missed), "khong_phat_sinh": ", ".join(na),
            "danh_gia_day_du": "\n".join(lines), "can_danh_gia": verdict == TO_JUDGE,
        })
    return rows


def _tthc(outline: dict[str, Any], agg: Aggregate) -> tuple[list[dict], dict[str, Any]]:
    zero = [0.0] * len(TTHC_COLUMNS)
    rows, total = [], list(zero)
    for proc in outline.get("procedures", []):
        values = agg.tthc.get(proc["key"], zero)
        total = [a + b for a, b in zip(total, values, strict=True)]
        row = dict(zip(TTHC_COLUMNS, values, strict=True))
        rows.append({"stt": proc["stt"], "ten": proc["name"],
                     **{c: vn_number(v) for c, v in row.items()},
                     "dung_han": vn_number(row["c8"] + row["c9"])})
    t = dict(zip(TTHC_COLUMNS, total, strict=True))
    summary = {c: vn_number(v) for c, v in t.items()}
    summary["dung_han"] = vn_number(t["c8"] + t["c9"])
    summary["ty_le_dung_han"] = vn_percent(t["c8"] + t["c9"], t["c7"]) or "—"
    summary["ty_le_truc_tuyen"] = vn_percent(t["c4"], t["c4"] + t["c5"]) or "—"
    return rows, summary


def _difficulties(outline: dict[str, Any], agg: Aggregate) -> list[dict[str, Any]]:
    """The units' difficulties and proposals compiled by topic (the plan group): the same
    sentence from several units or tasks is said once, with who raised it and where."""
    topic_of: dict[str, str] = {}
    order: list[str] = []
    stt_of: dict[str, str] = {}
    for area in outline.get("areas", []):
        topic = f"{area['stt']}. {area['title']}".strip(". ") if area["title"] else "Nhiệm vụ"
        order.append(topic)
        for item in area["items"]:
            topic_of[item["key"]] = topic
            stt_of[item["key"]] = item["stt"]
    names = {code: s.unit_name for code, s in agg.units.items()}
    # topic → text (folded) → [shown text, {unit name: [task numbers]}]
    topics: dict[str, dict[str, list[Any]]] = {}
    for unit, key, text in agg.difficulties:
        topic = topic_of.get(key, "Các chỉ tiêu" if key.startswith("ind:") else "Nội dung khác")
        said = " ".join(text.split())
        entry = topics.setdefault(topic, {}).setdefault(said.casefold().rstrip(". "),
                                                        [said, {}])
        where = stt_of.get(key) or key.split(":", 1)[-1]
        tasks = entry[1].setdefault(names.get(unit, unit), [])
        if where not in tasks:
            tasks.append(where)
    ranked = sorted(topics, key=lambda t: (order.index(t) if t in order else len(order), t))
    out = []
    for topic in ranked:
        items = []
        for said, units in topics[topic].values():
            who = "; ".join(f"{name} (nhiệm vụ {', '.join(tasks)})"
                            for name, tasks in units.items())
            items.append({"noi_dung": said.rstrip(".") + ".", "don_vi": who,
                          "so_don_vi": len(units)})
        out.append({"chu_de": topic, "muc": items,
                    "so_y_kien": sum(len(u) for _, u in topics[topic].values())})
    return out


def _levels(agg: Aggregate) -> list[dict[str, Any]]:
    """Task completion and Biểu 06 totals per cấp học (empty when no unit has a level)."""
    if not any(s.level for s in agg.units.values()):
        return []
    rows = []
    for fig in by_level(agg):
        t = dict(zip(TTHC_COLUMNS, fig.tthc, strict=True))
        rows.append({
            "ten": fig.name, "so_don_vi": fig.units,
            "hoan_thanh": fig.statuses.get(DONE, 0), "dang_thuc_hien": fig.statuses.get(DOING, 0),
            "chua_thuc_hien": fig.statuses.get(NOT_STARTED, 0),
            "ty_le": vn_percent(fig.done, fig.applicable) or "—",
            "tthc_nhan": vn_number(t["c3"]), "tthc_da_giai_quyet": vn_number(t["c7"]),
            "tthc_ty_le_dung_han": vn_percent(t["c8"] + t["c9"], t["c7"]) or "—"})
    return rows


def _standing(outline: dict[str, Any]) -> dict[str, Any]:
    st = outline.get("standing", {})
    late, missing, bad = st.get("late", []), st.get("missing", []), st.get("bad", [])
    return {"tong": st.get("units", 0), "da_nop": st.get("sent", 0),
            "dung_han": st.get("on_time", 0), "qua_han": len(late),
            "chua_nop": len(missing), "khong_hop_le": len(bad),
            "ds_qua_han": ", ".join(late), "ds_chua_nop": ", ".join(missing),
            "ds_khong_hop_le": ", ".join(bad), "ngoai_danh_sach": st.get("others", 0)}


def _same_body(a: str, b: str) -> bool:
    """Whether two spellings name one body: "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" (a plan whose header
    omits the place) and "Phòng Giáo dục và Đào tạo Quận 11" do; an empty name is unknown and
    taken as the same."""
    fa, fb = name_key(a), name_key(b)
    return not fa or not fb or fa.startswith(fb) or fb.startswith(fa)


def plan_warnings(plan: dict[str, Any], office_name: str, plan_day: date | None,
                  end: date | None) -> tuple[bool, bool, list[str]]:
    """Whether the plan is the office's own, whether it is dated after the period, and what
    to tell the person drafting (a report cites the plan the office itself issued, and a
    plan issued after the period cannot be what the period carried out)."""
    own = _same_body(plan.get("issuer", ""), office_name)
    after = bool(plan_day and end and plan_day > end)
    number = plan.get("number", "") or "(không số)"
    notes = []
    if not own:
        notes.append(f"Kế hoạch dùng để tổng hợp (số {number}) là của "
                     f"{normal_case(plan.get('issuer', ''))}, không phải của "
                     f"{normal_case(office_name)}; báo cáo để trống chỗ trích dẫn kế hoạch "
                     "của cơ quan (tô vàng) để điền.")
    if after and plan_day and end:
        notes.append(f"Kế hoạch số {number} ban hành ngày {plan_day:%d/%m/%Y}, sau kỳ báo cáo "
                     f"(đến ngày {end:%d/%m/%Y}); hãy kiểm tra lại kế hoạch được trích dẫn.")
    return own, after, notes


def build_context(agg: Aggregate, office: Office, outline: dict[str, Any]) -> dict[str, Any]:
    """Everything the template may print, by Vietnamese name (see docs/word-report.md)."""
    period = outline["period"]
    start, end, due = (_day(period[k]) for k in ("start", "end", "due"))
    year = due.year if due else ""
    plan = outline.get("plan", {})
    plan_day = _day(plan.get("date", ""))
    own, after, warnings = plan_warnings(plan, office.name, plan_day, end)
    tthc_rows, tthc_total = _tthc(outline, agg)
    groups = _groups(outline, agg)
    period_name = period["name"]
    title = office.title.replace("{period}", _lower_first(period_name)) if office.title else (
        f"Kết quả thực hiện công tác cải cách hành chính {_lower_first(period_name)}")
    generated = outline.get("generated_at", "")
    return {
        "co_quan_chu_quan": _header_name(office.superior.upper(), bold=False),
        "co_quan": _header_name(office.name.upper(), bold=True),
        "co_quan_ten": normal_case(office.name),
        "so_ky_hieu": office.number_line(),
        "dia_danh_ngay": date_line(office.place or "……", office.date, year),
        "trich_yeu": title,
        "ky": {"ten": period_name, "ten_thuong": _lower_first(period_name),
               "tu_ngay": f"{start:%d/%m/%Y}" if start else "",
               "den_ngay": f"{end:%d/%m/%Y}" if end else "",
               "han_nop": f"{due:%d/%m/%Y}" if due else ""},
        "ke_hoach": {"so_ky_hieu": plan.get("number", ""),
                     "ngay": date_line("", plan_day).removeprefix(", ") if plan_day else "",
                     "co_quan": normal_case(plan.get("issuer", "")),
                     "trich_yeu": _lower_first(plan.get("title", "")),
                     "cua_co_quan": own, "sau_ky": after},
        "canh_bao": warnings,
        "nop": _standing(outline),
        "so_don_vi_tong_hop": len(agg.units),
        "nhom": groups,
        "nhiem_vu": {
            "tong": sum(g["so_nhiem_vu"] for g in groups),
            "hoan_thanh": sum(g["so_hoan_thanh"] for g in groups),
            "dang_thuc_hien": sum(g["so_dang_thuc_hien"] for g in groups),
            "chua_thuc_hien": sum(g["so_chua_thuc_hien"] for g in groups),
            "khong_phat_sinh": sum(g["so_khong_phat_sinh"] for g in groups)},
        "chi_tieu": _indicators(outline, agg),
        "tthc": tthc_rows,
        "tthc_tong": tthc_total,
        "kho_khan": _difficulties(outline, agg),
        "cap_hoc": _levels(agg),
        # without a profile the title comes from the kind of office; the name is left
        "ky_ten": {"chuc_danh": [p.strip().upper() for p in
                                 (office.signer_title or head_title(office.name)).split("|")
                                 if p.strip()],
                   "ten": office.signer_name},
        "noi_nhan": list(office.recipient_lines()),
        "tong_hop_luc": (datetime.fromisoformat(generated).strftime("%H:%M ngày %d/%m/%Y")
                         if generated else ""),
    }


#: the left header block's text width in the Word report: a 7.4 cm cell less its margins
HEADER_ROOM_PT = 7.4 / 2.54 * 72 - 12


def _header_name(name: str, bold: bool) -> str:
    """A header name broken between words where a reader would ("ỦY BAN NHÂN DÂN / TỈNH
    SÓC TRĂNG"), not wherever Word's wrapping falls; the line break becomes ``<w:br/>``."""
    from cchc_xlsx.forms.text_measure import text_points
    from cchc_xlsx.plans.names import break_name

    return break_name(name, lambda s: text_points(s, 12, bold=bold) <= HEADER_ROOM_PT)

