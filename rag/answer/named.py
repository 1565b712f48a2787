"""How much of what a question asks an article names: the question's words, each weighted
by its rarity in the archive (`Topic`, rag/text/topic.py), held by what was read of the
article (its headline and passages). A report on what the question asks holds most of them;
a report on something else that shares its names or its meaning holds fewer ("Pelosi" and
"gas tax", not "attacked", "violent", "break-in"). The period check (rag/answer/scope.py)
and the choice of supporting quotes (rag/answer/quotes.py) read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from rag.answer.evidence import ScoredSentence
from rag.search.dates import question_range
from rag.text.topic import Topic, topic_words
from rag.types import Hit


def question_topic(
    question: str, as_of: dt.date, rarity: Callable[[list[str]], dict[str, float]]
) -> Topic:
    """The words of a question, the words of a period it names left out ("this week"),
    weighted by `rarity` (rag/search/reading.py) and held by any of their forms ("attacked"
    by "attack", "animals" by "animal")."""
    asked = question_range(question, as_of)
    if asked is not None:
        question = question.replace(asked.phrase, " ")
    weights: dict[str, float] = {}
    shown: dict[str, str] = {}
    for word, weight in rarity(topic_words(question)).items():
        stem = _stem(word)
        weights[stem] = max(weight, weights.get(stem, 0.0))
        shown.setdefault(stem, word)
    return Topic(weights, shown)


def _stem(word: str) -> str:
    """`word` without an inflection ("attacked", "animals", "angering"), when five letters
    or more are left: Topic holds a word of five letters or more as a prefix."""
    for ending in ("ing", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 5:
            if ending != "s" or not word.endswith(("ss", "us", "is", "ies")):
                return word[: -len(ending)]
    return word


def read_text(hits: list[Hit]) -> dict[str, str]:
    """What was read of each article: its headline and passages."""
    texts: dict[str, list[str]] = {}
    for hit in hits:
        texts.setdefault(hit.doc_id, [hit.title]).append(hit.text)
    return {doc: " ".join(dict.fromkeys(parts)) for doc, parts in texts.items()}


def with_named(
    scored: list[ScoredSentence], topic: Topic, read: dict[str, str]
) -> list[ScoredSentence]:
    """`scored` with the share of the question's words (`topic`, by rarity) that what was
    `read` of each sentence's article holds: a report on what the question asks holds most
    of them, a report on something else that shares its names or meaning fewer."""
    shares = {doc: topic.share(text) for doc, text in read.items()}
    return [replace(s, named=shares.get(s.hit.doc_id, 1.0)) for s in scored]
