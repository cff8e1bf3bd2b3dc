"""``make serve-demo``'s data folder (web/demo.py): Sở GDĐT Sóc Trăng collecting its units'
six-month reports on its own plan (004), under its own profile — the sample returns go in
through the units' links and the consolidation comes out signed by the Sở's director."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from cchc_xlsx.web import app as web_app
from cchc_xlsx.web import demo
from cchc_xlsx.web.app import create_app

from .portal_kit import csrf_of

PASSWORD = "mat-khau-demo"


def upload(client, token: str, path: Path):
    page = client.get(f"/u/{token}")
    with open(path, "rb") as fh:
        return client.post(f"/u/{token}/nop", data={"csrf": csrf_of(page.text)},
                           files={"tep": (path.name, fh)}, follow_redirects=False)


def test_demo_round_is_the_sos_own_plan_reported_on_by_its_units(tmp_path, monkeypatch):
    monkeypatch.setattr(web_app, "FAILED_LOGIN_PAUSE", 0.0)
    data = tmp_path / "data"
    portal, rnd = demo.prepare(data, PASSWORD)
    assert rnd.period_id == "6t-2023"
    assert (data / "ho-so-co-quan.yaml").read_text(encoding="utf-8") == (
        demo.OFFICE.read_text(encoding="utf-8"))
    tokens = {code: url.rsplit("/", 1)[1] for code, _, _, url in portal.link_rows(rnd, "http://t")}
    assert set(tokens) == {"THPT-NTMK", "THPT-HD", "THPT-LL"}
    returns = {p.name.split("_")[0]: p for p in demo.RETURNS.glob("*.xlsx")}
    with TestClient(create_app(data, portal=portal)) as client:
        page = client.get(f"/u/{tokens['THPT-HD']}")
        assert page.status_code == 200 and "Trường THPT Hoàng Diệu" in page.text
        for code in ("THPT-HD", "THPT-NTMK", "THPT-LL"):
            r = upload(client, tokens[code], returns[code])
            assert r.status_code == 303, (code, r.text[:500])
        bad = client.get(r.headers["location"])
        assert "E15" in bad.text  # THPT-LL's planted status «xong»
        login = client.get("/dang-nhap")
        client.post("/dang-nhap", data={"csrf": csrf_of(login.text), "ten": "vanphong",
                                        "mat_khau": PASSWORD}, follow_redirects=False)
        got = client.get(f"/van-phong/dot/{rnd.id}/tong-hop")
        assert got.status_code == 200, got.text[:500]
    out = tmp_path / "tong-hop.xlsx"
    out.write_bytes(got.content)
    wb = openpyxl.load_workbook(out)
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                    if c.value is not None)
    assert "Châu Tuấn Hồng" in text and "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text
    assert "Trường THPT Hoàng Diệu" in text and "Quận 8" not in text
