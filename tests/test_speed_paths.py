"""The faster paths of issue 18 give the answers of the plain ones they replace."""

from __future__ import annotations

import random

import pytest
from xlsxwriter.utility import xl_col_to_name

from cchc_xlsx.checking.validate import Stacked
from cchc_xlsx.reading import file_guard
from cchc_xlsx.reading.bounds import col_name


def test_col_name_matches_xlsxwriter():
    for col in list(range(0, 800)) + [16_383, 18_277, 18_278]:
        assert col_name(col) == xl_col_to_name(col)


def _plain_has_dtd(window: bytes) -> bool:
    if b"<!" not in window and b"<\x00!" not in window:
        return False
    lowered = window.lower()
    return any(needle in lowered for needle in file_guard._DTD_NEEDLES)


def test_dtd_test_matches_the_plain_one():
    rnd = random.Random(18)
    pieces = [b"<c r=\"A1\"><f>Sheet1!A1</f></c>", b"!", b"<", b"\x00", b"<!-- x -->",
              b"<!DOCTYPE x>", b"<!ENTITY a 'b'>", b"<\x00!\x00D\x00O\x00C\x00T\x00Y\x00P\x00E",
              b"text", b"<!doctype", b"!!!!!!!!", b"<![CDATA[x]]>"]
    windows = [b"", b"!", b"<!", b"x<", b"!" * 200 + b"<!DOCTYPE"]
    for _ in range(3000):
        windows.append(b"".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 80))))
    for window in windows:
        assert file_guard._has_dtd(window) == _plain_has_dtd(window), window


@pytest.mark.parametrize("same_keys", [0.0, 0.7])
def test_stacked_extend_matches_append(same_keys):
    # same_keys: how often a file has the columns of the one before (in any order), as
    # the files of a batch mostly do: ``extend`` then takes its short way
    rnd = random.Random(7)
    by_append, by_extend = Stacked(), Stacked()
    keys: list[str] = ["_f", "_key", "a", "b", "c", "d"]
    short = 0
    for fi in range(60):
        if rnd.random() < same_keys and fi:
            keys = rnd.sample(keys, len(keys))
        else:
            keys = ["_f", "_key", *rnd.sample(["a", "b", "c", "d"], rnd.randint(0, 4))]
        recs = [{k: (fi if k == "_f" else rnd.random()) for k in keys}
                for _ in range(rnd.randint(0, 5))]
        for rec in recs:
            by_append.append(rec)
        columns: dict[str, list] = {}
        for rec in recs:
            columns.update(dict.fromkeys(rec))
        part = {k: [(0 if k == "_f" else rec.get(k)) for rec in recs] for k in columns}
        short += part.keys() == by_extend.columns.keys()
        by_extend.extend(part, len(recs), fi)
    assert short >= 5 or not same_keys
    assert by_extend.n == by_append.n
    assert list(by_extend.columns) == list(by_append.columns)
    assert by_extend.columns == by_append.columns


def test_unicode_vietnamese_test_matches_the_plain_loop():
    from cchc_xlsx.reading import normalize

    def plain(text: str) -> bool:
        return any(ch in normalize.UNICODE_ONLY_VIETNAMESE or "\u1ea0" <= ch <= "\u1ef9"
                   for ch in text)

    for cp in range(0x10000):
        if not 0xD800 <= cp < 0xE000:
            assert normalize._has_unicode_vietnamese(chr(cp)) == plain(chr(cp)), hex(cp)
    rnd = random.Random(18)
    pool = [chr(c) for c in range(0x20, 0x300)] + sorted(normalize.UNICODE_ONLY_VIETNAMESE)
    pool += [chr(c) for c in range(0x1E9F, 0x1EFB)]
    for _ in range(3000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 20)))
        assert normalize._has_unicode_vietnamese(text) == plain(text), text


def test_number_cells_short_way_matches_the_plain_one():
    """A float in a number column skips ``_normal``: same raw text, same value."""
    import math

    from cchc_xlsx.checking.validate import _raw_text
    from cchc_xlsx.reading.normalize import parse_number

    rnd = random.Random(18)
    values = [0.0, -0.0, 1.0, 2.5, 1e300, 1e-300, math.inf, -math.inf, math.nan,
              123456789012345678.0, 0.1 + 0.2]
    values += [rnd.uniform(-1e6, 1e6) for _ in range(2000)]
    values += [float(rnd.randint(-10**9, 10**9)) for _ in range(2000)]
    for v in values:
        assert (str(int(v)) if v.is_integer() else str(v)) == _raw_text(v)
        short = v if math.isfinite(v) else None
        plain = parse_number(v)
        assert (short is None and plain is None) or short == plain


def test_repacked_workbook_holds_the_same_entries(tmp_path):
    """Issue 18: the guard hands calamine the parts it inflated and checked, stored in an
    in-memory ZIP, so they are not inflated twice. That ZIP holds every entry of the file
    with the same bytes, and calamine reads the same values from it as from the file."""
    import io
    import zipfile
    from pathlib import Path

    import python_calamine as pc

    samples = []
    for path in sorted(Path(__file__).resolve().parent.parent.glob("samples/returns/*.xlsx")):
        try:
            file_guard.inspect_workbook(path)
        except file_guard.UnusableFile:
            continue  # the samples' planted unusable files
        samples.append(path)
    assert len(samples) >= 5
    with zipfile.ZipFile(samples[0]) as z:  # plus an image, copied as it is, and a UTF-8 name
        entries = [(info, z.read(info)) for info in z.infolist()]
    extra = tmp_path / "anh-kem.xlsx"
    with zipfile.ZipFile(extra, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, data)
        out.writestr("xl/media/ảnh 1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    for path in [*samples, extra]:
        seen = file_guard.inspect_workbook(path, repack=True)
        assert seen.data is not None and file_guard.inspect_workbook(path).data is None
        with zipfile.ZipFile(path) as z, zipfile.ZipFile(io.BytesIO(seen.data)) as r:
            assert r.testzip() is None
            assert [i.filename for i in r.infolist()] == z.namelist()
            for info in z.infolist():
                assert r.read(info.filename) == z.read(info), info.filename
        plain = pc.CalamineWorkbook.from_path(str(path))
        packed = pc.CalamineWorkbook.from_filelike(io.BytesIO(seen.data))
        assert packed.sheet_names == plain.sheet_names
        for name in plain.sheet_names:
            assert (packed.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    == plain.get_sheet_by_name(name).to_python(skip_empty_area=False))


def test_blank_text_test_matches_strip():
    """The pandera pass's blank masks test text with ``not v or v.isspace()`` instead of
    ``not v.strip()`` (no copy per cell): the same answer for every code point and mix."""
    import sys

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert (not ch.strip()) == ch.isspace(), hex(code)
    for text in ["", " ", " \t\n\u00a0\u3000 ", " a ", "\u200b", "x", "\u2028\u2029\x1c"]:
        assert (not text.strip()) == (not text or text.isspace()), repr(text)
