"""cchc_xlsx.reading.normalize: numbers, percentages, dates, Vietnamese text keys, legacy encodings.

The legacy tables are checked three ways: every Vietnamese letter round-trips through the
module's own encoder and decoder; the tables agree with independently written tables
(TCVN3 per byte, after the X11 TCVN-5712 table; VNI per letter in xvnkb's order); and
hard-coded real-world legacy strings decode to the expected Unicode. The detector is run
over every line and word of the seed plans (real Unicode text), which must never be
reported as legacy.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from cchc_xlsx.reading.normalize import (
    VIETNAMESE_LETTERS,
    DateReading,
    ascii_fold,
    detect_legacy,
    excel_serial_to_date,
    fold,
    font_encoding,
    is_capital_font,
    legacy_to_unicode,
    nfc,
    parse_date,
    parse_number,
    parse_percent,
    unicode_to_legacy,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = [
    pytest.mark.seeds,
    pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed folder {SEEDS} not present"),
]
SHY = "\u00ad"  # TCVN3 "ư" (byte 0xAD) read as cp1252: an invisible soft hyphen


def seed_lines() -> list[str]:
    if not SEEDS.is_dir():
        return []
    return [
        line.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_standard_library_only():
    """Imported on hot paths: must not pull in pandas, numpy or openpyxl."""
    code = (
        "import sys, cchc_xlsx.reading.normalize; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pandas', 'numpy', 'openpyxl', 'yaml', 'xlsxwriter', 'click'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- parse_number ------------------------------------------------------------------------

NUMBERS = [
    (5, 5.0),
    (98.5, 98.5),
    (0, 0.0),
    (True, None),
    (False, None),
    (None, None),
    ("", None),
    ("   ", None),
    (float("nan"), None),
    (float("inf"), None),
    (date(2024, 3, 5), None),
    ("42", 42.0),
    (" 42\u00a0", 42.0),
    ("1.234", 1234.0),  # dot + exactly three digits: thousands (vi-VN)
    ("1.500", 1500.0),
    ("1.234.567", 1234567.0),
    ("0.985", 0.985),  # a first group "0" cannot be thousands
    ("98.5", 98.5),
    ("1234.567", 1234.567),  # first group of four digits: decimal
    ("1,234.5", 1234.5),  # en
    ("1.234,5", 1234.5),  # vi
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("98,5", 98.5),
    ("0,985", 0.985),
    ("1,234", 1.234),  # pinned: a single comma is the vi-VN decimal mark
    ("1,234,567", 1234567.0),  # two commas can only be thousands
    ("1 234 567", 1234567.0),
    ("1\u00a0234,5", 1234.5),
    ("1\u202f234", 1234.0),
    ("-5", -5.0),
    ("+5", 5.0),
    ("\u22125", -5.0),
    ("-1.234,5", -1234.5),
    ("12.", 12.0),
    ("12,", 12.0),
    (".5", 0.5),
    (",5", 0.5),
    ("1e3", 1000.0),
    ("1.5E-2", 0.015),
    ("(5)", None),  # the column-number row "(1) (2) (3)", not a negative
    ("98%", None),  # percent is parse_percent's job
    ("mười", None),
    ("12abc", None),
    ("abc", None),
    ("-", None),
    ("+-5", None),
    ("- 5", None),
    (".", None),
    (",", None),
    ("1.2.3", None),
    ("1,23,456", None),
    ("1 2", None),
    ("1,5.3", None),
    ("1,234.567.8", None),
    ("1.234,5,6", None),
    ("inf", None),
    ("nan", None),
    ("1_000", None),
    ("١٢", None),  # non-ASCII digits
]


@pytest.mark.parametrize(("value", "expected"), NUMBERS, ids=repr)
def test_parse_number(value, expected):
    result = parse_number(value)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# --- parse_percent -----------------------------------------------------------------------

PERCENTS = [
    ("98%", 0.98),
    ("98,5%", 0.985),
    ("98.5 %", 0.985),
    ("98,5\u00a0%", 0.985),
    ("98\uff05", 0.98),
    ("100%", 1.0),
    ("150%", 1.5),  # with a sign there is no upper limit
    ("0%", 0.0),
    ("0,985", 0.985),  # bare <= 1: a fraction
    ("98", 0.98),  # bare in (1, 100]: percent points
    ("98,5", 0.985),
    (0.98, 0.98),  # a cell formatted as %
    (98, 0.98),
    (100, 1.0),
    (1, 1.0),  # pinned: a bare 1 is 100 %
    (0, 0.0),
    (150, None),  # bare over 100: suspicious
    ("150", None),
    (100.5, None),
    (-0.5, -0.5),
    (-50, -0.5),
    ("%", None),
    ("%98", None),
    ("abc%", None),
    ("", None),
    (None, None),
    (True, None),
]


@pytest.mark.parametrize(("value", "expected"), PERCENTS, ids=repr)
def test_parse_percent(value, expected):
    result = parse_percent(value)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# --- dates -------------------------------------------------------------------------------

D = date
DATES = [
    # value, expected value, alternative, note
    ("05/3/2024", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),
    ("5-3-2024", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),
    ("05.03.2024", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),
    ("05 / 03 / 2024", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),
    ("05/03/24", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),  # ambiguity wins
    ("25/03/24", D(2024, 3, 25), None, "two_digit_year"),
    ("25/03/2024", D(2024, 3, 25), None, "text"),
    ("05/05/2024", D(2024, 5, 5), None, "text"),  # same either way
    ("13/12/2023", D(2023, 12, 13), None, "text"),
    ("  05/12/2023  ", D(2023, 12, 5), D(2023, 5, 12), "ambiguous"),
    ("05/03/2024 08:30", D(2024, 3, 5), D(2024, 5, 3), "ambiguous"),
    ("ngày 25/3/2024", D(2024, 3, 25), None, "text"),
    ("2024-03-05", D(2024, 3, 5), None, "text"),  # year first: never ambiguous
    ("2024/3/5", D(2024, 3, 5), None, "text"),
    ("2024-03-05T08:30:00", D(2024, 3, 5), None, "text"),
    ("ngày 05 tháng 3 năm 2024", D(2024, 3, 5), None, "text"),
    ("  Ngày 19 tháng 02 năm 2024 ", D(2024, 2, 19), None, "text"),
    ("05 tháng 3 năm 2024", D(2024, 3, 5), None, "text"),
    ("ngày 5 tháng 3, năm 2024", D(2024, 3, 5), None, "text"),
    (nfc("ngày 05 tháng 3 năm 2024").replace("á", "a\u0301"), D(2024, 3, 5), None, "text"),
    ("31/02/2024", None, None, "invalid"),
    ("29/02/2023", None, None, "invalid"),
    ("29/02/2024", D(2024, 2, 29), None, "text"),
    ("00/03/2024", None, None, "invalid"),
    ("03/25/2024", None, D(2024, 3, 25), "invalid"),  # only month first makes sense
    ("2024-02-30", None, None, "invalid"),
    ("05/03/1850", None, None, "invalid"),
    ("ngày 32 tháng 1 năm 2024", None, None, "invalid"),
    ("abc", None, None, "unrecognized"),
    ("Quý I/2024", None, None, "unrecognized"),
    ("5/3", None, None, "unrecognized"),
    ("05/03-2024", None, None, "unrecognized"),
    (45356, D(2024, 3, 5), None, "serial"),
    (45356.75, D(2024, 3, 5), None, "serial"),  # time of day dropped
    (45356.0, D(2024, 3, 5), None, "serial"),
    ("45356", D(2024, 3, 5), None, "serial"),
    (20000, D(1954, 10, 3), None, "serial"),
    (80000, D(2119, 1, 11), None, "serial"),
    (19999, None, None, "out_of_range"),
    (80001, None, None, "out_of_range"),
    (25, None, None, "out_of_range"),  # a count typed in a date column
    (60, None, None, "out_of_range"),
    (-1, None, None, "out_of_range"),
    ("2024", None, None, "out_of_range"),
    (float("nan"), None, None, "unrecognized"),
    (True, None, None, "unrecognized"),
    (None, None, None, ""),
    ("", None, None, ""),
    ("   ", None, None, ""),
    (D(2024, 3, 5), D(2024, 3, 5), None, ""),
    (datetime(2024, 3, 5, 8, 30), D(2024, 3, 5), None, ""),
]


@pytest.mark.parametrize(("value", "expected", "alternative", "note"), DATES, ids=repr)
def test_parse_date(value, expected, alternative, note):
    reading = parse_date(value)
    assert (reading.value, reading.alternative, reading.note) == (expected, alternative, note)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  05/3/2024 ", "05/3/2024"),
        ("ngày  05   tháng 3 năm 2024", "ngày 05 tháng 3 năm 2024"),
        (45356, "45356"),
        (45356.0, "45356"),
        (45356.5, "45356.5"),
        (D(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 8, 30), "2024-03-05T08:30:00"),
        (None, ""),
    ],
)
def test_parse_date_keeps_what_was_found(value, text):
    assert parse_date(value).text == text


def test_date_reading_is_frozen():
    reading = parse_date("05/3/2024")
    assert isinstance(reading, DateReading)
    with pytest.raises(AttributeError):
        reading.value = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [
        (1, False, D(1900, 1, 1)),
        (59, False, D(1900, 2, 28)),
        (60, False, None),  # Excel's 29 February 1900 that never was
        (61, False, D(1900, 3, 1)),
        (0, False, None),
        (-5, False, None),
        (36526, False, D(2000, 1, 1)),
        (45292, False, D(2024, 1, 1)),
        (45356.99, False, D(2024, 3, 5)),
        (2958465, False, D(9999, 12, 31)),
        (2958466, False, None),
        (1e20, False, None),
        (float("nan"), False, None),
        (0, True, D(1904, 1, 1)),
        (1, True, D(1904, 1, 2)),
        (43894, True, D(2024, 3, 5)),  # 45356 - 1462
        (-1, True, None),
    ],
)
def test_excel_serial_to_date(serial, date1904, expected):
    assert excel_serial_to_date(serial, date1904) == expected


@pytest.mark.parametrize(
    ("value", "expected", "note"),
    [
        (43894, D(2024, 3, 5), "serial"),
        (45356, D(2028, 3, 6), "serial"),  # 1462 days after the 1900 reading
        (18538, D(1954, 10, 3), "serial"),  # the 1900 system's 20000
        (18537, None, "out_of_range"),
        ("05/3/2024", D(2024, 3, 5), "ambiguous"),  # text is not shifted
    ],
)
def test_parse_date_1904(value, expected, note):
    reading = parse_date(value, date1904=True)
    assert (reading.value, reading.note) == (expected, note)


# --- nfc, fold, ascii_fold ---------------------------------------------------------------

# Pairs that must give the same key: old/new tone placement, misplaced marks, NFD, case.
SAME_KEY = [
    ("hoà", "hòa"),
    ("Hòa Bình", "HOÀ BÌNH"),
    ("thuỷ", "thủy"),
    ("Thủy sản", "thuỷ sản"),
    ("khoẻ", "khỏe"),
    ("quý", "qúy"),
    ("Quý I", "qúy i"),
    ("uỷ ban", "ủy ban"),
    ("Ủy ban nhân dân", "Uỷ ban nhân dân"),
    ("loè loẹt", "lòe lọet"),
    ("xoá", "xóa"),
    ("hoạ", "họa"),
    ("toả", "tỏa"),
    ("thoả thuận", "thỏa thuận"),
    ("luỹ kế", "lũy kế"),
    ("già", "gìa"),  # gi + a: the mark goes on a
    ("quà", "qùa"),  # qu + a
    ("toàn", "tòan"),  # final consonant: the last vowel
    ("hoàng", "hòang"),
    ("thuế", "thúê"),  # uê: on ê
    ("mừa", "mưà"),  # ưa: on ư
    ("tiếng", "tíêng"),  # iê: on ê
    ("người", "ngừơi"),  # ươi: on ơ
    ("ngoài", "ngòai"),  # three vowels: the middle one
    ("khuỷu", "khủyu"),
    ("Trường", unicodedata.normalize("NFD", "Trường")),
    ("Hoà", unicodedata.normalize("NFD", "Hoà")),
    ("Trường  Tiểu\thọc\n Thanh Cao ", "trường tiểu học thanh cao"),
    ("Đồng Tháp", "ÐỒNG THÁP"),  # eth look-alike
    ("Tr\u200bường", "trường"),  # zero-width space
]


@pytest.mark.parametrize(("left", "right"), SAME_KEY)
def test_fold_same_key(left, right):
    assert fold(left) == fold(right)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Hòa", "hoà"),  # new style, as MOET asks ("oà, uý")
        ("Thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("qúy", "quý"),
        ("  Phòng GD&ĐT  Quận 8 ", "phòng gd&đt quận 8"),
        ("(1)", "(1)"),
        ("Số: 56/KH-THTC", "số: 56/kh-thtc"),
        ("Tỷ lệ (%)", "tỷ lệ (%)"),
        ("Café", "café"),  # not Vietnamese: kept
        ("hòàa", "hòàa"),  # two marks: not a syllable, kept
        ("", ""),
    ],
)
def test_fold_values(text, key):
    assert fold(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Đồng Tháp", "dong thap"),
        ("Trường Tiểu học Thanh Cao", "truong tieu hoc thanh cao"),
        ("Hòa", "hoa"),
        ("ỦY BAN", "uy ban"),
        ("Tỷ lệ (%)", "ty le (%)"),
    ],
)
def test_ascii_fold(text, key):
    assert ascii_fold(text) == key


def test_nfc():
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt")
    assert decomposed != "Tiếng Việt"
    assert nfc(decomposed) == "Tiếng Việt"


def test_fold_is_idempotent_on_all_letters():
    for letter in VIETNAMESE_LETTERS:
        for word in (letter, "h" + letter, "t" + letter + "n", "ho" + letter, "u" + letter):
            assert fold(fold(word)) == fold(word)


@pytest.mark.parametrize("mark", [pytest.param(m, marks=needs_seeds) for m in ("NFC", "NFD")])
def test_fold_on_seed_lines(mark):
    """Idempotent, NFC/NFD-blind, and only tone placement differs from a plain lower()."""
    strip_marks = re.compile("[\u0300\u0301\u0303\u0309\u0323]")
    for line in seed_lines():
        text = unicodedata.normalize(mark, line)
        key = fold(text)
        assert fold(key) == key
        assert key == fold(nfc(line))
        plain = " ".join(nfc(line).lower().split())
        base = unicodedata.normalize("NFD", plain)
        assert strip_marks.sub("", unicodedata.normalize("NFD", key)) == strip_marks.sub("", base)


# --- legacy encodings: tables --------------------------------------------------------------

# TCVN 5712 code points for bytes 0x80-0xFF, one row of 16 per line, written from the X11
# TCVN-5712 table; 0 = not a letter code (0xA0, and 0xB0-0xB4 which VN1 uses for
# combining tone marks, left as they are here).
TCVN3_X11 = """
00C0 1EA2 00C3 00C1 1EA0 1EB6 1EAC 00C8 1EBA 1EBC 00C9 1EB8 1EC6 00CC 1EC8 0128
00CD 1ECA 00D2 1ECE 00D5 00D3 1ECC 1ED8 1EDC 1EDE 1EE0 1EDA 1EE2 00D9 1EE6 0168
0 0102 00C2 00CA 00D4 01A0 01AF 0110 0103 00E2 00EA 00F4 01A1 01B0 0111 1EB0
0 0 0 0 0 00E0 1EA3 00E3 00E1 1EA1 1EB2 1EB1 1EB3 1EB5 1EAF 1EB4
1EAE 1EA6 1EA8 1EAA 1EA4 1EC0 1EB7 1EA7 1EA9 1EAB 1EA5 1EAD 00E8 1EC2 1EBB 1EBD
00E9 1EB9 1EC1 1EC3 1EC5 1EBF 1EC7 00EC 1EC9 1EC4 1EBE 1ED2 0129 00ED 1ECB 00F2
1ED4 1ECF 00F5 00F3 1ECD 1ED3 1ED5 1ED7 1ED1 1ED9 1EDD 1EDF 1EE1 1EDB 1EE3 00F9
1ED6 1EE7 0169 00FA 1EE5 1EEB 1EED 1EEF 1EE9 1EF1 1EF3 1EF7 1EF9 00FD 1EF5 1ED0
"""

# VNI sequences in xvnkb's order: plain, sắc, huyền, hỏi, ngã, nặng.
VNI_XVNKB = {
    "a": "a aù aø aû aõ aï",
    "â": "aâ aá aà aå aã aä",
    "ă": "aê aé aè aú aü aë",
    "e": "e eù eø eû eõ eï",
    "ê": "eâ eá eà eå eã eä",
    "o": "o où oø oû oõ oï",
    "ô": "oâ oá oà oå oã oä",
    "ơ": "ô ôù ôø ôû ôõ ôï",
    "u": "u uù uø uû uõ uï",
    "ư": "ö öù öø öû öõ öï",
    "i": "i í ì æ ó ò",
    "y": "y yù yø yû yõ î",
}
XVNKB_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

# Every byte as Excel shows it: cp1252, or the C1 control for bytes cp1252 leaves undefined.
CP1252_CHARS = frozenset(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

# The capitals TCVN3 only has in its capital fonts (or in control codes).
TCVN3_MISSING = set("ÚỤỨỪỬỮỰÝỲỶỸỴ")


def tcvn3_reference() -> dict[int, str]:
    codes = TCVN3_X11.split()
    assert len(codes) == 128
    return {0x80 + i: chr(int(code, 16)) for i, code in enumerate(codes) if code != "0"}


def test_vietnamese_letters_are_the_134():
    assert len(VIETNAMESE_LETTERS) == 134
    assert len(set(VIETNAMESE_LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", ch) for ch in VIETNAMESE_LETTERS)
    assert not any(ch.isascii() for ch in VIETNAMESE_LETTERS)
    assert sum(ch.islower() for ch in VIETNAMESE_LETTERS) == 67


def test_tcvn3_matches_reference_table_per_byte():
    reference = tcvn3_reference()
    assert len(reference) == 122
    for byte in range(0x80, 0x100):
        latin1 = bytes([byte]).decode("latin-1")
        expected = reference.get(byte, latin1)
        assert legacy_to_unicode(latin1, "tcvn3") == expected, hex(byte)
        try:
            cp1252 = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        assert legacy_to_unicode(cp1252, "tcvn3") == reference.get(byte, cp1252), hex(byte)


def test_tcvn3_covers_what_is_documented():
    reference = set(tcvn3_reference().values())
    assert reference == set(VIETNAMESE_LETTERS) - TCVN3_MISSING


@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_round_trip_vni(letter):
    legacy = unicode_to_legacy(letter, "vni")
    assert legacy != letter or letter in "íìÍÌ"
    assert all(ord(ch) < 0x100 for ch in legacy)
    assert legacy_to_unicode(legacy, "vni") == letter


@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_round_trip_tcvn3(letter):
    if letter in TCVN3_MISSING:
        with pytest.raises(ValueError):
            unicode_to_legacy(letter, "tcvn3")
        return
    legacy = unicode_to_legacy(letter, "tcvn3")
    assert legacy in CP1252_CHARS  # one byte, as Excel shows it
    assert legacy_to_unicode(legacy, "tcvn3") == letter


def test_vni_matches_xvnkb_table():
    for base, row in VNI_XVNKB.items():
        for mark, seq in zip(XVNKB_MARKS, row.split(), strict=True):
            for letter, legacy in ((base, seq), (base.upper(), seq.upper())):
                letter = nfc(letter + mark)
                assert unicode_to_legacy(letter, "vni") == legacy
                assert legacy_to_unicode(legacy, "vni") == letter
    assert unicode_to_legacy("đĐ", "vni") == "ñÑ"


def test_round_trip_every_letter_in_words():
    for letter in VIETNAMESE_LETTERS:
        word = f"Tr{letter}ng {letter}x {letter}"
        assert legacy_to_unicode(unicode_to_legacy(word, "vni"), "vni") == word
        if not set(word) & TCVN3_MISSING:
            assert legacy_to_unicode(unicode_to_legacy(word, "tcvn3"), "tcvn3") == word


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("_", [pytest.param(None, marks=needs_seeds)])
def test_round_trip_seed_lines(encoding, _):
    done = 0
    for line in seed_lines():
        try:
            legacy = unicode_to_legacy(line, encoding)
        except ValueError:  # "–", "“" or a TCVN3-missing capital
            continue
        assert legacy_to_unicode(legacy, encoding) == line
        done += 1
    assert done > 500


# --- legacy encodings: real strings ---------------------------------------------------------

REAL_LEGACY = [
    # TCVN3 (ABC, .VnTime) as Excel shows it
    ("tcvn3", "ViÖt Nam", "Việt Nam"),
    ("tcvn3", f"Tr{SHY}êng", "Trường"),
    ("tcvn3", "Hµ Néi", "Hà Nội"),
    ("tcvn3", "Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("tcvn3", "§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("tcvn3", "Së Gi¸o dôc vµ §µo t¹o", "Sở Giáo dục và Đào tạo"),
    ("tcvn3", "B¶o Th¾ng", "Bảo Thắng"),
    ("tcvn3", f"M{SHY}êng Kh{SHY}¬ng", "Mường Khương"),
    ("tcvn3", "B¸t X¸t", "Bát Xát"),
    # VNI (VNI-Times) as Excel shows it
    ("vni", "Vieät Nam", "Việt Nam"),
    ("vni", "Tröôøng", "Trường"),
    ("vni", "COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("vni", "Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    ("vni", "UÛy ban nhaân daân Tænh", "Ủy ban nhân dân Tỉnh"),
    ("vni", "Nguyeãn Thò Minh Khai", "Nguyễn Thị Minh Khai"),
    ("vni", "PHOØNG GIAÙO DUÏC VAØ ÑAØO TAÏO", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"),
    ("vni", "TRÖÔØNG TRUNG HOÏC CÔ SÔÛ", "TRƯỜNG TRUNG HỌC CƠ SỞ"),
    ("vni", "SOÁ LÖÔÏNG", "SỐ LƯỢNG"),
]


@pytest.mark.parametrize(("encoding", "legacy", "unicode"), REAL_LEGACY)
def test_real_legacy_strings(encoding, legacy, unicode):
    assert legacy_to_unicode(legacy, encoding) == unicode
    assert unicode_to_legacy(unicode, encoding) == legacy


@pytest.mark.parametrize(("encoding", "legacy", "unicode"), REAL_LEGACY)
def test_real_legacy_strings_are_detected(encoding, legacy, unicode):
    assert detect_legacy(legacy) == encoding
    font = ".VnTime" if encoding == "tcvn3" else "VNI-Times"
    assert detect_legacy(legacy, font) == encoding
    assert detect_legacy(unicode) is None
    assert detect_legacy(unicode, font) is None  # Unicode text in a legacy-font cell


def test_tcvn3_capital_font():
    legacy = unicode_to_legacy("trường tiểu học", "tcvn3")
    assert legacy_to_unicode(legacy, "tcvn3", font_name=".VnTimeH") == "TRƯỜNG TIỂU HỌC"
    assert legacy_to_unicode(legacy, "tcvn3", font_name=".VnTime") == "trường tiểu học"


def test_legacy_to_unicode_keeps_other_characters():
    assert legacy_to_unicode("STT (1) 12/KH-UBND: 98%", "tcvn3") == "STT (1) 12/KH-UBND: 98%"
    assert legacy_to_unicode("STT (1) 12/KH-UBND: 98%", "vni") == "STT (1) 12/KH-UBND: 98%"


def test_unknown_encoding():
    with pytest.raises(ValueError):
        legacy_to_unicode("x", "viscii")
    with pytest.raises(ValueError):
        unicode_to_legacy("x", "cp1258")
    assert legacy_to_unicode("Hµ", " TCVN3 ") == "Hà"


@pytest.mark.parametrize(
    ("font", "encoding", "capital"),
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        (".VnArial", "tcvn3", False),
        (".VnArialH", "tcvn3", True),
        (".VnArial NarrowH", "tcvn3", True),
        (" .VnTime ", "tcvn3", False),
        ("VNI-Times", "vni", False),
        ("VNI-Helve", "vni", False),
        ("vni-times", "vni", False),
        ("Times New Roman", None, False),
        ("Arial", None, False),
        ("Vnifont", None, False),
        ("", None, False),
        (None, None, False),
    ],
)
def test_font_names(font, encoding, capital):
    assert font_encoding(font) == encoding
    assert is_capital_font(font) is capital


# --- detection stays quiet on Unicode -------------------------------------------------------

UNICODE_PHRASES = [
    "",
    "STT",
    "Tổng cộng",
    "Giáo viên",  # latin-1 only
    "Cà Mau",
    "Lê Hà",
    "Cao Bá Quát",
    "Hòa",
    "Hoà",
    "Phòng Giáo dục",
    "Café Zürich",
    "«Giáo viên» – 98%",
    "(1) (2) (3)",
    "Tô Văn Ơn",
    "HỌC SINH",
    unicodedata.normalize("NFD", "Giáo viên Trường"),
]


@pytest.mark.parametrize("text", UNICODE_PHRASES)
def test_detect_legacy_none_for_unicode(text):
    assert detect_legacy(text) is None
    assert detect_legacy(text, "Times New Roman") is None


def test_detect_legacy_ascii_in_legacy_font():
    assert detect_legacy("STT 1 2 3", ".VnTime") is None
    assert detect_legacy("Tong cong", "VNI-Times") is None


def test_detect_legacy_trusts_the_font_for_latin1_text():
    # "Hoà Chí Minh" is also valid Unicode; in a VNI-Times cell it is displayed "Hồ Chí Minh".
    assert detect_legacy("Hoà Chí Minh") is None
    assert detect_legacy("Hoà Chí Minh", "VNI-Times") == "vni"


def test_detect_legacy_wrong_font_hint_falls_back_to_text():
    assert detect_legacy("Vieät Nam", ".VnTime") == "vni"


@pytest.mark.parametrize("_", [pytest.param(None, marks=needs_seeds)])
def test_detect_legacy_none_on_seed_lines_and_words(_):
    lines = seed_lines()
    random.seed(20240305)
    sample = random.sample(lines, 200)
    assert all(detect_legacy(line) is None for line in sample)
    for line in lines:
        assert detect_legacy(line) is None, line
        assert detect_legacy(unicodedata.normalize("NFD", line)) is None, line
    words = sorted({word for line in lines for word in line.split()})
    assert [word for word in words if detect_legacy(word)] == []
    latin1 = [w for w in words if not w.isascii() and all(ord(ch) < 0x100 for ch in w)]
    assert len(latin1) > 100
    for _ in range(2000):
        phrase = " ".join(random.choices(latin1, k=random.randint(1, 5)))
        assert detect_legacy(phrase) is None, phrase


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("_", [pytest.param(None, marks=needs_seeds)])
def test_detect_legacy_finds_encoded_seed_lines(encoding, _):
    """Never the wrong encoding; missed only where every word also reads as Unicode."""
    found = missed = 0
    for line in seed_lines():
        try:
            legacy = unicode_to_legacy(line, encoding)
        except ValueError:
            continue
        if legacy == line:
            continue
        detected = detect_legacy(legacy)
        assert detected in (encoding, None), legacy
        found += detected == encoding
        missed += detected is None
    assert found > 500
    assert missed <= 0.03 * (found + missed)
