"""``cchc-xlsx``: thin click commands over the library API.

Heavy imports happen inside commands so ``--help`` stays fast. A ``UserError`` becomes one
Vietnamese sentence on stderr and exit code 2; nothing the user did produces a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import UserError


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


@main.command("forms")
@friendly
def forms_cmd() -> None:
    """Liệt kê các mẫu biểu có sẵn."""
    from .specs import load_catalog

    cat = load_catalog()
    for kind, label in (("plan", "Phụ lục kế hoạch"), ("report", "Phụ lục báo cáo")):
        click.echo(f"{label}:")
        for spec in sorted(cat.forms.values(), key=lambda s: s.id):
            if spec.kind == kind:
                click.echo(f"  {spec.id:<20} v{spec.version}  {spec.name}")


@main.group("plan")
def plan_group() -> None:
    """Xem kế hoạch."""


@plan_group.command("show")
@click.argument("plan_path", metavar="PLAN")
@friendly
def plan_show(plan_path: str) -> None:
    """Tóm tắt một kế hoạch: thông tin văn bản, phụ lục, nhiệm vụ, chỉ tiêu, kỳ báo cáo."""
    from .plan_loader import load_plan
    from .summary import plan_summary

    click.echo(plan_summary(load_plan(plan_path)))


@main.command("generate")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help="Tệp kế hoạch (YAML).")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị (CSV hoặc XLSX). Bỏ trống: sổ của chính đơn vị ban hành.")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Thư mục ghi kết quả.")
@click.option("--form", "forms", multiple=True, metavar="FORM",
              help="Chỉ tạo mẫu này (lặp lại được). Mặc định: mọi mẫu kế hoạch dùng.")
@click.option("--period", "period_id", metavar="PERIOD",
              help="Kỳ báo cáo (mã trong «cchc-xlsx plan show»). Mặc định: kỳ đầu tiên.")
@click.option("--password", default=None, help="Mật khẩu khóa trang (mặc định: không đặt).")
@friendly
def generate_cmd(plan_path: str, units_path: str | None, out_dir: str, forms: tuple[str, ...],
                 period_id: str | None, password: str | None) -> None:
    """Tạo mỗi đơn vị một sổ Excel theo thể thức Nghị định 30/2020."""
    from .generate import generate
    from .plan_loader import load_plan
    from .units import load_units

    plan = load_plan(plan_path)
    units = load_units(units_path) if units_path else None
    total = len(units) if units else 1
    with click.progressbar(length=total, label="Đang tạo sổ Excel", file=sys.stderr,
                           show_pos=True) as bar:
        paths = generate(plan, units, out_dir, forms or None, period_id, password,
                         progress=bar.update)
    click.echo(f"Đã tạo {len(paths)} sổ Excel trong «{out_dir}».")


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Dạng kết quả: text (mặc định) hoặc json.")
@click.option("--annotate", "annotate_dir", metavar="DIR",
              help="Ghi bản sao có đánh dấu ô sai vào thư mục này.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị: báo lỗi tệp của đơn vị không có trong danh sách.")
@click.option("--period", "period_id", metavar="PERIOD",
              help="Kỳ báo cáo cần nộp. Mặc định: kỳ của đa số tệp.")
@friendly
def validate_cmd(paths: tuple[str, ...], fmt: str, annotate_dir: str | None,
                 units_path: str | None, period_id: str | None) -> None:
    """Kiểm tra các sổ Excel đã điền (tệp hoặc thư mục); không bao giờ sửa tệp gốc.

    Mã thoát: 0 hợp lệ (chỉ có cảnh báo), 1 có lỗi, 2 có tệp không dùng được hoặc sai
    cách dùng lệnh.
    """
    from .units import load_units
    from .validate import expand_paths, validate

    units = load_units(units_path) if units_path else None
    total = len(expand_paths(paths))
    with click.progressbar(length=total, label="Đang kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        report = validate(paths, units=units, period_id=period_id, progress=bar.update)
    if annotate_dir:
        from .annotate import write_annotated

        for result in report.files:
            write_annotated(result, annotate_dir)
    if fmt == "json":
        click.echo(report.to_json())
    else:
        from .report import to_text

        click.echo(to_text(report))
    sys.exit(report.exit_code)


if __name__ == "__main__":
    main()
