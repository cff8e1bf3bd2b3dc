"""Read back what schools typed: numbers, percentages, dates and Vietnamese text.

Returned workbooks hold numbers as text in both the vi-VN style ("1.234,5") and the en style
("1,234.5"), percentages as 0.98, 98 or "98,5%", dates as Excel serials or day-first text,
Vietnamese text in NFC or NFD with tone marks placed either way ("hòa"/"hoà"), and sometimes
text typed in the legacy 8-bit encodings TCVN3 (ABC, fonts ".VnTime" …) or VNI (fonts
"VNI-Times" …) that Excel shows as garbage ("Tr­êng", "Tröôøng"). This module turns each of
those into one value, or says why it can't, and never guesses silently where a reading is
ambiguous (day/month order).

It is imported on hot paths (every cell of every returned workbook), so it uses the
standard library only and builds its tables once, at import.

Conventions worth knowing before calling:

* ``parse_number`` treats a single comma as the decimal mark ("1,234" is 1.234) and a dot
  followed by exactly three digits as a thousands separator ("1.234" is 1234), as a vi-VN
  Excel does; see its docstring for the full rule.
* ``parse_percent`` returns a fraction: bare numbers <= 1 are fractions, numbers in (1, 100]
  are percent points, bare numbers over 100 are refused.
* ``fold`` is the key for matching names and labels (NFC, lower case, one tone-mark
  placement, collapsed white space); display always uses the original text.
* ``detect_legacy`` is conservative: normal Unicode Vietnamese is never reported as legacy.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = [
    "DateReading",
    "ascii_fold",
    "detect_legacy",
    "excel_serial_to_date",
    "fold",
    "font_encoding",
    "is_capital_font",
    "legacy_to_unicode",
    "nfc",
    "parse_date",
    "parse_number",
    "parse_percent",
    "unicode_to_legacy",
]

# --- tables ------------------------------------------------------------------------------

# Tone marks in the order the legacy tables list them: huyền, hỏi, ngã, sắc, nặng.
# Index 0 in every table row below is the letter without a tone.
TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

VOWELS = "aăâeêioôơuưy"
MARKED_VOWELS = "ăâêôơư"  # a vowel with its own diacritic takes the tone mark
CONSONANT_LETTERS = "bcdđghklmnpqrstvx"

# Vowel clusters (nuclei, without tone) that make a Vietnamese syllable. Loose on purpose:
# used to tell readable syllables from garbage, not to spell-check.
NUCLEI = frozenset(
    """
    a ă â e ê i o ô ơ u ư y
    ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê
    iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu
    """.split()
)
# Nuclei that end in a semivowel take no final consonant; these others need one.
OPEN_NUCLEI = frozenset(
    "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu ia ua ưa "
    "iêu yêu oai oao oay oeo uây uôi uya uyu ươi ươu".split()
)
CLOSED_NUCLEI = frozenset("ă â oă uâ iê yê uô uyê ươ oo".split())
STOP_FINALS = frozenset(("c", "ch", "p", "t"))  # only sắc or nặng (or no mark) before these
INITIALS_RE = r"ngh|ng|gh|gi(?=[{v}])|kh|nh|ph|th|tr|ch|qu(?=[{v}])|[bcdđghklmnprstvx]|"
FINALS_RE = r"ch|ng|nh|[cmnpt]|"

# TCVN3 (ABC, TCVN 5712:1993 VN3), byte per letter, tones in TONE_MARKS order.
# Cross-checked with the X11 TCVN-5712 table and xvnkb's TCVN3 table (see the tests).
# Upper case with a tone is only partly in the main fonts (the rest of it sits in the
# control-code range, which Excel cannot keep): None marks what is not covered. The ABC
# capital fonts (".VnTimeH" …) draw the lower-case codes as capitals; see is_capital_font.
TCVN3_BYTES: dict[str, tuple[int | None, ...]] = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
    "đ": (0xAE,),
    "A": (0x41, 0x80, 0x81, 0x82, 0x83, 0x84),
    "Ă": (0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85),
    "Â": (0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86),
    "E": (0x45, 0x87, 0x88, 0x89, 0x8A, 0x8B),
    "Ê": (0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C),
    "I": (0x49, 0x8D, 0x8E, 0x8F, 0x90, 0x91),
    "O": (0x4F, 0x92, 0x93, 0x94, 0x95, 0x96),
    "Ô": (0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97),
    "Ơ": (0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C),
    "U": (0x55, 0x9D, 0x9E, 0x9F, None, None),
    "Ư": (0xA6, None, None, None, None, None),
    "Y": (0x59, None, None, None, None, None),
    "Đ": (0xA7,),
}

# VNI Windows: a base letter followed by a modifier byte, except a few letters that have a
# byte of their own (ơ ư đ and some i/y forms). Tones in TONE_MARKS order. Capitals are the
# same sequences in upper case (every VNI capital byte is its small byte minus 0x20, which
# is exactly the cp1252 upper-case mapping). Cross-checked with xvnkb's VNI table.
VNI_SEQUENCES: dict[str, str] = {
    "a": "a aø aû aõ aù aï",
    "ă": "aê aè aú aü aé aë",
    "â": "aâ aà aå aã aá aä",
    "e": "e eø eû eõ eù eï",
    "ê": "eâ eà eå eã eá eä",
    "i": "i ì æ ó í ò",
    "o": "o oø oû oõ où oï",
    "ô": "oâ oà oå oã oá oä",
    "ơ": "ô ôø ôû ôõ ôù ôï",
    "u": "u uø uû uõ uù uï",
    "ư": "ö öø öû öõ öù öï",
    "y": "y yø yû yõ yù î",
    "đ": "ñ",
}

# Unicode characters that legacy text read through cp1252/latin-1 can never contain: one of
# them in a string proves it is Unicode Vietnamese.
UNICODE_ONLY_VIETNAMESE = frozenset("ăĂđĐĩĨũŨơƠưƯ\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")

# Invisible characters pasted along with text; dropped by fold().
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Look-alikes of Đ/đ (Icelandic eth) that old fonts and converters leave in Vietnamese text.
LOOKALIKES = {ord("Ð"): "Đ", ord("ð"): "đ"}

# Thousands separators other than "." and ",": space, no-break space, thin/figure spaces.
GROUP_SPACES = " \u00a0\u2007\u2009\u202f"
PERCENT_SIGNS = ("%", "\uff05")
MINUS_SIGNS = "-\u2212"

# Excel serials accepted as dates (1900 system): 20000 is 1954-10-03, 80000 is 2119-01-11.
# Smaller numbers in a date column are counts or typos, not dates.
SERIAL_RANGE = (20000, 80000)
SERIAL_1904_OFFSET = 1462  # days between the 1900 and 1904 date systems
TEXT_YEAR_RANGE = (1900, 2199)

# --- derived tables (built once) -----------------------------------------------------------

_TONED: dict[tuple[str, int], str] = {}  # (base vowel, tone index) -> NFC letter
_SPLIT: dict[str, tuple[str, int]] = {}  # NFC letter -> (base vowel, tone index)
for _base in VOWELS + VOWELS.upper():
    for _tone, _mark in enumerate(("", *TONE_MARKS)):
        _letter = unicodedata.normalize("NFC", _base + _mark)
        _TONED[_base, _tone] = _letter
        _SPLIT[_letter] = (_base, _tone)
del _base, _tone, _mark, _letter

# The 134 non-ASCII Vietnamese letters (67 small, 67 capital).
VIETNAMESE_LETTERS = tuple(
    sorted({ch for ch in _SPLIT if not ch.isascii()} | {"đ", "Đ"}, key=lambda c: (c.lower(), c))
)


def _byte_chars(byte: int) -> tuple[str, ...]:
    """The characters one legacy byte becomes when read as cp1252 and as latin-1.

    Excel turns typed legacy bytes into Unicode with the Windows code page (cp1252); bytes
    that cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) and files decoded as latin-1
    give the C1 control character instead. Both spellings are accepted.
    """
    latin1 = chr(byte)
    try:
        cp1252 = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return (latin1,)
    return (cp1252,) if cp1252 == latin1 else (cp1252, latin1)


def _tcvn3_tables() -> tuple[dict[str, str], dict[str, str]]:
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}
    for base, codes in TCVN3_BYTES.items():
        for tone, byte in enumerate(codes):
            if byte is None or byte < 0x80:
                continue
            letter = base if base in "đĐ" else _TONED[base, tone]
            chars = _byte_chars(byte)
            encode[letter] = chars[0]
            for ch in chars:
                decode[ch] = letter
    return decode, encode


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}
    for base, row in VNI_SEQUENCES.items():
        for case_base, case_row in ((base, row), (base.upper(), row.upper())):
            for tone, seq in enumerate(case_row.split()):
                letter = case_base if base == "đ" else _TONED[case_base, tone]
                encode[letter] = seq
                if seq != letter:
                    decode[seq] = letter
    return decode, encode


_TCVN3_DECODE, _TCVN3_ENCODE = _tcvn3_tables()
_VNI_DECODE, _VNI_ENCODE = _vni_tables()
_DECODE = {"tcvn3": _TCVN3_DECODE, "vni": _VNI_DECODE}
_ENCODE = {"tcvn3": _TCVN3_ENCODE, "vni": _VNI_ENCODE}
_TCVN3_TRANSLATE = str.maketrans(_DECODE["tcvn3"])
# Longest sequence first, so "ôù" (ớ) wins over "ô" (ơ) followed by a stray "ù".
_VNI_RE = re.compile("|".join(re.escape(s) for s in sorted(_DECODE["vni"], key=len, reverse=True)))
_SYLLABLE_RE = re.compile(f"({INITIALS_RE.format(v=VOWELS)})([{VOWELS}]+)({FINALS_RE})")
_WORD_RE = re.compile(r"[^\W\d_]+")

# --- text: NFC, fold ---------------------------------------------------------------------


def nfc(text: str) -> str:
    """Unicode NFC: the Windows Vietnamese keyboard types decomposed (NFD) text."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The key for matching names, labels and header text; never for display.

    NFC; invisible characters (soft hyphen, zero-width space, BOM) dropped; the eth
    look-alike "Ð" read as "Đ"; lower case; every white-space run one space; stripped; and
    every syllable's tone mark moved to one place, so "Hòa"/"Hoà", "thủy"/"thuỷ",
    "khỏe"/"khoẻ", "qúy"/"quý", "gìa"/"già" give the same key.

    The placement is the "new style" that MOET asks for in its data templates ("oà, uý"):
    on the vowel with its own diacritic (ă â ê ô ơ ư; the second of "ươ"), else on the last
    vowel when a final consonant follows, else on the middle of three vowels, else on the
    second vowel of "oa", "oe", "uy", else on the first vowel. Only words that parse as a
    Vietnamese syllable with one tone mark are touched; punctuation, digits and foreign
    words are kept as they are. Idempotent: fold(fold(s)) == fold(s).
    """
    text = nfc(text).translate(INVISIBLE).translate(LOOKALIKES).lower()
    text = " ".join(text.split())
    return _WORD_RE.sub(lambda m: _place_tone(m.group(0)), text)


def ascii_fold(text: str) -> str:
    """fold() without diacritics ("Đồng Tháp" -> "dong thap"): the last-resort loose key.

    Different words collide here ("bàn"/"bản"/"bạn"), so use it only as a fallback after
    fold() found nothing, and report the match as uncertain.
    """
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return nfc("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    """The word with its tone mark in the canonical place (cached: cells repeat words)."""
    parsed = _parse_syllable(word)
    if parsed is None or parsed[3] == 0:
        return word
    initial, nucleus, final, tone = parsed
    pos = _tone_position(nucleus, final)
    toned = nucleus[:pos] + _TONED[nucleus[pos], tone] + nucleus[pos + 1 :]
    return initial + toned + final


def _parse_syllable(word: str) -> tuple[str, str, str, int] | None:
    """Split a lower-case word into (initial, nucleus, final, tone), or None if it is not
    a Vietnamese syllable with at most one tone mark."""
    bases: list[str] = []
    tone = 0
    for ch in word:
        split = _SPLIT.get(ch)
        if split is None:
            if ch not in CONSONANT_LETTERS:
                return None
            bases.append(ch)
            continue
        base, mark = split
        if mark:
            if tone:
                return None
            tone = mark
        bases.append(base)
    m = _SYLLABLE_RE.fullmatch("".join(bases))
    if m is None:
        return None
    initial, nucleus, final = m.groups()
    if not _is_rhyme(nucleus, final, tone):
        return None
    return initial, nucleus, final, tone


def _is_rhyme(nucleus: str, final: str, tone: int) -> bool:
    if nucleus not in NUCLEI:
        return False
    if final and nucleus in OPEN_NUCLEI or not final and nucleus in CLOSED_NUCLEI:
        return False
    return not (final in STOP_FINALS and tone in (1, 2, 3))  # huyền, hỏi, ngã


def _tone_position(nucleus: str, final: str) -> int:
    """Index in the nucleus of the vowel that carries the tone (new-style placement)."""
    marked = [i for i, ch in enumerate(nucleus) if ch in MARKED_VOWELS]
    if marked:
        return marked[-1]
    if final:
        return len(nucleus) - 1
    if len(nucleus) == 3:
        return 1
    if nucleus in ("oa", "oe", "uy"):
        return 1
    return 0


def _is_syllable(word: str) -> bool:
    return _parse_syllable(word.lower()) is not None


# --- numbers -----------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")
_EXPONENT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_SPACE_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:[" + GROUP_SPACES + r"][0-9]{3})+(?:[.,][0-9]*)?")
_DOT_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}\.[0-9]{3}")


def parse_number(value: object) -> float | None:
    """A number from a cell, or None when the cell does not hold one.

    Numbers (int, float) pass through; bool, NaN, infinity, dates and everything else that
    is not text give None. Text is read after NFC and stripping, with an optional leading
    "+" or "-":

    * "1.234" and "1.234.567": a dot followed by exactly three digits (after a first group
      of one to three digits not starting with 0) is a thousands separator, as in vi-VN.
      So "1.500" is 1500, but "0.985", "98.5" and "1234.567" are decimals.
    * One comma is the decimal mark: "98,5" is 98.5, "0,985" is 0.985, and the ambiguous
      "1,234" is 1.234, because a vi-VN Excel (the schools' default) writes the decimal mark
      as a comma and never a lone comma as thousands. Two or more commas ("1,234,567") can
      only be thousands separators.
    * With both marks, the last one is the decimal mark and the other must group thousands:
      "1,234.5" (en) and "1.234,5" (vi) are both 1234.5.
    * Spaces (also no-break and thin spaces) may group thousands: "1 234 567", "1 234,5".
    * "12." and ".5" are accepted; "1e3" style exponents too (CSV exports).

    Refused (None): a trailing "%" (use parse_percent), "(5)" (in these forms a number in
    parentheses is the column-number row "(1) (2) (3)", not an accounting negative),
    words ("mười"), mixed text ("12abc"), misplaced separators ("1.2.3", "1 2").
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = nfc(value).strip()
    sign = 1.0
    if text and text[0] in MINUS_SIGNS + "+":
        sign = -1.0 if text[0] in MINUS_SIGNS else 1.0
        text = text[1:]
    number = _parse_unsigned(text)
    return None if number is None else sign * number


def _parse_unsigned(text: str) -> float | None:
    if not text:
        return None
    if _SPACE_GROUPED.fullmatch(text):
        for space in GROUP_SPACES:
            text = text.replace(space, "")
        return float(text.replace(",", "."))
    if _EXPONENT.fullmatch(text):
        return float(text)
    if text.strip("0123456789.,"):
        return None
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        return _parse_both_marks(text)
    if dots > 1:
        return _parse_grouped(text, ".")
    if commas > 1:
        return _parse_grouped(text, ",")
    if dots == 1 and _DOT_THOUSANDS.fullmatch(text):
        return float(text.replace(".", ""))
    return _parse_decimal(text.replace(",", "."))


def _parse_both_marks(text: str) -> float | None:
    decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
    group_mark = "," if decimal_mark == "." else "."
    if text.count(decimal_mark) != 1:
        return None
    whole, _, fraction = text.partition(decimal_mark)
    grouped = _parse_grouped(whole, group_mark)
    if grouped is None or not (fraction == "" or _DIGITS.fullmatch(fraction)):
        return None
    return float(f"{int(grouped)}.{fraction or 0}")


def _parse_grouped(text: str, mark: str) -> float | None:
    """Digits grouped by threes with ``mark``: "1.234.567" or "1,234,567"."""
    if not re.fullmatch(r"[1-9][0-9]{0,2}(?:" + re.escape(mark) + r"[0-9]{3})+", text):
        return None
    return float(text.replace(mark, ""))


def _parse_decimal(text: str) -> float | None:
    whole, _, fraction = text.partition(".")
    if not (whole or fraction):
        return None
    if (whole and not _DIGITS.fullmatch(whole)) or (fraction and not _DIGITS.fullmatch(fraction)):
        return None
    return float(f"{whole or 0}.{fraction or 0}")


def parse_percent(value: object) -> float | None:
    """A percentage as a fraction (0.985 for 98.5 %), or None.

    * With a percent sign ("98%", "98,5%", "98.5 %", "150%"): the number divided by 100,
      with no upper limit, since the sign says what the number means.
    * A bare number, as text or from the cell: <= 1 is already a fraction (a cell formatted
      as % holds 0.98; "0,985" is 98.5 %), (1, 100] is percent points (98 is 98 %), and more
      than 100 without a sign is refused as suspicious (None). Negative numbers follow the
      same rule by magnitude. Note that a bare 1 is 100 %, not 1 %.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(PERCENT_SIGNS):
            number = parse_number(text[:-1].rstrip())
            return None if number is None else number / 100
    number = parse_number(value)
    if number is None:
        return None
    magnitude = abs(number)
    if magnitude <= 1:
        return number
    if magnitude <= 100:
        return number / 100
    return None


# --- dates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateReading:
    """What a date cell says, and how sure we are.

    ``value`` is the date read day-first (Vietnamese order), or None. ``alternative`` is the
    month-first reading when the text also makes sense that way and gives another date
    ("05/03/2024": value 5 March, alternative 3 May); when only the month-first reading
    exists ("03/25/2024") value is None, note "invalid" and alternative holds it. ``text``
    is what was found, as text. ``note`` is one code:

    "" (a true date cell, or an empty one), "serial" (an Excel serial number), "text" (an
    unambiguous text date), "ambiguous" (alternative is set; wins over "two_digit_year"),
    "two_digit_year" ("05/03/24" read as 2024), "invalid" (date-shaped but no such day, or a
    year outside 1900-2199), "out_of_range" (a number outside the serial range, e.g. a
    count typed into a date column), "unrecognized" (not a date at all).
    """

    value: date | None
    alternative: date | None = None
    text: str = ""
    note: str = ""


_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DAY_FIRST = re.compile(
    r"([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})" + _TIME
)
_YEAR_FIRST = re.compile(r"([0-9]{4})([/.\-])([0-9]{1,2})\2([0-9]{1,2})" + _TIME)
_WORDS = re.compile(r"([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s*,?\s*năm\s+([0-9]{4})")
_DAY_PREFIX = re.compile(r"^ngày\s+")


def excel_serial_to_date(serial: float, date1904: bool = False) -> date | None:
    """The date of an Excel serial number (time of day dropped), or None if there is none.

    1900 system: serial 1 is 1900-01-01, and Excel counts a 29 February 1900 that never
    was (serial 60, kept for Lotus 1-2-3 compatibility): 60 gives None, 1..59 count from
    1899-12-31, and from 61 on the usual epoch 1899-12-30 applies. 1904 system (old Mac
    workbooks): serial 0 is 1904-01-01. Serials below the epoch or past 9999-12-31 give None.
    """
    if isinstance(serial, bool) or not math.isfinite(serial):
        return None
    days = math.floor(serial)
    if date1904:
        base, first = date(1904, 1, 1), 0
    elif days == 60:
        return None
    elif days < 60:
        base, first = date(1899, 12, 31), 1
    else:
        base, first = date(1899, 12, 30), 61
    if days < first:
        return None
    try:
        return base + timedelta(days=days)
    except OverflowError:
        return None


def parse_date(value: object, date1904: bool = False) -> DateReading:
    """Read a date cell: a date/datetime, an Excel serial, or day-first text.

    Text forms: "05/3/2024", "5-3-2024", "05.03.2024", "05/03/24" (two-digit year: 20yy),
    year first "2024-03-05" (ISO; also with "/" or "."), "ngày 05 tháng 3 năm 2024", an
    optional leading "ngày" and trailing time of day. Day first is the rule in Vietnam;
    where the text could also be month first and that gives another date, the month-first
    date is put in ``alternative`` so the caller can ask instead of guessing.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DateReading(None)
    if isinstance(value, datetime):
        return DateReading(value.date(), text=value.isoformat())
    if isinstance(value, date):
        return DateReading(value, text=value.isoformat())
    if isinstance(value, bool):
        return DateReading(None, text=str(value), note="unrecognized")
    if isinstance(value, int | float):
        return _serial_reading(value, _number_text(value), date1904)
    if isinstance(value, str):
        return _text_reading(value, date1904)
    return DateReading(None, text=str(value), note="unrecognized")


def _number_text(number: float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _serial_reading(number: float, text: str, date1904: bool) -> DateReading:
    if not math.isfinite(number):
        return DateReading(None, text=text, note="unrecognized")
    serial_1900 = number + SERIAL_1904_OFFSET if date1904 else number
    if not SERIAL_RANGE[0] <= serial_1900 <= SERIAL_RANGE[1]:
        return DateReading(None, text=text, note="out_of_range")
    return DateReading(excel_serial_to_date(number, date1904), text=text, note="serial")


def _text_reading(value: str, date1904: bool) -> DateReading:
    text = " ".join(nfc(value).split())
    key = _DAY_PREFIX.sub("", text.lower(), count=1)
    if _DIGITS.fullmatch(key):
        return _serial_reading(int(key), text, date1904)
    if m := _DAY_FIRST.fullmatch(key):
        return _day_first(text, int(m.group(1)), int(m.group(3)), m.group(4))
    if m := _YEAR_FIRST.fullmatch(key):
        return _checked(text, int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _WORDS.fullmatch(key):
        return _checked(text, int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return DateReading(None, text=text, note="unrecognized")


def _day_first(text: str, day: int, month: int, year_text: str) -> DateReading:
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    value = _make_date(year, month, day)
    other = _make_date(year, day, month) if day != month else None
    if value is None:
        return DateReading(None, other, text, "invalid")
    if other is not None:
        return DateReading(value, other, text, "ambiguous")
    return DateReading(value, None, text, "two_digit_year" if len(year_text) == 2 else "text")


def _checked(text: str, year: int, month: int, day: int) -> DateReading:
    value = _make_date(year, month, day)
    return DateReading(value, None, text, "text" if value else "invalid")


def _make_date(year: int, month: int, day: int) -> date | None:
    if not TEXT_YEAR_RANGE[0] <= year <= TEXT_YEAR_RANGE[1]:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- legacy encodings (TCVN3, VNI) -------------------------------------------------------

_ENCODINGS = ("tcvn3", "vni")
_TCVN3_CAPITAL_FONT = re.compile(r"(?i:\.vn).*H")
_VNI_FONT = re.compile(r"vni(?:[-_ ]|$)", re.IGNORECASE)


def font_encoding(font_name: str | None) -> str | None:
    """The legacy encoding a font name implies: ".VnTime", ".VnArial", ".VnTimeH" (names
    starting with ".") are TCVN3; "VNI-Times", "VNI-Helve" … are VNI; others None."""
    name = (font_name or "").strip()
    if name.startswith("."):
        return "tcvn3"
    if _VNI_FONT.match(name):
        return "vni"
    return None


def is_capital_font(font_name: str | None) -> bool:
    """True for the ABC capital fonts (".VnTimeH", ".VnArialH" …), which draw every letter as
    a capital: the text is stored in lower-case codes but was seen in upper case."""
    return bool(_TCVN3_CAPITAL_FONT.fullmatch((font_name or "").strip()))


def legacy_to_unicode(text: str, encoding: str, *, font_name: str | None = None) -> str:
    """Convert TCVN3 ("tcvn3") or VNI Windows ("vni") text to NFC Unicode.

    ``text`` is the legacy bytes as Excel hands them over: decoded with cp1252 (latin-1 is
    accepted as well). Characters that are not legacy letter codes (ASCII, digits,
    punctuation) are kept. TCVN3 covers all 67 small letters and 55 of the 67 capitals; the
    capitals Ú, Ụ and Ư, Y with a tone are only in the capital fonts (or in control codes
    Excel cannot keep). Give ``font_name`` to have text in a capital font (".VnTimeH")
    returned in upper case, as it was seen. VNI covers all 134 letters.
    """
    encoding = _check_encoding(encoding)
    text = nfc(text)
    if encoding == "tcvn3":
        result = text.translate(_TCVN3_TRANSLATE)
        if is_capital_font(font_name):
            result = result.upper()
    else:
        result = _VNI_RE.sub(lambda m: _DECODE["vni"][m.group(0)], text)
    return nfc(result)


def unicode_to_legacy(text: str, encoding: str) -> str:
    """The legacy spelling of Unicode text, as Excel would show it (cp1252). For tests.

    ASCII is kept; any other character must have a code in the encoding, otherwise
    ValueError (e.g. TCVN3 has no "Ú" outside its capital fonts).
    """
    table = _ENCODE[_check_encoding(encoding)]
    out: list[str] = []
    for ch in nfc(text):
        if ch.isascii():
            out.append(ch)
        elif ch in table:
            out.append(table[ch])
        else:
            raise ValueError(f"{ch!r} has no {encoding} code")
    return "".join(out)


def detect_legacy(text: str, font_name: str | None = None) -> str | None:
    """Return "tcvn3" or "vni" when ``text`` is legacy-encoded Vietnamese, else None.

    Conservative by design:

    * ASCII-only text, and text holding any character that only Unicode Vietnamese has
      (ă đ ĩ ũ ơ ư, the U+1EA0-U+1EF9 letters, combining marks), is never legacy.
    * Otherwise each word the conversion would change is checked: does it read as a
      Vietnamese syllable before, after, both or neither? ("Hµ" -> "Hà" is evidence for
      TCVN3, "Giáo" -> "Giỏo"? no, "viên" -> "viờn" is evidence against it.)
    * A legacy font (see font_encoding) is trusted when its conversion makes at least one
      word readable and no more words unreadable than it fixes.
    * Without a font, an encoding is reported only when it fixes more words than it breaks
      and the other encoding does not do as well. (Over every word of the seed plans, no
      Unicode word is "fixed" by either conversion, so one fixed word is strong evidence.)
      Short legacy text whose every word also reads as Unicode ("Sè" for "Số") stays None.
    """
    if not text or text.isascii() or _has_unicode_vietnamese(text):
        return None
    hinted = font_encoding(font_name)
    if hinted is not None:
        fixed, broken, _, readable = _evidence(text, hinted)
        if readable and fixed >= broken:
            return hinted
    scores: dict[str, int] = {}
    for encoding in _ENCODINGS:
        fixed, broken, _, _ = _evidence(text, encoding)
        if fixed > broken:
            scores[encoding] = fixed - broken
    if not scores:
        return None
    best = max(scores.values())
    winners = [enc for enc, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def _check_encoding(encoding: str) -> str:
    key = encoding.strip().lower()
    if key not in _ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}: use 'tcvn3' or 'vni'")
    return key


# the same characters as one class: a C scan instead of a Python loop over every character
_UNICODE_VIETNAMESE = re.compile(
    "[" + "".join(sorted(UNICODE_ONLY_VIETNAMESE)) + "\u1ea0-\u1ef9]")


def _has_unicode_vietnamese(text: str) -> bool:
    return _UNICODE_VIETNAMESE.search(text) is not None


def _evidence(text: str, encoding: str) -> tuple[int, int, int, int]:
    """(fixed, broken, changed, readable) over the words that conversion changes.

    fixed: unreadable before, a syllable after; broken: the reverse; readable: a syllable
    after conversion. Words without a letter (dashes, quotes) are left out: TCVN3 maps
    some punctuation to capitals, and "–" -> "Ọ" proves nothing.
    """
    fixed = broken = changed = readable = 0
    for token in text.split():
        word = token.strip(string.punctuation)
        if not any(ch.isalpha() for ch in word):
            continue
        converted = legacy_to_unicode(word, encoding)
        if converted == word:
            continue
        changed += 1
        before, after = _is_syllable(word), _is_syllable(converted)
        fixed += after and not before
        broken += before and not after
        readable += after
    return fixed, broken, changed, readable
