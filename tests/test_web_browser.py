"""The portal in a real browser: Playwright for Python driving Debian's Chromium against
``cchc-xlsx serve`` on a loopback port. A school downloads its template, sends a return
with planted mistakes, sees each at its cell, downloads the annotated copy, sends the
corrected file and sees "hợp lệ"; a second school sends; the office logs in, watches the
dashboard update by itself, and downloads the consolidated workbook, whose figures are
recomputed here from the cells the schools typed. Screenshots go to
``$CCHC_SCREENSHOTS`` (default: the test's tmp folder)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
from openpyxl import load_workbook

from .browser_kit import needs_chromium, shots
from .conftest import SAMPLES
from .fill import Filler, fill_clean
from .portal_kit import PASSWORD, csrf_of

pytestmark = needs_chromium
TTHC_INPUT = ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13")


def tthc_typed(path: Path) -> dict[str, list[float]]:
    """Biểu 06 per procedure, (3)…(13), recomputed from the typed cells (openpyxl)."""
    f = Filler(path)
    out = {}
    for key in f.keys("report_tthc"):
        v = {c: float(f.cell("report_tthc", key, c).value or 0) for c in TTHC_INPUT}
        out[key.split(":", 1)[1]] = [v["c4"] + v["c5"] + v["c6"], v["c4"], v["c5"], v["c6"],
                                     v["c8"] + v["c9"] + v["c10"], v["c8"], v["c9"], v["c10"],
                                     v["c12"] + v["c13"], v["c12"], v["c13"]]
    return out


def tthc_sheet(path: Path) -> tuple[dict[str, list], dict[str, list]]:
    """The consolidated «TH TTHC»: per procedure rows and per unit rows, (3)…(13)."""
    ws = load_workbook(path)["TH TTHC"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    numbering = next(i for i, r in enumerate(values) if "(1)" in r and "(13)" in r)
    cols = [values[numbering].index(f"({k})") for k in range(3, 14)]
    procedures, units = {}, {}
    i = numbering + 1
    while values[i][1] != "Tổng cộng":
        procedures[values[i][1]] = [values[i][c] for c in cols]
        i += 1
    for row in values[i + 1:]:
        nums = [row[c] for c in cols]
        if all(isinstance(n, (int, float)) for n in nums):
            units[row[1]] = nums
    return procedures, units


def test_school_and_office_in_a_real_browser(served, browser):
    from playwright.sync_api import expect

    server, links, tmp = served
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900},
                              locale="vi-VN")
    page = ctx.new_page()

    # 1. the school opens its link and downloads its own template
    page.goto(server.url + links["MN-TT"])
    assert page.locator("h1").inner_text() == "Trường Mầm non Tuổi Thơ"
    assert "Quý I năm 2023" in page.content() and "31/12/2099" in page.content()
    with page.expect_download() as dl:
        page.get_by_text("Tải mẫu Excel").click()
    template = tmp / "mau-tuoi-tho.xlsx"
    dl.value.save_as(template)

    # 2. it sends a return with planted mistakes and sees each at its cell
    shutil.copy(template, tmp / "bao-cao-loi.xlsx")
    f = fill_clean(Filler(tmp / "bao-cao-loi.xlsx"), 11)
    planted = {f.set("report_tasks", "task:1.1", "status", "xong"): "task_status_allowed"}
    f.set("report_indicators", "ind:2.1", "denominator", 40)
    planted[f.set("report_indicators", "ind:2.1", "numerator", 43)] = (
        "indicator_numerator_le_denominator")
    planted[f.set("report_tthc", "tthc:Lĩnh vực Thi, tuyển sinh", "c5", -2)] = (
        "tthc_counts_whole")
    f.save()
    page.set_input_files("input[name=tep]", str(tmp / "bao-cao-loi.xlsx"))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(re.compile(r"/bien-nhan/[0-9a-f]{64}$"))
    assert "Tệp có lỗi: 3 lỗi" in page.inner_text("main")
    for (sheet, cell), rule in planted.items():
        table = page.locator(f"h3:has-text('Trang «{sheet}»') + table")
        row = table.locator("tr", has=page.locator("td.cell", has_text=re.compile(
            rf"^{cell}$")))
        assert row.count() == 1, (sheet, cell)
        assert row.locator("td.msg").get_attribute("data-rule") == rule  # a tooltip only
    assert "gửi lại tệp đã sửa" in page.inner_text("main")
    bad_sha = page.url.rsplit("/", 1)[1]
    page.screenshot(path=str(shots(tmp) / "truong-ket-qua-co-loi.png"), full_page=True)

    # 3. it downloads the annotated copy: the planted cells are coloured and commented
    with page.expect_download() as dl:
        page.get_by_text("Tải bản có đánh dấu lỗi").click()
    annotated = tmp / "danh-dau.xlsx"
    dl.value.save_as(annotated)
    assert dl.value.suggested_filename == "bao-cao-loi.kiem-tra.xlsx"
    wb = load_workbook(annotated)
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    listed = {(r[1], r[2]): r[5] for r in wb["Kết quả kiểm tra"].iter_rows(values_only=True)}
    for (sheet, cell), rule in planted.items():
        assert listed[(sheet, cell)] == rule
        assert wb[sheet][cell].comment is not None, (sheet, cell)
        assert wb[sheet][cell].fill.fgColor.rgb.endswith("FFC7CE"), (sheet, cell)

    # 4. it sends the corrected file and sees "hợp lệ"
    shutil.copy(template, tmp / "bao-cao-da-sua.xlsx")
    fill_clean(Filler(tmp / "bao-cao-da-sua.xlsx"), 11).save()
    page.goto(server.url + links["MN-TT"])
    page.set_input_files("input[name=tep]", str(tmp / "bao-cao-da-sua.xlsx"))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(re.compile(r"/bien-nhan/[0-9a-f]{64}$"))
    assert "Tệp hợp lệ" in page.inner_text("main")
    page.goto(server.url + links["MN-TT"])
    sent = page.locator("table.list tbody tr")
    assert sent.count() == 2 and "hợp lệ" in sent.nth(0).inner_text()
    page.screenshot(path=str(shots(tmp) / "truong-trang-rieng.png"), full_page=True)

    # 5. a hostile file gets one sentence, and nothing is recorded
    page.set_input_files("input[name=tep]",
                         str(SAMPLES / "returns" / "TH-BD_truong-tieu-hoc-binh-dong.xlsx"))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_selector("#tu-choi")
    refusal = page.inner_text("#tu-choi").strip()
    assert refusal.endswith(".") and refusal.count(". ") == 0 and "CSV" in refusal
    assert page.locator("table.list tbody tr").count() == 2

    # 6. a second school sends a clean return
    school2 = ctx.new_page()
    school2.goto(server.url + links["MN-HM"])
    with school2.expect_download() as dl:
        school2.get_by_text("Tải mẫu Excel").click()
    dl.value.save_as(tmp / "hoa-mi.xlsx")
    fill_clean(Filler(tmp / "hoa-mi.xlsx"), 5).save()
    school2.set_input_files("input[name=tep]", str(tmp / "hoa-mi.xlsx"))
    school2.get_by_role("button", name="Gửi báo cáo").click()
    school2.wait_for_url(re.compile(r"/bien-nhan/"))
    assert "Tệp hợp lệ" in school2.inner_text("main")

    # 7. another unit's data is unreachable from this school's link
    school2.goto(server.url + links["MN-HM"] + f"/bien-nhan/{bad_sha}")
    assert "Tuổi Thơ" not in school2.content() and "hết hiệu lực" in school2.content()
    school2.goto(server.url + links["MN-HM"])
    assert "Tuổi Thơ" not in school2.content()
    ctx.close()

    # 8. the office logs in and sees both submissions
    office = browser.new_context(accept_downloads=True,
                                 viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    op = office.new_page()
    op.goto(server.url + "/van-phong")
    assert op.url.endswith("/dang-nhap")
    op.fill("input[name=ten]", "vanphong")
    op.fill("input[name=mat_khau]", PASSWORD)
    op.get_by_role("button", name="Đăng nhập").click()
    op.get_by_text("Bảng theo dõi").first.click()
    assert op.inner_text("#dv-MN-TT .state") == "hợp lệ"
    assert op.inner_text("#dv-MN-HM .state") == "hợp lệ"
    assert "2" in op.inner_text("#dv-MN-TT td:nth-child(8)")  # sent twice
    assert op.inner_text("#so-da-nop") == "2"

    # 9. the dashboard updates by itself while a third school sends
    third = tmp / "son-ca.xlsx"
    with httpx.Client(base_url=server.url) as h:
        tpl = h.get(links["MN-SM"] + "/mau")
        third.write_bytes(tpl.content)
        fill_clean(Filler(third), 9).save()
        csrf = csrf_of(h.get(links["MN-SM"]).text)
        r = h.post(links["MN-SM"] + "/nop", data={"csrf": csrf},
                   files={"tep": (third.name, third.read_bytes())})
        assert r.status_code == 303
    expect(op.locator("#so-da-nop")).to_have_text("3", timeout=15000)  # no reload
    assert op.inner_text("#dv-MN-SM .state") == "hợp lệ"
    op.screenshot(path=str(shots(tmp) / "van-phong-bang-theo-doi.png"), full_page=True)

    # 10. the consolidated workbook's figures equal what the schools typed
    with op.expect_download() as dl:
        op.get_by_role("button", name="Tải sổ tổng hợp").click()
    merged = tmp / "tong-hop.xlsx"
    dl.value.save_as(merged)
    procedures, units = tthc_sheet(merged)
    typed = {"Trường Mầm non Tuổi Thơ": tthc_typed(tmp / "bao-cao-da-sua.xlsx"),
             "Trường Mầm non Họa Mi": tthc_typed(tmp / "hoa-mi.xlsx"),
             "Trường Mầm non Sơn Ca": tthc_typed(third)}
    for name, per_proc in typed.items():
        assert units[name] == [sum(col) for col in zip(*per_proc.values(), strict=True)]
    for proc, values in procedures.items():
        assert values == [sum(col) for col in zip(*(t[proc] for t in typed.values()),
                                                   strict=True)], proc
    status = load_workbook(merged)["Tình hình nộp"]
    text = " ".join(str(c.value) for row in status.iter_rows() for c in row if c.value)
    assert "Trường Mầm non Tuổi Thơ" in text and "Trường Trung học cơ sở Chánh Hưng" in text
    office.close()
