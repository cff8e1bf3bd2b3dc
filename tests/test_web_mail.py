"""Optional e-mail, against a local SMTP server (aiosmtpd) started here on loopback: each
unit with an address gets its private link and its own template; reminders go to units
that have not sent and to units whose file has errors (with the annotated copy)."""

from __future__ import annotations

import csv
import email
import re
from email import policy
from pathlib import Path

import pytest

from cchc_xlsx.web.mail import SmtpSettings, send_links, send_reminders

from .conftest import UNITS_CSV
from .portal_kit import open_portal, planted_return
from .server_kit import cli, free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpSettings("127.0.0.1", port, "pgd@quan8.example"), inbox
    controller.stop()


@pytest.fixture
def units_with_email(tmp_path) -> Path:
    out = tmp_path / "don-vi.csv"
    with open(UNITS_CSV, encoding="utf-8") as src, open(out, "w", newline="",
                                                        encoding="utf-8") as dst:
        rows = list(csv.reader(src))
        w = csv.writer(dst)
        w.writerow([*rows[0], "email"])
        for i, row in enumerate(rows[1:]):
            w.writerow([*row, f"{row[0].lower()}@truong.example" if i < 4 else ""])
    return out


def test_links_mailed_with_each_units_template(tmp_path, smtp, units_with_email):
    settings, inbox = smtp
    portal, rnd, tokens = open_portal(tmp_path / "data", units_csv=units_with_email)
    sent = send_links(portal, rnd, settings, "https://cchc.example")
    assert sent == ["MN-TT", "MN-HM", "MN-SM", "MN-BM"]  # units without an address skipped
    assert len(inbox.messages) == 4
    for msg in inbox.messages:
        code = msg["To"].split("@")[0].upper()
        body = msg.get_body(("plain",)).get_content()
        assert f"https://cchc.example/u/{tokens[code]}" in body
        assert not any(t in body for c, t in tokens.items() if c != code)
        [att] = list(msg.iter_attachments())
        assert att.get_filename().startswith(f"{code}_")
        assert att.get_payload(decode=True)[:2] == b"PK"


def test_reminders_to_missing_and_to_errors_with_annotated_copy(tmp_path, smtp,
                                                                  units_with_email):
    import asyncio
    import io

    from openpyxl import load_workbook

    settings, inbox = smtp
    portal, rnd, tokens = open_portal(tmp_path / "data", units_csv=units_with_email)
    bad, planted = planted_return(portal, rnd, "MN-TT", tmp_path / "r")
    unit = next(u for u in portal.units(rnd) if u.code == "MN-TT")
    with open(bad, "rb") as fh:
        outcome = asyncio.run(portal.receive(rnd, unit, fh, bad.name))
    assert outcome.receipt is not None
    sent = send_reminders(portal, rnd, settings, "https://cchc.example")
    assert sent == ["MN-TT", "MN-HM", "MN-SM", "MN-BM"]
    by_code = {m["To"].split("@")[0].upper(): m for m in inbox.messages}
    errors = by_code["MN-TT"]
    assert "3 lỗi" in errors.get_body(("plain",)).get_content()
    [att] = list(errors.iter_attachments())
    wb = load_workbook(io.BytesIO(att.get_payload(decode=True)))
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    for sheet, cell in planted:
        assert wb[sheet][cell].comment is not None
    missing = by_code["MN-HM"].get_body(("plain",)).get_content()
    assert "chưa nhận được" in missing and tokens["MN-HM"] in missing
    assert not list(by_code["MN-HM"].iter_attachments())


def test_mail_command_and_unreachable_server(tmp_path, smtp, units_with_email):
    settings, inbox = smtp
    data = tmp_path / "data"
    r = cli("web", "open", "--data", str(data), "--plan",
            str(Path(__file__).parents[1] / "samples/plans/001-mntt-q8-2023.yaml"),
            "--units", str(units_with_email), "--period", "q1-2023")
    assert r.returncode == 0, r.stderr
    r = cli("web", "mail", "--data", str(data), "--period", "q1-2023", "--kind", "links",
            "--smtp-host", "127.0.0.1", "--smtp-port", str(settings.port))
    assert r.returncode == 0, r.stderr
    assert re.search(r"Đã gửi 4 thư", r.stdout) and len(inbox.messages) == 4
    r = cli("web", "mail", "--data", str(data), "--period", "q1-2023", "--kind", "links",
            "--smtp-host", "127.0.0.1", "--smtp-port", str(free_port()))
    assert r.returncode == 2 and "Không gửi được thư" in r.stderr
    assert "Traceback" not in r.stderr
