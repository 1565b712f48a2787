"""How an attribution names its speaker: the subject's own words, and the name the article
gives that person at its fullest ("Blinken", "Secretary Blinken" -> "Antony Blinken"; "he"
-> the nearest person named before; a group keeps its wording)."""

from __future__ import annotations

import re
from functools import cache

from rag.text.patterns import TITLES

_PRONOUNS = frozenset("he she him her".split())


def speaker_words(subject) -> list:
    """The subject's own words: "Sen. Jeff Merkley" without ", D-Ore., who …"."""
    words = list(subject.doc[subject.left_edge.i : subject.i + 1])
    while len(words) > 1 and words[0].is_punct:  # "” Ramos" after a closing quotation mark
        words = words[1:]
    for child in subject.rights:
        if child.dep_ in ("flat", "compound") and child.i == words[-1].i + 1:
            words.append(child)
    return words


def named_as(subject, words: str, people) -> str:
    """The speaker as the article names them at their fullest: a pronoun is the nearest
    person named before it; a person's name its longest form in the article ("Blinken",
    "Secretary Blinken" -> "Antony Blinken"); anything else its own words."""
    if subject.lower_ in _PRONOUNS:
        before = [p for p in people if p.end_char <= subject.idx]
        return _fullest(before[-1].text, people) if before else words
    person = next((p for p in people if p.start_char <= subject.idx < p.end_char), None)
    return _fullest(person.text, people) if person is not None else _plain(words)


def _fullest(name: str, people) -> str:
    """The longest name in the article ending in the same word as `name`."""
    name = _plain(name)
    last = name.split()[-1].lower() if name.split() else ""
    forms = [_plain(p.text) for p in people]
    same = [f for f in forms if f.split() and f.split()[-1].lower() == last]
    return max(same, key=len, default=name)


@cache
def _plain(name: str) -> str:
    """The name without a possessive "’s" and a leading title ("Secretary Blinken")."""
    words = re.sub(r"[’']s$", "", name.strip()).split(maxsplit=1)
    titled = len(words) == 2 and words[0][:1].isupper() and words[0].lower().rstrip(".") in TITLES
    return words[1] if titled else " ".join(words)
