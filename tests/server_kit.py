"""Run the real portal (``cchc-xlsx serve``) in a subprocess on a free loopback port, as
an office PC would, for the browser, shutdown and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import PLAN_001, UNITS_CSV
from .portal_kit import PASSWORD, PERIOD

CLI = [sys.executable, "-m", "cchc_xlsx.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def prepare(data: Path, due: str = "31/12/2099", units: Path = UNITS_CSV) -> dict[str, str]:
    """Open the round and the office account through the CLI; returns code → link path."""
    r = cli("web", "open", "--data", str(data), "--plan", str(PLAN_001), "--units",
            str(units), "--period", PERIOD, "--due", due)
    assert r.returncode == 0, r.stderr
    r = cli("web", "user", "add", "vanphong", "--data", str(data),
            env={"CCHC_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    r = cli("web", "links", "--data", str(data), "--period", PERIOD, "--base-url", "")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "mã,tên,email,đường dẫn"
    return {line.split(",")[0]: line.rsplit(",", 1)[1] for line in lines[1:]}


class Server:
    def __init__(self, data: Path, workers: int = 2, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(data.parent / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*CLI, "serve", "--data", str(data), "--port", str(self.port), "--workers",
             str(workers), *extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.logs()}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in 60 s")

    def logs(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode
