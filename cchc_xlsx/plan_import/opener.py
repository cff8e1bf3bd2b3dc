"""Open any plan file by its kind: YAML as written, or a document imported on the fly.

This is the one entry point the CLI (``generate --plan``, ``merge --plan``, ``plan show``)
and the portal use, so a Word or Excel plan goes wherever a YAML plan goes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Plan
from cchc_xlsx.plan_import.review import Review

YAML_SUFFIXES = (".yaml", ".yml")
WORD_SUFFIXES = (".docx", ".doc", ".docm", ".odt", ".rtf")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
PLAN_SUFFIXES = YAML_SUFFIXES + WORD_SUFFIXES + SHEET_SUFFIXES


def import_plan(path: str | Path) -> tuple[Plan | None, Review]:
    """Read a plan document (Word, spreadsheet, plan workbook); never modifies it.

    Returns the plan (None when nothing usable was found) and the review: what was found
    and each doubt with its table and row."""
    from cchc_xlsx.plan_import.convert import convert
    from cchc_xlsx.plan_import.docx_reader import read_docx
    from cchc_xlsx.plan_import.importer import build_plan
    from cchc_xlsx.plan_import.sheet_reader import read_sheets

    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp kế hoạch «{path}».")
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        raise UserError(f"«{path}» đã là kế hoạch YAML; xem bằng «cchc-xlsx plan show», "
                        "hoặc chuyển sang sổ Excel bằng «cchc-xlsx plan export».")
    review = Review(str(path))
    with tempfile.TemporaryDirectory(prefix="cchc-import-") as tmp:
        kind = _sniff(path) if suffix in (".docx", ".docm") + SHEET_SUFFIXES else suffix
        if kind == "docx":
            doc = read_docx(path)
        elif kind == "doc" or suffix in WORD_SUFFIXES and suffix not in (".docx", ".docm"):
            converted = convert(path, "docx", Path(tmp))
            review.notes.append(f"đã chuyển «{path.name}» sang .docx bằng LibreOffice.")
            doc = read_docx(converted)
        elif kind in ("xlsx", "xlsm", "ods", "xls"):
            from cchc_xlsx.plan_import.plan_workbook import is_plan_workbook, read_plan_workbook

            source = path
            if kind == "ods":
                from cchc_xlsx.plan_import.convert import soffice

                if soffice():
                    source = convert(path, "xlsx", Path(tmp))
            if is_plan_workbook(source):
                return read_plan_workbook(source, review, shown_as=str(path))
            doc = read_sheets(source, shown_as=str(path))
        else:
            raise UserError(f"Không nhận ra loại tệp kế hoạch «{path}»: cần .yaml, .docx, "
                            ".doc, .xlsx, .ods hoặc .xls.")
        doc.source = str(path)
    plan = build_plan(doc, review)
    return plan, review


def _sniff(path: Path) -> str:
    """What the file really is, by its content, after the project's file guard has checked
    it (zip bombs, XML entities, encryption): "docx", "doc" or a spreadsheet kind. A plan
    saved with the wrong extension is read as what it is; nothing is refused for a name."""
    from cchc_xlsx.reading.file_guard import UnusableFile, inspect_file

    try:
        return inspect_file(path)
    except UnusableFile as exc:
        if exc.code == "not_spreadsheet_docx":
            return "docx"
        if exc.code in ("not_spreadsheet_doc", "not_spreadsheet_odt"):
            return "doc"  # an old Word or a Writer file under another name: LibreOffice
        if exc.code == "encrypted":
            raise UserError(f"Tệp «{path}» có đặt mật khẩu; hãy mở bằng Word hoặc Excel, bỏ "
                            "mật khẩu, lưu lại rồi nhập tệp đó.") from None
        if exc.code in ("zip_bomb", "xml_entities", "too_large", "empty") or \
                path.suffix.lower() not in (".docx", ".docm"):
            raise
        raise UserError(f"Tệp «{path}» không phải văn bản Word (.docx) dùng được (hỏng hoặc "
                        "sai định dạng); hãy mở bằng Word, lưu lại dạng .docx rồi nhập lại."
                        ) from None


def open_plan(path: str | Path) -> tuple[Plan, Review]:
    """Load a plan of any kind: YAML, Word (.docx/.doc), spreadsheet or plan workbook.

    Raises ``UserError`` (one sentence, exit 2) when nothing usable is in the file. The
    review lists warnings and doubts; print ``review.text(plan)`` to show them."""
    from cchc_xlsx.plans.plan_loader import load_plan

    path = Path(path)
    if path.suffix.lower() in YAML_SUFFIXES or path.suffix.lower() not in PLAN_SUFFIXES:
        review = Review(str(path))
        warnings: list[str] = []
        plan = load_plan(path, warnings)
        review.doubts.extend(_as_doubts(warnings))
        return plan, review
    plan, review = import_plan(path)
    if plan is None:
        raise UserError(f"Tệp «{path}» không có kế hoạch dùng được: "
                        + "; ".join(d.message for d in review.doubts) + ".")
    return plan, review


def _as_doubts(warnings: list[str]):
    from cchc_xlsx.plan_import.review import Doubt

    return [Doubt("", w) for w in warnings]


def import_to_yaml(path: str | Path, out: str | Path) -> tuple[Plan | None, Review]:
    """``plan import``: read a plan document and write its YAML (atomically) with a
    comment above each thing to check. Nothing is written when nothing usable was found."""
    from datetime import date

    from cchc_xlsx.atomic import atomic_path
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.plan_writer import plan_yaml

    plan, review = import_plan(path)
    if plan is None:
        return None, review
    comments: dict[tuple[str, ...], list[str]] = {}
    loose: list[str] = []
    for d in review.doubts:
        if d.anchor:
            comments.setdefault(d.anchor, []).append(str(d))
        else:
            loose.append(f"KIỂM TRA: {d}")
    header = [f"Nhập từ «{Path(path).name}» bằng «cchc-xlsx plan import» ngày "
              f"{date.today():%d/%m/%Y}.",
              "Văn bản được giữ nguyên như bản gốc. Xem các dòng «# KIỂM TRA» rồi xóa chúng."]
    header += loose
    text = plan_yaml(plan, header, comments)
    target = Path(out)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    try:
        load_plan(target)
    except UserError as exc:  # e.g. no title found: the YAML says where to fill it in
        review.doubt("", f"tệp YAML cần sửa trước khi dùng: {exc.message}")
    return plan, review
