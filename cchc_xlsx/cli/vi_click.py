"""click, speaking Vietnamese: help headings, usage errors and OS errors.

click's own words are English (gettext, with no Vietnamese catalogue). Rather than patch
click, its documented hooks are used: a ``Context`` whose ``formatter_class`` writes
Vietnamese headings, and a group whose ``main`` runs click with ``standalone_mode=False``
and turns each usage error into one Vietnamese sentence (exit code 2) from the
exception's own fields (the option, the parameter, the close matches).
"""

from __future__ import annotations

import atexit
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption

from cchc_xlsx.errors import os_error_message

try:  # click ≥ 8.4 names it; before, a plain UsageError
    from click.exceptions import NoSuchCommand
except ImportError:  # pragma: no cover
    NoSuchCommand = None  # type: ignore[assignment,misc]
try:  # click ≥ 8.2 raises it for a bare group; before, the help and exit 0
    from click.exceptions import NoArgsIsHelpError
except ImportError:  # pragma: no cover
    class NoArgsIsHelpError(Exception):  # type: ignore[no-redef]
        ctx = None

HEADINGS = {"Options": "Tùy chọn", "Commands": "Lệnh",
            "Positional arguments": "Tham số", "Arguments": "Tham số"}
# words click puts inside an option's help line
HELP_WORDS = ((re.compile(r"\[required\]"), "[bắt buộc]"),
              (re.compile(r"\bdefault: "), "mặc định: "),
              (re.compile(r"\[env var: "), "[biến môi trường: "))
HELP_OPTION_TEXT = "Xem hướng dẫn này rồi thoát."
INTERRUPTED = "Đã dừng theo yêu cầu; các tệp đã ghi xong vẫn nguyên vẹn."


class ViHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Cách dùng: " if prefix is None else prefix)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(HEADINGS.get(name, name)):
            yield

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        out = []
        for term, text in rows:
            for pattern, words in HELP_WORDS:
                text = pattern.sub(words, text)
            out.append((term, text))
        super().write_dl(out, col_max, col_spacing)


class ViContext(click.Context):
    formatter_class = ViHelpFormatter


class _Vietnamese(click.Command):
    context_class = ViContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class ViCommand(_Vietnamese):
    pass


class ViGroup(_Vietnamese, click.Group):
    """The command group; every command and sub-group under it speaks Vietnamese too."""

    command_class = ViCommand
    group_class = type  # sub-groups are ViGroups

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM SỐ]…")
        super().__init__(*args, **kwargs)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        global _PROGRAM
        _PROGRAM = args is None and standalone_mode  # the process is this one command
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:  # the bare command: its help is what was asked for
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
            rv = 0
        except click.UsageError as exc:
            click.echo(f"Lỗi: {usage_sentence(exc)}", err=True)
            rv = 2
        except click.Abort:
            click.echo(INTERRUPTED, err=True)
            rv = 130
        except click.ClickException as exc:
            click.echo(f"Lỗi: lệnh không thực hiện được ({exc.format_message()}).", err=True)
            rv = exc.exit_code
        except OSError as exc:
            click.echo(f"Lỗi: {os_error_message(exc)}", err=True)
            rv = 2
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


_PROGRAM = False  # set by ViGroup.main when it runs as the program, on sys.argv


def leave(code: int) -> NoReturn:
    """End a command that has written everything it writes (a check's report, its marked
    copies, each saved whole and renamed into place) with ``code``.

    Run as the program, the process then ends at once after flushing the output and
    running the exit handlers (temporary folders are removed there): the interpreter's own
    teardown, freeing every object pandas, pandera and a thousand files' rows left, took
    0.13-0.2 s of each `validate` and does nothing a user can see. Called in process (tests,
    the portal), it is ``sys.exit``."""
    if not _PROGRAM:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _option_name(param: click.Parameter | None, fallback: str = "") -> str:
    if isinstance(param, click.Option):
        longs = [o for o in param.opts if o.startswith("--")]
        return (longs or param.opts)[0]
    if isinstance(param, click.Argument):
        return param.metavar or (param.name or "").upper()
    return fallback


def _help_hint(param: click.Parameter | None) -> str:
    text = getattr(param, "help", None) or ""
    first = re.split(r"(?<=[.;:])\s", text.strip(), maxsplit=1)[0].rstrip(".;: ")
    return f": {first[:1].lower() + first[1:]}" if first else ""


def usage_sentence(exc: click.UsageError) -> str:
    """One Vietnamese sentence for a usage error, ending with where to read more."""
    path = exc.ctx.command_path if exc.ctx else "cchc-xlsx"
    see = f"; xem «{path} --help»."
    if isinstance(exc, MissingParameter):
        param = exc.param
        if isinstance(param, click.Argument):
            return f"Chưa ghi {_option_name(param, 'tham số')} sau «{path}»{see}"
        name = _option_name(param, "tùy chọn")
        metavar = f" {param.metavar}" if param is not None and param.metavar else ""
        return f"Thiếu tùy chọn bắt buộc {name}{metavar}{_help_hint(param)}{see}"
    if isinstance(exc, NoSuchOption):
        close = exc.possibilities or []
        maybe = f" (có phải {', '.join('«' + p + '»' for p in close)}?)" if close else ""
        return f"Lệnh «{path}» không có tùy chọn «{exc.option_name}»{maybe}{see}"
    if NoSuchCommand is not None and isinstance(exc, NoSuchCommand):
        group = exc.ctx.command if exc.ctx else None
        names = ", ".join(group.list_commands(exc.ctx)) if isinstance(group, click.Group) else ""
        close = exc.possibilities or []
        maybe = f" (có phải «{close[0]}»?)" if close else ""
        listed = f"; các lệnh có: {names}" if names else ""
        return f"Không có lệnh «{exc.command_name}»{maybe}{listed}{see}"
    if isinstance(exc, BadOptionUsage):
        if "requires an argument" in exc.message or "requires" in exc.message:
            return f"Tùy chọn {exc.option_name} cần một giá trị ngay sau nó{see}"
        if "does not take a value" in exc.message:
            return f"Tùy chọn {exc.option_name} không nhận giá trị{see}"
        return f"Tùy chọn {exc.option_name} dùng chưa đúng{see}"
    if isinstance(exc, BadParameter):
        param = exc.param
        name = _option_name(param, exc.param_hint if isinstance(exc.param_hint, str) else "")
        if param is not None and isinstance(param.type, click.Choice):
            choices = ", ".join(str(c) for c in param.type.choices)
            return f"Giá trị của {name} không hợp lệ; chọn một trong: {choices}{see}"
        return f"Giá trị của {name} không hợp lệ{see}"
    extra = re.search(r"unexpected extra arguments? \((.*)\)", exc.message)
    if extra:
        return f"Thừa tham số «{extra.group(1)}» (nếu tên có khoảng trắng, hãy đặt trong " \
               f"dấu ngoặc kép){see}"
    return f"Lệnh «{path}» dùng chưa đúng{see}"


__all__ = ["ViCommand", "ViGroup", "usage_sentence", "INTERRUPTED"]
