"""Read the list of units (đơn vị) a plan is sent to, from CSV or XLSX.

The list comes from office staff, typed in Excel or exported from another system, so
headers are matched loosely (case, accents as typed, spaces), the header row may sit under
a title row or two ("DANH SÁCH CÁC TRƯỜNG …"), and every problem names the file and the
row in Vietnamese. A unit with no signer's title or name still gets its workbook: the
title is taken from the kind of unit where that is clear ("Trường …" → HIỆU TRƯỞNG) and
each gap is reported as a warning for that unit, so no signature block goes out blank by
surprise.
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
OPTIONAL = tuple(f for f in COLUMNS if f not in REQUIRED)
_HEADER_SCAN = 10  # title rows an office may put above the header

# the head's title by the first words of the unit's name, when the list leaves it blank
_HEAD_TITLES = (("trường", "HIỆU TRƯỞNG"), ("phòng", "TRƯỞNG PHÒNG"),
                ("trung tâm", "GIÁM ĐỐC"), ("sở", "GIÁM ĐỐC"))


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().split())


def head_title(name: str) -> str:
    """The head's title by the kind of body its name starts with ("Phòng …" → TRƯỞNG PHÒNG,
    "Sở …" → GIÁM ĐỐC, "Trường …" → HIỆU TRƯỞNG); "" when the name does not say."""
    folded = _norm(name)
    return next((t for start, t in _HEAD_TITLES if folded.startswith(start + " ")), "")


def _fields(row: list[str]) -> dict[str, int]:
    lookup = {_norm(alias): field for field, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        field = lookup.get(_norm(cell or ""))
        if field and field not in found:
            found[field] = i
    return found


def _header_map(rows: list[list[str]], path: Path) -> tuple[int, dict[str, int]]:
    """The header row (0-based, within the first rows) and its column per field."""
    best, at = {}, 0
    for i, row in enumerate(rows[:_HEADER_SCAN]):
        found = _fields(row)
        if len(found) > len(best):
            best, at = found, i
        if all(f in found for f in REQUIRED):
            break
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in best]
    if missing:
        where = f" (hàng tiêu đề ở dòng {at + 1})" if best else ""
        raise UserError(
            f"Tệp {WHAT} «{path}» thiếu cột: {', '.join(missing)}{where}; cần các cột "
            f"{', '.join(COLUMNS[f][0] for f in REQUIRED)} (không bắt buộc: "
            f"{', '.join(COLUMNS[f][0] for f in OPTIONAL)})."
        )
    return at, best


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


def load_units(path: str | Path, warnings: list[str] | None = None) -> list[Unit]:
    """Load units; refuse missing columns, empty codes and duplicate codes.

    Blank signer titles or names are filled where the unit's kind makes it clear, and
    reported in ``warnings`` (one Vietnamese sentence per unit) when a list is given."""
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
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(str(c).strip() for c in r)]
    if not numbered:
        raise UserError(f"Tệp {WHAT} «{path}» rỗng.")
    at, cols = _header_map([r for _, r in numbered], path)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for n, row in numbered[at + 1:]:
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
        _check_one_line(values, path, n)
        seen[code] = n
        _check_signer(values, path, n, warnings)
        units.append(Unit(**values))
    if not units:
        raise UserError(f"Tệp {WHAT} «{path}» không có đơn vị nào (chỉ có dòng tiêu đề).")
    return units


def _check_one_line(values: dict[str, str], path: Path, n: int) -> None:
    """A code names files and web addresses (``/don-vi/<code>``): no "/" or "\\" and no
    control characters; an e-mail address goes into a mail header, where a line break
    would add headers. Names keep their text, only line breaks become spaces."""
    code = values["code"]
    if any(ch in code for ch in "/\\") or not code.isprintable():
        shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in code)
        raise UserError(f"Tệp {WHAT} «{path}», dòng {n}: mã đơn vị «{shown}» không được chứa "
                        "dấu «/», «\\» hay ký tự điều khiển.")
    email = values.get("email", "")
    if email and (not email.isprintable() or any(ch.isspace() for ch in email)):
        raise UserError(f"Tệp {WHAT} «{path}», dòng {n}: địa chỉ thư của «{code}» có dấu cách "
                        "hoặc xuống dòng; mỗi ô chỉ ghi một địa chỉ thư.")
    for key, value in values.items():
        if key not in ("code", "email") and not value.isprintable():
            values[key] = " ".join(value.split())


def _check_signer(values: dict[str, str], path: Path, n: int,
                  warnings: list[str] | None) -> None:
    name, code = values["name"], values["code"]
    where = f"Tệp {WHAT} «{path}», dòng {n} ({code} – {name})"
    notes = []
    if not values.get("signer_title"):
        head = head_title(name)
        if head:
            values["signer_title"] = head
            notes.append(f"chưa có chức danh người ký, đã dùng «{head}»")
        else:
            notes.append("chưa có chức danh người ký, khối chữ ký sẽ thiếu chức danh")
    if not values.get("signer_name"):
        notes.append("chưa có tên người ký, sổ sẽ để trống dòng tên để ký và ghi tay")
    if notes and warnings is not None:
        warnings.append(f"{where}: {'; '.join(notes)}.")
