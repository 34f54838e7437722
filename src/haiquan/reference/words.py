"""HS search by code and by words, plain Python: Vietnamese and English descriptions normalised so that a
search ignores case and diacritics ("thit bo" finds "Thịt bò"), and a ranking that puts code matches first
(the exact code, then the codes under it, shortest first), then word matches (every word of the query
starting a word of the description; more of the description's words matched first, then the code)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower case without diacritics: NFD, combining marks dropped, đ → d (a letter of its own, not a mark)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class Entry:
    """A searchable code: a 2/4/6-digit HS heading or an 8-digit national tariff line."""

    code: str
    description_en: str
    description_vi: str
    words: frozenset[str]

    @classmethod
    def of(cls, code: str, description_en: str, description_vi: str = "") -> Entry:
        return cls(
            code, description_en, description_vi, frozenset(words(f"{description_en} {description_vi}"))
        )


@dataclass(frozen=True)
class Hit:
    entry: Entry
    match: str  # "code" | "words"


def code_query(query: str) -> str | None:
    """The digits of a code-like query (8517.13, 8517 13 00), or None for a query of words."""
    compact = re.sub(r"[\s.]", "", query)
    return compact if compact.isdigit() and 2 <= len(compact) <= 8 else None


def _matches_word(entry_words: frozenset[str], wanted: str) -> bool:
    return wanted in entry_words or any(w.startswith(wanted) for w in entry_words)


def search(entries: Iterable[Entry], query: str, *, limit: int = 20) -> list[Hit]:
    """The entries for a query, best first (see the module's docstring); at most `limit`."""
    code = code_query(query)
    if code is not None:
        found = [e for e in entries if e.code.startswith(code)]
        found.sort(key=lambda e: (e.code != code, len(e.code), e.code))
        return [Hit(e, "code") for e in found[:limit]]
    wanted = [w for w in words(query) if len(w) >= 2 or w.isdigit()]
    if not wanted:
        return []
    scored = []
    for e in entries:
        if all(_matches_word(e.words, w) for w in wanted):
            exact = sum(1 for w in wanted if w in e.words)
            scored.append((-exact, len(e.words), e.code, e))
    scored.sort(key=lambda s: s[:3])
    return [Hit(s[3], "words") for s in scored[:limit]]
