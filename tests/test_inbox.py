"""The inbox as schools really fill it: every file accounted for, .zip attachments opened,
identity beats file name, identical copies are one submission, and the received time is
the earliest evidence. Each test checks the exit code and that nothing else was lost."""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from cchc_xlsx.checking.validate import validate
from cchc_xlsx.forms.generate import generate
from cchc_xlsx.merging.merge import merge, office_from_units

from .conftest import UNITS_XLSX
from .fill import Filler, fill_clean

TODAY = date(2023, 3, 10)
DUE_OK = datetime(2023, 3, 1, 9, 0).timestamp()  # before the q1-2023 due date
LATE = datetime(2023, 4, 20, 9, 0).timestamp()


@pytest.fixture(scope="module")
def returns(tmp_path_factory, plan001, units):
    gen = tmp_path_factory.mktemp("gen")
    out = tmp_path_factory.mktemp("returns")
    paths = generate(plan001, units[:3], gen, period_id="q1-2023", workers=1)
    for i, p in enumerate(paths):
        dst = out / p.name
        fill_clean(Filler(p), seed=i).save(dst)
        os.utime(dst, (DUE_OK, DUE_OK))
    return {p.name.split("_")[0]: out / p.name for p in paths}


def _inbox(tmp_path: Path, returns: dict[str, Path], codes=None) -> Path:
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    for code, p in returns.items():
        if codes is None or code in codes:
            shutil.copy2(p, inbox / p.name)
    return inbox


def _merge(inbox, plan001, units, tmp_path, **kw):
    return merge([inbox], plan001, units, "q1-2023", tmp_path / "tong-hop.xlsx",
                 office_from_units(units, plan001), now=datetime(2023, 3, 10), **kw)


def _sub(result, code):
    return next(s for s in result.submissions if s.unit_code == code)


def test_noise_is_silent_and_other_files_are_listed(returns, tmp_path, plan001, units):
    inbox = _inbox(tmp_path, returns)
    (inbox / "~$MN-TT_truong-mam-non-tuoi-tho.xlsx").write_bytes(b"\x00" * 165)
    (inbox / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    (inbox / "desktop.ini").write_text("[.ShellClassInfo]\n")
    (inbox / ".an.xlsx").write_bytes(b"hidden")
    (inbox / "cong-van-ky.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 200)
    (inbox / "anh-chup.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    shutil.copy(UNITS_XLSX, inbox / "danh-sach-don-vi.xlsx")
    report = validate([inbox], today=TODAY)
    shown = {Path(f.file).name: f for f in report.files}
    assert set(shown) == {p.name for p in returns.values()} | {
        "cong-van-ky.pdf", "anh-chup.png", "danh-sach-don-vi.xlsx"}
    for name in ("cong-van-ky.pdf", "anh-chup.png", "danh-sach-don-vi.xlsx"):
        f = shown[name]
        assert f.not_return and not f.valid and len(f.issues) == 1
        assert "không phải báo cáo theo mẫu" in f.issues[0].message
        assert name in f.issues[0].message
    assert sum(f.valid for f in report.files) == 3
    assert report.exit_code == 0  # the returns are fine; the others are only listed
    result = _merge(inbox, plan001, units, tmp_path)
    assert not [s for s in result.submissions if "danh-sach" in s.file]  # not a 13th unit
    assert len(result.submissions) == len(units)
    assert sum(s.status == "valid" for s in result.submissions) == 3
    assert any("danh-sach-don-vi.xlsx" in m and "không phải báo cáo theo mẫu" in m
               for m in result.messages)


def test_only_documents_is_exit_2(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 200)
    report = validate([tmp_path], today=TODAY)
    assert [f.not_return for f in report.files] == [True]
    assert report.exit_code == 2


def test_zip_attachment_is_opened_and_its_return_counted(returns, tmp_path, plan001, units):
    inbox = _inbox(tmp_path, returns, codes={"MN-TT", "MN-SM"})
    hm = returns["MN-HM"]
    with zipfile.ZipFile(inbox / "thu-truong-hoa-mi.zip", "w") as z:
        z.write(hm, "bao cao/" + hm.name)
        z.writestr("bao cao/cong-van.pdf", b"%PDF-1.4\n")
        z.writestr("__MACOSX/._x", b"")
    report = validate([inbox], today=TODAY)
    inner = next(f for f in report.files if hm.name in f.file)
    assert inner.file == f"{inbox / 'thu-truong-hoa-mi.zip'} › bao cao/{hm.name}"
    assert inner.valid and inner.unit_code == "MN-HM"
    assert any(f.not_return and f.file.endswith("› bao cao/cong-van.pdf")
               for f in report.files)
    assert report.exit_code == 0
    result = _merge(inbox, plan001, units, tmp_path)
    assert _sub(result, "MN-HM").status == "valid"
    assert "thu-truong-hoa-mi.zip › " in _sub(result, "MN-HM").file
    assert {s.unit_code for s in result.submissions if s.status == "valid"} == {
        "MN-TT", "MN-SM", "MN-HM"}


def test_zip_bomb_attachment_is_unusable_and_the_batch_goes_on(returns, tmp_path):
    inbox = _inbox(tmp_path, returns)
    with zipfile.ZipFile(inbox / "bom.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xlsx", b"\x00" * (300 * 1024 * 1024))
    report = validate([inbox], today=TODAY)
    bomb = next(f for f in report.files if f.file.endswith("bom.zip"))
    assert not bomb.usable and "bom.zip" in bomb.issues[0].message
    assert sum(f.valid for f in report.files) == 3
    assert report.exit_code == 2
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("cchc-zip-*/a.xlsx"))


def test_identity_beats_file_name(returns, tmp_path, plan001, units):
    inbox = _inbox(tmp_path, returns, codes={"MN-TT", "MN-SM"})
    wrong = inbox / ("MN-HM_" + returns["MN-TT"].name.split("_", 1)[1])
    f = fill_clean(Filler(returns["MN-TT"]), seed=7)  # TT's content, different bytes
    f.save(wrong)
    os.utime(wrong, (LATE, LATE))  # later than TT's own file
    report = validate([inbox], units=units, today=TODAY)
    res = next(r for r in report.files if r.file == str(wrong))
    [issue] = [i for i in res.issues if i.rule_id == "file_name_mismatch"]
    assert issue.severity == "warning" and "MN-HM" in issue.message and "MN-TT" in issue.message
    assert res.unit_code == "MN-TT"
    result = _merge(inbox, plan001, units, tmp_path)
    assert _sub(result, "MN-HM").status == "missing"  # the name does not make HM a sender
    tt = _sub(result, "MN-TT")
    assert Path(tt.file).name == returns["MN-TT"].name  # not replaced by the misnamed file
    assert tt.on_time is True and not tt.replaced
    assert any("MN-HM" in m and str(wrong) in m for m in result.messages)
    assert result.exit_code == 1  # HM (and others) still missing


def test_identical_copy_is_one_submission(returns, tmp_path, plan001, units):
    inbox = _inbox(tmp_path, returns)
    original = inbox / returns["MN-SM"].name
    copy = inbox / (original.stem + " (1).xlsx")
    shutil.copy(original, copy)
    os.utime(copy, (LATE, LATE))  # copied later: a newer time that must not count
    result = _merge(inbox, plan001, units, tmp_path)
    sm = _sub(result, "MN-SM")
    assert sm.file == str(original) and sm.on_time is True and sm.replaced == []
    assert sm.received_at == datetime.fromtimestamp(DUE_OK).isoformat(timespec="seconds")
    assert sum(1 for s in result.submissions if s.unit_code == "MN-SM") == 1
    assert any(str(copy) in m and "giống hệt" in m for m in result.messages)
    assert sum(s.status == "valid" for s in result.submissions) == 3


def test_received_time_is_the_earliest_evidence(returns, tmp_path, plan001, units):
    from cchc_xlsx.inbox.history import History, collect

    inbox = _inbox(tmp_path, returns)
    tt, hm = inbox / returns["MN-TT"].name, inbox / returns["MN-HM"].name
    future = datetime(2030, 1, 1).timestamp()
    os.utime(tt, (future, future))  # a school PC with its clock wrong: collect is earlier
    db = tmp_path / "lich-su.sqlite"
    collect([inbox], db)  # recorded now (2026…), long after the other files' own times
    with History(db) as history:
        rows = {s.unit_code: s for s in history.submissions()}
        result = _merge(inbox, plan001, units, tmp_path, history=history)
    assert rows["MN-HM"].earliest == (datetime.fromtimestamp(DUE_OK), "mtime")
    assert rows["MN-TT"].earliest == (rows["MN-TT"].received_at, "db")
    for code in ("MN-HM", "MN-SM"):  # not "late" because collect ran later
        s = _sub(result, code)
        assert (s.received_from, s.on_time) == ("mtime", True)
    assert _sub(result, "MN-TT").received_from == "db"
    assert any("theo lần ghi nhận đầu tiên cho 1 tệp" in m for m in result.messages)
    # touching a file after it was recorded changes nothing: the history kept its time
    os.utime(hm, (future, future))
    with History(db) as history:
        result = _merge(inbox, plan001, units, tmp_path, history=history)
    s = _sub(result, "MN-HM")
    assert (s.received_from, s.on_time) == ("mtime", True)
    assert s.received_at == datetime.fromtimestamp(DUE_OK).isoformat(timespec="seconds")


def test_old_history_is_upgraded_in_place(tmp_path):
    import sqlite3

    from cchc_xlsx.inbox.history import History

    db = tmp_path / "cu.sqlite"
    History(db).close()
    conn = sqlite3.connect(db)  # make it a version-1 history, as the previous release wrote
    conn.execute("ALTER TABLE submissions DROP COLUMN file_time")
    conn.execute("DELETE FROM schema_version")
    conn.execute("INSERT INTO schema_version (version) VALUES (1)")
    conn.execute("INSERT INTO submissions (sha256, file, received_at, usable, valid, errors, "
                 "warnings) VALUES ('ab', 'x.xlsx', '2023-03-01T08:00:00', 1, 1, 0, 0)")
    conn.commit()
    conn.close()
    with History(db) as h:
        [s] = h.submissions()
        assert s.file_time is None and s.earliest == (datetime(2023, 3, 1, 8), "db")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (2,)


def test_collect_records_zipped_returns_and_lists_the_rest(returns, tmp_path):
    from cchc_xlsx.inbox.history import History, collect

    inbox = _inbox(tmp_path, returns, codes={"MN-TT"})
    with zipfile.ZipFile(inbox / "thu.zip", "w") as z:
        z.write(returns["MN-HM"], returns["MN-HM"].name)
    (inbox / "cong-van.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 200)
    (inbox / "Thumbs.db").write_bytes(b"\x00" * 10)
    db = tmp_path / "ls.sqlite"
    result = collect([inbox], db)
    assert sorted(r.submission.unit_code for r in result.recorded) == ["MN-HM", "MN-TT"]
    assert [Path(n).name for n, _ in result.others] == ["cong-van.pdf"]
    assert not result.unreadable
    again = collect([inbox], db)  # nothing new the second time, the zipped return included
    assert again.new == 0
    with History(db) as h:
        assert len(h.submissions()) == 2


def test_collect_keeps_the_oldest_copy_and_never_lets_a_misnamed_file_replace(
        returns, tmp_path, units):
    from cchc_xlsx.inbox.history import History, collect

    inbox = _inbox(tmp_path, returns)
    sm = inbox / returns["MN-SM"].name
    copy = inbox / (sm.stem + " (1).xlsx")  # sorts before the original
    shutil.copy(sm, copy)
    os.utime(copy, (LATE, LATE))
    wrong = inbox / ("MN-HM_" + returns["MN-TT"].name.split("_", 1)[1])
    fill_clean(Filler(returns["MN-TT"]), seed=7).save(wrong)  # TT's content, named HM
    db = tmp_path / "ls.sqlite"
    collect([inbox], db, units=units)  # in one run: the unit's own file is recorded last
    with History(db) as h:
        current = h.latest("mntt-q8-2023", "q1-2023")
    assert current["MN-SM"].earliest == (datetime.fromtimestamp(DUE_OK), "mtime")
    assert Path(current["MN-TT"].file).name == returns["MN-TT"].name
    assert Path(current["MN-HM"].file).name == returns["MN-HM"].name
    later = inbox / ("MN-HM_" + returns["MN-TT"].name.split("_", 1)[1] + "-2.xlsx")
    fill_clean(Filler(returns["MN-TT"]), seed=8).save(later)  # arrives in a later collect
    collect([inbox], db, units=units)
    with History(db) as h:
        current = h.latest("mntt-q8-2023", "q1-2023")
        apart = h.unidentified()
    assert Path(current["MN-TT"].file).name == returns["MN-TT"].name
    assert [Path(s.file).name for s in apart] == [later.name]


def test_annotate_skips_zip_entries_and_files_that_are_not_returns(returns, tmp_path):
    """validate --annotate over an inbox with a .zip and the unit list: no traceback."""
    import subprocess
    import sys

    inbox = _inbox(tmp_path, returns, codes={"MN-TT"})
    with zipfile.ZipFile(inbox / "thu.zip", "w") as z:
        z.write(returns["MN-HM"], returns["MN-HM"].name)
    shutil.copy(UNITS_XLSX, inbox / "danh-sach.xlsx")
    done = subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", "validate", str(inbox),
                           "--annotate", str(tmp_path / "kt")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "thu.zip › " in done.stdout and "danh-sach.xlsx" in done.stdout
    assert not [p for p in (tmp_path / "kt").glob("*") if "danh-sach" in p.name]
