"""CCHC scoring commands: ``criteria show|import|generate|validate|merge``.

``generate --criteria`` (in plan_cmds) is the same as ``criteria generate``.
"""

from __future__ import annotations

import sys

import click

from cchc_xlsx.cli.app import friendly, main


@main.group("criteria")
def criteria_group() -> None:
    """Chấm điểm CCHC: bộ tiêu chí, bảng tự đánh giá, kiểm tra, thẩm định, xếp hạng."""


@criteria_group.command("show")
@click.argument("criteria_path", metavar="CRITERIA", required=False)
@friendly
def criteria_show(criteria_path: str | None) -> None:
    """Tóm tắt một bộ tiêu chí (tệp YAML hoặc tên bộ có sẵn); bỏ trống: liệt kê bộ có sẵn."""
    from cchc_xlsx.scoring.criteria import load_criteria, shipped
    from cchc_xlsx.scoring.summary import criteria_summary

    if not criteria_path:
        click.echo("Các bộ tiêu chí có sẵn:")
        for path in shipped():
            crit = load_criteria(path)
            click.echo(f"  {path.stem:<24} {crit.name} ({crit.decision})")
        return
    click.echo(criteria_summary(load_criteria(criteria_path)))


def run_generate(criteria_path: str, units_path: str, out_dir: str,
                 password: str | None) -> None:
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.scoring.criteria import load_criteria
    from cchc_xlsx.scoring.self_assessment import generate_self_assessments

    crit = load_criteria(criteria_path)
    units = load_units(units_path)
    with click.progressbar(length=len(units), label="Đang tạo bảng tự đánh giá",
                           file=sys.stderr, show_pos=True) as bar:
        paths = generate_self_assessments(crit, units, out_dir, password, progress=bar.update)
    click.echo(f"Đã tạo {len(paths)} bảng tự đánh giá theo bộ tiêu chí {crit.label} "
               f"trong «{out_dir}».")


@criteria_group.command("generate")
@click.option("--criteria", "criteria_path", required=True, metavar="CRITERIA",
              help="Bộ tiêu chí (tệp YAML hoặc tên bộ có sẵn, ví dụ par-mau).")
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị (CSV hoặc XLSX).")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Thư mục ghi kết quả.")
@click.option("--password", default=None, help="Mật khẩu khóa trang (mặc định: không đặt).")
@friendly
def criteria_generate(criteria_path: str, units_path: str, out_dir: str,
                      password: str | None) -> None:
    """Tạo mỗi đơn vị một bảng tự đánh giá, chấm điểm CCHC (như «generate --criteria»)."""
    run_generate(criteria_path, units_path, out_dir, password)


@criteria_group.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@click.option("--criteria", "criteria_path", required=True, metavar="CRITERIA",
              help="Bộ tiêu chí đang chấm.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị: báo lỗi tệp của đơn vị không có trong danh sách.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Dạng kết quả: text (mặc định) hoặc json.")
@friendly
def criteria_validate(paths: tuple[str, ...], criteria_path: str, units_path: str | None,
                      fmt: str) -> None:
    """Kiểm tra các bảng tự đánh giá đã điền; không bao giờ sửa tệp gốc.

    Mã thoát: 0 hợp lệ (chỉ có cảnh báo), 1 có lỗi, 2 có tệp không dùng được.
    """
    from cchc_xlsx.checking.report import to_text
    from cchc_xlsx.checking.validate import expand_paths
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.scoring.check import check_files
    from cchc_xlsx.scoring.criteria import load_criteria

    crit = load_criteria(criteria_path)
    units = load_units(units_path) if units_path else None
    files = expand_paths(paths)
    with click.progressbar(length=len(files), label="Đang kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        report, _ = check_files(files, crit, units, progress=bar.update)
    click.echo(report.to_json() if fmt == "json" else to_text(report))
    sys.exit(report.exit_code)


@criteria_group.command("merge")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT…")
@click.option("--criteria", "criteria_path", required=True, metavar="CRITERIA",
              help="Bộ tiêu chí đang chấm.")
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị phải nộp (CSV hoặc XLSX).")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Sổ Excel kết quả chấm điểm, xếp hạng sẽ ghi ra.")
@click.option("--appraisal", "appraisal_path", metavar="FILE",
              help="Bảng thẩm định đã điền (do lệnh này ghi ra ở lần trước).")
@click.option("--appraisal-out", "appraisal_out", metavar="FILE",
              help="Ghi bảng thẩm định (mỗi đơn vị, mỗi tiêu chí một dòng) để cơ quan điền.")
@click.option("--office", "office_name", metavar="NAME",
              help="Tên cơ quan chấm điểm (mặc định: nơi nhận chung của các đơn vị).")
@click.option("--office-code", metavar="CODE", help="Mã của cơ quan (khi cấp trên gộp tiếp).")
@click.option("--office-profile", "profile_path", metavar="YAML",
              help="Hồ sơ cơ quan (YAML): tiêu đề, ký hiệu, địa danh, người ký, nơi nhận; "
                   "xem samples/office/phong-gddt-quan8.yaml.")
@click.option("--number", "number", metavar="SỐ",
              help="Số của báo cáo kèm theo (để trống thì văn thư điền tay).")
@click.option("--date", "day", metavar="NGÀY",
              help="Ngày của báo cáo, ví dụ 10/3/2023 (để trống thì điền tay).")
@friendly
def criteria_merge(inputs: tuple[str, ...], criteria_path: str, units_path: str,
                   out_path: str, appraisal_path: str | None, appraisal_out: str | None,
                   office_name: str | None, office_code: str | None,
                   profile_path: str | None, number: str | None, day: str | None) -> None:
    """Kiểm tra các bảng tự đánh giá, áp điểm thẩm định, xếp hạng và vẽ biểu đồ.

    Mã thoát: 0 mọi đơn vị đã nộp tệp hợp lệ; 1 còn đơn vị chưa nộp, tệp có lỗi hoặc không
    dùng được, hoặc bảng thẩm định có lỗi (sổ kết quả vẫn được ghi); 2 sai cách dùng lệnh
    hoặc dữ liệu không dùng được (bộ tiêu chí, danh sách đơn vị, bảng thẩm định).
    """
    from cchc_xlsx.checking.report import to_text
    from cchc_xlsx.checking.validate import expand_paths
    from cchc_xlsx.cli.merge_cmds import run_profile
    from cchc_xlsx.plans.units import load_units
    from cchc_xlsx.scoring.criteria import load_criteria
    from cchc_xlsx.scoring.scoring_round import office_for, score_round

    crit = load_criteria(criteria_path)
    units = load_units(units_path)
    profile = run_profile(profile_path, number, day)  # the same handling as «merge»
    files = expand_paths(inputs)
    with click.progressbar(length=len(files), label="Đang đọc và kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        result = score_round(files, crit, units, out_path,
                             office_for(units, office_name, office_code, profile),
                             appraisal_path, appraisal_out, progress=bar.update)
    bad = [f for f in result.report.files if not f.valid]
    if bad:
        from cchc_xlsx.checking.report import Report

        click.echo(to_text(Report(bad)))
    if result.appraisal is not None and result.appraisal.issues:
        from cchc_xlsx.checking.report import Report

        click.echo(to_text(Report([result.appraisal])))
    ranked = len(result.ranking.units)
    click.echo(f"Đã xếp hạng {ranked}/{len(units)} đơn vị; chưa nộp: {len(result.missing)}; "
               f"tệp có lỗi hoặc không dùng được: {len(bad)}.")
    if result.missing:
        click.echo("Chưa nộp: " + ", ".join(u.name for u in result.missing) + ".")
    for message in result.messages:
        click.echo(f"- {message}")
    click.echo(f"Đã ghi sổ kết quả «{result.out}».")
    if result.appraisal_out:
        click.echo(f"Đã ghi bảng thẩm định «{result.appraisal_out}».")
    sys.exit(result.exit_code)


@criteria_group.command("import")
@click.argument("source", metavar="FILE")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Tệp bộ tiêu chí (YAML) sẽ ghi ra để rà soát.")
@click.option("--id", "crit_id", default=None, help="Mã bộ tiêu chí (mặc định: theo tên tệp).")
@click.option("--year", type=int, default=None, help="Năm áp dụng.")
@click.option("--decision", default=None, help="Văn bản ban hành, ví dụ «QĐ 12/QĐ-SGDĐT».")
@friendly
def criteria_import(source: str, out_path: str, crit_id: str | None, year: int | None,
                    decision: str | None) -> None:
    """Đọc bảng tiêu chí đã ban hành (.xlsx hoặc .docx) thành tệp bộ tiêu chí YAML.

    In ra những chỗ cần rà soát (cách tính điểm được đoán từ «cách chấm», điểm cộng không
    khớp, xếp loại mặc định…). Mã thoát: 0 đã ghi tệp; 2 không đọc được bảng tiêu chí.
    """
    from cchc_xlsx.scoring.criteria_import import import_criteria

    result = import_criteria(source, out_path, crit_id, year, decision)
    click.echo(f"Đã đọc {result.areas} lĩnh vực, {result.items} tiêu chí/tiêu chí thành "
               f"phần; tổng điểm tối đa {result.total:g}. Đã ghi «{result.out}».")
    if result.review:
        click.echo("Cần rà soát:")
        for line in result.review:
            click.echo(f"- {line}")
    click.echo(f"Xem lại bằng: cchc-xlsx criteria show {result.out}")
