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

@main.group("plan")
def plan_group() -> None:
    """Xem kế hoạch."""


@plan_group.command("show")
@click.argument("plan_path", metavar="PLAN")
@friendly
def plan_show(plan_path: str) -> None:
    """Tóm tắt một kế hoạch: thông tin văn bản, phụ lục, nhiệm vụ, chỉ tiêu, kỳ báo cáo."""
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.summary import plan_summary

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
@click.option("--office-profile", "profile_path", metavar="YAML",
              help="Hồ sơ cơ quan (YAML): không có --units thì tạo sổ của chính cơ quan này; "
                   "có --units thì là nơi nhận báo cáo của các đơn vị.")
@friendly
def generate_cmd(plan_path: str, units_path: str | None, out_dir: str, forms: tuple[str, ...],
                 period_id: str | None, password: str | None,
                 profile_path: str | None) -> None:
    """Tạo mỗi đơn vị một sổ Excel theo thể thức Nghị định 30/2020."""
    from cchc_xlsx.forms.generate import generate
    from cchc_xlsx.plans.plan_loader import load_plan
    from cchc_xlsx.plans.units import load_units

    plan = load_plan(plan_path)
    units = load_units(units_path) if units_path else None
    office = None
    if profile_path:
        from cchc_xlsx.plans.office_profile import load_office_profile

        office = load_office_profile(profile_path)
    total = len(units) if units else 1
    with click.progressbar(length=total, label="Đang tạo sổ Excel", file=sys.stderr,
                           show_pos=True) as bar:
        paths = generate(plan, units, out_dir, forms or None, period_id, password,
                         progress=bar.update, office=office)
    click.echo(f"Đã tạo {len(paths)} sổ Excel trong «{out_dir}».")
