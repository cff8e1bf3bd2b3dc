"""What the portal does, as plain methods the routes and the CLI both call.

Handlers in ``app.py`` only translate HTTP to these calls and results to pages. Everything
here is built from the library: plans load through ``load_round_plan`` (one place, so the
plan-document importer can be switched in), templates come from ``forms.generate``,
checking from ``checking.validate`` (in worker processes, see ``checker``), the record from
``inbox.history``, the consolidated workbook from ``merging.merge``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import hashlib
import io
import os
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from cchc_xlsx.atomic import atomic_path
from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Plan, Unit
from cchc_xlsx.user_text import store_text
from cchc_xlsx.web import plan_round
from cchc_xlsx.web.round_plan import load_round_plan, with_due
from cchc_xlsx.web.security import Attempt, LoginThrottle
from cchc_xlsx.web.store import Receipt, Round, RoundUnit, Store

MAX_UPLOAD = 20 * 1024 * 1024
TOKEN_BYTES = 24  # 192 bits from secrets: a link cannot be guessed
SESSION_HOURS = 12
#: ``/kiem-tra`` (anyone, no link): files checked at once, and files allowed to wait. It
#: never goes through the schools' batches, so a school's upload is not queued behind it.
PUBLIC_CHECKS = 1
PUBLIC_WAITING = 4


class Busy(UserError):
    """The public check page has too many files waiting."""

    def __init__(self) -> None:
        super().__init__("Trang kiểm tra thử đang bận kiểm tra các tệp khác; hãy thử lại sau "
                         "ít phút (việc nộp báo cáo qua đường dẫn của đơn vị không bị ảnh "
                         "hưởng).")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def receipt_code(sha256: str) -> str:
    """The short code a school quotes on the phone: the content hash's first 40 bits."""
    s = sha256[:10].upper()
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class BoardRow:
    code: str
    name: str
    email: str
    submitted: bool = False
    received_at: datetime | None = None
    on_time: bool | None = None
    valid: bool | None = None
    errors: int = 0
    warnings: int = 0
    sends: int = 0
    sha256: str = ""

    @property
    def state(self) -> str:
        if not self.submitted:
            return "chưa nộp"
        return "hợp lệ" if self.valid else "có lỗi"


@dataclass
class Board:
    round: Round
    rows: list[BoardRow]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def chase_list(self) -> str:
        """Missing and invalid units, one a line, to paste into a message or an e-mail."""
        lines = [f"{r.code}\t{r.name}\t{r.state}" + (f" ({r.errors} lỗi)" if r.errors else "")
                 for r in self.rows if not r.valid]
        return "\n".join(lines)


@dataclass
class Outcome:
    """What one upload came to: a receipt (recorded) or a refusal (nothing recorded)."""

    receipt: Receipt | None = None
    refusal: str = ""
    new: bool = False


class Portal:
    """The portal over one data folder: the SQLite store plus the files it keeps."""

    def __init__(self, data_dir: str | Path, pool: Executor | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.dir = Path(data_dir)
        if not self.dir.is_dir():
            try:
                self.dir.mkdir(parents=True)
            except OSError as exc:
                raise UserError(f"Không tạo được thư mục dữ liệu «{self.dir}»: "
                                f"{exc.strerror}.") from None
        for sub in ("tep", "mau", "danh-dau", "ke-hoach", "tam", "xuat"):
            (self.dir / sub).mkdir(exist_ok=True)
        # exports are per request (two officers downloading at once never share a file)
        # and removed once sent; "xuat" is their scratch folder
        self.store = Store(self.dir)
        self.pool = pool
        self.clock = clock
        self.workers = getattr(pool, "_max_workers", 0) or 2
        self._batcher: _Batcher | None = None
        self._public: asyncio.Semaphore | None = None
        self._public_in = 0  # /kiem-tra files being received, waiting or checked

    def clear_spool(self) -> None:
        """Uploads and exports a stopped server left half-done (none was acknowledged)."""
        for leftover in [*(self.dir / "tam").iterdir(), *(self.dir / "xuat").iterdir()]:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)

    # --- rounds -------------------------------------------------------------------------

    def open_round(self, plan_path: str | Path, units: list[Unit], period_id: str,
                   due: date | None = None) -> tuple[Round, int]:
        """Open (or reopen) a round and give each unit a link; templates are written now,
        so every school can download its own at once."""
        plan = load_round_plan(plan_path)
        try:
            period = plan.period(period_id)
        except KeyError:
            known = ", ".join(p.id for p in plan.schedule) or "(không có)"
            raise UserError(f"Kế hoạch «{plan_path}» không có kỳ báo cáo «{period_id}»; các kỳ "
                            f"có: {known}.") from None
        if not units:
            raise UserError("Danh sách đơn vị không có đơn vị nào.")
        src = Path(plan_path)
        kept = self.dir / "ke-hoach" / f"{plan.id}.yaml"
        with atomic_path(kept) as tmp:
            if src.suffix.lower() in (".yaml", ".yml"):
                shutil.copyfile(src, tmp)
            else:  # a plan document is kept as the plan it was read into, not re-read each time
                from cchc_xlsx.plans.plan_writer import plan_yaml

                tmp.write_text(plan_yaml(plan, [f"Nhập từ «{src.name}» khi mở đợt báo cáo."],
                                         {}), encoding="utf-8")
        rnd, issued = self.store.upsert_round(
            plan.id, period.id, kept.name, plan.meta.title or plan.id, period.name,
            due or period.due, units, new_token)
        self._write_templates(rnd, units, plan)
        return rnd, issued

    def plan(self, rnd: Round) -> Plan:
        return with_due(load_round_plan(self.dir / "ke-hoach" / rnd.plan_file),
                        rnd.period_id, rnd.due)

    def is_plan_round(self, rnd: Round) -> bool:
        """Whether this round collects the units' own plans (a period of kind "plan")."""
        return plan_round.kept_plan_round(self.dir / "ke-hoach" / rnd.plan_file, rnd.period_id)

    def _template_dir(self, rnd: Round) -> Path:
        return self.dir / "mau" / str(rnd.id)

    def _write_templates(self, rnd: Round, units: list[Unit], plan: Plan | None = None) -> None:
        from cchc_xlsx.forms.generate import default_forms, generate
        from cchc_xlsx.forms.specs import load_catalog

        plan = plan or self.plan(rnd)
        plan = with_due(plan, rnd.period_id, rnd.due)
        if plan_round.is_plan_round(plan, rnd.period_id):  # each unit's own plan draft
            drafts = self._template_dir(rnd)
            if drafts.exists():
                shutil.rmtree(drafts)
            plan_round.write_drafts(plan, units, drafts)
            return
        catalog = load_catalog()
        forms = [f for f in default_forms(plan, catalog) if catalog.forms[f].kind == "report"]
        out = self._template_dir(rnd)
        if out.exists():
            shutil.rmtree(out)  # reopened: the due date or the list may have changed
        generate(plan, units, out, forms=forms, period_id=rnd.period_id, catalog=catalog,
                 workers=1 if len(units) < 16 else None)

    def round(self, rid: int) -> Round:
        rnd = self.store.round(rid)
        if rnd is None:
            raise LookupError(rid)
        return rnd

    def rounds(self) -> list[Round]:
        return self.store.rounds()

    def round_for_period(self, period_id: str, plan_id: str | None = None) -> Round:
        found = [r for r in self.store.rounds()
                 if r.period_id == period_id and (plan_id is None or r.plan_id == plan_id)]
        if not found:
            raise UserError(f"Chưa có đợt báo cáo nào cho kỳ «{period_id}» trong thư mục dữ "
                            f"liệu «{self.dir}»; hãy mở đợt bằng «cchc-xlsx web open».")
        if len(found) > 1:
            raise UserError(f"Có {len(found)} đợt báo cáo cho kỳ «{period_id}» (kế hoạch "
                            + ", ".join(r.plan_id for r in found) + "); hãy ghi thêm --plan.")
        return found[0]

    def units(self, rnd: Round) -> list[RoundUnit]:
        return self.store.units(rnd.id)

    def template(self, rnd: Round, code: str) -> Path:
        from cchc_xlsx.forms.generate import workbook_name

        unit = next(u.unit for u in self.units(rnd) if u.code == code)
        name = (plan_round.draft_name(unit, rnd.plan_id) if self.is_plan_round(rnd)
                else workbook_name(unit, rnd.plan_id, rnd.period_id))
        path = self._template_dir(rnd) / name
        if not path.exists():
            self._write_templates(rnd, [u.unit for u in self.units(rnd)])
        return path

    def templates_zip(self, rnd: Round) -> Path:
        paths = [self.template(rnd, u.code) for u in self.units(rnd)]
        return self._zip(f"mau-{rnd.id}.zip", [(p.name, p) for p in paths])

    # --- links --------------------------------------------------------------------------

    def link_rows(self, rnd: Round, base_url: str) -> list[tuple[str, str, str, str]]:
        """(mã, tên, email, đường dẫn) for every unit of the round."""
        links = self.store.links(rnd.id)
        base = base_url.rstrip("/")
        return [(u.code, u.name, u.email, f"{base}/u/{links[u.code]}")
                for u in self.units(rnd) if u.code in links]

    def links_csv(self, rnd: Round, base_url: str) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["mã", "tên", "email", "đường dẫn"])
        w.writerows([store_text(cell) for cell in row] for row in self.link_rows(rnd, base_url))
        return "\ufeff" + buf.getvalue()  # BOM: Excel opens Vietnamese CSV correctly

    def reissue(self, rnd: Round, code: str) -> str:
        token = new_token()
        if not self.store.reissue(rnd.id, code, token):
            raise LookupError(code)
        return token

    def collector(self, unit: RoundUnit) -> str:
        """The office a school sends to, as the school page names it: the portal's profile,
        else the unit list's «nơi nhận»."""
        from cchc_xlsx.plans.names import normal_case
        from cchc_xlsx.web.profile import read_profile

        profile = read_profile(self.dir)
        return normal_case(profile.name) if profile else unit.unit.recipient

    def revoke(self, rnd: Round, code: str) -> None:
        """Close a unit's link (a lost or leaked one) until the office issues a new one."""
        if not self.store.revoke(rnd.id, code):
            raise LookupError(code)

    def unlinked(self, rnd: Round) -> list[RoundUnit]:
        """The round's units whose link was revoked and not issued again."""
        links = self.store.links(rnd.id)
        return [u for u in self.units(rnd) if u.code not in links]

    def school(self, token: str) -> tuple[Round, RoundUnit] | None:
        """The round and unit a live link opens, or None (unknown or revoked)."""
        link = self.store.link(token)
        if link is None:
            return None
        rnd = self.store.round(link.round_id)
        unit = next((u for u in self.store.units(link.round_id) if u.code == link.unit_code),
                    None)
        return (rnd, unit) if rnd and unit else None

    # --- uploads ------------------------------------------------------------------------

    def spool(self, src: BinaryIO) -> tuple[Path, str]:
        """Copy an upload to a generated temp name, hashing as it goes; fsync'd."""
        digest = hashlib.sha256()
        fd, tmp = _mkstemp(self.dir / "tam")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    size += len(chunk)
                    if size > MAX_UPLOAD:
                        raise UserError(too_large_message())
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:  # too large, a full disk, a dropped connection: no leftover
            os.unlink(tmp)
            raise
        return Path(tmp), digest.hexdigest()

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, fn, *args)

    async def receive(self, rnd: Round, unit: RoundUnit, src: BinaryIO,
                      filename: str, source: str = "") -> Outcome:
        """Record a school's upload once per content: guard, store, check, record.
        ``source`` says how the file came when not as an upload ("điền trực tuyến")."""
        from starlette.concurrency import run_in_threadpool


        shown = display_name(filename)
        tmp, sha = await run_in_threadpool(self.spool, src)
        known = await run_in_threadpool(self.store.receipt, sha)
        if known is not None and await run_in_threadpool(self._recorded, sha):
            tmp.unlink(missing_ok=True)
            if (known.round_id, known.unit_code) != (rnd.id, unit.code):
                return Outcome(refusal=f"Tệp «{shown}» đã được nộp trước đây cho một đơn vị "
                                       "hoặc kỳ khác; hãy gửi đúng tệp của đơn vị mình.")
            return Outcome(known, new=False)
        received = datetime.now().replace(microsecond=0)
        found = await self._check(rnd, {"tmp": str(tmp), "files_dir": str(self.dir / "tep"),
                                        "sha256": sha, "shown": shown, "unit": unit.code})
        if found.get("refusal"):
            return Outcome(refusal=found["refusal"])
        if source:
            found["source"] = source
        receipt = Receipt(sha, rnd.id, unit.code, shown, found["stored_name"], found, received)
        try:
            return await run_in_threadpool(self._record, receipt)
        except BaseException:  # not acknowledged: no stored file without its receipt
            await run_in_threadpool(self._drop_orphan, sha, found["stored_name"])
            raise

    def _drop_orphan(self, sha: str, stored_name: str) -> None:
        try:
            if stored_name and self.store.receipt(sha) is None:
                (self.dir / "tep" / stored_name).unlink(missing_ok=True)
        except Exception:  # the store itself is failing: the file stays for clear_spool
            pass

    def _recorded(self, sha: str) -> bool:
        with self.store.history() as h:
            return h.find(sha) is not None

    def _record(self, receipt: Receipt) -> Outcome:
        """Receipt first, then the history row: a file counts (and is acknowledged) only
        once its history row is committed."""
        from cchc_xlsx.checking.report import FileResult

        self.store.add_receipt(receipt)
        stamp = receipt.received_at.timestamp()  # the file's time is its receipt's: the
        with contextlib.suppress(OSError):  # status sheet then says "received", not "modified"
            os.utime(self.dir / "tep" / receipt.stored_name, (stamp, stamp))
        f = receipt.findings
        res = FileResult(str(self.dir / "tep" / receipt.stored_name), usable=f["usable"],
                         unit_code=receipt.unit_code, unit_name=f["unit_name"],
                         plan_id=f["plan_id"], period_id=f["period_id"], kind="unit")
        res_errors, res_warnings = f["errors"], f["warnings"]
        with self.store.write_lock, self.store.history() as h:
            rec = h.record(res.file, _Counted(res, res_errors, res_warnings),
                           received_at=receipt.received_at, sha256=receipt.sha256)
        stored = self.store.receipt(receipt.sha256)
        return Outcome(stored, new=rec.new)

    async def check_only(self, rnd: Round | None, src: BinaryIO,
                         filename: str) -> tuple[Round | None, dict[str, Any]]:
        """``/kiem-tra``: the findings for a file, which is then deleted, never recorded.

        The file is checked against the open round its identity names (plan and period);
        ``rnd`` (the user's choice) only when the file does not say, or there is one round.
        Returns the round used (None: no round fits, the findings say why).

        At most ``PUBLIC_CHECKS`` such files are checked at once, outside the schools'
        batches (a hostile file costs its sender's wait, not a school's); with
        ``PUBLIC_WAITING`` more already received or waiting, the next answers ``Busy``."""
        from starlette.concurrency import run_in_threadpool

        from cchc_xlsx.web import checker

        if self._public is None:
            self._public = asyncio.Semaphore(PUBLIC_CHECKS)
        if self._public_in >= PUBLIC_CHECKS + PUBLIC_WAITING:
            raise Busy()
        self._public_in += 1
        try:
            shown = display_name(filename)
            tmp, sha = await run_in_threadpool(self.spool, src)
            try:
                async with self._public:
                    ident = await run_in_threadpool(_identity, tmp)
                    rounds = self.rounds()
                    if ident.get("plan_id") and ident.get("period_id"):
                        named = next((r for r in rounds if (r.plan_id, r.period_id)
                                      == (ident["plan_id"], ident["period_id"])), None)
                        if named is None:
                            what = ident.get("period_name") or ident["period_id"]
                            return None, {"refusal": (
                                f"Tệp «{shown}» là báo cáo kỳ «{what}» (kế hoạch "
                                f"«{ident['plan_id']}»); trên cổng chưa có đợt báo cáo nào "
                                "đang mở cho kỳ này, nên chưa kiểm tra được. Hãy hỏi phòng "
                                "giáo dục về đợt báo cáo.")}
                        rnd = named
                    elif rnd is None:
                        if len(rounds) != 1:
                            return None, {"refusal": (
                                f"Tệp «{shown}» không cho biết thuộc đợt báo cáo nào (không "
                                "điền trên mẫu do cổng phát); hãy chọn đợt báo cáo trong danh "
                                "sách rồi kiểm tra lại.")}
                        rnd = rounds[0]
                    job = {"tmp": str(tmp), "files_dir": "", "sha256": sha, "shown": shown,
                           "unit": None, "plan_id": rnd.plan_id, "period_id": rnd.period_id}
                    if self.is_plan_round(rnd):  # a unit's own plan
                        found = await self._run(
                            plan_round.check_upload, job,
                            str(self.dir / "ke-hoach" / rnd.plan_file), rnd.period_id, rnd.due)
                        return rnd, found
                    [found] = await self._run(
                        checker.check_uploads, [job],
                        {(rnd.plan_id, rnd.period_id): [u.unit for u in self.units(rnd)]})
            finally:
                Path(tmp).unlink(missing_ok=True)  # refused by the guard or cut off
        finally:
            self._public_in -= 1
        return rnd, found

    async def check_draft(self, rnd: Round, src: BinaryIO, filename: str) -> dict[str, Any]:
        """A school's workbook built from its browser entries, checked while it types: the
        link is the key, so it goes through the schools' batches (never the public page's
        one-at-a-time queue), and nothing is recorded."""
        from starlette.concurrency import run_in_threadpool

        tmp, sha = await run_in_threadpool(self.spool, src)
        try:
            return await self._check(rnd, {"tmp": str(tmp), "files_dir": "", "sha256": sha,
                                           "shown": display_name(filename), "unit": None})
        finally:
            Path(tmp).unlink(missing_ok=True)

    async def _check(self, rnd: Round, job: dict[str, Any]) -> dict[str, Any]:
        """One file's findings, checked in a batch with whatever else is waiting."""
        if self._batcher is None:
            self._batcher = _Batcher(self)
        job |= {"plan_id": rnd.plan_id, "period_id": rnd.period_id}
        if self.is_plan_round(rnd):
            return await self._run(plan_round.check_upload, job,
                                   str(self.dir / "ke-hoach" / rnd.plan_file), rnd.period_id,
                                   rnd.due)
        return await self._batcher.check(job, [u.unit for u in self.units(rnd)])

    def receipt_for(self, rnd: Round, code: str, sha: str) -> Receipt | None:
        """A receipt, only when it belongs to this round and unit (never another's)."""
        r = self.store.receipt(sha) if len(sha) == 64 else None
        return r if r and r.round_id == rnd.id and r.unit_code == code else None

    def receipts(self, rnd: Round, code: str) -> list[Receipt]:
        return list(reversed(self.store.receipts(rnd.id, code)))

    def stored_file(self, receipt: Receipt) -> Path:
        return self.dir / "tep" / receipt.stored_name

    async def annotated(self, rnd: Round, receipt: Receipt) -> Path | None:
        from cchc_xlsx.web import checker

        if self.is_plan_round(rnd):
            out = await self._run(plan_round.annotate, str(self.stored_file(receipt)),
                                  str(self.dir / "danh-dau"),
                                  str(self.dir / "ke-hoach" / rnd.plan_file), rnd.period_id,
                                  rnd.due, receipt.original_name)
            return Path(out) if out else None
        units = [u.unit for u in self.units(rnd)]
        out = await self._run(checker.annotate, str(self.stored_file(receipt)),
                              str(self.dir / "danh-dau"), rnd.plan_id, rnd.period_id, units,
                              receipt.original_name)
        return Path(out) if out else None

    # --- the office's view --------------------------------------------------------------

    def board(self, rnd: Round) -> Board:
        units = self.units(rnd)
        with self.store.history() as h:
            table = h.status_table(rnd.period_id, [u.unit for u in units])
        by_code = {r.unit_code: r for r in table if r.plan_id == rnd.plan_id and r.listed}
        rows: list[BoardRow] = []
        for u in units:
            row = BoardRow(u.code, u.name, u.email)
            st = by_code.get(u.code)
            if st is not None and st.current is not None:
                s = st.current
                row.submitted, row.received_at, row.sha256 = True, s.received_at, s.sha256
                row.on_time = s.received_at.date() <= rnd.due
                row.valid, row.errors, row.warnings = s.valid, s.errors, s.warnings
                row.sends = st.submissions
            rows.append(row)
        sent = [r for r in rows if r.submitted]
        totals = {"expected": len(rows), "submitted": len(sent),
                  "valid": sum(1 for r in sent if r.valid),
                  "invalid": sum(1 for r in sent if not r.valid),
                  "missing": len(rows) - len(sent),
                  "late": sum(1 for r in sent if r.on_time is False)}
        return Board(rnd, rows, totals)

    async def consolidated(self, rnd: Round, include_invalid: bool, number: str = "",
                           day: date | None = None) -> Path:
        """The round's consolidated workbook, signed with the office's saved profile and
        this download's number and date (blank for the văn thư when not given)."""
        from cchc_xlsx.web import checker
        from cchc_xlsx.web.profile import read_profile

        profile = read_profile(self.dir)
        if profile is not None:
            profile = profile.with_run(number, day)

        board = self.board(rnd)
        files = [str(self.dir / "tep" / self._stored_name(r.sha256)) for r in board.rows
                 if r.submitted]
        if not files:
            raise UserError("Chưa đơn vị nào nộp báo cáo trong đợt này nên chưa có gì để "
                            "tổng hợp.")
        out = self.dir / "xuat" / f"tong-hop-{rnd.id}-{secrets.token_hex(6)}.xlsx"
        units = [u.unit for u in self.units(rnd)]
        if self.is_plan_round(rnd):  # "Tình hình ban hành kế hoạch của các đơn vị"
            await self._run(plan_round.consolidate, files,
                            str(self.dir / "ke-hoach" / rnd.plan_file), units, rnd.period_id,
                            rnd.due, str(out), profile)
            return out
        await self._run(checker.merge_round, files, str(self.dir / "ke-hoach" / rnd.plan_file),
                        units, rnd.period_id, rnd.due, str(out), str(self.store.path),
                        include_invalid, profile)
        return out

    async def word_report(self, rnd: Round, include_invalid: bool, number: str = "",
                          day: date | None = None) -> Path:
        """The drafted Word report: the signed consolidation first, then ``report`` on it."""
        from cchc_xlsx.web import checker

        if self.is_plan_round(rnd):
            raise UserError("Đợt thu kế hoạch của các đơn vị không có báo cáo Word tổng hợp; "
                            "hãy tải bảng tổng hợp tình hình ban hành kế hoạch (Excel).")
        merged = await self.consolidated(rnd, include_invalid, number, day)
        try:
            out = merged.with_suffix(".docx")
            await self._run(checker.word_report, str(merged), str(out))
        finally:
            merged.unlink(missing_ok=True)
        return out

    def _stored_name(self, sha: str) -> str:
        r = self.store.receipt(sha)
        if r is not None:
            return r.stored_name
        with self.store.history() as h:  # recorded by `collect`, not through the portal
            s = h.find(sha)
        return s.file if s else ""

    def returns_zip(self, rnd: Round) -> Path:
        """Each unit's current return at the top, earlier ones under «ban-truoc/»."""
        from cchc_xlsx.forms.generate import workbook_name

        current = {r.sha256 for r in self.board(rnd).rows if r.submitted}
        entries: list[tuple[str, Path]] = []
        units = {u.code: u.unit for u in self.units(rnd)}
        for rec in self.store.receipts(rnd.id):
            stem = Path(workbook_name(units[rec.unit_code])).stem
            ext = Path(rec.stored_name).suffix
            name = (f"{stem}{ext}" if rec.sha256 in current else
                    f"ban-truoc/{stem}_{rec.received_at:%Y%m%d-%H%M%S}{ext}")
            entries.append((name, self.dir / "tep" / rec.stored_name))
        return self._zip(f"bai-nop-{rnd.id}.zip", _unique_names(entries))

    def _zip(self, name: str, entries: list[tuple[str, Path]]) -> Path:
        out = self.dir / "xuat" / f"{Path(name).stem}-{secrets.token_hex(6)}.zip"
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for arcname, path in entries:
                z.write(path, arcname)
        return out

    # --- accounts -----------------------------------------------------------------------

    def add_user(self, name: str, password: str) -> None:
        from argon2 import PasswordHasher

        name = name.strip()
        if not name or len(name) > 64:
            raise UserError("Tên đăng nhập phải có từ 1 đến 64 ký tự.")
        if len(password) < 8:
            raise UserError("Mật khẩu phải có ít nhất 8 ký tự.")
        self.store.set_user(name, PasswordHasher().hash(password))

    def login(self, name: str, password: str, client: str) -> str:
        """A new session token, or ``Throttled`` / ``UserError`` (one sentence); waits here
        for the name's slot (the portal's route waits without holding a thread)."""
        attempt = self.login_start(name, client)
        if attempt.delay > 0:
            time.sleep(attempt.delay)
        return self.login_finish(attempt, name, password)

    def login_start(self, name: str, client: str) -> Attempt:
        """Count a login attempt before its password is checked (``LoginThrottle``)."""
        return LoginThrottle(self.store, self.clock).start(name, client)

    def login_finish(self, attempt: Attempt, name: str, password: str) -> str:
        """Check the password of a counted attempt: a session token or ``UserError``."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        stored = self.store.user_hash(name.strip())
        try:
            ok = PasswordHasher().verify(stored or _dummy_hash(), password)
            ok = ok and stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            raise UserError("Tên đăng nhập hoặc mật khẩu không đúng.")
        LoginThrottle(self.store, self.clock).succeeded(attempt)
        token = secrets.token_urlsafe(32)
        self.store.add_session(hash_secret(token), name.strip(),
                               datetime.now() + timedelta(hours=SESSION_HOURS))
        return token

    def session_user(self, token: str | None) -> str | None:
        return self.store.session_user(hash_secret(token)) if token else None

    def logout(self, token: str | None) -> None:
        if token:
            self.store.drop_session(hash_secret(token))


class _Batcher:
    """Uploads waiting for a check go to the workers together: one ``check_files`` pass
    costs about the same for one file as for twenty, so under load the batches grow and
    every school still sees its findings within seconds. At most one batch per worker is
    in flight; the rest wait in arrival order."""

    MAX_BATCH = 24
    #: Another worker starts a batch only for this many waiting files: a pass costs about
    #: the same for one file as for twenty, so small batches in parallel waste the CPU.
    SPREAD = 6

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.waiting: list[tuple[dict[str, Any], asyncio.Future]] = []
        self.units: dict[tuple[str, str], list[Unit]] = {}
        self.running = 0

    async def check(self, job: dict[str, Any], units: list[Unit]) -> dict[str, Any]:
        future = asyncio.get_running_loop().create_future()
        self.units[(job["plan_id"], job["period_id"])] = units
        self.waiting.append((job, future))
        self._start()
        return await future

    def _start(self) -> None:
        while self.waiting and self.running < max(self.portal.workers, 1):
            if self.running and len(self.waiting) < self.SPREAD:
                return  # a few files: let them gather behind the batch in flight
            batch, self.waiting = self.waiting[:self.MAX_BATCH], self.waiting[self.MAX_BATCH:]
            self.running += 1
            asyncio.ensure_future(self._run(batch))

    async def _run(self, batch: list[tuple[dict[str, Any], asyncio.Future]]) -> None:
        from cchc_xlsx.web import checker

        keys = {(j["plan_id"], j["period_id"]) for j, _ in batch}
        try:
            results = await self.portal._run(checker.check_uploads, [j for j, _ in batch],
                                             {k: self.units[k] for k in keys})
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        except BaseException as exc:  # a broken pool: every waiting upload is told
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        finally:
            self.running -= 1
            self._start()


class _Counted:
    """A checked file's counts as ``History.record`` reads them (the issues themselves
    were kept on the receipt)."""

    def __init__(self, res: Any, errors: int, warnings: int) -> None:
        self._res, self.errors, self.warnings = res, errors, warnings

    def __getattr__(self, name: str) -> Any:
        return getattr(self._res, name)

    @property
    def valid(self) -> bool:
        return bool(self._res.usable and self.errors == 0)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so both cases take the same time."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(secrets.token_hex(16))


def _identity(path: Path) -> dict[str, Any]:
    """The plan and period a file says it belongs to ({} when it does not say, or cannot be
    read: the check that follows tells the user why in its own words)."""
    from cchc_xlsx.reading.file_guard import UnusableFile, inspect_workbook
    from cchc_xlsx.reading.reader import open_book, read_identity

    try:
        seen = inspect_workbook(path)
        if seen.fmt not in ("xlsx", "xlsm") or seen.far_parts:
            return {}  # read in the server itself: only a plain OOXML file, never a far grid
        kind = seen.fmt
        named = path.with_name(f"{path.name}.id.{kind}")
        os.link(path, named)
        try:
            _, book, _ = open_book(named)
            try:
                return read_identity(book)
            finally:
                close = getattr(book, "close", None)
                if close:
                    close()
        finally:
            named.unlink(missing_ok=True)
    except (UnusableFile, OSError, ValueError):
        return {}


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="nhan-", suffix=".tmp", dir=folder)


def _unique_names(entries: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Entry names made unique ("…_2", "…_3"): versions sent within one second share a
    time stamp, and unzipping would overwrite one with the other."""
    seen: set[str] = set()
    out: list[tuple[str, Path]] = []
    for name, path in entries:
        stem, ext = os.path.splitext(name)
        unique, n = name, 1
        while unique.lower() in seen:
            n += 1
            unique = f"{stem}_{n}{ext}"
        seen.add(unique.lower())
        out.append((unique, path))
    return out


def display_name(filename: str | None) -> str:
    """The user's file name, for showing only (never a path): its last part, trimmed."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:120] or "tệp tải lên"


def too_large_message() -> str:
    return (f"Tệp quá lớn (giới hạn {MAX_UPLOAD // (1024 * 1024)} MB); một sổ báo cáo CCHC "
            "thường chỉ vài trăm KB, hãy xóa ảnh và trang tính thừa rồi gửi lại.")
