"""The generated plan appendices of seeds 001 and 004 hold the seed tables word for word.

The expected rows are parsed here from the seed texts themselves (``../shared/seeds/``), not
from the transcribed sample plans, so that a transcription error in ``samples/plans/`` fails.
Without the seed folder (a clone without ``shared/``) the whole module is skipped.

Seed text conventions (see the seeds' README.md): tables are tab-separated; a table that
crosses a page boundary shows a blank line and, in 001, repeats its header row; a cell cut by
the page break continues in the first row of the next page, same column, and is joined back
here with one space. HTML tags (``<b>``, ``<p>``) are stripped. Both sides are compared after
Unicode NFC and collapsing every whitespace run (newlines included) to one space; nothing
else is normalised, so typos, punctuation and doubled dots must match exactly.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from cchc_xlsx.forms.generate import generate
from cchc_xlsx.plans.plan_loader import load_plan

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PLANS = Path(__file__).resolve().parents[1] / "samples" / "plans"
SEED_001 = SEEDS / "001_0485c4d67e64fd28.txt"
SEED_004 = SEEDS / "004_28af4962b677612f.txt"
PLAN_001 = PLANS / "001-mntt-q8-2023.yaml"
PLAN_004 = PLANS / "004-sgddt-soctrang-2023.yaml"

pytestmark = [
    pytest.mark.seeds,
    pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed folder {SEEDS} not present"),
]

TASK_HEADER_001 = [
    "STT",
    "Nhiệm vụ cụ thể",
    "Sản phẩm",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
]
INDICATOR_HEADER_001 = [
    "STT",
    "Chỉ tiêu",
    "Cơ quan chủ trì, theo dõi, tổng hợp",
    "Cơ quan phối hợp",
]
TASK_HEADER_004 = [
    "Nhiệm vụ chung",
    "Nhiệm vụ cụ thể",
    "Sản phẩm",
    "Thời gian thực hiện",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
]

# The one place the seed text cannot tell: 004's "Nhiệm vụ chung" is a vertically merged cell
# and the extraction prints its text in one row of the group, not always the first. The seeds'
# README says "Cải cách tài chính công" shows beside task 28 though the group starts at 26.
GROUP_STARTS_004 = {"Cải cách tài chính công": 26}

TASK_NUMBER = re.compile(r"(\d+)\.\s+(.*)", re.S)


# --- text helpers ----------------------------------------------------------------------------


def norm(value: object) -> str:
    """NFC, every whitespace run (newlines included) to one space, trimmed; None -> ""."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def strip_tags(text: str) -> str:
    """Drop HTML tags: block tags (<p>, <br>, <div>) become a space, inline ones vanish."""
    text = re.sub(r"</?(?:p|br|div)\b[^>]*>", " ", text, flags=re.I)
    return re.sub(r"<[^>]+>", "", text)


def cell(text: str) -> str:
    return norm(strip_tags(text))


def join(head: str, tail: str) -> str:
    """A cell cut by a page break: the part on the next page follows after one space."""
    if not tail:
        return head
    return f"{head} {tail}" if head else tail


# --- seed parsers ----------------------------------------------------------------------------


def seed_table(path: Path, marker: str, header: list[str]) -> list[tuple[bool, bool, list[str]]]:
    """The rows of the table whose header follows `marker` in the seed, as
    (after_break, bold, cells).

    Cells are tag-stripped and normalised, padded to the header's width. The table runs from
    its header line to the first non-blank line without a tab. `after_break` is True for the
    first row after a page break (a blank line, with or without a repeated header row);
    repeated header rows are dropped. `bold` says a cell of the row is in <b> (a group row).
    """
    lines = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line)
    first = next(
        i for i in range(start, len(lines)) if [cell(c) for c in lines[i].split("\t")] == header
    )
    rows: list[tuple[bool, bool, list[str]]] = []
    after_break = False
    for line in lines[first + 1 :]:
        if not line.strip():
            after_break = True
            continue
        if "\t" not in line:
            break
        cells = [cell(c) for c in line.split("\t")]
        if cells == header:
            after_break = True
            continue
        assert len(cells) <= len(header), f"more cells than columns: {line!r}"
        bold = "<b>" in line.lower()
        rows.append((after_break, bold, cells + [""] * (len(header) - len(cells))))
        after_break = False
    return rows


def joined_rows(raw: list[tuple[bool, bool, list[str]]]) -> list[tuple[bool, list[str]]]:
    """(bold, cells) per row, each page-break continuation row joined into the row before it
    column by column. A continuation is the first row after a break with an empty STT."""
    rows: list[tuple[bool, list[str]]] = []
    for after_break, bold, cells in raw:
        if after_break and rows and not cells[0]:
            head_bold, head = rows[-1]
            rows[-1] = (head_bold, [join(a, b) for a, b in zip(head, cells, strict=True)])
        else:
            rows.append((bold, cells))
    return rows


def seed_001_tasks() -> list[tuple[str, ...]]:
    """001 Phụ lục 1 in order: (stt, title) for group rows and
    (stt, content, product, lead, coordinating, deadline) for task rows.

    Group rows are the rows whose only text is the bold title in column 2. A row after a
    page break with an empty STT continues the row before it (task 4.1's content).
    """
    out: list[tuple[str, ...]] = []
    for bold, (stt, content, *rest) in joined_rows(
        seed_table(SEED_001, "PHỤ LỤC 1", TASK_HEADER_001)
    ):
        assert stt, f"row without STT: {content!r}"
        if bold:
            assert not any(rest), f"group row {stt} with more than a title"
            out.append((stt, content))
        else:
            out.append((stt, content, *rest))
    return out


def seed_001_indicators() -> list[tuple[str, str, str, str]]:
    """001 Phụ lục 2 in order: (stt, text, lead, coordinating), group rows included
    (their lead and coordinating cells are empty)."""
    rows = joined_rows(seed_table(SEED_001, "PHỤ LỤC 2", INDICATOR_HEADER_001))
    return [tuple(cells) for _, cells in rows]


def seed_004_rows() -> list[tuple[str, str, str, str, str, str, str]]:
    """004 Phụ lục, one tuple per product row, in order:
    (group title, task number, content, product, deadline, lead, coordinating).

    Column 2 reads "N. content"; a row with an empty column 2 is another product row of the
    task above (task 3 has three). A row after a page break whose column 2 does not start
    with "N. " continues the row above. The group column is a vertically merged cell: its
    text is printed in one row of the group, and a continuation row's group text continues
    the last group title seen ("Cải cách thủ tục" / "hành chính"), not the row above.
    """
    raw = seed_table(SEED_004, "Phân công nhiệm vụ và triển khai", TASK_HEADER_004)
    contents: dict[str, str] = {}  # task number -> content
    products: list[list[str]] = []  # [task number, product, deadline, lead, coordinating]
    titles: list[str] = []  # group titles in order, each printed beside row anchors[i]
    anchors: list[int] = []
    for after_break, _, (group, task, *rest) in raw:
        numbered = TASK_NUMBER.fullmatch(task)
        if after_break and products and task and not numbered:  # continues the row above
            if group:
                assert titles, f"group continuation before any group: {group!r}"
                titles[-1] = join(titles[-1], group)
            number = products[-1][0]
            contents[number] = join(contents[number], task)
            products[-1][1:] = [join(a, b) for a, b in zip(products[-1][1:], rest, strict=True)]
            continue
        if numbered:
            number, content = numbered.groups()
            assert number not in contents, f"task {number} twice"
            contents[number] = content
        else:
            assert not task and products, f"unnumbered task text: {task!r}"
            number = products[-1][0]  # another product row of the task above
        if group:
            titles.append(group)
            anchors.append(len(products))
        products.append([number, *rest])
    # Each group runs from its start row to the next group's start row.
    starts = []
    for title, anchor in zip(titles, anchors, strict=True):
        if title in GROUP_STARTS_004:
            start = next(i for i, p in enumerate(products) if p[0] == str(GROUP_STARTS_004[title]))
            assert start <= anchor and (not starts or start > starts[-1]), title
            anchor = start
        starts.append(anchor)
    assert starts and starts[0] == 0, "the first row has no group title"
    out = []
    for i, p in enumerate(products):
        title = titles[max(k for k, s in enumerate(starts) if s <= i)]
        out.append((title, p[0], contents[p[0]], *p[1:]))
    return out


# --- workbook readers ------------------------------------------------------------------------


def form_table(path: Path, form_id: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The table of the sheet that holds form `form_id`: (header labels, [(row key, cells)]).

    The sheet is found by its hidden key column, whose header cell reads
    "cchc:<form_id>:<version>"; data rows are the rows below it with a key. Cells are read
    merge-aware (every cell of a merged range gives the range's value) and normalised.
    """
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        found = [
            c
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith(f"cchc:{form_id}:")
        ]
        if not found:
            continue
        assert len(found) == 1, f"{form_id}: {len(found)} key headers in {ws.title}"
        head_row, key_col = found[0].row, found[0].column
        merged = {}
        for rng in ws.merged_cells.ranges:
            top_left = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[r, c] = top_left

        def value(r: int, c: int, merged=merged, ws=ws) -> str:
            return norm(merged.get((r, c), ws.cell(r, c).value))

        header = [value(head_row, c) for c in range(1, key_col)]
        rows = []
        for r in range(head_row + 1, ws.max_row + 1):
            key = value(r, key_col)
            if key:
                rows.append((key, [value(r, c) for c in range(1, key_col)]))
        return header, rows
    raise AssertionError(f"no sheet with form {form_id} in {path.name}")


def columns(header: list[str], wanted: list[str]) -> list[int]:
    missing = [w for w in wanted if w not in header]
    assert not missing, f"columns {missing} not in the sheet's header {header}"
    return [header.index(w) for w in wanted]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book001(tmp_path_factory) -> Path:
    (path,) = generate(load_plan(PLAN_001), None, tmp_path_factory.mktemp("seed001"))
    return path


@pytest.fixture(scope="module")
def book004(tmp_path_factory) -> Path:
    (path,) = generate(load_plan(PLAN_004), None, tmp_path_factory.mktemp("seed004"))
    return path


# --- the seed parsers themselves ---------------------------------------------------------------


def test_001_seed_has_44_tasks_in_7_groups():
    rows = seed_001_tasks()
    groups = [r[0] for r in rows if len(r) == 2]
    tasks = [r[0] for r in rows if len(r) == 6]
    assert groups == ["1", "2", "3", "4", "5", "6", "7"]
    assert len(tasks) == 44
    sizes = {g: sum(t.split(".")[0] == g for t in tasks) for g in groups}
    assert sizes == {"1": 9, "2": 6, "3": 9, "4": 3, "5": 5, "6": 7, "7": 5}
    for g in groups:
        numbered = [t for t in tasks if t.split(".")[0] == g]
        assert numbered == [f"{g}.{i}" for i in range(1, len(numbered) + 1)]
    (task41,) = [r for r in rows if r[0] == "4.1"]
    assert "của Chính phù quy định chi tiết" in task41[1]  # joined across the page break


def test_001_seed_has_13_indicators_and_3_groups():
    rows = seed_001_indicators()
    assert [r[0] for r in rows] == "1 2 2.1 2.3 2.4 3 3.1 3.2 4 5 6 7 7.1 7.2 7.3 7.4".split()
    assert [r[0] for r in rows if not r[2] and not r[3]] == ["2", "3", "7"]  # group rows
    assert len([r for r in rows if r[2]]) == 13


def test_004_seed_has_36_tasks_in_7_groups():
    rows = seed_004_rows()
    numbers = list(dict.fromkeys(r[1] for r in rows))
    assert numbers == [str(n) for n in range(1, 37)]
    assert len(rows) == 38  # task 3 has three product rows
    groups = {}
    for title, number, *_ in rows:
        groups.setdefault(title, []).append(int(number))
    assert {t: (min(n), max(n)) for t, n in groups.items()} == {
        "Công tác chỉ đạo, điều hành": (1, 9),
        "Cải cách thể chế": (10, 11),
        "Cải cách thủ tục hành chính": (12, 16),
        "Cải cách tổ chức bộ máy": (17, 19),
        "Cải cách chế độ công vụ": (20, 25),
        "Cải cách tài chính công": (26, 30),
        "Xây dựng và phát triển Chính quyền điện tử, chính quyền số": (31, 36),
    }


# --- 001: Phụ lục 1 (tasks) and Phụ lục 2 (indicators) -------------------------------------------


def test_001_task_table_header(book001):
    header, _ = form_table(book001, "plan_tasks_grouped")
    assert header == TASK_HEADER_001


def test_001_tasks_word_for_word(book001):
    header, rows = form_table(book001, "plan_tasks_grouped")
    stt, title = columns(header, ["STT", "Nhiệm vụ cụ thể"])
    cols = columns(header, TASK_HEADER_001)
    book = []
    for key, cells in rows:
        if key.startswith("grp:"):
            book.append((cells[stt], cells[title]))
        else:
            assert key.startswith("task:"), key
            book.append(tuple(cells[c] for c in cols))
    expected = seed_001_tasks()
    assert [r[:2] for r in book] == [r[:2] for r in expected]  # order, numbering, wording
    assert book == expected  # and every cell


def test_001_indicators_word_for_word(book001):
    header, rows = form_table(book001, "plan_indicators")
    assert header == INDICATOR_HEADER_001
    cols = columns(header, INDICATOR_HEADER_001)
    book = []
    for key, cells in rows:
        assert key.startswith(("grp:", "ind:")), key
        if key.startswith("grp:"):
            # a group row's title spans the row: only STT and the title are its own cells
            book.append((cells[cols[0]], cells[cols[1]], "", ""))
        else:
            book.append(tuple(cells[c] for c in cols))
    expected = seed_001_indicators()
    assert [r[:2] for r in book] == [r[:2] for r in expected]
    assert book == expected


def test_001_report_lists_the_same_44_tasks(book001):
    header, rows = form_table(book001, "report_tasks")
    stt, content = columns(header, ["STT", "Nhiệm vụ cụ thể"])
    book = [(cells[stt], cells[content]) for key, cells in rows if key.startswith("task:")]
    expected = [r[:2] for r in seed_001_tasks() if len(r) == 6]
    assert len(expected) == 44
    assert book == expected


# --- 004: Phụ lục (tasks by column group) --------------------------------------------------------


def book_004_rows(book004) -> list[tuple[str, ...]]:
    header, rows = form_table(book004, "plan_tasks_column")
    assert header == TASK_HEADER_004
    group, task, *rest = columns(header, TASK_HEADER_004)
    out = []
    for key, cells in rows:
        assert key.startswith("task:"), key
        numbered = TASK_NUMBER.fullmatch(cells[task])
        assert numbered, f"{key}: {cells[task]!r} is not 'N. content'"
        out.append((cells[group], *numbered.groups(), *(cells[c] for c in rest)))
    return out


def test_004_tasks_word_for_word(book004):
    book = book_004_rows(book004)
    expected = seed_004_rows()
    assert [r[1:3] for r in book] == [r[1:3] for r in expected]  # order, numbering, wording
    assert book == expected  # and every cell, group titles included


def test_004_group_titles_in_order(book004):
    book = list(dict.fromkeys(r[0] for r in book_004_rows(book004)))
    assert book == list(dict.fromkeys(r[0] for r in seed_004_rows()))


def test_004_task_3_has_three_product_rows(book004):
    book = [r for r in book_004_rows(book004) if r[1] == "3"]
    expected = [r for r in seed_004_rows() if r[1] == "3"]
    assert len(expected) == 3
    assert book == expected
