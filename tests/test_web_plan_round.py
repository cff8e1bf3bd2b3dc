"""A plan round in the portal (issue 20, "CLI and portal alike"): a round opened on plan
004's period of kind "plan" (kh-2023) gives each unit's link its plan draft, checks an
uploaded plan with the unit-plan checks, records it like a report, and the dashboard's
consolidation is "Tình hình ban hành kế hoạch của các đơn vị"."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import openpyxl
import pytest
from fastapi.testclient import TestClient

from cchc_xlsx.plans.units import load_units
from cchc_xlsx.web import app as web_app
from cchc_xlsx.web.app import create_app
from cchc_xlsx.web.service import Portal

from .plan_fill import PlanFiller, fill_plan_clean
from .portal_kit import csrf_of

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
PLAN = ROOT / "samples" / "plans" / "004-sgddt-soctrang-2023.yaml"
UNITS = ROOT / "samples" / "units" / "soctrang-don-vi.csv"
OFFICE = ROOT / "samples" / "office" / "sgddt-soctrang.yaml"
PASSWORD = "mat-khau-ke-hoach"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(web_app, "FAILED_LOGIN_PAUSE", 0.0)
    data = tmp_path / "data"
    portal = Portal(data, pool=ThreadPoolExecutor(2))
    rnd, _ = portal.open_round(PLAN, load_units(UNITS), "kh-2023",
                               date.today() + timedelta(7))
    portal.add_user("vanphong", PASSWORD)
    shutil.copyfile(OFFICE, data / "ho-so-co-quan.yaml")
    tokens = {code: url.rsplit("/", 1)[1] for code, _, _, url in portal.link_rows(rnd, "http://t")}
    with TestClient(create_app(data, portal=portal)) as client:
        yield client, portal, rnd, tokens, tmp_path
    portal.pool.shutdown()


def upload(client, token, path):
    page = client.get(f"/u/{token}")
    with open(path, "rb") as fh:
        return client.post(f"/u/{token}/nop", data={"csrf": csrf_of(page.text)},
                           files={"tep": (path.name, fh)}, follow_redirects=False)


def draft(client, token, out):
    r = client.get(f"/u/{token}/mau")
    assert r.status_code == 200
    assert "D%E1%BB%B1%20th%E1%BA%A3o" in r.headers["content-disposition"]  # «Dự thảo …»
    out.write_bytes(r.content)
    return out


def test_unit_gets_its_draft_sends_its_plan_and_the_office_consolidates(site):
    client, portal, rnd, tokens, tmp = site
    page = client.get(f"/u/{tokens['THPT-NTMK']}")
    assert "Tải bản dự thảo kế hoạch của đơn vị" in page.text
    assert "Tải mẫu báo cáo" not in page.text
    path = draft(client, tokens["THPT-NTMK"], tmp / "ntmk.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "Trường THPT Chuyên Nguyễn Thị Minh Khai" in " ".join(
        str(c.value) for ws in wb for row in ws.iter_rows(max_row=12) for c in row if c.value)

    f = PlanFiller(path)
    fill_plan_clean(f, "03/KH-NTMK", "Sóc Trăng, ngày 16 tháng 01 năm 2023", "Trần Văn Minh")
    filled = f.save(tmp / "ntmk-filled.xlsx")
    r = upload(client, tokens["THPT-NTMK"], filled)
    assert r.status_code == 303, r.text[:800]
    receipt = client.get(r.headers["location"])
    assert receipt.status_code == 200
    # a plan round: a plan, not a report
    assert "<dt>Đợt</dt>" in receipt.text and "Kỳ báo cáo" not in receipt.text
    [row] = [x for x in portal.board(rnd).rows if x.code == "THPT-NTMK"]
    assert row.submitted and row.valid and row.errors == 0

    # one unit's plan sent through another unit's link is refused, nothing recorded
    other = draft(client, tokens["THPT-HD"], tmp / "hd.xlsx")
    r = upload(client, tokens["THPT-LL"], other)
    assert r.status_code == 422 and "đơn vị khác" in r.text
    assert not [x for x in portal.board(rnd).rows if x.code == "THPT-LL"][0].submitted

    # a plan with its number left blank is recorded with the error at its cell
    f = PlanFiller(draft(client, tokens["THPT-HD"], tmp / "hd2.xlsx"))
    fill_plan_clean(f, "x", "Sóc Trăng, ngày 20 tháng 01 năm 2023", "Lê Thị Hồng Nhung")
    f.doc("number", None)
    r = upload(client, tokens["THPT-HD"], f.save(tmp / "hd-filled.xlsx"))
    assert r.status_code == 303
    shown = client.get(r.headers["location"]).text
    assert f.doc_cell("number").coordinate in shown
    [row] = [x for x in portal.board(rnd).rows if x.code == "THPT-HD"]
    assert row.submitted and not row.valid
    number_cell = f.doc_cell("number").coordinate
    marked = client.get(r.headers["location"].split("?")[0] + "/danh-dau")
    assert marked.status_code == 200, marked.text[:500]
    (tmp / "marked.xlsx").write_bytes(marked.content)
    ws = openpyxl.load_workbook(tmp / "marked.xlsx")[f.doc_cell("number").parent.title]
    assert ws[number_cell].comment is not None  # the plan checks' finding, at its cell

    # «kiểm tra tệp» on the plan round: the same plan checks, nothing stored
    page = client.get("/kiem-tra")
    before = sorted(p.name for p in (portal.dir / "tep").iterdir())
    with open(tmp / "hd-filled.xlsx", "rb") as fh:
        r = client.post("/kiem-tra", data={"csrf": csrf_of(page.text), "dot": str(rnd.id)},
                        files={"tep": ("hd.xlsx", fh)})
    assert r.status_code == 200 and f'data-label="Ô">{number_cell}</td>' in r.text
    assert sorted(p.name for p in (portal.dir / "tep").iterdir()) == before

    login = client.get("/dang-nhap")
    client.post("/dang-nhap", data={"csrf": csrf_of(login.text), "ten": "vanphong",
                                    "mat_khau": PASSWORD}, follow_redirects=False)
    dash = client.get(f"/van-phong/dot/{rnd.id}")
    assert dash.status_code == 200 and "Trường THPT Lê Lợi" in dash.text
    got = client.get(f"/van-phong/dot/{rnd.id}/tong-hop")
    assert got.status_code == 200, got.text[:800]
    word = client.get(f"/van-phong/dot/{rnd.id}/bao-cao-word")
    assert word.status_code == 409 and "không có báo cáo Word" in word.text
    out = tmp / "tong-hop.xlsx"
    out.write_bytes(got.content)
    wb = openpyxl.load_workbook(out)
    cells = [[c.value for c in row] for ws in wb for row in ws.iter_rows()]
    text = " ".join(str(v) for row in cells for v in row if v is not None)
    assert "TÌNH HÌNH BAN HÀNH KẾ HOẠCH" in text and "Châu Tuấn Hồng" in text
    ntmk = [row for row in cells if "Trường THPT Chuyên Nguyễn Thị Minh Khai" in row]
    assert ntmk and any("03/KH-NTMK" in str(v) for v in ntmk[0]), ntmk
    ll = [row for row in cells if "Trường THPT Lê Lợi" in row]
    assert ll and not any("KH-" in str(v) for v in ll[0])
