"""Fill a Word template with a consolidated workbook's figures: the drafted report.

docxtpl is used rather than python-docx alone because its placeholders are Jinja written
in the document itself (``{{ nop.da_nop }}``, ``{%p for g in nhom %}``, ``{%tr … %}`` for
table rows): an office edits the template in Word, moves, rewords or deletes sections, and
the figures still come from the workbook, never retyped.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.errors import UserError
from cchc_xlsx.reporting.default_template import TEMPLATE
from cchc_xlsx.reporting.report_context import build_context, load_consolidation

WHAT = "mẫu báo cáo Word"


def default_template() -> Path:
    """The shipped template (built from code when a checkout lacks it)."""
    if not TEMPLATE.is_file():
        from cchc_xlsx.reporting.default_template import build

        build(TEMPLATE)
    return TEMPLATE


def _template(path: str | Path | None) -> Path:
    if path is None:
        return default_template()
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy {WHAT} «{path}».")
    if not zipfile.is_zipfile(path):
        raise UserError(f"Tệp «{path}» không phải {WHAT} dạng .docx; hãy mở bằng Word và lưu "
                        "lại dạng «Word Document (.docx)».")
    return path


def write_report(merged: str | Path, out: str | Path,
                 template: str | Path | None = None) -> Path:
    """Render ``template`` (default: the shipped NĐ 30 report) with ``merged``'s figures."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    agg, office, outline = load_consolidation(merged)
    context = build_context(agg, office, outline)
    tpl_path = _template(template)
    out = Path(out)
    if not out.parent.is_dir():
        raise UserError(f"Không có thư mục «{out.parent}» để ghi báo cáo.")
    try:
        doc = DocxTemplate(str(tpl_path))
        doc.render(context, autoescape=True)
    except TemplateError as exc:
        line = f", dòng {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise UserError(f"{WHAT.capitalize()} «{tpl_path}» có chỗ giữ chỗ sai cú pháp{line}: "
                        f"{exc.message or exc}; hãy sửa lại các dấu {{{{ }}}} và {{% %}}.") \
            from None
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UserError(f"Không đọc được {WHAT} «{tpl_path}» ({exc}); hãy lưu lại dạng .docx.") \
            from None
    with atomic_path(out) as tmp:
        doc.save(str(tmp))
    return out
