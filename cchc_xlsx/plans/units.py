"""Read the list of units (đơn vị) a plan is sent to, from CSV or XLSX.

The list comes from office staff, typed in Excel or exported from another system, so
headers are matched loosely (case, accents as typed, spaces) and every problem names the
file and the row in Vietnamese.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Unit

WHAT = "danh sách đơn vị"

# field -> accepted header spellings (compared after _norm)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("mã", "mã đơn vị", "ma", "ma don vi", "code"),
    "name": ("tên", "tên đơn vị", "ten", "ten don vi", "name"),
    "level": ("cấp học", "cap hoc", "level"),
    "superior": ("cơ quan chủ quản", "co quan chu quan", "superior"),
    "place": ("địa danh", "dia danh", "place"),
    "signer_title": ("chức danh", "chức danh người ký", "chuc danh", "signer_title"),
    "signer_name": ("tên người ký", "người ký", "ten nguoi ky", "signer_name"),
    "recipient": ("nơi nhận", "noi nhan", "recipient"),
    "email": ("email", "e-mail", "thư điện tử", "thu dien tu"),
}
REQUIRED = ("code", "name", "superior", "place", "signer_title", "signer_name")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().split())


def _header_map(header: list[str], path: Path) -> dict[str, int]:
    lookup = {_norm(alias): field for field, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        field = lookup.get(_norm(cell or ""))
        if field and field not in found:
            found[field] = i
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in found]
    if missing:
        raise UserError(
            f"Tệp {WHAT} «{path}» thiếu cột: {', '.join(missing)} "
            f"(dòng đầu phải có các cột: {', '.join(COLUMNS[f][0] for f in COLUMNS)})."
        )
    return found


def _rows_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"Tệp {WHAT} «{path}» không phải văn bản UTF-8; trong Excel hãy lưu dạng "
            "«CSV UTF-8 (Comma delimited)»."
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _rows_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # only this branch needs it

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's to fix
        raise UserError(
            f"Không mở được tệp {WHAT} «{path}» như một sổ Excel (.xlsx); hãy mở bằng Excel "
            "và lưu lại dạng .xlsx hoặc CSV UTF-8."
        ) from None
    try:
        ws = wb.worksheets[0]
        return [["" if v is None else str(v) for v in row]
                for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def load_units(path: str | Path) -> list[Unit]:
    """Load units; refuse missing columns, empty codes and duplicate codes."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {WHAT} «{path}».")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _rows_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _rows_csv(path)
    else:
        raise UserError(f"Tệp {WHAT} «{path}» phải là .csv hoặc .xlsx.")
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise UserError(f"Tệp {WHAT} «{path}» rỗng.")
    cols = _header_map(rows[0], path)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        values = {f: (str(row[i]).strip() if i < len(row) else "") for f, i in cols.items()}
        values = {f: unicodedata.normalize("NFC", v) for f, v in values.items()}
        code = values.get("code", "")
        if not code:
            raise UserError(f"Tệp {WHAT} «{path}», dòng {n}: thiếu mã đơn vị.")
        if not values.get("name"):
            raise UserError(f"Tệp {WHAT} «{path}», dòng {n}: thiếu tên đơn vị «{code}».")
        if code in seen:
            raise UserError(
                f"Tệp {WHAT} «{path}», dòng {n}: mã đơn vị «{code}» trùng với dòng {seen[code]}."
            )
        seen[code] = n
        units.append(Unit(**values))
    if not units:
        raise UserError(f"Tệp {WHAT} «{path}» không có đơn vị nào (chỉ có dòng tiêu đề).")
    return units
