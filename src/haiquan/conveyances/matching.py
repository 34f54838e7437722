"""Matching people against a watch list, pure: exact (travel document number + nationality; name + date of
birth) and fuzzy (names folded to Latin capitals without diacritics, transliterated, tokens in any order,
Jaro-Winkler similarity and edit distance). Each match carries a score in [0, 1] and its reasons."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

FUZZY_THRESHOLD = 0.88  # below this a name is not reported: ~2 edits in a 15-letter name

# Cyrillic to Latin (ICAO 9303 transliteration of the machine-readable zone, simplified)
_CYRILLIC = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
        [
            "A",
            "B",
            "V",
            "G",
            "D",
            "E",
            "E",
            "ZH",
            "Z",
            "I",
            "I",
            "K",
            "L",
            "M",
            "N",
            "O",
            "P",
            "R",
            "S",
            "T",
            "U",
            "F",
            "KH",
            "TS",
            "CH",
            "SH",
            "SHCH",
            "IE",
            "Y",
            "",
            "E",
            "IU",
            "IA",
        ],
        strict=True,
    )
)
# spelling variants folded together before the fuzzy comparison (PH/F, KH/K, Y/I, W/V, ...)
_FOLDS = (("PH", "F"), ("TH", "T"), ("KH", "K"), ("CK", "K"), ("Q", "K"), ("C", "K"), ("Y", "I"), ("W", "V"),
          ("Z", "S"), ("DH", "D"), ("GH", "G"))  # fmt: skip


def normalize_name(name: str) -> str:
    """Latin capitals, no diacritics (Vietnamese Đ is D), Cyrillic transliterated, one space between
    tokens, punctuation dropped: 'Nguyễn Văn Đức' -> 'NGUYEN VAN DUC'."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", name.upper().replace("Đ", "D").replace("đ", "D")):
        if unicodedata.combining(ch):
            continue
        ch = _CYRILLIC.get(ch, ch)
        out.append(ch if ch.isascii() and ch.isalnum() else " ")
    return " ".join("".join(out).split())


def phonetic(name: str) -> str:
    """The normalised name with spelling variants folded and doubled letters single."""
    s = normalize_name(name)
    for a, b in _FOLDS:
        s = s.replace(a, b)
    return "".join(c for i, c in enumerate(s) if i == 0 or c != s[i - 1])


def sorted_tokens(name: str) -> str:
    return " ".join(sorted(name.split()))


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(len(a), len(b)) // 2 - 1
    used = [False] * len(b)
    matched_a: list[str] = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                matched_a.append(ch)
                break
    m = len(matched_a)
    if m == 0:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if used[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class Person:
    name: str
    date_of_birth: date | None
    nationality: str | None  # ISO 3166-1 alpha-3
    document_number: str | None


@dataclass(frozen=True)
class WatchedPerson(Person):
    id: str
    reason: str
    source: str


@dataclass(frozen=True)
class Match:
    entry: WatchedPerson
    score: float
    kind: str  # "exact" | "fuzzy"
    reasons: tuple[str, ...]


def _doc(value: str | None) -> str:
    return "".join(c for c in (value or "").upper() if c.isalnum())


def _allowed(token: str) -> int:
    """Letters that may differ in one name token: none in a short one (Vietnamese given names of 2-3
    letters differ by one letter: AN/ANH, HOA/HA), one from 4 letters, two from 8."""
    return 0 if len(token) <= 3 else 1 if len(token) < 8 else 2


def _aligned(a: list[str], b: list[str]) -> int | None:
    """Total edits when each token of `a` pairs with a distinct token of `b` within its allowance, else None."""
    if len(a) != len(b):
        return None
    left, total = list(b), 0
    for token in sorted(a, key=len, reverse=True):
        best = min(left, key=lambda t: edit_distance(token, t))
        d = edit_distance(token, best)
        if d > min(_allowed(token), _allowed(best)):
            return None
        left.remove(best)
        total += d
    return total


def name_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two names are (tokens in any order) and why: the same once folded (1.0); the same once
    spelling variants are folded (0.96); the same letters spaced otherwise (0.95); one's tokens within
    the other's, a name left out (0.9); token by token within a few letters (0.93, less per letter).
    Otherwise the Jaro-Winkler similarity, capped below the reporting threshold."""
    na, nb = normalize_name(a), normalize_name(b)
    if sorted_tokens(na) == sorted_tokens(nb):
        return 1.0, "same name (diacritics, case and token order aside)"
    pa, pb = phonetic(a), phonetic(b)
    if sorted_tokens(pa) == sorted_tokens(pb):
        return 0.96, f"same name once spelling variants are folded ({sorted_tokens(pa)})"
    if pa.replace(" ", "") == pb.replace(" ", ""):
        return 0.95, "same letters, spaced otherwise"
    for ta, tb in ((set(na.split()), set(nb.split())), (set(pa.split()), set(pb.split()))):
        if min(len(ta), len(tb)) >= 2 and (ta <= tb or tb <= ta):
            return 0.9, "one name's tokens all appear in the other (a name left out)"
    edits = _aligned(pa.split(), pb.split())
    jw = jaro_winkler(sorted_tokens(pa), sorted_tokens(pb))
    if edits is not None:
        return round(
            0.93 - 0.02 * (edits - 1), 3
        ), f"names differ by {edits} letter(s), Jaro-Winkler {jw:.2f}"
    return round(min(jw, 0.8), 3), f"different names (Jaro-Winkler {jw:.2f})"


def _exact(p: Person, w: WatchedPerson) -> list[str]:
    reasons: list[str] = []
    doc = _doc(p.document_number)
    if doc and doc == _doc(w.document_number) and (w.nationality in (None, p.nationality)):
        reasons.append(f"travel document {doc} ({p.nationality}) is on the watch list")
    same_name = sorted_tokens(normalize_name(p.name)) == sorted_tokens(normalize_name(w.name))
    if same_name and p.date_of_birth is not None and p.date_of_birth == w.date_of_birth:
        reasons.append(f"name and date of birth {p.date_of_birth.isoformat()} match")
    return reasons


def match(p: Person, w: WatchedPerson) -> Match | None:
    """How `p` matches the watched person, or None. Exact: score 1. Fuzzy: the name similarity, lowered
    when the dates of birth differ (a different person most likely) and raised a little when the date
    of birth or the nationality agree."""
    exact = _exact(p, w)
    if exact:
        return Match(w, 1.0, "exact", tuple(exact))
    sim, how = name_similarity(p.name, w.name)
    reasons = [how]
    if p.date_of_birth and w.date_of_birth:
        if p.date_of_birth == w.date_of_birth:
            sim, reasons = min(1.0, sim + 0.04), [*reasons, "same date of birth"]
        elif p.date_of_birth.year == w.date_of_birth.year:
            sim, reasons = sim - 0.03, [*reasons, "same year of birth, another day"]
        else:
            sim -= 0.25
    if p.nationality and w.nationality and p.nationality == w.nationality:
        sim, reasons = min(1.0, sim + 0.02), [*reasons, f"same nationality {p.nationality}"]
    if sim < FUZZY_THRESHOLD:
        return None
    return Match(w, round(sim, 3), "fuzzy", tuple(reasons))


def screen(p: Person, watched: list[WatchedPerson]) -> list[Match]:
    """Every match of `p`, best first."""
    found = [m for w in watched if (m := match(p, w)) is not None]
    return sorted(found, key=lambda m: (-m.score, m.entry.id))
