"""Issue 16 in a real browser (Playwright + Debian's Chromium against ``cchc-xlsx serve``):
the office sets its profile, opens a round from a Word plan after reading the import's
review, a school sends its return from a phone-sized page, the office downloads a signed
consolidation and the Word report; and every page, at 390×844 and 1280×800, has no
sideways scrolling, 16 px text and buttons at least 44 px high. Screenshots go to
``$CCHC_SCREENSHOTS`` (default: the test's tmp folder)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .browser_kit import CHROMIUM, shots
from .fill import Filler, fill_clean
from .portal_kit import PASSWORD

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium (/usr/bin/chromium) is not "
                                       "installed; .ci/run installs it with apt-get")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = (("dien-thoai", PHONE), ("may-tinh", DESKTOP))

LAYOUT = """() => {
  const visible = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const low = [...document.querySelectorAll('button, a.button, input[type=submit]')]
      .filter(visible).filter(el => el.getBoundingClientRect().height < 44)
      .map(el => el.textContent.trim());
  const wide = [...document.querySelectorAll('body *')].filter(visible)
      .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5)
      .filter(el => !el.closest('.scroll')).map(el => el.tagName + '.' + el.className);
  const header = document.querySelector('header.top').getBoundingClientRect();
  return {scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
          font: getComputedStyle(document.body).fontSize, low: low, wide: wide.slice(0, 5),
          header: header.width};
}"""


def check_layout(page, name: str, out: Path) -> None:
    """At both sizes: nothing wider than the window, 16 px text, 44 px buttons, and the
    header bar across the whole width; a full-page screenshot of each."""
    for label, size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_timeout(50)
        got = page.evaluate(LAYOUT)
        assert got["scroll"] <= got["inner"], (name, label, got)
        assert got["font"] == "16px", (name, label, got)
        assert not got["low"], (name, label, got)
        assert got["header"] >= got["inner"] - 1, (name, label, got)
        page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_a_district_runs_a_round_from_phones_and_the_office_page(served, browser):
    from .plan_docs import quirky_004

    server, links, tmp = served
    out = shots(tmp)
    public = browser.new_context(accept_downloads=True, viewport=PHONE, locale="vi-VN",
                                 is_mobile=True, has_touch=True, device_scale_factor=1)
    p = public.new_page()
    for name, url in (("trang-chu", "/"), ("kiem-tra", "/kiem-tra"),
                      ("dang-nhap", "/dang-nhap"), ("khong-co-trang", "/khong-co")):
        p.goto(server.url + url)
        check_layout(p, name, out)

    # 1. a school on a phone: its page, the template, a return with mistakes, the findings
    p.goto(server.url + links["MN-TT"])
    check_layout(p, "truong-trang-rieng", out)
    with p.expect_download() as dl:
        p.get_by_text("Tải mẫu Excel").click()
    template = tmp / "mau.xlsx"
    dl.value.save_as(template)
    shutil.copy(template, tmp / "loi.xlsx")
    f = fill_clean(Filler(tmp / "loi.xlsx"), 4)
    for key in f.keys("report_tthc"):  # a blank TTHC table: one grouped line, not 16
        for col in ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13"):
            f.set("report_tthc", key, col, None)
    f.set("report_tasks", "task:1.1", "status", "xong")
    f.save()
    p.set_input_files("input[name=tep]", str(tmp / "loi.xlsx"))
    p.get_by_role("button", name="Gửi báo cáo").click()
    p.wait_for_url(re.compile(r"/bien-nhan/[0-9a-f]{64}$"))
    main = p.inner_text("main")
    assert "Tệp có lỗi" in main and "ô)" in main
    assert "task_status_allowed" not in main  # rule ids only in the tooltip
    assert p.locator("td.msg[data-rule=task_status_allowed]").count() == 1
    assert re.search(r"\d\d:\d\d:\d\d", main)  # receipt time with seconds
    check_layout(p, "truong-ket-qua-co-loi", out)
    # the corrected file, from the phone
    shutil.copy(template, tmp / "dung.xlsx")
    fill_clean(Filler(tmp / "dung.xlsx"), 4).save()
    p.goto(server.url + links["MN-TT"])
    p.set_input_files("input[name=tep]", str(tmp / "dung.xlsx"))
    p.get_by_role("button", name="Gửi báo cáo").click()
    p.wait_for_url(re.compile(r"/bien-nhan/"))
    assert "Tệp hợp lệ" in p.inner_text("main")
    assert p.get_by_text("Tải bản có đánh dấu lỗi").count() == 0
    check_layout(p, "truong-ket-qua-hop-le", out)
    p.goto(server.url + links["MN-TT"])
    check_layout(p, "truong-da-nop", out)
    # /kiem-tra finds the round from the file itself
    p.goto(server.url + "/kiem-tra")
    p.set_input_files("input[name=tep]", str(tmp / "loi.xlsx"))
    p.get_by_role("button", name="Kiểm tra").click()
    p.wait_for_selector("#ket-qua")
    assert "Kiểm tra theo đợt" in p.inner_text("main")
    check_layout(p, "kiem-tra-ket-qua", out)
    public.close()

    # 2. the office, on a desktop: login, profile, dashboard
    office = browser.new_context(accept_downloads=True, viewport=DESKTOP, locale="vi-VN")
    op = office.new_page()
    op.goto(server.url + "/dang-nhap")
    op.fill("input[name=ten]", "vanphong")
    op.fill("input[name=mat_khau]", PASSWORD)
    op.get_by_role("button", name="Đăng nhập").click()
    op.wait_for_url(re.compile(r"/van-phong$"))
    check_layout(op, "van-phong-cac-dot", out)
    op.set_viewport_size(DESKTOP)
    op.get_by_role("link", name="Hồ sơ cơ quan").click()
    op.fill("input[name=cap_tren]", "ỦY BAN NHÂN DÂN QUẬN 8")
    op.fill("input[name=ten]", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8")
    op.fill("input[name=ky_hieu]", "GDĐT")
    op.fill("input[name=dia_danh]", "Quận 8")
    op.select_option("select[name=quyen_ky]", "KT.")
    op.fill("input[name=chuc_danh_thu_truong]", "TRƯỞNG PHÒNG")
    op.fill("input[name=chuc_danh]", "PHÓ TRƯỞNG PHÒNG")
    op.fill("input[name=nguoi_ky]", "Nguyễn Văn An")
    op.fill("textarea[name=noi_nhan]", "UBND Quận 8 (để báo cáo);\nPhòng Nội vụ Quận 8;\nLưu: VT.")
    op.get_by_role("button", name="Lưu hồ sơ cơ quan").click()
    op.wait_for_selector("#da-luu")
    check_layout(op, "van-phong-ho-so", out)
    op.set_viewport_size(DESKTOP)
    op.goto(server.url + "/van-phong")
    op.get_by_text("Bảng theo dõi").first.click()
    op.wait_for_selector("#dv-MN-TT")
    assert op.inner_text("#dv-MN-TT .state") == "hợp lệ"
    check_layout(op, "van-phong-bang-theo-doi", out)
    op.set_viewport_size(DESKTOP)

    # 3. a signed consolidation and the Word report, with this report's number and date
    op.fill("input[name=so]", "45")
    op.fill("input[name=ngay]", "10/03/2023")
    with op.expect_download() as dl:
        op.get_by_role("button", name="Tải sổ tổng hợp").click()
    merged = tmp / "tong-hop.xlsx"
    dl.value.save_as(merged)
    ws = load_workbook(merged).worksheets[0]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Số: 45/BC-GDĐT" in text and "Nguyễn Văn An" in text
    assert "Quận 8, ngày 10 tháng 3 năm 2023" in text and "Phòng Nội vụ Quận 8" in text
    with op.expect_download() as dl:
        op.get_by_role("button", name="Tải báo cáo Word").click()
    assert dl.value.suggested_filename.endswith(".docx")
    import docx

    doc = docx.Document(io.BytesIO(Path(dl.value.path()).read_bytes()))
    words = "\n".join(x.text for x in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "45/BC-GDĐT" in words and "Nguyễn Văn An" in words

    # 4. the unit's history and a finding page, as the office sees them
    op.locator("#dv-MN-TT").get_by_role("link", name="Lịch sử").click()
    check_layout(op, "van-phong-lich-su-don-vi", out)
    op.get_by_role("link", name="Kết quả").last.click()
    check_layout(op, "van-phong-ket-qua-don-vi", out)

    # 5. revoking a link asks first and names the unit
    op.set_viewport_size(DESKTOP)
    op.go_back()
    op.go_back()
    asked = []
    op.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    row = op.locator("table.links tr", has_text="MN-HM")
    row.get_by_role("button", name="Thu hồi").click()
    op.wait_for_selector("#thong-bao")
    assert "Trường Mầm non Họa Mi" in asked[0]
    assert "Trường Mầm non Họa Mi (MN-HM)" in op.inner_text("#thong-bao")

    # 6. a round from a Word plan: the import's review comes before the round is opened
    op.goto(server.url + "/van-phong")
    plan_doc = quirky_004(tmp / "Kế hoạch CCHC Sóc Trăng.docx")
    op.set_input_files("input[name=ke_hoach]", str(plan_doc))
    from .conftest import UNITS_CSV

    op.set_input_files("input[name=don_vi]", str(UNITS_CSV))
    op.get_by_role("button", name="Đọc kế hoạch").click()
    op.wait_for_selector("#xem-lai")
    review = op.inner_text("#xem-lai")
    assert "Cần kiểm tra (3 điểm)" in review and "Đã đọc" in review
    assert "/tam/" not in op.content()
    names = op.locator("select[name=ky] option").all_inner_texts()
    assert names[0].startswith("6 tháng đầu năm 2023")
    op.select_option("select[name=ky]", "nam-2023")
    assert op.input_value("input[name=han]") == "15/12/2023"
    assert op.is_visible("#han-qua")  # the plan's due date is long past
    check_layout(op, "van-phong-mo-dot-xem-lai", out)
    op.set_viewport_size(DESKTOP)
    op.fill("input[name=han]", "31/12/2099")
    assert not op.is_visible("#han-qua")
    op.get_by_role("button", name="Mở đợt và cấp đường dẫn").click()
    op.wait_for_url(re.compile(r"/van-phong/dot/\d+$"))
    assert "Năm 2023" in op.inner_text("h1") and "31/12/2099" in op.inner_text("main")
    office.close()
