"""Submission history: each file recorded once by content hash, resubmissions replace and
keep the earlier file, the received time is the first collect's, status lists who sent what,
and a collect killed mid-run loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from cchc_xlsx.errors import UserError
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.inbox import history as history_mod
from cchc_xlsx.inbox.history import DEFAULT_DB, History, collect, file_sha256

from .conftest import SAMPLES, UNITS_CSV
from .fill import Filler, fill_clean

RETURNS = SAMPLES / "returns"
ROOT = Path(__file__).resolve().parents[1]
T1 = datetime(2023, 3, 5, 9, 30, 15)
T2 = datetime(2023, 3, 20, 14, 0, 0)


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=300)


@pytest.fixture(scope="module")
def templates(tmp_path_factory, plan001, units):
    """The first unit's workbook for two periods: q1-2023 and 6t-2023."""
    out = tmp_path_factory.mktemp("templates")
    [q1] = generate(plan001, units[:1], out / "q1", period_id="q1-2023", workers=1)
    [h1] = generate(plan001, units[:1], out / "6t", period_id="6t-2023", workers=1)
    return {"q1-2023": q1, "6t-2023": h1}


@pytest.fixture(scope="module")
def filled(tmp_path_factory, templates):
    """The first unit's clean return for each period, filled as a person would."""
    out = tmp_path_factory.mktemp("filled")
    return {period: fill_clean(Filler(t)).save(out / f"{period}_{t.name}")
            for period, t in templates.items()}


@pytest.fixture
def inbox(tmp_path):
    """A copy of the sample returns: 7 valid, 3 with errors, 1 unusable (a renamed CSV)."""
    path = tmp_path / "inbox"
    shutil.copytree(RETURNS, path)
    return path


@pytest.fixture
def fixed_clock(monkeypatch):
    """Make "now" a chosen time, to tell the received time from the file's mtime."""
    clock = {"now": T1}
    monkeypatch.setattr(history_mod, "_now", lambda: clock["now"])
    return clock


def rows(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM submissions ORDER BY id").fetchall()
    finally:
        conn.close()


# --- schema -----------------------------------------------------------------------------


def test_schema_wal_version_and_index(tmp_path):
    db = tmp_path / "h.sqlite"
    History(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    cols = {r[1]: (r[2], r[3]) for r in conn.execute("PRAGMA table_info(submissions)")}
    assert list(cols) == ["id", "sha256", "file", "unit_code", "unit_name", "plan_id",
                          "period_id", "received_at", "usable", "valid", "errors", "warnings",
                          "replaces", "kind", "file_time"]
    assert cols["sha256"] == ("TEXT", 1)
    fks = conn.execute("PRAGMA foreign_key_list(submissions)").fetchall()
    assert [(f[2], f[3], f[4]) for f in fks] == [("submissions", "replaces", "id")]
    index_cols = {name: [c[2] for c in conn.execute(f"PRAGMA index_info({name})")]
                  for (name,) in conn.execute("SELECT name FROM sqlite_master "
                                              "WHERE type='index' AND sql IS NOT NULL")}
    assert ["plan_id", "period_id", "unit_code"] in index_cols.values()
    conn.close()
    History(db).close()  # reopening an existing history changes nothing
    assert rows(db) == []


def test_default_db_is_in_the_current_folder():
    assert Path(DEFAULT_DB).name == DEFAULT_DB and DEFAULT_DB.endswith(".sqlite")
    for command in ("collect", "status"):  # the help names the same default
        r = run(command, "--help")
        assert r.returncode == 0 and DEFAULT_DB in "".join(r.stdout.split())  # wrapped


def test_refuses_other_files_and_newer_schema(tmp_path):
    not_db = tmp_path / "notes.sqlite"
    not_db.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    with pytest.raises(UserError, match="không phải tệp lịch sử"):
        History(not_db)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="cơ sở dữ liệu khác"):
        History(other)
    newer = tmp_path / "newer.sqlite"
    History(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="mới hơn"):
        History(newer)
    with pytest.raises(UserError, match="Chưa có tệp lịch sử"):
        History(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


# --- collect ----------------------------------------------------------------------------


def test_collect_records_each_file_once_by_hash(tmp_path, inbox, units, fixed_clock):
    db = tmp_path / "h.sqlite"
    first = collect(inbox, db, units=units)
    assert (first.files, first.new, first.known) == (11, 11, 0)
    assert (first.valid, first.with_errors, first.unusable) == (7, 3, 1)
    again = collect(inbox, db, units=units)
    assert (again.new, again.known) == (0, 11)
    recorded = rows(db)
    assert len(recorded) == 11
    assert {r["sha256"] for r in recorded} == {file_sha256(p) for p in inbox.iterdir()}
    by_unit = {r["unit_code"]: r for r in recorded}
    assert by_unit["MN-TT"]["valid"] == 1 and by_unit["MN-TT"]["period_id"] == "q1-2023"
    assert by_unit["MN-TT"]["plan_id"] == "mntt-q8-2023" and by_unit["MN-TT"]["kind"] == "unit"
    assert by_unit["MN-HM"]["valid"] == 0 and by_unit["MN-HM"]["errors"] == 2
    unusable = by_unit[""]
    assert unusable["usable"] == 0 and unusable["file"].endswith("TH-BD_truong-tieu-hoc-binh"
                                                                  "-dong.xlsx")
    assert all(r["received_at"] == "2023-03-05T09:30:15" for r in recorded)
    assert all(r["replaces"] is None for r in recorded)


def test_known_files_are_not_validated_again(tmp_path, inbox, monkeypatch):
    db = tmp_path / "h.sqlite"
    collect(inbox, db)
    renamed = inbox / "chuyen-tiep" / "MN-TT (1).xlsx"  # a renamed copy is not new
    renamed.parent.mkdir()
    shutil.copy(inbox / "MN-TT_truong-mam-non-tuoi-tho.xlsx", renamed)

    def fail(*args, **kwargs):
        raise AssertionError("known files must be skipped before validation")

    monkeypatch.setattr("cchc_xlsx.checking.validate.check_files", fail)
    again = collect(inbox, db)
    assert (again.files, again.new, again.known) == (12, 0, 12)
    assert len(rows(db)) == 11


def test_same_bytes_twice_in_one_inbox_recorded_once(tmp_path, filled):
    box = tmp_path / "box"
    box.mkdir()
    shutil.copy(filled["q1-2023"], box / "a.xlsx")
    shutil.copy(filled["q1-2023"], box / "b.xlsx")
    result = collect(box, tmp_path / "h.sqlite")
    assert (result.new, result.known, result.resubmissions) == (1, 1, 0)


def test_resubmission_replaces_earlier_and_keeps_it(tmp_path, filled, fixed_clock):
    db = tmp_path / "h.sqlite"
    box = tmp_path / "box"
    box.mkdir()
    v1 = shutil.copy(filled["q1-2023"], box / "lan-1.xlsx")
    first = collect(box, db)
    assert first.new == 1 and first.valid == 1
    fixed_clock["now"] = T2
    v2 = Filler(v1)
    v2.set("report_tasks", "task:1.1", "status", "Không phát sinh")  # a changed answer
    v2.save(box / "lan-2.xlsx")
    second = collect(box, db)
    assert (second.new, second.known, second.resubmissions) == (1, 1, 1)
    new = second.recorded[0].submission
    old = first.recorded[0].submission
    assert new.replaces == old.id and new.file.endswith("lan-2.xlsx")
    with History(db) as h:
        current = h.latest("mntt-q8-2023", "q1-2023")
        assert list(current) == [new.unit_code]
        assert current[new.unit_code].id == new.id
        assert current[new.unit_code].received_at == T2
        assert [s.id for s in h.replaced("mntt-q8-2023", "q1-2023")] == [old.id]
        assert len(h.submissions()) == 2  # the history keeps both files
        [row] = h.status_table()
        assert (row.submissions, row.resubmissions, row.current.id) == (2, 1, new.id)
        assert row.first_received_at == T1


def test_record_returns_existing_row_for_known_hash(tmp_path, filled):
    from cchc_xlsx.checking.validate import check_files

    path = filled["q1-2023"]
    [res] = check_files([path], workers=1).report.files
    with History(tmp_path / "h.sqlite") as h:
        first = h.record(path, res, received_at=T1)
        again = h.record(path, res, received_at=T2)
    assert first.new and not again.new
    assert again.submission == first.submission
    assert again.submission.received_at == T1


def test_first_seen_is_the_first_collect_not_the_mtime(tmp_path, filled, fixed_clock):
    db = tmp_path / "h.sqlite"
    box = tmp_path / "box"
    box.mkdir()
    path = shutil.copy(filled["q1-2023"], box / "nop.xlsx")
    os.utime(path, (datetime(2001, 1, 1).timestamp(),) * 2)
    collect(box, db)
    fixed_clock["now"] = T2
    os.utime(path)  # touched later: still the same bytes
    collect(box, db)
    with History(db) as h:
        assert h.first_seen(path) == T1
        assert h.first_seen(filled["6t-2023"]) is None


def test_each_file_is_filed_under_its_own_period(tmp_path, filled):
    """One inbox holding two periods: neither file is an error for being the minority."""
    box = tmp_path / "box"
    box.mkdir()
    for period, path in filled.items():
        shutil.copy(path, box / f"{period}.xlsx")
    result = collect(box, tmp_path / "h.sqlite")
    assert (result.new, result.valid, result.resubmissions) == (2, 2, 0)
    with History(tmp_path / "h.sqlite") as h:
        assert len(h.latest("mntt-q8-2023", "q1-2023")) == 1
        assert len(h.latest("mntt-q8-2023", "6t-2023")) == 1
        assert {p for _, p in h.periods()} == {"q1-2023", "6t-2023"}


def test_collect_refuses_a_missing_inbox(tmp_path):
    with pytest.raises(UserError, match="Không tìm thấy tệp hoặc thư mục"):
        collect(tmp_path / "khong-co", tmp_path / "h.sqlite")


# --- status -----------------------------------------------------------------------------


def test_status_table_lists_units_and_missing_units(tmp_path, inbox, units):
    db = tmp_path / "h.sqlite"
    collect(inbox, db)
    with History(db) as h:
        table = h.status_table(units=units)
        assert [r.unit_code for r in table] == [u.code for u in units]
        missing = {r.unit_code for r in table if not r.submitted}
        assert missing == {"TH-BD", "THCS-TD"}  # TH-BD sent an unusable file
        assert len(h.unidentified()) == 1
        assert h.status_table(period_id="q3-2023") == []
        assert len(h.status_table(period_id="q3-2023", units=units)) == len(units)
        assert all(not r.submitted for r in h.status_table(period_id="q3-2023", units=units))
        partial = h.status_table(units=units[:2])  # a unit outside the list still shows
        assert len(partial) == 10 and sum(not r.listed for r in partial) == 8


def test_cli_collect_then_status(tmp_path, inbox):
    db = tmp_path / "h.sqlite"
    r = run("collect", str(inbox), "--db", str(db), "--units", str(UNITS_CSV))
    assert r.returncode == 0, r.stderr
    assert ("Đã ghi nhận 11 tệp mới (7 hợp lệ, 3 có lỗi, 1 không dùng được); "
            "0 tệp đã có từ trước.") in r.stdout
    r = run("collect", str(inbox), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "Không có tệp mới; 11 tệp đã có từ trước." in r.stdout
    r = run("status", "--db", str(db), "--units", str(UNITS_CSV))
    assert r.returncode == 0, r.stderr
    assert "Kỳ q1-2023 — kế hoạch mntt-q8-2023: 10/12 đơn vị đã nộp, 7 hợp lệ." in r.stdout
    lines = {line.split()[0]: line for line in r.stdout.splitlines()
             if line.startswith("  ") and line.split()[0] in {"MN-TT", "MN-HM", "THCS-TD"}}
    assert "Trường Mầm non Tuổi Thơ" in lines["MN-TT"] and "hợp lệ" in lines["MN-TT"]
    assert "đã nộp" in lines["MN-HM"] and "2 lỗi" in lines["MN-HM"]
    assert "chưa nộp" in lines["THCS-TD"]
    assert "1 tệp không nhận ra đơn vị" in r.stdout
    few = tmp_path / "ba-don-vi.csv"
    few.write_text("\n".join(UNITS_CSV.read_text(encoding="utf-8").splitlines()[:4]),
                   encoding="utf-8")
    r = run("status", "--db", str(db), "--period", "q1-2023", "--units", str(few))
    assert r.returncode == 0, r.stderr
    assert ("3/3 đơn vị đã nộp, 2 hợp lệ; 7 đơn vị ngoài danh sách cũng đã nộp."
            in r.stdout)
    assert "(ngoài danh sách)" in r.stdout
    r = run("status", "--db", str(db), "--period", "q3-2023")
    assert r.returncode == 0
    assert "Chưa đơn vị nào nộp báo cáo kỳ «q3-2023» (các kỳ đã có: q1-2023)." in r.stdout


def test_cli_default_db_in_current_folder(tmp_path, inbox):
    r = run("collect", str(inbox), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / DEFAULT_DB).is_file()
    r = run("status", cwd=tmp_path)
    assert r.returncode == 0 and "10 đơn vị đã nộp" in r.stdout


def test_cli_usage_errors_exit_2(tmp_path, inbox):
    r = run("status", "--db", str(tmp_path / "khong-co.sqlite"))
    assert r.returncode == 2
    assert "Chưa có tệp lịch sử" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "khong-co.sqlite").exists()
    r = run("collect", str(tmp_path / "khong-co"), "--db", str(tmp_path / "h.sqlite"))
    assert r.returncode == 2 and "Không tìm thấy tệp hoặc thư mục" in r.stderr
    not_db = tmp_path / "ghi-chu.txt"
    not_db.write_text("ghi chú", encoding="utf-8")
    for args in (["collect", str(inbox)], ["status"]):
        r = run(*args, "--db", str(not_db))
        assert r.returncode == 2 and "không phải tệp lịch sử" in r.stderr
        assert "Traceback" not in r.stderr
    r = run("collect", str(inbox), "--db", str(tmp_path / "h.sqlite"), "--units",
            str(tmp_path / "khong-co.csv"))
    assert r.returncode == 2 and "danh sách đơn vị" in r.stderr


# --- an interrupted collect -------------------------------------------------------------


def _distinct_inbox(path: Path, copies: int = 4) -> list[Path]:
    """copies × the 10 usable sample returns (.xlsx and .ods are both zip files), each with
    its own bytes (a zip comment), so every file is a separate submission: 40 files, 4 per
    unit."""
    path.mkdir()
    out: list[Path] = []
    sources = [p for p in sorted(RETURNS.iterdir()) if p.stat().st_size > 1000]  # not the CSV
    for n in range(copies):
        for src in sources:
            dst = path / f"{n}_{src.name}"
            shutil.copy(src, dst)
            with zipfile.ZipFile(dst, "a") as z:
                z.comment = f"ban sao {n}".encode()
            out.append(dst)
    assert len({file_sha256(p) for p in out}) == len(out) == 10 * copies
    return out


def _count(db: Path) -> int:
    """Committed rows, read as another process would (0 until the table exists)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _kill_when_recorded(cmd: list[str], db: Path, at_least: int) -> int:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    try:
        while _count(db) < at_least:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "collect recorded nothing in time"
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what we started
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    return proc.returncode


def _check_consistent(db: Path, files: list[Path]) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    recorded = rows(db)
    hashes = [r["sha256"] for r in recorded]
    assert len(hashes) == len(set(hashes)), "a file was recorded twice"
    assert set(hashes) <= {file_sha256(p) for p in files}
    for r in recorded:
        assert r["usable"] == 1 and r["unit_code"] and r["unit_name"]
        assert r["plan_id"] == "mntt-q8-2023" and r["period_id"] == "q1-2023"
        assert r["unit_code"] in Path(r["file"]).name
        assert datetime.fromisoformat(r["received_at"]) and Path(r["file"]).is_file()
        assert r["valid"] == int(r["errors"] == 0) and r["kind"] == "unit"
    ids = {r["id"]: r for r in recorded}
    for r in recorded:  # each resubmission points at the same unit's earlier file
        if r["replaces"] is not None:
            earlier = ids[r["replaces"]]
            assert earlier["unit_code"] == r["unit_code"] and earlier["id"] < r["id"]
    return recorded


def _finish_and_check(inbox: Path, db: Path, files: list[Path], before: int) -> None:
    r = run("collect", str(inbox), "--db", str(db))
    assert r.returncode == 0, r.stderr
    if before < len(files):
        assert f"Đã ghi nhận {len(files) - before} tệp mới" in r.stdout
    assert f"{before} tệp đã có từ trước." in r.stdout
    recorded = _check_consistent(db, files)
    assert sorted(r["sha256"] for r in recorded) == sorted(file_sha256(p) for p in files)
    with History(db) as h:  # 4 files per unit: one current, three replaced
        assert len(h.latest("mntt-q8-2023", "q1-2023")) == 10
        assert len(h.replaced("mntt-q8-2023", "q1-2023")) == 30


def test_killed_collect_loses_nothing_and_duplicates_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    files = _distinct_inbox(inbox)
    db = tmp_path / "h.sqlite"
    cmd = [sys.executable, "-m", "cchc_xlsx.cli", "collect", str(inbox), "--db", str(db)]
    code = _kill_when_recorded(cmd, db, at_least=1)
    assert code in (-signal.SIGKILL, 0)  # 0 only if it finished before the kill landed
    before = len(_check_consistent(db, files))
    assert before >= 1
    _finish_and_check(inbox, db, files, before)


SLOW_COLLECT = """
import sys, time
from cchc_xlsx.inbox import history
insert = history.History._insert
def slow_insert(self, values):
    row_id = insert(self, values)
    time.sleep(0.05)  # inside the transaction: a kill now must lose this row whole
    return row_id
history.History._insert = slow_insert
from cchc_xlsx.cli import main
main(sys.argv[1:])
"""


def test_kill_inside_a_transaction_leaves_no_half_written_row(tmp_path):
    """Recording slowed down inside each transaction, so the kill lands mid-run and almost
    surely between an INSERT and its COMMIT: that row must vanish, the others stay."""
    inbox = tmp_path / "inbox"
    files = _distinct_inbox(inbox)
    db = tmp_path / "h.sqlite"
    cmd = [sys.executable, "-c", SLOW_COLLECT, "collect", str(inbox), "--db", str(db)]
    code = _kill_when_recorded(cmd, db, at_least=3)
    assert code == -signal.SIGKILL
    before = len(_check_consistent(db, files))
    assert 3 <= before < len(files)
    _finish_and_check(inbox, db, files, before)
