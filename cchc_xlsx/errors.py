"""The one exception type a user ever sees.

Anything a user can fix (a missing file, a typo in a plan) is raised as ``UserError`` with
one Vietnamese sentence naming the file and, where there is one, the line or the cell. The
CLI prints it and exits with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno


class UserError(Exception):
    """Unusable input or usage, explained in one Vietnamese sentence."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# what went wrong, in words a clerk reads; the OS's own text is English
_OS_REASONS = {
    errno.ENOENT: "không tìm thấy",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải là thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EEXIST: "đã có sẵn",
    errno.ENAMETOOLONG: "tên quá dài",
    errno.EBUSY: "tệp đang được chương trình khác dùng",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.EIO: "lỗi đọc ghi đĩa",
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Vietnamese (never the OS's English text)."""
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason:
        return reason
    return f"lỗi hệ thống số {exc.errno}" if exc.errno else "lỗi hệ thống"


def os_error_message(exc: OSError) -> str:
    """One Vietnamese sentence for an OS error not caught closer to where it happened."""
    name = exc.filename if exc.filename is not None else ""
    reason = os_reason(exc)
    if name:
        return f"Không truy cập được «{name}»: {reason}."
    return f"Thao tác với tệp không thực hiện được: {reason}."
