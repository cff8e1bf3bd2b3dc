"""The portal's request-level protections, kept apart from the pages they guard.

* ``LimitBody``: a request body larger than the upload limit is refused while it streams
  (by Content-Length up front, and by counting bytes for chunked bodies), so a 2 GB post
  never reaches the disk.
* ``secure_headers``: pages may not be framed, scripts come only from the portal itself,
  and no page sends its address (which holds a school's private link) as a Referer.
* CSRF: a random ``cchc_csrf`` cookie (SameSite=Strict, HttpOnly) whose value every form
  repeats in a hidden field; another site can neither read the cookie nor set the field.
* ``content_disposition``: download names in ASCII plus RFC 5987 UTF-8 for Vietnamese.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

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


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (a new one is set on the response by ``set_csrf``)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token):
        token = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", "")
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")


def csrf_ok(request: Request, sent: Any) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and isinstance(sent, str) and hmac.compare_digest(cookie, sent)


def content_disposition(name: str, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…``: quotes, slashes and control
    characters cannot break out of the header, and Vietnamese names survive."""
    from cchc_xlsx.reading.normalize import ascii_fold

    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fold(base)).strip("-.") or "tep"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(base, safe='')}"
