"""The portal commands: ``serve`` and ``web user add / open / links / reissue / mail``."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from typing import Any

import click

from cchc_xlsx.cli.app import friendly, main
from cchc_xlsx.errors import UserError

DATA_HELP = "Thư mục dữ liệu của cổng (cơ sở dữ liệu, tệp đã nộp, mẫu); chưa có thì tạo mới."


def _smtp_options(fn: Any) -> Any:
    for option in reversed((
        click.option("--smtp-host", metavar="HOST", help="Máy chủ thư (SMTP) để gửi thư."),
        click.option("--smtp-port", type=int, default=25, show_default=True, metavar="PORT"),
        click.option("--smtp-from", "smtp_sender", metavar="ADDR",
                     help="Địa chỉ người gửi (mặc định cchc@localhost)."),
        click.option("--smtp-user", metavar="USER",
                     help="Tên đăng nhập SMTP; mật khẩu lấy từ biến CCHC_SMTP_PASSWORD."),
        click.option("--smtp-starttls", is_flag=True, help="Dùng STARTTLS."),
    )):
        fn = option(fn)
    return fn


def _smtp(host: str | None, port: int, sender: str | None, user: str | None,
          starttls: bool) -> Any:
    if not host:
        return None
    from cchc_xlsx.web.mail import SmtpSettings

    return SmtpSettings(host, port, sender or "cchc@localhost", user or "",
                        os.environ.get("CCHC_SMTP_PASSWORD", ""), starttls)


def _portal(data: str) -> Any:
    from cchc_xlsx.web.service import Portal

    return Portal(data)


def _base_url(data: str, given: str | None) -> str:
    """The address links are printed with: --base-url, else the one ``serve`` recorded in
    the data folder (its --base-url, or where it last ran), else localhost:8000."""
    if given is not None:
        return given
    from cchc_xlsx.web.profile import stored_base_url

    return stored_base_url(data) or "http://localhost:8000"


BASE_HELP = ("Địa chỉ của cổng mà các trường truy cập (mặc định: địa chỉ «serve» đã ghi "
             "trong thư mục dữ liệu).")


@main.command("serve")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe; 0.0.0.0 để máy khác trong mạng LAN truy cập.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--base-url", metavar="URL",
              help="Địa chỉ công khai của cổng (ghi trong đường dẫn gửi các trường), ví dụ "
                   "https://cchc.pgd.example.vn.")
@click.option("--workers", type=int, metavar="N",
              help="Số tiến trình kiểm tra tệp (mặc định: theo số lõi CPU).")
@_smtp_options
@friendly
def serve_cmd(data: str, host: str, port: int, base_url: str | None, workers: int | None,
              smtp_host: str | None, smtp_port: int, smtp_sender: str | None,
              smtp_user: str | None, smtp_starttls: bool) -> None:
    """Chạy cổng nộp báo cáo trên trình duyệt (dừng bằng Ctrl+C).

    Trường học mở đường dẫn riêng để tải mẫu và nộp; phòng giáo dục đăng nhập để theo dõi
    và tổng hợp. Tạo tài khoản bằng «cchc-xlsx web user add».
    """
    import uvicorn

    from cchc_xlsx.web.app import create_app

    portal = _portal(data)
    app = create_app(data, workers=workers, base_url=base_url, portal=portal,
                     smtp=_smtp(smtp_host, smtp_port, smtp_sender, smtp_user, smtp_starttls))
    shown = base_url or f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}"
    from cchc_xlsx.web.profile import store_base_url

    store_base_url(data, shown)  # `web links` and `web open` print this address from now on
    click.echo(f"Cổng nộp báo cáo đang chạy tại {shown} (dữ liệu: «{data}»); "
               "dừng bằng Ctrl+C.", err=True)
    if not portal.store.has_users():
        click.echo("Chưa có tài khoản văn phòng; tạo bằng «cchc-xlsx web user add TÊN "
                   f"--data {data}».", err=True)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal against the
    # handler found before it started: a quiet one here, so a stop asked for by systemd
    # or `kill` ends with exit code 0 once everything acknowledged is on disk.
    signal.signal(signal.SIGTERM, lambda *_: None)
    # Keep-alive outlasts a school's pause between draft saves (a closed idle connection
    # meeting a request in flight is a reset at the browser); the backlog and the
    # concurrency cap leave room for every school of a district holding its connections.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                timeout_graceful_shutdown=60, limit_concurrency=2000, backlog=2048,
                timeout_keep_alive=75)
    click.echo("Đã dừng cổng nộp báo cáo; mọi tệp đã báo nhận đều đã được ghi.", err=True)


@main.group("web")
def web_group() -> None:
    """Quản lý cổng nộp báo cáo: tài khoản, đợt báo cáo, đường dẫn riêng, thư."""


@web_group.group("user")
def user_group() -> None:
    """Tài khoản của cán bộ văn phòng."""


@user_group.command("add")
@click.argument("name")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@friendly
def user_add_cmd(name: str, data: str) -> None:
    """Tạo tài khoản (hoặc đổi mật khẩu). Mật khẩu nhập khi được hỏi, hoặc lấy từ biến
    môi trường CCHC_PASSWORD khi chạy bằng kịch bản."""
    password = os.environ.get("CCHC_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise UserError("Hãy nhập mật khẩu khi được hỏi, hoặc đặt biến môi trường "
                            "CCHC_PASSWORD.")
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại")
    _portal(data).add_user(name, password)
    click.echo(f"Đã lưu tài khoản «{name}».")


@web_group.command("open")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@click.option("--plan", "plan_path", required=True, metavar="PLAN", help="Tệp kế hoạch.")
@click.option("--units", "units_path", required=True, metavar="UNITS",
              help="Danh sách đơn vị phải nộp (CSV hoặc XLSX; cột «email» nếu muốn gửi thư).")
@click.option("--period", "period_id", required=True, metavar="PERIOD", help="Kỳ báo cáo.")
@click.option("--due", metavar="DD/MM/YYYY", help="Hạn nộp của đợt (mặc định: theo kế hoạch).")
@click.option("--base-url", metavar="URL", help=BASE_HELP)
@friendly
def open_cmd(data: str, plan_path: str, units_path: str, period_id: str, due: str | None,
             base_url: str | None) -> None:
    """Mở đợt báo cáo: cấp đường dẫn riêng và mẫu cho từng đơn vị (mở lại: giữ đường dẫn
    cũ, thêm đơn vị mới)."""
    from cchc_xlsx.plans.units import load_units

    due_date = None
    if due:
        try:
            due_date = datetime.strptime(due, "%d/%m/%Y").date()
        except ValueError:
            raise UserError(f"Hạn nộp «{due}» phải có dạng ngày/tháng/năm, ví dụ "
                            "05/04/2023.") from None
    portal = _portal(data)
    rnd, issued = portal.open_round(plan_path, load_units(units_path), period_id, due_date)
    click.echo(f"Đã mở đợt «{rnd.period_name}» ({rnd.plan_id}, hạn nộp {rnd.due:%d/%m/%Y}) "
               f"cho {len(portal.units(rnd))} đơn vị; cấp mới {issued} đường dẫn.")
    click.echo(f"Danh sách đường dẫn: cchc-xlsx web links --data {data} --period {period_id}"
               + (f" --base-url {base_url}" if base_url else ""))


@web_group.command("links")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@click.option("--period", "period_id", required=True, metavar="PERIOD")
@click.option("--plan", "plan_id", metavar="PLAN_ID", help="Khi có hai đợt cùng mã kỳ.")
@click.option("--base-url", metavar="URL", help=BASE_HELP)
@click.option("--out", "out_path", metavar="FILE", help="Ghi CSV vào tệp (mặc định: in ra).")
@friendly
def links_cmd(data: str, period_id: str, plan_id: str | None, base_url: str | None,
              out_path: str | None) -> None:
    """Danh sách đường dẫn riêng (CSV: mã, tên, email, đường dẫn) để trộn thư."""
    portal = _portal(data)
    text = portal.links_csv(portal.round_for_period(period_id, plan_id),
                            _base_url(data, base_url))
    if out_path:
        from cchc_xlsx.atomic import atomic_path

        with atomic_path(out_path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        click.echo(f"Đã ghi «{out_path}».", err=True)
    else:
        click.echo(text.lstrip("\ufeff"), nl=False)


@web_group.command("reissue")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@click.option("--period", "period_id", required=True, metavar="PERIOD")
@click.option("--unit", "code", required=True, metavar="CODE", help="Mã đơn vị.")
@click.option("--plan", "plan_id", metavar="PLAN_ID")
@click.option("--base-url", metavar="URL", help=BASE_HELP)
@friendly
def reissue_cmd(data: str, period_id: str, code: str, plan_id: str | None,
                base_url: str | None) -> None:
    """Thu hồi đường dẫn của một đơn vị và cấp đường dẫn mới."""
    portal = _portal(data)
    rnd = portal.round_for_period(period_id, plan_id)
    try:
        token = portal.reissue(rnd, code)
    except LookupError:
        raise UserError(f"Đơn vị «{code}» không có trong đợt «{rnd.period_name}».") from None
    click.echo(f"Đường dẫn mới của {code}: {_base_url(data, base_url).rstrip('/')}/u/{token} "
               "(đường dẫn cũ đã bị thu hồi).")


@web_group.command("mail")
@click.option("--data", required=True, metavar="DIR", help=DATA_HELP)
@click.option("--period", "period_id", required=True, metavar="PERIOD")
@click.option("--plan", "plan_id", metavar="PLAN_ID")
@click.option("--kind", type=click.Choice(["links", "reminders"]), required=True,
              help="links: gửi đường dẫn và mẫu; reminders: nhắc đơn vị chưa nộp hoặc có lỗi.")
@click.option("--base-url", metavar="URL", help=BASE_HELP)
@_smtp_options
@friendly
def mail_cmd(data: str, period_id: str, plan_id: str | None, kind: str, base_url: str | None,
             smtp_host: str | None, smtp_port: int, smtp_sender: str | None,
             smtp_user: str | None, smtp_starttls: bool) -> None:
    """Gửi thư cho các đơn vị (cần --smtp-host)."""
    from cchc_xlsx.web import mail

    smtp = _smtp(smtp_host, smtp_port, smtp_sender, smtp_user, smtp_starttls)
    if smtp is None:
        raise UserError("Hãy cho biết máy chủ thư bằng --smtp-host.")
    portal = _portal(data)
    rnd = portal.round_for_period(period_id, plan_id)
    send = mail.send_links if kind == "links" else mail.send_reminders
    sent = send(portal, rnd, smtp, _base_url(data, base_url))
    click.echo(f"Đã gửi {len(sent)} thư" + (f": {', '.join(sent)}." if sent else "."))
