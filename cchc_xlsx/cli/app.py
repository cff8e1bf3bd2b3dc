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
from cchc_xlsx.errors import UserError


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``UserError`` and Ctrl-C into a message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            click.echo(f"Lỗi: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; các tệp đã ghi xong vẫn nguyên vẹn.", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc-xlsx")
def main() -> None:
    """Tạo, đọc, kiểm tra và tổng hợp biểu mẫu Excel cải cách hành chính (CCHC)."""
