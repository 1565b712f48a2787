"""An answer's two steps: read (the passages and sentences found for the question) and
write (scored with the answer weights, checked against the period the question names, then
quoted or written by an LLM with its disagreements, or led by someone's own words when it
asks what they said). The Archive (rag/pipeline.py) runs both for `ask`; the fold harness
(rag/eval/folds.py) reads once and writes again with other weights.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rag.answer.conflicts import add_conflicts
from rag.answer.evidence import Sentence, rank_sentences, sentences_of
from rag.answer.named import question_topic, read_text, with_named
from rag.answer.question import asks_latest
from rag.answer.quotes import Answerer, OnToken
from rag.answer.scope import in_period, out_of_scope, period_first
from rag.answer.speakers import asked_speaker, is_about, said_answer
from rag.answer.types import Answer
from rag.answer.weights import AnswerWeights
from rag.index.manifest import Manifest
from rag.search.reading import Reader
from rag.settings import Settings
from rag.text.dates import day as format_day
from rag.text.patterns import content_words, names_in
from rag.text.topic import Topic
from rag.types import Filters, Hit, Quote

if TYPE_CHECKING:
    from rag.backends import Backends


@dataclass(frozen=True)
class Reading:
    """The passages an answer is written from: the first k are read (their `sentences` may
    be quoted), the rest searched for disagreements; `furniture` (doc_id, start) are
    sentences never quoted."""

    question: str
    query: str  # the question as it stands alone (a follow-up rewritten)
    hits: tuple[Hit, ...]
    k: int
    furniture: frozenset[tuple[str, int]]
    as_of: dt.date
    sentences: tuple[Sentence, ...]
    filters: Filters = Filters()  # what the archive was searched under, capped at as_of
    topic: Topic | None = None  # the question's words, by rarity (rag/answer/named.py)


def _own_words(quote: str) -> bool:
    """True for a quotation of someone's words: it opens with the quotation mark (not a
    reporter's clause holding a quoted word, "he believes the pandemic is “over”")."""
    return quote.startswith(("“", '"'))


class Composer:
    """Reads and writes answers over one archive's stores."""

    def __init__(
        self, settings: Settings, backends: Backends, manifest: Manifest, reader: Reader
    ) -> None:
        self.settings, self.backends = settings, backends
        self.manifest, self.reader = manifest, reader

    def read(
        self,
        question: str,
        query: str,
        as_of: dt.date | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        copies: bool = False,
    ) -> Reading:
        """What an answer to `query` (the question as it stands alone) is written from."""
        names = content_words(" ".join(names_in(query))) if asks_latest(query) else set()
        k = k or self.settings.top_k
        hits, k = self.reader.passages(query, as_of, filters, k, copies, names)
        furniture = frozenset(self.reader.furniture(hits))
        named = self.manifest.entities.of([h.doc_id for h in hits[:k]])
        sentences = sentences_of(query, hits[:k], self.backends.embedder, furniture, named)
        day = as_of or dt.date.today()
        limits = (filters or Filters()).capped(day)
        topic = question_topic(query, day, self.reader.rarity)
        return Reading(
            question, query, tuple(hits), k, furniture, day, tuple(sentences), limits, topic
        )

    def write(
        self,
        reading: Reading,
        answerer: Answerer,
        on_token: OnToken | None = None,
        closest: bool = False,
        weights: AnswerWeights | None = None,
    ) -> Answer:
        """The answer `answerer` writes from `reading`, with the disagreements among its
        sources, or why the archive does not answer. `weights` (default: the settings') are
        those of the scoring, the period check and the disagreements; the answerer has its
        own (rag/eval/folds.py passes both to try other weights)."""
        b, r = self.backends, reading
        w = weights or self.settings.answer_weights
        question, query, hits, k = r.question, r.query, list(r.hits), r.k
        # the evidence, once: both writers draw on it, and conflicts are looked for in it
        scored = rank_sentences(query, hits[:k], list(r.sentences), w)
        scope = None if closest else out_of_scope(query, r.as_of, scored, w, r.topic)
        if scope is not None:  # no LLM call: the archive cannot know this yet
            day = format_day(r.as_of.isoformat())
            text = b.prompts[scope.prompt].format(
                period=scope.period, terms=scope.terms, as_of=day, missing=scope.missing
            )
            answer = Answer(question, text, True, hits=tuple(hits[:k]), out_of_scope=True)
            return replace(answer, interpreted=query if query != question else "")
        if not closest:  # a question about a period is answered from its reports first
            scored = period_first(query, r.as_of, scored, w)
        if r.topic is not None:  # how much of what it asks each article names
            scored = with_named(scored, r.topic, read_text(hits[:k]))
        said, elsewhere = self._said(reading, w)
        if said:  # "what did X say?": X's own words lead
            answer = said_answer(query, said, hits[:k], b.prompts, elsewhere)
            return self._sourced(answer, question)
        answer = answerer.answer(query, hits[:k], scored, on_token)
        original = self.manifest.related.originals([h.doc_id for h in hits])
        answer = add_conflicts(answer, scored, hits[k:], w.min_score, b.prompts, r.furniture,
                               original)  # fmt: skip
        return self._sourced(answer, question)

    def _said(self, reading: Reading, weights: AnswerWeights) -> tuple[list[Quote], str]:
        """For a question asking what someone said (rag/answer/speakers.py), the words the
        articles read for it quote them as saying, closest to what it asks about first, and
        "". When none of those is about what it asks, their words about it from any article
        of the period; when there are none, nor reported speech of theirs on it among the
        articles read, their words nearest in time and what was asked about: the answer
        says the archive holds nothing they said on it. Reported speech is the reporter's
        wording: it is answered as any other sentence."""
        asked = asked_speaker(reading.query)
        if asked is None:
            return [], ""
        who, about = asked
        r, said = reading, []
        for name in dict.fromkeys([who, who.split()[-1]]):  # articles may use the surname
            said = said or [q for q in self.manifest.quotes.find(name, r.filters)
                            if in_period(r.query, r.as_of, q.doc.date, weights)]  # fmt: skip
        # "this week": what they said this week
        read = {h.doc_id for h in r.hits if in_period(r.query, r.as_of, h.date, weights)}
        here = [q for q in said if q.doc.doc_id in read]
        own = [q for q in here if _own_words(q.text) and is_about(q, about)]
        if own or not about:
            return self._closest(about or reading.query, own), ""
        if any(is_about(q, about) for q in here):  # their reported speech on it: a sentence
            return [], ""
        said = [q for q in said if _own_words(q.text)]  # newest first
        anywhere = [q for q in said if is_about(q, about)]
        if anywhere:
            return self._closest(about, anywhere), ""
        return (said, about) if said else ([], "")

    def _closest(self, text: str, quotes: list[Quote]) -> list[Quote]:
        """The quotes, closest in meaning to `text` first."""
        if not quotes:
            return []
        vectors = self.backends.embedder.embed([text, *(q.text for q in quotes)])
        close = [float(v @ vectors[0]) for v in vectors[1:]]
        return [q for _, q in sorted(zip(close, quotes), key=lambda p: -p[0])]

    def _sourced(self, answer: Answer, question: str) -> Answer:
        """`answer` with the near-copies and other reports of each cited article, and the
        question as asked (when a follow-up was rewritten to stand alone)."""
        query = answer.question
        cited = dict.fromkeys(c.doc_id for c in answer.citations)
        groups = ((d, self.manifest.related.copy_group(d)) for d in cited)
        answer = replace(answer, copies=tuple((d, g) for d, g in groups if g))
        reports = ((d, self.manifest.related.reported_with(d)) for d in cited)
        answer = replace(answer, reported=tuple((d, r) for d, r in reports if r))
        if query != question:
            return replace(answer, question=question, interpreted=query)
        return answer
