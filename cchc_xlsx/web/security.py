"""The portal's request-level protections, kept apart from the pages they guard.

* ``LimitBody``: a request body larger than the upload limit is refused while it streams
  (by Content-Length up front, and by counting bytes for chunked bodies), so a 2 GB post
  never reaches the disk.
* ``secure_headers``: pages may not be framed, scripts come only from the portal itself,
  and no page sends its address (which holds a school's private link) as a Referer.
* CSRF: a random ``cchc_csrf`` cookie (SameSite=Strict, HttpOnly) and, in every form, a
  hidden field holding an HMAC (under the portal's own secret) of that cookie and the
  office's session cookie. Another site can neither read the cookie nor compute the field,
  and a cookie planted over plain HTTP on the LAN is useless without the secret (a plain
  double-submit token would be forged by planting it); the token is bound to the session.
* ``content_disposition``: download names in ASCII plus RFC 5987 UTF-8 for Vietnamese.
* ``LoginThrottle``: failed-login limits, counted atomically when an attempt starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from cchc_xlsx.errors import UserError

CSRF_COOKIE = "cchc_csrf"
SESSION_COOKIE = "cchc_phien"

_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class BodyTooLarge(Exception):
    pass


class LimitBody:
    """ASGI middleware: refuse request bodies over ``limit`` bytes while they stream."""

    def __init__(self, app: Any, limit: int, page: Any) -> None:
        self.app, self.limit, self.page = app, limit, page

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        async def watch(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: dict, receive: Any, send: Any) -> None:
        response = self.page(scope)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class SecureHeaders:
    """ASGI middleware adding ``_HEADERS`` to every response (a plain wrapper: cheaper than
    a ``BaseHTTPMiddleware`` on every request of a busy hour)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in _HEADERS.items()]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: dict) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.raw if k not in have]
            await send(message)

        await self.app(scope, receive, add)


def secure_headers(response: Response) -> Response:
    for key, value in _HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def load_secret(path: Path) -> bytes:
    """The portal's signing secret, created once (mode 0600) in the data folder."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    secret = path.read_bytes()
    if len(secret) < 32:  # cut short by a crash while it was written: start again
        path.unlink()
        return load_secret(path)
    return secret


def _signed(request: Request, nonce: str) -> str:
    secret = getattr(request.app.state, "csrf_secret", b"")
    bound = f"{nonce}|{request.cookies.get(SESSION_COOKIE, '')}".encode()
    return hmac.new(secret, bound, hashlib.sha256).hexdigest()


def _nonce(request: Request) -> str:
    nonce = request.cookies.get(CSRF_COOKIE, "")
    return nonce if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", nonce) else ""


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry (a new cookie is set by ``set_csrf``)."""
    nonce = _nonce(request)
    if not nonce:
        nonce = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = nonce
    return _signed(request, nonce)


def set_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", "")
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")


def csrf_ok(request: Request, sent: Any) -> bool:
    nonce = _nonce(request)
    return bool(nonce) and isinstance(sent, str) and hmac.compare_digest(
        _signed(request, nonce), sent)


def content_disposition(name: str, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…``: quotes, slashes and control
    characters cannot break out of the header, and Vietnamese names survive."""
    from cchc_xlsx.reading.normalize import ascii_fold

    # a name we built ("Tổng hợp Quý I/2023.xlsx"): its "/" is part of the name, not a path
    base = " ".join(name.replace("\\", "-").replace("/", "-").split())
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fold(base)).strip("-.") or "tep"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(base, safe='')}"


# --- resource errors ------------------------------------------------------------------

_DISK_FULL = "Máy chủ đã hết chỗ lưu trữ nên chưa nhận được yêu cầu này (chưa có gì được ghi); " \
             "hãy báo người quản trị giải phóng ổ đĩa rồi thử lại sau."
_BUSY = "Máy chủ đang bận ghi dữ liệu nên chưa nhận được yêu cầu này (chưa có gì được ghi); " \
        "hãy thử lại sau ít phút."
_BROKEN = "Máy chủ gặp lỗi khi xử lý yêu cầu này; hãy thử lại sau, nếu vẫn lỗi hãy báo " \
          "người quản trị."


def resource_problem(exc: BaseException) -> tuple[int, str]:
    """(HTTP status, one Vietnamese sentence) for a failure of the server's resources:
    a full disk 507, a locked or busy database 503, anything else 500 — never the English
    "Internal Server Error" nor a path of the server."""
    import errno
    import sqlite3

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return 507, _DISK_FULL
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "full" in text:
            return 507, _DISK_FULL
        if "locked" in text or "busy" in text:
            return 503, _BUSY
    return 500, _BROKEN


# --- login throttle -------------------------------------------------------------------

class Throttled(UserError):
    """Too many failed logins: the next try must wait."""

    def __init__(self, wait: float) -> None:
        self.wait = max(1, int(wait + 0.999))
        super().__init__(f"Đăng nhập sai nhiều lần; hãy đợi {self.wait} giây rồi thử lại.")


@dataclass(frozen=True)
class Attempt:
    """A login attempt that was let through: its keys and how long it must wait first."""

    pair: str
    address: str
    name: str
    delay: float


class LoginQueue:
    """Login attempts of one name from one address take turns (in this server process).

    ``LoginThrottle`` counts an attempt as a failure when it starts and takes it back on
    success, so correct logins *at the same moment* (a shared office account behind one
    address, a double click) would see each other's pending counts and be refused beyond
    the third. Taking turns, each starts after the one before has concluded: correct ones
    all get in; guesses are still counted one by one, so the fourth wrong one in a row is
    refused as before. Different names or addresses never wait for each other."""

    def __init__(self) -> None:
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, name: str, address: str) -> AsyncIterator[None]:
        key = LoginThrottle.keys(name, address).pair
        lock, waiting = self._turns.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._turns[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._turns[key]
            if waiting <= 1:
                del self._turns[key]
            else:
                self._turns[key] = (lock, waiting - 1)


class LoginThrottle:
    """Failed-login limits over the store's ``web_login_attempts`` table.

    Every attempt is counted as a failure *when it starts*, in one ``BEGIN IMMEDIATE``
    transaction that also decides whether it may go on; only then is the (slow) argon2 check
    run, and a success takes the count back. So parallel guesses cannot all read "no
    failures yet": the fourth of a hundred simultaneous guesses already sees three.

    Three keys, three jobs:

    * name + address: ``PAIR_FREE`` free tries, then an exponential wait (2, 4, … s, at most
      ``MAX_WAIT``). This is the lock, and it binds only the address that failed: a stranger
      guessing from elsewhere never locks the owner out.
    * address: the same with ``ADDRESS_FREE`` tries, against one address spraying many names.
    * name (any address): a ceiling that *slows* rather than blocks. Once a name has
      ``NAME_FREE`` failures, its checks are spaced ``NAME_INTERVAL`` apart: an attempt is
      given the next free slot and waits for it (the owner waits a few seconds, is never
      refused for someone else's failures) unless more than ``NAME_MAX_DELAY`` is already
      booked, which only a flood from many addresses can do. That spacing caps what any
      number of addresses get together; the name's count is forgotten after
      ``NAME_FORGET`` seconds without a failure.
    """

    PAIR_FREE = 3
    ADDRESS_FREE = 20
    MAX_WAIT = 300.0
    NAME_FREE = 10
    NAME_INTERVAL = 10.0
    NAME_MAX_DELAY = 30.0
    NAME_FORGET = 3600.0

    def __init__(self, store: Any, clock: Callable[[], float]) -> None:
        self.store, self.clock = store, clock

    @staticmethod
    def keys(name: str, address: str) -> Attempt:
        who = name.strip().lower()[:80]
        return Attempt(f"pair:{address[:64]}|{who}", f"ip:{address[:64]}", f"user:{who}", 0.0)

    def start(self, name: str, address: str) -> Attempt:
        """Count the attempt and return it (with the delay it must wait), or raise
        ``Throttled`` (counting nothing)."""
        keys = self.keys(name, address)
        now = self.clock()
        with self.store.tx() as c:
            row = {k: c.execute("SELECT count, last_at, next_at FROM web_login_attempts "
                                "WHERE key = ?", (k,)).fetchone() or (0, 0.0, 0.0)
                   for k in (keys.pair, keys.address, keys.name)}
            for key, free in ((keys.pair, self.PAIR_FREE), (keys.address, self.ADDRESS_FREE)):
                count, last, _ = row[key]
                if count >= free:
                    wait = min(2.0 ** (count - free + 1), self.MAX_WAIT) - (now - last)
                    if wait > 0:
                        raise Throttled(wait)
            count, last, next_at = row[keys.name]
            if now - last > self.NAME_FORGET:
                count, next_at = 0, 0.0
            delay = 0.0
            if count >= self.NAME_FREE:
                slot = max(now, next_at)
                delay = slot - now
                if delay > self.NAME_MAX_DELAY:
                    raise Throttled(delay - self.NAME_MAX_DELAY)
                next_at = slot + self.NAME_INTERVAL
            c.execute("DELETE FROM web_login_attempts WHERE last_at < ? AND next_at < ?",
                      (now - 86400, now))
            for key in (keys.pair, keys.address):
                c.execute("INSERT INTO web_login_attempts (key, count, last_at) VALUES (?, 1, ?)"
                          " ON CONFLICT(key) DO UPDATE SET count = count + 1, last_at = ?",
                          (key, now, now))
            c.execute("INSERT INTO web_login_attempts (key, count, last_at, next_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET count = ?, "
                      "last_at = ?, next_at = ?",
                      (keys.name, count + 1, now, next_at, count + 1, now, next_at))
        return Attempt(keys.pair, keys.address, keys.name, delay)

    def succeeded(self, attempt: Attempt) -> None:
        """The right password: the address's counts are cleared and the name's attempt is
        taken back (other addresses' failures on the name still count)."""
        with self.store.tx() as c:
            c.execute("DELETE FROM web_login_attempts WHERE key IN (?, ?)",
                      (attempt.pair, attempt.address))
            c.execute("UPDATE web_login_attempts SET count = MAX(count - 1, 0) WHERE key = ?",
                      (attempt.name,))
