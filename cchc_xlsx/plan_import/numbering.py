"""Word's automatic list numbers, computed as Word displays them.

An STT typed as a Word list ("1.", "a)", "I.", "1.2.") is not text in the file: the
paragraph only says which list (``w:numPr``: numId, ilvl) it belongs to, and the list's
definition in numbering.xml says how its levels are counted and printed (``w:numFmt``,
``w:lvlText`` like "%1.%2.", ``w:start``, restarts by ``w:lvlOverride/w:startOverride``).
Guessing from the row order would be wrong as soon as a list restarts, skips a level or
starts at 5, so the numbers are computed from these definitions, in document order.

Counting follows Word: lists (``w:num``) that share one abstract definition share its
counters, unless the list restarts a level by an override, which then takes effect at that
list's first paragraph; counting a level resets the levels below it; a level above the one
counted that was never counted itself stands at its start value (so "a)" items before any
"I." make the next "I."-level paragraph "II.", which is how LibreOffice writes a .doc's
list back to .docx: the first group in one list, the rest in another).
"""

from __future__ import annotations

from dataclasses import dataclass

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


def _roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter past z: 27 -> "aa", 53 -> "aaa"
    if n < 1:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and the formats no Vietnamese plan uses


def _val(element, tag: str, default: str | None = None) -> str | None:
    child = element.find(W + tag)
    return child.get(W + "val", default) if child is not None else default


def _levels(abstract) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    for lvl in abstract.iterchildren(W + "lvl"):
        try:
            ilvl = int(lvl.get(W + "ilvl", "0"))
            start = int(_val(lvl, "start", "1") or "1")
        except ValueError:
            continue
        levels[ilvl] = Level(_val(lvl, "numFmt", "decimal") or "decimal",
                             _val(lvl, "lvlText", "") or "", start)
    return levels


class Numbering:
    """The numbering definitions of one document and the running counters."""

    def __init__(self, root) -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, str] = {}  # numId -> abstractNumId
        self.overrides: dict[str, dict[int, int]] = {}  # numId -> ilvl -> start
        self.level_overrides: dict[str, dict[int, Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> ilvl -> count
        self.started: set[str] = set()  # numIds whose overrides took effect
        if root is None:
            return
        for abstract in root.iterchildren(W + "abstractNum"):
            # a repeated id: the first definition counts, as in Word and LibreOffice
            self.abstract.setdefault(abstract.get(W + "abstractNumId", ""), _levels(abstract))
        for num in root.iterchildren(W + "num"):
            num_id = num.get(W + "numId", "")
            if num_id in self.nums:
                continue
            self.nums[num_id] = _val(num, "abstractNumId", "") or ""
            for override in num.iterchildren(W + "lvlOverride"):
                try:
                    ilvl = int(override.get(W + "ilvl", "0"))
                except ValueError:
                    continue
                start = _val(override, "startOverride")
                if start is not None and start.lstrip("-").isdigit():
                    self.overrides.setdefault(num_id, {})[ilvl] = int(start)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    found = _levels(_wrap(lvl))
                    if found:
                        self.level_overrides.setdefault(num_id, {})[ilvl] = \
                            next(iter(found.values()))

    @classmethod
    def of(cls, word) -> Numbering:
        try:
            part = word.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return cls(None)
        return cls(part.element)

    def level(self, num_id: str, ilvl: int) -> Level | None:
        own = self.level_overrides.get(num_id, {}).get(ilvl)
        if own is not None:
            return own
        return self.abstract.get(self.nums.get(num_id, ""), {}).get(ilvl)

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool] | None:
        """The number Word shows for the next paragraph of list ``num_id`` at ``ilvl``, and
        whether it is a bullet; None when the list is not defined (or numId 0: no list)."""
        if num_id in ("", "0") or num_id not in self.nums:
            return None
        level = self.level(num_id, ilvl)
        if level is None:
            return None
        if level.fmt == "bullet":
            return "", True
        abstract = self.nums[num_id]
        counts = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in self.overrides.get(num_id, {}).items():
                counts[lvl] = start - 1
                for deeper in [k for k in counts if k > lvl]:
                    del counts[deeper]
        for upper in range(ilvl):  # a level never counted above this one stands at its start
            if upper not in counts:
                counts[upper] = (self.level(num_id, upper) or Level()).start
        if ilvl in counts:
            counts[ilvl] += 1
        else:
            counts[ilvl] = level.start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        text = level.text
        for k in range(9):
            mark = f"%{k + 1}"
            if mark not in text:
                continue
            lvl_k = self.level(num_id, k) or Level()
            value = counts.get(k)
            if value is None:  # a level above never counted: Word shows its start
                value = counts[k] = lvl_k.start
            text = text.replace(mark, format_number(value, lvl_k.fmt))
        return text, False


def _wrap(lvl):
    """An ``abstractNum``-like parent around one ``w:lvl`` for ``_levels``."""
    from lxml import etree

    parent = etree.Element(W + "abstractNum")
    parent.append(_copy(lvl))
    return parent


def _copy(element):
    import copy

    return copy.deepcopy(element)
