"""Write files atomically: a temp file in the same folder, then one rename.

An interrupted run (Ctrl-C, a full disk, a crash) must never leave a half-written workbook
where a user would open it; readers see either the old file or the whole new one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cchc_xlsx.errors import UserError, os_reason


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()


@contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temp path beside ``final``; on success it replaces ``final`` in one step."""
    final = Path(final)
    try:
        # every command that writes creates its output's folder (merge --out a/b/x.xlsx)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=final.suffix + ".tmp", dir=final.parent)
    except OSError as exc:  # name the file the user asked for, not our temp file
        if exc.errno == errno.ENOENT:
            raise UserError(f"Không ghi được tệp «{final}»: không tìm thấy thư mục "
                            f"«{final.parent}».") from None
        raise UserError(f"Không ghi được tệp «{final}»: {os_reason(exc)}.") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _MODE)
        os.replace(tmp_path, final)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
