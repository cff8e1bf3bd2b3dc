"""Issue 16 through HTTP: the office profile (one format with ``--office-profile``) signing
the consolidation and the Word report downloaded from the dashboard, /kiem-tra choosing
the round a file names, opening a round in two steps with the import's review, revoking a
link, and the mail buttons without SMTP."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from cchc_xlsx.plans.office_profile import load_office_profile

from . import test_web as web
from .conftest import PLAN_001, UNITS_CSV
from .portal_kit import clean_return, csrf_of, planted_return
from .test_web import login, text_of, upload

base_data = web.base_data  # the portal fixtures of test_web, shared
site = web.site

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROFILE_FORM = {
    "cap_tren": "Ủy ban nhân dân Quận 8", "ten": "Phòng Giáo dục và Đào tạo Quận 8",
    "ma": "PGDDT-Q8", "ky_hieu": "GDĐT", "dia_danh": "Quận 8", "quyen_ky": "KT.",
    "chuc_danh_thu_truong": "Trưởng phòng", "chuc_danh": "Phó Trưởng phòng",
    "nguoi_ky": "Nguyễn Văn An", "trich_yeu": "",
    "noi_nhan": "- Ủy ban nhân dân Quận 8 (để báo cáo);\nPhòng Nội vụ Quận 8;\n\nLưu: VT.",
}


def save_profile(client, **changes) -> object:
    page = client.get("/van-phong/ho-so")
    assert page.status_code == 200
    return client.post("/van-phong/ho-so", data={"csrf": csrf_of(page.text),
                                                 **PROFILE_FORM, **changes},
                       follow_redirects=False)


def test_profile_page_saves_the_cli_format_and_keeps_a_failed_form(site):
    client, portal, rnd, tokens, tmp = site
    login(client)
    bad = save_profile(client, quyen_ky="KT.", chuc_danh_thu_truong="")
    assert bad.status_code == 422 and "chức danh của thủ trưởng" in text_of(bad.text)
    assert 'value="Nguyễn Văn An"' in bad.text  # what was typed stays
    assert not (portal.dir / "ho-so-co-quan.yaml").exists()
    r = save_profile(client)
    assert r.status_code == 303
    profile = load_office_profile(portal.dir / "ho-so-co-quan.yaml")  # the CLI's own loader
    assert profile.name == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
    assert profile.superior == "ỦY BAN NHÂN DÂN QUẬN 8"
    assert profile.signer_title == "KT. TRƯỞNG PHÒNG|PHÓ TRƯỞNG PHÒNG"
    assert profile.recipients == ("Ủy ban nhân dân Quận 8 (để báo cáo);",
                                  "Phòng Nội vụ Quận 8;", "Lưu: VT.")
    page = client.get("/van-phong/ho-so?da-luu=1")
    assert "Đã lưu hồ sơ cơ quan" in text_of(page.text)
    assert 'value="GDĐT"' in page.text
    # the school's page names the office that collects
    assert "Phòng Giáo dục và Đào tạo Quận 8" in text_of(client.get(f"/u/{tokens['MN-TT']}")
                                                          .text)


def _all_text(ws) -> str:
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)


def test_dashboard_downloads_a_signed_consolidation_and_word_report(site):
    import docx

    client, portal, rnd, tokens, tmp = site
    assert upload(client, tokens["MN-TT"], clean_return(portal, rnd, "MN-TT", tmp / "a")
                  ).status_code == 303
    login(client)
    dash = client.get(f"/van-phong/dot/{rnd.id}")
    assert "Chưa có" in text_of(dash.text) and "hồ sơ cơ quan" in text_of(dash.text)
    assert save_profile(client).status_code == 303
    dash = client.get(f"/van-phong/dot/{rnd.id}")
    assert "Tải báo cáo Word" in dash.text and "Nguyễn Văn An" in text_of(dash.text)
    r = client.get(f"/van-phong/dot/{rnd.id}/tong-hop?so=45&ngay=10%2F03%2F2023")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    first = _all_text(wb.worksheets[0])
    assert "Số: 45/BC-GDĐT" in first and "Quận 8, ngày 10 tháng 3 năm 2023" in first
    assert "Nguyễn Văn An" in first and "PHÓ TRƯỞNG PHÒNG" in first
    assert "Phòng Nội vụ Quận 8" in first
    r = client.get(f"/van-phong/dot/{rnd.id}/bao-cao-word?so=45&ngay=2023-03-10")
    assert r.status_code == 200 and ".docx" in r.headers["content-disposition"]
    (tmp / "bc.docx").write_bytes(r.content)
    d = docx.Document(str(tmp / "bc.docx"))
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(
        c.text for t in d.tables for row in t.rows for c in row.cells)
    assert "45/BC-GDĐT" in text and "Nguyễn Văn An" in text
    assert "ngày 10 tháng 3 năm 2023" in text and "Phòng Nội vụ Quận 8" in text
    bad = client.get(f"/van-phong/dot/{rnd.id}/bao-cao-word?ngay=31%2F02%2F2023")
    assert bad.status_code == 409 and "không hợp lệ" in text_of(bad.text)
    assert list((portal.dir / "xuat").iterdir()) == []  # exports are removed once sent


def test_check_page_uses_the_round_the_file_names(site):
    client, portal, rnd, tokens, tmp = site
    from cchc_xlsx.plans.units import load_units

    other, _ = portal.open_round(PLAN_001, load_units(UNITS_CSV), "q3-2023")
    path, _ = planted_return(portal, rnd, "MN-TT", tmp / "r")
    page = client.get("/kiem-tra")
    assert "tự nhận biết" in page.text
    for chosen in ("", str(other.id)):  # the file's own round wins over a wrong choice
        with open(path, "rb") as fh:
            r = client.post("/kiem-tra", data={"csrf": csrf_of(page.text), "dot": chosen},
                            files={"tep": (path.name, fh)})
        assert r.status_code == 200, text_of(r.text)
        shown = text_of(r.text)
        assert "Kiểm tra theo đợt: Quý I năm 2023" in shown and "Tệp có lỗi: 3 lỗi" in shown
    # a return of a period with no open round: one sentence, not 413
    with portal.store.tx() as c:  # the file's round is no longer open under its period
        c.execute("UPDATE web_rounds SET period_id = 'q9-2099' WHERE id = ?", (rnd.id,))
    with open(path, "rb") as fh:
        r = client.post("/kiem-tra", data={"csrf": csrf_of(page.text), "dot": ""},
                        files={"tep": (path.name, fh)})
    assert r.status_code == 200 and "chưa có đợt báo cáo nào đang mở" in text_of(r.text)
    assert list((portal.dir / "tam").iterdir()) == []


def test_check_page_on_a_spreadsheet_that_is_not_a_return(site):
    client, portal, rnd, tokens, tmp = site
    wb = Workbook()
    wb.active.append(["mã", "tên", "email"])
    wb.active.append(["MN-TT", "Trường Mầm non Tuổi Thơ", "a@b.vn"])
    path = tmp / "danh-sach.xlsx"
    wb.save(path)
    page = client.get("/kiem-tra")
    r = client.post("/kiem-tra", data={"csrf": csrf_of(page.text), "dot": str(rnd.id)},
                    files={"tep": (path.name, path.read_bytes())})
    shown = text_of(r.text)
    assert "không phải báo cáo theo mẫu" in shown and "0 lỗi" not in shown


def test_findings_group_identical_cells_and_hide_rule_ids(site):
    client, portal, rnd, tokens, tmp = site
    from .portal_kit import template_of

    blank = template_of(portal, rnd, "MN-TT", tmp / "b")
    r = upload(client, tokens["MN-TT"], blank)
    page = client.get(r.headers["location"]).text
    shown = text_of(page)
    assert "D17:M19" in shown and "(24 ô)" in shown
    assert shown.count("Chưa ghi số hồ sơ") == 1
    assert "tthc_counts_required" not in shown  # only in the tooltip
    assert 'title="Mã quy tắc: tthc_counts_required"' in page
    tabs = [m for m in re.findall(r"Trang «([^»]+)»", shown)]
    assert tabs == ["BC Nhiệm vụ", "BC Chỉ tiêu", "BC TTHC"]  # workbook order


def test_open_a_round_in_two_steps_from_a_word_plan(site):
    from cchc_xlsx.plans.plan_docx import write_plan_docx
    from cchc_xlsx.plans.plan_loader import load_plan

    client, portal, rnd, tokens, tmp = site
    login(client)
    doc = write_plan_docx(load_plan(PLAN_001), tmp / "ke-hoach.docx")
    page = client.get("/van-phong")
    assert ".docx" in page.text and "Kế hoạch (Word" in text_of(page.text)
    r = client.post("/van-phong/dot/nhap", data={"csrf": csrf_of(page.text)},
                    files={"ke_hoach": ("Kế hoạch CCHC 2023.docx", doc.read_bytes()),
                           "don_vi": ("dv.csv", UNITS_CSV.read_bytes())})
    assert r.status_code == 200
    shown = text_of(r.text)
    assert "Kế hoạch «Kế hoạch CCHC 2023.docx»" in shown and "Đã đọc" in shown
    assert "12 đơn vị" in shown
    options = re.findall(r'<option value="([^"]+)" data-due="([^"]+)"[^>]*>([^<]+)<', r.text)
    assert [o[0] for o in options] == [p.id for p in load_plan(PLAN_001).schedule]
    assert any("Quý III năm 2023" in o[2] for o in options)
    # every period of 2023 is past: the chosen one's due date is filled and the warning shows
    assert re.search(r'id="han" value="\d\d/\d\d/2023"', r.text)
    assert re.search(r'id="han-qua"\s*>', r.text)
    assert str(portal.dir) not in r.text
    token = re.search(r'name="phien" value="([^"]+)"', r.text).group(1)
    done = client.post("/van-phong/dot", data={"csrf": csrf_of(r.text), "phien": token,
                                               "ky": "q3-2023", "han": "15/10/2099"},
                       follow_redirects=False)
    assert done.status_code == 303
    opened = next(x for x in portal.rounds() if x.period_id == "q3-2023")
    assert opened.due.isoformat() == "2099-10-15"
    assert not list((portal.dir / "tam").glob("mo-*"))


def test_a_plan_that_cannot_be_read_names_the_users_file_only(site):
    client, portal, rnd, tokens, tmp = site
    login(client)
    page = client.get("/van-phong")
    r = client.post("/van-phong/dot/nhap", data={"csrf": csrf_of(page.text)},
                    files={"ke_hoach": ("kh.yaml", b"plan: [unclosed"),
                           "don_vi": ("dv.csv", UNITS_CSV.read_bytes())})
    assert r.status_code == 422 and "kh.yaml" in text_of(r.text)
    assert str(portal.dir) not in r.text and "/tam/" not in r.text
    assert not list((portal.dir / "tam").glob("mo-*"))


def test_revoke_and_reissue_name_the_unit_and_ask_first(site):
    client, portal, rnd, tokens, tmp = site
    login(client)
    dash = client.get(f"/van-phong/dot/{rnd.id}")
    assert 'data-confirm="Thu hồi đường dẫn của «Trường Mầm non Tuổi Thơ» (MN-TT)?' in dash.text
    assert 'data-confirm="Cấp đường dẫn mới cho «Trường Mầm non Tuổi Thơ» (MN-TT)?' in dash.text
    r = client.post(f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/thu-hoi",
                    data={"csrf": csrf_of(dash.text)})
    assert "Đã thu hồi đường dẫn của Trường Mầm non Tuổi Thơ (MN-TT)" in text_of(r.text)
    assert client.get(f"/u/{tokens['MN-TT']}").status_code == 404
    assert "đã thu hồi" in text_of(r.text)
    r = client.post(f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/cap-lai",
                    data={"csrf": csrf_of(r.text)})
    assert "Đã cấp đường dẫn mới cho Trường Mầm non Tuổi Thơ (MN-TT)" in text_of(r.text)
    assert "MN-TT" in portal.store.links(rnd.id)


def test_mail_buttons_say_why_they_are_off_without_smtp(site):
    client, portal, rnd, tokens, tmp = site
    login(client)
    dash = client.get(f"/van-phong/dot/{rnd.id}").text
    buttons = re.findall(r'<button type="submit" name="loai"[^>]*>', dash)
    assert len(buttons) == 2 and all("disabled" in b for b in buttons)
    assert "chưa được cấu hình máy chủ thư" in text_of(dash)


def test_receipt_times_have_seconds_and_status_sheet_says_received(site):
    client, portal, rnd, tokens, tmp = site
    assert upload(client, tokens["MN-TT"], clean_return(portal, rnd, "MN-TT", tmp / "a")
                  ).status_code == 303
    page = text_of(client.get(f"/u/{tokens['MN-TT']}").text)
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", page)
    login(client)
    r = client.get(f"/van-phong/dot/{rnd.id}/tong-hop")
    status = _all_text(load_workbook(io.BytesIO(r.content))["Tình hình nộp"])
    assert "thời gian sửa tệp" not in status


def test_annotated_copy_names_the_schools_file(site):
    client, portal, rnd, tokens, tmp = site
    path, _ = planted_return(portal, rnd, "MN-TT", tmp / "r", name="Báo cáo quý 1.xlsx")
    r = upload(client, tokens["MN-TT"], path)
    receipt = client.get(r.headers["location"])
    assert "Tải bản có đánh dấu lỗi" in receipt.text
    copy = client.get(r.headers["location"] + "/danh-dau")
    ws = load_workbook(io.BytesIO(copy.content)).worksheets[0]
    assert "Báo cáo quý 1.xlsx" in ws["A1"].value
    assert not re.search(r"[0-9a-f]{64}", ws["A1"].value)


def test_base_url_from_serve_is_used_by_the_link_commands(tmp_path):
    from click.testing import CliRunner

    from cchc_xlsx.cli import main
    from cchc_xlsx.web.profile import store_base_url

    data = tmp_path / "d"
    runner = CliRunner()
    r = runner.invoke(main, ["web", "open", "--data", str(data), "--plan", str(PLAN_001),
                             "--units", str(UNITS_CSV), "--period", "q1-2023"])
    assert r.exit_code == 0 and "8000" not in r.output
    store_base_url(data, "http://192.168.1.5:8765")  # what `serve` records when it starts
    r = runner.invoke(main, ["web", "links", "--data", str(data), "--period", "q1-2023"])
    assert r.exit_code == 0
    assert all(line.rsplit(",", 1)[1].startswith("http://192.168.1.5:8765/u/")
               for line in r.output.splitlines()[1:])




def test_cached_units_follow_a_reopening_from_another_process(site, tmp_path):
    """The portal caches a round's units (every school request needs them); ``web open``
    run from another process while it serves must still be seen at once."""
    import csv

    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.web.service import Portal

    client, portal, rnd, tokens, tmp = site
    assert len(portal.units(rnd)) == 12
    rows = list(csv.reader(UNITS_CSV.open(encoding="utf-8")))
    rows.append(["MN-MOI", "Trường Mầm non Mới", *rows[1][2:]])
    more = tmp_path / "them.csv"
    with more.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    other = Portal(portal.dir)  # its own Store, as the CLI would have
    other.open_round(PLAN_001, load_units(more), rnd.period_id)
    assert [u.code for u in portal.units(rnd)][-1] == "MN-MOI"


def test_the_saved_profile_round_trips_the_cli_sample(tmp_path):
    """One format: the CLI's sample profile, saved by the portal's writer, reads back equal
    (with this report's number and date too)."""
    from datetime import date

    from cchc_xlsx.plans.office_profile import save_office_profile

    from .conftest import SAMPLES

    sample = load_office_profile(SAMPLES / "office" / "phong-gddt-quan8.yaml")
    for profile in (sample, sample.with_run("45", date(2023, 3, 10))):
        path = save_office_profile(profile, tmp_path / "ho-so.yaml")
        assert load_office_profile(path) == profile


def test_a_unit_with_0_of_0_is_named_apart_on_th_chi_tieu(site):
    """A rate indicator of 0/0 reports, but neither meets nor fails: «TH Chỉ tiêu» names
    the unit apart instead of leaving it out of every list."""
    from .fill import Filler, fill_clean
    from .portal_kit import template_of

    client, portal, rnd, tokens, tmp = site
    f = fill_clean(Filler(template_of(portal, rnd, "MN-TT", tmp / "z")), 2)
    f.set("report_indicators", "ind:2.1", "numerator", 0)
    f.set("report_indicators", "ind:2.1", "denominator", 0)
    f.set("report_indicators", "ind:2.1", "met", None)
    assert upload(client, tokens["MN-TT"], f.save()).status_code == 303
    login(client)
    r = client.get(f"/van-phong/dot/{rnd.id}/tong-hop?kem_loi=1")
    ws = load_workbook(io.BytesIO(r.content))["TH Chỉ tiêu"]
    named = [c.value for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("Không xét (0/0")]
    assert named == ["Không xét (0/0 hoặc chưa đánh giá): Trường Mầm non Tuổi Thơ"]
