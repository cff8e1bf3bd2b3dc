"""Filling in the browser through HTTP (Starlette's TestClient): the page's fields are the
unit's own template cells, drafts are versioned and belong to one unit and round, every
write needs the CSRF token and stays within the limits, entries stay text, a return sent
from Excel continues in the browser, and sending records it like an upload."""

from __future__ import annotations

import html
import io
import re
import sqlite3
from datetime import date

import pytest
from openpyxl import load_workbook

from cchc_xlsx.forms.specs import load_catalog
from cchc_xlsx.web.fill_form import MAX_TEXT

from . import test_web as _web
from .conftest import needs_soffice
from .fill import Filler
from .fill_entries import clean_entries
from .libreoffice import pdf_text, soffice_convert
from .portal_kit import XSS_SCRIPT, clean_return, csrf_of, template_of
from .test_web import rows, upload

base_data, site = _web.base_data, _web.site  # the portal fixtures of the upload tests

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
START, END = date(2022, 12, 15), date(2023, 3, 4)


def fill_page(client, token: str) -> tuple[str, list[str]]:
    page = client.get(f"/u/{token}/dien-truc-tuyen")
    assert page.status_code == 200
    names = [html.unescape(n) for n in re.findall(r'name="([^"]+)"[^>]*data-f', page.text)]
    return page.text, names


def post(client, token: str, what: str, **body):
    return client.post(f"/u/{token}/dien-truc-tuyen/{what}", json=body)


def test_the_fields_are_the_units_own_template_cells(site):
    client, portal, rnd, tokens, tmp = site
    catalog = load_catalog()
    for code in ("MN-TT", "TH-BD", "THCS-LL"):
        text, names = fill_page(client, tokens[code])
        f = Filler(template_of(portal, rnd, code, tmp / code))
        for form in ("report_tasks", "report_indicators", "report_tthc"):
            keys = {n.split("|")[1] for n in names if n.startswith(form + "|")}
            assert keys == set(f.keys(form)), (code, form)  # levels applied, as generated
        attrs = f.attrs("report_indicators")
        for key, a in attrs.items():  # the spec's «when»: rates ask numerator/denominator
            has = {n.rsplit("|", 1)[1] for n in names if f"|{key}|" in n}
            assert ("numerator" in has) == (a.get("measure") == "rate"), key
            assert ("met" in has) == (a.get("met_mode") == "input"), key
        allowed = next(r.check.allowed for r in catalog.rules if r.id == "task_status_allowed")
        first = re.search(r'<select[^>]*name="report_tasks\|task:1\.1\|status".*?</select>',
                          text, re.S).group(0)
        assert re.findall(r"<option>([^<]+)</option>", first) == list(allowed)
        assert {"doc|number", "doc|date", "doc|signer"} <= set(names)


def test_drafts_are_versioned_and_a_stale_save_is_refused(site):
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-TT"]
    text, _ = fill_page(client, token)
    csrf = csrf_of(text)
    r = post(client, token, "luu", csrf=csrf, version=0,
             entries={"doc|number": "15/BC-MNTT", "khong-co": "bị bỏ qua"})
    assert r.status_code == 200 and r.json()["version"] == 1
    assert post(client, token, "luu", csrf=csrf, version=1,
                entries={"doc|number": "16/BC-MNTT"}).json()["version"] == 2
    stale = post(client, token, "luu", csrf=csrf, version=1, entries={"doc|number": "cũ"})
    assert stale.status_code == 409
    assert "cửa sổ hoặc thiết bị khác" in stale.json()["message"]
    text, _ = fill_page(client, token)
    assert 'value="16/BC-MNTT"' in text and "khong-co" not in text
    assert "bản nháp lưu lúc" in client.get(f"/u/{token}").text
    # sending needs the current version
    assert post(client, token, "gui", csrf=csrf, version=1).status_code == 409
    # a computed cell's finding shows on its row: (3) = 4 received, none resolved or pending
    row = "report_tthc|tthc:Lĩnh vực Thi, tuyển sinh"
    checked = post(client, token, "kiem-tra", csrf=csrf, entries={
        f"{row}|{c}": "4" if c == "c4" else "0"
        for c in ("c4", "c5", "c6", "c8", "c9", "c10", "c12", "c13")}).json()
    assert [i["rule"] for i in checked["fields"][f"{row}|c4"]] == ["tthc_balance"]


def test_every_write_needs_csrf_and_stays_within_limits(site):
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-TT"]
    text, _ = fill_page(client, token)
    csrf = csrf_of(text)
    for what in ("luu", "kiem-tra", "gui"):
        r = post(client, token, what, version=0, entries={"doc|number": "1/BC"})
        assert r.status_code == 403, what
        r = post(client, token, what, csrf="x" * 43, version=0, entries={})
        assert r.status_code == 403, what
    long = post(client, token, "luu", csrf=csrf, version=0,
                entries={"report_tasks|task:1.1|evidence": "a" * (MAX_TEXT + 1)})
    assert long.status_code == 413 and "Tài liệu kiểm chứng" in long.json()["message"]
    number = post(client, token, "luu", csrf=csrf, version=0,
                  entries={"report_tthc|tthc:Lĩnh vực Thi, tuyển sinh|c4": "9" * 31})
    assert number.status_code == 413
    huge = client.post(f"/u/{token}/dien-truc-tuyen/luu", content=b"{" + b" " * 600_000 + b"}",
                       headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "quá lớn" in huge.json()["message"]
    bad = client.post(f"/u/{token}/dien-truc-tuyen/luu", content=b"not json",
                      headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    with sqlite3.connect(portal.dir / "cchc-nhap.sqlite") as c:
        assert c.execute("SELECT count(*) FROM web_drafts").fetchone()[0] == 0


def test_a_draft_belongs_to_its_unit_and_link(site):
    client, portal, rnd, tokens, tmp = site
    a, b = tokens["MN-TT"], tokens["MN-HM"]
    csrf = csrf_of(fill_page(client, a)[0])
    assert post(client, a, "luu", csrf=csrf, version=0,
                entries={"doc|number": "77/BC-RIENG"}).status_code == 200
    assert "77/BC-RIENG" not in fill_page(client, b)[0]
    assert "bản nháp lưu lúc" not in client.get(f"/u/{b}").text
    new = portal.reissue(rnd, "MN-TT")  # the old link is revoked: it opens nothing
    assert client.get(f"/u/{a}/dien-truc-tuyen").status_code == 404
    assert post(client, a, "luu", csrf=csrf, version=1, entries={}).status_code == 404
    assert "77/BC-RIENG" in fill_page(client, new)[0]  # the unit's draft, on its new link


def test_entries_stay_text_never_markup_or_formulas(site):
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-TT"]
    csrf = csrf_of(fill_page(client, token)[0])
    formula = '=HYPERLINK("http://x","bấm")'
    entries = {"report_tasks|task:1.1|evidence": formula,
               "report_tasks|task:1.1|difficulties": XSS_SCRIPT,
               "report_tasks|task:1.2|status": XSS_SCRIPT}
    assert post(client, token, "luu", csrf=csrf, version=0, entries=entries).status_code == 200
    text, _ = fill_page(client, token)
    assert XSS_SCRIPT not in text and "&lt;script&gt;" in text
    checked = post(client, token, "kiem-tra", csrf=csrf, entries=entries).json()
    [issue] = checked["fields"]["report_tasks|task:1.2|status"]
    assert issue["rule"] == "task_status_allowed"  # the real check, at its field
    sent = post(client, token, "gui", csrf=csrf, version=1)
    assert sent.status_code == 200
    book = client.get(sent.json()["file_url"])
    wb = load_workbook(io.BytesIO(book.content))
    f_sheet = wb["BC Nhiệm vụ"]
    cells = [c for row in f_sheet.iter_rows() for c in row if c.value == formula]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_an_excel_return_continues_in_the_browser_and_back(site):
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-TT"]
    path = clean_return(portal, rnd, "MN-TT", tmp / "ret", seed=4)
    assert upload(client, token, path).status_code == 303
    text, names = fill_page(client, token)
    assert "Đã nạp số liệu từ bài nộp gần nhất" in text
    f = Filler(path)
    for key in f.keys("report_tasks"):
        status = f.cell("report_tasks", key, "status").value
        m = re.search(rf'name="report_tasks\|{re.escape(key)}\|status".*?<option selected>'
                      r'([^<]*)</option>', text, re.S)
        assert m and m.group(1) == status, key
    done = next(k for k in f.keys("report_tasks")
                if f.cell("report_tasks", k, "status").value == "Đã hoàn thành")
    day = f.cell("report_tasks", done, "completion_date").value
    assert f'value="{day:%Y-%m-%d}"' in text
    # sent from the browser unchanged: the same figures as the Excel return
    from cchc_xlsx.web.fill_form import entries_from_workbook
    from cchc_xlsx.web.fill_service import service_of

    form = service_of(portal).form(rnd, next(u for u in portal.units(rnd) if u.code == "MN-TT"))
    loaded = entries_from_workbook(path, form.layout, load_catalog())
    csrf = csrf_of(text)
    assert post(client, token, "luu", csrf=csrf, version=0, entries=loaded).status_code == 200
    sent = post(client, token, "gui", csrf=csrf, version=1).json()
    assert sent["valid"] is True and sent["errors"] == 0
    back = client.get(sent["file_url"]).content
    (tmp / "back.xlsx").write_bytes(back)
    assert entries_from_workbook(tmp / "back.xlsx", form.layout, load_catalog()) == loaded


def test_sending_records_like_an_upload(site):
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-HM"]
    text, names = fill_page(client, token)
    csrf = csrf_of(text)
    entries = clean_entries(names, START, END) | {"doc|signer": "Nguyễn Thị Thu Hà"}
    assert post(client, token, "luu", csrf=csrf, version=0, entries=entries).status_code == 200
    checked = post(client, token, "kiem-tra", csrf=csrf, entries=entries).json()
    assert checked["errors"] == 0 and checked["fields"] == {}
    sent = post(client, token, "gui", csrf=csrf, version=1).json()
    assert sent["valid"] and sent["new"]
    again = post(client, token, "gui", csrf=csrf, version=1).json()
    assert again["receipt"] == sent["receipt"] and not again["new"]  # the same draft
    [row] = rows(portal)
    assert (row["unit_code"], row["valid"], row["errors"]) == ("MN-HM", 1, 0)
    [receipt] = portal.receipts(rnd, "MN-HM")
    assert receipt.findings["source"] == "điền trực tuyến"
    board = portal.board(rnd)
    assert board.totals["submitted"] == 1 and board.totals["valid"] == 1
    assert "(điền trực tuyến)" in client.get(f"/u/{token}").text
    # another unit's link cannot download it
    other = client.get(f"/u/{tokens['MN-TT']}/dien-truc-tuyen/tep/{receipt.sha256}")
    assert other.status_code == 404


@needs_soffice
def test_a_browser_return_prints_like_a_typed_one_in_libreoffice(site):
    """The built workbook opens in LibreOffice, which computes what the template leaves to
    formulas: the «Kèm theo» line from the Số and date, the TTHC totals."""
    client, portal, rnd, tokens, tmp = site
    token = tokens["MN-HM"]
    text, names = fill_page(client, token)
    csrf = csrf_of(text)
    entries = clean_entries(names, START, END) | {"doc|number": "21/BC-MNHM"}
    assert post(client, token, "luu", csrf=csrf, version=0, entries=entries).status_code == 200
    sent = post(client, token, "gui", csrf=csrf, version=1).json()
    book = tmp / "hoa-mi.xlsx"
    book.write_bytes(client.get(sent["file_url"]).content)
    printed = pdf_text(soffice_convert(book, tmp / "pdf", "pdf", tmp / "lo-profile"))
    assert printed.count("(Kèm theo Báo cáo số 21/BC-MNHM ngày 04 tháng 3 năm 2023") == 3
    tthc = [n for n in entries if n.startswith("report_tthc|")]
    received = sum(int(entries[n]) for n in tthc if n.endswith(("|c4", "|c5", "|c6")))
    total = next(line for line in printed.splitlines() if "Tổng cộng" in line)
    assert total.split()[2] == str(received)


def test_drafts_kept_in_the_main_file_by_an_older_portal_are_adopted(tmp_path):
    """Drafts moved to their own file (a save never waits behind a recorded return): the
    ones an older portal kept beside the receipts are copied over once."""
    from cchc_xlsx.web.fill_store import DB_NAME, Drafts
    from cchc_xlsx.web.store import Store

    store = Store(tmp_path)
    with store.tx() as c:
        c.execute("CREATE TABLE web_drafts (round_id INTEGER NOT NULL, unit_code TEXT NOT "
                  "NULL, version INTEGER NOT NULL, entries_json TEXT NOT NULL, saved_at TEXT "
                  "NOT NULL, sent_version INTEGER NULL, sent_sha256 TEXT NULL, PRIMARY KEY "
                  "(round_id, unit_code))")
        c.execute("INSERT INTO web_drafts VALUES (1, 'MN-TT', 4, ?, '2026-12-04T08:00:00', "
                  "NULL, NULL)", ('{"doc|number": "15/BC"}',))
    drafts = Drafts(store)
    assert (tmp_path / DB_NAME).exists()
    kept = drafts.get(1, "MN-TT")
    assert kept is not None and kept.version == 4 and kept.entries == {"doc|number": "15/BC"}
    assert drafts.save(1, "MN-TT", 4, {"doc|number": "16/BC"}).version == 5
    assert Drafts(store).get(1, "MN-TT").version == 5  # adopted once, not again
