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
    files = expand_paths(paths)  # once: the progress bar's length and the work itself
    with click.progressbar(length=len(files), label="Đang kiểm tra", file=sys.stderr,
                           show_pos=True) as bar:
        report = validate(files, units=units, period_id=period_id, progress=bar.update)
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


@main.command("merge")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT…")
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help="Tệp kế hoạch (YAML).")
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
@friendly
def merge_cmd(inputs: tuple[str, ...], plan_path: str, units_path: str, period_id: str,
              out_path: str, db_path: str | None, include_invalid: bool,
              office_name: str | None, office_code: str | None) -> None:
    """Tổng hợp báo cáo các đơn vị thành sổ Excel theo thể thức Nghị định 30/2020.

    Mã thoát: 0 mọi đơn vị đã nộp tệp hợp lệ; 1 còn đơn vị chưa nộp, tệp có lỗi hoặc không
    đọc được (sổ tổng hợp vẫn được ghi); 2 sai cách dùng lệnh hoặc dữ liệu không dùng được.
    """
    from .merge import merge, office_from_units
    from .plan_loader import load_plan
    from .units import load_units
    from .validate import expand_paths

    plan = load_plan(plan_path)
    units = load_units(units_path)
    office = office_from_units(units, plan, office_name, office_code)
    history = None
    if db_path:
        from .history import History

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
    sent = [s for s in result.submissions if s.expected and s.status != "missing"]
    late = [s for s in sent if s.on_time is False]
    bad = [s for s in result.submissions if s.status in ("invalid", "unusable")]
    click.echo(f"Đã nộp: {len(sent)}/{len(units)} đơn vị; quá hạn: {len(late)}; "
               f"không hợp lệ: {len(bad)}; chưa nộp: {len(result.missing)}.")
    if result.missing:
        click.echo("Chưa nộp: " + ", ".join(s.unit_name for s in result.missing) + ".")
    for message in result.messages:
        click.echo(f"- {message}")
    click.echo(f"Đã ghi sổ tổng hợp «{result.out}».")
    sys.exit(result.exit_code)


@main.command("collect")
@click.argument("inbox", nargs=-1, required=True, metavar="INBOX…")
@click.option("--db", "db_path", metavar="DB",
              help="Tệp lịch sử nộp báo cáo (SQLite). Mặc định: cchc-lich-su.sqlite trong "
                   "thư mục hiện tại; chưa có thì tạo mới.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị: báo lỗi tệp của đơn vị không có trong danh sách.")
@friendly
def collect_cmd(inbox: tuple[str, ...], db_path: str | None, units_path: str | None) -> None:
    """Kiểm tra và ghi vào lịch sử các tệp mới trong hộp thư (tệp hoặc thư mục).

    Mỗi tệp được ghi một lần theo mã băm nội dung: chạy lại trên cùng hộp thư không ghi
    thêm gì; tệp mới của cùng đơn vị và kỳ thay cho bản nộp trước (bản cũ vẫn giữ).

    Mã thoát: 0 đã ghi nhận xong (kể cả tệp có lỗi hoặc không dùng được: chúng được ghi vào
    lịch sử, xem bằng «cchc-xlsx status»); 2 sai cách dùng lệnh, danh sách đơn vị hoặc tệp
    lịch sử không dùng được, hoặc có tệp không mở được để đọc (chưa ghi, lần sau thử lại).
    """
    from .history import DEFAULT_DB, collect
    from .units import load_units
    from .validate import expand_paths

    units = load_units(units_path) if units_path else None
    db = db_path or DEFAULT_DB
    total = len(expand_paths(inbox))
    with click.progressbar(length=total, label="Đang thu nhận", file=sys.stderr,
                           show_pos=True) as bar:
        result = collect(inbox, db, units=units, progress=bar.update)
    for rec in result.recorded:
        s = rec.submission
        who = f"{s.unit_name} ({s.unit_code}), kỳ {s.period_id}" if s.unit_code else ""
        if not s.usable:
            verdict = "không dùng được"
        elif s.errors:
            verdict = f"{s.errors} lỗi"
        else:
            verdict = "hợp lệ"
        again = ", nộp lại thay bản trước" if s.replaces is not None else ""
        mark = "✓" if s.valid else "✗"
        click.echo(f"{mark} {s.file}{' — ' + who if who else ''}: {verdict}{again}")
    for path, message in result.unreadable:
        click.echo(f"✗ {path}: {message}")
    if not result.files:
        click.echo(f"Không có tệp bảng tính nào trong «{', '.join(inbox)}» "
                   "(.xlsx, .xlsm, .xls, .ods).")
    elif result.new:
        again = (f", trong đó {result.resubmissions} tệp nộp lại thay bản trước"
                 if result.resubmissions else "")
        click.echo(f"Đã ghi nhận {result.new} tệp mới ({result.valid} hợp lệ, "
                   f"{result.with_errors} có lỗi, {result.unusable} không dùng được){again}; "
                   f"{result.known} tệp đã có từ trước.")
    elif result.known:
        click.echo(f"Không có tệp mới; {result.known} tệp đã có từ trước.")
    click.echo(f"Lịch sử: «{db}».")
    if result.unreadable:
        click.echo(f"Lỗi: {len(result.unreadable)} tệp không mở được để đọc, chưa được ghi "
                   "nhận; hãy kiểm tra rồi chạy lại.", err=True)
        sys.exit(2)


@main.command("status")
@click.option("--db", "db_path", metavar="DB",
              help="Tệp lịch sử nộp báo cáo (SQLite). Mặc định: cchc-lich-su.sqlite trong "
                   "thư mục hiện tại.")
@click.option("--period", "period_id", metavar="PERIOD",
              help="Chỉ xem kỳ báo cáo này. Mặc định: mọi kỳ đã có tệp nộp.")
@click.option("--units", "units_path", metavar="UNITS",
              help="Danh sách đơn vị: liệt kê cả các đơn vị chưa nộp.")
@friendly
def status_cmd(db_path: str | None, period_id: str | None, units_path: str | None) -> None:
    """Xem đơn vị nào đã nộp gì, theo từng kỳ báo cáo.

    Mã thoát: 0 đã in bảng (kể cả khi còn đơn vị chưa nộp); 2 chưa có tệp lịch sử, tệp
    lịch sử hoặc danh sách đơn vị không dùng được.
    """
    from .history import DEFAULT_DB, History
    from .units import load_units

    units = load_units(units_path) if units_path else None
    with History(db_path or DEFAULT_DB, create=False) as history:
        rows = history.status_table(period_id, units)
        unidentified = history.unidentified(period_id)
        known_periods = sorted({p for _, p in history.periods()})
    if not rows:
        if period_id:
            others = f" (các kỳ đã có: {', '.join(known_periods)})" if known_periods else ""
            click.echo(f"Chưa đơn vị nào nộp báo cáo kỳ «{period_id}»{others}.")
        else:
            click.echo("Chưa có tệp nào được ghi nhận trong lịch sử.")
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.plan_id, row.period_id), []).append(row)
    for (plan, period), group in groups.items():
        listed = [r for r in group if r.listed]
        sent = sum(1 for r in listed if r.submitted)
        valid = sum(1 for r in listed if r.current and r.current.valid)
        of = f"/{len(listed)}" if units else ""
        outside = len(group) - len(listed)
        extra = f"; {outside} đơn vị ngoài danh sách cũng đã nộp" if outside else ""
        plan_part = f" — kế hoạch {plan}" if plan else ""
        click.echo(f"Kỳ {period}{plan_part}: {sent}{of} đơn vị đã nộp, {valid} hợp lệ{extra}.")
        table = [("Mã", "Tên đơn vị", "Tình trạng", "Nhận lúc", "Kết quả", "Nộp lại")]
        for r in group:
            name = r.unit_name if len(r.unit_name) <= 45 else r.unit_name[:44] + "…"
            if not r.listed:
                name += " (ngoài danh sách)"
            s = r.current
            if s is None:
                table.append((r.unit_code, name, "chưa nộp", "", "", ""))
                continue
            if not s.usable:
                verdict = "không dùng được"
            elif s.errors:
                verdict = f"{s.errors} lỗi"
            else:
                verdict = "hợp lệ" + (f" ({s.warnings} cảnh báo)" if s.warnings else "")
            again = f"{r.resubmissions} lần" if r.resubmissions else ""
            table.append((r.unit_code, name, "đã nộp", f"{s.received_at:%d/%m/%Y %H:%M}",
                          verdict, again))
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            cells = [cell.ljust(w) for cell, w in zip(line, widths, strict=True)]
            click.echo(("  " + "  ".join(cells)).rstrip())
        click.echo("")
    if unidentified:
        click.echo(f"{len(unidentified)} tệp không nhận ra đơn vị (không tính cho đơn vị nào):")
        for s in unidentified:
            click.echo(f"  {s.file} (nhận lúc {s.received_at:%d/%m/%Y %H:%M})")


if __name__ == "__main__":
    main()
