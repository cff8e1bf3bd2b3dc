"""The HTTP face of filling in the browser, below a school's private link.

``/u/<token>/dien-truc-tuyen`` is the page; its script saves the draft (``/luu``), asks for
the checks (``/kiem-tra``) and sends (``/gui``), each a small JSON POST carrying the page's
CSRF token and scoped to the link's round and unit; ``/tep/<sha>`` downloads a workbook the
unit sent. Bodies are capped before they are parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cchc_xlsx.errors import UserError
from cchc_xlsx.web.fill_form import MAX_ENTRIES_BYTES, EntryError, clean_entries
from cchc_xlsx.web.fill_service import service_of
from cchc_xlsx.web.fill_store import Stale
from cchc_xlsx.web.security import csrf_ok
from cchc_xlsx.web.service import Portal, receipt_code

BASE = "/u/{token}/dien-truc-tuyen"
MAX_BODY = MAX_ENTRIES_BYTES + 4096


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


async def _payload(request: Request) -> dict[str, Any]:
    """The posted JSON, refused over ``MAX_BODY`` (while it streams) or without the CSRF
    token of this browser."""
    declared = request.headers.get("content-length", "")
    too_big = _Refused(413, "Bản nháp quá lớn (giới hạn "
                            f"{MAX_ENTRIES_BYTES // 1024} KB); hãy rút gọn các ô ghi chú dài.")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise too_big
    try:
        data = json.loads(bytes(body) or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _Refused(400, "Dữ liệu gửi lên không đúng dạng; hãy tải lại trang rồi thử "
                            "lại.") from None
    if not isinstance(data, dict) or not csrf_ok(request, data.get("csrf")):
        raise _Refused(403, "Phiên làm việc của trang đã hết hạn hoặc yêu cầu không đến từ "
                            "trang này; hãy tải lại trang rồi thử lại.")
    return data


def _version(data: dict[str, Any]) -> int:
    v = data.get("version")
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise _Refused(400, "Thiếu số phiên bản của bản nháp; hãy tải lại trang.")
    return v


def add_fill_routes(app: FastAPI, portal: Portal, page: Callable[..., HTMLResponse],
                    school_of: Callable[[str], Any], download: Callable[..., Response]) -> None:
    """Register the fill-in routes on the portal's app (called once by ``create_app``)."""
    fills = service_of(portal)

    def linked(token: str) -> Any:
        found = fills.school(token)
        if found is None:
            raise _Refused(404, "Không có trang này, hoặc đường dẫn đã hết hiệu lực; hãy liên "
                                "hệ phòng giáo dục để nhận đường dẫn mới.")
        return found
    checking: set[tuple[int, str]] = set()  # one live check in flight per unit

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused) -> Response:
        return _refuse(exc.status, exc.message)

    @app.get(BASE, response_class=HTMLResponse)
    def fill_page(request: Request, token: str) -> Response:
        rnd, unit = school_of(token)
        form = fills.form(rnd, unit)
        entries, draft, origin = fills.start(rnd, unit, form)
        return page(request, "dien-truc-tuyen.html", rnd=rnd, unit=unit, token=token,
                    form=form, checks=fills.checks(form), entries=entries, draft=draft,
                    origin=origin, version=draft.version if draft else 0, today=date.today(),
                    receipts=portal.receipts(rnd, unit.code))

    def keep(token: str, version: int, raw: Any) -> Any:
        """A draft save, whole: the link, the unit's (cached) form, the entries' limits and
        the versioned write. No workbook is built and nothing is checked here: a save is
        the school's scratch copy and costs a couple of milliseconds, so it runs on the
        event loop itself. Handing it to a worker thread cost more than doing it: under
        load a save then queued for a thread and for the interpreter lock behind page
        renders and uploads (seconds at p95 with 300 schools). Only saves write the
        drafts file (``fill_store``: its own file, no fsync per commit), so nothing there
        makes the loop wait."""
        rnd, unit = linked(token)
        entries = clean_entries(raw, fills.form(rnd, unit).layout)
        return fills.drafts.save(rnd.id, unit.code, version, entries)

    @app.post(BASE + "/luu")
    async def save(request: Request, token: str) -> Response:
        data = await _payload(request)
        version = _version(data)
        try:
            draft = keep(token, version, data.get("entries"))
        except EntryError as exc:
            return _refuse(413, str(exc))
        except Stale as exc:
            return _refuse(409, str(exc))
        return JSONResponse({"version": draft.version,
                             "saved_at": f"{draft.saved_at:%H:%M:%S %d/%m/%Y}"})

    @app.post(BASE + "/kiem-tra")
    async def check(request: Request, token: str) -> Response:
        rnd, unit = await run_in_threadpool(linked, token)
        data = await _payload(request)
        key = (rnd.id, unit.code)
        if key in checking:  # a link cannot hold more than one worker for its checks
            return _refuse(429, "Đang kiểm tra lần trước; sẽ kiểm tra lại ngay sau đó.")
        checking.add(key)
        try:
            form = await run_in_threadpool(fills.form, rnd, unit)
            entries = clean_entries(data.get("entries"), form.layout)
            result = await fills.check(rnd, unit, form, entries)
        except EntryError as exc:
            return _refuse(413, str(exc))
        except UserError as exc:
            return _refuse(503, exc.message)
        finally:
            checking.discard(key)
        return JSONResponse(result)

    @app.post(BASE + "/gui")
    async def send(request: Request, token: str) -> Response:
        rnd, unit = await run_in_threadpool(linked, token)
        data = await _payload(request)
        version = _version(data)
        form = await run_in_threadpool(fills.form, rnd, unit)
        draft = await run_in_threadpool(fills.drafts.get, rnd.id, unit.code)
        if draft is None or draft.version != version:
            if draft is None:
                return _refuse(409, "Chưa có bản nháp nào được lưu; hãy điền rồi đợi chữ «Đã "
                                    "lưu» trước khi gửi.")
            return _refuse(409, str(Stale(draft)))
        try:
            outcome, result = await fills.send(rnd, unit, form, draft)
        except UserError as exc:
            return _refuse(503, exc.message)
        if outcome.refusal or outcome.receipt is None:
            return _refuse(422, outcome.refusal or "Không ghi nhận được bài nộp.")
        sha = outcome.receipt.sha256
        return JSONResponse({
            **result, "receipt": receipt_code(sha), "new": outcome.new,
            "received_at": f"{outcome.receipt.received_at:%H:%M:%S %d/%m/%Y}",
            "receipt_url": f"/u/{token}/bien-nhan/{sha}",
            "file_url": f"/u/{token}/dien-truc-tuyen/tep/{sha}"})

    @app.get(BASE + "/tep/{sha}")
    def sent_file(token: str, sha: str) -> Response:
        rnd, unit = school_of(token)
        receipt = portal.receipt_for(rnd, unit.code, sha)
        if receipt is None:
            return _refuse(404, "Không có bài nộp này trong đường dẫn của đơn vị.")
        return download(portal.stored_file(receipt), receipt.original_name)
