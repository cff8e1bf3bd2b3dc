"""The ``cchc-xlsx`` command group and the error handling every command shares.

Heavy imports happen inside commands so ``--help`` stays fast. A ``UserError`` becomes one
Vietnamese sentence on stderr and exit code 2; nothing the user did produces a traceback.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from cchc_xlsx import __version__
from cchc_xlsx.cli.vi_click import INTERRUPTED, ViGroup
from cchc_xlsx.errors import UserError, os_error_message

#: Control characters a file name may hold but a terminal must never receive raw: a name
#: with ``ESC ] 0 ; … BEL`` would retitle the window, ``ESC [ 2 J`` clear it, and so on.
#: Line feeds and tabs are layout; carriage returns are left to the progress bars.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b`` and the like."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _Escaping:
    """A text stream that escapes control characters on the way out (see ``_CONTROLS``):
    every message names files, and names come from other people."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(escape_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _escape_output() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, _Escaping):
            setattr(sys, name, _Escaping(stream))


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``UserError``, OS errors and Ctrl-C into one Vietnamese sentence and an exit
    code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            click.echo(f"Lỗi: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # a folder that vanished, a full disk, no permission
            click.echo(f"Lỗi: {os_error_message(exc)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo(INTERRUPTED, err=True)
            sys.exit(130)

    return wrapper


@click.group("cchc-xlsx", cls=ViGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc-xlsx",
                      message="%(prog)s, phiên bản %(version)s",
                      help="Xem phiên bản rồi thoát.")
def main() -> None:
    """Tạo, đọc, kiểm tra và tổng hợp biểu mẫu Excel cải cách hành chính (CCHC)."""
    _escape_output()
