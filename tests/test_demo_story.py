"""`make demo` tells one office's story (issue 14 item 4, issue 20 item 5): Sở GDĐT Sóc
Trăng's plan out, its units' own plans back (one late, one missing a task), their
consolidation and one unit's Word plan; the half-year reports collected on the Sở's own
plan and reported in its name."""

from __future__ import annotations

import docx
from openpyxl import load_workbook

from cchc_xlsx.demo import run

from .conftest import SAMPLES


def test_demo_story(tmp_path, capsys):
    out = tmp_path / "demo"
    run(SAMPLES, out)
    printed = capsys.readouterr().out
    assert "Trường THPT Lê Lợi: Số 08/KH-THPTLL, nhận 06/02/2023, trễ hạn, hợp lệ" in printed
    assert "Trường THPT Hoàng Diệu: Số 12/KH-THPTHD, nhận 28/01/2023, đúng hạn, còn lỗi" \
        in printed
    assert "Thiếu nhiệm vụ 5 của kế hoạch cấp trên" in printed
    status = load_workbook(out / "tong-hop-ke-hoach-don-vi.xlsx")["Tình hình ban hành KH"]
    texts = [c for row in status.iter_rows(values_only=True) for c in row if c]
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in texts and "Châu Tuấn Hồng" in texts
    assert (out / "ke-hoach-THPT-HD.docx").exists()
    # the units' report workbooks carry no plan appendix under their own header
    for book in (out / "don-vi").glob("*.xlsx"):
        assert not any(s.startswith("KH ") for s in load_workbook(book).sheetnames)
    # the Word report cites the Sở's own plan, in the Sở's name
    body = "\n".join(p.text for p in docx.Document(out / "bao-cao-6t-2023.docx").paragraphs)
    assert "Thực hiện Kế hoạch số /KH-SGDĐT" in body and "của Sở Giáo dục và Đào tạo" in body
    assert "Tuổi Thơ" not in body
    # the scoring round's returns reached the office in the scored year, not today
    ranking = load_workbook(out / "cham-diem" / "xep-hang-cchc-2025.xlsx")
    received = [c for ws in ranking for row in ws.iter_rows(values_only=True) for c in row
                if isinstance(c, str) and c[2:3] == "/" and c[5:6] == "/"]
    assert received and all(c[6:10] == "2025" for c in received), received[:5]


def test_demo_inbox_tells_the_same_story_from_the_command_line(tmp_path, capsys):
    """The samples fresh from git carry the checkout's time, so `merge` straight on them
    shows every return late, received today. The demo's inboxes carry the e-mails' times;
    the demo prints the commands that merge them, and they tell the demo's story."""
    import shlex

    from click.testing import CliRunner

    from cchc_xlsx.cli import main

    out = tmp_path / "demo"
    run(SAMPLES, out)
    printed = capsys.readouterr().out
    commands = [line.split("lệnh tương ứng: ./cchc-xlsx ", 1)[1]
                for line in printed.splitlines() if "lệnh tương ứng: ./cchc-xlsx " in line]
    assert len(commands) == 2
    plan_cmd, report_cmd = (next(c for c in commands if c.startswith(k))
                            for k in ("unit-plan merge", "merge"))
    for cmd in (plan_cmd, report_cmd):
        cmd = cmd.replace("--out ", f"--out {tmp_path}/")
        result = CliRunner().invoke(main, shlex.split(cmd))
        assert result.exit_code in (0, 1), result.output
        if cmd.startswith("merge"):
            assert "quá hạn: 1;" in result.output  # the last e-mail came a day late
        else:
            assert "Gửi trễ hạn: Trường THPT Lê Lợi." in result.output
