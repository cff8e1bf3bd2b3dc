# ruff: noqa: F811  (the fixtures imported from test_web are test parameters here)
"""Issue 17, the portal's side: the findings of the audit, each as a regression test
(parallel login guesses, lock-outs by strangers, resource errors, odd input, names).

The portal is driven through HTTP (Starlette's TestClient) as in ``test_web``; its fixtures
are shared from there."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from cchc_xlsx.errors import UserError
from cchc_xlsx.web.security import LoginThrottle, Throttled

from .conftest import UNITS_CSV
from .portal_kit import PASSWORD, clean_return, csrf_of
from .test_web import base_data, login, site, text_of, upload  # noqa: F401  (shared)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _count_checks(monkeypatch) -> list[int]:
    """Counts argon2 verifications (each one is a password guess actually checked)."""
    from argon2 import PasswordHasher

    seen = [0]
    lock = threading.Lock()
    real = PasswordHasher.verify

    def counted(self, hash, password):
        with lock:
            seen[0] += 1
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return seen


def test_parallel_guesses_for_one_name_are_counted_when_they_start(site, monkeypatch):
    client, portal, _, _, _ = site
    checks = _count_checks(monkeypatch)
    token = csrf_of(client.get("/dang-nhap").text)

    def guess(n: int) -> int:
        return client.post("/dang-nhap", data={"csrf": token, "ten": "vanphong",
                                               "mat_khau": f"doan-sai-{n:03d}"},
                           follow_redirects=False).status_code

    with ThreadPoolExecutor(32) as pool:
        codes = list(pool.map(guess, range(100)))
    assert codes.count(401) == LoginThrottle.PAIR_FREE, codes
    assert codes.count(429) == 100 - LoginThrottle.PAIR_FREE
    assert checks[0] == LoginThrottle.PAIR_FREE


def test_simultaneous_correct_logins_from_one_address_take_turns(site):
    """A shared office account, five officers behind one address pressing «Đăng nhập» at
    the same moment: they take turns instead of the fourth being refused with 429."""
    client, portal, _, _, _ = site
    token = csrf_of(client.get("/dang-nhap").text)

    def enter(_: int) -> int:
        return client.post("/dang-nhap", data={"csrf": token, "ten": "vanphong",
                                               "mat_khau": PASSWORD},
                           follow_redirects=False).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(enter, range(8)))
    assert codes == [303] * 8, codes


def test_a_stranger_cannot_lock_the_owner_out(site):
    client, portal, _, _, _ = site
    now = [time.time()]
    portal.clock = lambda: now[0]  # no wait runs out while the test runs
    app = client.app
    stranger = TestClient(app, client=("203.0.113.9", 4000))
    for _ in range(LoginThrottle.PAIR_FREE):
        assert login(stranger, "doan-sai").status_code == 401
    assert login(stranger, "doan-sai").status_code == 429
    assert login(stranger).status_code == 429  # even the right password, from that address
    owner = TestClient(app, client=("192.0.2.10", 5000))
    assert login(owner).status_code == 303
    # the stranger keeps failing each time the wait ends: the owner still gets in
    for _ in range(5):
        now[0] += LoginThrottle.MAX_WAIT + 1
        assert login(stranger, "doan-sai").status_code == 401
        assert login(owner).status_code == 303


def test_many_addresses_slow_the_name_but_never_block_the_owner(site, monkeypatch):
    client, portal, _, _, _ = site
    monkeypatch.setattr(LoginThrottle, "NAME_INTERVAL", 0.4)
    monkeypatch.setattr(LoginThrottle, "NAME_MAX_DELAY", 2.0)
    app = client.app
    for n in range(LoginThrottle.NAME_FREE):
        attacker = TestClient(app, client=(f"198.51.100.{n + 1}", 4000))
        assert login(attacker, f"doan-sai-{n}").status_code == 401
    started = time.perf_counter()
    for n in range(3):  # past the ceiling: each check waits for its slot
        attacker = TestClient(app, client=(f"198.51.100.{n + 100}", 4000))
        assert login(attacker, "doan-sai").status_code == 401
    assert time.perf_counter() - started >= 0.4 * 2 - 0.05
    owner = TestClient(app, client=("192.0.2.10", 5000))
    started = time.perf_counter()
    assert login(owner).status_code == 303  # slowed, not refused
    assert time.perf_counter() - started <= 2.5


def _attack_for(portal, addresses: int, hours: float = 1.0) -> int:
    """Guesses one attacker gets checked in ``hours`` of (simulated) time, trying again the
    moment each wait ends, spreading over ``addresses`` addresses."""
    now = [0.0]
    portal.clock = lambda: now[0]
    end = hours * 3600
    checked = 0
    waits = [0.0] * addresses
    n = 0
    while now[0] < end:
        addr = n % addresses
        n += 1
        if waits[addr] > now[0]:
            now[0] = min(waits) if min(waits) > now[0] else now[0] + 0.01
            continue
        try:
            attempt = portal.login_start("vanphong", f"10.9.{addr // 250}.{addr % 250}")
        except Throttled as exc:
            waits[addr] = now[0] + exc.wait
            continue
        now[0] += attempt.delay + 0.05  # an argon2 check takes about that long
        if now[0] < end:
            checked += 1
    return checked


def test_guessing_rate_per_hour_is_bounded(site, capsys):
    client, portal, _, _, _ = site
    one = _attack_for(portal, 1)
    with portal.store.tx() as c:
        c.execute("DELETE FROM web_login_attempts")
    many = _attack_for(portal, 1000)
    with capsys.disabled():
        print(f"\nguesses checked per hour: one address {one}, 1000 addresses {many}")
    assert one <= 25
    assert many <= 3600 / LoginThrottle.NAME_INTERVAL + LoginThrottle.NAME_FREE + 1


def test_login_through_the_library_still_answers_wrong_or_right(site):
    _, portal, _, _, _ = site
    with pytest.raises(UserError):
        portal.login("vanphong", "doan-sai", "127.0.0.1")
    assert portal.login("vanphong", PASSWORD, "127.0.0.1")


# --- resource errors ------------------------------------------------------------------


def _leftovers(portal) -> list[str]:
    return sorted(p.name for p in (portal.dir / "tam").iterdir())


def test_disk_full_on_upload_answers_507_in_vietnamese_and_cleans_up(site, monkeypatch):
    import errno

    from cchc_xlsx.web import service

    client, portal, rnd, tokens, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    stored_before = sorted((portal.dir / "tep").iterdir())

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(service.os, "fsync", full)
    r = upload(client, tokens["MN-TT"], good)
    assert r.status_code == 507 and "hết chỗ lưu trữ" in text_of(r.text)
    assert "Internal Server Error" not in r.text and str(portal.dir) not in r.text
    assert _leftovers(portal) == []
    monkeypatch.undo()

    def record_fails(receipt):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(portal, "_record", record_fails)
    r = upload(client, tokens["MN-TT"], good)
    assert r.status_code == 507
    assert sorted((portal.dir / "tep").iterdir()) == stored_before  # no orphan
    assert _leftovers(portal) == []


def test_database_full_or_locked_at_login_answers_507_or_503(site, monkeypatch):
    import sqlite3

    client, portal, _, _, _ = site

    def fails(text):
        def add_session(*a, **k):
            raise sqlite3.OperationalError(text)
        return add_session

    monkeypatch.setattr(portal.store, "add_session", fails("database or disk is full"))
    r = login(client)
    assert r.status_code == 507 and "hết chỗ lưu trữ" in text_of(r.text)
    monkeypatch.setattr(portal.store, "add_session", fails("database is locked"))
    r = login(client)
    assert r.status_code == 503 and "đang bận" in text_of(r.text)
    assert r.headers["retry-after"]


# --- odd input --------------------------------------------------------------------------


def test_odd_round_ids_answer_a_page_not_a_500(site):
    client, portal, rnd, _, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    token = csrf_of(client.get("/kiem-tra").text)
    r = client.post("/kiem-tra", data={"csrf": token, "dot": str(10 ** 30)},
                    files={"tep": (good.name, good.read_bytes())})
    # an id that is no round is no choice: the file's own identity names its round
    assert r.status_code == 200 and "hợp lệ" in text_of(r.text)
    r = client.post("/kiem-tra", data={"csrf": token},
                    files={"tep": (good.name, good.read_bytes()), "dot": ("x", b"1")})
    assert r.status_code == 200 and "hợp lệ" in text_of(r.text)
    assert login(client).status_code == 303
    for rid in ("9" * 20, str(2 ** 63), "0"):
        assert client.get(f"/van-phong/dot/{rid}").status_code == 404, rid


def test_line_breaks_in_a_period_name_do_not_break_mail(site, monkeypatch):
    from cchc_xlsx.web import mail

    _, portal, rnd, _, _ = site
    with portal.store.tx() as c:
        c.execute("UPDATE web_rounds SET period_name = ? WHERE id = ?",
                  ("Quý I\r\nBcc: ke-gian@evil.example", rnd.id))
        c.execute("UPDATE web_units SET email = 'truong@example.vn'")
        # a write to the unit list bumps its revision (the portal caches units per revision)
        c.execute("UPDATE web_round_rev SET rev = rev + 1 WHERE round_id = ?", (rnd.id,))
    sent = []
    monkeypatch.setattr(mail, "_send", lambda smtp, messages: sent.extend(messages))
    mail.send_links(portal, portal.round(rnd.id), mail.SmtpSettings("127.0.0.1"), "http://t")
    assert sent
    for m in sent:
        assert "\n" not in m["Subject"] and "\r" not in m["Subject"]
        assert m["Bcc"] is None


def test_returns_zip_names_are_unique(site):
    import zipfile

    client, portal, rnd, tokens, tmp = site
    for seed in range(3):
        path = clean_return(portal, rnd, "MN-TT", tmp / f"r{seed}", seed=seed)
        assert upload(client, tokens["MN-TT"], path).status_code == 303
    with portal.store.tx() as c:  # three versions within one second
        c.execute("UPDATE web_receipts SET received_at = '2023-03-05T10:00:00'")
    with zipfile.ZipFile(portal.returns_zip(rnd)) as z:
        names = z.namelist()
    assert len(names) == 3 and len(set(names)) == 3
    assert sum(n.startswith("ban-truoc/") for n in names) == 2


def test_unit_lists_refuse_slashes_in_codes_and_line_breaks_in_emails(tmp_path):
    import csv as csvmod

    from cchc_xlsx.plans.units import load_units

    with open(UNITS_CSV, encoding="utf-8-sig", newline="") as fh:
        head, first = list(csvmod.reader(fh))[:2]
    head, first = [*head, "email"], [*first, "truong@example.vn"]
    code_at, email_at = 0, len(head) - 1

    def variant(name: str, at: int, value: str):
        row = list(first)
        row[at] = value
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csvmod.writer(fh).writerows([head, row])
        return path

    assert load_units(variant("ok.csv", code_at, "MN-01"))
    with pytest.raises(UserError, match="«/»"):
        load_units(variant("a.csv", code_at, "MN/01"))
    with pytest.raises(UserError, match="địa chỉ thư"):
        load_units(variant("b.csv", email_at, "a@x.vn\r\nBcc: b@evil.example"))


def test_download_names_keep_their_whole_name():
    from urllib.parse import unquote

    from cchc_xlsx.web.security import content_disposition

    h = content_disposition("Tổng hợp Quý I/2023.xlsx")
    assert unquote(h.split("filename*=UTF-8''", 1)[1]) == "Tổng hợp Quý I-2023.xlsx"
    h = content_disposition("MN-01 - Trường A/B.xlsx")
    assert unquote(h.split("filename*=UTF-8''", 1)[1]) == "MN-01 - Trường A-B.xlsx"


# --- CSRF, redirects, paths ------------------------------------------------------------


def test_a_planted_csrf_cookie_forges_nothing(site):
    client, portal, rnd, tokens, tmp = site
    planted = "A" * 43
    client.cookies.set("cchc_csrf", planted)
    r = client.post("/dang-nhap", data={"csrf": planted, "ten": "vanphong",
                                        "mat_khau": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403


def test_csrf_token_is_bound_to_the_session(site):
    client, portal, rnd, _, _ = site
    assert login(client).status_code == 303
    token = csrf_of(client.get(f"/van-phong/dot/{rnd.id}").text)
    client.cookies.set("cchc_phien", portal.login("vanphong", PASSWORD, "10.0.0.1"))
    r = client.post(f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/cap-lai", data={"csrf": token},
                    follow_redirects=False)
    assert r.status_code == 403  # a token of another session
    token = csrf_of(client.get(f"/van-phong/dot/{rnd.id}").text)
    r = client.post(f"/van-phong/dot/{rnd.id}/don-vi/MN-TT/cap-lai", data={"csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303


def test_redirects_never_carry_the_requests_host(site):
    client, _, _, _, _ = site
    for url in ("/van-phong", "/van-phong/", "/kiem-tra/"):
        r = client.get(url, headers={"host": "evil.example"}, follow_redirects=False)
        assert "evil.example" not in r.headers.get("location", ""), url
    r = login(client)
    assert r.headers["location"] == "/van-phong"


def test_office_errors_never_show_server_temp_paths(site):
    client, portal, _, _, _ = site
    assert login(client).status_code == 303
    page = client.get("/van-phong")
    r = client.post("/van-phong/dot", data={"csrf": csrf_of(page.text), "ky": "q1-2023"},
                    files={"ke_hoach": ("ke-hoach-cua-toi.yaml", b"id: [unclosed"),
                           "don_vi": ("dv.csv", UNITS_CSV.read_bytes())})
    assert r.status_code == 422
    assert str(portal.dir) not in r.text and "/tam/" not in r.text
    assert "ke-hoach-cua-toi.yaml" in text_of(r.text), re.findall(r"«[^»]*»", r.text)


# --- bounded work per file --------------------------------------------------------------


def _many_issues(n: int, path: str = "/srv/data/tam/nhan-x.tmp.xlsx"):
    from cchc_xlsx.checking.report import ERROR, FileResult, Issue

    issues = [Issue(path, "task_status_allowed" if k % 2 else "unknown_row", ERROR,
                    f"Giá trị «{'x' * 900}» ở {path} không có trong danh sách.",
                    "BC Nhiệm vụ", f"{'CD'[k % 2]}{100 + k // 2}", "y" * 5000)
              for k in range(n)]
    return FileResult(path, usable=True, issues=issues)


def test_findings_are_bounded_and_summarised_by_rule_and_range():
    import json

    from cchc_xlsx.checking.bounded import MAX_LISTED
    from cchc_xlsx.web.checker import findings

    res = _many_issues(16_000)
    found = findings(res, "tep-cua-truong.xlsx", res.file)
    assert found["errors"] == res.errors == 16_000  # counts stay whole
    assert len(found["issues"]) == MAX_LISTED and found["issues_total"] == 16_000
    assert sum(m["count"] for m in found["more"]) == 16_000 - MAX_LISTED
    first = {m["rule_id"]: m for m in found["more"]}
    assert first["unknown_row"]["first"] == "C250" and first["unknown_row"]["last"] == "C8099"
    size = len(json.dumps(found, ensure_ascii=False).encode())
    assert size < 1_000_000, size
    assert "/srv/data" not in json.dumps(found, ensure_ascii=False)


def test_annotated_copy_lists_a_bounded_number_of_findings(tmp_path):
    from openpyxl import load_workbook

    from cchc_xlsx.checking.annotate import RESULT_SHEET, write_annotated
    from cchc_xlsx.checking.bounded import MAX_LISTED
    from cchc_xlsx.checking.validate import validate

    from .conftest import SAMPLES

    src = next(p for p in sorted((SAMPLES).rglob("*.xlsx")) if "MN-" in p.name)
    real = validate([src], workers=1).files[0]
    if not real.usable:
        pytest.skip("no usable sample return")
    res = _many_issues(2_000, str(src))
    real.issues = res.issues
    out = write_annotated(real, tmp_path)
    wb = load_workbook(out)
    rows = wb[RESULT_SHEET].max_row
    assert rows <= 3 + MAX_LISTED + 4
    comments = sum(1 for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row
                   if c.comment)
    assert comments <= MAX_LISTED


def test_public_checks_never_queue_a_schools_upload(site, monkeypatch):
    import asyncio

    from cchc_xlsx.web import checker, service

    _, portal, rnd, _, tmp = site
    good = clean_return(portal, rnd, "MN-TT", tmp / "r")
    unit = next(u for u in portal.units(rnd) if u.code == "MN-TT")
    release = threading.Event()
    real = checker.check_uploads

    def slow_public(jobs, units, today=None):
        if any(j["unit"] is None for j in jobs):
            release.wait(30)  # a heavy anonymous file
        return real(jobs, units, today)

    monkeypatch.setattr(checker, "check_uploads", slow_public)
    portal.pool = ThreadPoolExecutor(3)

    def check():
        return portal.check_only(rnd, open(good, "rb"), good.name)  # noqa: SIM115

    async def scenario():
        heavy = [asyncio.create_task(check()) for _ in range(1 + service.PUBLIC_WAITING)]
        for _ in range(400):
            if portal._public_in == service.PUBLIC_CHECKS + service.PUBLIC_WAITING:
                break
            await asyncio.sleep(0.05)
        with pytest.raises(service.Busy):  # one checking, four waiting: the fifth is told
            await check()
        started = time.perf_counter()
        outcome = await portal.receive(rnd, unit, open(good, "rb"), good.name)  # noqa: SIM115
        school = time.perf_counter() - started
        release.set()
        return outcome, school, await asyncio.gather(*heavy)

    outcome, school, results = asyncio.run(scenario())
    assert outcome.receipt is not None and school < 10
    assert all(found["valid"] for _, found in results)
    assert list((portal.dir / "tam").iterdir()) == []
