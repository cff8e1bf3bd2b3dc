"""Organisation names in normal case, as running text prints them.

Headers print a name IN HOA ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8"); the italic "Kèm theo …
của …" line and the report's prose print it in normal case ("Phòng Giáo dục và Đào tạo
Quận 8"). Unit lists and office profiles give names in capitals, so they are recased here,
once, for every stage that prints them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# --- one body, two spellings ------------------------------------------------------------


def name_key(name: str) -> str:
    """A name as compared: NFC, case-folded, single spaces ("SỞ GIÁO DỤC VÀ ĐÀO TẠO SÓC TRĂNG"
    from a units list and "Sở Giáo dục và Đào tạo Sóc Trăng" from a profile are one key)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def same_body(a: str, b: str) -> bool:
    """Whether two spellings name one body; an empty name names none."""
    return bool(name_key(a)) and name_key(a) == name_key(b)


# --- names in normal case ---------------------------------------------------------------

# Organisation types as NĐ 30/2020 Phụ lục VI capitalises them; longest match wins.
_ORG_PHRASES = (
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Phòng Giáo dục và Đào tạo",
    "Sở Giáo dục và Đào tạo", "Bộ Giáo dục và Đào tạo", "Phòng Nội vụ", "Sở Nội vụ",
    "Phòng Tài chính - Kế hoạch", "Văn phòng", "Trường Mầm non", "Trường Mẫu giáo",
    "Trường Tiểu học", "Trường Trung học cơ sở", "Trường Trung học phổ thông",
    "Trường Phổ thông", "Trường Tiểu học, Trung học cơ sở và Trung học phổ thông",
    "Trường Trung học cơ sở và Trung học phổ thông", "Trung tâm Giáo dục thường xuyên",
    "Trường THPT chuyên", "Trường THCS và THPT", "Trường THPT", "Trường THCS",
    "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", "Trường", "Phòng", "Sở",
    "Trung tâm", "UBND", "HĐND",
)
_ABBREVIATIONS = {"UBND", "HĐND", "TP.HCM", "TPHCM", "GD&ĐT", "GD-ĐT", "VP", "TP"}
_PLACE_WORDS = (("thành", "phố"), ("thị", "xã"), ("thị", "trấn"), ("quận",), ("huyện",),
                ("tỉnh",), ("phường",), ("xã",))


def _fold(word: str) -> str:
    return word.casefold().replace("uỷ", "ủy")


_ORG_WORDS = sorted(((tuple(_fold(w) for w in p.split()), p.split()) for p in _ORG_PHRASES),
                    key=lambda x: -len(x[0]))


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _is_abbreviation(word: str) -> bool:
    """"GDĐT", "THCS", "UBND", "TP.HCM", "19/5": every Vietnamese syllable has a vowel, so
    a word without one (or with a digit, or a known acronym) is kept as written."""
    if any(ch.isdigit() for ch in word) or word.strip(".,;()") in _ABBREVIATIONS:
        return True
    base = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    return not any(ch in "aeiouy" for ch in base)


def normal_case(name: str) -> str:
    """"PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN 8" → "Phòng Giáo dục và Đào tạo Quận 8".

    The italic "(Kèm theo Báo cáo số … của …)" line names the office in normal case, while
    the header prints it IN HOA. Only names whose organisation type is known are recased
    (the rest of the name is a proper name or a place); anything else, or a name already
    in mixed case, is kept as given rather than guessed wrong.
    """
    words = name.split()
    if not words or name != name.upper():
        return name
    folded = [_fold(w) for w in words]
    for key, phrase in _ORG_WORDS:
        if tuple(folded[:len(key)]) == key:
            out = list(phrase)
            rest = list(range(len(key), len(words)))
            break
    else:
        return name
    i = rest[0] if rest else len(words)
    while i < len(words):
        place = next((p for p in _PLACE_WORDS if tuple(folded[i:i + len(p)]) == p), None)
        if place:
            # "Quận 8", "Phường 15" (a number: capitalised) but "tỉnh Sóc Trăng"
            after = words[i + len(place)] if i + len(place) < len(words) else ""
            numbered = after[:1].isdigit()
            out += [_cap(w) if numbered and k == 0 else w.lower()
                    for k, w in enumerate(words[i:i + len(place)])]
            i += len(place)
            continue
        word = words[i]
        out.append(word if _is_abbreviation(word) else _cap(word))
        i += 1
    return " ".join(out)


# --- Nơi nhận ---------------------------------------------------------------------------


def recipient_lines(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Nơi nhận as NĐ 30/2020 prints it: "- Name;" per line in normal case, the archive
    line "- Lưu: VT." last and ending with a full stop (added when missing).

    Lists come from unit lists, profiles and plans typed by hand ("PGDDTQ8;", names in
    capitals, a missing "- "); the same lines print the same way in every output.
    """
    out: list[str] = []
    archive = ""
    for raw in lines:
        text = " ".join(str(raw).split()).lstrip("-–— ").rstrip(";,. ")
        if not text:
            continue
        if text.casefold().startswith("lưu"):
            archive = f"- {text}."
            continue
        if text == text.upper() and any(ch.isalpha() for ch in text):
            head, paren, tail = text.partition("(")
            text = normal_case(head.strip()) + (f" ({tail.lower()}" if paren else "")
        out.append(f"- {text};")
    out.append(archive or "- Lưu: VT.")
    return tuple(out)


# --- header names on two lines -----------------------------------------------------------


def break_name(name: str, fits: Callable[[str], bool]) -> str:
    """A header name that does not fit one line, broken once between words where a reader
    would: after the kind of body ("ỦY BAN NHÂN DÂN / HUYỆN ĐỨC HÒA", "TRƯỜNG MẦM NON /
    TUỔI THƠ") or before a place ("… ĐÀO TẠO / TỈNH SÓC TRĂNG"), never inside a place or a
    proper name; among such points the most balanced. Left as given (for the spreadsheet
    to wrap) when no break gives two lines that fit.
    """
    words = name.split()
    if fits(name) or len(words) < 2:
        return name
    folded = [_fold(w) for w in words]
    good: set[int] = set()
    kind = 0  # words naming the kind of body ("TRƯỜNG TRUNG HỌC CƠ SỞ")
    for key, _ in _ORG_WORDS:
        if tuple(folded[:len(key)]) == key and len(key) < len(words):
            good.add(len(key))
            kind = len(key)
            break
    for i in range(1, len(words)):
        if any(tuple(folded[i:i + len(p)]) == p for p in _PLACE_WORDS):
            good.add(i)
    options = []
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        if fits(first) and fits(second):
            balance = abs(len(first) - len(second))
            # a good point first; else inside the kind of body; a proper name last
            rank = 0 if i in good else (1 if i < kind else 2)
            options.append((rank, balance, f"{first}\n{second}"))
    return min(options)[2] if options else name
