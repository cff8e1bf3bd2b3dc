"""Optional e-mail: each unit's link and template, and reminders with the annotated copy.

Plain ``smtplib`` against the office's own mail server; nothing is sent unless the portal
was started with SMTP settings. A unit without an e-mail address in the units list is
skipped (and named), since the office then sends its link another way.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cchc_xlsx.errors import UserError
from cchc_xlsx.web.service import Portal, receipt_code
from cchc_xlsx.web.store import Round

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "cchc@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False


def _send(smtp: SmtpSettings, messages: list[EmailMessage]) -> None:
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as s:
            if smtp.starttls:
                s.starttls(context=ssl.create_default_context())
            if smtp.user:
                s.login(smtp.user, smtp.password)
            for m in messages:
                s.send_message(m)
    except (OSError, smtplib.SMTPException) as exc:
        raise UserError(f"Không gửi được thư qua máy chủ {smtp.host}:{smtp.port} ({exc}); "
                        "hãy kiểm tra cấu hình SMTP.") from None


def _message(smtp: SmtpSettings, to: str, subject: str, body: str,
             attachment: Path | None = None, name: str = "") -> EmailMessage:
    m = EmailMessage()
    # a period or unit name with a line break must not add headers (nor raise)
    m["From"], m["To"], m["Subject"] = smtp.sender, _one_line(to), _one_line(subject)
    m.set_content(body)
    if attachment is not None:
        m.add_attachment(attachment.read_bytes(), maintype=XLSX[0], subtype=XLSX[1],
                         filename=_one_line(name or attachment.name).replace("/", "-"))
    return m


def _one_line(text: str) -> str:
    return " ".join(text.split())


def send_links(portal: Portal, rnd: Round, smtp: SmtpSettings, base_url: str) -> list[str]:
    """Every unit with an address gets its private link and its template; returns codes."""
    units = {u.code: u for u in portal.units(rnd)}
    messages, sent = [], []
    for code, name, email, url in portal.link_rows(rnd, base_url):
        if not email:
            continue
        body = (f"Kính gửi {name},\n\nPhòng giáo dục gửi đường dẫn riêng để {name} nộp báo cáo "
                f"{rnd.period_name} ({rnd.title}); hạn nộp {rnd.due:%d/%m/%Y}.\n\n{url}\n\n"
                "Mở đường dẫn để tải mẫu, gửi tệp đã điền và xem ngay kết quả kiểm tra. Đường "
                "dẫn là của riêng đơn vị, xin không chuyển cho người ngoài.\n\nMẫu Excel của "
                "đơn vị được đính kèm thư này.\n")
        messages.append(_message(smtp, email, f"Đường dẫn nộp báo cáo {rnd.period_name}",
                                 body, portal.template(rnd, code)))
        sent.append(units[code].code)
    _send(smtp, messages)
    return sent


def send_reminders(portal: Portal, rnd: Round, smtp: SmtpSettings,
                   base_url: str) -> list[str]:
    """Units that have not sent, and units whose current file has errors (with their
    annotated copy attached); returns the codes reminded."""
    import asyncio

    links = {code: url for code, _, _, url in portal.link_rows(rnd, base_url)}
    messages, sent = [], []
    for row in portal.board(rnd).rows:
        if row.valid or not row.email:
            continue
        url = links.get(row.code, "")
        if not row.submitted:
            body = (f"Kính gửi {row.name},\n\nĐến nay phòng giáo dục chưa nhận được báo cáo "
                    f"{rnd.period_name} của đơn vị (hạn nộp {rnd.due:%d/%m/%Y}). Đơn vị vui "
                    f"lòng gửi báo cáo qua đường dẫn riêng:\n\n{url}\n")
            messages.append(_message(smtp, row.email, f"Nhắc nộp báo cáo {rnd.period_name}",
                                     body))
        else:
            receipt = portal.receipt_for(rnd, row.code, row.sha256)
            copy = asyncio.run(portal.annotated(rnd, receipt)) if receipt else None
            body = (f"Kính gửi {row.name},\n\nBáo cáo {rnd.period_name} đơn vị gửi lúc "
                    f"{row.received_at:%d/%m/%Y %H:%M} (mã biên nhận "
                    f"{receipt_code(row.sha256)}) còn {row.errors} lỗi. Bản đính kèm tô màu "
                    f"từng ô có lỗi và ghi cách sửa. Đơn vị vui lòng sửa rồi gửi lại qua "
                    f"đường dẫn riêng:\n\n{url}\n")
            messages.append(_message(smtp, row.email, f"Báo cáo {rnd.period_name} còn lỗi "
                                     "cần sửa", body, copy, f"{row.code}.kiem-tra.xlsx"))
        sent.append(row.code)
    _send(smtp, messages)
    return sent
