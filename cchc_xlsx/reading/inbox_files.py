"""Every file of an inbox accounted for: returns to read, noise to skip, the rest listed.

An inbox folder is filled by e-mail clients and people: next to the returns lie Office lock
files (``~$…``), ``Thumbs.db``/``desktop.ini``, hidden files, the signed PDF, a scan, the
unit list itself, and returns zipped by the school's mail client. Noise is skipped without
a word. Spreadsheets are read (by their bytes, whatever the extension says). ZIP attachments
are opened with the file guard's bomb limits and the spreadsheets inside are read from a
private temporary folder, under names we choose (``0001.xlsx``), never the archive's; they
are shown as ``thu.zip › bao-cao.xlsx``. Anything else is listed with one sentence.

What is not a regular file is never opened (a FIFO or a device would make the reader wait
forever): FIFOs, devices and sockets, dangling symbolic links and names the system cannot
open are each listed with one sentence and the rest of the inbox goes on. A symbolic link
is followed only when it points inside the folder the link lies in (or, found in a folder
given to the command, inside that folder): the inbox is filled by other people's tools,
and a link must not make the office's commands read (and record) files from elsewhere on
the machine. The rule is the same whether a folder or the link itself is named.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from cchc_xlsx.reading.file_guard import (
    UnusableFile,
    extract_member,
    inspect_file,
    zip_members,
)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, streamed so a large attachment is never held in memory:
    identical copies are one submission, in a check and in the history alike."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
NOISE_NAMES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", "icon\r"}
ZIP_EPOCH = datetime(1980, 1, 2)  # entries dated earlier carry no real time


@dataclass
class Found:
    """A file to read: ``path`` on disk, ``name`` as the user knows it, and its own
    modification time (for an archive entry, the time stored in the archive)."""

    path: Path
    name: str
    mtime: float | None = None


@dataclass
class Inbox:
    files: list[Found] = field(default_factory=list)
    others: list[tuple[str, str]] = field(default_factory=list)  # not returns: (name, sentence)
    broken: list[tuple[str, str]] = field(default_factory=list)  # unreadable archives
    _tmp: str | None = None

    def close(self) -> None:
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_noise(name: str) -> bool:
    """Lock files, thumbnails, folder settings, hidden and macOS resource files."""
    base = name.rsplit("/", 1)[-1]
    return (base.startswith(("~$", ".", "__MACOSX")) or base.lower() in NOISE_NAMES
            or "__MACOSX/" in name)


def _walk(raw: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(raw):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if not is_noise(f)]
    return found


def expand(paths: list[str | Path]) -> list[Path]:
    """Files as given, and the files inside folders (recursively, noise left out), in a
    stable order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        out.extend(_walk(p) if p.is_dir() else [p])
    return out


def not_a_file(p: Path, root: Path | None = None) -> str | None:
    """Why ``p`` is not to be opened (one Vietnamese sentence), or None for a regular file
    (or a path that does not exist: the reader says so in its own words). ``root``: the
    folder ``p`` was found in, which a symbolic link must not point out of."""
    try:
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            try:
                target = p.resolve(strict=True)
            except (OSError, RuntimeError):
                return (f"Tệp «{p}» là liên kết (symlink) hỏng: nơi nó trỏ tới không còn; "
                        "đã bỏ qua.")
            inside = (root or p.parent).resolve()
            if not target.is_relative_to(inside):
                return (f"Tệp «{p}» là liên kết trỏ ra ngoài thư mục «{root or p.parent}» (tới "
                        f"«{target}»); chỉ đọc tệp nằm trong thư mục, đã bỏ qua.")
            st = os.stat(p)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return f"Tên tệp «{p}» quá dài, hệ thống không mở được; đã bỏ qua."
        return None  # the reader reports it, naming the file
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    kind = ("một ống dẫn (FIFO)" if stat.S_ISFIFO(st.st_mode) else
            "một socket" if stat.S_ISSOCK(st.st_mode) else
            "một thiết bị" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
            "một mục đặc biệt")
    return f"«{p}» là {kind}, không phải tệp; đã bỏ qua."


def _sources(paths: list[str | Path]) -> list[tuple[Path, Path | None]]:
    """``expand``'s files, each with the folder it was found in (None: named directly)."""
    out: list[tuple[Path, Path | None]] = []
    for raw in paths:
        p = Path(raw)
        out.extend([(f, p) for f in _walk(p)] if p.is_dir() else [(p, None)])
    return out


def open_inbox(paths: list[str | Path]) -> Inbox:
    """Sort the files under ``paths`` into returns to read, others and broken archives."""
    inbox = Inbox()
    for p, root in _sources(paths):
        why = not_a_file(p, root)
        if why:
            inbox.others.append((str(p), why))
            continue
        suffix = p.suffix.lower()
        if suffix in SPREADSHEET_SUFFIXES or not p.is_file():
            inbox.files.append(Found(p, str(p)))
            continue
        if suffix == ".zip":
            _open_zip(inbox, p)
            continue
        try:
            inspect_file(p)  # a spreadsheet under another name is still read
        except UnusableFile as exc:
            if exc.code in ("archive", "not_spreadsheet_zip") and _is_zip(p):
                _open_zip(inbox, p)
            else:
                inbox.others.append((str(p), _not_a_return(str(p), exc.message)))
            continue
        inbox.files.append(Found(p, str(p)))
    return inbox


def _is_zip(p: Path) -> bool:
    with open(p, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def _not_a_return(name: str, why: str) -> str:
    """The guard's sentence says what the file is; say what that means for the inbox."""
    what = why.split(";", 1)[0].rstrip(".")
    for tail in (", không phải bảng tính Excel thật", ", không phải bảng tính Excel",
                 ", không phải bảng tính"):
        what = what.replace(tail, "")
    return f"{what}, không phải báo cáo theo mẫu; đã bỏ qua."


def _open_zip(inbox: Inbox, p: Path) -> None:
    try:
        infos = zip_members(p)
    except UnusableFile as exc:
        inbox.broken.append((str(p), exc.message))
        return
    for info in infos:
        if info.is_dir() or is_noise(info.filename):
            continue
        shown = f"{p} › {info.filename}"
        suffix = PurePosixPath(info.filename).suffix.lower()
        if suffix not in SPREADSHEET_SUFFIXES:
            kind = "tệp nén lồng bên trong" if suffix == ".zip" else "không phải bảng tính"
            inbox.others.append((shown, f"Tệp «{shown}» {kind}, không phải báo cáo theo mẫu;"
                                        " đã bỏ qua."))
            continue
        if inbox._tmp is None:
            inbox._tmp = tempfile.mkdtemp(prefix="cchc-zip-")
        dest = Path(inbox._tmp) / f"{len(inbox.files):05d}{suffix}"
        try:
            extract_member(p, info, str(dest))
        except UnusableFile as exc:
            inbox.broken.append((shown, exc.message.replace(str(p), shown, 1)))
            continue
        try:
            when = datetime(*info.date_time)
        except ValueError:
            when = ZIP_EPOCH
        mtime = when.timestamp() if when > ZIP_EPOCH else p.stat().st_mtime
        inbox.files.append(Found(dest, shown, mtime))


__all__ = ["Found", "Inbox", "SPREADSHEET_SUFFIXES", "expand", "is_noise", "open_inbox"]
