"""The ``validate`` command."""

from __future__ import annotations

import sys

import click

from cchc_xlsx.cli.app import friendly, main


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
@click.option("--db", "db_path", metavar="DB",
              help="Lịch sử nộp (SQLite, do «collect» ghi): so với báo cáo kỳ trước của "
                   "cùng đơn vị (số hồ sơ chuyển kỳ, nhiệm vụ đã hoàn thành).")
@friendly
def validate_cmd(paths: tuple[str, ...], fmt: str, annotate_dir: str | None,
                 units_path: str | None, period_id: str | None, db_path: str | None) -> None:
    """Kiểm tra các sổ Excel đã điền (tệp hoặc thư mục); không bao giờ sửa tệp gốc.

    Mã thoát: 0 hợp lệ (chỉ có cảnh báo), 1 có lỗi, 2 có tệp không dùng được hoặc sai
    cách dùng lệnh.
    """
    from cchc_xlsx.checking.validate import expand_paths, validate
    from cchc_xlsx.plans.units import load_units

    units = load_units(units_path) if units_path else None
    files = expand_paths(paths)  # once: the progress bar's length and the work itself
    with click.progressbar(length=len(files), label="Đang kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        report = validate(files, units=units, period_id=period_id, progress=bar.update)
    if db_path:
        from cchc_xlsx.checking.continuity import check_continuity
        from cchc_xlsx.forms.specs import load_catalog
        from cchc_xlsx.inbox.history import History

        with History(db_path, create=False) as history:
            check_continuity(report.files, history.earlier_files, load_catalog())
    if annotate_dir:
        from cchc_xlsx.checking.annotate import write_annotated

        for result in report.files:
            write_annotated(result, annotate_dir)
    if fmt == "json":
        click.echo(report.to_json())
    else:
        from cchc_xlsx.checking.report import to_text

        click.echo(to_text(report))
    sys.exit(report.exit_code)
