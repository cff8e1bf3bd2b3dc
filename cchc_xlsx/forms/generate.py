"""Generate one personalised official-layout workbook per unit.

The library API behind ``cchc-xlsx generate``: choose the forms a plan uses, lay out each
form's table once, then write each unit's workbook (its own header, signature and hidden
identity) atomically. Many units are spread over the machine's cores.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cchc_xlsx import __version__
from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.errors import UserError, os_reason
from cchc_xlsx.forms.form_rows import for_levels, has_rows, records_for, row_attrs
from cchc_xlsx.forms.identity import Identity, encode_attrs, write_identity
from cchc_xlsx.forms.official_layout import (
    FONT,
    TABLE_SIZE,
    Formats,
    HeaderTexts,
    attached_value,
    roman,
    signer_lines,
)
from cchc_xlsx.forms.sheet_writer import TableModel, build_table, write_sheet
from cchc_xlsx.forms.specs import Catalog, FormSpec, load_catalog
from cchc_xlsx.forms.xlsx_page import OfficialWorksheet
from cchc_xlsx.model import Period, Plan, Unit
from cchc_xlsx.plans.levels import unit_levels
from cchc_xlsx.plans.names import normal_case
from cchc_xlsx.plans.office_profile import OfficeProfile
from cchc_xlsx.plans.units import head_title

DOTS = "……"
BLANK_DAY = "ngày     tháng     năm"


@dataclass(frozen=True)
class SheetJob:
    """One sheet of every unit's workbook: a form, its appendix label and its table."""

    spec: FormSpec
    label: str  # "Phụ lục I" / "Phụ lục"
    title: str
    attached_line: str | None  # the plan's own line (issuer workbook), else built per unit
    table: TableModel
    row_attrs: tuple[tuple[str, str], ...] = ()


def default_forms(plan: Plan, catalog: Catalog, for_units: bool = False) -> list[str]:
    """The plan appendices it issues, then the report forms its units fill each period.

    A unit's workbook has the report forms only: the plan's appendices are the issuer's
    document, and a unit's own plan is its draft from ``unit-plan draft`` (issue 20)."""
    forms = [] if for_units else [a.form for a in plan.appendices]
    if plan.report_forms:
        forms += list(plan.report_forms)
    else:
        forms += [f for f in ("report_tasks", "report_indicators", "report_tthc")
                  if f in catalog.forms and has_rows(catalog.forms[f], plan)]
    return forms


def choose_period(plan: Plan, period_id: str | None) -> Period | None:
    if not plan.schedule:
        if period_id:
            raise UserError(f"Kế hoạch «{plan.source}» không có kỳ báo cáo nào, nên không dùng "
                            f"được --period {period_id}.")
        return None
    if period_id is None:  # a plan round (kind "plan") is not a reporting period
        return next((p for p in plan.schedule if p.kind != "plan"), None)
    try:
        chosen = plan.period(period_id)
        if chosen.kind == "plan":
            raise UserError(f"«{period_id}» là đợt các đơn vị gửi kế hoạch, không phải kỳ báo "
                            "cáo; sổ kế hoạch của đơn vị tạo bằng «cchc-xlsx unit-plan draft».")
        return chosen
    except KeyError:
        known = ", ".join(p.id for p in plan.schedule)
        raise UserError(f"Kế hoạch «{plan.source}» không có kỳ báo cáo «{period_id}»; các kỳ "
                        f"có: {known} (xem «cchc-xlsx plan show»).") from None


def _date_line(place: str, d) -> str:
    # NĐ 30: leading zero for days < 10 and for months 1 and 2
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def plan_jobs(plan: Plan, catalog: Catalog, forms: Sequence[str],
              period: Period | None, levels: tuple[str, ...] = ()) -> list[SheetJob]:
    """Lay out every requested form's table once; numbering follows NĐ 30 (Roman if ≥ 2).

    ``levels``: the school levels (cấp học) of the units these sheets are for; report rows
    that name other levels are left out (the identity lists the rows each unit got)."""
    specs = [catalog.form(f) for f in forms]
    for spec in specs:
        if spec.kind == "report" and period is None:
            raise UserError(f"Mẫu báo cáo «{spec.id}» cần một kỳ báo cáo, nhưng kế hoạch "
                            f"«{plan.source}» không có lịch báo cáo (mục schedule).")
        if not has_rows(spec, plan):
            raise UserError(f"Kế hoạch «{plan.source}» không có dữ liệu cho mẫu «{spec.id}» "
                            f"({spec.name}).")
    appendix_by_form = {a.form: a for a in plan.appendices}
    jobs = []
    for kind in ("plan", "report"):
        group = [s for s in specs if s.kind == kind]
        for n, spec in enumerate(group, start=1):
            label = f"Phụ lục {roman(n)}" if len(group) > 1 else "Phụ lục"
            year = plan.meta.year or (period.due.year if period else "")
            fields = {"year": year,
                      "period_name_upper": period.name.upper() if period else ""}
            appendix = appendix_by_form.get(spec.id) if kind == "plan" else None
            title = appendix.title if appendix and appendix.title else spec.title.format(**fields)
            rules = catalog.rules_for(spec.id)
            records = records_for(spec, plan)
            if kind == "report":
                records = for_levels(records, levels)
            sheet_period = period if kind == "report" else None
            table = build_table(spec, records, rules, sheet_period)
            attrs = tuple((r["key"], encode_attrs(row_attrs(r, sheet_period)))
                          for r in records if r["kind"] == "item")
            jobs.append(SheetJob(spec, label, title,
                                 appendix.attached_line if appendix else None, table,
                                 attrs if kind == "report" else ()))
    return jobs


def issuer_unit(plan: Plan) -> Unit:
    """The issuing office itself, for its own copy of the plan's appendices; a plan naming
    no signer (seed 003's ends before its signature) is signed by the head its kind of
    body has (Phòng → TRƯỞNG PHÒNG), the name left to write."""
    m = plan.meta
    title = "|".join(m.signer.title_lines) or head_title(m.issuing_body)
    return Unit(code=plan.id, name=m.issuing_body, superior=m.superior_body, place=m.place,
                signer_title=title, signer_name=m.signer.name)


def office_unit(office: OfficeProfile) -> Unit:
    """The office of a profile as the unit its own copy is written for."""
    return Unit(code=office.code, name=normal_case(office.name), superior=office.superior,
                place=office.place, signer_title=office.signer_title,
                signer_name=office.signer.name,
                recipient=office.recipients[0].rstrip(";.") if office.recipients else "")


def header_texts(job: SheetJob, plan: Plan, unit: Unit, period: Period | None,
                 is_issuer: bool,
                 doc_refs: tuple[tuple[str, str], ...] | None = None) -> HeaderTexts:
    """``doc_refs``: None prints the document fields as text; () makes this sheet hold them
    as input cells; otherwise the input cells this sheet shows by formula."""
    m = plan.meta
    report = job.spec.kind == "report"
    doc = "Báo cáo" if report else "Kế hoạch"
    code = "BC" if report else "KH"
    year = (period.due.year if report and period else m.year) or ""
    if is_issuer and not report:
        number_line = f"Số: {m.number_symbol}" if m.number else f"Số:      /{m.symbol}"
        date_line = (_date_line(m.place, m.date) if m.date else m.date_text
                     or f"{m.place}, {BLANK_DAY} {year}")
        attached = job.attached_line or (
            f"(Kèm theo {doc} số {m.number_symbol} {date_line.split(', ', 1)[-1]} "
            f"của {normal_case(m.issuing_body)})")
        recipients = m.recipients
    else:
        number_line = f"Số:      /{code}-{DOTS}"
        date_line = f"{unit.place or DOTS}, {BLANK_DAY} {year}"
        own = normal_case(unit.name)  # "Kèm theo" names bodies in normal case
        attached = f"(Kèm theo {doc} số      /{code}-{DOTS} {BLANK_DAY} {year} của {own})"
        if report and doc_refs is not None:
            attached = attached_value(number_line, date_line, f"(Kèm theo {doc} số ",
                                      f" của {own})")
        to = unit.recipient or unit.superior
        recipients = tuple(r for r in (f"- {to};" if to else "", "- Lưu: VT.") if r)
    period_line = ""
    if report and period:
        period_line = (f"Kỳ báo cáo: {period.name} (số liệu từ ngày "
                       f"{period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})")
    notes = tuple(n.format(unit_name=unit.name, superior=unit.recipient or unit.superior or DOTS)
                  for n in job.spec.notes_before_table)
    return HeaderTexts(
        superior=unit.superior, issuer=unit.name, number_line=number_line,
        date_line=date_line, appendix_label=job.label, title=job.title,
        attached_line=attached, period_line=period_line, notes=notes,
        signer_lines=signer_lines(unit.signer_title), signer_name=unit.signer_name,
        recipients=recipients,
        **(_doc_texts(doc, unit, doc_refs) if report and doc_refs is not None else {}),
    )


def _doc_texts(doc: str, unit: Unit, refs: tuple[tuple[str, str], ...]) -> dict:
    """A unit's report sheets: the first holds its Số, dated line and signer as inputs,
    the others show them by formula (typed once, printed on every appendix)."""
    return {"doc_fields": "ref" if refs else "input", "doc_refs": refs,
            "attached_head": f"(Kèm theo {doc} số ", "attached_tail": f" của {unit.name})"}


def slug(text: str) -> str:
    """ASCII file-name part from Vietnamese text: "Trường MN Tuổi Thơ" → "truong-mn-tuoi-tho"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "don-vi"


def workbook_name(unit: Unit, plan_id: str = "", period_id: str = "") -> str:
    """``<MÃ-ĐV>_<ten-don-vi>[_<ky>][_<ke-hoach>].xlsx``, ASCII only.

    The unit code comes first so a folder sorts by unit; the period and the plan make the
    templates of different periods and plans never share a name. The plan part is left
    out when it repeats the code (the issuer's own workbook is coded by the plan id).
    """
    code = re.sub(r"[^A-Za-z0-9_.-]+", "-", unit.code).strip("-") or "unit"
    parts = [code, slug(unit.name)]
    if period_id:
        parts.append(re.sub(r"[^A-Za-z0-9.-]+", "-", period_id).strip("-").lower())
    plan_part = slug(plan_id) if plan_id else ""
    if plan_part and plan_part != code.lower():
        parts.append(plan_part)
    return "_".join(p for p in parts if p) + ".xlsx"


def same_workbook(a: Path, b: Path) -> bool:
    """Whether two workbooks hold the same parts, ignoring when they were written
    (docProps/core.xml): a re-run of ``generate`` gives the same workbook."""
    try:
        if a.stat().st_size > 4 * b.stat().st_size + 65536:
            return False
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            names = sorted(n for n in za.namelist() if n != "docProps/core.xml")
            if names != sorted(n for n in zb.namelist() if n != "docProps/core.xml"):
                return False
            return all(za.read(n) == zb.read(n) for n in names)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError):
        return False


def _sheet_name(job: SheetJob, used: set[str]) -> str:
    name = job.spec.sheet
    n = 2
    while name in used:
        name = f"{job.spec.sheet[:28]} {n}"
        n += 1
    used.add(name)
    return name


def write_unit_workbook(path: Path, plan: Plan, unit: Unit, jobs: Sequence[SheetJob],
                        period: Period | None, password: str | None = None,
                        is_issuer: bool = False) -> Path:
    """Write one unit's workbook atomically (temp file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "in_memory": True,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
            # names and signers come from a unit list: "=…" must stay text
            "strings_to_formulas": False, "strings_to_urls": False,
        })
        wb.set_properties({"title": plan.meta.title or plan.id, "author": unit.name,
                           "comments": f"cchc-xlsx {__version__}"})
        fm = Formats(wb)
        used: set[str] = set()
        sheets = []
        doc_refs: tuple[tuple[str, str], ...] | None = None if is_issuer else ()
        for job in jobs:
            refs = doc_refs if job.spec.kind == "report" else None
            head = header_texts(job, plan, unit, period, is_issuer, refs)
            sheet = write_sheet(wb, fm, _sheet_name(job, used), job.table, head, password,
                                OfficialWorksheet)
            sheets.append(replace(sheet, row_attrs=job.row_attrs))
            if refs == () and sheet.doc_cells:
                quoted = sheet.sheet.replace("'", "''")
                doc_refs = tuple((f, f"'{quoted}'!{xl_rowcol_to_cell(r, c, True, True)}")
                                 for f, r, c in sheet.doc_cells)
        for i, s in enumerate(sheets, start=1):
            wb.define_name(f"cchc_form_{i}", f"='{s.sheet}'!$A$1")
        has_report = any(j.spec.kind == "report" for j in jobs)
        write_identity(wb, Identity(
            generator_version=__version__, plan_id=plan.id, unit_code=unit.code,
            unit_name=unit.name, kind="issuer" if is_issuer else "unit",
            period_id=period.id if period and has_report else "",
            period_start=period.start.isoformat() if period and has_report else "",
            period_end=period.end.isoformat() if period and has_report else "",
            period_due=period.due.isoformat() if period and has_report else "",
            plan_periods=",".join(p.id for p in plan.schedule) if has_report else "",
            sheets=tuple(sheets), unit_levels=",".join(unit_levels(unit.level))))
        wb.close()
    return path


def check_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Không tạo được thư mục kết quả «{out_dir}»: {os_reason(exc)}.") from None
    if not out_dir.is_dir():
        raise UserError(f"«{out_dir}» không phải là thư mục.")
    try:
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".~probe"):
            pass
    except OSError:
        raise UserError(f"Không ghi được vào thư mục kết quả «{out_dir}»; hãy chọn thư mục "
                        "khác hoặc kiểm tra quyền ghi.") from None


# --- batch ------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(plan: Plan, jobs: dict[tuple[str, ...], list[SheetJob]],
                 period: Period | None, password: str | None, out_dir: Path) -> None:
    _WORKER.update(plan=plan, jobs=jobs, period=period, password=password, out_dir=out_dir)


def _work(unit: Unit) -> str:
    w = _WORKER
    path = w["out_dir"] / _name(unit, w["plan"], w["jobs"][()], w["period"])
    write_unit_workbook(path, w["plan"], unit, w["jobs"][unit_levels(unit.level)],
                        w["period"], w["password"])
    return str(path)


def _name(unit: Unit, plan: Plan, jobs: Sequence[SheetJob], period: Period | None) -> str:
    has_report = any(j.spec.kind == "report" for j in jobs)
    return workbook_name(unit, plan.id, period.id if period and has_report else "")


def generate(plan: Plan, units: Sequence[Unit] | None, out_dir: str | Path,
             forms: Iterable[str] | None = None, period_id: str | None = None,
             password: str | None = None, catalog: Catalog | None = None,
             progress: Callable[[int], None] | None = None,
             workers: int | None = None, overwrite: bool = False,
             office: OfficeProfile | None = None) -> list[Path]:
    """Write one workbook per unit (or, with no units, the issuer's own) into ``out_dir``.

    ``office`` (an office profile) makes the copy without units the office's own, under
    its header and signer, and is the recipient of units whose list names none.

    Returns the written paths, in unit order. ``progress`` is called with the number of
    workbooks just finished. A file already in ``out_dir`` under one of the names is only
    replaced when it is the same workbook (a re-run) or ``overwrite`` is set: it may be a
    return someone has filled in. Then nothing is written at all.
    """
    catalog = catalog or load_catalog()
    out_dir = Path(out_dir)
    forms = list(forms) if forms else default_forms(plan, catalog, for_units=bool(units))
    for f in forms:
        if catalog.form(f).kind == "plan" and units:
            raise UserError(f"Mẫu «{f}» là phụ lục kế hoạch của cơ quan ban hành, không in dưới "
                            "tên đơn vị; kế hoạch riêng của mỗi đơn vị tạo bằng «cchc-xlsx "
                            "unit-plan draft».")
    period = choose_period(plan, period_id)
    jobs = {(): plan_jobs(plan, catalog, forms, period)}
    for levels in {unit_levels(u.level) for u in units or ()} - {()}:
        jobs[levels] = plan_jobs(plan, catalog, forms, period, levels)
    check_out_dir(out_dir)
    if office is not None and units:  # units that name no recipient report to the office
        to = normal_case(office.name)
        units = [u if u.recipient else replace(u, recipient=to) for u in units]
    # without units, the office's own copy: the plan's issuer, or the office of the profile
    own = issuer_unit(plan) if office is None else office_unit(office)
    names = [_name(u, plan, jobs[()], period) for u in units] if units else [
        _name(own, plan, jobs[()], period)]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise UserError(f"Hai đơn vị cho cùng tên tệp «{sorted(dup)[0]}»; hãy sửa mã đơn vị.")
    if not any((out_dir / n).exists() for n in names):
        return _write_all(plan, units, jobs, period, password, out_dir, progress, workers,
                          office)
    # some names are taken: write aside, compare, and only then put everything in place
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".~cchc-"))
    try:
        written = _write_all(plan, units, jobs, period, password, staging, progress, workers,
                             office)
        if not overwrite:
            differ = [new.name for new in written if (out_dir / new.name).exists()
                      and not same_workbook(out_dir / new.name, new)]
            if differ:
                more = f" (và {len(differ) - 1} tệp khác)" if len(differ) > 1 else ""
                raise UserError(
                    f"Thư mục «{out_dir}» đã có tệp «{differ[0]}»{more} khác với sổ sắp tạo "
                    "(có thể đã được điền); để không mất dữ liệu, lệnh không ghi đè: hãy "
                    "chọn thư mục khác, hoặc thêm --overwrite nếu chắc chắn muốn thay các "
                    "tệp cũ.")
        paths = []
        for new in written:
            os.replace(new, out_dir / new.name)
            paths.append(out_dir / new.name)
        return paths
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_all(plan: Plan, units: Sequence[Unit] | None,
               jobs: dict[tuple[str, ...], list[SheetJob]],
               period: Period | None, password: str | None, out_dir: Path,
               progress: Callable[[int], None] | None,
               workers: int | None, office: OfficeProfile | None = None) -> list[Path]:
    if not units:
        unit = issuer_unit(plan) if office is None else office_unit(office)
        path = write_unit_workbook(out_dir / _name(unit, plan, jobs[()], period), plan, unit,
                                   jobs[()], period, password, is_issuer=office is None)
        if progress:
            progress(1)
        return [path]
    workers = workers or min(os.cpu_count() or 1, 8)
    paths: list[Path] = []
    if workers <= 1 or len(units) < 16:
        _init_worker(plan, jobs, period, password, out_dir)
        for unit in units:
            paths.append(Path(_work(unit)))
            if progress:
                progress(1)
        return paths
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(plan, jobs, period, password, out_dir)) as pool:
        for p in pool.map(_work, units, chunksize=8):
            paths.append(Path(p))
            if progress:
                progress(1)
    return paths
