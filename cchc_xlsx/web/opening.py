"""Opening a round from the office's page in two steps: the plan and unit list are read
first and the import's review is shown (what was found, what to check), then the office
picks the period by name and the due date, and only then is the round opened.

Between the steps the two files wait in ``tam/mo-<token>/`` (cleared when the server
starts, and after a day). No server path ever reaches a message: the user's own file
names stand in for the staged ones.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Plan, Unit

MAX_FILE = 5 * 1024 * 1024
STAGE_HOURS = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def plan_suffixes() -> tuple[str, ...]:
    """Every plan format ``plan import`` reads (the page's picker offers the same)."""
    from cchc_xlsx.plan_import.opener import PLAN_SUFFIXES

    return PLAN_SUFFIXES


@dataclass
class Staged:
    """The files of a round being opened, as read."""

    token: str
    plan_name: str  # the user's file names, for messages
    units_name: str
    plan: Plan | None = None
    review_text: str = ""
    doubts: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    units_error: str = ""

    def default_period(self, today: date) -> str:
        """The first period not yet due, else the last one."""
        if self.plan is None or not self.plan.schedule:
            return ""
        upcoming = [p for p in self.plan.schedule if p.due >= today]
        return (upcoming[0] if upcoming else self.plan.schedule[-1]).id


def _folder(data_dir: Path, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise UserError("Phiên mở đợt không hợp lệ; hãy chọn lại tệp kế hoạch và danh sách "
                        "đơn vị.")
    return data_dir / "tam" / f"mo-{token}"


def _clean(message: str, path: Path, shown: str) -> str:
    """A library message with the staged path replaced by the user's file name."""
    for text in (str(path), str(path.resolve()), path.name):
        message = message.replace(text, shown)
    return message


def _save(upload: Any, folder: Path, stem: str, allowed: tuple[str, ...], what: str) -> tuple[
        Path, str]:
    from cchc_xlsx.web.service import display_name

    shown = display_name(getattr(upload, "filename", ""))
    if not getattr(upload, "filename", ""):
        raise UserError(f"Hãy chọn tệp {what}.")
    suffix = Path(shown).suffix.lower()
    if suffix not in allowed:
        raise UserError(f"Tệp «{shown}» không phải tệp {what} đọc được (nhận các dạng "
                        f"{', '.join(allowed)}).")
    data = upload.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise UserError(f"Tệp «{shown}» quá lớn (giới hạn {MAX_FILE // (1024 * 1024)} MB).")
    path = folder / f"{stem}{suffix}"
    path.write_bytes(data)
    (folder / f"{stem}.ten").write_text(shown, encoding="utf-8")
    return path, shown


def _sweep(data_dir: Path) -> None:
    limit = time.time() - STAGE_HOURS * 3600
    for old in (data_dir / "tam").glob("mo-*"):
        try:
            if old.stat().st_mtime < limit:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def stage(data_dir: str | Path, plan_upload: Any, units_upload: Any) -> Staged:
    """Keep the two files and read them; a plan that cannot be read is refused at once
    (UserError), a unit list that cannot be read is shown beside the plan's review."""
    data_dir = Path(data_dir)
    _sweep(data_dir)
    token = secrets.token_urlsafe(16)
    folder = _folder(data_dir, token)
    folder.mkdir(parents=True)
    try:
        _save(plan_upload, folder, "ke-hoach", plan_suffixes(), "kế hoạch")
        if getattr(units_upload, "filename", ""):
            _save(units_upload, folder, "don-vi", (".csv", ".xlsx", ".xlsm"),
                  "danh sách đơn vị")
        return read(data_dir, token)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def replace_units(data_dir: str | Path, token: str, units_upload: Any) -> None:
    folder = _folder(Path(data_dir), token)
    for old in folder.glob("don-vi.*"):
        old.unlink()
    _save(units_upload, folder, "don-vi", (".csv", ".xlsx", ".xlsm"), "danh sách đơn vị")


def _one(folder: Path, stem: str) -> tuple[Path | None, str]:
    found = [p for p in folder.glob(f"{stem}.*") if p.suffix != ".ten"]
    if not found:
        return None, ""
    names = folder / f"{stem}.ten"
    return found[0], names.read_text(encoding="utf-8") if names.exists() else found[0].name


def read(data_dir: str | Path, token: str) -> Staged:
    """Read a staged plan (with the import's review) and unit list."""
    from cchc_xlsx.plan_import.opener import open_plan
    from cchc_xlsx.plans.units import load_units

    folder = _folder(Path(data_dir), token)
    plan_path, plan_name = _one(folder, "ke-hoach") if folder.is_dir() else (None, "")
    if plan_path is None:
        raise UserError("Phiên mở đợt đã hết hạn; hãy chọn lại tệp kế hoạch và danh sách đơn "
                        "vị.")
    units_path, units_name = _one(folder, "don-vi")
    staged = Staged(token, plan_name, units_name)
    try:
        plan, review = open_plan(plan_path)
    except UserError as exc:
        raise UserError(_clean(exc.message, plan_path, plan_name)) from None
    staged.plan = plan
    staged.doubts = [_clean(str(d), plan_path, plan_name) for d in review.doubts]
    text = review.text(plan).splitlines()  # "Đã đọc: … nhiệm vụ, … chỉ tiêu, … kỳ báo cáo."
    staged.review_text = next((line.strip() for line in text
                               if line.strip().startswith("Đã đọc")), "")
    if not plan.schedule:
        raise UserError(f"Kế hoạch «{plan_name}» không có kỳ báo cáo nào (thời gian chốt số "
                        "liệu, hạn nộp); hãy bổ sung vào kế hoạch rồi thử lại.")
    if units_path is None:
        staged.units_error = "Hãy chọn tệp danh sách đơn vị (.csv hoặc .xlsx)."
    else:
        try:
            staged.units = load_units(units_path)
            if not staged.units:
                staged.units_error = f"Danh sách «{units_name}» không có đơn vị nào."
        except UserError as exc:
            staged.units_error = _clean(exc.message, units_path, units_name)
    return staged


def open_staged(portal: Any, token: str, period_id: str, due: date | None) -> Any:
    """Open the round from the staged files; the stage is removed once it is open."""
    staged = read(portal.dir, token)
    if staged.units_error:
        raise UserError(staged.units_error)
    folder = _folder(Path(portal.dir), token)
    plan_path, _ = _one(folder, "ke-hoach")
    assert plan_path is not None and staged.plan is not None
    if period_id not in {p.id for p in staged.plan.schedule}:
        raise UserError("Hãy chọn kỳ báo cáo trong danh sách.")
    try:
        rnd, _ = portal.open_round(plan_path, staged.units, period_id, due)
    except UserError as exc:
        raise UserError(_clean(exc.message, plan_path, staged.plan_name)) from None
    shutil.rmtree(folder, ignore_errors=True)
    return rnd
