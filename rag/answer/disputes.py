"""Conflicting sources: on-topic sentences from different articles that say the same thing
with a different value in the same place ("...Stadium in Tampa, Florida" against
"...Stadium in Glendale, Arizona"; "bought YouTube for $1.65 billion" against "$10.65").

No NLI model ships for this machine, so a disagreement is found by alignment: two of the
answer's candidate sentences that share most of their wording are aligned word by word;
where one puts a name or number in place of another, next to a shared word, and neither
value is in the question or in the other sentence, the sources disagree. Dates count only
when the question asks when (articles written on different days name different days for
one event), and a dateline ("Nov 5, 2019 ...") is never a value. Paraphrased disagreements
("killed 12" against "the death toll rose to nine") are not found.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.answer.evidence import ScoredSentence
from rag.text.patterns import MONTH, NAME_WORD, NOT_NAMES, NUMBER, WEEKDAY, content_words

_MONTH = rf"{MONTH}\.?"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}"
    rf"(?:,?\s+\d{{4}})?|{_MONTH}(?:\s+\d{{4}})?|{WEEKDAY}|(?:19|20)\d\d)\b"
)
_DATELINE = re.compile(rf"^\W*(?:{_DATE.pattern})\s*(?:\.\.\.|…|—|–|-|:)")
_UNIT = r"(?:\s*(?:%|percent|million|billion|trillion|thousand))?"
_NUMBER = re.compile(rf"\b(?:{NUMBER}){_UNIT}")
# "Tampa, Florida" is one value; "France, Germany and Italy" are several.
_NAME = re.compile(
    rf"\b{NAME_WORD}(?:(?:\s+(?:of|de|del|la|von|van)\s+|\s+|,\s+(?={NAME_WORD}(?![\w\s]*,)))"
    rf"{NAME_WORD})*"
)
_WORD = re.compile(r"\d[\d,.]*\d|\w[\w'’.-]*\w|\w")
_TRIM = re.compile(r"^(?:the|a|an|and)\s+|['’]s$", re.IGNORECASE)
_ASKS_WHEN = re.compile(r"\b(when|dates?|(what|which) (year|day|month|time))\b", re.I)
# How much of their wording two sentences must share (difflib ratio) to be read as two
# versions of one statement; measured on RGB and RealTimeQA dev (see the README).
_MIN_SHARED = 0.5
# A replaced stretch longer than this many words is a different sentence, not a new value.
_MAX_REPLACED_WORDS = 6


@dataclass(frozen=True)
class Side:
    """One version of a disputed value and the candidate sentences that state it."""

    value: str
    sentences: tuple[ScoredSentence, ...]


@dataclass(frozen=True)
class _Value:
    start: int
    end: int
    kind: str  # "name", "number" or "date"


def _values(text: str, dates: bool, proper: set[str]) -> list[_Value]:
    """The names, numbers and (if `dates`) dates a sentence states.

    A lone capitalized word opening a sentence is a name only if it is also capitalized
    mid-sentence somewhere (`proper`); in a title-case headline every word is capitalized,
    so names there are marked "title" and only compared with names in other headlines.
    """
    found: list[_Value] = []
    taken: list[tuple[int, int]] = []
    dateline = _DATELINE.match(text)
    if dateline:
        taken.append((0, dateline.end()))
    titled = _title_case(text)
    for kind, pattern in (("date", _DATE), ("number", _NUMBER), ("name", _NAME)):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            if kind == "date" and not dates:
                continue
            if kind == "name":
                word = m.group()
                opens = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?:"
                if word in NOT_NAMES or (opens and " " not in word and word not in proper):
                    continue
                kind = "title" if titled else "name"
            found.append(_Value(m.start(), m.end(), kind))
    return found


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    long = [w for w in words if len(w) > 3]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) / len(long) > 0.6


def _proper_names(candidates: list[ScoredSentence]) -> set[str]:
    """Capitalized words seen mid-sentence outside headlines: names, not sentence openers."""
    names: set[str] = set()
    for c in candidates:
        if not _title_case(c.text):
            names.update(m.group() for m in re.finditer(r"(?<=[\w,;] )[A-Z][\w'’.&-]*", c.text))
    return names


@lru_cache(maxsize=512)
def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, lower-cased word) of each word; cached, as every pair re-reads them."""
    return tuple((m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text))


def disputed(
    a: ScoredSentence, b: ScoredSentence, question: str, proper: set[str]
) -> tuple[str, str] | None:
    """The value `a` states where `b` states another, if the two sentences disagree."""
    if a.hit.doc_id == b.hit.doc_id:
        return None
    wa, wb = _words(a.text), _words(b.text)
    matcher = difflib.SequenceMatcher(
        None, [w for *_, w in wa], [w for *_, w in wb], autojunk=False
    )
    if matcher.ratio() < _MIN_SHARED:
        return None
    dates = bool(_ASKS_WHEN.search(question))
    va, vb = _values(a.text, dates, proper), _values(b.text, dates, proper)
    asked = fold(question)
    codes = matcher.get_opcodes()
    for i, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "replace" or max(i2 - i1, j2 - j1) > _MAX_REPLACED_WORDS:
            continue
        if not any(
            codes[k][0] == "equal"
            and content_words(" ".join(w for *_, w in wa[codes[k][1] : codes[k][2]]))
            for k in (i - 1, i + 1)
            if 0 <= k < len(codes)
        ):
            continue
        left = _inside(va, a.text, wa[i1][0], wa[i2 - 1][1])
        right = _inside(vb, b.text, wb[j1][0], wb[j2 - 1][1])
        for x, x_kind in left:
            for y, y_kind in right:
                if x_kind != y_kind or _same(x, y) or fold(x) in asked or fold(y) in asked:
                    continue
                if fold(x) in fold(b.text) or fold(y) in fold(a.text):
                    continue
                return x, y
    return None


def _inside(found: list[_Value], text: str, start: int, end: int) -> list[tuple[str, str]]:
    """The values overlapping text[start:end]; names cut to that stretch: of "Simona Halep
    Wins Wimbledon" only "Simona Halep" differs from "Ashleigh Barty Wins Wimbledon".
    Dates and numbers are read whole."""
    clipped = []
    for v in found:
        if v.start < end and start < v.end:
            named = v.kind in ("name", "title")
            a, b = (max(v.start, start), min(v.end, end)) if named else (v.start, v.end)
            value = _TRIM.sub("", text[a:b].strip(" ,.;:"))
            if value and value not in NOT_NAMES:
                clipped.append((value, v.kind))
    return clipped


def fold(text: str) -> str:
    """Lower case without accents: "Plíšková" and "Pliskova" are one name."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _same(x: str, y: str) -> bool:
    """Two spellings of one value: one is part of the other ("Tampa", "Tampa Bay"), they
    differ only in spacing ("CNNPolitics") or share a long stem ("British", "Britain")."""
    fx, fy = fold(x), fold(y)
    wx, wy = set(fx.split()), set(fy.split())
    if wx <= wy or wy <= wx or fx.replace(" ", "") == fy.replace(" ", ""):
        return True
    stem = len(os.path.commonprefix([fx, fy]))
    return stem >= 4 and not any(c.isdigit() for c in fx + fy)


def find_conflicts(
    question: str, candidates: list[ScoredSentence], limit: int = 2
) -> list[tuple[Side, Side]]:
    """Disagreements among the answer's candidate sentences (best first), each as two sides;
    a side gathers every candidate that states its value and not the other."""
    proper = _proper_names(candidates)
    conflicts: list[tuple[Side, Side]] = []
    for i, a in enumerate(candidates):
        for b in candidates[i + 1 :]:
            pair = disputed(a, b, question, proper)
            if not pair or any(_same(v, s.value) for v in pair for c in conflicts for s in c):
                continue
            x, y = pair
            conflicts.append(
                (Side(x, _stating(x, y, candidates)), Side(y, _stating(y, x, candidates)))
            )
            if len(conflicts) >= limit:
                return conflicts
    return conflicts


def _stating(
    value: str, other: str, candidates: list[ScoredSentence]
) -> tuple[ScoredSentence, ...]:
    """The candidates that state `value` and not `other`."""
    v, o = fold(value), fold(other)
    return tuple(c for c in candidates if v in fold(c.text) and o not in fold(c.text))
