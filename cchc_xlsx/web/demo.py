"""``make serve-demo``: a round open on the sample plan and units, an office login and three
school links printed, then the portal served on this machine.

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

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "samples" / "plans" / "001-mntt-q8-2023.yaml"
UNITS = ROOT / "samples" / "units" / "quan8-truong.csv"
PERIOD = "q1-2023"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Chạy thử cổng nộp báo cáo trên dữ liệu mẫu.")
    ap.add_argument("--data", default="serve-demo-data")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.web.service import Portal

    data = Path(args.data)
    if data.exists():
        shutil.rmtree(data)
    portal = Portal(data)
    rnd, _ = portal.open_round(PLAN, load_units(UNITS), PERIOD, date.today() + timedelta(14))
    password = os.environ.get("CCHC_PASSWORD") or secrets.token_urlsafe(9)
    portal.add_user("vanphong", password)
    # the sample office profile, as if typed in «Hồ sơ cơ quan»: downloads come out signed
    shutil.copyfile(ROOT / "samples" / "office" / "phong-gddt-quan8.yaml",
                    data / "ho-so-co-quan.yaml")
    shown = "localhost" if args.host in ("127.0.0.1", "::1", "0.0.0.0") else args.host
    base = f"http://{shown}:{args.port}"
    print(f"Đợt báo cáo: {rnd.period_name} — {rnd.title} (hạn nộp {rnd.due:%d/%m/%Y}).")
    print(f"Văn phòng: {base}/dang-nhap   tài khoản: vanphong   mật khẩu: {password}")
    print("Đường dẫn riêng của ba trường (mỗi trường chỉ thấy dữ liệu của mình):")
    for code, name, _, url in portal.link_rows(rnd, base)[:3]:
        print(f"  {code:<6} {name:<32} {url}")
    print(f"Tệp mẫu đã điền để thử nộp: {ROOT / 'samples' / 'returns'} "
          "(MN-TT hợp lệ, MN-HM có lỗi).")
    print(f"Kiểm tra tệp không lưu: {base}/kiem-tra")
    sys.stdout.flush()
    del portal
    return subprocess.call([sys.executable, "-m", "cchc_xlsx.cli", "serve", "--data",
                            str(data), "--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
