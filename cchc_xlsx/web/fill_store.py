"""Drafts of browser returns, kept on the server: one per unit and round, with a version.

A save names the version it started from; the store keeps it only when that is still the
current one, so two tabs (or a phone and a PC) on one link never overwrite each other
silently: the later one is told, in Vietnamese, and keeps its entries on screen.

Drafts live in their own SQLite file in the data folder (``cchc-nhap.sqlite``), not beside
the receipts: a database file has one writer at a time, and a draft saved every few seconds
by hundreds of schools must never wait behind a return being recorded (its receipt and
history rows are committed with ``synchronous = FULL``, one writer at a time). A portal that
kept its drafts in the main file (before this split) has them copied over once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cchc_xlsx.web.store import Store

DB_NAME = "cchc-nhap.sqlite"

_SCHEMA = """CREATE TABLE IF NOT EXISTS web_drafts (
    round_id INTEGER NOT NULL, unit_code TEXT NOT NULL, version INTEGER NOT NULL,
    entries_json TEXT NOT NULL, saved_at TEXT NOT NULL, sent_version INTEGER NULL,
    sent_sha256 TEXT NULL, PRIMARY KEY (round_id, unit_code))"""


@dataclass(frozen=True)
class Draft:
    version: int
    entries: dict[str, str]
    saved_at: datetime
    sent_version: int | None = None
    sent_sha256: str = ""

    @property
    def sent(self) -> bool:
        """Whether the return sent last is exactly this draft."""
        return self.sent_version == self.version


class Stale(Exception):
    """The draft changed since this page loaded it (another tab or device saved)."""

    def __init__(self, current: Draft) -> None:
        self.current = current
        super().__init__(stale_message(current))


def stale_message(current: Draft) -> str:
    return (f"Bản nháp vừa được lưu từ một cửa sổ hoặc thiết bị khác (lúc "
            f"{current.saved_at:%H:%M:%S} ngày {current.saved_at:%d/%m/%Y}); để hai nơi không "
            "ghi đè lên nhau, trang này ngừng lưu. Hãy tải lại trang để làm tiếp trên bản mới "
            "nhất (những gì vừa gõ ở đây chưa được lưu).")


class Drafts:
    """The drafts table in its own file beside the portal's store, with its own write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.path = Path(store.dir) / DB_NAME
        self._local = threading.local()
        #: one writer at a time in this process, queued here rather than in SQLite's
        #: sleeping busy handler; only draft saves take it, each for a millisecond or so
        self.write_lock = threading.Lock()
        fresh = not self.path.exists()
        with self._tx() as c:
            c.execute(_SCHEMA)
            if fresh:
                self._adopt(c)

    def _adopt(self, c: sqlite3.Connection) -> None:
        """Copy the drafts an older portal kept in the main file (once, on creation)."""
        with self.store.conn() as main:
            known = main.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                 "name = 'web_drafts'").fetchone()
            rows = main.execute("SELECT round_id, unit_code, version, entries_json, saved_at,"
                                " sent_version, sent_sha256 FROM web_drafts").fetchall() \
                if known else []
        c.executemany("INSERT OR IGNORE INTO web_drafts VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [tuple(r) for r in rows])

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, kept open (WAL, ``synchronous = NORMAL``: a commit
        waits for no fsync; a draft is the school's scratch copy, saved again seconds
        later, so a power cut may lose its last save, never the database)."""
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA busy_timeout = 30000")
            c.execute("PRAGMA journal_mode = WAL")
            c.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = c
        return c

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        c = self._conn()
        with self.write_lock:
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    @staticmethod
    def _draft(row: Any) -> Draft:
        return Draft(row["version"], json.loads(row["entries_json"]),
                     datetime.fromisoformat(row["saved_at"]), row["sent_version"],
                     row["sent_sha256"] or "")

    def get(self, round_id: int, unit_code: str) -> Draft | None:
        row = self._conn().execute("SELECT * FROM web_drafts WHERE round_id = ? AND "
                                   "unit_code = ?", (round_id, unit_code)).fetchone()
        return self._draft(row) if row else None

    def save(self, round_id: int, unit_code: str, base_version: int,
             entries: dict[str, str]) -> Draft:
        """Keep ``entries`` as version ``base_version + 1``, or raise ``Stale``."""
        now = datetime.now().replace(microsecond=0)
        text = json.dumps(entries, ensure_ascii=False, sort_keys=True)
        with self._tx() as c:
            row = c.execute("SELECT * FROM web_drafts WHERE round_id = ? AND unit_code = ?",
                            (round_id, unit_code)).fetchone()
            current = row["version"] if row else 0
            if current != base_version:
                raise Stale(self._draft(row) if row else Draft(0, {}, now))
            if row is None:
                c.execute("INSERT INTO web_drafts (round_id, unit_code, version, entries_json,"
                          " saved_at) VALUES (?, ?, 1, ?, ?)",
                          (round_id, unit_code, text, now.isoformat()))
            else:
                c.execute("UPDATE web_drafts SET version = version + 1, entries_json = ?, "
                          "saved_at = ? WHERE round_id = ? AND unit_code = ?",
                          (text, now.isoformat(), round_id, unit_code))
        return Draft(base_version + 1, entries, now,
                     row["sent_version"] if row else None, row["sent_sha256"] or "" if row
                     else "")

    def mark_sent(self, round_id: int, unit_code: str, version: int, sha256: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE web_drafts SET sent_version = ?, sent_sha256 = ? "
                      "WHERE round_id = ? AND unit_code = ? AND version = ?",
                      (version, sha256, round_id, unit_code, version))


def drafts_of(portal: Any) -> Drafts:
    """The portal's drafts table (created on first use)."""
    found = getattr(portal, "_fill_drafts", None)
    if found is None:
        found = Drafts(portal.store)
        portal._fill_drafts = found
    return found
