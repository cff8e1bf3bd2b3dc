"""The portal's HTTP face: routes that turn requests into ``Portal`` calls and results into
server-rendered pages (Jinja2, autoescaped: nothing from a file can become markup).

Schools reach their pages only through a private link (``/u/<token>``); every lookup below
it is scoped to that token's round and unit. Office pages need a session. Every POST form
carries the CSRF token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cchc_xlsx.checking.report import SEVERITY_VI
from cchc_xlsx.errors import UserError
from cchc_xlsx.web import checker, opening
from cchc_xlsx.web import profile as profiles
from cchc_xlsx.web.fill_routes import add_fill_routes
from cchc_xlsx.web.fill_service import draft_of
from cchc_xlsx.web.security import (
    SESSION_COOKIE,
    LimitBody,
    LoginQueue,
    SecureHeaders,
    Throttled,
    content_disposition,
    csrf_ok,
    csrf_token,
    load_secret,
    resource_problem,
    secure_headers,
    set_csrf,
)
from cchc_xlsx.web.service import (
    MAX_UPLOAD,
    Busy,
    Portal,
    display_name,
    receipt_code,
    too_large_message,
)
from cchc_xlsx.web.store import Round

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)
FAILED_LOGIN_PAUSE = 1.0  # seconds every failed login costs, on top of the growing wait
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["dt"] = lambda d: f"{d:%d/%m/%Y %H:%M:%S}" if d else ""
    env.filters["d"] = lambda d: f"{d:%d/%m/%Y}" if d else ""
    env.filters["receipt"] = receipt_code
    env.filters["issue_lines"] = checker.issue_lines
    env.filters["severity_vi"] = lambda s: SEVERITY_VI.get(s, s)
    env.globals["max_mb"] = MAX_UPLOAD // (1024 * 1024)
    return env


class NeedLogin(Exception):
    pass


def create_app(data_dir: str | Path, workers: int | None = None, smtp: Any = None,
               base_url: str | None = None, portal: Portal | None = None) -> FastAPI:
    """The portal over ``data_dir``; a worker pool is started with the app and drained
    (after in-flight requests finish) when it stops."""
    portal = portal or Portal(data_dir)
    env = _env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        portal.clear_spool()  # uploads cut off by the last stop were never acknowledged
        own = portal.pool is None
        if own:
            portal.pool = checker.make_pool(workers)
            portal.workers = checker.pool_size(workers)
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(loop.run_in_executor(portal.pool, checker.warm)
                                   for _ in range(portal.workers)))
        try:
            yield
        finally:
            if own and portal.pool is not None:
                portal.pool.shutdown(wait=True)
                portal.pool = None

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
                  redirect_slashes=False)  # its redirects would echo the request's Host
    app.state.portal = portal
    env.globals["plan_round"] = portal.is_plan_round  # the units' own plans (issue 20)
    app.state.csrf_secret = load_secret(portal.dir / ".csrf-secret")
    app.mount("/tinh", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("user", getattr(request.state, "user", None))
        ctx.setdefault("now", f"{datetime.now():%H:%M:%S}")
        html = env.get_template(template).render(request=request, csrf=csrf_token(request),
                                                 **ctx)
        response = HTMLResponse(html, status_code=status)
        set_csrf(request, response)
        return response

    def problem(request: Request, message: str, status: int = 400) -> HTMLResponse:
        return page(request, "problem.html", status=status, message=message)

    def too_large(scope: dict) -> HTMLResponse:
        html = env.get_template("problem.html").render(request=None, csrf="",
                                                       message=too_large_message(), user=None)
        return secure_headers(HTMLResponse(html, status_code=413))

    app.add_middleware(LimitBody, limit=MAX_UPLOAD + 64 * 1024, page=too_large)

    app.add_middleware(SecureHeaders)

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.Error)
    async def resources(request: Request, exc: Exception) -> Response:
        status, message = resource_problem(exc)
        if status == 500:
            log.error("request failed", exc_info=exc)
        response = problem(request, message, status)
        if status == 503:
            response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        return RedirectResponse("/dang-nhap", status_code=303)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return problem(request, "Không có trang này, hoặc đường dẫn đã hết hiệu lực; hãy "
                                "liên hệ phòng giáo dục để nhận đường dẫn mới.", 404)

    async def form_of(request: Request) -> Any:
        form = await request.form(max_files=2, max_fields=20)
        if not csrf_ok(request, form.get("csrf")):
            raise _Forbidden()
        return form

    class _Forbidden(Exception):
        pass

    @app.exception_handler(_Forbidden)
    async def forbidden(request: Request, exc: Exception) -> Response:
        return problem(request, "Phiên làm việc của trang đã hết hạn hoặc biểu mẫu không "
                                "đến từ trang này; hãy tải lại trang rồi thử lại.", 403)

    def office(request: Request) -> str:
        user = portal.session_user(request.cookies.get(SESSION_COOKIE))
        if user is None:
            raise NeedLogin()
        request.state.user = user
        return user

    def round_of(rid: int) -> Round:
        try:
            return portal.round(_small_int(rid))
        except LookupError:
            raise _NotFound() from None

    class _NotFound(Exception):
        pass

    @app.exception_handler(_NotFound)
    async def nothing(request: Request, exc: Exception) -> Response:
        return await not_found(request, exc)

    def download(path: Path, name: str, media: str = XLSX, once: bool = False) -> FileResponse:
        """``once``: a per-request export, removed after it is sent."""
        return FileResponse(path, media_type=media,
                            headers={"Content-Disposition": content_disposition(name)},
                            background=BackgroundTask(path.unlink, missing_ok=True)
                            if once else None)

    def school_of(token: str) -> Any:
        found = portal.school(token) if len(token) <= 64 else None
        if found is None:
            raise _NotFound()
        return found

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    # --- public -------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return page(request, "home.html", rounds=portal.rounds())

    @app.get("/kiem-tra", response_class=HTMLResponse)
    def check_page(request: Request, dot: int | None = None) -> Response:
        return page(request, "check.html", rounds=portal.rounds(), chosen=dot, result=None)

    @app.post("/kiem-tra", response_class=HTMLResponse)
    async def check_file(request: Request) -> Response:
        form = await form_of(request)
        upload = form.get("tep")
        chosen: Round | None = None
        with contextlib.suppress(LookupError, ValueError):
            chosen = portal.round(_small_int(form.get("dot")))
        if not isinstance(upload, UploadFile) or not upload.filename:
            return problem(request, "Hãy chọn tệp báo cáo để kiểm tra.")
        try:
            used, result = await portal.check_only(chosen, upload.file, upload.filename)
        except Busy as exc:
            response = problem(request, exc.message, 503)
            response.headers["Retry-After"] = "60"
            return response
        except UserError as exc:
            too_big = exc.message == too_large_message()
            return problem(request, exc.message, 413 if too_big else 422)
        return page(request, "check.html", rounds=portal.rounds(), chosen=chosen and chosen.id,
                    used=used, result=result, shown=display_name(upload.filename))

    # --- a school's link ----------------------------------------------------------------

    @app.get("/u/{token}", response_class=HTMLResponse)
    def school_page(request: Request, token: str) -> Response:
        rnd, unit = school_of(token)
        return page(request, "school.html", rnd=rnd, unit=unit, token=token,
                    receipts=portal.receipts(rnd, unit.code), today=date.today(),
                    collector=portal.collector(unit), draft=draft_of(portal, rnd, unit))

    @app.get("/u/{token}/mau")
    def school_template(token: str) -> Response:
        rnd, unit = school_of(token)
        path = portal.template(rnd, unit.code)
        what = "Dự thảo kế hoạch" if portal.is_plan_round(rnd) else "Mẫu báo cáo"
        return download(path, f"{what} {rnd.period_name} - {unit.name}.xlsx")

    @app.post("/u/{token}/nop")
    async def school_upload(request: Request, token: str) -> Response:
        rnd, unit = school_of(token)
        form = await form_of(request)
        upload = form.get("tep")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return problem(request, "Hãy chọn tệp báo cáo đã điền rồi bấm «Gửi báo cáo».")
        try:
            outcome = await portal.receive(rnd, unit, upload.file, upload.filename)
        except UserError as exc:
            return problem(request, exc.message, 413)
        if outcome.refusal:
            return page(request, "school.html", status=422, rnd=rnd, unit=unit, token=token,
                        receipts=portal.receipts(rnd, unit.code), refusal=outcome.refusal,
                        today=date.today(), collector=portal.collector(unit))
        assert outcome.receipt is not None
        again = "" if outcome.new else "?da-co=1"
        return RedirectResponse(f"/u/{token}/bien-nhan/{outcome.receipt.sha256}{again}",
                                status_code=303)

    @app.get("/u/{token}/bien-nhan/{sha}", response_class=HTMLResponse)
    def school_receipt(request: Request, token: str, sha: str) -> Response:
        rnd, unit = school_of(token)
        receipt = portal.receipt_for(rnd, unit.code, sha)
        if receipt is None:
            raise _NotFound()
        return page(request, "receipt.html", rnd=rnd, unit=unit, token=token, r=receipt,
                    f=receipt.findings, again="da-co" in request.query_params,
                    annotated_url=f"/u/{token}/bien-nhan/{sha}/danh-dau")

    @app.get("/u/{token}/bien-nhan/{sha}/danh-dau")
    async def school_annotated(request: Request, token: str, sha: str) -> Response:
        rnd, unit = school_of(token)
        receipt = portal.receipt_for(rnd, unit.code, sha)
        if receipt is None:
            raise _NotFound()
        return await _annotated(request, rnd, receipt)

    async def _annotated(request: Request, rnd: Round, receipt: Any) -> Response:
        path = await portal.annotated(rnd, receipt)
        if path is None:
            return problem(request, "Tệp dạng này (.ods, .xls) không ghi chú thích được; hãy "
                                    "xem danh sách lỗi trên trang.", 409)
        stem = Path(receipt.original_name).stem
        return download(path, f"{stem}.kiem-tra.xlsx")

    add_fill_routes(app, portal, page=page, school_of=school_of, download=download)

    # --- the office ---------------------------------------------------------------------

    @app.get("/dang-nhap", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return page(request, "login.html", error="")

    logins = LoginQueue()

    @app.post("/dang-nhap")
    async def login(request: Request) -> Response:
        form = await form_of(request)
        name, password = str(form.get("ten") or ""), str(form.get("mat_khau") or "")
        client = request.client.host if request.client else ""
        try:
            async with logins.turn(name, client):  # one name from one address at a time
                attempt = await run_in_threadpool(portal.login_start, name, client)
                if attempt.delay > 0:  # the name's ceiling: slowed, in the loop
                    await asyncio.sleep(attempt.delay)
                token = await run_in_threadpool(portal.login_finish, attempt, name, password)
        except Throttled as exc:
            return page(request, "login.html", status=429, error=exc.message, name=name)
        except UserError as exc:
            await asyncio.sleep(FAILED_LOGIN_PAUSE)
            return page(request, "login.html", status=401, error=exc.message, name=name)
        response = RedirectResponse("/van-phong", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/",
                            max_age=12 * 3600)
        return response

    @app.post("/dang-xuat")
    async def logout(request: Request) -> Response:
        await form_of(request)
        portal.logout(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/dang-nhap", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/van-phong", response_class=HTMLResponse)
    def office_home(request: Request) -> Response:
        office(request)
        return office_page(request)

    def office_page(request: Request, status: int = 200, error: str = "") -> HTMLResponse:
        return page(request, "office.html", status=status, rounds=portal.rounds(),
                    error=error, plan_accept=",".join(opening.plan_suffixes()))

    def review_page(request: Request, staged: opening.Staged, status: int = 200,
                    error: str = "", period: str = "", due: str = "") -> HTMLResponse:
        today = date.today()
        assert staged.plan is not None
        chosen = period or staged.default_period(today)
        plan_due = next((p.due for p in staged.plan.schedule if p.id == chosen), None)
        due = due or (f"{plan_due:%d/%m/%Y}" if plan_due else "")
        try:
            shown_due = _due(due)
        except UserError:
            shown_due = None
        return page(request, "open_round.html", status=status, s=staged, error=error,
                    chosen=chosen, due=due, past=bool(shown_due and shown_due < today),
                    today_iso=today.isoformat())

    @app.post("/van-phong/dot/nhap", response_class=HTMLResponse)
    async def stage_round(request: Request) -> Response:
        """Step 1: read the plan (with the import's review) and the unit list."""
        office(request)
        form = await form_of(request)
        try:
            staged = await run_in_threadpool(opening.stage, portal.dir, form.get("ke_hoach"),
                                             form.get("don_vi"))
        except UserError as exc:
            return office_page(request, 422, exc.message)
        return review_page(request, staged)

    @app.post("/van-phong/dot")
    async def open_round(request: Request) -> Response:
        """Step 2 (or both at once, when the files come with the period): open the round."""
        office(request)
        form = await form_of(request)
        token = str(form.get("phien") or "")
        period = str(form.get("ky") or "").strip()[:80]
        due_text = str(form.get("han") or "").strip()[:40]
        units = form.get("don_vi")
        try:
            if not token:
                staged = await run_in_threadpool(opening.stage, portal.dir,
                                                 form.get("ke_hoach"), units)
                token = staged.token
            elif isinstance(units, UploadFile) and units.filename:
                await run_in_threadpool(opening.replace_units, portal.dir, token, units)
        except UserError as exc:
            return office_page(request, 422, exc.message)
        try:
            due = _due(due_text)
            rnd = await run_in_threadpool(opening.open_staged, portal, token, period, due)
        except UserError as exc:
            try:
                staged = await run_in_threadpool(opening.read, portal.dir, token)
            except UserError as gone:
                return office_page(request, 422, gone.message)
            return review_page(request, staged, 422, exc.message, period, due_text)
        past = "?tb=han-qua" if rnd.due < date.today() else ""
        return RedirectResponse(f"/van-phong/dot/{rnd.id}{past}", status_code=303)

    @app.get("/van-phong/dot/{rid}", response_class=HTMLResponse)
    def dashboard(request: Request, rid: int) -> Response:
        office(request)
        rnd = round_of(rid)
        return page(request, "dashboard.html", board=portal.board(rnd), rnd=rnd,
                    profile=profiles.read_profile(portal.dir), smtp=smtp is not None,
                    unlinked=portal.unlinked(rnd), noted_unit=_unit_name(rnd, request),
                    links=portal.link_rows(rnd, _base(request)), note=request.query_params
                    .get("tb", ""))

    @app.get("/van-phong/dot/{rid}/bang", response_class=HTMLResponse)
    def board_part(request: Request, rid: int) -> Response:
        office(request)
        rnd = round_of(rid)
        return page(request, "_board.html", board=portal.board(rnd), rnd=rnd)

    @app.get("/van-phong/dot/{rid}/don-vi/{code}", response_class=HTMLResponse)
    def unit_page(request: Request, rid: int, code: str) -> Response:
        office(request)
        rnd = round_of(rid)
        unit = next((u for u in portal.units(rnd) if u.code == code), None)
        if unit is None:
            raise _NotFound()
        return page(request, "unit.html", rnd=rnd, unit=unit,
                    receipts=portal.receipts(rnd, code))

    @app.get("/van-phong/dot/{rid}/don-vi/{code}/{sha}", response_class=HTMLResponse)
    def office_findings(request: Request, rid: int, code: str, sha: str) -> Response:
        office(request)
        rnd = round_of(rid)
        receipt = portal.receipt_for(rnd, code, sha)
        if receipt is None:
            raise _NotFound()
        unit = next(u for u in portal.units(rnd) if u.code == code)
        base = f"/van-phong/dot/{rid}/don-vi/{code}/{sha}"
        return page(request, "receipt.html", rnd=rnd, unit=unit, token="", r=receipt,
                    f=receipt.findings, again=False, office_view=True,
                    annotated_url=f"{base}/danh-dau", file_url=f"{base}/tep")

    @app.get("/van-phong/dot/{rid}/don-vi/{code}/{sha}/tep")
    def office_file(request: Request, rid: int, code: str, sha: str) -> Response:
        office(request)
        rnd = round_of(rid)
        receipt = portal.receipt_for(rnd, code, sha)
        if receipt is None:
            raise _NotFound()
        ext = Path(receipt.stored_name).suffix
        return download(portal.stored_file(receipt), f"{code} - {receipt.original_name}"
                        if receipt.original_name.endswith(ext) else f"{code}{ext}",
                        "application/octet-stream")

    @app.get("/van-phong/dot/{rid}/don-vi/{code}/{sha}/danh-dau")
    async def office_annotated(request: Request, rid: int, code: str, sha: str) -> Response:
        office(request)
        rnd = round_of(rid)
        receipt = portal.receipt_for(rnd, code, sha)
        if receipt is None:
            raise _NotFound()
        return await _annotated(request, rnd, receipt)

    @app.get("/van-phong/dot/{rid}/tong-hop")
    async def consolidated(request: Request, rid: int, kem_loi: str = "", so: str = "",
                           ngay: str = "") -> Response:
        office(request)
        rnd = round_of(rid)
        try:
            number, day = profiles.run_details(so, ngay)
            path = await portal.consolidated(rnd, bool(kem_loi), number, day)
        except UserError as exc:
            return problem(request, exc.message, 409)
        return download(path, f"Tổng hợp {rnd.period_name}.xlsx", once=True)

    @app.get("/van-phong/dot/{rid}/bao-cao-word")
    async def word_report(request: Request, rid: int, kem_loi: str = "", so: str = "",
                          ngay: str = "") -> Response:
        office(request)
        rnd = round_of(rid)
        try:
            number, day = profiles.run_details(so, ngay)
            path = await portal.word_report(rnd, bool(kem_loi), number, day)
        except UserError as exc:
            return problem(request, exc.message, 409)
        return download(path, f"Báo cáo {rnd.period_name}.docx", DOCX, once=True)

    @app.get("/van-phong/ho-so", response_class=HTMLResponse)
    def profile_page(request: Request) -> Response:
        office(request)
        saved = profiles.read_profile(portal.dir)
        return page(request, "profile.html", v=profiles.form_values(saved),
                    authorities=profiles.AUTHORITIES, saved=saved is not None,
                    done="da-luu" in request.query_params, error="")

    @app.post("/van-phong/ho-so", response_class=HTMLResponse)
    async def profile_save(request: Request) -> Response:
        office(request)
        form = await form_of(request)
        try:
            profiles.save_profile(portal.dir, profiles.profile_from_form(form))
        except UserError as exc:
            typed = {k: str(form.get(k) or "") for k in profiles.FIELDS}
            return page(request, "profile.html", status=422, v=typed,
                        authorities=profiles.AUTHORITIES, saved=False, done=False,
                        error=exc.message)
        return RedirectResponse("/van-phong/ho-so?da-luu=1", status_code=303)

    @app.get("/van-phong/dot/{rid}/bai-nop.zip")
    async def returns_zip(request: Request, rid: int) -> Response:
        office(request)
        rnd = round_of(rid)
        path = await run_in_threadpool(portal.returns_zip, rnd)
        return download(path, f"Bài nộp {rnd.period_name}.zip", "application/zip", once=True)

    @app.get("/van-phong/dot/{rid}/mau.zip")
    async def templates_zip(request: Request, rid: int) -> Response:
        office(request)
        rnd = round_of(rid)
        path = await run_in_threadpool(portal.templates_zip, rnd)
        return download(path, f"Mẫu báo cáo {rnd.period_name}.zip", "application/zip",
                        once=True)

    @app.get("/van-phong/dot/{rid}/duong-dan.csv")
    def links_csv(request: Request, rid: int) -> Response:
        office(request)
        rnd = round_of(rid)
        return Response(portal.links_csv(rnd, _base(request)), media_type="text/csv",
                        headers={"Content-Disposition": content_disposition(
                            f"Đường dẫn {rnd.period_name}.csv")})

    async def _link_action(request: Request, rid: int, code: str, act: Callable[..., Any],
                           tag: str) -> Response:
        """Re-issue or revoke a unit's link, then back to the links with a banner naming it."""
        office(request)
        await form_of(request)
        rnd = round_of(rid)
        try:
            act(rnd, code)
        except LookupError:
            raise _NotFound() from None
        return RedirectResponse(f"/van-phong/dot/{rid}?tb={tag}&dv={quote(code)}#duong-dan",
                                status_code=303)

    @app.post("/van-phong/dot/{rid}/don-vi/{code}/cap-lai")
    async def reissue(request: Request, rid: int, code: str) -> Response:
        return await _link_action(request, rid, code, portal.reissue, "cap-lai")

    @app.post("/van-phong/dot/{rid}/don-vi/{code}/thu-hoi")
    async def revoke(request: Request, rid: int, code: str) -> Response:
        return await _link_action(request, rid, code, portal.revoke, "thu-hoi")

    @app.post("/van-phong/dot/{rid}/thu")
    async def send_mail(request: Request, rid: int) -> Response:
        office(request)
        form = await form_of(request)
        rnd = round_of(rid)
        if smtp is None:
            return problem(request, "Cổng chưa được cấu hình máy chủ thư (SMTP) nên chưa gửi "
                                    "thư được; hãy tải danh sách đường dẫn (.csv) để gửi bằng "
                                    "hộp thư của cơ quan.", 409)
        from cchc_xlsx.web import mail

        kind = str(form.get("loai") or "")
        send = mail.send_links if kind == "duong-dan" else mail.send_reminders
        try:
            sent = await run_in_threadpool(send, portal, rnd, smtp, _base(request))
        except UserError as exc:
            return problem(request, exc.message, 502)
        return RedirectResponse(f"/van-phong/dot/{rid}?tb=thu-{len(sent)}", status_code=303)

    def _unit_name(rnd: Round, request: Request) -> str:
        code = request.query_params.get("dv", "")
        return next((f"{u.name} ({u.code})" for u in portal.units(rnd) if u.code == code), "")

    def _base(request: Request) -> str:
        return base_url or str(request.base_url).rstrip("/")

    return app


def _due(text: str) -> date | None:
    """The due date typed in the round form: dd/mm/yyyy (also yyyy-mm-dd); empty: the
    plan's own."""
    from cchc_xlsx.plans.phrases import parse_vn_date

    if not text:
        return None
    day = parse_vn_date(text)
    if day is None:
        raise UserError(f"Hạn nộp «{text}» không đúng dạng ngày/tháng/năm, ví dụ 05/04/2023.")
    return day


def _small_int(value: Any) -> int:
    """A round id from a form or a path: digits that fit SQLite's integer, else
    ``LookupError`` (a file part, 10^30 or a 20-digit id must answer «not found»)."""
    if isinstance(value, int) and 0 <= value < 2 ** 62:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    raise LookupError(value)
