"""The words a query names its topic by, each weighted by how rare it is in the archive.

A timeline takes a sentence of an article that is not about its story only when the
sentence names the story (rag/timeline/topic.py); a question about a period is answered
only from a report of that period that names what it asks about (rag/answer/scope.py).
Meaning alone cannot tell the Artemis mission from another moon mission, nor this week's
earthquake from last month's floods in the same country: the rarer words can.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from rag.text.patterns import content_words

NAMES = 0.5
_WORD = re.compile(r"\w+")


class Topic:
    """The query's words, each weighted by its rarity in the archive (-log of the share of
    passages holding it). A text *names* the topic when it holds words worth at least NAMES
    of their weight: "Pelosi … Taiwan" names "Nancy Pelosi's visit to Taiwan", "Taiwan"
    alone does not. "Syrian" holds "syria": a word of five letters or more also matches as
    a prefix. With no query word in the archive, every text names it. `shown` gives a
    word's form as the query wrote it, when the weights hold a shorter one."""

    def __init__(self, weights: dict[str, float], shown: dict[str, str] | None = None):
        self.weights, self.shown = weights, shown or {}
        self.total = sum(weights.values())

    def share(self, text: str) -> float:
        """The share of the words' weight that `text` holds (1 with no word to hold)."""
        if not self.total:
            return 1.0
        tokens = set(_WORD.findall(text.lower()))
        return sum(v for w, v in self.weights.items() if _holds(tokens, w)) / self.total

    def names(self, text: str) -> bool:
        return self.share(text) >= NAMES

    def missing(self, text: str, n: int = 3) -> list[str]:
        """The rarest `n` words `text` does not hold, rarest first, as the query wrote them."""
        tokens = set(_WORD.findall(text.lower()))
        lacking = [w for w in self.weights if not _holds(tokens, w)]
        return [self.shown.get(w, w) for w in sorted(lacking, key=lambda w: -self.weights[w])[:n]]


def topic_words(query: str) -> list[str]:
    """The query's words that can name a topic: no stop words, spaCy's list ("his",
    "against" carry none either)."""
    return sorted(w for w in content_words(query) if w not in STOP_WORDS)


def _holds(tokens: set[str], word: str) -> bool:
    return word in tokens or (len(word) >= 5 and any(t.startswith(word) for t in tokens))
