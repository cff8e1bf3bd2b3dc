"""Generated workbooks in LibreOffice: they print as official appendices, and a re-save
keeps the hidden identity and the row keys."""

from __future__ import annotations

import re
import unicodedata

import pytest
from openpyxl import load_workbook

from cchc_xlsx.forms.identity import SHEET, parse_key_header

from .conftest import needs_soffice
from .libreoffice import pdf_text, soffice_convert

pytestmark = [needs_soffice, pytest.mark.libreoffice]


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture(scope="module")
def pdf_pages(one_book, tmp_path_factory, profile):
    pdf = soffice_convert(one_book, tmp_path_factory.mktemp("pdf"), "pdf", profile)
    text = unicodedata.normalize("NFC", pdf_text(pdf))
    return text.split("\f")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_has_both_header_blocks_and_the_heading(pdf_pages):
    first = _flat(pdf_pages[0])
    for expected in ("ỦY BAN NHÂN DÂN QUẬN 8", "TRƯỜNG MẦM NON SƠN CA",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Phụ lục I", "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"):
        assert expected in first


def test_pdf_has_the_task_rows(pdf_pages, plan001):
    text = _flat(" ".join(pdf_pages))
    for task in plan001.tasks:
        # the first words of every task, as wrapped text may break later lines anywhere
        words = " ".join(task.content.split()[:4])
        assert words in text, task.stt


def test_each_appendix_numbered_on_its_own_without_a_number_on_its_first_page(pdf_pages):
    pages = [[ln.strip() for ln in p.splitlines() if ln.strip()] for p in pdf_pages]
    pages = [p for p in pages if p]
    starts = [i for i, p in enumerate(pages) if any(ln.startswith("Phụ lục") for ln in p[:12])]
    assert len(starts) == 3  # the three report appendices (a unit's workbook has no KH sheet)
    for i, page in enumerate(pages):
        previous_start = max(s for s in starts if s <= i)
        if i == previous_start:
            assert page[0].startswith("ỦY BAN NHÂN DÂN"), i  # no number on an appendix's page 1
        else:
            assert page[0] == str(i - previous_start + 1), i  # centred number at the top
    second = pages[1]
    assert any("Nhiệm vụ cụ thể" in ln for ln in second[:6])  # the table header is repeated


def test_signature_block_printed(pdf_pages):
    text = _flat(" ".join(pdf_pages))
    assert "KT. HIỆU TRƯỞNG" in text and "PHÓ HIỆU TRƯỞNG" in text
    assert "Lê Thị Mỹ Dung" in text and "Nơi nhận:" in text


def _keys(wb):
    found = {}
    for ws in wb.worksheets:
        if ws.title == SHEET:
            continue
        col = ws.max_column
        ident, keys = None, []
        for (v,) in ws.iter_rows(min_col=col, max_col=col, values_only=True):
            if parse_key_header(v):
                ident = parse_key_header(v)
            elif ident and v:
                keys.append(v)
        found[ident] = keys
    return found


def test_resave_by_libreoffice_keeps_identity_and_row_keys(one_book, tmp_path, profile):
    resaved = soffice_convert(one_book, tmp_path / "resaved", "xlsx", profile)
    before, after = load_workbook(one_book), load_workbook(resaved)
    assert SHEET in after.sheetnames
    assert after[SHEET].sheet_state in ("hidden", "veryHidden")
    ident = lambda wb: [r for r in wb[SHEET].iter_rows(values_only=True)]  # noqa: E731
    assert ident(after) == ident(before)
    assert _keys(after) == _keys(before)
    assert after["BC Nhiệm vụ"].protection.sheet
