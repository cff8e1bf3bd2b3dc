"""Fill a Word template with a consolidated workbook's figures: the drafted report.

docxtpl is used rather than python-docx alone because its placeholders are Jinja written
in the document itself (``{{ nop.da_nop }}``, ``{%p for g in nhom %}``, ``{%tr … %}`` for
table rows): an office edits the template in Word, moves, rewords or deletes sections, and
the figures still come from the workbook, never retyped.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx.oxml.ns import qn

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.errors import UserError
from cchc_xlsx.reporting.default_template import TEMPLATE
from cchc_xlsx.reporting.keep_groups import keep_groups
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


@dataclass
class Drafted:
    """A written report and what is left for the office before it is signed."""

    path: Path
    placeholders: int  # highlighted passages left for the office to write
    warnings: list[str] = field(default_factory=list)  # Vietnamese sentences


def _run(text: str, *, bold: bool = False, size: int | None = None,
         highlight: bool = False) -> str:
    """One w:r in schema order (rPr: b, sz, szCs, highlight): docxtpl's RichText writes a
    shading for "highlight", which Word's "no highlight" does not clear."""
    props = "<w:b/>" if bold else ""
    if size:
        props += f'<w:sz w:val="{2 * size}"/><w:szCs w:val="{2 * size}"/>'
    if highlight:
        props += '<w:highlight w:val="yellow"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _verdict_cell(row: dict[str, Any]) -> Any:
    """The "Đánh giá" cell: the verdict in bold (highlighted when the office must judge
    it), then the units that missed, in 11 pt."""
    from docxtpl import RichText

    rt = RichText()
    lines = row["danh_gia_day_du"].split("\n") if row["danh_gia_day_du"] else [""]
    xml = _run(lines[0], bold=True, highlight=row["can_danh_gia"])
    for line in lines[1:]:
        xml += "<w:r><w:br/></w:r>" + _run(line, size=11)
    rt.xml = xml
    return rt


def count_placeholders(path: str | Path) -> int:
    """Paragraphs of ``path`` still holding yellow-highlighted text (the office's to
    write): the body, table cells, headers and footers."""
    from docx import Document

    doc = Document(str(path))
    parts = [doc.element.body]
    for section in doc.sections:
        parts += [section.header._element, section.footer._element]
    n = 0
    for part in parts:
        for para in part.iter(qn("w:p")):
            if any(h.get(qn("w:val")) not in (None, "none")
                   for h in para.iter(qn("w:highlight"))):
                n += 1
    return n


def draft_report(merged: str | Path, out: str | Path,
                 template: str | Path | None = None) -> Drafted:
    """Render ``template`` (default: the shipped NĐ 30 report) with ``merged``'s figures;
    say how many placeholders are left and what to check before signing."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    agg, office, outline = load_consolidation(merged)
    context = build_context(agg, office, outline)
    for row in context["chi_tieu"]:
        row["danh_gia_rt"] = _verdict_cell(row)
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
    keep_groups(doc.docx)  # headings stay with what follows on LibreOffice's pages too
    with atomic_path(out) as tmp:
        doc.save(str(tmp))
    return Drafted(out, count_placeholders(out), list(context["canh_bao"]))


def write_report(merged: str | Path, out: str | Path,
                 template: str | Path | None = None) -> Path:
    """``draft_report`` for callers that only need the file."""
    return draft_report(merged, out, template).path
