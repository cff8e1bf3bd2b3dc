"""``plan import``, ``plan template``, ``plan export``: plans without writing YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cchc_xlsx.cli.app import friendly
from cchc_xlsx.cli.plan_cmds import plan_group
from cchc_xlsx.errors import UserError


@plan_group.command("import")
@click.argument("source", metavar="FILE")
@click.option("--out", "out_path", metavar="PLAN.yaml",
              help="Tệp YAML ghi ra (ghi đè nếu đã có). Mặc định: cùng tên, đuôi .yaml, "
                   "bên cạnh FILE (không ghi đè).")
@friendly
def plan_import(source: str, out_path: str | None) -> None:
    """Nhập kế hoạch từ văn bản Word (.docx, .doc), bảng Excel (.xlsx, .ods, .xls) hoặc sổ
    kế hoạch (plan template). Thoát 0: nhập gọn; 1: có điểm cần kiểm tra; 2: không dùng
    được."""
    from cchc_xlsx.plan_import.opener import import_to_yaml

    src = Path(source)
    if out_path is None:
        out = src.with_suffix(".yaml")
        if out.exists():
            raise UserError(f"Đã có tệp «{out}»; để không mất chỗ đã sửa, hãy chỉ rõ tệp ghi "
                            "ra bằng --out (tệp đó sẽ bị ghi đè).")
    else:
        out = Path(out_path)
    if out.resolve() == src.resolve():
        raise UserError(f"Tệp ghi ra «{out}» trùng tệp đầu vào; hãy chọn tên khác.")
    out.parent.mkdir(parents=True, exist_ok=True)
    plan, review = import_to_yaml(src, out)
    click.echo(review.text(plan))
    if plan is None:
        sys.exit(2)
    click.echo(f"Đã ghi kế hoạch vào «{out}».")
    sys.exit(review.exit_code)


@plan_group.command("template")
@click.option("--out", "out_path", required=True, metavar="ke-hoach.xlsx",
              help="Sổ Excel ghi ra.")
@friendly
def plan_template(out_path: str) -> None:
    """Tạo sổ Excel kế hoạch trống (Thông tin chung, Nhiệm vụ, Chỉ tiêu, Lịch báo cáo) để
    điền rồi nhập bằng «cchc-xlsx plan import»."""
    from cchc_xlsx.plan_import.plan_workbook import write_plan_workbook

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_plan_workbook(None, out)
    click.echo(f"Đã tạo sổ kế hoạch trống «{out}».")


@plan_group.command("export")
@click.argument("plan_path", metavar="PLAN")
@click.option("--out", "out_path", required=True, metavar="ke-hoach.xlsx",
              help="Sổ Excel ghi ra.")
@friendly
def plan_export(plan_path: str, out_path: str) -> None:
    """Ghi một kế hoạch (YAML, Word…) vào sổ Excel kế hoạch để sửa bằng Excel."""
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.plan_import.plan_workbook import write_plan_workbook

    plan = open_plan_reviewed(plan_path)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_plan_workbook(plan, out)
    click.echo(f"Đã ghi kế hoạch «{plan.id}» vào «{out}».")
