"""SIGTERM in the middle of uploads: the server stops taking new connections, lets the
requests it has begun finish, exits with 0, and every upload it acknowledged (303 to a
receipt) is in the history with its stored file; nothing is half-written."""

from __future__ import annotations

import re
import signal
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import httpx

from .fill import Filler, fill_clean
from .server_kit import Server, prepare


def csrf_and_cookie(base: str, link: str) -> tuple[str, str]:
    """The form's token and the cookie it is signed for (issue 17: they differ)."""
    page = httpx.get(base + link)
    return (re.search(r'name="csrf" value="([^"]+)"', page.text).group(1),
            page.cookies["cchc_csrf"])


def multipart(csrf: str, name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"{name}\""
            "\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    return body + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_sigterm_mid_upload_loses_nothing_acknowledged(tmp_path):
    data = tmp_path / "data"
    links = prepare(data)
    server = Server(data)
    try:
        host, port = "127.0.0.1", server.port
        files = {}
        for i, code in enumerate(["MN-TT", "MN-HM", "MN-SM", "MN-BM", "TH-HV", "TH-RB"]):
            path = tmp_path / f"{code}.xlsx"
            path.write_bytes(httpx.get(server.url + links[code] + "/mau").content)
            fill_clean(Filler(path), i).save()
            files[code] = path

        # the slow one: headers and half the body now, the rest after SIGTERM
        slow_code = "MN-TT"
        csrf, cookie = csrf_and_cookie(server.url, links[slow_code])
        body, boundary = multipart(csrf, "cham.xlsx", files[slow_code].read_bytes())
        sock = socket.create_connection((host, port))
        sock.sendall((f"POST {links[slow_code]}/nop HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      f"Content-Length: {len(body)}\r\nCookie: cchc_csrf={cookie}\r\n"
                      "Connection: close\r\n\r\n").encode() + body[: len(body) // 2])

        # others racing the signal
        acknowledged: dict[str, str] = {}
        refused: list[str] = []

        def send(code: str) -> None:
            try:
                with httpx.Client(base_url=server.url, timeout=60) as h:
                    token = re.search(r'name="csrf" value="([^"]+)"',
                                      h.get(links[code]).text).group(1)
                    r = h.post(links[code] + "/nop", data={"csrf": token},
                               files={"tep": (files[code].name, files[code].read_bytes())})
                if r.status_code == 303:
                    acknowledged[code] = r.headers["location"].rsplit("/", 1)[1]
                else:
                    refused.append(f"{code}: {r.status_code}")
            except httpx.HTTPError as exc:
                refused.append(f"{code}: {type(exc).__name__}")

        threads = [threading.Thread(target=send, args=(c,)) for c in files if c != slow_code]
        for t in threads:
            t.start()
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        sock.sendall(body[len(body) // 2:])  # the rest arrives after the signal
        reply = b""
        sock.settimeout(60)
        while chunk := sock.recv(65536):
            reply += chunk
        sock.close()
        for t in threads:
            t.join(90)
        status = reply.split(b"\r\n", 1)[0]
        assert b" 303 " in status, (reply[:300], server.logs())
        location = re.search(rb"location: (\S+)", reply, re.I).group(1).decode()
        acknowledged[slow_code] = location.rsplit("/", 1)[1]
        assert server.proc.wait(90) == 0, server.logs()
    finally:
        server.stop()

    con = sqlite3.connect(data / "cchc-lich-su.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    recorded = {row[0]: row[1] for row in con.execute("SELECT sha256, unit_code FROM "
                                                      "submissions")}
    for code, sha in acknowledged.items():
        assert recorded.get(sha) == code, (code, refused)
        stored = [p for p in (data / "tep").iterdir() if p.name.startswith(sha)]
        assert len(stored) == 1 and stored[0].stat().st_size > 0
    # nothing recorded twice, and no recorded file without its stored bytes
    assert len(recorded) == len(set(recorded))
    for sha in recorded:
        assert any(p.name.startswith(sha) for p in (data / "tep").iterdir())
    assert Path(data / "tam").is_dir()
