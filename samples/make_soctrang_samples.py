"""Rebuild the Sóc Trăng samples of the yearly cycle on plan 004 (Sở GDĐT Sóc Trăng):

- samples/plan-returns/: the units' own plans, drafted by `unit-plan draft` and filled as a
  person would (tests/plan_fill.py): Trường THPT Chuyên Nguyễn Thị Minh Khai's is complete;
  Trường THPT Hoàng Diệu marks one task «Không áp dụng» with its reason but has deleted the
  row of another task (and was re-saved by LibreOffice Calc when soffice is installed);
  Trường THPT Lê Lợi's is complete but dated after the due date (and, in the demo, late).
- samples/returns-soctrang/: the units' half-year (6t-2023) reports on the Sở's plan, filled
  as a person would (tests/fill.py); Trường THPT Lê Lợi's has a status not in the list.

Run from the repository root:  .venv/bin/python samples/make_soctrang_samples.py
The output is committed, so tests and `make demo` do not depend on LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xlsx.forms.generate import generate, workbook_name  # noqa: E402
from cchc_xlsx.forms.unit_plan import unit_plan_name, write_unit_plans  # noqa: E402
from cchc_xlsx.plans.plan_loader import load_plan  # noqa: E402
from cchc_xlsx.plans.units import load_units  # noqa: E402
from tests.fill import Filler, fill_clean  # noqa: E402
from tests.plan_fill import PlanFiller, fill_plan_clean  # noqa: E402

PLAN = ROOT / "samples" / "plans" / "004-sgddt-soctrang-2023.yaml"
UNITS = ROOT / "samples" / "units" / "soctrang-don-vi.csv"
PLANS_OUT = ROOT / "samples" / "plan-returns"
REPORTS_OUT = ROOT / "samples" / "returns-soctrang"
TASKS = "unit_plan_tasks"
# (number, dated line) of each unit's plan
ISSUED = {"THPT-NTMK": ("05/KH-THPTNTMK", "Sóc Trăng, ngày 16 tháng 01 năm 2023"),
          "THPT-HD": ("12/KH-THPTHD", "Sóc Trăng, ngày 20 tháng 01 năm 2023"),
          "THPT-LL": ("08/KH-THPTLL", "Sóc Trăng, ngày 06 tháng 02 năm 2023")}


def _soffice(src: Path, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "xlsx", "--outdir", str(out_dir), str(src)],
                       check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.xlsx"


def plan_returns(plan, units, tmp: Path) -> None:
    if PLANS_OUT.exists():
        shutil.rmtree(PLANS_OUT)
    PLANS_OUT.mkdir(parents=True)
    drafts = write_unit_plans(plan, units, tmp / "drafts")
    for unit, draft in zip(units, drafts, strict=True):
        f = PlanFiller(draft)
        number, dated = ISSUED[unit.code]
        if unit.code == "THPT-HD":
            f.delete_row(TASKS, "task:5")  # a task left out, without a word
        fill_plan_clean(f, number, dated, unit.signer_name)
        if unit.code == "THPT-HD":
            f.set(TASKS, "task:12", "apply", "Không áp dụng")
            f.set(TASKS, "task:12", "reason", "Trường không giải quyết thủ tục hành chính")
            f.set(TASKS, "task:12", "product", None)
            f.set(TASKS, "add:1:1", "content", "Tập huấn CCHC cho giáo viên, nhân viên")
            f.set(TASKS, "add:1:1", "product", "Kế hoạch tập huấn")
            f.set(TASKS, "add:1:1", "lead", "Phó Hiệu trưởng")
            f.set(TASKS, "add:1:1", "deadline", "Quý II/2023")
        target = PLANS_OUT / unit_plan_name(unit, plan)
        filled = f.save(tmp / target.name)
        if unit.code == "THPT-HD" and shutil.which("soffice"):
            filled = _soffice(filled, tmp / "lo")
        shutil.copy(filled, target)


def report_returns(plan, units, tmp: Path) -> None:
    if REPORTS_OUT.exists():
        shutil.rmtree(REPORTS_OUT)
    REPORTS_OUT.mkdir(parents=True)
    templates = generate(plan, units, tmp / "reports", period_id="6t-2023", workers=1)
    for seed, (unit, template) in enumerate(zip(units, templates, strict=True)):
        f = fill_clean(Filler(template), seed)
        f.fill_doc(f"{20 + seed}/BC-CCHC", 12, 6, unit.signer_name)
        if unit.code == "THPT-LL":
            f.set("report_tasks", "task:2", "status", "xong")  # not in the list
        shutil.copy(f.save(tmp / template.name), REPORTS_OUT / workbook_name(unit))


def main() -> None:
    plan = load_plan(PLAN)
    units = load_units(UNITS)
    with tempfile.TemporaryDirectory() as tmp:
        plan_returns(plan, units, Path(tmp))
        report_returns(plan, units, Path(tmp))
    for folder in (PLANS_OUT, REPORTS_OUT):
        for p in sorted(folder.iterdir()):
            print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()
