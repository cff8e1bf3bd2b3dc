"""Filling a return in the browser, in Debian's Chromium at phone size (390×844), against
``cchc-xlsx serve``: a school types a whole return with three mistakes, sees validate's own
message at each field, corrects them, sends, and downloads the workbook; the office's
consolidation of it equals, cell by cell, the consolidation of the same values typed into
the template with openpyxl. A draft survives a closed tab; two tabs on one link never
overwrite each other silently. Screenshots at phone and desktop width go to
``$CCHC_SCREENSHOTS`` (default: the test's tmp folder)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from cchc_xlsx.forms.specs import load_catalog

from .browser_kit import CHROMIUM, shots
from .fill_entries import clean_entries, typed_in_excel

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium (/usr/bin/chromium) is not "
                                       "installed; .ci/run installs it with apt-get")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
START, END = date(2022, 12, 15), date(2023, 3, 4)  # q1-2023 of the sample plan
DONE_NO_DATE = "report_tasks|task:1.1|completion_date"
NUMERATOR = "report_indicators|ind:2.1|numerator"
TTHC_C5 = "report_tthc|tthc:Lĩnh vực Thi, tuyển sinh|c5"


def names_on(page) -> list[str]:
    return page.eval_on_selector_all("[data-f]", "els => els.map(e => e.name)")


def box(page, name: str):
    return page.locator(f"[data-field='{name}']")


def type_in(page, entries: dict[str, str], names: list[str]) -> None:
    fields = page.locator("[data-f]")
    for i, name in enumerate(names):
        if name not in entries:
            continue
        el = fields.nth(i)
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(entries[name])
        else:
            el.fill(entries[name])


def saved(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#trang-thai")).to_contain_text("Đã lưu bản nháp", timeout=20000)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def rule_message(rule_id: str) -> str:
    return next(r.message for r in load_catalog().rules if r.id == rule_id)


def test_school_fills_checks_and_sends_on_a_phone(served, browser):
    from playwright.sync_api import expect

    server, links, tmp = served
    link = server.url + links["MN-TT"]
    phone = browser.new_context(accept_downloads=True, viewport=PHONE, locale="vi-VN",
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(link)
    no_sideways_scroll(page)
    page.get_by_role("link", name="Điền trực tuyến").click()
    page.wait_for_url(re.compile(r"/dien-truc-tuyen$"))
    no_sideways_scroll(page)

    # the unit's own fields, typed for phones
    names = names_on(page)
    assert sum(n.endswith("|status") for n in names) == 44  # every task row of the plan
    status = page.locator(f"select[name='{names[3]}'] option")
    assert status.all_inner_texts()[1:] == ["Đã hoàn thành", "Đang thực hiện",
                                            "Chưa thực hiện", "Không phát sinh"]
    assert box(page, NUMERATOR).locator("input").get_attribute("inputmode") == "numeric"
    assert box(page, TTHC_C5).locator("input").get_attribute("inputmode") == "numeric"
    date_input = box(page, DONE_NO_DATE).locator("input")
    assert date_input.get_attribute("type") == "date"
    assert date_input.get_attribute("min") == "2022-12-15"

    # the document fields first; a date is also said the Vietnamese way beside its field
    box(page, "doc|date").locator("input").fill("2023-03-04")
    expect(box(page, "doc|date").locator(".date-echo")).to_have_text("Ngày 04/03/2023")
    assert box(page, "doc|signer").locator("input").input_value() == "Phùng Thị Ngọc Hiền"
    page.screenshot(path=str(shots(tmp) / "dien-390-dau-trang.png"))

    # a link of the contents scrolls its section's heading clear of the sticky status line
    page.locator("nav.toc a").nth(2).click()
    heading = page.locator("section.part").nth(2).locator("h2")
    bar = page.locator("#trang-thai").bounding_box()
    top = heading.bounding_box()["y"]
    assert bar["y"] + bar["height"] <= top < page.viewport_size["height"] / 3, (bar, top)
    page.screenshot(path=str(shots(tmp) / "dien-390-muc-luc.png"))
    page.evaluate("window.scrollTo(0, 0)")

    # a whole return with three mistakes
    entries = clean_entries(names, START, END)
    wrong = dict(entries)
    wrong["report_tasks|task:1.1|status"] = "Đã hoàn thành"
    wrong.pop(DONE_NO_DATE, None)
    wrong["report_indicators|ind:2.1|denominator"] = "40"
    wrong[NUMERATOR] = "43"
    wrong[TTHC_C5] = "-2"
    type_in(page, wrong, names)
    saved(page)
    expect(box(page, DONE_NO_DATE).locator(".msg.error")).to_have_text(
        "lỗi: " + rule_message("task_done_needs_date"), timeout=30000)
    expect(box(page, NUMERATOR).locator(".msg.error")).to_have_text(
        "lỗi: " + rule_message("indicator_numerator_le_denominator").replace("{value}", "43"))
    expect(box(page, TTHC_C5).locator(".msg.error")).to_have_text(
        "lỗi: " + rule_message("tthc_counts_whole").replace("{value}", "-2"))
    # the count of the server's check, which runs after an 8 s pause in typing (the
    # client's own count also names the rows not yet filled)
    expect(page.locator("#tong-ket")).to_contain_text("Còn 3 lỗi", timeout=30000)
    no_sideways_scroll(page)
    out = shots(tmp)
    box(page, NUMERATOR).scroll_into_view_if_needed()
    page.screenshot(path=str(out / "dien-390-loi-tai-o.png"))
    page.screenshot(path=str(out / "dien-390-ca-trang.png"), full_page=True)

    # the tab is closed: the draft (mistakes included) is on the server
    page.close()
    page = phone.new_page()
    page.goto(link + "/dien-truc-tuyen")
    assert box(page, NUMERATOR).locator("input").input_value() == "43"
    assert box(page, TTHC_C5).locator("input").input_value() == "-2"
    expect(page.locator("#trang-thai")).to_contain_text("Bản nháp lưu lúc")
    expect(box(page, NUMERATOR).locator(".msg.error")).to_have_count(1, timeout=30000)

    # corrected: every message goes
    assert entries["report_tasks|task:1.1|status"] == "Đã hoàn thành"
    entries["report_indicators|ind:2.1|denominator"] = "40"
    entries[NUMERATOR] = "38"
    type_in(page, {k: entries[k] for k in (DONE_NO_DATE, NUMERATOR, TTHC_C5)}, names)
    saved(page)
    expect(page.locator("#tong-ket")).to_contain_text("Không còn lỗi", timeout=30000)
    assert page.locator(".msg.error").count() == 0

    # sent: recorded like an upload, the filled workbook offered
    page.get_by_role("button", name="Gửi báo cáo").click()
    result = page.locator("#ket-qua")
    expect(result).to_contain_text("Báo cáo hợp lệ", timeout=30000)
    assert re.search(r"Mã biên nhận: [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{2}", result.inner_text())
    no_sideways_scroll(page)
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "dien-390-da-gui.png"))
    with page.expect_download() as dl:
        page.get_by_role("link", name="Tải sổ Excel đã điền").click()
    browser_book = tmp / "dien-truc-tuyen.xlsx"
    dl.value.save_as(browser_book)
    page.goto(link)
    listed = page.locator("table.list tbody tr").first.inner_text()
    assert "(điền trực tuyến)" in listed and "hợp lệ" in listed
    assert "bản nháp lưu lúc" in page.inner_text("#dien-truc-tuyen")
    page.screenshot(path=str(out / "truong-390-co-ban-nhap.png"), full_page=True)
    phone.close()

    # the office: the same figures as the same values typed in Excel, cell by cell
    template = tmp / "mau.xlsx"
    template.write_bytes(httpx.get(link + "/mau").content)
    excel_book = typed_in_excel(template, entries, tmp / "go-trong-excel.xlsx")
    assert consolidated_figures(browser_book, tmp / "th-web.xlsx") == consolidated_figures(
        excel_book, tmp / "th-excel.xlsx")


def consolidated_figures(book: Path, out: Path) -> dict[str, list[list[object]]]:
    """Every consolidated sheet's cells (the submission-status sheet names the file)."""
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.units import load_units

    from .conftest import PLAN_001, UNITS_CSV

    plan, units = load_plan(PLAN_001), load_units(UNITS_CSV)
    merge([book], plan, units, "q1-2023", out, office_from_units(units, plan),
          now=datetime(2023, 3, 6, 8, 0), workers=1)
    wb = load_workbook(out)
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"][1:]
    assert len(sheets) >= 4
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in sheets}


def test_two_tabs_on_one_link_never_overwrite_silently(served, browser):
    from playwright.sync_api import expect

    server, links, tmp = served
    ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    url = server.url + links["MN-HM"] + "/dien-truc-tuyen"
    first, second = ctx.new_page(), ctx.new_page()
    first.goto(url)
    second.goto(url)
    note = "report_indicators|ind:1|note"
    first.locator(f"[data-field='{note}'] textarea").fill("Gõ ở cửa sổ thứ nhất")
    saved(first)
    second.locator(f"[data-field='{note}'] textarea").fill("Gõ ở cửa sổ thứ hai")
    expect(second.locator("#trang-thai")).to_contain_text("cửa sổ hoặc thiết bị khác",
                                                          timeout=20000)
    expect(second.get_by_role("button", name="Tải lại trang")).to_be_visible()
    assert second.get_by_role("button", name="Gửi báo cáo").is_disabled()
    second.screenshot(path=str(shots(tmp) / "dien-1280-hai-cua-so.png"))
    second.get_by_role("button", name="Tải lại trang").click()
    second.wait_for_load_state()
    assert second.locator(f"[data-field='{note}'] textarea").input_value() == (
        "Gõ ở cửa sổ thứ nhất")
    # the first tab goes on saving; the reloaded one is current again
    first.locator(f"[data-field='{note}'] textarea").fill("Sửa tiếp ở cửa sổ thứ nhất")
    saved(first)
    no_sideways_scroll(first)
    first.screenshot(path=str(shots(tmp) / "dien-1280.png"))
    ctx.close()


# the same mistakes, typed: each is told at its field before any server check
TYPED_MISTAKES = {
    "report_tasks|task:1.1|status": "Đã hoàn thành",
    "report_tasks|task:1.1|completion_date": "2023-05-04",  # after the period's end
    "report_tasks|task:1.1|evidence": "",  # «Đã hoàn thành» needs it
    "report_indicators|ind:2.1|denominator": "40",
    NUMERATOR: "43",
    "report_tthc|tthc:Lĩnh vực Thi, tuyển sinh|c4": "12abc",
    TTHC_C5: "-2",
    "doc|number": "",  # required, left after a visit
}
TOLD_AT = ["report_tasks|task:1.1|completion_date", "report_tasks|task:1.1|evidence",
           NUMERATOR, "report_tthc|tthc:Lĩnh vực Thi, tuyển sinh|c4", TTHC_C5, "doc|number"]


def test_typed_checks_say_what_validate_says(served, browser):
    """The page checks as the school types, from rules the server generated from
    validate's rules: with the server's check cut off, each mistake is told at its field,
    and each message is word for word what the real validate says on the built workbook."""
    from playwright.sync_api import expect

    server, links, tmp = served
    url = server.url + links["THCS-LL"] + "/dien-truc-tuyen"
    phone = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    asked = []
    page.route("**/dien-truc-tuyen/kiem-tra", lambda route: (asked.append(1), route.abort()))
    page.goto(url)
    assert page.evaluate("navigator.language") == "vi-VN"
    for name, value in TYPED_MISTAKES.items():
        el = box(page, name).locator("[data-f]")
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        else:
            el.fill(value)
        el.blur()
    for name in TOLD_AT:
        expect(box(page, name).locator(".msg.here")).not_to_have_count(0)
    client = {n: box(page, n).locator(".msg").all_inner_texts() for n in TOLD_AT}
    assert not asked or page.locator(".msg:not(.here)").count() == 0  # all typed checks

    # the server's real check on the workbook these entries make
    saved(page)
    csrf = page.locator("#csrf").input_value()
    entries = page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('[data-f]')).filter(e => e.value !== '')
        .map(e => [e.name, e.value]))""")
    found = page.request.post(url + "/kiem-tra", data={"csrf": csrf, "entries": entries})
    assert found.status == 200, found.text()
    told = found.json()["fields"]
    server_said = {n: [f"{i['severity_vi']}: {i['message']}" for i in told.get(n, [])]
                   for n in TOLD_AT}
    assert client == server_said
    assert client[NUMERATOR] == ["lỗi: " + rule_message(
        "indicator_numerator_le_denominator").replace("{value}", "43")]

    # corrected as typed: the messages go at once
    box(page, NUMERATOR).locator("input").fill("38")
    expect(box(page, NUMERATOR).locator(".msg")).to_have_count(0)
    box(page, NUMERATOR).locator("input").fill("43")
    box(page, NUMERATOR).scroll_into_view_if_needed()
    out = shots(tmp)
    no_sideways_scroll(page)
    page.screenshot(path=str(out / "dien-390-kiem-tra-khi-go.png"))
    date_field = box(page, "report_tasks|task:1.2|completion_date").locator("input")
    date_field.scroll_into_view_if_needed()
    date_field.evaluate("e => e.showPicker()")
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "dien-390-chon-ngay.png"))
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = desk.new_page()
    page.goto(url)  # the draft, mistakes included: told again on opening
    expect(box(page, NUMERATOR).locator(".msg")).not_to_have_count(0, timeout=30000)
    no_sideways_scroll(page)
    date_field = box(page, "report_tasks|task:1.1|completion_date").locator("input")
    date_field.scroll_into_view_if_needed()
    date_field.evaluate("e => e.showPicker()")
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "dien-1280-loi-va-chon-ngay.png"))
    desk.close()
