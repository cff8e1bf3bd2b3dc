"""The portal's own tables, kept in the same SQLite file as the submission history.

One file to back up: ``collect``'s ``submissions`` table (owned by ``inbox.history``) and
the portal's accounts, rounds, unit links and receipts side by side. Tables here carry a
``web_`` prefix so the history's own schema check is untouched. Every call opens a short
connection (WAL, ``synchronous=FULL``): request handlers run in a thread pool and SQLite
connections must not cross threads; opening one costs far less than a page render.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc_xlsx.inbox.history import History
from cchc_xlsx.model import Unit

DB_NAME = "cchc-lich-su.sqlite"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS web_users (
        name TEXT PRIMARY KEY, pw_hash TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_sessions (
        id TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES web_users(name) ON DELETE CASCADE,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_login_failures (
        key TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at REAL NOT NULL)""",
    # attempts counted when they start (web.security.LoginThrottle); the older
    # web_login_failures table above is no longer written
    """CREATE TABLE IF NOT EXISTS web_login_attempts (
        key TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at REAL NOT NULL,
        next_at REAL NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS web_rounds (
        id INTEGER PRIMARY KEY, plan_id TEXT NOT NULL, period_id TEXT NOT NULL,
        plan_file TEXT NOT NULL, title TEXT NOT NULL, period_name TEXT NOT NULL,
        due TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (plan_id, period_id))""",
    """CREATE TABLE IF NOT EXISTS web_units (
        round_id INTEGER NOT NULL REFERENCES web_rounds(id), code TEXT NOT NULL,
        name TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', unit_json TEXT NOT NULL,
        position INTEGER NOT NULL, PRIMARY KEY (round_id, code))""",
    """CREATE TABLE IF NOT EXISTS web_links (
        token TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES web_rounds(id),
        unit_code TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT NULL)""",
    "CREATE INDEX IF NOT EXISTS web_links_unit ON web_links (round_id, unit_code)",
    """CREATE TABLE IF NOT EXISTS web_receipts (
        sha256 TEXT PRIMARY KEY, round_id INTEGER NOT NULL, unit_code TEXT NOT NULL,
        original_name TEXT NOT NULL, stored_name TEXT NOT NULL, findings_json TEXT NOT NULL,
        received_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS web_receipts_unit ON web_receipts (round_id, unit_code)",
    # bumped whenever a round's unit list is written: the units are cached per revision
    """CREATE TABLE IF NOT EXISTS web_round_rev (
        round_id INTEGER PRIMARY KEY, rev INTEGER NOT NULL)""",
)


@dataclass(frozen=True)
class Round:
    """A collection round (đợt báo cáo): one plan's period, sent to a list of units."""

    id: int
    plan_id: str
    period_id: str
    plan_file: str
    title: str
    period_name: str
    due: date
    created_at: datetime


@dataclass(frozen=True)
class RoundUnit:
    code: str
    name: str
    email: str
    unit: Unit


@dataclass(frozen=True)
class Link:
    token: str
    round_id: int
    unit_code: str


@dataclass(frozen=True)
class Receipt:
    sha256: str
    round_id: int
    unit_code: str
    original_name: str
    stored_name: str
    findings: dict[str, Any]
    received_at: datetime


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


class Store:
    """The portal tables in ``DIR/cchc-lich-su.sqlite`` (created with the history's schema)."""

    def __init__(self, data_dir: str | Path) -> None:
        self.dir = Path(data_dir)
        self.path = self.dir / DB_NAME
        self._local = threading.local()
        #: One writer at a time inside this process: threads queue here instead of meeting
        #: SQLITE_BUSY, whose retry sleeps would add seconds to a busy hour.
        self.write_lock = threading.RLock()
        #: round id → (revision, units): every school request needs its round's units, and
        #: reading 700 of them from JSON costs ~25 ms; ``web open`` from another process
        #: bumps the revision, so the cache is never stale
        self._units: dict[int, tuple[int, list[RoundUnit]]] = {}
        with History(self.path):  # creates or checks the shared history schema
            pass
        with self.tx() as c:
            for statement in _SCHEMA:
                c.execute(statement)

    @contextmanager
    def conn(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, kept open: closing the last connection of a WAL
        database checkpoints and removes the log, which would cost every request a few
        fsyncs."""
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA busy_timeout = 30000")
            c.execute("PRAGMA synchronous = FULL")
            c.execute("PRAGMA foreign_keys = ON")
            self._local.conn = c
        yield c

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.write_lock, self.conn() as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def history(self) -> History:
        return History(self.path)

    # --- accounts -----------------------------------------------------------------------

    def set_user(self, name: str, pw_hash: str) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO web_users (name, pw_hash, created_at) VALUES (?, ?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET pw_hash = excluded.pw_hash",
                      (name, pw_hash, _now()))
            c.execute("DELETE FROM web_sessions WHERE user = ?", (name,))

    def has_users(self) -> bool:
        with self.conn() as c:
            return c.execute("SELECT 1 FROM web_users LIMIT 1").fetchone() is not None

    def user_hash(self, name: str) -> str | None:
        with self.conn() as c:
            row = c.execute("SELECT pw_hash FROM web_users WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def add_session(self, session_hash: str, user: str, expires: datetime) -> None:
        with self.tx() as c:
            c.execute("DELETE FROM web_sessions WHERE expires_at < ?", (_now(),))
            c.execute("INSERT INTO web_sessions (id, user, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?)", (session_hash, user, _now(),
                                              expires.replace(microsecond=0).isoformat()))

    def session_user(self, session_hash: str) -> str | None:
        with self.conn() as c:
            row = c.execute("SELECT user FROM web_sessions WHERE id = ? AND expires_at >= ?",
                            (session_hash, _now())).fetchone()
        return row[0] if row else None

    def drop_session(self, session_hash: str) -> None:
        with self.tx() as c:
            c.execute("DELETE FROM web_sessions WHERE id = ?", (session_hash,))

    # --- rounds, units, links -----------------------------------------------------------

    def upsert_round(self, plan_id: str, period_id: str, plan_file: str, title: str,
                     period_name: str, due: date, units: list[Unit],
                     new_token: Any) -> tuple[Round, int]:
        """Create the round (or update it when reopened) and give every unit without a live
        link a new one; returns the round and how many links were issued."""
        issued = 0
        with self.tx() as c:
            c.execute(
                "INSERT INTO web_rounds (plan_id, period_id, plan_file, title, period_name, "
                "due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(plan_id, period_id)"
                " DO UPDATE SET plan_file = excluded.plan_file, title = excluded.title, "
                "period_name = excluded.period_name, due = excluded.due",
                (plan_id, period_id, plan_file, title, period_name, due.isoformat(), _now()))
            rid = c.execute("SELECT id FROM web_rounds WHERE plan_id = ? AND period_id = ?",
                            (plan_id, period_id)).fetchone()[0]
            for pos, u in enumerate(units):
                c.execute(
                    "INSERT INTO web_units (round_id, code, name, email, unit_json, position)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(round_id, code) DO UPDATE SET "
                    "name = excluded.name, email = excluded.email, "
                    "unit_json = excluded.unit_json, position = excluded.position",
                    (rid, u.code, u.name, u.email, json.dumps(asdict(u), ensure_ascii=False),
                     pos))
                live = c.execute("SELECT 1 FROM web_links WHERE round_id = ? AND unit_code = ?"
                                 " AND revoked_at IS NULL", (rid, u.code)).fetchone()
                if not live:
                    c.execute("INSERT INTO web_links (token, round_id, unit_code, created_at)"
                              " VALUES (?, ?, ?, ?)", (new_token(), rid, u.code, _now()))
                    issued += 1
            c.execute("INSERT INTO web_round_rev (round_id, rev) VALUES (?, 1) "
                      "ON CONFLICT(round_id) DO UPDATE SET rev = rev + 1", (rid,))
        return self.round(rid), issued  # type: ignore[return-value]

    @staticmethod
    def _round(row: sqlite3.Row) -> Round:
        return Round(row["id"], row["plan_id"], row["period_id"], row["plan_file"],
                     row["title"], row["period_name"], date.fromisoformat(row["due"]),
                     datetime.fromisoformat(row["created_at"]))

    def round(self, rid: int) -> Round | None:
        with self.conn() as c:
            row = c.execute("SELECT * FROM web_rounds WHERE id = ?", (rid,)).fetchone()
        return self._round(row) if row else None

    def rounds(self) -> list[Round]:
        with self.conn() as c:
            rows = c.execute("SELECT * FROM web_rounds ORDER BY id DESC").fetchall()
        return [self._round(r) for r in rows]

    def units(self, rid: int) -> list[RoundUnit]:
        with self.conn() as c:
            row = c.execute("SELECT rev FROM web_round_rev WHERE round_id = ?",
                            (rid,)).fetchone()
            rev = row[0] if row else 0
            cached = self._units.get(rid)
            if cached is not None and cached[0] == rev and rev:
                return list(cached[1])
            rows = c.execute("SELECT * FROM web_units WHERE round_id = ? ORDER BY position",
                             (rid,)).fetchall()
        units = [RoundUnit(r["code"], r["name"], r["email"],
                           Unit(**json.loads(r["unit_json"]))) for r in rows]
        self._units[rid] = (rev, units)
        return list(units)

    def link(self, token: str) -> Link | None:
        """The live link with this token (revoked links open nothing)."""
        with self.conn() as c:
            row = c.execute("SELECT token, round_id, unit_code FROM web_links "
                            "WHERE token = ? AND revoked_at IS NULL", (token,)).fetchone()
        return Link(row[0], row[1], row[2]) if row else None

    def links(self, rid: int) -> dict[str, str]:
        """unit code → its live token."""
        with self.conn() as c:
            rows = c.execute("SELECT unit_code, token FROM web_links "
                             "WHERE round_id = ? AND revoked_at IS NULL", (rid,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def reissue(self, rid: int, code: str, token: str) -> bool:
        with self.tx() as c:
            known = c.execute("SELECT 1 FROM web_units WHERE round_id = ? AND code = ?",
                              (rid, code)).fetchone()
            if not known:
                return False
            c.execute("UPDATE web_links SET revoked_at = ? WHERE round_id = ? AND "
                      "unit_code = ? AND revoked_at IS NULL", (_now(), rid, code))
            c.execute("INSERT INTO web_links (token, round_id, unit_code, created_at) "
                      "VALUES (?, ?, ?, ?)", (token, rid, code, _now()))
        return True

    def revoke(self, rid: int, code: str) -> bool:
        """Close the unit's live link without issuing another (False: no such unit)."""
        with self.tx() as c:
            known = c.execute("SELECT 1 FROM web_units WHERE round_id = ? AND code = ?",
                              (rid, code)).fetchone()
            if not known:
                return False
            c.execute("UPDATE web_links SET revoked_at = ? WHERE round_id = ? AND "
                      "unit_code = ? AND revoked_at IS NULL", (_now(), rid, code))
        return True

    # --- receipts -----------------------------------------------------------------------

    def add_receipt(self, r: Receipt) -> None:
        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO web_receipts (sha256, round_id, unit_code, "
                      "original_name, stored_name, findings_json, received_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (r.sha256, r.round_id, r.unit_code, r.original_name, r.stored_name,
                       json.dumps(r.findings, ensure_ascii=False),
                       r.received_at.isoformat(timespec="seconds")))

    @staticmethod
    def _receipt(row: sqlite3.Row) -> Receipt:
        return Receipt(row["sha256"], row["round_id"], row["unit_code"], row["original_name"],
                       row["stored_name"], json.loads(row["findings_json"]),
                       datetime.fromisoformat(row["received_at"]))

    def receipt(self, sha256: str) -> Receipt | None:
        with self.conn() as c:
            row = c.execute("SELECT * FROM web_receipts WHERE sha256 = ?", (sha256,)).fetchone()
        return self._receipt(row) if row else None

    def receipts(self, rid: int, code: str | None = None) -> list[Receipt]:
        """A round's receipts (one unit's with ``code``), oldest first."""
        sql, params = "SELECT * FROM web_receipts WHERE round_id = ?", [rid]
        if code is not None:
            sql += " AND unit_code = ?"
            params.append(code)
        with self.conn() as c:
            rows = c.execute(sql + " ORDER BY received_at, rowid", params).fetchall()
        return [self._receipt(r) for r in rows]
