"""The offline answerer: quote the archive's best sentences, each with its [n] citation.

No LLM is needed. The sentences of the retrieved chunks are scored against the question by
embedding similarity plus keyword overlap; the best few are quoted as written. When even the
best sentence scores below `min_score`, the answer says the archive does not answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from langchain_core.prompts import PromptTemplate

from rag.answer.evidence import ScoredSentence, new_facts
from rag.answer.followup import standalone as follow_up
from rag.answer.question import asks_latest, is_question
from rag.answer.types import Answer, Citation, Claim
from rag.answer.weights import DEFAULT, AnswerWeights
from rag.text.dates import day, newest_first
from rag.text.patterns import MARKER
from rag.types import Hit, site_of

OnToken = Callable[[str], None]


def defang_markers(text: str) -> str:
    """Article text with anything that looks like a citation marker, [7], made (7), so
    that a document cannot put a fake citation into an answer."""
    return MARKER.sub(r"(\1)", text)


def _lead_in(chosen: ScoredSentence, scored: list[ScoredSentence]) -> ScoredSentence | None:
    """The sentence just before `chosen` in its paragraph, if it too is on the question.

    News writing often states a fact, then quotes the speaker ("..., Blinken said"); the
    quote alone reads as an answer only with the sentence that leads into it.
    """
    return next((s for s in scored if s.overlap > 0 and _leads_into(s, chosen)), None)


def select_quotes(
    scored: list[ScoredSentence],
    max_quotes: int,
    weights: AnswerWeights = DEFAULT,
    latest: bool = False,
) -> list[ScoredSentence]:
    """The sentences worth quoting: first the lead, the best-ranked sentence (the one most
    likely to hold the fact asked for), with the sentence leading into it if that is on the
    question too; then supporting sentences ranked within the margin of the lead, newest
    first: at most `weights.per_story` of them from any one story, a further one from a story
    only if it adds a name or number the quotes so far lack, one of another story than the
    lead's only if its article names what the question asks (`ScoredSentence.named`), and
    all within the word budget.

    A sentence that is itself a question is never quoted. With `latest` (an open question
    naming no time: rag/answer/question.py) the lead is the best sentence of the newest
    article among those nearly as relevant as the best, and the rest are earlier context,
    chosen by relevance alone."""
    w = weights
    scored = [s for s in scored if not is_question(s.text)]  # a question answers nothing
    if not scored or max(s.score for s in scored) < w.min_score:
        return []
    lead = next(s for s in scored if s.score >= w.min_score)
    near = max(lead.score - w.margin, w.min_score)
    if latest:
        dated = [s for s in scored if s.score >= near and s.hit.date]
        lead = max(dated, key=lambda s: (s.hit.date, s.rank), default=lead)
    before = _lead_in(lead, scored) if max_quotes > 1 else None
    chosen = [q for q in (before, lead) if q]
    support: list[ScoredSentence] = []
    budget = w.words or float("inf")
    words = sum(len(q.text.split()) for q in chosen)
    for s in scored:
        if len(chosen) + len(support) >= max_quotes:
            break
        if (s.score < near) if latest else (s.rank < lead.rank - w.margin):
            continue
        if s.score < w.min_score or words + len(s.text.split()) > budget:
            continue
        if s.named < w.support_named and _story(s) != _story(lead):
            continue  # close in meaning, but a report on something else
        same = [c for c in support if _story(c) == _story(s)]
        if len(same) >= w.per_story or (same and not _adds_fact(s, chosen + support)):
            continue
        if all(s.text.lower() != c.text.lower() for c in chosen + support):
            support.append(s)
            words += len(s.text.split())
    return chosen + sorted(support, key=lambda c: newest_first(c.hit.date))


def _adds_fact(s: ScoredSentence, quoted: list[ScoredSentence]) -> bool:
    """True if the sentence names something or gives a number no quote so far holds."""
    return new_facts(" ".join(q.text for q in quoted), s.text)


def _story(s: ScoredSentence) -> str:
    return s.hit.story_id or s.hit.doc_id


def number_by_article(quotes: list[ScoredSentence]) -> tuple[Citation, ...]:
    """A citation per quote, numbered per article: the quotes of one article share its [n]."""
    numbers: dict[str, int] = {}
    return tuple(
        Citation.of(numbers.setdefault(q.hit.doc_id, len(numbers) + 1), q.hit, q.span, q.in_title)
        for q in quotes
    )


def _quoted(citations: list[Citation]) -> str:
    """Consecutive quotes of one article as one quotation (they are adjacent sentences)."""
    text = " ".join(defang_markers(c.quote) for c in citations)
    return f"{'Headline: ' if citations[0].in_title else ''}“{text}” [{citations[0].n}]"


def build_answer(
    question: str,
    hits: list[Hit],
    quotes: list[ScoredSentence],
    prompts: dict[str, PromptTemplate],
    notice: str = "",
) -> Answer:
    """An Answer that leads with the first of `quotes` (and the sentence leading into it)
    and lists the rest as supporting quotes, numbered per article; an abstention if there
    are none."""
    if not quotes:
        text = prompts["no_answer"].format(question=question)
        return Answer(question, text, abstained=True, hits=tuple(hits), notice=notice)
    citations = number_by_article(quotes)
    lead_quotes = 2 if len(quotes) > 1 and _leads_into(quotes[0], quotes[1]) else 1
    lead, more = citations[:lead_quotes], citations[lead_quotes:]
    text = prompts["offline_answer"].format(
        lead=_quoted(list(lead)),
        source=site_of(lead[0].url) or lead[0].title,
        date=day(lead[0].date),
    )
    if more:
        lines = "\n".join(f"- {day(c.date)}: {_quoted([c])}" for c in more)
        text += "\n\n" + prompts["offline_more"].format(quotes=lines)
    # a verbatim quote is fully supported by the passage it is quoted from
    claims = tuple(Claim(c.quote, (c.n,), 1.0, True) for c in citations)
    return Answer(question, text, False, citations, tuple(hits), claims, notice=notice)


def _leads_into(first: ScoredSentence, second: ScoredSentence) -> bool:
    """True if `first` is the sentence just before `second` in the same paragraph."""
    hit = second.hit
    if first.hit.doc_id != hit.doc_id or first.in_title or second.in_title:
        return False
    if not hit.start <= first.span.start < first.span.end <= second.span.start:
        return False
    gap = hit.text[first.span.end - hit.start : second.span.start - hit.start]
    return not gap.strip() and "\n" not in gap


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

    def __init__(self, prompts: dict[str, PromptTemplate], max_quotes: int, weights: AnswerWeights):
        self.prompts, self.max_quotes, self.weights = prompts, max_quotes, weights

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        return follow_up(question, history)

    def answer(
        self,
        question: str,
        hits: list[Hit],
        scored: list[ScoredSentence],
        on_token: OnToken | None = None,
    ) -> Answer:
        latest = asks_latest(question)
        quotes = select_quotes(scored, self.max_quotes, self.weights, latest)
        return build_answer(question, hits, quotes, self.prompts)
