"""The inbox commands: ``collect`` and ``status``."""

from __future__ import annotations

import sys

import click

from cchc_xlsx.cli.app import friendly, main


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
    from cchc_xlsx.checking.validate import expand_paths
    from cchc_xlsx.inbox.history import DEFAULT_DB, collect
    from cchc_xlsx.plans.units import load_units

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
    for path, message in result.others:
        click.echo(f"– {path}: {message}")
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
    from cchc_xlsx.inbox.history import DEFAULT_DB, History
    from cchc_xlsx.merging.aggregate import SOURCE_LABELS
    from cchc_xlsx.plans.units import load_units

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
        table = [("Mã", "Tên đơn vị", "Tình trạng", "Nhận lúc", "Nguồn thời điểm", "Kết quả",
                  "Nộp lại")]
        for r in group:
            name = r.unit_name if len(r.unit_name) <= 45 else r.unit_name[:44] + "…"
            if not r.listed:
                name += " (ngoài danh sách)"
            s = r.current
            if s is None:
                table.append((r.unit_code, name, "chưa nộp", "", "", "", ""))
                continue
            if not s.usable:
                verdict = "không dùng được"
            elif s.errors:
                verdict = f"{s.errors} lỗi"
            else:
                verdict = "hợp lệ" + (f" ({s.warnings} cảnh báo)" if s.warnings else "")
            again = f"{r.resubmissions} lần" if r.resubmissions else ""
            when, source = s.earliest
            table.append((r.unit_code, name, "đã nộp", f"{when:%d/%m/%Y %H:%M}",
                          SOURCE_LABELS.get(source, source), verdict, again))
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            cells = [cell.ljust(w) for cell, w in zip(line, widths, strict=True)]
            click.echo(("  " + "  ".join(cells)).rstrip())
        click.echo("")
    if unidentified:
        click.echo(f"{len(unidentified)} tệp không nhận ra đơn vị (không tính cho đơn vị nào):")
        for s in unidentified:
            click.echo(f"  {s.file} (nhận lúc {s.received_at:%d/%m/%Y %H:%M})")
