"""Rebuild samples/returns/: the sample units' filled returns for plan 001, period q1-2023.

Each is the generated template filled as a person would (tests/fill.py). Most are clean;
some carry the typical mistakes; one was re-saved by LibreOffice, one saved as .ods; one
unit sends a CSV renamed .xlsx, and one unit sends nothing. Run from the repository root:

    .venv/bin/python samples/make_returns.py

The output is committed, so tests and `make demo` do not depend on LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xlsx.forms.generate import generate, workbook_name  # noqa: E402
from cchc_xlsx.plans.plan_loader import load_plan  # noqa: E402
from cchc_xlsx.plans.units import load_units  # noqa: E402
from tests.fill import Filler, fill_clean  # noqa: E402

OUT = ROOT / "samples" / "returns"
PERIOD = "q1-2023"
NOT_SENT = "THCS-TD"  # sends nothing: merge lists it as missing


def _soffice(src: Path, to: str, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", to, "--outdir", str(out_dir), str(src)], check=True,
                       capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{to}"


def mistakes_hoa_mi(f: Filler) -> None:
    f.set("report_tasks", "task:1.1", "status", "xong")  # not in the list
    f.set("report_tasks", "task:1.9", "status", "Đã hoàn thành")
    f.set("report_tasks", "task:1.9", "completion_date", date(2023, 4, 20))  # after the period
    f.set("report_tasks", "task:1.9", "evidence", "22/BC-MNHM")


def mistakes_rach_ong(f: Filler) -> None:
    f.set("report_indicators", "ind:2.1", "denominator", 40)
    f.set("report_indicators", "ind:2.1", "numerator", 43)  # more on time than resolved
    key = "tthc:Lĩnh vực Văn bằng, chứng chỉ"
    for col, v in (("c4", "12"), ("c5", 3), ("c6", 1), ("c8", 4), ("c9", 10), ("c10", 0),
                   ("c12", 2), ("c13", 0)):
        f.set("report_tthc", key, col, v)
    f.set("report_tthc", key, "c3", 15)  # typed over the formula: 12 + 3 + 1 = 16


def mistakes_chanh_hung(f: Filler) -> None:
    f.set("report_tasks", "task:2.1", "status", "Đang thực hiện")
    f.set("report_tasks", "task:2.1", "difficulties",
          "Ch\u00ada cã h\u00adíng dÉn cña Phßng")  # typed with a TCVN3 font
    f.set("report_tasks", "task:3.4", "status", "Đã hoàn thành")
    f.set("report_tasks", "task:3.4", "completion_date", "06/02/2023")  # day/month ambiguous
    f.set("report_tasks", "task:3.4", "evidence", None)  # done, but no evidence
    f.set("report_tthc", "tthc:Lĩnh vực Thi, tuyển sinh", "c5", -2)


MISTAKES = {"MN-HM": mistakes_hoa_mi, "TH-RB": mistakes_rach_ong,
            "THCS-CB": mistakes_chanh_hung}


def main() -> None:
    plan = load_plan(ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml")
    units = load_units(ROOT / "samples" / "units" / "quan8-truong.csv")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        templates = generate(plan, units, tmp_dir / "templates", period_id=PERIOD,
                             forms=["report_tasks", "report_indicators", "report_tthc"],
                             workers=1)
        for seed, (unit, template) in enumerate(zip(units, templates, strict=True)):
            if unit.code == NOT_SENT:
                continue
            # named as a school names its reply (unit code and name, no period or plan):
            # the reader goes by the identity inside, never by the name
            target = OUT / workbook_name(unit)
            if unit.code == "TH-BD":  # sends a CSV export renamed to .xlsx
                target.write_text("STT,Nhiệm vụ,Tình trạng\n1.1,Kế hoạch,Đã hoàn thành\n",
                                  encoding="utf-8")
                continue
            f = fill_clean(Filler(template), seed)
            MISTAKES.get(unit.code, lambda _f: None)(f)
            filled = f.save(tmp_dir / target.name)
            if unit.code == "TH-PD":  # re-saved by LibreOffice Calc
                shutil.copy(_soffice(filled, "xlsx", tmp_dir / "lo"), target)
            elif unit.code == "MN-VX":  # saved as .ods by LibreOffice
                shutil.copy(_soffice(filled, "ods", tmp_dir / "lo"), target.with_suffix(".ods"))
            else:
                shutil.copy(filled, target)
    for p in sorted(OUT.iterdir()):
        print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()
