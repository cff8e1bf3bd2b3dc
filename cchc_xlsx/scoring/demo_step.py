"""The scoring round of ``make demo``: on the sample criteria set and the sample units,
generate the self-assessments, check the sample returns, rank them and write the office's
appraisal workbook. Kept here so ``demo.py`` only calls it."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from cchc_xlsx.checking.report import to_text
from cchc_xlsx.plans.units import load_units
from cchc_xlsx.resources import data_dir
from cchc_xlsx.scoring.check import check_files
from cchc_xlsx.scoring.criteria import load_criteria
from cchc_xlsx.scoring.scoring_print import vi_points
from cchc_xlsx.scoring.scoring_round import score_round
from cchc_xlsx.scoring.self_assessment import generate_self_assessments


def scoring_round(samples: Path, out: Path, step: int) -> None:
    crit = load_criteria(data_dir("criteria") / "par-mau-2025.yaml")
    units = load_units(samples / "units" / "quan8-truong.csv")
    returns = _inbox(samples / "scoring-returns", out / "cham-diem" / "hop-thu", crit.year)
    print(f"== {step}. Chấm điểm CCHC theo bộ tiêu chí mẫu {crit.label}")
    written = generate_self_assessments(crit, units, out / "cham-diem" / "tu-danh-gia")
    print(f"   {len(written)} bảng tự đánh giá, ví dụ {written[0]}")
    report, _ = check_files([returns], crit, units)
    print(to_text(report))
    result = score_round([returns], crit, units, out / "cham-diem" / "xep-hang-cchc-2025.xlsx",
                         appraisal_out=out / "cham-diem" / "tham-dinh-cchc-2025.xlsx")
    for u in result.ranking.units:
        tie = " (đồng hạng)" if u.tied else ""
        print(f"   {u.rank:>2}{tie:<13} {u.name:<40} tự đánh giá {vi_points(u.self_total):>6}  "
              f"thẩm định {vi_points(u.total):>6}  {u.klass}")
    if result.missing:
        print("   Chưa nộp: " + ", ".join(u.name for u in result.missing) + ".")
    print(f"   sổ xếp hạng (biểu đồ, xếp hạng, theo lĩnh vực, thống kê): {result.out}")
    print(f"   bảng thẩm định để cơ quan điền: {result.appraisal_out}")


def _inbox(samples: Path, inbox: Path, year: int) -> Path:
    """The sample returns as the office's inbox keeps them: received in the December of the
    scored year, a day apart (fresh from git they carry the checkout's time, and the ranking's
    "Ngày nhận" would say today for a past year's round)."""
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    for i, src in enumerate(sorted(samples.glob("*.xlsx"))):
        dst = inbox / src.name
        shutil.copyfile(src, dst)
        when = (datetime(year, 12, 1, 9) + timedelta(days=i, minutes=17 * i)).timestamp()
        os.utime(dst, (when, when))
    return inbox
