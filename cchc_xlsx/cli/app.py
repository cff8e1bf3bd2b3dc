"""The ``cchc-xlsx`` command group and the error handling every command shares.

Heavy imports happen inside commands so ``--help`` stays fast. A ``UserError`` becomes one
Vietnamese sentence on stderr and exit code 2; nothing the user did produces a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from cchc_xlsx import __version__
from cchc_xlsx.cli.vi_click import INTERRUPTED, ViGroup
from cchc_xlsx.errors import UserError, os_error_message


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
