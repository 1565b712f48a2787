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

from rag.answer.question import (
    NAME,
    STATEMENT,
    answer_labels,
    candidates,
    is_statement,
    question_kind,
    words_of,
)
from rag.answer.weights import DEFAULT, AnswerWeights
from rag.index.embeddings import Encoder
from rag.text.patterns import NAME_WORD, NUMBER, content_words
from rag.types import Entity, Hit, Span, site_of

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
    named: float = 1.0  # share of the question's words its article holds (rag/answer/named.py)


def new_facts(question: str, sentence: str) -> bool:
    """True if the sentence names something or gives a number the question does not."""
    asked = {w.lower() for w in _FACT.findall(question)}
    # the sentence's first word is capitalized anyway, so it does not count as a name
    found = (m.group(0) for m in _FACT.finditer(sentence) if m.start() > 0)
    return any(w.lower() not in asked for w in found)


@dataclass(frozen=True)
class Sentence:
    """A sentence (or headline) an answer may quote, with its embedding similarity to the
    question: what scoring needs that no weight changes."""

    hit: Hit
    span: Span
    text: str
    similarity: float
    entities: tuple[Entity, ...] | None = None  # the names spaCy found in it; None: unknown

    @property
    def names(self) -> frozenset[str] | None:
        """The words of its names (not dates); None: unknown."""
        if self.entities is None:
            return None
        return frozenset(w for e in self.entities if e.label != "DATE" for w in e.key.split())


def sentences_of(
    question: str,
    hits: list[Hit],
    embedder: Encoder,
    furniture: set[tuple[str, int]] = frozenset(),
    entities: dict[str, list[Entity]] | None = None,
) -> list[Sentence]:
    """Every distinct sentence of the hits, and each article's headline, with its similarity
    to the question. Headlines count: news often states the answer only there. Sentences in
    `furniture` ((doc_id, start): page furniture, rag/text/furniture.py) are left out.
    `entities` (doc_id -> the names found at ingest, rag/index/entities.py) gives each
    sentence of those articles the names it holds.

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
    return [
        Sentence(*c, float(sim), _entities_in(entities, c[0].doc_id, c[1]))
        for c, sim in zip(candidates, similarity)
    ]


def _entities_in(
    entities: dict[str, list[Entity]] | None, doc_id: str, span: Span
) -> tuple[Entity, ...] | None:
    """The names found in the sentence at `span` of `doc_id`; None where none were looked
    for (a headline, an article read before names were)."""
    if entities is None or doc_id not in entities or span == _TITLE:
        return None
    return tuple(e for e in entities[doc_id] if span.start <= e.start and e.end <= span.end)


def score_sentences(
    question: str,
    hits: list[Hit],
    embedder: Encoder,
    furniture: set[tuple[str, int]] = frozenset(),
    weights: AnswerWeights = DEFAULT,
) -> list[ScoredSentence]:
    """The sentences of the hits (sentences_of) scored against the question, best first."""
    return rank_sentences(question, hits, sentences_of(question, hits, embedder, furniture),
                          weights)  # fmt: skip


def rank_sentences(
    question: str, hits: list[Hit], sentences: list[Sentence], weights: AnswerWeights = DEFAULT
) -> list[ScoredSentence]:
    """`sentences` (of `hits`) scored against the question with `weights`, best first."""
    if not sentences:
        return []
    asked = content_words(question)
    w = weights
    scored = []
    for c in sentences:
        overlap = len(asked & content_words(c.text)) / len(asked) if asked else 0.0
        score = (1 - w.keyword) * c.similarity + w.keyword * overlap
        rank = score + w.new_fact * new_facts(_with_outlet(question, c.hit), c.text)
        scored.append(ScoredSentence(c.hit, c.span, c.text, score, overlap, rank, c.span == _TITLE))
    return sorted(_ranked(question, hits, scored, w, sentences), key=lambda s: s.rank,
                  reverse=True)  # fmt: skip


def _ranked(
    question: str,
    hits: list[Hit],
    scored: list[ScoredSentence],
    w: AnswerWeights,
    sentences: list[Sentence],
) -> list[ScoredSentence]:
    """The sentences with the answer-kind vote, whether they offer an answer of the kind at
    all, whether they name something of the kind asked for, and the article's search rank
    in their rank. A name asked for ("who", "which team") is a word of a name spaCy found
    in the sentence, where its names are stored."""
    kind, labels = question_kind(question), answer_labels(question)
    names = [c.names for c in sentences]
    if kind == STATEMENT:
        offered = [{"quote"} if is_statement(s.text) else set() for s in scored]
    else:
        offered = [candidates(kind, _with_outlet(question, s.hit), s.text) for s in scored]
        if kind == NAME and w.names:
            offered = [o if n is None else o & n for o, n in zip(offered, names)]
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
            + w.typed * _typed(labels, question, s.hit, c.entities)
            + w.article / article[s.hit.doc_id],
        )
        for s, c, answers in zip(scored, sentences, offered)
    ]


def _typed(
    labels: frozenset[str], question: str, hit: Hit, entities: tuple[Entity, ...] | None
) -> bool:
    """True if the sentence names something with one of the `labels` the question asks for
    ("which show" -> a work, "where" -> a place; rag/answer/question.py, answer_labels) that
    the question (with the outlet's name) does not name."""
    if not labels or not entities:
        return False
    asked = words_of(_with_outlet(question, hit))
    return any(e.label in labels and not set(e.key.split()) <= asked for e in entities)


def _with_outlet(question: str, hit: Hit) -> str:
    """The question with the name of the hit's outlet: a headline's "| CNN" or a "Reuters
    reported" names no answer (cnn.com -> CNN, bbc.co.uk -> BBC)."""
    labels = site_of(hit.url).split(".")
    short = len(labels) > 2 and len(labels[-2]) <= 3  # co.uk, com.au
    outlet = labels[-3] if short else labels[-2] if len(labels) > 1 else ""
    return f"{question} {outlet.upper()}" if outlet else question


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
