"""The ``validate`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cchc_xlsx.cli.app import friendly, main
from cchc_xlsx.cli.vi_click import leave
from cchc_xlsx.errors import UserError


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Dạng kết quả: text (mặc định) hoặc json.")
@click.option("--annotate", "annotate_dir", metavar="DIR",
              help="Ghi vào thư mục này một bản sao .xlsx có đánh dấu ô sai cho mỗi tệp có lỗi "
                   "hoặc cảnh báo (kể cả tệp .xls, .ods).")
@click.option("--annotate-all", is_flag=True,
              help="Cùng với --annotate: ghi bản sao cho mọi tệp đọc được, kể cả tệp không có "
                   "gì cần sửa.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị: báo lỗi tệp của đơn vị không có trong danh sách.")
@click.option("--period", "period_id", metavar="PERIOD",
              help="Kỳ báo cáo cần nộp. Mặc định: kỳ của đa số tệp.")
@click.option("--plan", "plan_path", metavar="PLAN",
              help="Tệp kế hoạch (YAML, Word hoặc Excel): tệp của kế hoạch khác bị báo lỗi, "
                   "và --period phải là một kỳ của kế hoạch này.")
@click.option("--db", "db_path", metavar="DB",
              help="Lịch sử nộp (SQLite, do «collect» ghi): so với báo cáo kỳ trước của "
                   "cùng đơn vị (số hồ sơ chuyển kỳ, nhiệm vụ đã hoàn thành).")
@friendly
def validate_cmd(paths: tuple[str, ...], fmt: str, annotate_dir: str | None,
                 annotate_all: bool, units_path: str | None, period_id: str | None,
                 plan_path: str | None, db_path: str | None) -> None:
    """Kiểm tra các sổ Excel đã điền (tệp hoặc thư mục); không bao giờ sửa tệp gốc.

    Mã thoát: 0 hợp lệ (chỉ có cảnh báo), 1 có lỗi, 2 có tệp không dùng được hoặc sai
    cách dùng lệnh.
    """
    from cchc_xlsx.checking.validate import expand_paths, validate
    from cchc_xlsx.plans.units import load_units

    if annotate_all and not annotate_dir:
        raise UserError("--annotate-all cần đi cùng --annotate THƯ_MỤC (thư mục ghi các bản "
                        "sao có đánh dấu).")
    if annotate_dir:  # a folder that cannot be made is told before the batch is read
        Path(annotate_dir).mkdir(parents=True, exist_ok=True)
    units = load_units(units_path) if units_path else None
    plan = None
    if plan_path:
        from cchc_xlsx.cli.plan_cmds import open_plan_reviewed

        plan = open_plan_reviewed(plan_path)
    files = expand_paths(paths)  # once: the progress bar's length and the work itself
    with click.progressbar(length=len(files), label="Đang kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        report = validate(files, units=units, period_id=period_id,
                          plan_id=plan.id if plan else None, progress=bar.update,
                          known_periods=[p.id for p in plan.schedule] if plan else None)
    if db_path:
        from cchc_xlsx.checking.continuity import check_continuity
        from cchc_xlsx.forms.specs import load_catalog
        from cchc_xlsx.inbox.history import History

        with History(db_path, create=False) as history:
            check_continuity(report.files, history.earlier_files, load_catalog())
    written = failed = None
    if annotate_dir:
        from cchc_xlsx.checking.annotate import write_all

        written, failed = write_all(report.files, annotate_dir, everything=annotate_all)
    if fmt == "json":
        click.echo(report.to_json())
    else:
        from cchc_xlsx.checking.report import to_text

        click.echo(to_text(report))
    if written is not None:  # after the JSON, on stderr: the JSON stays parseable
        if written:
            click.echo(f"Đã ghi {len(written)} bản sao có đánh dấu (.xlsx) vào thư mục "
                       f"«{Path(annotate_dir).resolve()}».", err=fmt == "json")
        elif not failed:
            click.echo(f"Không có tệp nào cần đánh dấu; thư mục «{annotate_dir}» không có "
                       "bản sao mới.", err=fmt == "json")
        for name in failed or ():
            click.echo(f"Không tạo được bản sao có đánh dấu của «{name}»; kết quả kiểm tra ở "
                       "trên vẫn đúng.", err=True)
    leave(report.exit_code)
