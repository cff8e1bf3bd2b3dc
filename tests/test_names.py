"""Template names never collide: they carry the period and the plan; ``generate`` never
silently replaces a different file of the same name (it may be a filled return), while an
identical re-run is fine."""

from __future__ import annotations

from click.testing import CliRunner

from cchc_xlsx.cli import main
from cchc_xlsx.forms.generate import generate, workbook_name
from cchc_xlsx.model import Unit

from .conftest import PLAN_001, UNITS_CSV
from .fill import Filler, fill_clean


def test_names_differ_by_period_and_plan_and_stay_ascii():
    unit = Unit(code="MN-TT", name="Trường Mầm non Tuổi Thơ")
    q1 = workbook_name(unit, "mntt-q8-2023", "q1-2023")
    assert q1 == "MN-TT_truong-mam-non-tuoi-tho_q1-2023_mntt-q8-2023.xlsx"
    assert q1 != workbook_name(unit, "mntt-q8-2023", "6t-2023")
    assert q1 != workbook_name(unit, "khac-2023", "q1-2023")
    odd = workbook_name(Unit(code="Đơn vị/1", name="Trường «Hoà Bình»"), "Kế hoạch 1", "Q1/2023")
    assert odd.isascii() and "/" not in odd and " " not in odd


def test_two_periods_in_one_folder_do_not_collide(tmp_path, plan001, units):
    a = generate(plan001, units[:2], tmp_path, period_id="q1-2023", workers=1)
    b = generate(plan001, units[:2], tmp_path, period_id="6t-2023", workers=1)
    assert len({p.name for p in a + b}) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in a + b)


def _generate(out, *extra):
    return CliRunner().invoke(main, ["generate", "--plan", str(PLAN_001), "--units",
                                     str(UNITS_CSV), "--out", str(out), "--period", "q1-2023",
                                     *extra])


def test_identical_rerun_is_fine_and_a_filled_file_is_never_overwritten(tmp_path):
    assert _generate(tmp_path).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    again = _generate(tmp_path)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no temp folder left

    target = tmp_path / names[3]
    fill_clean(Filler(target)).save(target)  # a school filled its copy in this folder
    filled = target.read_bytes()
    others = {n: (tmp_path / n).stat().st_mtime_ns for n in names}
    refused = _generate(tmp_path)
    assert refused.exit_code == 2
    assert "Traceback" not in refused.output
    message = refused.output.strip().splitlines()[-1]
    assert message.startswith("Lỗi: ") and f"«{names[3]}»" in message
    assert "--overwrite" in message
    assert target.read_bytes() == filled  # nothing lost
    assert {n: (tmp_path / n).stat().st_mtime_ns for n in names} == others  # nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == names

    forced = _generate(tmp_path, "--overwrite")
    assert forced.exit_code == 0
    assert target.read_bytes() != filled


def test_a_different_file_of_another_name_is_left_alone(tmp_path):
    note = tmp_path / "ghi-chu.xlsx"
    note.write_bytes(b"not ours")
    assert _generate(tmp_path).exit_code == 0
    assert note.read_bytes() == b"not ours"


def test_header_names_break_at_a_readers_point():
    from cchc_xlsx.forms.text_measure import text_points
    from cchc_xlsx.plans.names import break_name

    def fits(width):
        return lambda s: text_points(s, 12, True) <= width

    assert break_name("ỦY BAN NHÂN DÂN HUYỆN ĐỨC HÒA", fits(170)) == (
        "ỦY BAN NHÂN DÂN\nHUYỆN ĐỨC HÒA")
    assert break_name("TRƯỜNG MẦM NON TUỔI THƠ", fits(150)) == "TRƯỜNG MẦM NON\nTUỔI THƠ"
    assert break_name("SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG", fits(200)) == (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO\nTỈNH SÓC TRĂNG")
    assert break_name("ỦY BAN NHÂN DÂN QUẬN 8", fits(300)) == "ỦY BAN NHÂN DÂN QUẬN 8"
    assert break_name("TRƯỜNG MẦM NON TUỔI THƠ", fits(20)) == "TRƯỜNG MẦM NON TUỔI THƠ"
