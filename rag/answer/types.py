"""What an answer is made of: the question as Asked, and the Answer with its Citations,
Claims and Conflicts (Article -> Chunk -> Hit -> Answer; the first three are in rag/types.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rag.types import DocInfo, Filters, Hit, Span


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the quoted sentence and where it lies."""

    n: int
    doc_id: str
    title: str
    date: str
    url: str
    source: str
    chunk_id: str
    passage: str
    passage_start: int
    quote: str
    start: int
    end: int
    in_title: bool = False  # the quote is the article's headline (start = end = 0)
    speaker: str = ""  # who said the quote, when the answer gives someone's words
    cue: str = ""  # how: "said", "told reporters", "according to"

    @classmethod
    def of(cls, n: int, hit: Hit, span: Span, in_title: bool = False) -> Citation:
        """Citation `n`: the sentence of `hit` at `span`, or its headline if `in_title`."""
        if in_title:
            return cls(n, hit.doc_id, hit.title, hit.date, hit.url, hit.source, hit.chunk_id,
                       hit.text, hit.start, hit.title, 0, 0, True)  # fmt: skip
        quote = hit.text[span.start - hit.start : span.end - hit.start]
        return cls(n, hit.doc_id, hit.title, hit.date, hit.url, hit.source, hit.chunk_id,
                   hit.text, hit.start, quote, span.start, span.end)  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, the citations it carries and how well they support it."""

    text: str
    citations: tuple[int, ...]
    support: float  # 0..1: similarity to the cited sentences and agreement of names/numbers
    supported: bool


@dataclass(frozen=True)
class ConflictSide:
    """One of the values sources give for the same thing, and which citations give it."""

    value: str
    citations: tuple[int, ...]
    date: str  # the newest publication date among those citations ("" if undated)
    label: str  # "newest", "earlier" (reporting) or "" when the sides share a date


@dataclass(frozen=True)
class Conflict:
    """Sources that state different values for the same thing; newest side first."""

    sides: tuple[ConflictSide, ...]
    # every side is quoted from versions of one article (near-copies): it was updated
    updated: bool = False


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = field(default=(), repr=False)
    claims: tuple[Claim, ...] = ()
    backend: str = "offline"  # what wrote the answer: "offline" or the LLM's name
    notice: str = ""  # shown above the answer, e.g. why the LLM's answer was not used
    conflicts: tuple[Conflict, ...] = ()  # where the cited sources disagree
    interpreted: str = ""  # the question as searched, when a follow-up was rewritten
    # refused because nothing from the period the question names answers it; asking with
    # closest=True quotes the nearest reports instead
    out_of_scope: bool = False
    # cited doc_id -> the other articles of its near-copy group (rag/index/copies.py)
    copies: tuple[tuple[str, tuple[DocInfo, ...]], ...] = ()
    # cited doc_id -> the other articles of its story that are not copies of it (other
    # outlets' reports of the same event: rag/index/stories.py)
    reported: tuple[tuple[str, tuple[DocInfo, ...]], ...] = ()

    def sources(self) -> list[tuple[Citation, ...]]:
        """The cited articles in the order of their numbers, once each, with every quote
        the answer takes from them (citations are numbered per article)."""
        by_number: dict[int, list[Citation]] = {}
        for c in self.citations:
            by_number.setdefault(c.n, []).append(c)
        return [tuple(by_number[n]) for n in sorted(by_number)]


@dataclass(frozen=True)
class Asked:
    """A question as the user put it, with what it was answered under."""

    question: str
    as_of: dt.date | None = None
    filters: Filters = field(default_factory=Filters)
    offline: bool = False
    closest: bool = False  # quote the closest reports even if none is from the period named
    all_copies: bool = False  # every near-copy of an article a source of its own
