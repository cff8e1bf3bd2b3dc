"""The ``report`` and ``report-template`` commands: the drafted Word report."""

from __future__ import annotations

import click

from cchc_xlsx.cli.app import friendly, main


@main.command("report")
@click.option("--merged", "merged", required=True, metavar="XLSX",
              help="Sổ tổng hợp do «cchc-xlsx merge» tạo ra.")
@click.option("--out", "out", required=True, metavar="DOCX", help="Báo cáo Word sẽ ghi ra.")
@click.option("--template", "template", metavar="DOCX",
              help="Mẫu báo cáo Word có chỗ giữ chỗ {{ … }} (mặc định: mẫu báo cáo theo "
                   "Nghị định 30/2020; lấy bản để sửa bằng «cchc-xlsx report-template»).")
@friendly
def report_cmd(merged: str, out: str, template: str | None) -> None:
    """Soạn sẵn báo cáo Word từ sổ tổng hợp: số liệu lấy từ sổ, không gõ lại."""
    from cchc_xlsx.reporting.word_report import draft_report

    drafted = draft_report(merged, out, template)
    for warning in drafted.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    click.echo(f"Đã soạn báo cáo «{drafted.path}».")
    if drafted.placeholders:
        click.echo(f"Còn {drafted.placeholders} chỗ tô vàng để cơ quan viết hoặc kiểm tra; "
                   "hãy mở bằng Word, viết vào đó, bỏ tô vàng rồi trình ký.")
    else:
        click.echo("Không còn chỗ tô vàng nào phải viết; hãy đọc lại rồi trình ký.")


@main.command("report-template")
@click.argument("out", metavar="DOCX")
@friendly
def report_template_cmd(out: str) -> None:
    """Ghi ra mẫu báo cáo Word mặc định để cơ quan sửa lời văn (giữ nguyên các {{ … }})."""
    import shutil
    from pathlib import Path

    from cchc_xlsx.atomic import atomic_path
    from cchc_xlsx.reporting.word_report import default_template

    target = Path(out)
    with atomic_path(target) as tmp:  # creates the folder, or says why it cannot
        shutil.copyfile(default_template(), tmp)
    click.echo(f"Đã ghi mẫu báo cáo «{target}»; các chỗ giữ chỗ được giải thích trong "
               "docs/word-report.md.")
