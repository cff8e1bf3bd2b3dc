"""The plan loader: the samples load, and every broken plan gets one sentence with a line."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
  title: Thực hiện CCHC năm 2024
  signer: {title: HIỆU TRƯỞNG, name: Nguyễn Văn A}
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
    (MINIMAL.replace("  title: Thực hiện CCHC năm 2024\n", ""), "thiếu trường «title»"),
    (MINIMAL.replace("  signer: {title: HIỆU TRƯỞNG, name: Nguyễn Văn A}\n", ""),
     "thiếu trường «signer»"),
    (MINIMAL.replace("{title: HIỆU TRƯỞNG, name: Nguyễn Văn A}", "{}"),
     "thiếu chức danh và tên người ký"),
    (MINIMAL.replace("due: 2024-03-20", "due: 2025-02-30"), "ngày «2025-02-30»"),
    (MINIMAL.replace("due: 2024-03-20", "due: 2025-13-01"), "ngày «2025-13-01»"),
    (MINIMAL.replace("year: 2024", "yaer: 2024"), "(có phải «year»?)"),
    (MINIMAL.replace("  signer: {title", "  signr: {title"),
     "(có phải «signr» là «signer» viết sai?)"),
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
    with pytest.raises(UserError, match="dòng 12: chỉ tiêu cần đạt"):
        load_plan(_write(tmp_path, text))


def test_sample_001_text_is_verbatim_including_typos(plan001):
    t41 = next(t for t in plan001.tasks if t.stt == "4.1")
    assert "Chính phù quy định chi tiết" in t41.content  # the seed's own typo, kept
    lead_32 = next(t for t in plan001.tasks if t.stt == "3.2").products[0].lead
    assert lead_32 == "Phòng Giáo dục và Đào tạo.."


YAML_TRAPS = MINIMAL.replace("TRƯỜNG A\n", "TRƯỜNG A\n  number: 045\n  recipients:\n"
                             "    - Phòng GDĐT;\n    - Lưu: VT.\n") + """\
areas:
  - stt: 1
    title: Công tác chỉ đạo
    tasks:
      - {stt: 1.1, content: Việc một, deadline: Quý I/2024}
      - {stt: 1.10, content: Việc mười, deadline: Quý II/2024}
indicators:
  - {stt: 2, text: Nhóm, group: true}
  - {stt: 2.1, text: Đạt 100%, lead: yes}
"""


def test_yaml_that_cannot_lie_keeps_what_was_typed(tmp_path):
    """The issue's traps: octal-looking numbers, 1.10, "Lưu: VT." and yes/no words."""
    plan = load_plan(_write(tmp_path, YAML_TRAPS))
    assert plan.meta.number == "045"
    assert plan.meta.recipients == ("Phòng GDĐT;", "Lưu: VT.")
    assert [t.stt for t in plan.tasks] == ["1.1", "1.10"]
    assert plan.areas[0].stt == "1"
    assert plan.indicators[0].group is True and plan.indicators[1].lead == "yes"


def test_mapping_in_a_text_field_is_one_sentence(tmp_path):
    """Unquoted "Lưu: VT." where one line is expected (a text field) is refused, not printed
    as a dict."""
    text = MINIMAL.replace("  year: 2024", "  place: Lưu: VT.\n  year: 2024")
    with pytest.raises(UserError) as err:
        load_plan(_write(tmp_path, text))
    assert "sai cú pháp YAML" in str(err.value) or "phải là một đoạn chữ" in str(err.value)


@pytest.mark.parametrize("due, warned", [("2024-03-20", False), ("2024-12-03", True),
                                          ("2023-01-01", True)])
def test_due_date_far_outside_its_period_is_a_warning(tmp_path, due, warned):
    warnings: list[str] = []
    load_plan(_write(tmp_path, MINIMAL.replace("due: 2024-03-20", f"due: {due}")), warnings)
    assert bool(warnings) == warned
    if due == "2024-12-03":
        assert "03/12/2024" in warnings[0] and "bị đảo" in warnings[0] and "dòng 8" in warnings[0]


def test_cli_gives_one_sentence_and_exit_2_for_an_impossible_date(tmp_path):
    from click.testing import CliRunner

    from cchc_xlsx.cli import main

    path = _write(tmp_path, MINIMAL.replace("due: 2024-03-20", "due: 2025-02-30"))
    result = CliRunner().invoke(main, ["plan", "show", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "2025-02-30" in result.output and "dòng 8" in result.output


_SAMPLE_LINES = (PLANS / "001-mntt-q8-2023.yaml").read_text(encoding="utf-8").splitlines()


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(_SAMPLE_LINES) - 1), st.sampled_from(
    ["", "  ", "- ", ": ", "x: 1", "045", "1.10", "2025-02-30", "[", "{a: b}", "!!binary x",
     "true", "~", "- Lưu: VT.", "\t", "&a x", "*a", "? x", "%YAML 1.2", "stt: 1.10",
     "  year: 20x3", "  date: 2023-13-01", "      - [1, 2]"]),
    st.sampled_from(["replace", "insert", "append", "delete"]))
def test_any_edit_of_a_plan_is_a_plan_or_one_sentence(tmp_path, at, text, how):
    """Whatever a person does to a line of a plan, the loader never shows a traceback."""
    lines = list(_SAMPLE_LINES)
    if how == "replace":
        lines[at] = text
    elif how == "insert":
        lines.insert(at, text)
    elif how == "append":
        lines[at] += text
    else:
        del lines[at]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    try:
        load_plan(path, [])
    except UserError as err:
        assert "\n" not in str(err) and str(path) in str(err)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(min_size=1).filter(lambda s: s.strip("\n") == s and s.strip()),
                min_size=4, max_size=4))
def test_written_yaml_reads_back_every_text_exactly(values):
    """plan_yaml quotes whatever it must: any text in any field loads back unchanged."""
    import dataclasses

    from cchc_xlsx.plans.plan_json import plan_to_dict
    from cchc_xlsx.plans.plan_loader import plan_from_data
    from cchc_xlsx.plans.plan_writer import plan_yaml
    from cchc_xlsx.yamlio import loads_yaml

    base = load_plan(PLAN_004)
    task = base.areas[0].tasks[0]
    product = dataclasses.replace(task.products[0], product=values[0], lead=values[1])
    task = dataclasses.replace(task, content=values[2], products=(product,))
    area = dataclasses.replace(base.areas[0], tasks=(task,))
    meta = dataclasses.replace(base.meta, recipients=(values[3],), title=values[3])
    plan = dataclasses.replace(base, areas=(area,), meta=meta)
    back = plan_from_data(loads_yaml(plan_yaml(plan), "x.yaml", "kế hoạch", text_only=True),
                          "x.yaml")
    assert plan_to_dict(back) == plan_to_dict(plan)


@pytest.mark.parametrize("text", ["0\x85", "a\u2028b", "x\u2029", "Lưu\x85VT."])
def test_yaml_line_breaks_other_than_newline_survive_writing(text):
    """NEL, LS and PS are line breaks to YAML: inside single quotes they fold to a space
    (found by the property test above with "0\\x85"); the writer escapes them."""
    from cchc_xlsx.plans.plan_writer import _scalar
    from cchc_xlsx.yamlio import loads_yaml

    assert loads_yaml(f"v: {_scalar(text, 0)}\n", "x.yaml", "kế hoạch", text_only=True) == {
        "v": text}
