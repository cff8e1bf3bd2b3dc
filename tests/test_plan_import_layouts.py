"""plan import on plan documents laid out the way other offices lay them out (issue 15):
Word list numbering, numbering that restarts in each group, headers worded differently,
merges across and down, "+"/"*" sub-items, an appendix without its letter, indicators
written only in prose. Every test document is built from a seed's text (tests/plan_docs.py)
and every field of every task is compared, in .docx and .xlsx, and in .doc, .xls and .ods
made by LibreOffice when it is installed."""

from __future__ import annotations

import functools
import zipfile

import pytest

from cchc_xlsx.forms.form_rows import task_records
from cchc_xlsx.plan_import.opener import import_plan, import_to_yaml
from cchc_xlsx.plans.plan_json import plan_to_dict
from cchc_xlsx.plans.plan_loader import load_plan

from .conftest import HAS_SOFFICE, needs_soffice
from .plan_docs import (
    HEADER_VARIANTS,
    SEEDS,
    convert_all,
    expected_header_variant_004,
    expected_merged_004,
    expected_restarting_004,
    expected_sub_items_001,
    expected_word_numbered_001,
    header_variant_004,
    indicators_phu_trach_001,
    merged_down_004,
    restarting_004,
    sample,
    seed_docx,
    sub_items_001,
    word_numbered_001,
)

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed folder {SEEDS} not present")


def _areas(plan) -> list:
    """Every field of every group and task: STT, key, content, each product row's product,
    deadline (text and its reading), lead and partners."""
    return plan_to_dict(plan)["areas"]


def _exact(plan, expected) -> tuple[int, int]:
    """(tasks with every field right, tasks expected), for the issue's note."""
    got = {t["key"]: (a["stt"], a["title"], t) for a in _areas(plan) for t in a["tasks"]}
    want = [(a["stt"], a["title"], t) for a in _areas(expected) for t in a["tasks"]]
    return sum(1 for w in want if got.get(w[2]["key"]) == w), len(want)


def _header(path, fmt, variant):
    return header_variant_004(path, variant, fmt)


# (name, builder(path, fmt), expected plan) for the table constructions; the Word-only
# numbering ones have no spreadsheet version
LAYOUTS = {
    "word-numbering": (lambda p, fmt: word_numbered_001(p), expected_word_numbered_001),
    "word-numbering-roman": (lambda p, fmt: word_numbered_001(p, roman=True),
                             lambda: expected_word_numbered_001(roman=True)),
    "restarting": (restarting_004, expected_restarting_004),
    "merged-down": (merged_down_004, expected_merged_004),
    # the same typed from B2 (an empty first row and column): merges must not shift
    "merged-down-b2": (functools.partial(merged_down_004, margin=1), expected_merged_004),
    "sub-items": (sub_items_001, expected_sub_items_001),
    **{f"header-{v}": (functools.partial(_header, variant=v), expected_header_variant_004)
       for v in HEADER_VARIANTS},
}
WORD_ONLY = {"word-numbering", "word-numbering-roman"}
SHEET_ONLY = {"merged-down-b2"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Every layout as .docx and .xlsx, and, with LibreOffice, as .doc, .xls and .ods (one
    LibreOffice start per target format)."""
    base = tmp_path_factory.mktemp("layouts")
    docs: dict[tuple[str, str], object] = {}
    for name, (build, _) in LAYOUTS.items():
        for fmt in ("docx", "xlsx"):
            if (fmt == "xlsx" and name in WORD_ONLY) or (fmt == "docx" and name in SHEET_ONLY):
                continue
            docs[name, fmt] = build(base / f"{name}.{fmt}", fmt)
    for fmt in ("docx", "xlsx"):
        docs["indicators", fmt] = indicators_phu_trach_001(base / f"indicators.{fmt}", fmt)
    if HAS_SOFFICE:
        profile = base / "profile"
        words = [p for (n, f), p in docs.items() if f == "docx"]
        books = [p for (n, f), p in docs.items() if f == "xlsx"]
        for fmt, sources in (("doc", words), ("xls", books), ("ods", books)):
            for path in convert_all(sources, fmt, base / fmt, profile):
                docs[path.stem, fmt] = path
    return docs


CASES = [(name, fmt) for name in LAYOUTS for fmt in ("docx", "xlsx", "doc", "xls", "ods")
         if not (name in WORD_ONLY and fmt in ("xlsx", "xls", "ods"))
         and not (name in SHEET_ONLY and fmt in ("docx", "doc"))]


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_every_field_of_every_task(documents, name, fmt):
    if (name, fmt) not in documents:
        pytest.skip("LibreOffice is not installed")
    plan, review = import_plan(documents[name, fmt])
    expected = LAYOUTS[name][1]()
    assert _areas(plan) == _areas(expected)
    assert _exact(plan, expected) == (len(expected.tasks), len(expected.tasks))
    assert not [d for d in review.doubts if d.anchor[:1] == ("task",)]


def test_word_numbers_are_list_numbers_not_text(documents):
    """The STT cells hold no typed number: Word computes them from numbering.xml."""
    with zipfile.ZipFile(documents["word-numbering", "docx"]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        numbering = z.read("word/numbering.xml").decode("utf-8")
    assert ">1.1<" not in xml and ">1.1.<" not in xml and xml.count("<w:numPr>") == 51
    assert 'w:lvlText w:val="%1.%2."' in numbering
    with zipfile.ZipFile(documents["word-numbering-roman", "docx"]) as z:
        numbering = z.read("word/numbering.xml").decode("utf-8")
    assert "upperRoman" in numbering and "lowerLetter" in numbering
    assert '<w:startOverride w:val="1"/>' in numbering


def test_word_numbered_letter_headings_show_their_numbers(documents):
    """The letter's own headings are numbered by the same list; the table restarts it."""
    from cchc_xlsx.plan_import.docx_reader import read_docx

    doc = read_docx(documents["word-numbering-roman", "docx"])
    texts = [b.text for b in doc.blocks[:4] if hasattr(b, "text")]
    assert texts[1:3] == ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG"]


def test_numbering_restarting_per_group_gives_a_valid_plan_keyed_by_group(tmp_path,
                                                                         documents):
    plan, review = import_to_yaml(documents["restarting", "docx"], tmp_path / "kh.yaml")
    loaded = load_plan(tmp_path / "kh.yaml")  # no "số thứ tự «1» bị trùng"
    assert _areas(loaded) == _areas(expected_restarting_004())
    keys = [t.key for t in loaded.tasks]
    assert len(set(keys)) == len(keys) == 36
    assert [t.stt for t in loaded.areas[1].tasks] == ["1", "2"]
    assert [t.key for t in loaded.areas[1].tasks] == ["task:B.1", "task:B.2"]
    assert not [d for d in review.doubts if "trùng" in d.message]
    # the forms print the STT as the plan does and carry the unique key
    rows = [r for r in task_records(loaded) if r["kind"] != "group"]
    assert [(r["stt"], r["task_key"]) for r in rows[:2]] == [("1", "task:A.1"),
                                                             ("2", "task:A.2")]


def test_generate_and_merge_tell_tasks_with_the_same_printed_number_apart(tmp_path,
                                                                          documents):
    from cchc_xlsx.forms.generate import generate
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.model import Unit

    from .fill import Filler, fill_clean

    import_to_yaml(documents["restarting", "docx"], tmp_path / "kh.yaml")
    plan = load_plan(tmp_path / "kh.yaml")
    units = [Unit(code="MN-A", name="Trường Mầm non A"), Unit(code="MN-B",
                                                             name="Trường Mầm non B")]
    period = plan.schedule[0].id
    books = generate(plan, units, tmp_path / "don-vi", period_id=period, workers=1)
    for i, book in enumerate(books):
        f = fill_clean(Filler(book), i)
        assert {"task:A.1", "task:B.1", "task:G.6"} <= set(f.keys("report_tasks"))
        f.set("report_tasks", "task:A.1", "status", "Chưa thực hiện")
        f.set("report_tasks", "task:A.1", "completion_date", None)
        f.set("report_tasks", "task:A.1", "evidence", None)
        f.set("report_tasks", "task:A.1", "difficulties", "Chờ hướng dẫn.")
        f.set("report_tasks", "task:B.1", "status", "Đang thực hiện")
        f.set("report_tasks", "task:B.1", "completion_date", None)
        f.set("report_tasks", "task:B.1", "evidence", None)
        f.set("report_tasks", "task:B.1", "difficulties", "Chờ hướng dẫn.")
        f.wb.save(book)
    result = merge(books, plan, units, period, tmp_path / "tong-hop.xlsx",
                   office_from_units(units, plan), workers=1)
    tasks = result.aggregate.tasks
    assert tasks["task:A.1"].get("Chưa thực hiện") == 2
    assert tasks["task:B.1"].get("Đang thực hiện") == 2
    # one row per product row (task A.3 has three), 36 tasks, none folded into another
    assert len({k.split("/")[0] for k in tasks if k.startswith("task:")}) == 36
    assert len([k for k in tasks if k.startswith("task:")]) == 38


def test_a_column_outside_the_plan_is_named_in_the_review(documents):
    for fmt, table, rows in (("docx", "bảng 1", (4, 19)), ("xlsx", "trang tính «Phụ lục»",
                                                           (7, 22))):
        _, review = import_plan(documents["header-phu-trach", fmt])
        lines = [str(d) for d in review.doubts if "cột «" in d.message]
        label = f"{table} (phụ lục)"
        assert lines == [
            f"{label}: cột «Ghi chú» (cột 7) không thuộc mẫu kế hoạch nên không được nhập; "
            f"nó có nội dung ở 2 dòng (đầu tiên {label}, dòng {rows[0]}: «Phối hợp Công "
            "đoàn»)",
            f"{label}: cột «Kinh phí» (cột 8) không thuộc mẫu kế hoạch nên không được nhập; "
            f"nó có nội dung ở 1 dòng (đầu tiên {label}, dòng {rows[1]}: «5.000.000 đồng»)"]


def test_a_recognised_column_empty_on_every_row_is_a_review_line(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Nhiệm vụ", "Sản phẩm", "Người phụ trách", "Thời hạn hoàn thành"])
    plan = sample("004")
    for t in plan.areas[1].tasks:
        ws.append([t.stt, t.content, t.products[0].product, None, t.products[0].deadline.text])
    wb.save(tmp_path / "kh.xlsx")
    plan, review = import_plan(tmp_path / "kh.xlsx")
    assert [t.products[0].lead for t in plan.tasks] == ["", ""]
    assert [str(d) for d in review.doubts if "cột «" in d.message] == [
        "trang tính «Sheet»: cột «Người phụ trách» (vai trò chủ trì) để trống ở mọi dòng"]


def test_header_words_are_read_by_meaning():
    from cchc_xlsx.plan_import.headers import role_of

    assert {text: role_of(text) for text in (
        "Bộ phận thực hiện", "Người phụ trách", "Đơn vị thực hiện", "Thời hạn hoàn thành",
        "Thời gian\nthực hiện", "Ghi chú", "Sản phẩm", "Nội dung\nnhiệm vụ", "TT",
        "Kinh phí", "Chủ trì", "Phối hợp", "Nội dung chỉ tiêu")} == {
        "Bộ phận thực hiện": "lead", "Người phụ trách": "lead", "Đơn vị thực hiện": "lead",
        "Thời hạn hoàn thành": "deadline", "Thời gian\nthực hiện": "deadline",
        "Ghi chú": "note", "Sản phẩm": "product", "Nội dung\nnhiệm vụ": "task", "TT": "stt",
        "Kinh phí": None, "Chủ trì": "lead", "Phối hợp": "coordinating",
        "Nội dung chỉ tiêu": "indicator"}


def test_spreadsheet_only_appendix_gives_a_usable_plan(tmp_path, documents):
    """No first page: year, number, date and issuer from the appendix heading; the review
    asks for what is really absent; the default schedule it announces is in the plan."""
    path = documents["sub-items", "xlsx"]
    plan, review = import_to_yaml(path, tmp_path / "kh.yaml")
    loaded = load_plan(tmp_path / "kh.yaml")
    m = loaded.meta
    assert (m.year, m.number, m.symbol, str(m.date), m.issuing_body) == (
        2023, "71", "KH-MNTT", "2023-03-17", "TRƯỜNG MẦM NON TUỔI THƠ")
    assert sorted(d.anchor for d in review.doubts) == [
        ("meta", "signer"), ("meta", "title"), ("schedule",)]
    assert "đã dùng khung của Bộ Nội vụ" in next(
        d.message for d in review.doubts if d.anchor == ("schedule",))
    assert [(p.id, str(p.start), str(p.end), str(p.due)) for p in loaded.schedule] == [
        ("q1-2023", "2022-12-15", "2023-03-14", "2023-03-15"),
        ("6t-2023", "2022-12-15", "2023-06-14", "2023-06-15"),
        ("q3-2023", "2023-06-15", "2023-09-14", "2023-09-15"),
        ("nam-2023", "2022-12-15", "2023-12-14", "2023-12-15")]
    # seed 004's heading names no number and no date: those are asked for
    _, review = import_plan(documents["restarting", "xlsx"])
    assert sorted(d.anchor for d in review.doubts) == [
        ("meta", "date"), ("meta", "number"), ("meta", "signer"), ("meta", "title"),
        ("schedule",)]


def test_year_from_the_attached_line_when_the_title_has_none(tmp_path):
    from .plan_docs import write_layout_docx

    rows = [["STT", "Nhiệm vụ", "Sản phẩm", "Chủ trì", "Phối hợp", "Thời hạn"],
            ["1", "Rà soát quy trình", "Báo cáo", "Văn phòng", "Các phòng", "Quý II"]]
    path = write_layout_docx(tmp_path / "pl.docx", [
        "PHỤ LỤC", "DANH MỤC NHIỆM VỤ",
        "(Kèm theo Kế hoạch số 15/KH-PGDĐT ngày 05 tháng 01 năm 2024 của Phòng GDĐT)"],
        [(rows, 1)])
    plan, _ = import_plan(path)
    assert (plan.meta.year, plan.meta.number, str(plan.meta.date)) == (2024, "15",
                                                                        "2024-01-05")
    assert plan.tasks[0].products[0].deadline.start.isoformat() == "2024-04-01"


@pytest.mark.parametrize(("seed", "dues"), [
    ("000", ["2024-03-01", "2024-06-01", "2024-09-01", "2024-12-01"]),
    ("001", ["2023-03-05", "2023-06-05", "2023-09-05", "2023-12-05"]),
    ("002", ["2021-03-05", "2021-06-05", "2021-09-05", "2021-12-05"]),
])
@needs_seeds
def test_every_reporting_date_stated_in_the_prose_is_found(tmp_path, seed, dues):
    path = seed_docx(next(SEEDS.glob(f"{seed}_*.txt")), tmp_path / f"{seed}.docx")
    plan, review = import_plan(path)
    assert [str(p.due) for p in plan.schedule] == dues
    assert [p.id[:2] for p in plan.schedule] == (["q1", "q2", "q3", "na"] if seed != "001"
                                                 else ["q1", "6t", "q3", "na"])
    assert not [d for d in review.doubts if d.anchor == ("schedule",)]


@needs_seeds
def test_indicators_written_in_prose_seed_000(tmp_path):
    path = seed_docx(next(SEEDS.glob("000_*.txt")), tmp_path / "000.docx")
    plan, review = import_plan(path)
    got = [(i.stt, i.text, i.group, i.target.text if i.target else None, i.measure)
           for i in plan.indicators]
    seed = (SEEDS / next(SEEDS.glob("000_*.txt")).name).read_text(encoding="utf-8")
    section = seed.split("#### 3. Một số chỉ tiêu cụ thể")[1].split("## ")[0]
    paragraphs = [x.strip() for x in section.splitlines() if x.strip()]
    assert [g[1] for g in got] == paragraphs  # every paragraph, word for word
    assert got == [
        ("1", paragraphs[0], False, "tăng bậc so với năm 2023", "text"),
        ("2", paragraphs[1], False, "đạt trên 88%", "rate"),
        ("3", paragraphs[2], False, "100%", "rate"),
        ("4", paragraphs[3], False, "đạt 100%", "rate"),
        ("5", paragraphs[4], False, "đạt 80%", "rate"),
        ("6", paragraphs[5], False, "100%", "rate"),
        ("7", paragraphs[6], False, "100%", "rate"),
        ("8", paragraphs[7], False, "90%", "rate"),
        ("9", paragraphs[8], False, "100%", "rate")]
    marked = [d.anchor for d in review.doubts if d.anchor[:1] == ("indicator",)]
    assert marked == [("indicator", str(n)) for n in range(1, 10)]


@needs_seeds
def test_indicators_written_in_prose_seed_002(tmp_path):
    path = seed_docx(next(SEEDS.glob("002_*.txt")), tmp_path / "002.docx")
    plan, review = import_plan(path)
    groups = [(i.stt, i.text) for i in plan.indicators if i.group]
    assert groups == [("3.1", "Công tác chỉ đạo, điều hành"), ("3.2", "Cải cách thể chế"),
                      ("3.3", "Cải cách TTHC"),
                      ("3.4", "Cải cách tổ chức bộ máy hành chính nhà nước"),
                      ("3.5", "Cải cách chế độ công vụ"), ("3.6", "Cải cách tài chính công"),
                      ("3.7", "Chính quyền điện tử, chính quyền số")]
    items = {i.stt: i for i in plan.indicators if not i.group}
    assert items["3.1.1"].text == ("Mức độ hài lòng của người dân, tổ chức đối với chất lượng "
                                   "cung cấp Dịch vụ công đạt trên 95%.")
    assert (items["3.1.1"].target.text, items["3.1.1"].measure) == ("đạt trên 95%", "rate")
    assert (items["3.3.2"].target.text, items["3.3.2"].target.value) == ("20%", 20)
    assert items["3.2.1"].target is None and items["3.2.1"].measure == "text"
    seed = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    section = seed.split("3. Các chỉ tiêu cụ thể")[1].split("\nII.")[0]
    dashes = [x[2:].strip() for x in section.splitlines() if x.startswith("- ")]
    assert [i.text for i in plan.indicators if not i.group] == dashes
    assert len([d for d in review.doubts if d.anchor[:1] == ("indicator",)]) == len(dashes)
    # the plan with prose indicators loads back
    assert plan.roadmap  # the appendix of 002 is still read


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "doc", "xls", "ods"])
def test_indicators_led_by_nguoi_phu_trach(documents, fmt):
    """Seed 001's indicator appendix with its lead column headed "Người phụ trách": every
    field of every indicator (STT, text, group, target, measure, lead, partners)."""
    if ("indicators", fmt) not in documents:
        pytest.skip("LibreOffice is not installed")
    plan, review = import_plan(documents["indicators", fmt])
    expected = sample("001")
    assert plan_to_dict(plan)["indicators"] == plan_to_dict(expected)["indicators"]
    assert not [d for d in review.doubts if d.anchor[:1] == ("indicator",)]


@needs_soffice
def test_libreoffice_formats_were_really_made(documents):
    assert {f for _, f in documents} == {"docx", "xlsx", "doc", "xls", "ods"}


def test_indicator_table_column_outside_the_plan_is_named(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Chỉ tiêu", "Người phụ trách", "Phối hợp", "Ghi chú"])
    for i in sample("001").indicators[:3]:
        ws.append([i.stt, i.text, i.lead, i.coordinating, "Báo cáo quý" if i.stt == "1" else
                   None])
    wb.save(tmp_path / "ct.xlsx")
    plan, review = import_plan(tmp_path / "ct.xlsx")
    assert plan_to_dict(plan)["indicators"] == plan_to_dict(sample("001"))["indicators"][:3]
    assert [str(d) for d in review.doubts if "cột «" in d.message] == [
        "trang tính «Sheet»: cột «Ghi chú» (cột 5) không thuộc mẫu kế hoạch nên không được "
        "nhập; nó có nội dung ở 1 dòng (đầu tiên trang tính «Sheet», dòng 2: «Báo cáo quý»)"]


def test_group_letter_alone_in_the_stt_cell_excel(tmp_path):
    """Group rows "A" | title merged across the rest, tasks numbered again in each."""
    from .plan_docs import LEFT, write_layout_xlsx

    plan = sample("004")
    rows = [["STT", "Nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"]]
    for gi, area in enumerate(plan.areas[:2]):
        rows.append(["AB"[gi], area.title] + [LEFT] * 4)
        for ti, t in enumerate(area.tasks):
            for pi, p in enumerate(t.products):
                first = [str(ti + 1), t.content] if pi == 0 else ["^", "^"]
                rows.append(first + [p.product.split("\n"), p.lead, p.coordinating,
                                     p.deadline.text])
    path = write_layout_xlsx(tmp_path / "kh.xlsx", [], [(rows, 1)])
    got, review = import_plan(path)
    expected = expected_restarting_004()
    assert _areas(got) == _areas(expected)[:2]
    assert not [d for d in review.doubts if d.anchor[:1] == ("task",)]


def test_a_doubt_on_a_restarted_task_sits_at_that_task_in_the_yaml(tmp_path):
    """Group B's task 1 cut by a page break: the YAML comment goes to B.1, not A.1."""
    import docx

    from .plan_docs import split_row

    path = restarting_004(tmp_path / "kh.docx")
    d = docx.Document(str(path))
    t = d.tables[0]
    b1 = sample("004").areas[1].tasks[0].content
    r = next(i for i, row in enumerate(t.rows) if row.cells[1].text == b1)
    split_row(t, r, [1], stt_col=0)
    d.save(str(path))
    plan, review = import_to_yaml(path, tmp_path / "kh.yaml")
    assert [d.anchor for d in review.doubts if d.anchor[:1] == ("task",)] == [("task", "B.1")]
    text = (tmp_path / "kh.yaml").read_text(encoding="utf-8")
    at = text.index("KIỂM TRA: bảng 1 (phụ lục), dòng")
    # in group B, right above its task 1 (not at group A's task 1)
    assert text.index("title: Cải cách thể chế") < at < text.index(b1[:30])
    assert _areas(load_plan(tmp_path / "kh.yaml")) == _areas(expected_restarting_004())


@needs_seeds
def test_quarterly_dates_stated_as_the_day_of_the_quarters_last_month_seed_003():
    """Seed 003: "(trước ngày 10 của tháng cuối quý, báo cáo năm trước ngày 05 tháng 12 năm
    2024)". Its task appendix is not in the seed, so the schedule reader is asked directly."""
    from cchc_xlsx.plan_import.front import _schedule
    from cchc_xlsx.plan_import.review import Review

    seed = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8").splitlines()
    line = next(x for x in seed if "tháng cuối quý" in x)
    review = Review("003")
    periods = _schedule(["Báo cáo định kỳ.", line], 2024, review)
    assert [(p.id, str(p.due)) for p in periods] == [
        ("q1-2024", "2024-03-10"), ("q2-2024", "2024-06-10"), ("q3-2024", "2024-09-10"),
        ("nam-2024", "2024-12-05")]
    assert review.doubts == []


def test_word_list_numbers_as_word_displays_them():
    """numbering.xml read as Word does: formats, "%1.%2." texts, start values, a level
    resetting the ones below it, a list restarted by startOverride, letters past z."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from cchc_xlsx.plan_import.numbering import Numbering, format_number

    from .plan_docs import abstract_num

    levels = [("upperRoman", "%1.", 1), ("decimal", "%1.%2.", 1), ("lowerLetter", "%3)", 1),
              ("upperLetter", "%4.", 1), ("lowerRoman", "(%5)", 4)]
    root = parse_xml(f"<w:numbering {nsdecls('w')}>" + abstract_num(1, levels)
                     + abstract_num(2, [("decimal", "%1.", 5)])
                     + '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
                     + '<w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride '
                       'w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                     + '<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>'
                     + "</w:numbering>")
    n = Numbering(root)
    shown = [n.label(num, ilvl)[0] for num, ilvl in (
        ("1", 0), ("1", 1), ("1", 2), ("1", 2), ("1", 3), ("1", 4), ("1", 4), ("1", 1),
        ("1", 2), ("1", 0), ("1", 1), ("3", 0), ("3", 0), ("2", 0), ("2", 1))]
    assert shown == ["I.", "I.1.", "a)", "b)", "A.", "(iv)", "(v)", "I.2.", "a)", "II.",
                     "II.1.", "5.", "6.", "I.", "I.1."]
    assert n.label("0", 0) is None and n.label("99", 0) is None
    assert [format_number(k, "lowerLetter") for k in (1, 26, 27, 28)] == ["a", "z", "aa",
                                                                          "bb"]
    assert [format_number(k, "upperRoman") for k in (4, 9, 14, 40)] == ["IV", "IX", "XIV",
                                                                        "XL"]


def test_plan_workbook_round_trip_keeps_the_group_keys(tmp_path):
    from cchc_xlsx.plan_import.plan_workbook import write_plan_workbook

    plan = expected_restarting_004()
    write_plan_workbook(plan, tmp_path / "kh.xlsx")
    back, _ = import_plan(tmp_path / "kh.xlsx")
    assert _areas(back) == _areas(plan)
    assert [t.key for t in back.tasks][:4] == ["task:A.1", "task:A.2", "task:A.3", "task:A.4"]


def test_year_from_the_appendix_title_when_the_first_page_has_none(tmp_path):
    """A first page without date or year in its trích yếu: the appendix title says 2023."""
    from .plan_docs import write_layout_docx

    rows = [["STT", "Nhiệm vụ", "Sản phẩm", "Chủ trì", "Phối hợp", "Thời hạn"],
            ["1", "Rà soát quy trình", "Báo cáo", "Văn phòng", "Các phòng", "Quý II"]]
    path = write_layout_docx(tmp_path / "kh.docx", [
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG TIỂU HỌC A", "Số: /KH-THA",
        "KẾ HOẠCH", "Cải cách hành chính", "Nơi nhận:", "- Lưu: VT.", "HIỆU TRƯỞNG",
        "Nguyễn Văn An", "PHỤ LỤC", "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2023"], [(rows, 1)])
    plan, review = import_plan(path)
    assert plan.meta.year == 2023
    assert plan.tasks[0].products[0].deadline.start.isoformat() == "2023-04-01"
    assert not [d for d in review.doubts if d.anchor == ("meta", "year")]
    assert len(plan.schedule) == 4


def test_stt_numbered_by_the_list_number_style(tmp_path):
    """STT cells in Word's "List Number" style: the list comes from the style's numPr."""
    import docx

    plan = sample("004")
    d = docx.Document()
    d.add_paragraph("PHỤ LỤC")
    d.add_paragraph("NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2023")
    tasks = plan.areas[0].tasks[:2] + plan.areas[1].tasks
    t = d.add_table(rows=len(tasks) + 1, cols=5)
    for c, text in enumerate(["STT", "Nhiệm vụ", "Sản phẩm", "Chủ trì", "Thời hạn"]):
        t.cell(0, c).text = text
    for r, task in enumerate(tasks, start=1):
        p = task.products[0]
        t.cell(r, 0).paragraphs[0].style = d.styles["List Number"]
        for c, text in enumerate([task.content, p.product, p.lead, p.deadline.text], start=1):
            t.cell(r, c).text = text
    d.save(str(tmp_path / "kh.docx"))
    got, _ = import_plan(tmp_path / "kh.docx")
    assert [t.stt for t in got.tasks] == ["1", "2", "3", "4"]
    assert [(t.content, t.products[0].product, t.products[0].lead) for t in got.tasks] == [
        (t.content, t.products[0].product, t.products[0].lead) for t in tasks]
