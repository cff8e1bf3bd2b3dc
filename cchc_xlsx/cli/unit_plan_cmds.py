"""The ``unit-plan`` commands: the units' own plans, drafted from the office's plan, checked
and consolidated (issue 20)."""

from __future__ import annotations

import sys

import click

from cchc_xlsx.cli.app import friendly, main

PLAN_HELP = "Kế hoạch của cơ quan cấp trên: YAML, Word (.docx/.doc) hoặc Excel (.xlsx)."


@main.group("unit-plan")
def unit_plan_group() -> None:
    """Kế hoạch CCHC của các đơn vị: soạn từ kế hoạch cấp trên, kiểm tra, tổng hợp."""


@unit_plan_group.command("draft")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help=PLAN_HELP)
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị (CSV hoặc XLSX); mỗi đơn vị một sổ kế hoạch.")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Thư mục ghi các sổ.")
@click.option("--overwrite", is_flag=True,
              help="Ghi đè các tệp cùng tên đã có (có thể là kế hoạch đơn vị đã điền).")
@friendly
def draft_cmd(plan_path: str, units_path: str, out_dir: str, overwrite: bool) -> None:
    """Soạn sẵn sổ kế hoạch của từng đơn vị từ kế hoạch cấp trên."""
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.forms.unit_plan import write_unit_plans
    from cchc_xlsx.plans.units import load_units

    plan = open_plan_reviewed(plan_path)
    written = write_unit_plans(plan, load_units(units_path), out_dir, overwrite)
    for path in written:
        click.echo(str(path))
    click.echo(f"Đã soạn {len(written)} sổ kế hoạch của đơn vị trong «{out_dir}».")


@unit_plan_group.command("validate")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE…")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help=PLAN_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Dạng kết quả.")
@friendly
def validate_cmd(inputs: tuple[str, ...], plan_path: str, fmt: str) -> None:
    """Kiểm tra kế hoạch các đơn vị gửi về (lỗi chỉ tới từng ô)."""
    from cchc_xlsx.checking.report import to_text
    from cchc_xlsx.checking.unit_plan_check import check_plan_returns
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.merging.plan_merge import plan_paths

    plan = open_plan_reviewed(plan_path)
    _, report = check_plan_returns(plan_paths(inputs), plan)
    click.echo(report.to_json() if fmt == "json" else to_text(report))
    sys.exit(report.exit_code)


@unit_plan_group.command("merge")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT…")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help=PLAN_HELP)
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị phải gửi kế hoạch (CSV hoặc XLSX).")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Sổ Excel tổng hợp sẽ ghi ra.")
@click.option("--office-profile", "profile_path", metavar="YAML",
              help="Hồ sơ cơ quan (YAML): tiêu đề, ký hiệu, địa danh, người ký, nơi nhận.")
@click.option("--number", "number", metavar="SỐ", help="Số của văn bản tổng hợp.")
@click.option("--date", "day", metavar="NGÀY", help="Ngày của văn bản, ví dụ 05/02/2023.")
@friendly
def merge_cmd(inputs: tuple[str, ...], plan_path: str, units_path: str, out_path: str,
              profile_path: str | None, number: str | None, day: str | None) -> None:
    """Tổng hợp tình hình ban hành kế hoạch của các đơn vị."""
    from cchc_xlsx.cli.merge_cmds import run_profile
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.merging.merge import copied_batch_hint
    from cchc_xlsx.merging.plan_merge import merge_plans
    from cchc_xlsx.plans.units import load_units

    plan = open_plan_reviewed(plan_path)
    result = merge_plans(inputs, plan, load_units(units_path), out_path,
                         run_profile(profile_path, number, day))
    sent = [s for s in result.statuses if s.sent]
    click.echo(f"Đã nhận kế hoạch của {len(sent)}/{len(result.statuses)} đơn vị; chưa gửi: "
               + (", ".join(s.unit.name for s in result.statuses if not s.sent)
                  or "không có") + ".")
    late = [s.unit.name for s in sent if s.on_time is False]
    if late:
        click.echo("Gửi trễ hạn: " + ", ".join(late) + ".")
        due = next((s.due for s in sent if s.due is not None), None)
        hint = due and copied_batch_hint([s.received for s in sent if s.received], due)
        if hint:
            click.echo(hint)
    invalid = [s.unit.name for s in sent if not s.valid]
    if invalid:
        click.echo("Còn lỗi: " + ", ".join(invalid) + ".")
    for ret in result.strays:
        click.echo(f"Bỏ qua «{ret.path}»: đơn vị «{ret.unit_code}» không có trong danh sách.")
    click.echo(f"Sổ tổng hợp: {result.out}")


@unit_plan_group.command("word")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help=PLAN_HELP)
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị (CSV hoặc XLSX).")
@click.option("--unit", "code", metavar="MÃ",
              help="Mã đơn vị (không cần khi có --from: lấy từ sổ kế hoạch của đơn vị).")
@click.option("--from", "filled", metavar="XLSX",
              help="Sổ kế hoạch đơn vị đã điền: lấy số, ngày, người ký và các ô đơn vị ghi.")
@click.option("--out", "out_path", required=True, metavar="DOCX", help="Tệp Word ghi ra.")
@friendly
def word_cmd(plan_path: str, units_path: str, code: str | None, filled: str | None,
             out_path: str) -> None:
    """Soạn kế hoạch của đơn vị thành văn bản Word (theo bố cục kế hoạch của trường)."""
    from cchc_xlsx.checking.unit_plan_check import read_plan_return
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.errors import UserError
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.reporting.unit_plan_docx import write_unit_plan_docx

    plan = open_plan_reviewed(plan_path)
    units = load_units(units_path)
    ret = read_plan_return(filled) if filled else None
    code = code or (ret.unit_code if ret else None)
    if not code:
        raise UserError("Cần --unit (mã đơn vị) hoặc --from (sổ kế hoạch của đơn vị).")
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise UserError(f"Danh sách «{units_path}» không có đơn vị mã «{code}».")
    path, left = write_unit_plan_docx(plan, unit, out_path, ret)
    click.echo(f"Kế hoạch Word: {path}")
    click.echo(f"Còn {left} chỗ tô vàng đơn vị cần tự viết trước khi trình ký."
               if left else "Không còn chỗ nào cần đơn vị tự viết.")
