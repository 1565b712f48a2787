"""The archive's values: an Article, its Chunks and Spans, a search Hit, a manifest row,
attributions and stories, filters. What an answer is made of is in rag/answer/types.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Article:
    """One document as read from disk. `text` is the body, exactly as written."""

    doc_id: str
    title: str
    text: str
    source: str
    date: dt.date | None = None
    url: str = ""
    content_hash: str = ""

    @property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""

    @property
    def day(self) -> int:
        """The publication date as stored per chunk: YYYYMMDD, 0 when undated."""
        return int(self.date.strftime("%Y%m%d")) if self.date else 0

    @property
    def site(self) -> str:
        """The publisher's host name, e.g. "cnn.com" ("" for files without a URL)."""
        return site_of(self.url)


def site_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return: published from `since` to `until` (inclusive),
    from these sites (any site when empty). Undated articles pass date limits only when
    there is no `since`."""

    since: dt.date | None = None
    until: dt.date | None = None
    sites: tuple[str, ...] = ()

    @classmethod
    def of(cls, since: dt.date | None, until: dt.date | None, sites: Iterable[str] = ()) -> Filters:
        """Filters from what a user typed: sites with or without "www."."""
        return cls(since, until, tuple(s.removeprefix("www.") for s in sites))

    def problem(self) -> str | None:
        """What is wrong with these filters, in words for the user; None if nothing."""
        if self.since and self.until and self.since > self.until:
            start, end = (f"{d:%-d %B %Y}" for d in (self.since, self.until))
            return f"the period starts on {start}, after it ends on {end}"
        return None

    def capped(self, as_of: dt.date | None) -> Filters:
        """These filters, with nothing published after `as_of`."""
        if as_of is None or (self.until and self.until <= as_of):
            return self
        return Filters(self.since, as_of, self.sites)

    def days(self) -> tuple[int | None, int | None]:
        """The date limits as stored per chunk (YYYYMMDD numbers; undated is 0)."""
        since, until = (int(d.strftime("%Y%m%d")) if d else None for d in (self.since, self.until))
        return since, until

    def admits(self, date: int, site: str) -> bool:
        """Whether a chunk of this publication date (YYYYMMDD, 0 undated) and site passes."""
        since, until = self.days()
        if (since is not None and date < since) or (until is not None and date > until):
            return False
        return not self.sites or site in self.sites


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in an article's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one article, with offsets into `Article.text`."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]


@dataclass(frozen=True)
class Hit:
    """A chunk returned by a search, with its article's metadata."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    title: str
    date: str
    url: str
    source: str
    text: str
    start: int
    end: int
    version: str = field(default="", repr=False)
    sentences: tuple[Span, ...] = field(default=(), repr=False)
    dense_score: float = 0.0  # cosine similarity, 0 when only the keyword index found it
    keyword_score: float = 0.0  # BM25, 0 when only the dense index found it
    story_id: str = ""  # the story its article reports (rag/index/stories.py)
    # a search's other reports of the same story, the best passage of each, listed under
    # this hit (rag/search/fusion.py, group_stories); a hit listed there has none
    also: tuple[Hit, ...] = field(default=(), repr=False, compare=False)
    # Unit vectors (a numpy array) of the headline (row 0) and of each sentence, from the
    # manifest (rag/index/vectors.py); None when not stored. A zero row: none for that one.
    sentence_vectors: Any = field(default=None, repr=False, compare=False)

    def sentence_texts(self) -> list[tuple[Span, str]]:
        """The hit's sentences with their text (spans are offsets into the article)."""
        return [(s, self.text[s.start - self.start : s.end - self.start]) for s in self.sentences]


@dataclass(frozen=True)
class DocInfo:
    """A row of the archive's manifest."""

    doc_id: str
    title: str
    date: str
    url: str
    source: str
    chunks: int
    ingested_at: str
    copy_of: str = ""  # the earliest article this one is a near-duplicate of, if any
    story_id: str = ""  # the story it reports (rag/index/stories.py)


@dataclass(frozen=True)
class Entity:
    """A name spaCy found in an article (rag/ingest/reading.py): `text[start:end]`, its kind
    (PERSON, ORG, GPE, LOC, NORP, EVENT, FAC, DATE …) and its normalised form, lower-cased
    without titles, a leading "the" or a possessive ("Sen. Jeff Merkley's" -> "jeff merkley")."""

    start: int
    end: int
    label: str
    key: str


@dataclass(frozen=True)
class Attribution:
    """What someone is reported to have said (rag/ingest/attribution.py): `start`:`end` is
    the quote (or reported content) in the article's text, `speaker_start`:`speaker_end`
    the words naming the speaker there (-1 when a continued quotation names nobody)."""

    start: int
    end: int
    speaker: str  # as the article names them at their fullest, or a group's own words
    speaker_start: int
    speaker_end: int
    cue: str  # "said", "according to"; "" for a quotation continued from the one before
    direct: bool  # holds a quotation mark


@dataclass(frozen=True)
class Quote:
    """An attribution with its article (rag/index/quotes.py)."""

    doc: DocInfo
    attribution: Attribution
    text: str  # the quote as written
    # the headline and the paragraphs around the quote (before, its own, after): what the
    # words are about, when they do not say it themselves
    context: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class Story:
    """Articles that report the same event (rag/index/stories.py), earliest first."""

    story_id: str
    title: str  # the earliest article's headline
    first_date: str
    last_date: str
    outlets: tuple[str, ...]  # the sites (or file names) that reported it
    documents: tuple[DocInfo, ...]


@dataclass(frozen=True)
class FileResult:
    """What ingest did with one file: added, updated, unchanged or skipped (with why)."""

    path: str
    status: str
    doc_id: str = ""
    title: str = ""
    chunks: int = 0
    reason: str = ""
    embedded: int = 0  # chunks the model read anew; the others it had read before


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached; the message says where and how to start it."""
