"""Sentences of retrieved passages scored against a question: what every answer draws on.

A sentence's score is its embedding similarity to the question plus the share of the
question's topic words it contains: it decides whether the archive answers at all. Its rank
decides what is quoted first, and adds what makes a sentence hold the answer rather than
restate the question: it states a name or number the question does not; it offers an
answer of the kind asked for (rag/answer/question.py) that other good sentences offer too;
and it comes from an article the search ranked high.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.question import STATEMENT, candidates, is_statement, question_kind
from rag.answer.weights import DEFAULT, AnswerWeights
from rag.index.embeddings import Encoder
from rag.text.patterns import NAME_WORD, NUMBER, content_words
from rag.types import Hit, Span

# The weights of score and rank: rag/answer/weights.py. Votes for an answer come from the
# _VOTERS best sentences, each weighted exp((score - best score) / _VOTE_SPREAD).
_VOTERS = 15
_VOTE_SPREAD = 0.1
_FACT = re.compile(rf"\b(?:{NAME_WORD}|(?:{NUMBER})%?)")
_MIN_QUOTE_WORDS = 4
# Where a headline "is": it is not part of the article's text.
_TITLE = Span(-1, -1)


@dataclass(frozen=True)
class ScoredSentence:
    hit: Hit
    span: Span
    text: str
    score: float  # relevance to the question: decides whether the archive answers at all
    overlap: float  # share of the question's topic words in the sentence
    rank: float = 0.0  # relevance plus the new-fact bonus: decides what is quoted first
    in_title: bool = False  # the article's headline, not a sentence of its text


def new_facts(question: str, sentence: str) -> bool:
    """True if the sentence names something or gives a number the question does not."""
    asked = {w.lower() for w in _FACT.findall(question)}
    # the sentence's first word is capitalized anyway, so it does not count as a name
    return any(w.lower() not in asked for w in _FACT.findall(sentence[1:]))


def score_sentences(
    question: str,
    hits: list[Hit],
    embedder: Encoder,
    furniture: set[tuple[str, int]] = frozenset(),
    weights: AnswerWeights = DEFAULT,
) -> list[ScoredSentence]:
    """Every distinct sentence of the hits, and each article's headline, scored against the
    question with `weights`, best first. Headlines count: news often states the answer only
    there. Sentences in `furniture` ((doc_id, start): page furniture,
    rag/text/furniture.py) are left out.

    Sentence vectors stored at ingest are used; only sentences without one are embedded."""
    seen: set[tuple[str, int]] = set(furniture)
    candidates: list[tuple[Hit, Span, str]] = []
    stored: list[np.ndarray | None] = []
    for hit in hits:
        title = [(_TITLE, hit.title)] if (hit.doc_id, _TITLE.start) not in seen else []
        rows = hit.sentence_vectors
        for row, (span, text) in enumerate(title + hit.sentence_texts(), start=1 - len(title)):
            if (hit.doc_id, span.start) not in seen and len(text.split()) >= _MIN_QUOTE_WORDS:
                seen.add((hit.doc_id, span.start))
                candidates.append((hit, span, text))
                stored.append(rows[row] if rows is not None and rows[row].any() else None)
    if not candidates:
        return []
    missing = [c[2] for c, v in zip(candidates, stored) if v is None]
    embedded = iter(embedder.embed([question, *missing]))
    asked_vector = next(embedded)
    vectors = np.stack([next(embedded) if v is None else v for v in stored])
    similarity = vectors @ asked_vector
    asked = content_words(question)
    w = weights
    scored = []
    for (hit, span, text), sim in zip(candidates, similarity):
        overlap = len(asked & content_words(text)) / len(asked) if asked else 0.0
        score = (1 - w.keyword) * float(sim) + w.keyword * overlap
        rank = score + w.new_fact * new_facts(question, text)
        scored.append(ScoredSentence(hit, span, text, score, overlap, rank, span == _TITLE))
    return sorted(_ranked(question, hits, scored, w), key=lambda s: s.rank, reverse=True)


def _ranked(
    question: str, hits: list[Hit], scored: list[ScoredSentence], w: AnswerWeights
) -> list[ScoredSentence]:
    """The sentences with the answer-kind vote, whether they offer an answer of the kind at
    all, and the article's search rank in their rank."""
    kind = question_kind(question)
    if kind == STATEMENT:
        offered = [{"quote"} if is_statement(s.text) else set() for s in scored]
    else:
        offered = [candidates(kind, question, s.text) for s in scored]
    best = max(s.score for s in scored)
    votes: Counter[str] = Counter()
    voters = sorted(range(len(scored)), key=lambda i: scored[i].score, reverse=True)[:_VOTERS]
    for i in voters:
        for answer in offered[i]:
            votes[answer] += math.exp((scored[i].score - best) / _VOTE_SPREAD)
    top = max(votes.values(), default=0.0) or 1.0
    article = {}
    for hit in hits:
        article.setdefault(hit.doc_id, len(article) + 1)
    return [
        replace(
            s,
            rank=s.rank
            + w.vote * max((votes[a] for a in answers), default=0.0) / top
            + w.adds * bool(answers)
            + w.article / article[s.hit.doc_id],
        )
        for s, answers in zip(scored, offered)
    ]


def on_topic(
    question: str,
    hits: list[Hit],
    min_overlap: float,
    furniture: set[tuple[str, int]] = frozenset(),
) -> list[ScoredSentence]:
    """Sentences of `hits` holding at least `min_overlap` of the question's topic words,
    scored by that share alone: a cheap look further down the ranking, with no embedding.
    Page furniture (`furniture`, as for score_sentences) is left out."""
    asked = content_words(question)
    found = []
    for hit in hits:
        for span, text in hit.sentence_texts():
            if (hit.doc_id, span.start) in furniture:
                continue
            overlap = len(asked & content_words(text)) / len(asked) if asked else 0.0
            if overlap >= min_overlap and len(text.split()) >= _MIN_QUOTE_WORDS:
                found.append(ScoredSentence(hit, span, text, overlap, overlap, overlap))
    return sorted(found, key=lambda s: s.rank, reverse=True)
