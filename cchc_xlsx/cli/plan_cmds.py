"""Commands that read plans and write the forms: ``forms``, ``plan …``, ``generate``."""

from __future__ import annotations

import sys

import click

from cchc_xlsx.cli.app import friendly, main


@main.command("forms")
@friendly
def forms_cmd() -> None:
    """Liệt kê các mẫu biểu có sẵn."""
    from cchc_xlsx.forms.specs import load_catalog

    cat = load_catalog()
    for kind, label in (("plan", "Phụ lục kế hoạch"), ("report", "Phụ lục báo cáo")):
        click.echo(f"{label}:")
        for spec in sorted(cat.forms.values(), key=lambda s: s.id):
            if spec.kind == kind:
                click.echo(f"  {spec.id:<20} v{spec.version}  {spec.name}")


def open_plan_reviewed(plan_path: str):
    """Open a plan of any kind; an imported document's review (and a YAML plan's
    warnings) go to stderr so the command's own output stays clean."""
    from pathlib import Path

    from cchc_xlsx.plan_import import open_plan
    from cchc_xlsx.plan_import.opener import YAML_SUFFIXES

    plan, review = open_plan(plan_path)
    if Path(plan_path).suffix.lower() not in YAML_SUFFIXES:
        click.echo(review.text(plan), err=True)
    else:
        for doubt in review.doubts:
            click.echo(f"Cảnh báo: {doubt}", err=True)
    return plan


@main.group("plan")
def plan_group() -> None:
    """Xem, nhập và xuất kế hoạch (YAML, Word, Excel)."""


@plan_group.command("show")
@click.argument("plan_path", metavar="PLAN")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: toàn bộ kế hoạch cho chương trình khác "
              "(docs/plan-json.md).")
@friendly
def plan_show(plan_path: str, fmt: str) -> None:
    """Tóm tắt một kế hoạch: thông tin văn bản, phụ lục, nhiệm vụ, chỉ tiêu, kỳ báo cáo."""
    if fmt == "json":
        import json

        from cchc_xlsx.plans.plan_json import plan_to_dict

        plan = open_plan_reviewed(plan_path)
        click.echo(json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=2))
        return
    from cchc_xlsx.plans.summary import plan_summary

    click.echo(plan_summary(open_plan_reviewed(plan_path)))


@main.command("generate")
@click.option("--plan", "plan_path", metavar="PLAN",
              help="Tệp kế hoạch: YAML, Word (.docx/.doc) hoặc Excel (.xlsx).")
@click.option("--criteria", "criteria_path", metavar="CRITERIA",
              help="Bộ tiêu chí chấm điểm CCHC: tạo bảng tự đánh giá thay cho mẫu kế hoạch.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị (CSV hoặc XLSX). Bỏ trống: sổ của chính đơn vị ban hành.")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Thư mục ghi kết quả.")
@click.option("--form", "forms", multiple=True, metavar="FORM",
              help="Chỉ tạo mẫu này (lặp lại được). Mặc định: mọi mẫu kế hoạch dùng.")
@click.option("--period", "period_id", metavar="PERIOD",
              help="Kỳ báo cáo (mã trong «cchc-xlsx plan show»). Mặc định: kỳ đầu tiên.")
@click.option("--password", default=None, help="Mật khẩu khóa trang (mặc định: không đặt).")
@click.option("--overwrite", is_flag=True,
              help="Ghi đè các tệp trùng tên đã có trong thư mục kết quả (mặc định: dừng lại "
                   "nếu tệp cũ khác sổ sắp tạo, vì có thể đã được điền).")
@click.option("--office-profile", "profile_path", metavar="YAML",
              help="Hồ sơ cơ quan (YAML): không có --units thì tạo sổ của chính cơ quan này; "
                   "có --units thì là nơi nhận báo cáo của các đơn vị.")
@friendly
def generate_cmd(plan_path: str | None, criteria_path: str | None, units_path: str | None,
                 out_dir: str, forms: tuple[str, ...], period_id: str | None,
                 password: str | None, overwrite: bool,
                 profile_path: str | None) -> None:
    """Tạo mỗi đơn vị một sổ Excel theo thể thức Nghị định 30/2020.

    Tên tệp: MÃ-ĐƠN-VỊ_ten-don-vi_ky-bao-cao_ma-ke-hoach.xlsx, ví dụ:

    \b
      MN-TT_truong-mam-non-tuoi-tho_q1-2023_mntt-q8-2023.xlsx

    Mã thoát: 0 đã tạo xong; 2 sai cách dùng lệnh, dữ liệu không dùng được, hoặc thư mục
    kết quả đã có tệp cùng tên khác nội dung (thêm --overwrite để ghi đè).
    """
    if criteria_path:
        from cchc_xlsx.cli.scoring_cmds import run_generate

        if plan_path or forms or period_id or not units_path:
            raise click.UsageError("Với --criteria hãy cho --units và bỏ --plan, --form, "
                                   "--period.")
        run_generate(criteria_path, units_path, out_dir, password)
        return
    if not plan_path:
        raise click.UsageError("Thiếu --plan (hoặc --criteria để tạo bảng chấm điểm CCHC).")
    from cchc_xlsx.forms.generate import generate
    from cchc_xlsx.plans.units import load_units

    plan = open_plan_reviewed(plan_path)
    unit_warnings: list[str] = []
    units = load_units(units_path, unit_warnings) if units_path else None
    for warning in unit_warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    office = None
    if profile_path:
        from cchc_xlsx.plans.office_profile import load_office_profile

        office = load_office_profile(profile_path)
    total = len(units) if units else 1
    with click.progressbar(length=total, label="Đang tạo sổ Excel", file=sys.stderr,
                           show_pos=True) as bar:
        paths = generate(plan, units, out_dir, forms or None, period_id, password,
                         progress=bar.update, overwrite=overwrite, office=office)
    click.echo(f"Đã tạo {len(paths)} sổ Excel trong «{out_dir}».")
