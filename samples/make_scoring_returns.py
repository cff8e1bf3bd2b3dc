"""Rebuild samples/scoring-returns/: the sample units' filled CCHC self-assessments on the
sample criteria set (criteria/par-mau-2025.yaml).

Each is the generated workbook filled as a unit's staff would (tests/scoring_fill.py). Most
are clean; two kindergartens score identically (a shared rank, "đồng hạng"); one school
marks an item "Không áp dụng"; one forgets its evidence and gives a score its ratio does
not earn; the office already appraised one item in one school's own workbook; one file was
re-saved by LibreOffice; one unit sends nothing. Run from the repository root:

    .venv/bin/python samples/make_scoring_returns.py

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

from cchc_xlsx.plans.units import load_units  # noqa: E402
from cchc_xlsx.scoring.criteria import load_criteria  # noqa: E402
from cchc_xlsx.scoring.self_assessment import generate_self_assessments  # noqa: E402
from tests.scoring_fill import ScoreFiller, fill_correct  # noqa: E402

OUT = ROOT / "samples" / "scoring-returns"
NOT_SENT = "THCS-TD"
SAME_SEED = {"MN-HM": 100, "MN-SM": 100}  # typed identically: a shared rank


def main() -> None:
    crit = load_criteria(ROOT / "criteria" / "par-mau-2025.yaml")
    units = load_units(ROOT / "samples" / "units" / "quan8-truong.csv")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        templates = generate_self_assessments(crit, units, Path(tmp) / "blank")
        for seed, (unit, template) in enumerate(zip(units, templates, strict=True)):
            if unit.code == NOT_SENT:
                continue
            target = Path(shutil.copy(template, OUT / template.name))
            fill_correct(target, crit, seed=SAME_SEED.get(unit.code, seed + 1),
                         na=("3.2.1", "3.2.2") if unit.code == "TH-BD" else ())
            f = ScoreFiller(target)
            if unit.code == "THCS-CB":  # no evidence, and 3 points for a 97 % ratio
                f.set("5.3", "score", 4)
                f.set("5.3", "evidence", None)
                f.set("4.2.1", "result", 97)
                f.set("4.2.1", "score", 3)
            if unit.code == "TH-HV":  # the office appraised in the unit's own workbook
                f.set("1.3", "appraised", 1)
                f.set("1.3", "comment", "Chưa có biên bản tự kiểm tra quý IV.")
            f.save()
            if unit.code == "MN-VX":  # re-saved by LibreOffice, the real client of many
                with tempfile.TemporaryDirectory() as profile, \
                        tempfile.TemporaryDirectory() as lo_out:
                    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}",
                                    "--headless", "--convert-to", "xlsx", "--outdir", lo_out,
                                    str(target)], check=True, capture_output=True, timeout=180)
                    shutil.copy(Path(lo_out) / target.name, target)
            print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
