"""The offline answerer: quote the archive's best sentences, each with its [n] citation.

No LLM is needed. The sentences of the retrieved chunks are scored against the question by
embedding similarity plus keyword overlap; the best few are quoted as written. When even the
best sentence scores below `min_score`, the answer says the archive does not answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from langchain_core.prompts import PromptTemplate

from rag.answer.evidence import ScoredSentence
from rag.text.dates import date_range, day, newest_first
from rag.text.patterns import MARKER
from rag.types import Answer, Citation, Claim, Hit

OnToken = Callable[[str], None]

# Quote further sentences only if they rank within this margin of the best one.
_MARGIN = 0.2


def defang_markers(text: str) -> str:
    """Article text with anything that looks like a citation marker, [7], made (7), so
    that a document cannot put a fake citation into an answer."""
    return MARKER.sub(r"(\1)", text)


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
        Citation.of(i, q.hit, q.span, q.in_title) for i, q in enumerate(quotes, start=1)
    )
    # each quote says when it was published if the sources are not all from one day
    dated = len({c.date for c in citations}) > 1
    lines = "\n".join(
        f"- {day(c.date) + ': ' if dated else ''}{'Headline: ' if c.in_title else ''}"
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
    """Writes an Answer from retrieved hits and their scored sentences (offline quotes, or
    an LLM)."""

    name: str

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        """The question rewritten to stand alone, given earlier (question, answer) turns."""
        ...

    def answer(
        self,
        question: str,
        hits: list[Hit],
        scored: list[ScoredSentence],
        on_token: OnToken | None = None,
    ) -> Answer:
        """The answer from `hits`, whose sentences `scored` ranks against the question (see
        rag/answer/evidence.py); `on_token` receives its text as it is written, if it is
        streamed."""
        ...


class OfflineAnswerer:
    """Answers by quoting the archive's best sentences; needs no language model."""

    name = "offline"

    def __init__(self, prompts: dict[str, PromptTemplate], max_quotes: int, min_score: float):
        self.prompts, self.max_quotes, self.min_score = prompts, max_quotes, min_score

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        return question

    def answer(
        self,
        question: str,
        hits: list[Hit],
        scored: list[ScoredSentence],
        on_token: OnToken | None = None,
    ) -> Answer:
        quotes = select_quotes(scored, self.max_quotes, self.min_score)
        return build_answer(question, hits, quotes, self.prompts)
