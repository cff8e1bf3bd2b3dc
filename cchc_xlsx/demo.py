"""``make demo``: the main jobs on the embedded samples, printing where each output is:
generate every sample plan's workbooks, then validate the sample returns.

Runs from a source checkout (the samples are not part of the installed package).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .annotate import write_annotated
from .errors import UserError
from .generate import generate
from .plan_loader import load_plan
from .report import to_text
from .summary import plan_summary
from .units import load_units
from .validate import validate


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
    for result in report.files:
        written = write_annotated(result, notes)
        if written and not result.valid:
            print(f"   bản đánh dấu ô sai: {written}")
    print()
    print(f"Xong. Mở các tệp trong «{out}» bằng Excel, LibreOffice hoặc WPS.")


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
