"""Issue 17, the command line: hostile inboxes (FIFOs, sockets, dangling and outward
symbolic links, over-long names, terminal escapes in names), ``python -m cchc_xlsx``, and
output folders created by every writing command. Run as the user runs them: subprocesses
(with a timeout, so a command that waits on a FIFO fails instead of hanging the suite)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from cchc_xlsx.forms.generate import generate

from .conftest import PLAN_001, UNITS_CSV
from .fill import Filler, fill_clean

PERIOD = "q1-2023"
ESCAPE_NAME = "x\x1b]0;chiem-cua-so\x07y.xlsx"


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc_xlsx", *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def hostile_inbox(tmp_path_factory, plan001, units):
    """Two good returns plus everything an inbox should not make a command wait or stop
    on: a FIFO, a socket, a dangling link, a link out of the folder, a name with a
    terminal escape and a 245-character name."""
    out = tmp_path_factory.mktemp("hostile-inbox")
    books = generate(plan001, units[:2], out / "t", period_id=PERIOD, workers=1)
    inbox = out / "inbox"
    inbox.mkdir()
    first = fill_clean(Filler(books[0])).save(inbox / books[0].name)
    f = fill_clean(Filler(books[1]), 1)
    f.set("report_tasks", f.keys("report_tasks")[0], "status", "xong")  # a finding
    f.save(inbox / (("Bao-cao-" * 40)[:240] + ".xlsx"))  # 245 bytes: fits, its copy not
    shutil.copy(first, inbox / ESCAPE_NAME)
    os.mkfifo(inbox / "ong-dan.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "s.xlsx"))
    (inbox / "hong.xlsx").symlink_to(out / "khong-con.xlsx")
    secret = out / "ngoai.xlsx"
    shutil.copy(first, secret)
    (inbox / "tro-ra-ngoai.xlsx").symlink_to(secret)
    yield inbox
    sock.close()


def test_python_dash_m_runs_the_command():
    r = run("--version")
    assert r.returncode == 0 and "cchc-xlsx" in r.stdout


def test_validate_skips_what_is_not_a_file_and_escapes_names(hostile_inbox, tmp_path):
    r = run("validate", str(hostile_inbox), "--annotate", str(tmp_path / "ann"), timeout=90)
    out = r.stdout + r.stderr
    assert "Traceback" not in out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;chiem-cua-so\\x07y.xlsx" in out
    for name, words in (("ong-dan.xlsx", "FIFO"), ("s.xlsx", "socket"),
                        ("hong.xlsx", "liên kết (symlink) hỏng"),
                        ("tro-ra-ngoai.xlsx", "trỏ ra ngoài")):
        line = next((ln for ln in out.splitlines() if name in ln and words in ln), None)
        assert line, (name, out)
    copies = list((tmp_path / "ann").iterdir())
    assert any(p.name.startswith("Bao-cao-") for p in copies)  # the long name got its copy
    assert all(len(p.name.encode()) <= 255 for p in copies)


def test_merge_goes_on_past_a_dangling_link_into_a_new_folder(hostile_inbox, tmp_path):
    out = tmp_path / "a" / "b" / "tong-hop.xlsx"
    r = run("merge", str(hostile_inbox), "--plan", str(PLAN_001), "--units", str(UNITS_CSV),
            "--period", PERIOD, "--out", str(out), timeout=90)
    assert r.returncode in (0, 1), r.stderr
    assert out.is_file()
    assert "hong.xlsx" in r.stdout + r.stderr


def test_collect_never_waits_on_a_fifo(hostile_inbox, tmp_path):
    db = tmp_path / "lich-su.sqlite"
    r = run("collect", str(hostile_inbox), "--db", str(db), "--units", str(UNITS_CSV),
            timeout=90)
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 1), r.stderr
