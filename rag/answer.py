"""The offline answerer: quote the archive's best sentences, each with its [n] citation.

No LLM is needed. The sentences of the retrieved chunks are scored against the question by
embedding similarity plus keyword overlap; the best few are quoted as written. When even the
best sentence scores below `min_score`, the answer says the archive does not answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bm25s.stopwords import STOPWORDS_EN
from langchain_core.prompts import PromptTemplate

from rag.embeddings import Embedder
from rag.types import Answer, Citation, Claim, Hit, Span

OnToken = Callable[[str], None]

# Words that carry no topic in a question; on top of bm25s's English stop words.
_QUESTION_WORDS = frozenset(
    "what who whom whose which when where why how did does do done say says said tell told "
    "about has have had were been being can could would should may might any some".split()
)
_STOP = frozenset(STOPWORDS_EN) | _QUESTION_WORDS
_TOKEN = re.compile(r"[a-z0-9]+")
# Weight of keyword overlap against embedding similarity in a sentence's score.
_KEYWORD_WEIGHT = 0.3
# Quote further sentences only if they rank within this margin of the best one.
_MARGIN = 0.2
# A sentence that names someone or something, or gives a number, that the question does not
# ranks this much higher: it is more likely to hold the answer than a mere paraphrase.
_NEW_FACT_BONUS = 0.1
_FACT = re.compile(r"\b(?:[A-Z][\w'’.-]+|\d[\d,.%]*)")
_MIN_QUOTE_WORDS = 4
# Where a headline "is": it is not part of the article's text.
_TITLE = Span(-1, -1)


_MARKER_LIKE = re.compile(r"\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")


def defang_markers(text: str) -> str:
    """Article text with anything that looks like a citation marker, [7], made (7), so
    that a document cannot put a fake citation into an answer."""
    return _MARKER_LIKE.sub(r"(\1)", text)


def content_words(text: str) -> set[str]:
    """Lower-cased words of `text` that carry topic (no stop or question words)."""
    return {w for w in _TOKEN.findall(text.lower()) if w not in _STOP and len(w) > 1}


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


def score_sentences(question: str, hits: list[Hit], embedder: Embedder) -> list[ScoredSentence]:
    """Every distinct sentence of the hits, and each article's headline, scored against the
    question, best first. Headlines count: news often states the answer only there."""
    seen: set[tuple[str, int]] = set()
    candidates: list[tuple[Hit, Span, str]] = []
    for hit in hits:
        title = [(_TITLE, hit.title)] if (hit.doc_id, _TITLE.start) not in seen else []
        for span, text in title + hit.sentence_texts():
            if (hit.doc_id, span.start) not in seen and len(text.split()) >= _MIN_QUOTE_WORDS:
                seen.add((hit.doc_id, span.start))
                candidates.append((hit, span, text))
    if not candidates:
        return []
    vectors = embedder.embed([question] + [text for _, _, text in candidates])
    similarity = vectors[1:] @ vectors[0]
    asked = content_words(question)
    scored = []
    for (hit, span, text), sim in zip(candidates, similarity):
        overlap = len(asked & content_words(text)) / len(asked) if asked else 0.0
        score = (1 - _KEYWORD_WEIGHT) * float(sim) + _KEYWORD_WEIGHT * overlap
        rank = score + _NEW_FACT_BONUS * new_facts(question, text)
        scored.append(ScoredSentence(hit, span, text, score, overlap, rank, span == _TITLE))
    return sorted(scored, key=lambda s: s.rank, reverse=True)


def _lead_in(chosen: ScoredSentence, scored: list[ScoredSentence]) -> ScoredSentence | None:
    """The sentence just before `chosen` in its paragraph, if it too is on the question.

    News writing often states a fact, then quotes the speaker ("..., Blinken said"); the
    quote alone reads as an answer only with the sentence that leads into it.
    """
    hit = chosen.hit
    for s in scored:
        if s.hit.doc_id != hit.doc_id or s.overlap == 0 or s.span.end > chosen.span.start:
            continue
        if s.span.end < hit.start:
            continue
        gap = hit.text[max(s.span.end - hit.start, 0) : chosen.span.start - hit.start]
        if s.span.start >= hit.start and not gap.strip() and "\n" not in gap:
            return s
    return None


def select_quotes(
    scored: list[ScoredSentence], max_quotes: int, min_score: float
) -> list[ScoredSentence]:
    """The sentences worth quoting, grouped by article and in reading order within one."""
    if not scored or max(s.score for s in scored) < min_score:
        return []
    floor = scored[0].rank - _MARGIN
    chosen: list[ScoredSentence] = []
    for s in scored:
        if s.rank < floor or len(chosen) >= max_quotes:
            break
        if s.score < min_score:
            continue
        lead = _lead_in(s, scored) if len(chosen) + 2 <= max_quotes else None
        for quote in (lead, s):
            if quote and all(quote.text.lower() != c.text.lower() for c in chosen):
                chosen.append(quote)
    # newest article first (undated last), then by relevance; reading order within one
    doc_order = list(dict.fromkeys(c.hit.doc_id for c in chosen))
    return sorted(
        chosen,
        key=lambda c: (newest_first(c.hit.date), doc_order.index(c.hit.doc_id), c.span.start),
    )


def newest_first(date: str) -> int:
    """Sort key putting the newest ISO date first and undated last."""
    return -dt.date.fromisoformat(date).toordinal() if date else 1


def date_range(dates: list[str]) -> str:
    """When the sources were published, e.g. "published 12–16 June 2022"."""
    days = sorted(dt.date.fromisoformat(d) for d in dates if d)
    if not days:
        return "with no date"
    first, last = days[0], days[-1]
    if first == last:
        return f"published {last:%-d %B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"published {first.day}–{last:%-d %B %Y}"
    if first.year == last.year:
        return f"published {first:%-d %B} – {last:%-d %B %Y}"
    return f"published {first:%-d %B %Y} – {last:%-d %B %Y}"


def _day(date: str) -> str:
    return f"{dt.date.fromisoformat(date):%-d %B %Y}" if date else "undated"


def build_answer(
    question: str,
    hits: list[Hit],
    quotes: list[ScoredSentence],
    prompts: dict[str, PromptTemplate],
    notice: str = "",
) -> Answer:
    """An Answer quoting `quotes` with numbered citations, or an abstention if there are none."""
    if not quotes:
        text = prompts["no_answer"].format(question=question)
        return Answer(question, text, abstained=True, hits=tuple(hits), notice=notice)
    citations = tuple(
        Citation(
            n=i,
            doc_id=q.hit.doc_id,
            title=q.hit.title,
            date=q.hit.date,
            url=q.hit.url,
            source=q.hit.source,
            chunk_id=q.hit.chunk_id,
            passage=q.hit.text,
            passage_start=q.hit.start,
            quote=q.text,
            start=max(q.span.start, 0),
            end=max(q.span.end, 0),
            in_title=q.in_title,
        )
        for i, q in enumerate(quotes, start=1)
    )
    # each quote says when it was published if the sources are not all from one day
    dated = len({c.date for c in citations}) > 1
    lines = "\n".join(
        f"- {_day(c.date) + ': ' if dated else ''}{'Headline: ' if c.in_title else ''}"
        f"“{defang_markers(c.quote)}” [{c.n}]"
        for c in citations
    )
    text = prompts["offline_answer"].format(
        date_range=date_range([c.date for c in citations]), quotes=lines
    )
    # a verbatim quote is fully supported by the passage it is quoted from
    claims = tuple(Claim(c.quote, (c.n,), 1.0, True) for c in citations)
    return Answer(question, text, False, citations, tuple(hits), claims, notice=notice)


class Answerer(Protocol):
    """Writes an Answer from retrieved hits (offline quotes, or an LLM)."""

    name: str

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        """The question rewritten to stand alone, given earlier (question, answer) turns."""
        ...

    def answer(self, question: str, hits: list[Hit], on_token: OnToken | None = None) -> Answer:
        """The answer; `on_token` receives its text as it is written, if it is streamed."""
        ...


class OfflineAnswerer:
    """Answers by quoting the archive's best sentences; needs no language model."""

    name = "offline"

    def __init__(
        self,
        embedder: Embedder,
        prompts: dict[str, PromptTemplate],
        max_quotes: int,
        min_score: float,
    ) -> None:
        self.embedder, self.prompts = embedder, prompts
        self.max_quotes, self.min_score = max_quotes, min_score

    def quotes(self, question: str, hits: list[Hit]) -> list[ScoredSentence]:
        """The sentences to quote; none when the archive does not answer the question."""
        scored = score_sentences(question, hits, self.embedder)
        return select_quotes(scored, self.max_quotes, self.min_score)

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        return question

    def answer(self, question: str, hits: list[Hit], on_token: OnToken | None = None) -> Answer:
        return build_answer(question, hits, self.quotes(question, hits), self.prompts)
