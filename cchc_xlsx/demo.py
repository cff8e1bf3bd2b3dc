"""``make demo``: the main jobs on the embedded samples, printing where each output is:
generate every sample plan's workbooks, validate the sample returns, merge them under the
sample office profile, and draft the Word report from the consolidation.

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
from cchc_xlsx.plans.office_profile import load_office_profile
from cchc_xlsx.plans.plan_loader import load_plan
from cchc_xlsx.plans.summary import plan_summary
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.reporting.word_report import write_report
from cchc_xlsx.scoring.demo_step import scoring_round


def run(samples: Path, out: Path) -> None:
    plans = sorted((samples / "plans").glob("*.yaml"))
    units = load_units(samples / "units" / "quan8-truong.csv")
    print(f"== 1. Các kế hoạch mẫu ({len(plans)}), mỗi kế hoạch một sổ của đơn vị ban hành")
    for path in plans:
        plan = load_plan(path)
        written = generate(plan, None, out / "ke-hoach")
        print(f"   {path.name:<34} -> {written[0]}")
    plan = load_plan(samples / "plans" / "001-mntt-q8-2023.yaml")
    print()
    print(plan_summary(plan))
    print()
    print(f"== 2. Sổ cá nhân hóa cho {len(units)} trường (kế hoạch {plan.id}, "
          f"kỳ {plan.schedule[0].id})")
    written = generate(plan, units, out / "don-vi")
    for p in written:
        print(f"   {p}")
    returns = samples / "returns"
    print()
    print(f"== 3. Kiểm tra các báo cáo mẫu các trường đã gửi về ({returns})")
    report = validate([returns], units=units)
    print(to_text(report))
    notes = out / "kiem-tra"
    written, _ = write_all(report.files, notes)
    print(f"   {len(written)} bản sao .xlsx có đánh dấu ô sai trong «{notes}»:")
    for path in written:
        print(f"   {path}")
    print()
    inbox = _inbox(returns, out / "hop-thu", plan.schedule[0].due)
    print(f"== 4. Tổng hợp các báo cáo nhận được trong «{inbox}» (giả lập giờ nhận thư)")
    profile = load_office_profile(samples / "office" / "phong-gddt-quan8.yaml")
    office = office_from_units(units, plan, profile=profile)
    result = merge([inbox], plan, units, plan.schedule[0].id, out / "tong-hop-q1-2023.xlsx",
                   office)
    sent = [s for s in result.submissions if s.status != "missing"]
    print(f"   Đã nộp {len(sent)}/{len(units)}; chưa nộp: "
          + (", ".join(s.unit_name for s in result.missing) or "không có") + ".")
    for message in result.messages:
        print(f"   - {message}")
    print(f"   sổ tổng hợp (tiêu đề, người ký, nơi nhận theo hồ sơ cơ quan): {result.out}")
    print()
    print("== 5. Soạn sẵn báo cáo Word từ sổ tổng hợp (mẫu theo Nghị định 30/2020)")
    print(f"   báo cáo: {write_report(result.out, out / 'bao-cao-q1-2023.docx')}")
    print()
    _import_step(samples, out)
    print()
    scoring_round(samples, out, 7)
    print()
    print(f"Xong. Mở các tệp trong «{out}» bằng Excel, LibreOffice hoặc WPS.")


def _import_step(samples: Path, out: Path) -> None:
    """A Word version of sample plan 004, made here, imported and generated from."""
    from cchc_xlsx.plan_import.opener import import_to_yaml
    from cchc_xlsx.plans.plan_docx import write_plan_docx

    folder = out / "nhap-ke-hoach"
    folder.mkdir(parents=True, exist_ok=True)
    word = write_plan_docx(load_plan(samples / "plans" / "004-sgddt-soctrang-2023.yaml"),
                           folder / "ke-hoach-soc-trang.docx")
    print(f"== 6. Nhập kế hoạch từ văn bản Word «{word}» (cchc-xlsx plan import)")
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
