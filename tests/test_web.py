"""The portal through HTTP (Starlette's TestClient over httpx): a school's link, the
office's pages, and each security point of issue 8, asserted on status codes, headers,
the database and the data folder, never on the handlers' internals."""

from __future__ import annotations

import os
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cchc_xlsx.web import app as web_app
from cchc_xlsx.web.app import create_app
from cchc_xlsx.web.security import content_disposition
from cchc_xlsx.web.service import MAX_UPLOAD, TOKEN_BYTES

from .conftest import SAMPLES
from .portal_kit import (
    PASSWORD,
    XSS_IMG,
    XSS_SCRIPT,
    clean_return,
    csrf_of,
    hostile_text_return,
    open_portal,
    planted_return,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def base_data(tmp_path_factory):
    """One opened round (templates, links, account), copied for each test: generating
    twelve templates and hashing a password per test would dominate the run."""
    import gc

    data = tmp_path_factory.mktemp("base") / "data"
    portal, _, _ = open_portal(data)
    portal.pool.shutdown()
    del portal
    gc.collect()  # closes its SQLite connections, so the copy is a settled database
    return data


@pytest.fixture
def site(tmp_path, monkeypatch, base_data):
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from cchc_xlsx.web.service import Portal

    monkeypatch.setattr(web_app, "FAILED_LOGIN_PAUSE", 0.0)
    shutil.copytree(base_data, tmp_path / "data")
    portal = Portal(tmp_path / "data", pool=ThreadPoolExecutor(2))
    [rnd] = portal.rounds()
    tokens = {code: url.rsplit("/", 1)[1]
              for code, _, _, url in portal.link_rows(rnd, "http://t")}
    with TestClient(create_app(tmp_path / "data", portal=portal)) as client:
        yield client, portal, rnd, tokens, tmp_path
    portal.pool.shutdown()


def rows(portal) -> list[sqlite3.Row]:
    with portal.store.conn() as c:
        return c.execute("SELECT * FROM submissions ORDER BY id").fetchall()


def upload(client, token: str, path: Path, name: str | None = None, **extra):
    page = client.get(f"/u/{token}")
    data = {"csrf": csrf_of(page.text), **extra}
    with open(path, "rb") as fh:
        return client.post(f"/u/{token}/nop", data=data,
                           files={"tep": (name or path.name, fh)}, follow_redirects=False)


def login(client, password: str = PASSWORD, name: str = "vanphong"):
    page = client.get("/dang-nhap")
    return client.post("/dang-nhap", data={"csrf": csrf_of(page.text), "ten": name,
                                           "mat_khau": password}, follow_redirects=False)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the school's page ----------------------------------------------------------------


def test_link_page_shows_unit_period_due_and_template(site):
    client, portal, rnd, tokens, _ = site
    page = client.get(f"/u/{tokens['MN-SM']}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Trường Mầm non Sơn Ca" in text and "Quý I năm 2023" in text and "05/03/2023" in text
    assert "Trường Mầm non Tuổi Thơ" not in text
    tpl = client.get(f"/u/{tokens['MN-SM']}/mau")
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    ident = {r[0]: r[1] for r in load_workbook(io.BytesIO(tpl.content))["_cchc"]
             .iter_rows(values_only=True)}
    assert ident["unit_code"] == "MN-SM" and ident["period_id"] == "q1-2023"


def test_planted_mistakes_shown_at_their_cells_and_recorded_with_errors(site):
    client, portal, rnd, tokens, tmp = site
    path, planted = planted_return(portal, rnd, "MN-TT", tmp / "r")
    r = upload(client, tokens["MN-TT"], path)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    text = text_of(page.text)
    assert "có lỗi" in text
    for (sheet, cell), rule in planted.items():
        block = page.text.split(f"Trang «{sheet}»", 1)[1].split("<h3>", 1)[0]
        row = re.search(rf'<td class="cell"[^>]*>{cell}</td>.*?</tr>', block, re.S)
        assert row and rule in row.group(0), (sheet, cell, rule)
    [row] = rows(portal)
    assert row["unit_code"] == "MN-TT" and row["valid"] == 0 and row["errors"] == 3
    code = re.search(r'id="bien-nhan">([0-9A-F-]+)<', page.text).group(1)
    assert code.replace("-", "").lower() == row["sha256"][:10]
    annotated = client.get(r.headers["location"] + "/danh-dau")
    assert annotated.status_code == 200 and annotated.content[:2] == b"PK"


def test_resubmission_replaces_and_history_is_kept(site):
    client, portal, rnd, tokens, tmp = site
    bad, _ = planted_return(portal, rnd, "MN-TT", tmp / "r1")
    good = clean_return(portal, rnd, "MN-TT", tmp / "r2")
    upload(client, tokens["MN-TT"], bad)
    r = upload(client, tokens["MN-TT"], good)
    assert "hợp lệ" in text_of(client.get(r.headers["location"]).text)
    first, second = rows(portal)
    assert second["replaces"] == first["id"] and second["valid"] == 1
    page = text_of(client.get(f"/u/{tokens['MN-TT']}").text)
    assert page.count("Xem kết quả") == 2 and "bản đang dùng" in page


def test_same_bytes_twice_is_one_submission(site):
    client, portal, rnd, tokens, tmp = site
    good = clean_return(portal, rnd, "MN-HM", tmp / "r")
    first = upload(client, tokens["MN-HM"], good)
    again = upload(client, tokens["MN-HM"], good, name="ban-sao.xlsx")
    assert first.headers["location"] in again.headers["location"]
    assert "da-co" in again.headers["location"]
    assert len(rows(portal)) == 1
    assert len(list((portal.dir / "tep").iterdir())) == 1


def test_check_only_stores_nothing(site):
    client, portal, rnd, tokens, tmp = site
    path, planted = planted_return(portal, rnd, "MN-TT", tmp / "r")
    page = client.get("/kiem-tra")
    with open(path, "rb") as fh:
        r = client.post("/kiem-tra", data={"csrf": csrf_of(page.text), "dot": str(rnd.id)},
                        files={"tep": (path.name, fh)})
    assert r.status_code == 200
    for (_, cell), _rule in planted.items():
        assert f'<td class="cell" data-label="Ô">{cell}</td>' in r.text
    assert rows(portal) == []
    assert list((portal.dir / "tep").iterdir()) == []
    assert list((portal.dir / "tam").iterdir()) == []


# --- security: a link shows only its unit ---------------------------------------------


def test_tokens_are_long_random_and_distinct(site):
    _, _, _, tokens, _ = site
    assert TOKEN_BYTES * 8 >= 128
    assert len(set(tokens.values())) == len(tokens)
    for token in tokens.values():
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 random bytes, url-safe


def test_guessed_and_revoked_tokens_open_nothing(site):
    client, portal, rnd, tokens, _ = site
    real = tokens["MN-TT"]
    for guess in (real[:-1] + ("A" if real[-1] != "A" else "B"), "1", "", "../admin",
                  real.upper(), "x" * 500):
        r = client.get(f"/u/{guess}")
        assert r.status_code == 404 and "Tuổi Thơ" not in r.text
    new = portal.reissue(rnd, "MN-TT")
    assert client.get(f"/u/{real}").status_code == 404
    assert client.get(f"/u/{new}").status_code == 200


def test_another_units_receipt_and_file_are_unreachable(site):
    client, portal, rnd, tokens, tmp = site
    path, _ = planted_return(portal, rnd, "MN-TT", tmp / "r")
    loc = upload(client, tokens["MN-TT"], path).headers["location"]
    sha = loc.rsplit("/", 1)[1]
    other = tokens["MN-HM"]
    for url in (f"/u/{other}/bien-nhan/{sha}", f"/u/{other}/bien-nhan/{sha}/danh-dau",
                f"/u/{other}/bien-nhan/{sha[:10]}", f"/u/{other}/bien-nhan/1"):
        r = client.get(url)
        assert r.status_code == 404 and "Tuổi Thơ" not in r.text, url
    assert "Tuổi Thơ" not in client.get(f"/u/{other}").text
    # the office's URLs (walking round ids and codes) need a login
    for url in (f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/{sha}/tep",
                f"/van-phong/dot/{rnd.id}/don-vi/MN-TT", f"/van-phong/dot/{rnd.id + 1}"):
        assert client.get(url, follow_redirects=False).status_code == 303


def test_form_fields_cannot_redirect_an_upload_to_another_unit(site):
    client, portal, rnd, tokens, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    r = upload(client, tokens["MN-HM"], good, unit_code="MN-TT", dot="99", don_vi="MN-TT")
    assert r.status_code == 422
    assert "đơn vị khác" in text_of(r.text)
    assert rows(portal) == []
    own = upload(client, tokens["MN-TT"], good, unit_code="MN-HM")
    assert own.status_code == 303
    [row] = rows(portal)
    assert row["unit_code"] == "MN-TT"
    # the same bytes can no longer be claimed through another link
    again = upload(client, tokens["MN-HM"], good)
    assert again.status_code == 422 and len(rows(portal)) == 1


# --- security: office login, passwords, cookies, CSRF, throttling ---------------------


def test_office_pages_need_login(site):
    client, portal, rnd, _, _ = site
    for url in ("/van-phong", f"/van-phong/dot/{rnd.id}", f"/van-phong/dot/{rnd.id}/bang",
                f"/van-phong/dot/{rnd.id}/tong-hop", f"/van-phong/dot/{rnd.id}/bai-nop.zip",
                f"/van-phong/dot/{rnd.id}/mau.zip", f"/van-phong/dot/{rnd.id}/duong-dan.csv"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dang-nhap", url
    client.cookies.set("cchc_phien", "forged-session-value")
    assert client.get("/van-phong", follow_redirects=False).status_code == 303


def test_passwords_are_argon2_and_cookies_httponly_samesite(site):
    client, portal, _, _, _ = site
    stored = portal.store.user_hash("vanphong")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    r = login(client)
    assert r.status_code == 303
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("cchc_phien="))
    assert "HttpOnly" in session and re.search(r"SameSite=(lax|strict)", session, re.I)
    csrf = client.get("/").headers.get("set-cookie") or ""
    first = client.cookies.get("cchc_csrf")
    assert first and ("HttpOnly" in csrf or not csrf)
    assert client.get("/van-phong").status_code == 200


def test_every_state_changing_form_needs_the_csrf_token(site):
    client, portal, rnd, tokens, tmp = site
    assert login(client).status_code == 303
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    posts = [
        (f"/u/{tokens['MN-TT']}/nop", True),
        ("/kiem-tra", True),
        (f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/cap-lai", False),
        (f"/van-phong/dot/{rnd.id}/thu", False),
        ("/van-phong/dot", False),
        ("/van-phong/dot/nhap", False),
        (f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/thu-hoi", False),
        ("/van-phong/ho-so", False),
        ("/dang-xuat", False),
        ("/dang-nhap", False),
    ]
    for url, with_file in posts:
        for token in (None, "wrong-token-value-wrong-token-value"):
            data = {"ten": "vanphong", "mat_khau": PASSWORD, "dot": str(rnd.id),
                    "loai": "nhac"}
            if token:
                data["csrf"] = token
            files = {"tep": (good.name, good.read_bytes())} if with_file else None
            r = client.post(url, data=data, files=files, follow_redirects=False)
            assert r.status_code == 403, (url, token, r.status_code)
    assert rows(portal) == []
    assert portal.link_rows(rnd, "http://t")[0][3].endswith(tokens["MN-TT"])
    assert client.get("/van-phong").status_code == 200  # still logged in


def test_repeated_failed_logins_are_slowed(site, monkeypatch):
    client, portal, _, _, _ = site
    now = [1000.0]
    portal.clock = lambda: now[0]
    for _ in range(3):
        assert login(client, "sai-mat-khau").status_code == 401
    r = login(client)  # even the right password must wait now
    assert r.status_code == 429 and "hãy đợi" in text_of(r.text)
    now[0] += 2.5
    assert login(client, "sai-nua").status_code == 401
    r = login(client)
    assert r.status_code == 429  # the wait doubled
    now[0] += 4.5
    assert login(client).status_code == 303


def test_failed_login_costs_time_and_unknown_user_same_answer(site, monkeypatch):
    import time

    client, portal, _, _, _ = site
    monkeypatch.setattr(web_app, "FAILED_LOGIN_PAUSE", 0.3)
    t = time.perf_counter()
    a = login(client, "sai-mat-khau")
    assert time.perf_counter() - t >= 0.3
    b = login(client, PASSWORD, name="khong-co-ai")
    assert a.status_code == b.status_code == 401
    assert text_of(a.text).count("không đúng") == text_of(b.text).count("không đúng") == 1


# --- security: uploads ----------------------------------------------------------------


def test_upload_size_limit_refused_by_content_length(site):
    client, portal, rnd, tokens, _ = site
    page = client.get(f"/u/{tokens['MN-TT']}")
    big = b"PK\x03\x04" + b"\0" * (MAX_UPLOAD + 1024)
    r = client.post(f"/u/{tokens['MN-TT']}/nop", data={"csrf": csrf_of(page.text)},
                    files={"tep": ("to.xlsx", big)})
    assert r.status_code == 413 and "20 MB" in text_of(r.text)
    assert rows(portal) == [] and list((portal.dir / "tam").iterdir()) == []


def test_upload_size_limit_enforced_while_streaming(site):
    """A chunked body (no Content-Length) is cut off once it passes the limit: the app
    stops pulling body chunks from the server, so the rest is never read or stored."""
    import asyncio

    client, portal, rnd, tokens, _ = site
    page = client.get(f"/u/{tokens['MN-TT']}")
    csrf = csrf_of(page.text)
    boundary = "xxBOUNDARYxx"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}"
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; "
            "filename=\"to.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    chunks = [head.encode()] + [b"\0" * (1 << 20)] * 64  # would be 64 MB
    pulled = [0]

    async def receive():
        i = pulled[0]
        pulled[0] += 1
        if i < len(chunks):
            return {"type": "http.request", "body": chunks[i], "more_body": True}
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": f"/u/{tokens['MN-TT']}/nop",
             "raw_path": f"/u/{tokens['MN-TT']}/nop".encode(), "root_path": "",
             "scheme": "http", "query_string": b"", "http_version": "1.1",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"testserver"),
                         (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                         (b"cookie", f"cchc_csrf={csrf}".encode())]}
    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled[0] <= 23  # 20 MB and a little: never the 64 chunks offered
    assert rows(portal) == [] and list((portal.dir / "tam").iterdir()) == []


@pytest.mark.parametrize("name, content, code", [
    ("csv.xlsx", (SAMPLES / "returns" / "TH-BD_truong-tieu-hoc-binh-dong.xlsx").read_bytes(),
     "CSV"),
    ("trong.xlsx", b"", "rỗng"),
    ("hong.xlsx", b"PK\x03\x04" + os.urandom(3000), ""),
])
def test_hostile_or_unusable_files_get_one_sentence_and_are_not_kept(site, name, content,
                                                                    code, monkeypatch):
    client, portal, rnd, tokens, tmp = site
    from cchc_xlsx.reading import reader

    def no_parser(*a, **k):
        raise AssertionError("a parser saw a file the guard should have refused")

    monkeypatch.setattr(reader, "open_book", no_parser)
    monkeypatch.setattr(reader, "_open_inspected", no_parser)  # read_workbook's way in
    path = tmp / name
    path.write_bytes(content)
    r = upload(client, tokens["MN-TT"], path)
    assert r.status_code == 422
    refusal = re.search(r'id="tu-choi"><p class="lead">(.*?)</p>', r.text, re.S).group(1)
    assert refusal.count(". ") == 0 and refusal.endswith(".") and code in refusal
    assert str(portal.dir) not in r.text  # never the stored path
    assert rows(portal) == [] and list((portal.dir / "tep").iterdir()) == []
    assert list((portal.dir / "tam").iterdir()) == []


def test_zip_bomb_refused_by_the_guard(site, monkeypatch):
    client, portal, rnd, tokens, tmp = site
    from cchc_xlsx.reading import reader

    for way_in in ("open_book", "_open_inspected"):  # read_workbook's is the second
        monkeypatch.setattr(reader, way_in, lambda *a, **k: (_ for _ in ()).throw(
            AssertionError("parser reached")))
    bomb = tmp / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    r = upload(client, tokens["MN-TT"], bomb)
    assert r.status_code == 422 and rows(portal) == []


def test_user_file_names_never_become_paths(site):
    client, portal, rnd, tokens, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    evil = "../../../../tmp/cchc-evil<b>.xlsx"
    r = upload(client, tokens["MN-TT"], good, name=evil)
    assert r.status_code == 303
    stored = list((portal.dir / "tep").iterdir())
    [row] = rows(portal)
    assert [p.name for p in stored] == [f"{row['sha256']}.xlsx"]
    assert not Path("/tmp/cchc-evil<b>.xlsx").exists()
    page = client.get(r.headers["location"]).text
    assert "cchc-evil&lt;b&gt;.xlsx" in page and "<b>.xlsx" not in page


def test_markup_from_cells_is_shown_as_text(site):
    client, portal, rnd, tokens, tmp = site
    path = hostile_text_return(portal, rnd, "MN-TT", tmp / "r")
    r = upload(client, tokens["MN-TT"], path, name='<script>x</script>.xlsx')
    page = client.get(r.headers["location"]).text
    assert XSS_SCRIPT not in page and "<script>x</script>" not in page
    assert XSS_IMG not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "default-src 'self'" in client.get(r.headers["location"]).headers[
        "content-security-policy"]


def test_content_disposition_is_safe_and_rfc5987():
    h = content_disposition('Tổng hợp "Quý I"\r\nX-Evil: 1/../a.xlsx')
    assert "\r" not in h and "\n" not in h
    fallback = re.search(r'filename="([^"]*)"', h).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", fallback)
    assert "filename*=UTF-8''" in h
    encoded = h.split("filename*=UTF-8''", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", encoded)
    from urllib.parse import unquote

    assert "/" not in unquote(encoded) and unquote(encoded).endswith("-a.xlsx")  # no path
    h = content_disposition("Tổng hợp Quý I.xlsx")
    assert unquote(h.split("filename*=UTF-8''", 1)[1]) == "Tổng hợp Quý I.xlsx"


def test_downloads_carry_vietnamese_names(site):
    client, portal, rnd, tokens, tmp = site
    r = client.get(f"/u/{tokens['MN-SM']}/mau")
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment; filename=\"")
    assert "filename*=UTF-8''M%E1%BA%ABu%20b%C3%A1o%20c%C3%A1o" in cd


def test_pages_send_protective_headers(site):
    client, _, _, tokens, _ = site
    r = client.get(f"/u/{tokens['MN-TT']}")
    assert r.headers["referrer-policy"] == "no-referrer"  # the link never leaks onward
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self'
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    # scripts and styles come from the package itself: an office LAN may have no internet
    assert re.findall(r'<script[^>]*src="([^"]+)"', r.text) == ["/tinh/portal.js"]
    assert re.findall(r'<link[^>]*href="([^"]+)"', r.text) == ["/tinh/favicon.svg",
                                                                 "/tinh/portal.css"]
    js = client.get("/tinh/portal.js")
    assert js.status_code == 200 and "data-poll" in js.text and "http" not in js.text


# --- the office -----------------------------------------------------------------------


def test_dashboard_totals_links_and_chase_list(site):
    client, portal, rnd, tokens, tmp = site
    bad, _ = planted_return(portal, rnd, "MN-TT", tmp / "r1")
    upload(client, tokens["MN-TT"], bad)
    upload(client, tokens["MN-HM"], clean_return(portal, rnd, "MN-HM", tmp / "r2"))
    assert login(client).status_code == 303
    page = client.get(f"/van-phong/dot/{rnd.id}")
    text = text_of(page.text)
    assert "Phải nộp 12" in text and "Đã nộp 2" in text and "Hợp lệ 1" in text
    assert "Có lỗi 1" in text and "Chưa nộp 10" in text
    chase = re.search(r'<textarea id="can-nhac"[^>]*>(.*?)</textarea>', page.text, re.S)
    lines = chase.group(1).strip().splitlines()
    assert len(lines) == 11 and any(ln.startswith("MN-TT\t") and "có lỗi" in ln
                                    for ln in lines)
    assert not any(ln.startswith("MN-HM\t") for ln in lines)
    part = client.get(f"/van-phong/dot/{rnd.id}/bang")
    assert part.status_code == 200 and 'data-poll=' in part.text
    row = re.search(r'<tr id="dv-MN-TT".*?</tr>', page.text, re.S).group(0)
    sha = rows(portal)[0]["sha256"]
    for href in re.findall(r'href="([^"]+)"', row):
        assert client.get(href).status_code == 200, href
    assert any(sha in h for h in re.findall(r'href="([^"]+)"', row))
    csv_text = client.get(f"/van-phong/dot/{rnd.id}/duong-dan.csv").text
    assert csv_text.lstrip("\ufeff").splitlines()[0] == "mã,tên,email,đường dẫn"
    assert tokens["MN-TT"] in csv_text


def test_office_downloads_zip_of_returns_and_templates(site):
    client, portal, rnd, tokens, tmp = site
    bad, _ = planted_return(portal, rnd, "MN-TT", tmp / "r1")
    upload(client, tokens["MN-TT"], bad)
    upload(client, tokens["MN-TT"], clean_return(portal, rnd, "MN-TT", tmp / "r2"))
    login(client)
    import io

    z = zipfile.ZipFile(io.BytesIO(client.get(f"/van-phong/dot/{rnd.id}/bai-nop.zip").content))
    names = z.namelist()
    assert "MN-TT_truong-mam-non-tuoi-tho.xlsx" in names
    assert sum(n.startswith("ban-truoc/") for n in names) == 1
    t = zipfile.ZipFile(io.BytesIO(client.get(f"/van-phong/dot/{rnd.id}/mau.zip").content))
    assert len(t.namelist()) == 12
    assert list((portal.dir / "xuat").iterdir()) == []  # per-request exports, removed


def test_consolidated_valid_only_or_with_invalid(site):
    import io

    from openpyxl import load_workbook

    client, portal, rnd, tokens, tmp = site
    bad, _ = planted_return(portal, rnd, "MN-TT", tmp / "r1")
    upload(client, tokens["MN-TT"], bad)
    upload(client, tokens["MN-HM"], clean_return(portal, rnd, "MN-HM", tmp / "r2"))
    login(client)

    def counted(flag: str) -> list[str]:
        r = client.get(f"/van-phong/dot/{rnd.id}/tong-hop{flag}")
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content))["TH TTHC"]
        return [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)
                if ws.cell(r, 2).value in ("Trường Mầm non Tuổi Thơ", "Trường Mầm non Họa Mi")]

    assert counted("") == ["Trường Mầm non Họa Mi"]
    assert sorted(counted("?kem_loi=1")) == ["Trường Mầm non Họa Mi", "Trường Mầm non Tuổi Thơ"]


def test_open_round_in_the_page_and_reissue(site):
    client, portal, rnd, tokens, tmp = site
    login(client)
    page = client.get("/van-phong")
    from .conftest import PLAN_001, UNITS_CSV

    r = client.post("/van-phong/dot", data={"csrf": csrf_of(page.text), "ky": "q3-2023"},
                    files={"ke_hoach": ("kh.yaml", PLAN_001.read_bytes()),
                           "don_vi": ("dv.csv", UNITS_CSV.read_bytes())},
                    follow_redirects=False)
    assert r.status_code == 303
    assert len(portal.rounds()) == 2
    bad = client.post("/van-phong/dot", data={"csrf": csrf_of(page.text), "ky": "q9-2099"},
                      files={"ke_hoach": ("kh.yaml", PLAN_001.read_bytes()),
                             "don_vi": ("dv.csv", UNITS_CSV.read_bytes())})
    # a failed form keeps what was read and typed, and names no server path
    assert bad.status_code == 422 and "Hãy chọn kỳ báo cáo" in text_of(bad.text)
    assert 'name="phien"' in bad.text and "Kế hoạch «kh.yaml»" in text_of(bad.text)
    assert str(portal.dir) not in bad.text and "/tam/" not in bad.text
    dash = client.get(f"/van-phong/dot/{rnd.id}")
    r = client.post(f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/cap-lai",
                    data={"csrf": csrf_of(dash.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/u/{tokens['MN-TT']}").status_code == 404


# --- the commands ---------------------------------------------------------------------


def test_web_commands_open_links_reissue_and_user(tmp_path):
    from click.testing import CliRunner

    from cchc_xlsx.cli import main

    from .conftest import PLAN_001, UNITS_CSV

    data = str(tmp_path / "d")
    run = CliRunner().invoke
    r = run(main, ["web", "open", "--data", data, "--plan", str(PLAN_001), "--units",
                   str(UNITS_CSV), "--period", "q1-2023", "--due", "05/04/2023"])
    assert r.exit_code == 0 and "hạn nộp 05/04/2023" in r.output and "12 đường dẫn" in r.output
    again = run(main, ["web", "open", "--data", data, "--plan", str(PLAN_001), "--units",
                       str(UNITS_CSV), "--period", "q1-2023"])
    assert again.exit_code == 0 and "cấp mới 0 đường dẫn" in again.output  # links kept
    links = run(main, ["web", "links", "--data", data, "--period", "q1-2023", "--base-url",
                       "https://cchc.example/"])
    lines = links.output.splitlines()
    assert lines[0] == "mã,tên,email,đường dẫn" and len(lines) == 13
    old = next(ln for ln in lines if ln.startswith("MN-TT,")).rsplit(",", 1)[1]
    assert old.startswith("https://cchc.example/u/")
    r = run(main, ["web", "reissue", "--data", data, "--period", "q1-2023", "--unit", "MN-TT"])
    assert r.exit_code == 0 and "đường dẫn cũ đã bị thu hồi" in r.output
    after = run(main, ["web", "links", "--data", data, "--period", "q1-2023", "--base-url",
                       "https://cchc.example"]).output
    assert old not in after and "MN-TT," in after
    bad = run(main, ["web", "links", "--data", data, "--period", "q9-2030"])
    assert bad.exit_code == 2 and "Chưa có đợt báo cáo" in bad.output
    nopass = run(main, ["web", "user", "add", "a", "--data", data], input="")
    assert nopass.exit_code == 2 and "CCHC_PASSWORD" in nopass.output
    short = run(main, ["web", "user", "add", "a", "--data", data],
                env={"CCHC_PASSWORD": "ngan"})
    assert short.exit_code == 2 and "ít nhất 8" in short.output
    ok = run(main, ["web", "user", "add", "a", "--data", data],
             env={"CCHC_PASSWORD": "mat-khau-dai"})
    assert ok.exit_code == 0
    from cchc_xlsx.web.store import Store

    assert Store(data).user_hash("a").startswith("$argon2id$")


def test_same_bytes_for_two_links_at_once_keeps_the_accepted_copy(site):
    """Two schools send the same bytes in one batch: the owner's copy is stored, the
    other is refused, and the refusal never removes the stored file."""
    import shutil

    from cchc_xlsx.inbox.history import file_sha256
    from cchc_xlsx.web import checker

    client, portal, rnd, tokens, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    sha = file_sha256(good)
    jobs = []
    for unit in ("MN-HM", "MN-TT", "MN-HM"):
        spooled = portal.dir / "tam" / f"{unit}-{len(jobs)}.tmp"
        shutil.copy(good, spooled)
        jobs.append({"tmp": str(spooled), "files_dir": str(portal.dir / "tep"), "sha256": sha,
                     "shown": good.name, "unit": unit, "plan_id": rnd.plan_id,
                     "period_id": rnd.period_id})
    units = {(rnd.plan_id, rnd.period_id): [u.unit for u in portal.units(rnd)]}
    refused_first, accepted, refused_last = checker.check_uploads(jobs, units)
    assert refused_first["refusal"] and refused_last["refusal"]
    assert not accepted.get("refusal") and accepted["stored_name"] == f"{sha}.xlsx"
    assert [p.name for p in (portal.dir / "tep").iterdir()] == [f"{sha}.xlsx"]
    assert list((portal.dir / "tam").iterdir()) == []


def test_a_round_opens_from_a_word_plan_kept_as_its_yaml(tmp_path):
    """An office with only the plan document opens a round from it; the portal keeps the plan
    it read (YAML), so later pages never re-read the document."""
    from click.testing import CliRunner

    from cchc_xlsx.cli import main
    from cchc_xlsx.plans.plan_docx import write_plan_docx
    from cchc_xlsx.plans.plan_loader import load_plan

    from .conftest import PLAN_001, UNITS_CSV

    doc = write_plan_docx(load_plan(PLAN_001), tmp_path / "ke-hoach.docx")
    data = tmp_path / "d"
    r = CliRunner().invoke(main, ["web", "open", "--data", str(data), "--plan", str(doc),
                                  "--units", str(UNITS_CSV), "--period", "q1-2023"])
    assert r.exit_code == 0, r.output
    [kept] = (data / "ke-hoach").iterdir()
    assert kept.suffix == ".yaml"
    plan = load_plan(kept)
    original = load_plan(PLAN_001)
    assert [(t.stt, t.content) for t in plan.tasks] == [(t.stt, t.content) for t in original.tasks]
    assert len(list((data / "mau").rglob("*.xlsx"))) == 12
