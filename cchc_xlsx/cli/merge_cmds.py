"""The ``merge`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cchc_xlsx.cli.app import friendly, main
from cchc_xlsx.errors import UserError, os_reason


def run_profile(path: str | None, number: str | None, day: str | None):
    """The office profile with this run's number and date; options alone make a blank
    profile only when a profile is given (without one, merge guesses the office)."""
    if path is None:
        if number or day:
            raise UserError("--number và --date cần đi cùng --office-profile (hồ sơ cơ quan "
                            "cho biết ký hiệu và địa danh của báo cáo).")
        return None
    from cchc_xlsx.plans.office_profile import load_office_profile
    from cchc_xlsx.plans.phrases import parse_vn_date

    parsed = None
    if day:
        parsed = parse_vn_date(day)
        if parsed is None:
            raise UserError(f"Ngày «{day}» ở --date không hợp lệ; hãy viết như 10/3/2023.")
    return load_office_profile(path).with_run(number, parsed)


@main.command("merge")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT…")
@click.option("--plan", "plan_path", required=True, metavar="PLAN",
              help="Tệp kế hoạch: YAML, Word (.docx/.doc) hoặc Excel (.xlsx).")
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị phải nộp (CSV hoặc XLSX).")
@click.option("--period", "period_id", required=True, metavar="PERIOD", help="Kỳ báo cáo.")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Sổ Excel tổng hợp sẽ ghi ra.")
@click.option("--db", "db_path", metavar="DB",
              help="Sổ ghi lịch sử nộp (SQLite); ghi nhận mỗi tệp một lần.")
@click.option("--include-invalid", is_flag=True,
              help="Tính cả số liệu của tệp có lỗi (mặc định: loại ra, chỉ liệt kê).")
@click.option("--office", "office_name", metavar="NAME",
              help="Tên cơ quan tổng hợp in trên tiêu đề (mặc định: nơi nhận chung của các "
                   "đơn vị).")
@click.option("--office-code", metavar="CODE",
              help="Mã của cơ quan tổng hợp (dùng khi cấp trên gộp tiếp).")
@click.option("--office-profile", "profile_path", metavar="YAML",
              help="Hồ sơ cơ quan (YAML): tiêu đề, ký hiệu, địa danh, người ký, nơi nhận; "
                   "xem samples/office/phong-gddt-quan8.yaml.")
@click.option("--number", "number", metavar="SỐ",
              help="Số của báo cáo (để trống thì văn thư điền tay).")
@click.option("--date", "day", metavar="NGÀY",
              help="Ngày của báo cáo, ví dụ 10/3/2023 (để trống thì điền tay).")
@friendly
def merge_cmd(inputs: tuple[str, ...], plan_path: str, units_path: str, period_id: str,
              out_path: str, db_path: str | None, include_invalid: bool,
              office_name: str | None, office_code: str | None, profile_path: str | None,
              number: str | None, day: str | None) -> None:
    """Tổng hợp báo cáo các đơn vị thành sổ Excel theo thể thức Nghị định 30/2020.

    Mã thoát: 0 mọi đơn vị đã nộp tệp hợp lệ; 1 còn đơn vị chưa nộp, tệp có lỗi hoặc không
    đọc được (sổ tổng hợp vẫn được ghi); 2 sai cách dùng lệnh hoặc dữ liệu không dùng được.
    """
    from cchc_xlsx.checking.validate import expand_paths
    from cchc_xlsx.cli.plan_cmds import open_plan_reviewed
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.plans.units import load_units

    folder = Path(out_path).resolve().parent
    try:  # created (or refused) now, not after reading the whole batch
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Không tạo được thư mục «{folder}» để ghi tệp «{out_path}»: "
                        f"{os_reason(exc)}.") from None
    plan = open_plan_reviewed(plan_path)
    units = load_units(units_path)
    profile = run_profile(profile_path, number, day)
    office = office_from_units(units, plan, office_name, office_code, profile=profile)
    history = None
    if db_path:
        from cchc_xlsx.inbox.history import History

        history = History(db_path)
    files = expand_paths(inputs)  # once: the progress bar's length and the work itself
    try:
        with click.progressbar(length=len(files), label="Đang đọc và kiểm tra",
                               file=sys.stderr, show_pos=True) as bar:
            result = merge(files, plan, units, period_id, out_path, office, history=history,
                           include_invalid=include_invalid, progress=bar.update)
    finally:
        if history is not None:
            history.close()
    # every count is of units, as on the status sheet; files outside the list come after
    sent = [s for s in result.submissions if s.expected and s.status != "missing"]
    late = [s for s in sent if s.on_time is False]
    bad = [s for s in sent if s.status in ("invalid", "unusable")]
    # with --include-invalid a unit's file with errors is counted: never say "left out" then
    counted_bad = [s for s in bad if include_invalid and s.status == "invalid"
                   and s.unit_code in result.aggregate.units]
    also = (f" ({len(counted_bad)} trong số đó vẫn được tính vào số liệu theo "
            "--include-invalid)" if counted_bad else "")
    others = [s for s in result.submissions if not s.expected and s.status != "missing"]
    click.echo(f"Đã nộp: {len(sent)}/{len(units)} đơn vị; quá hạn: {len(late)}; "
               f"không hợp lệ: {len(bad)}{also}; chưa nộp: {len(result.missing)}.")
    outside = (f"; {len(others)} tệp không thuộc danh sách đơn vị hoặc không đúng kỳ, không "
               "được tính" if others else "")
    click.echo(f"Số đơn vị có số liệu được tổng hợp: {len(result.aggregate.units)}{outside}.")
    if result.missing:
        click.echo("Chưa nộp: " + ", ".join(s.unit_name for s in result.missing) + ".")
    for message in result.messages:
        click.echo(f"- {message}")
    click.echo(f"Đã ghi sổ tổng hợp «{result.out}».")
    sys.exit(result.exit_code)
