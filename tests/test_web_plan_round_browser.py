"""A plan round (a period of kind "plan") in Debian's Chromium against ``cchc-xlsx serve``:
a school downloads its plan draft from its link page, fills it (openpyxl, as a person in
Excel), sends it from a phone and sees it recorded as valid; the office's dashboard speaks
of plans (no Word report, no «mẫu») and downloads «Tình hình ban hành kế hoạch». Screenshots
at 390×844 and 1280×800 go to ``$CCHC_SCREENSHOTS`` (default: the test's tmp folder)."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import openpyxl
import pytest

from .browser_kit import CHROMIUM, needs_chromium, shots
from .plan_fill import PlanFiller, fill_plan_clean
from .portal_kit import PASSWORD
from .server_kit import Server, cli

pytestmark = [needs_chromium, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
PLAN = ROOT / "samples" / "plans" / "004-sgddt-soctrang-2023.yaml"
UNITS = ROOT / "samples" / "units" / "soctrang-don-vi.csv"
OFFICE = ROOT / "samples" / "office" / "sgddt-soctrang.yaml"
assert CHROMIUM


@pytest.fixture(scope="module")
def plan_served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plan-round")
    data = tmp / "data"
    due = f"{date.today() + timedelta(7):%d/%m/%Y}"
    r = cli("web", "open", "--data", str(data), "--plan", str(PLAN), "--units", str(UNITS),
            "--period", "kh-2023", "--due", due)
    assert r.returncode == 0, r.stderr
    r = cli("web", "user", "add", "vanphong", "--data", str(data),
            env={"CCHC_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    shutil.copyfile(OFFICE, data / "ho-so-co-quan.yaml")
    r = cli("web", "links", "--data", str(data), "--period", "kh-2023", "--base-url", "")
    assert r.returncode == 0, r.stderr
    links = {line.split(",")[0]: line.rsplit(",", 1)[1] for line in r.stdout.splitlines()[1:]}
    server = Server(data)
    yield server, links, tmp
    server.stop()


def test_a_plan_round_in_the_browser(plan_served, browser):
    from playwright.sync_api import expect

    server, links, tmp = plan_served
    out = shots(tmp)
    phone = browser.new_context(accept_downloads=True, viewport={"width": 390, "height": 844},
                                locale="vi-VN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(server.url + links["THPT-NTMK"])
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("Tải dự thảo kế hoạch")).click()
    draft = tmp / "du-thao.xlsx"
    dl.value.save_as(draft)
    f = PlanFiller(draft)
    fill_plan_clean(f, "03/KH-NTMK", "Sóc Trăng, ngày 16 tháng 01 năm 2023", "Trần Văn Minh")
    filled = f.save(tmp / "ke-hoach-ntmk.xlsx")
    page.locator("input[type=file]").first.set_input_files(str(filled))
    page.get_by_role("button", name="Gửi kế hoạch").click()
    expect(page.locator("body")).to_contain_text("hợp lệ", timeout=60000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(out / "ke-hoach-390-da-nop.png"), full_page=True)
    phone.close()

    office = browser.new_context(accept_downloads=True,
                                 viewport={"width": 1280, "height": 800}, locale="vi-VN")
    op = office.new_page()
    op.goto(server.url + "/dang-nhap")
    op.fill("input[name=ten]", "vanphong")
    op.fill("input[name=mat_khau]", PASSWORD)
    op.locator("form button[type=submit]").first.click()
    op.wait_for_url(re.compile("/van-phong"))
    op.get_by_role("link", name="Bảng theo dõi").first.click()
    op.wait_for_url(re.compile(r"/van-phong/dot/\d+$"))
    body = op.locator("main").inner_text() if op.locator("main").count() else op.inner_text(
        "body")
    assert "đợt thu kế hoạch CCHC của các đơn vị" in body
    assert "Tổng hợp tình hình ban hành kế hoạch" in body
    assert "Tải báo cáo Word" not in body and "Tải mẫu các đơn vị" not in body
    assert "Tải dự thảo kế hoạch các đơn vị (.zip)" in body
    expect(op.locator("#dv-THPT-NTMK .state")).to_contain_text("hợp lệ")
    op.screenshot(path=str(out / "ke-hoach-1280-bang-theo-doi.png"))
    with op.expect_download() as dl:
        op.get_by_role("button", name="Tải bảng tình hình ban hành kế hoạch").click()
    got = tmp / "tong-hop.xlsx"
    dl.value.save_as(got)
    text = " ".join(str(c.value) for ws in openpyxl.load_workbook(got)
                    for row in ws.iter_rows() for c in row if c.value is not None)
    assert "TÌNH HÌNH BAN HÀNH KẾ HOẠCH" in text and "03/KH-NTMK" in text
    office.close()
