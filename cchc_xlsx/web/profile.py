"""The office's profile in the portal: kept in the data folder as the very YAML file the
CLI's ``--office-profile`` reads (``plans.office_profile``), so an office can take it to the
command line or bring its CLI file here. The portal reads it for every signed download.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.model import Signer
from cchc_xlsx.plans.office_profile import (
    OfficeProfile,
    default_code,
    load_office_profile,
    save_office_profile,
)

PROFILE_NAME = "ho-so-co-quan.yaml"
AUTHORITIES = ("", "KT.", "TM.", "Q.", "TL.", "TUQ.")
BASE_URL_NAME = "dia-chi-cong.txt"
#: The page's field names (Vietnamese, like every form of the portal).
FIELDS = ("cap_tren", "ten", "ma", "ky_hieu", "dia_danh", "quyen_ky", "chuc_danh_thu_truong",
          "chuc_danh", "nguoi_ky", "noi_nhan", "trich_yeu")


def profile_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / PROFILE_NAME


def read_profile(data_dir: str | Path) -> OfficeProfile | None:
    """The saved profile, or None before the office has filled it in."""
    path = profile_path(data_dir)
    if not path.is_file():
        return None
    try:
        return load_office_profile(path)
    except UserError:
        # edited by hand into something unreadable: the page shows the form again
        return None


def profile_from_form(form: Mapping[str, Any]) -> OfficeProfile:
    """The profile typed in the page; one Vietnamese sentence for what is missing."""

    def text(key: str, limit: int = 300) -> str:
        return " ".join(str(form.get(key) or "").split())[:limit]

    name = text("ten")
    if not name:
        raise UserError("Hãy ghi tên cơ quan ban hành (ví dụ PHÒNG GIÁO DỤC VÀ ĐÀO TẠO "
                        "QUẬN 8).")
    authority = text("quyen_ky")
    if authority not in AUTHORITIES:
        raise UserError("Quyền hạn ký phải là một trong KT., TM., Q., TL., TUQ. hoặc để trống.")
    signer = Signer(authority=authority, head_title=text("chuc_danh_thu_truong").upper(),
                    title=text("chuc_danh").upper(), name=text("nguoi_ky"))
    if authority and not signer.head_title:
        raise UserError(f"Ký «{authority}» cần chức danh của thủ trưởng (ví dụ TRƯỞNG PHÒNG).")
    recipients = []
    for line in str(form.get("noi_nhan") or "").splitlines()[:30]:
        line = " ".join(line.split())
        line = line[1:].strip() if line.startswith(("-", "–")) else line
        if line:
            recipients.append(line[:300])
    return OfficeProfile(
        superior=text("cap_tren").upper(), name=name.upper(),
        code=text("ma", 64) or default_code(name), symbol=text("ky_hieu", 40),
        place=text("dia_danh", 100), signer=signer, recipients=tuple(recipients),
        title=text("trich_yeu"))


def save_profile(data_dir: str | Path, profile: OfficeProfile) -> OfficeProfile:
    """Save (atomically) and read back through the CLI's loader: what is stored is what
    ``--office-profile`` would read."""
    path = save_office_profile(profile, profile_path(data_dir))
    return load_office_profile(path)


def form_values(profile: OfficeProfile | None) -> dict[str, str]:
    """The page's fields filled from a profile (empty before the first save)."""
    if profile is None:
        return {"noi_nhan": "Lưu: VT."}
    s = profile.signer
    return {"cap_tren": profile.superior, "ten": profile.name, "ma": profile.code,
            "ky_hieu": profile.symbol, "dia_danh": profile.place, "quyen_ky": s.authority,
            "chuc_danh_thu_truong": s.head_title, "chuc_danh": s.title, "nguoi_ky": s.name,
            "noi_nhan": "\n".join(profile.recipients), "trich_yeu": profile.title}


def run_details(number: str, day_text: str) -> tuple[str, date | None]:
    """This download's number and date, as typed (date: yyyy-mm-dd from the date field, or
    dd/mm/yyyy); both may stay empty for the văn thư to fill in by hand."""
    from datetime import datetime

    from cchc_xlsx.plans.phrases import parse_vn_date

    number = " ".join(number.split())[:20]
    day_text = day_text.strip()
    if not day_text:
        return number, None
    try:
        return number, datetime.strptime(day_text, "%Y-%m-%d").date()
    except ValueError:
        day = parse_vn_date(day_text)
        if day is None:
            raise UserError(f"Ngày của văn bản «{day_text[:40]}» không hợp lệ; hãy chọn "
                            "ngày trong lịch hoặc viết như 10/03/2023.") from None
        return number, day


def stored_base_url(data_dir: str | Path) -> str:
    """The public address ``serve --base-url`` recorded in the data folder ("" if none)."""
    path = Path(data_dir) / BASE_URL_NAME
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def store_base_url(data_dir: str | Path, url: str) -> None:
    """Remember ``serve --base-url`` so ``web open``/``links``/``mail`` print the same links."""
    from cchc_xlsx.atomic import atomic_path

    with atomic_path(Path(data_dir) / BASE_URL_NAME) as tmp:
        tmp.write_text(url.rstrip("/") + "\n", encoding="utf-8")
