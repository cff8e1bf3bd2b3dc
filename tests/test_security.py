# ruff: noqa: F811  (the fixtures imported from test_web are test parameters here)
"""Issue 17, the portal's side: the findings of the audit, each as a regression test
(parallel login guesses, lock-outs by strangers, resource errors, odd input, names).

The portal is driven through HTTP (Starlette's TestClient) as in ``test_web``; its fixtures
are shared from there."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from cchc_xlsx.errors import UserError
from cchc_xlsx.web.security import LoginThrottle, Throttled

from .portal_kit import PASSWORD, csrf_of
from .test_web import base_data, login, site  # noqa: F401  (fixtures shared with test_web)

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


def test_a_stranger_cannot_lock_the_owner_out(site):
    client, portal, _, _, _ = site
    app = client.app
    stranger = TestClient(app, client=("203.0.113.9", 4000))
    for _ in range(LoginThrottle.PAIR_FREE):
        assert login(stranger, "doan-sai").status_code == 401
    assert login(stranger, "doan-sai").status_code == 429
    assert login(stranger).status_code == 429  # even the right password, from that address
    owner = TestClient(app, client=("192.0.2.10", 5000))
    assert login(owner).status_code == 303
    # the stranger keeps failing each time the wait ends: the owner still gets in
    now = [time.time()]
    portal.clock = lambda: now[0]
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
