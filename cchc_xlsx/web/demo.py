"""``make serve-demo``: a round open on the sample plan and units, an office login and three
school links printed, then the portal served on this machine.

The demo is Sở GDĐT Sóc Trăng (sample plan 004, its units list and office profile) collecting
its schools' six-month reports: the office's own plan, reported on by the units it directs —
not a school's plan used as if it were the office's.

Each run starts from a fresh data folder, so the demo always shows the same first state:
nobody has sent yet. The due date is two weeks from today, so sending now is "đúng hạn".
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "samples" / "plans" / "004-sgddt-soctrang-2023.yaml"
UNITS = ROOT / "samples" / "units" / "soctrang-don-vi.csv"
OFFICE = ROOT / "samples" / "office" / "sgddt-soctrang.yaml"
PERIOD = "6t-2023"
RETURNS = ROOT / "samples" / "returns-soctrang"


def prepare(data: Path, password: str, today: date | None = None) -> tuple[Any, Any]:
    """A fresh data folder: the 6t-2023 round open for the units, the office account
    «vanphong», and the Sở's profile saved as if typed in «Hồ sơ cơ quan» (downloads come out
    signed). Returns the portal and the round; kept apart from ``main`` so tests can open it.
    """
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.web.profile import profile_path
    from cchc_xlsx.web.service import Portal

    if data.exists():
        shutil.rmtree(data)
    portal = Portal(data)
    due = (today or date.today()) + timedelta(14)
    rnd, _ = portal.open_round(PLAN, load_units(UNITS), PERIOD, due)
    portal.add_user("vanphong", password)
    shutil.copyfile(OFFICE, profile_path(data))
    return portal, rnd


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Chạy thử cổng nộp báo cáo trên dữ liệu mẫu.")
    ap.add_argument("--data", default="serve-demo-data")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    data = Path(args.data)
    password = os.environ.get("CCHC_PASSWORD") or secrets.token_urlsafe(9)
    portal, rnd = prepare(data, password)
    shown = "localhost" if args.host in ("127.0.0.1", "::1", "0.0.0.0") else args.host
    base = f"http://{shown}:{args.port}"
    print(f"Đợt báo cáo: {rnd.period_name} — {rnd.title} (hạn nộp {rnd.due:%d/%m/%Y}).")
    print(f"Văn phòng: {base}/dang-nhap   tài khoản: vanphong   mật khẩu: {password}")
    print("Đường dẫn riêng của ba đơn vị (mỗi đơn vị chỉ thấy dữ liệu của mình):")
    for code, name, _, url in portal.link_rows(rnd, base)[:3]:
        print(f"  {code:<10} {name:<42} {url}")
    print(f"Tệp mẫu đã điền để thử nộp: {RETURNS} "
          "(THPT-HD, THPT-NTMK hợp lệ, THPT-LL có lỗi).")
    print(f"Kiểm tra tệp không lưu: {base}/kiem-tra")
    sys.stdout.flush()
    del portal
    return subprocess.call([sys.executable, "-m", "cchc_xlsx.cli", "serve", "--data",
                            str(data), "--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
