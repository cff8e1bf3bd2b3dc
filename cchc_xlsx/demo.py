"""``make demo``: the main jobs on the embedded samples, printing where each output is.

It tells one office's yearly cycle, Sở GDĐT Sóc Trăng (sample plan 004) with its units: the
Sở's plan out, the units' own plans drafted from it and sent back (one late, one missing a
task), checked and consolidated, one unit's plan as a Word document; then the half-year
reports on the Sở's own plan, checked, consolidated under the Sở's signature and drafted as
a Word report. Schools' own plans (samples 000, 001) appear as the schools' documents.

Runs from a source checkout (the samples are not part of the installed package).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from cchc_xlsx.checking.annotate import write_all
from cchc_xlsx.checking.report import to_text
from cchc_xlsx.checking.validate import validate
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.merge import merge, office_from_units
from cchc_xlsx.plans.names import normal_case
from cchc_xlsx.plans.office_profile import load_office_profile
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.summary import plan_summary
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.reporting.word_report import write_report
from cchc_xlsx.scoring.demo_step import scoring_round

PLAN = "004-sgddt-soctrang-2023.yaml"  # the collecting office's own plan
UNITS = "soctrang-don-vi.csv"  # its units
OFFICE = "sgddt-soctrang.yaml"  # its office profile (header, signer, Nơi nhận)
# when each unit's plan reached the Sở (the due date is 31/01/2023): Lê Lợi's is late
PLAN_RECEIVED = {"THPT-NTMK": date(2023, 1, 25), "THPT-HD": date(2023, 1, 28),
                 "THPT-LL": date(2023, 2, 6)}


def run(samples: Path, out: Path) -> None:
    """The yearly cycle of one office, Sở GDĐT Sóc Trăng (sample plan 004), and its units:
    its plan out, the units' own plans back, checked and consolidated, one unit's Word plan;
    then the half-year reports on the Sở's plan, checked, consolidated under the Sở's
    signature and drafted as a Word report."""
    plans = sorted((samples / "plans").glob("*.yaml"))
    print(f"== 1. Các kế hoạch mẫu ({len(plans)}), mỗi kế hoạch một sổ của chính cơ quan, "
          "đơn vị ban hành")
    for path in plans:
        plan = load_plan(path)
        written = generate(plan, None, out / "ke-hoach")
        print(f"   {path.name:<32} {normal_case(plan.meta.issuing_body):<27} -> {written[0]}")
    plan = load_plan(samples / "plans" / PLAN)
    units = load_units(samples / "units" / UNITS)
    profile = load_office_profile(samples / "office" / OFFICE)
    print()
    print(plan_summary(plan))
    print()
    _unit_plans(samples, out, plan, units, profile)
    period = next(p for p in plan.schedule if p.kind != "plan")
    print()
    print(f"== 6. Sổ báo cáo {period.name} cho {len(units)} đơn vị (theo kế hoạch của Sở; "
          "chỉ có các phụ lục báo cáo)")
    written = generate(plan, units, out / "don-vi", period_id=period.id)
    for p in written:
        print(f"   {p}")
    returns = samples / "returns-soctrang"
    print()
    print(f"== 7. Kiểm tra các báo cáo các đơn vị đã gửi về ({returns})")
    report = validate([returns], units=units)
    print(to_text(report))
    notes = out / "kiem-tra"
    written, _ = write_all(report.files, notes)
    print(f"   {len(written)} bản sao .xlsx có đánh dấu ô sai trong «{notes}»:")
    for path in written:
        print(f"   {path}")
    print()
    inbox = _inbox(returns, out / "hop-thu", period.due)
    print(f"== 8. Tổng hợp các báo cáo nhận được trong «{inbox}» (giả lập giờ nhận thư)")
    office = office_from_units(units, plan, profile=profile)
    result = merge([inbox], plan, units, period.id, out / f"tong-hop-{period.id}.xlsx", office)
    sent = [s for s in result.submissions if s.status != "missing"]
    print(f"   Đã nộp {len(sent)}/{len(units)}; chưa nộp: "
          + (", ".join(s.unit_name for s in result.missing) or "không có") + ".")
    for message in result.messages:
        print(f"   - {message}")
    print(f"   sổ tổng hợp (tiêu đề, người ký, nơi nhận theo hồ sơ của Sở): {result.out}")
    # the same from the command line: on this inbox, whose files carry the e-mails' times
    # (the samples fresh from git carry the checkout's time, so all would be late)
    print(f"   lệnh tương ứng: ./cchc-xlsx merge {inbox} --plan {samples / 'plans' / PLAN} "
          f"--units {samples / 'units' / UNITS} --period {period.id} --out tong-hop.xlsx "
          f"--office-profile {samples / 'office' / OFFICE}")
    print()
    print("== 9. Soạn sẵn báo cáo Word từ sổ tổng hợp (mẫu theo Nghị định 30/2020)")
    print(f"   báo cáo: {write_report(result.out, out / f'bao-cao-{period.id}.docx')}")
    print()
    _import_step(samples, out)
    print()
    scoring_round(samples, out, 11)
    print()
    print(f"Xong. Mở các tệp trong «{out}» bằng Excel, LibreOffice hoặc WPS.")


def _unit_plans(samples: Path, out: Path, plan, units, profile) -> None:
    """Steps 2–5: the units' own plans, drafted from the Sở's, sent back, checked,
    consolidated; one unit's plan as a Word document."""
    from cchc_xlsx.checking.unit_plan_check import check_plan_returns, read_plan_return
    from cchc_xlsx.forms.unit_plan import plan_round, write_unit_plans
    from cchc_xlsx.merging.plan_merge import merge_plans
    from cchc_xlsx.reporting.unit_plan_docx import write_unit_plan_docx

    rnd = plan_round(plan)
    due = f", gửi về Sở trước ngày {rnd.due:%d/%m/%Y}" if rnd else ""
    print(f"== 2. Sở ban hành kế hoạch; {len(units)} đơn vị xây dựng kế hoạch của mình từ kế "
          f"hoạch của Sở{due} (cchc-xlsx unit-plan draft)")
    for path in write_unit_plans(plan, units, out / "ke-hoach-don-vi"):
        print(f"   {path}")
    print()
    inbox = out / "hop-thu-ke-hoach"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    for src in sorted((samples / "plan-returns").glob("*.xlsx")):
        dst = inbox / src.name
        shutil.copy(src, dst)
        code = src.name.split("_", 1)[0]
        when = datetime.combine(PLAN_RECEIVED.get(code, rnd.due if rnd else date.today()),
                                datetime.min.time()) + timedelta(hours=9)
        os.utime(dst, (when.timestamp(), when.timestamp()))
    print(f"== 3. Kiểm tra kế hoạch các đơn vị gửi về «{inbox}» (cchc-xlsx unit-plan validate)")
    _, report = check_plan_returns(sorted(inbox.glob("*.xlsx")), plan)
    print(to_text(report))
    print()
    print("== 4. Tổng hợp tình hình ban hành kế hoạch của các đơn vị (cchc-xlsx unit-plan merge)")
    result = merge_plans([inbox], plan, units, out / "tong-hop-ke-hoach-don-vi.xlsx", profile)
    for s in result.statuses:
        ret = s.ret
        state = ("chưa gửi" if ret is None else
                 f"Số {ret.number or '(chưa ghi)'}, nhận {s.received:%d/%m/%Y}, "
                 + ("đúng hạn" if s.on_time else "trễ hạn") + ", "
                 + ("hợp lệ" if s.valid else "còn lỗi"))
        print(f"   {s.unit.name}: {state}")
    print(f"   sổ tổng hợp (2 phụ lục, người ký theo hồ sơ của Sở): {result.out}")
    print(f"   lệnh tương ứng: ./cchc-xlsx unit-plan merge --plan {samples / 'plans' / PLAN} "
          f"--units {samples / 'units' / UNITS} --office-profile "
          f"{samples / 'office' / OFFICE} --out tong-hop-ke-hoach.xlsx {inbox}")
    print()
    word_of = next((p for p in sorted(inbox.glob("*.xlsx")) if p.name.startswith("THPT-HD_")),
                   None)
    if word_of is not None:
        ret = read_plan_return(word_of)
        unit = next(u for u in units if u.code == ret.unit_code)
        path, left = write_unit_plan_docx(plan, unit, out / f"ke-hoach-{unit.code}.docx", ret)
        print(f"== 5. Kế hoạch của {unit.name} thành văn bản Word (cchc-xlsx unit-plan word)")
        print(f"   {path} (còn {left} chỗ tô vàng đơn vị tự viết: mục tiêu, kinh phí …)")


def _import_step(samples: Path, out: Path) -> None:
    """A Word version of sample plan 004, made here, imported and generated from."""
    from cchc_xlsx.plan_import.opener import import_to_yaml
    from cchc_xlsx.plans.plan_docx import write_plan_docx

    folder = out / "nhap-ke-hoach"
    folder.mkdir(parents=True, exist_ok=True)
    word = write_plan_docx(load_plan(samples / "plans" / "004-sgddt-soctrang-2023.yaml"),
                           folder / "ke-hoach-soc-trang.docx")
    print(f"== 10. Nhập kế hoạch từ văn bản Word «{word}» (cchc-xlsx plan import)")
    plan, review = import_to_yaml(word, folder / "ke-hoach-soc-trang.yaml")
    print("   " + review.text(plan).replace("\n", "\n   "))
    print(f"   kế hoạch YAML: {folder / 'ke-hoach-soc-trang.yaml'}")
    written = generate(plan, None, folder)
    print(f"   sổ tạo từ kế hoạch vừa nhập: {written[0]}")


def _inbox(returns: Path, inbox: Path, due: date) -> Path:
    """Copy the sample returns as if they had arrived by e-mail: all but one before the
    due date, one a day late (the received time of a plain folder is the file's time)."""
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    files = sorted(p for p in returns.iterdir() if p.is_file())
    for i, src in enumerate(files):
        dst = inbox / src.name
        shutil.copy(src, dst)
        when = datetime.combine(due, datetime.min.time()) + timedelta(hours=9)
        when += timedelta(days=1) if i == len(files) - 1 else timedelta(days=-(i % 4) - 1)
        os.utime(dst, (when.timestamp(), when.timestamp()))
    return inbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cchc_xlsx.demo")
    parser.add_argument("--samples", default="samples", type=Path)
    parser.add_argument("--out", default="demo-output", type=Path)
    args = parser.parse_args(argv)
    try:
        run(args.samples, args.out)
    except UserError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
