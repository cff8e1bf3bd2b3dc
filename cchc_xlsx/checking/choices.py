"""Match a typed value against a rule's list of allowed values, forgiving near misses.

A clerk who types "Da hoan thanh" (no Unikey), "đã hoàn thành." or "ĐÃ HOÀN THÀNH" meant
"Đã hoàn thành": when the typed text matches exactly one allowed value after folding case,
diacritics, spaces and trailing punctuation, that value is accepted (the caller warns and
counts the listed value). Anything else is not guessed at: the caller reports an error and
may suggest the nearest allowed value, found by ``difflib`` on the same loose keys.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from cchc_xlsx.reading.normalize import ascii_fold, fold, nfc

_TRAILING = re.compile(r"[\s.,;:!?…\-–—]+$")
SUGGEST_CUTOFF = 0.6  # difflib ratio under which a value is too far to suggest


@dataclass(frozen=True)
class Choice:
    """``value``: the allowed value accepted (None: not accepted); ``exact``: typed as
    listed; ``nearest``: for a value not accepted, the allowed value it most resembles."""

    value: str | None
    exact: bool = False
    nearest: str | None = None


@lru_cache(maxsize=65536)
def _loose(text: str) -> str:
    return _TRAILING.sub("", ascii_fold(text)).strip()


@lru_cache(maxsize=65536)
def _tight(text: str) -> str:
    return _TRAILING.sub("", fold(text)).strip()


@lru_cache(maxsize=65536)
def match_choice(text: str, allowed: tuple[str, ...]) -> Choice:
    """The allowed value ``text`` stands for, if exactly one; else the nearest one.

    A text far longer than every allowed value (a pasted paragraph) can match none and
    resembles none: it is refused at once, without folding it (bounded work per cell)."""
    if len(text) > 2 * max(map(len, allowed), default=0) + 40:
        return Choice(None)
    typed = " ".join(nfc(text).split())
    if typed in allowed:
        return Choice(typed, exact=True)
    for key in (_tight, _loose):  # with diacritics first: it separates "bàn" from "bản"
        hits = [a for a in allowed if key(a) == key(typed)]
        if len(hits) == 1:
            return Choice(hits[0])
        if len(hits) > 1:
            break
    keys = {_loose(a): a for a in allowed}
    close = difflib.get_close_matches(_loose(typed), list(keys), n=1, cutoff=SUGGEST_CUTOFF)
    return Choice(None, nearest=keys[close[0]] if close else None)


__all__ = ["Choice", "match_choice"]
