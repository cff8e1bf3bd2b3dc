"""The plan loader: the samples load, and every broken plan gets one sentence with a line."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_xlsx.errors import UserError
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import PLAN_004, PLANS


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_sample_plan_loads(path):
    plan = load_plan(path)
    assert plan.schedule, "every sample plan has a reporting schedule"
    for p in plan.schedule:
        assert p.start <= p.end < p.due or p.end < p.due


def test_plan_001_counts_and_numbering(plan001):
    assert [a.stt for a in plan001.areas] == ["1", "2", "3", "4", "5", "6", "7"]
    assert len(plan001.tasks) == 44
    items = [i for i in plan001.indicators if not i.group]
    assert len(items) == 13
    assert [i.stt for i in plan001.indicators][:5] == ["1", "2", "2.1", "2.3", "2.4"]
    assert [p.due for p in plan001.schedule] == [
        date(2023, 3, 5), date(2023, 6, 5), date(2023, 9, 5), date(2023, 12, 5)]


def test_plan_004_task_3_has_three_product_rows():
    plan = load_plan(PLAN_004)
    assert len(plan.tasks) == 36 and len(plan.areas) == 7
    task3 = next(t for t in plan.tasks if t.stt == "3")
    assert len(task3.products) == 3
    assert len({p.deadline.text for p in task3.products}) >= 2


def test_parsed_targets_keep_their_text(plan001):
    ind = next(i for i in plan001.indicators if i.stt == "2.1")
    assert ind.target.text == "từ 98% trở lên"
    assert (ind.target.op, ind.target.value, ind.target.unit) == (">=", 98, "%")
    assert ind.measure == "rate"


def test_unnumbered_bullets_get_stable_distinct_keys():
    plan = load_plan(PLANS / "002-sgddt-hanoi-2021-2025.yaml")
    keys = [i.key for i in plan.indicators]
    assert len(keys) == len(set(keys))
    assert all(k.startswith("ind:") for k in keys)


def _write(tmp_path, text):
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


MINIMAL = """\
id: test-plan
meta:
  issuing_body: TRƯỜNG A
  year: 2024
schedule:
  - {id: q1, name: Quý I, from: 15/12/2023, to: 14/3/2024, due: 2024-03-20}
"""


def test_minimal_plan_with_vietnamese_dates(tmp_path):
    plan = load_plan(_write(tmp_path, MINIMAL))
    assert plan.schedule[0].start == date(2023, 12, 15)


@pytest.mark.parametrize("text, expected", [
    (MINIMAL.replace("year: 2024", "yeer: 2024"), "dòng 4: trường «yeer» không có"),
    (MINIMAL.replace("  issuing_body: TRƯỜNG A\n", ""), "thiếu trường «issuing_body»"),
    (MINIMAL.replace("to: 14/3/2024", "to: 31/2/2024"), "ngày «31/2/2024»"),
    (MINIMAL.replace("to: 14/3/2024", "to: 1/12/2023"), "trước ngày bắt đầu"),
    (MINIMAL + "  - {id: q1, name: Lặp, from: 2024-01-01, to: 2024-02-01, due: 2024-03-01}\n",
     "mã kỳ báo cáo «q1» bị trùng"),
    ("id: x\nmeta: [1, 2\n", "sai cú pháp YAML"),
    ("id: x\nid: y\nmeta: {issuing_body: A}\n", "khóa «id» bị lặp lại"),
    ("", "rỗng"),
    (MINIMAL.replace("id: test-plan", "id: kế hoạch"), "mã kế hoạch"),
])
def test_broken_plan_gets_one_sentence_with_file_and_line(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_plan(path)
    message = str(err.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_plan_file(tmp_path):
    with pytest.raises(UserError, match="Không tìm thấy tệp kế hoạch"):
        load_plan(tmp_path / "nope.yaml")


def test_target_must_be_copied_from_the_text(tmp_path):
    text = MINIMAL + ("indicators:\n  - stt: '1'\n    text: Tỷ lệ đúng hạn từ 98% trở lên\n"
                      "    target: từ 99% trở lên\n")
    with pytest.raises(UserError, match="dòng 10: chỉ tiêu cần đạt"):
        load_plan(_write(tmp_path, text))


def test_sample_001_text_is_verbatim_including_typos(plan001):
    t41 = next(t for t in plan001.tasks if t.stt == "4.1")
    assert "Chính phù quy định chi tiết" in t41.content  # the seed's own typo, kept
    lead_32 = next(t for t in plan001.tasks if t.stt == "3.2").products[0].lead
    assert lead_32 == "Phòng Giáo dục và Đào tạo.."
