"""The consolidating office's own document details, typed once in a YAML profile.

A district office signs every consolidated appendix and its Word report with the same
header, signer and Nơi nhận each period; only the report number and date change. Keeping
them in one file (``--office-profile phong.yaml``) that ``generate``, ``merge`` and
``report`` all read means they are typed once, and a typo is reported with its line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from cchc_xlsx.model import Signer
from cchc_xlsx.plans.phrases import parse_vn_date
from cchc_xlsx.yamlio import Fields, load_yaml

WHAT = "hồ sơ cơ quan"


@dataclass(frozen=True)
class OfficeProfile:
    """What the office prints as issuer: header, number, date, signer, recipients."""

    superior: str  # cơ quan chủ quản, IN HOA: "ỦY BAN NHÂN DÂN QUẬN 8"
    name: str  # the office, IN HOA: "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"
    code: str = ""  # the office's unit code (the next level up merges it under this code)
    symbol: str = ""  # the office's part of ký hiệu: "GDĐT" → "Số: 45/BC-GDĐT"
    place: str = ""  # địa danh: "Quận 8"
    signer: Signer = Signer()
    recipients: tuple[str, ...] = ()  # Nơi nhận, one line each, without the leading "- "
    number: str = ""  # this report's number; usually given per run (--number)
    date: date | None = None  # this report's date; usually given per run (--date)
    title: str = ""  # the report's trích yếu; "{period}" becomes the period's name

    @property
    def signer_title(self) -> str:
        """"KT. TRƯỞNG PHÒNG|PHÓ TRƯỞNG PHÒNG": the form the unit lists and sheets use."""
        return "|".join(self.signer.title_lines)

    def number_line(self, code: str = "BC") -> str:
        """"Số: 45/BC-GDĐT", or "Số:      /BC-GDĐT" while the văn thư has not numbered it."""
        symbol = f"{code}-{self.symbol}" if self.symbol else f"{code}-……"
        return f"Số: {self.number}/{symbol}" if self.number else f"Số:      /{symbol}"

    def with_run(self, number: str | None = None, day: date | None = None) -> OfficeProfile:
        """The profile with this run's number and date (options win over the file)."""
        return replace(self, number=number if number is not None else self.number,
                       date=day if day is not None else self.date)


def date_line(place: str, d: date | None, year: int | str = "") -> str:
    """"Quận 8, ngày 05 tháng 01 năm 2025" (NĐ 30: leading zero for days < 10 and months
    1–2), or the blanks the văn thư fills in by hand."""
    if d is None:
        return f"{place or '……'}, ngày     tháng     năm {year}".rstrip()
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def default_code(name: str) -> str:
    """"PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8" → "phong-giao-duc-va-dao-tao-quan-8"."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def load_office_profile(path: str | Path) -> OfficeProfile:
    """Read a profile; every problem is one Vietnamese sentence with the file and line."""
    data = load_yaml(path, WHAT)
    top = Fields(data if data is not None else {}, path, WHAT, "hồ sơ cơ quan")
    name = top.text("name", required=True).strip()
    signer_f = top.child("signer", top.raw("signer", {}), "người ký")
    signer = Signer(authority=signer_f.text("authority").strip(),
                    head_title=signer_f.text("head_title").strip(),
                    title=signer_f.text("title").strip(), name=signer_f.text("name").strip())
    signer_f.done()
    if signer.authority and signer.authority not in ("KT.", "TM.", "Q.", "TL.", "TUQ."):
        signer_f.fail(f"quyền hạn ký «{signer.authority}» phải là một trong KT., TM., Q., TL., "
                      "TUQ.", key="authority")
    if signer.authority and not signer.head_title:
        signer_f.fail(f"ký «{signer.authority}» cần chức danh của thủ trưởng (head_title), ví "
                      "dụ TRƯỞNG PHÒNG", key="authority")
    recipients = []
    for item in top.listing("recipients"):
        if isinstance(item, (dict, list)):
            top.fail("mỗi nơi nhận phải là một dòng chữ", key="recipients")
        text = str(item).strip()
        recipients.append(text[2:] if text.startswith("- ") else text)
    raw_date = top.raw("date")
    day: date | None = None
    if isinstance(raw_date, date):
        day = raw_date
    elif raw_date is not None:
        day = parse_vn_date(str(raw_date))
        if day is None:
            top.fail(f"ngày «{raw_date}» không hợp lệ (viết 2023-03-10 hoặc 10/3/2023)",
                     key="date")
    profile = OfficeProfile(
        superior=top.text("superior_body").strip().upper(), name=name.upper(),
        code=top.text("code").strip() or default_code(name),
        symbol=top.text("symbol").strip(), place=top.text("place").strip(), signer=signer,
        recipients=tuple(recipients), number=top.text("number").strip(), date=day,
        title=top.text("title").strip())
    top.done()
    return profile


def office_profile_yaml(profile: OfficeProfile) -> str:
    """The profile as the YAML ``load_office_profile`` reads (one format for the CLI's
    ``--office-profile`` file and the portal's saved profile)."""
    import yaml

    data = {
        "superior_body": profile.superior, "name": profile.name, "code": profile.code,
        "symbol": profile.symbol, "place": profile.place,
        "signer": {"authority": profile.signer.authority,
                   "head_title": profile.signer.head_title, "title": profile.signer.title,
                   "name": profile.signer.name},
        "recipients": list(profile.recipients), "number": profile.number,
        "date": profile.date.isoformat() if profile.date else None, "title": profile.title,
    }
    head = ("# Hồ sơ cơ quan tổng hợp (cùng dạng với tệp --office-profile của cchc-xlsx): "
            "tiêu đề, ký hiệu, địa danh, người ký, nơi nhận.\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def save_office_profile(profile: OfficeProfile, path: str | Path) -> Path:
    """Write ``profile`` to ``path`` atomically, in the ``--office-profile`` format."""
    from cchc_xlsx.atomic import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(office_profile_yaml(profile), encoding="utf-8")
    return path
