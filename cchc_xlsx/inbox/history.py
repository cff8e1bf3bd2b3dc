"""Submission history: which unit sent which file for which period, and when, in SQLite.

District staff collect returns from an inbox many times over a period and across periods;
they need to know who has sent what, which file is current after a school re-sends, and
when each file first arrived (the "received time" merge reports). A SQLite file is the
embedded default: nothing to install, one file to back up, and it gives transactions.

Every file is identified by the SHA-256 of its bytes, never by its name or mtime: schools
reuse names, e-mail clients rename attachments, copies change mtimes. So re-collecting the
same inbox is a no-op, a renamed copy is not a new submission, and a changed file is.

Each file is recorded in its own ``BEGIN IMMEDIATE … COMMIT`` transaction, with WAL and
``synchronous=FULL``: a collect killed at any instant leaves every finished file recorded
exactly once and nothing half-written, and the next collect simply carries on.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.reading.inbox_files import file_sha256

if TYPE_CHECKING:
    from cchc_xlsx.checking.report import FileResult
    from cchc_xlsx.model import Unit

#: The history file used when ``--db`` is not given: in the current folder, so running the
#: commands from the folder where the returns are handled keeps that folder's history there.
DEFAULT_DB = "cchc-lich-su.sqlite"

SCHEMA_VERSION = 2  # 2: file_time (the file's own time when first recorded)
#: ``PRAGMA application_id`` ("CCHC"): tells our history file from any other SQLite file.
APPLICATION_ID = 0x43434843

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS submissions (
        id INTEGER PRIMARY KEY,
        sha256 TEXT UNIQUE NOT NULL,
        file TEXT NOT NULL,
        unit_code TEXT NOT NULL DEFAULT '',
        unit_name TEXT NOT NULL DEFAULT '',
        plan_id TEXT NOT NULL DEFAULT '',
        period_id TEXT NOT NULL DEFAULT '',
        received_at TEXT NOT NULL,
        usable INTEGER NOT NULL CHECK (usable IN (0, 1)),
        valid INTEGER NOT NULL CHECK (valid IN (0, 1)),
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        replaces INTEGER NULL REFERENCES submissions(id),
        kind TEXT NOT NULL DEFAULT '',
        file_time TEXT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS submissions_unit "
    "ON submissions (plan_id, period_id, unit_code)",
    "CREATE INDEX IF NOT EXISTS submissions_replaces ON submissions (replaces)",
)
_COLUMNS = ("sha256", "file", "unit_code", "unit_name", "plan_id", "period_id", "received_at",
            "usable", "valid", "errors", "warnings", "replaces", "kind", "file_time")

# Checks that compare a file with the rest of its batch. collect files every submission
# under its own plan and period, so a q2 return in a mostly-q1 inbox is not an error there.
_BATCH_RULES = {"file_period_mismatch", "file_plan_mismatch"}


def _now() -> datetime:
    """The received time of a file being recorded (a seam tests replace)."""
    return datetime.now()


def _local(when: datetime) -> datetime:
    """Local wall-clock time to the second: what staff read and what the DB stores."""
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0)



@dataclass(frozen=True)
class Submission:
    """One recorded file. ``unit_code`` is "" when the file named no unit (unusable)."""

    id: int
    sha256: str
    file: str
    unit_code: str
    unit_name: str
    plan_id: str
    period_id: str
    received_at: datetime
    usable: bool
    valid: bool
    errors: int
    warnings: int
    replaces: int | None
    kind: str
    #: the file's own modification time when collect first recorded it (None: unknown)
    file_time: datetime | None = None

    @property
    def earliest(self) -> tuple[datetime, str]:
        """The received time as merge and status report it: the earlier of the first
        collect ("db") and the file's own time ("mtime"), and which it was."""
        if self.file_time is not None and self.file_time < self.received_at:
            return self.file_time, "mtime"
        return self.received_at, "db"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Submission:
        raw = row["file_time"] if "file_time" in row.keys() else None
        source = datetime.fromisoformat(raw) if raw else None
        return cls(row["id"], row["sha256"], row["file"], row["unit_code"], row["unit_name"],
                   row["plan_id"], row["period_id"],
                   datetime.fromisoformat(row["received_at"]), bool(row["usable"]),
                   bool(row["valid"]), row["errors"], row["warnings"], row["replaces"],
                   row["kind"], source)


@dataclass(frozen=True)
class Recorded:
    """The outcome of ``History.record``: the row, and whether this call inserted it."""

    submission: Submission
    new: bool


@dataclass(frozen=True)
class StatusRow:
    """One unit in one period, for ``status``: its current submission, or none yet.

    ``submissions`` counts every file the unit sent for the period (1 + resubmissions);
    ``listed`` is False for a unit that sent a file but is not in the given unit list.
    """

    plan_id: str
    period_id: str
    unit_code: str
    unit_name: str
    current: Submission | None
    submissions: int = 0
    first_received_at: datetime | None = None
    listed: bool = True

    @property
    def submitted(self) -> bool:
        return self.current is not None

    @property
    def resubmissions(self) -> int:
        return max(self.submissions - 1, 0)


def _explain(exc: sqlite3.Error, path: Path) -> UserError:
    """One Vietnamese sentence for what SQLite refused, so no user sees a traceback."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return UserError(f"Tệp lịch sử «{path}» đang được một lệnh cchc-xlsx khác dùng; "
                         "hãy đợi lệnh đó xong rồi chạy lại.")
    if name.startswith("SQLITE_CANTOPEN"):
        return UserError(f"Không mở được tệp lịch sử «{path}»; hãy kiểm tra đường dẫn và "
                         "quyền ghi vào thư mục.")
    if name.startswith("SQLITE_READONLY"):
        return UserError(f"Không ghi được vào tệp lịch sử «{path}» (chỉ đọc); hãy kiểm tra "
                         "quyền ghi.")
    if name.startswith("SQLITE_FULL"):
        return UserError(f"Đĩa đã đầy, không ghi được tệp lịch sử «{path}»; các tệp đã ghi "
                         "nhận trước đó vẫn nguyên vẹn.")
    return UserError(f"Tệp «{path}» không phải tệp lịch sử của cchc-xlsx hoặc đã hỏng; hãy "
                     "kiểm tra tham số --db.")


class History:
    """The submission history in one SQLite file; use as a context manager.

    ``create=False`` (for read-only commands such as ``status``) refuses a missing file
    instead of silently creating an empty history that would report "nobody sent".
    """

    def __init__(self, path: str | Path = DEFAULT_DB, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise UserError(f"Chưa có tệp lịch sử «{self.path}»; hãy chạy «cchc-xlsx collect "
                            f"HỘP_THƯ --db {self.path}» trước, hoặc kiểm tra tham số --db.")
        if create and not self.path.parent.is_dir():
            raise UserError(f"Không có thư mục «{self.path.parent}» để ghi tệp lịch sử "
                            f"«{self.path.name}».")
        uri = self.path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
        try:
            # autocommit (isolation_level=None): transactions are ours, explicit and short
            self.conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        self.conn.row_factory = sqlite3.Row
        try:
            self._setup()
        except sqlite3.Error as exc:
            self.conn.close()
            raise _explain(exc, self.path) from None
        except UserError:
            self.conn.close()
            raise

    def _setup(self) -> None:
        """Pragmas, then the schema, created or checked inside one write transaction."""
        c = self.conn
        c.execute("PRAGMA busy_timeout = 30000")
        c.execute("PRAGMA journal_mode = WAL")  # readers (status) never block a collect
        c.execute("PRAGMA synchronous = FULL")  # a commit survives a power cut, not just a kill
        c.execute("PRAGMA foreign_keys = ON")
        app_id = c.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in (0, APPLICATION_ID) or (tables and "schema_version" not in tables):
            raise UserError(f"Tệp «{self.path}» là cơ sở dữ liệu khác, không phải tệp lịch sử "
                            "của cchc-xlsx; hãy chọn tệp khác cho tham số --db.")
        if "submissions" in tables:
            version = c.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return  # nothing to write: status can read a history it may not write
            if version == 1:
                self._upgrade_from_1()
                return
        with self._transaction():
            for statement in _SCHEMA:
                c.execute(statement)
            row = c.execute("SELECT max(version) FROM schema_version").fetchone()
            if row[0] is None:
                c.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            elif row[0] > SCHEMA_VERSION:
                raise UserError(f"Tệp lịch sử «{self.path}» do phiên bản cchc-xlsx mới hơn tạo "
                                "ra; hãy cập nhật cchc-xlsx.")

    def _upgrade_from_1(self) -> None:
        """Version 1 did not keep the file's own time: those rows show the first collect."""
        try:
            with self._transaction():
                self.conn.execute("ALTER TABLE submissions ADD COLUMN file_time TEXT NULL")
                self.conn.execute("INSERT INTO schema_version (version) VALUES (2)")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).lower():
                raise  # a read-only old history is still read (file_time None) by from_row

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` takes the write lock up front, so a check-then-insert is atomic
        even when two collects run at once; anything that escapes rolls the work back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------

    def record(self, path: str | Path, result: FileResult, received_at: datetime | None = None,
               *, sha256: str | None = None, mtime: float | None = None) -> Recorded:
        """Record one file's validation outcome, once: a known hash changes nothing.

        A new file of a unit that already sent one for the same plan and period replaces it
        (``replaces`` points at the earlier row, which stays). ``sha256`` lets a caller that
        already hashed the file skip reading it again. ``received_at`` defaults to now; the
        file's own ``mtime`` is kept beside it (``Submission.earliest`` takes the earlier).
        """
        digest = sha256 or file_sha256(path)
        when = _local(received_at or _now())
        own = _local(datetime.fromtimestamp(mtime)) if mtime is not None else None
        try:
            with self._transaction():
                existing = self._by_hash(digest)
                if existing is not None:
                    return Recorded(existing, False)
                replaces = None
                unit_code = result.unit_code
                if unit_code:
                    prev = self.conn.execute(
                        "SELECT max(id) FROM submissions "
                        "WHERE plan_id = ? AND period_id = ? AND unit_code = ?",
                        (result.plan_id, result.period_id, unit_code)).fetchone()[0]
                    replaces = prev
                    if prev is not None and getattr(result, "name_unit", ""):
                        # named for another unit: it never replaces the unit's own file;
                        # status lists it apart, with the files it cannot count
                        replaces, unit_code = None, ""
                values = {
                    "sha256": digest, "file": str(Path(path).resolve()),
                    "unit_code": unit_code, "unit_name": result.unit_name,
                    "plan_id": result.plan_id, "period_id": result.period_id,
                    "received_at": when.isoformat(timespec="seconds"),
                    "usable": int(result.usable), "valid": int(result.valid),
                    "errors": result.errors, "warnings": result.warnings,
                    "replaces": replaces, "kind": result.kind,
                    "file_time": own.isoformat(timespec="seconds") if own else None,
                }
                row_id = self._insert(values)
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        return Recorded(Submission(id=row_id, **{**values, "received_at": when,
                                                 "usable": bool(values["usable"]),
                                                 "valid": bool(values["valid"]),
                                                 "file_time": own}), True)

    def _insert(self, values: dict[str, Any]) -> int:
        """The one INSERT of a submission (runs inside ``record``'s transaction)."""
        cur = self.conn.execute(
            f"INSERT INTO submissions ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _COLUMNS)})", [values[c] for c in _COLUMNS])
        return int(cur.lastrowid or 0)

    # --- reading --------------------------------------------------------------------------

    def _by_hash(self, digest: str) -> Submission | None:
        row = self.conn.execute("SELECT * FROM submissions WHERE sha256 = ?",
                                (digest,)).fetchone()
        return Submission.from_row(row) if row else None

    def find(self, digest: str) -> Submission | None:
        """The submission with this SHA-256, if any file with these bytes was recorded."""
        try:
            return self._by_hash(digest)
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None

    def first_seen(self, path: str | Path) -> datetime | None:
        """When ``collect`` first recorded a file with these bytes (None: never): the
        "received time" merge reports, unaffected by copies, renames and later collects."""
        found = self.find(file_sha256(path))
        return found.received_at if found else None

    def _select(self, where: str = "", params: Sequence[Any] = ()) -> list[Submission]:
        sql = "SELECT * FROM submissions" + (f" WHERE {where}" if where else "") + " ORDER BY id"
        try:
            return [Submission.from_row(r) for r in self.conn.execute(sql, params)]
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None

    def submissions(self) -> list[Submission]:
        """Every recorded file, oldest first."""
        return self._select()

    def latest(self, plan_id: str, period_id: str) -> dict[str, Submission]:
        """The current submission of each unit for a plan and period: the one no later
        file replaced. This is what merge should aggregate."""
        rows = self._select(
            "plan_id = ? AND period_id = ? AND unit_code <> '' AND NOT EXISTS "
            "(SELECT 1 FROM submissions r WHERE r.replaces = submissions.id)",
            (plan_id, period_id))
        return {s.unit_code: s for s in rows}

    def replaced(self, plan_id: str, period_id: str) -> list[Submission]:
        """Submissions a later file of the same unit replaced, oldest first (kept on
        purpose: the history shows what was sent, not only what counts)."""
        return self._select(
            "plan_id = ? AND period_id = ? AND EXISTS "
            "(SELECT 1 FROM submissions r WHERE r.replaces = submissions.id)",
            (plan_id, period_id))

    def earlier_files(self, plan_id: str, unit_code: str, period_id: str) -> list[str]:
        """The unit's current (not replaced) usable files of the plan's other periods:
        where ``validate --db`` looks for the previous period's return."""
        rows = self._select(
            "plan_id = ? AND unit_code = ? AND period_id <> ? AND usable = 1 AND NOT EXISTS "
            "(SELECT 1 FROM submissions r WHERE r.replaces = submissions.id)",
            (plan_id, unit_code, period_id))
        return [s.file for s in rows]

    def unidentified(self, period_id: str | None = None) -> list[Submission]:
        """Recorded files that name no unit (unusable or not ours): no period can count
        them, so status lists them apart for staff to chase."""
        if period_id is None:
            return self._select("unit_code = ''")
        return self._select("unit_code = '' AND period_id IN ('', ?)", (period_id,))

    def periods(self) -> list[tuple[str, str]]:
        """(plan_id, period_id) pairs that have submissions, in order of first arrival."""
        seen: dict[tuple[str, str], None] = {}
        for s in self._select("unit_code <> ''"):
            seen.setdefault((s.plan_id, s.period_id), None)
        return list(seen)

    def status_table(self, period_id: str | None = None,
                     units: Sequence[Unit] | None = None) -> list[StatusRow]:
        """Units × periods: for each period (in order of first arrival; only ``period_id``
        when given), each unit's current submission and how many files it sent.

        With ``units``, every listed unit appears in every period, unsent ones with
        ``current=None``, in the list's order; units outside the list follow, by code.
        """
        where, params = "unit_code <> ''", []
        if period_id is not None:
            where += " AND period_id = ?"
            params.append(period_id)
        groups: dict[tuple[str, str], dict[str, list[Submission]]] = {}
        for s in self._select(where, params):
            groups.setdefault((s.plan_id, s.period_id), {}).setdefault(s.unit_code, []).append(s)
        if period_id is not None and not groups and units:
            groups[("", period_id)] = {}
        listed = {u.code: u for u in units or ()}
        out: list[StatusRow] = []
        for (plan, period), by_unit in groups.items():
            replaced = {s.replaces for subs in by_unit.values() for s in subs if s.replaces}
            order = [u.code for u in units or ()]
            order += sorted(code for code in by_unit if code not in listed)
            for code in order:
                subs = by_unit.get(code, [])
                current = next((s for s in reversed(subs) if s.id not in replaced), None)
                name = listed[code].name if code in listed else (current or subs[-1]).unit_name
                out.append(StatusRow(plan, period, code, name, current, len(subs),
                                     subs[0].received_at if subs else None, code in listed
                                     or units is None))
        return out


# --- collect ----------------------------------------------------------------------------


@dataclass
class CollectResult:
    """What one ``collect`` run did. ``recorded`` holds the files it added; ``known`` counts
    files already in the history (or the same bytes twice in the inbox); ``unreadable``
    lists files that could not even be opened, with a Vietnamese sentence: they are not
    recorded, so the next collect tries them again."""

    files: int = 0
    recorded: list[Recorded] = field(default_factory=list)
    known: int = 0
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    others: list[tuple[str, str]] = field(default_factory=list)  # not returns: listed only

    @property
    def new(self) -> int:
        return len(self.recorded)

    @property
    def valid(self) -> int:
        return sum(1 for r in self.recorded if r.submission.valid)

    @property
    def with_errors(self) -> int:
        return sum(1 for r in self.recorded if r.submission.usable and not r.submission.valid)

    @property
    def unusable(self) -> int:
        return sum(1 for r in self.recorded if not r.submission.usable)

    @property
    def resubmissions(self) -> int:
        return sum(1 for r in self.recorded if r.submission.replaces is not None)


def collect(inbox: str | Path | Iterable[str | Path], db_path: str | Path = DEFAULT_DB,
            units: Sequence[Unit] | None = None,
            progress: Callable[[int], None] | None = None) -> CollectResult:
    """Validate and record the files of an inbox (files and folders) not recorded before.

    Files are hashed first and known hashes skipped before any validation, so re-running
    over a growing inbox costs only the new files. New files are validated in one batch,
    then each is recorded in its own transaction, oldest file (by mtime) first so that two
    versions arriving together end with the newer one current. Checks that compare a file
    with its batch (period, plan) are dropped: each file is filed under its own period.
    ``progress(n)`` advances by one per inbox file.
    """
    paths = [inbox] if isinstance(inbox, (str, Path)) else list(inbox)
    for p in paths:
        if not Path(p).exists() and not Path(p).is_symlink():
            raise UserError(f"Không tìm thấy tệp hoặc thư mục «{p}».")
    from cchc_xlsx.checking.validate import check_files, expand_paths
    from cchc_xlsx.reading.inbox_files import not_a_file

    files = expand_paths(paths)
    result = CollectResult(files=len(files))
    tick = progress or (lambda n: None)
    with History(db_path) as history:
        fresh: dict[str, Path] = {}  # digest -> first path with those bytes
        for f in files:
            why = not_a_file(f)  # a FIFO, a device, a dangling or outward link: never opened
            if why:
                result.others.append((f, why))
                tick(1)
                continue
            try:
                digest = file_sha256(f)
            except OSError:
                result.unreadable.append((f, f"Không đọc được tệp «{f}» (kiểm tra quyền đọc "
                                             "hoặc tệp đang bị chương trình khác khóa)."))
                tick(1)
                continue
            if digest in fresh or history.find(digest) is not None:
                result.known += 1
                tick(1)
                if digest in fresh and _mtime(f) < _mtime(fresh[digest]):
                    fresh[digest] = f  # of identical copies, the oldest tells the time
            else:
                fresh[digest] = f
        if not fresh:
            return result
        checked = check_files(list(fresh.values()), units=units, progress=progress)
        outcomes = []
        by_path = {str(p): d for d, p in fresh.items()}
        for res in checked.report.files:
            if res.not_return:  # a document or picture: listed, never recorded
                result.others.append((res.file, res.issues[0].message if res.issues else ""))
                continue
            digest = res.sha256 or by_path.get(res.file, "")
            if not digest:  # an archive that could not be opened: try again next time
                result.unreadable.append((Path(res.file), res.issues[0].message
                                          if res.issues else res.file))
                continue
            if digest != by_path.get(res.file) and history.find(digest) is not None:
                result.known += 1  # an archive entry recorded before
                continue
            res.issues = [i for i in res.issues if i.rule_id not in _BATCH_RULES]
            outcomes.append((digest, res.file, res))
        # a file named for another unit goes first: the unit's own files then replace it
        outcomes.sort(key=lambda o: (not o[2].name_unit, o[2].mtime or _mtime(o[1]),
                                     str(o[1])))
        for digest, path, res in outcomes:
            rec = history.record(path, res, sha256=digest, mtime=res.mtime)
            if rec.new:
                result.recorded.append(rec)
            else:  # another collect recorded the same bytes meanwhile
                result.known += 1
    return result


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


__all__ = ["DEFAULT_DB", "History", "Submission", "Recorded", "StatusRow", "CollectResult",
           "collect", "file_sha256"]
