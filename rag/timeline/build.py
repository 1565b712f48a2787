"""Cited timelines: the days a story's events happened, each with the archive's sentences
that say what happened then, quoted exactly.

From the passages a wide search finds on the topic (hybrid, with the usual filters), every
sentence is dated (rag/timeline/dates.py): the days it names, resolved against its
article's publication day. A day's weight is the number of articles that name it (each at
most once) plus a share for each article published on it, each weighted by how close the
article's sentences are to the query (half of an article's share goes to the day before it
appeared: news reports what happened that day or the day before). The best-weighted days
are the timeline's; for each, the sentences naming it, then (when they are fewer than
asked for) those published on it or the day after that name no day, are ranked by how
central they are among them — cosine to their mean, once with the vectors stored at ingest
and once with their words weighted by rarity (TF-IDF) — plus three times how close they are
to the query, and taken unless they repeat an entry already chosen. No model runs per
sentence: only the query is embedded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from rag.answer.types import Citation
from rag.index.vectors import Sentences
from rag.text.patterns import content_words
from rag.text.topic import Topic
from rag.timeline.dates import event_dates
from rag.timeline.topic import Captions, embedded_post, on_topic, pictured
from rag.types import Hit, Span

# Weight of an article published on a day, against 1 for an article naming the day.
PUBLISHED_WEIGHT = 0.5
DAY_BEFORE = 0.5  # the share of that weight given to the day before publication
MAX_DATES = 30
DATES_LIMIT, PER_DATE_LIMIT = 366, 10  # the most one may ask for (Timeline17 asks up to 8 a day)
# With no number of dates asked for: days weighing at least this share of the heaviest.
MIN_SHARE = 0.1
RELEVANCE_WEIGHT = 3.0  # of a sentence's closeness to the query, against its centrality
REPEAT = 0.85  # cosine from which a sentence repeats one already chosen
MIN_WORDS, MAX_WORDS = 6, 60  # sentences shorter or longer are not entries


_ASKS = re.compile(
    r"^\s*(?:(?:show|give|make)\s+(?:me\s+)?)?(?:a\s+|the\s+)?(?:timeline|chronology)\s+"
    r"(?:of|for|on|about)\s+(?P<topic>.+?)\s*[?.!]*\s*$"
    r"|^\s*how\s+did\s+(?P<story>.+?)\s+unfold\s*[?.!]*\s*$",
    re.IGNORECASE,
)


def request_problem(dates: int | None, per_date: int | None) -> str | None:
    """What is wrong with the counts a timeline is asked for, in words; None if nothing."""
    if dates is not None and not 1 <= dates <= DATES_LIMIT:
        return f"the number of dates must be 1 to {DATES_LIMIT} (or left out: as the story needs)"
    if per_date is not None and not 1 <= per_date <= PER_DATE_LIMIT:
        return f"the number of sentences per date must be 1 to {PER_DATE_LIMIT}"
    return None


def asks_timeline(question: str) -> str | None:
    """The topic of a question asking for a timeline ("timeline of the BP oil spill",
    "how did the Haiti earthquake unfold?"), else None."""
    m = _ASKS.match(question)
    return (m.group("topic") or m.group("story")) if m else None


@dataclass(frozen=True)
class Entry:
    """One day of a timeline: what happened, as quoted sentences with their citations."""

    date: str  # ISO day the events happened (not necessarily a publication day)
    citations: tuple[Citation, ...]  # one per sentence, in order

    @property
    def summary(self) -> list[str]:
        return [c.quote for c in self.citations]


@dataclass(frozen=True)
class Timeline:
    query: str
    entries: tuple[Entry, ...]
    coverage: tuple[tuple[str, int], ...] = ()  # (day, articles on the topic published then)


@dataclass(frozen=True)
class _Sentence:
    hit: Hit
    span: Span
    text: str
    vector: np.ndarray
    published: dt.date
    days: tuple[dt.date, ...]  # the days it names (not after its publication)


def sentences_of(
    hits: list[Hit], furniture: set[tuple[str, int]]
) -> tuple[list[_Sentence], Captions]:
    """Each dated article sentence of the hits once, with its vector and the days it names
    (furniture, captions and credits left out: rag/timeline/topic.py)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        if not hit.date or hit.sentence_vectors is None:
            continue
        published = dt.date.fromisoformat(hit.date)
        for i, (span, text) in enumerate(hit.sentence_texts(), start=1):
            key = (hit.doc_id, span.start)
            if key in seen or key in furniture or not text.strip():
                continue
            seen.add(key)
            vector = hit.sentence_vectors[i]
            if not vector.any():
                continue
            named = (w.day for w in event_dates(text, published))
            days = tuple(dict.fromkeys(d for d in named if d and d <= published))
            out.append(_Sentence(hit, span, text, vector, published, days))
    captions = Captions([(s.hit.doc_id, s.text) for s in out])
    return [s for s in out if not captions(s.hit.doc_id, s.text)], captions


def _paragraph(hit: Hit, span: Span) -> str:
    """The paragraph of the hit's text that holds `span` (as far as the chunk holds it)."""
    at = span.start - hit.start
    end = hit.text.find("\n", at)
    return hit.text[hit.text.rfind("\n", 0, at) + 1 : end if end >= 0 else len(hit.text)]


def about_topic(
    sentences: list[_Sentence],
    vectors: np.ndarray,
    relevance: np.ndarray,
    articles: dict[str, Sentences] | None,
    topic: Topic | None,
    captions: Captions,
) -> tuple[list[_Sentence], np.ndarray, np.ndarray]:
    """The sentences about the story, with their vectors and relevance (`on_topic`); all
    of them when the articles' sentences are not given."""
    if articles is None or topic is None:
        return sentences, vectors, relevance
    docs = [s.hit.doc_id for s in sentences]
    keep = on_topic(docs, [s.text for s in sentences], relevance, articles, topic, captions)
    return [s for s, k in zip(sentences, keep) if k], vectors[keep], relevance[keep]


def choose_dates(
    sentences: list[_Sentence], relevance: np.ndarray, n: int | None, since, until
) -> list[dt.date]:
    """The n heaviest days (see the module's docstring), or when n is None those weighing
    at least MIN_SHARE of the heaviest, at most MAX_DATES."""
    per_article: dict[str, float] = defaultdict(float)  # an article's closeness to the query
    named: dict[dt.date, set[str]] = defaultdict(set)
    published: dict[str, dt.date] = {}
    for s, r in zip(sentences, relevance):
        per_article[s.hit.doc_id] = max(per_article[s.hit.doc_id], float(r))
        published[s.hit.doc_id] = s.published
        for d in s.days:
            named[d].add(s.hit.doc_id)
    weight: Counter[dt.date] = Counter()
    for d, docs in named.items():
        weight[d] += sum(per_article[doc] for doc in docs)
    for doc, d in published.items():  # reporting what happened that day or the day before
        weight[d] += (1 - DAY_BEFORE) * PUBLISHED_WEIGHT * per_article[doc]
        weight[d - dt.timedelta(days=1)] += DAY_BEFORE * PUBLISHED_WEIGHT * per_article[doc]
    days = [(d, w) for d, w in weight.most_common() if _within(d, since, until)]
    if n is None:
        top = days[0][1] if days else 0
        days = [(d, w) for d, w in days if w >= MIN_SHARE * top]
    return sorted(d for d, _ in days[: n or MAX_DATES])


def _within(day: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def build_timeline(
    query: str,
    hits: list[Hit],
    query_vector: np.ndarray,
    furniture: set[tuple[str, int]],
    dates: int | None = None,
    per_date: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    days: list[dt.date] | None = None,
    articles: dict[str, Sentences] | None = None,
    topic: Topic | None = None,
) -> Timeline:
    """The timeline of `query` from `hits` (with their stored sentence vectors), on the
    `days` given or on those chosen. `articles` (all the sentences of each hit's article,
    with their closeness to the query) and `topic` (the query's words by rarity) tell the
    articles about the story from those mentioning it (rag/timeline/topic.py)."""
    sentences, captions = sentences_of(hits, furniture)
    if sentences:
        vectors = np.vstack([s.vector for s in sentences])
        sentences, vectors, relevance = about_topic(
            sentences, vectors, vectors @ query_vector, articles, topic, captions
        )
    on = {s.hit.doc_id for s in sentences}
    coverage = Counter(h.date for h in {h.doc_id: h for h in hits if h.date}.values()
                       if h.doc_id in on)  # fmt: skip
    shown = tuple(sorted(coverage.items()))
    if not sentences:
        return Timeline(query, (), shown)
    chosen_days = sorted(days) if days else choose_dates(sentences, relevance, dates, since, until)
    per_date = per_date or 2
    words = _Words([s.text for s in sentences])
    picked: list[int] = []
    numbers: dict[str, int] = {}
    entries = []
    for day in chosen_days:
        after = (day, day + dt.timedelta(days=1))
        naming = [i for i, s in enumerate(sentences) if day in s.days]
        reported = [i for i, s in enumerate(sentences) if s.published in after and not s.days]
        order = []
        for pool in (naming, reported):
            pool = [i for i in pool if MIN_WORDS <= len(sentences[i].text.split()) <= MAX_WORDS]
            if pool and len(order) < per_date:
                rank = _centrality(vectors[pool]) + _centrality(words.matrix(pool))
                rank += RELEVANCE_WEIGHT * relevance[pool]
                order += [pool[j] for j in np.argsort(-rank, kind="stable")]
        taken: list[int] = []
        for i in order:
            if len(taken) >= per_date:
                break
            if picked and float(np.max(vectors[picked] @ vectors[i])) >= REPEAT:
                continue
            s = sentences[i]  # an uncredited photo caption, or part of an embedded post
            if pictured(s.text) or embedded_post(_paragraph(s.hit, s.span)):
                continue
            taken.append(i)
            picked.append(i)
        cites = []
        for i in sorted(taken, key=lambda i: (sentences[i].published, sentences[i].span.start)):
            s = sentences[i]
            n = numbers.setdefault(s.hit.doc_id, len(numbers) + 1)
            cites.append(Citation.of(n, s.hit, s.span))
        if cites:
            entries.append(Entry(day.isoformat(), tuple(cites)))
    return Timeline(query, tuple(entries), shown)


def _centrality(vectors: np.ndarray) -> np.ndarray:
    """Each row's cosine to the mean of the (unit) rows."""
    center = vectors.mean(axis=0)
    return vectors @ center / max(float(np.linalg.norm(center)), 1e-9)


class _Words:
    """Sentences as unit TF-IDF vectors of their content words; the document frequencies
    are counted over all the timeline's sentences."""

    def __init__(self, texts: list[str]):
        self.words = [content_words(t) for t in texts]
        df = Counter(w for ws in self.words for w in ws)
        self.idf = {w: float(np.log((1 + len(texts)) / (1 + n))) + 1 for w, n in df.items()}

    def matrix(self, rows: list[int]) -> np.ndarray:
        columns: dict[str, int] = {}
        for i in rows:
            for w in self.words[i]:
                columns.setdefault(w, len(columns))
        m = np.zeros((len(rows), max(len(columns), 1)))
        for r, i in enumerate(rows):
            for w in self.words[i]:
                m[r, columns[w]] = self.idf[w]
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
