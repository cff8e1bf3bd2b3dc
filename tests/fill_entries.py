"""A whole, correct return as browser entries (field name -> text, as a school types it),
and the same values typed into the template with openpyxl (tests/fill.py), so a browser
return and an Excel return of the same figures can be compared."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from .fill import Filler

STATUSES = ("Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Không phát sinh")


def clean_entries(names: list[str], start: date, end: date) -> dict[str, str]:
    """Entries for every field ``names`` lists (in page order), every rule satisfied."""
    out: dict[str, str] = {"doc|number": "15/BC-MNTT", "doc|date": end.isoformat()}
    rows: dict[str, list[str]] = {}
    for name in names:
        if name.startswith("doc|"):
            continue
        form, key, column = name.split("|")
        rows.setdefault(f"{form}|{key}", []).append(column)
    days = (end - start).days + 1
    for i, (row, columns) in enumerate(rows.items()):
        form = row.split("|")[0]
        if form == "report_tasks":
            status = STATUSES[i % 4]
            out[f"{row}|status"] = status
            if status == "Đã hoàn thành":
                out[f"{row}|completion_date"] = (start + timedelta(days=(i * 7) % days)
                                                 ).isoformat()
                out[f"{row}|evidence"] = f"{10 + i}/BC-MNTT"
            else:
                out[f"{row}|difficulties"] = "Chờ hướng dẫn của cấp trên."
        elif form == "report_indicators":
            if "numerator" in columns:
                den = 20 + i
                out[f"{row}|denominator"] = str(den)
                out[f"{row}|numerator"] = str(den - i % 3)
            elif "result" in columns:
                out[f"{row}|result"] = str(i + 1)
            if "met" in columns:
                out[f"{row}|met"] = "Đạt" if i % 2 else "Không đạt"
            out[f"{row}|note"] = f"Ghi chú {i}"
        elif form == "report_tthc":
            online, direct, carried = 3 + i, 2, 1
            values = {"c4": online, "c5": direct, "c6": carried, "c8": online, "c9": direct,
                      "c10": 0, "c12": carried, "c13": 0}
            for column, value in values.items():
                out[f"{row}|{column}"] = str(value)
    return out


def typed_in_excel(template: Path, entries: dict[str, str], out: Path,
                   signer: str | None = None) -> Path:
    """The same entries typed into the template the way tests/fill.py types a return."""
    f = Filler(template)
    d = date.fromisoformat(entries["doc|date"])
    f.fill_doc(entries["doc|number"], d.day, d.month, signer)
    for name, text in entries.items():
        if name.startswith("doc|"):
            continue
        form, key, column = name.split("|")
        kind = f.catalog.forms[form].column(column).input
        value: object = text
        if kind in ("whole", "number"):
            value = int(text)
        elif kind == "date":
            value = date.fromisoformat(text)
        f.set(form, key, column, value)
    return f.save(out)
