"""What an answer and a timeline read of the search's ranking (rag/search/retriever.py): the
passages an answer is written from, with the sentence vectors stored at ingest, the newest
articles on an open question's names, page furniture, and a timeline's wide reading."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from rag.index.vectors import Sentences
from rag.search.retriever import Retriever
from rag.text.patterns import content_words
from rag.types import Filters, Hit

if TYPE_CHECKING:
    from rag.index.vectors import SentenceVectors

# An open question without a time also reads the newest articles naming its names.
_LATEST = 2


class Reader:
    """Reads over one retriever's ranking and stores."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever, self.settings = retriever, retriever.settings
        self.manifest, self.sync = retriever.manifest, retriever.sync

    def newest_about(
        self, query: str, names: set[str], as_of: dt.date | None, filters: Filters | None, n: int
    ) -> list[Hit]:
        """The best passage of each of the `n` newest articles whose headline or passage
        holds all of `names` (lower-cased words), by the keyword index: the latest
        development on a story even when older reports match the words better."""
        limits = (filters or Filters()).capped(as_of)
        with self.sync.reading() as (store, index):
            found = index.search(query, 100, limits)
            rank = {chunk_id: i for i, (chunk_id, _) in enumerate(found)}
            hits = sorted(store.get(list(rank)), key=lambda h: rank[h.chunk_id])
        versions = self.manifest.versions(list({h.doc_id for h in hits}))
        best: dict[str, Hit] = {}
        for hit in hits:  # in keyword rank order: the first of an article is its best
            if versions.get(hit.doc_id) == hit.version and hit.date:
                if names <= content_words(f"{hit.title} {hit.text}"):
                    best.setdefault(hit.doc_id, hit)
        return sorted(best.values(), key=lambda h: h.date, reverse=True)[:n]

    def rarity(self, words: list[str]) -> dict[str, float]:
        """How rare each word is in the archive: -log of the share of passages holding it
        (words in none are left out)."""
        with self.sync.reading() as (_, index):
            return {w: -float(np.log(p)) for w, p in index.shares(words).items()}

    def with_sentence_vectors(
        self, hits: list[Hit], stored: dict[str, SentenceVectors] | None = None
    ) -> list[Hit]:
        """The hits with their sentences' vectors from ingest (read unless `stored`), so
        answering embeds none."""
        if stored is None:
            stored = self.manifest.sentence_vectors(list({h.doc_id for h in hits}))
        return [
            replace(h, sentence_vectors=stored[h.doc_id].for_hit(h)) if h.doc_id in stored else h
            for h in hits
        ]

    def furniture(self, hits: list[Hit]) -> set[tuple[str, int]]:
        """(doc_id, start) of the hits' sentences that are page furniture, never evidence."""
        sentences = list({(h.doc_id, span.start): text for h in hits
                          for span, text in h.sentence_texts()}.items())  # fmt: skip
        found = self.manifest.keys.furniture([(doc, text) for (doc, _), text in sentences])
        return {sentences[i][0] for i in found}

    def passages(
        self,
        query: str,
        as_of: dt.date | None,
        filters: Filters | None,
        k: int,
        copies: bool = False,
        latest: set[str] = frozenset(),
    ) -> tuple[list[Hit], int]:
        """The hits an answer reads (the first k, returned with them) and those further down
        that are searched for disagreements, with their sentence vectors. With `latest`
        (the names of an open question that names no time, lower-cased) it also reads the
        newest articles naming them."""
        s = self.settings
        wide = max(k, s.conflict_k)
        per_doc = s.answer_chunks_per_doc
        # every report of a story is read (the best sentence leads, whoever printed it); the
        # supporting quotes then come from other stories (rag/answer/quotes.py)
        hits, older = self.retriever.ranked(
            query, wide, as_of, s.search_mode, per_doc, filters, copies, False
        )
        # an article's other versions come last: read for updates, never cited
        main = [h for h in hits if h.chunk_id not in older]
        hits, k = main + [h for h in hits if h.chunk_id in older], min(k, len(main))
        if latest:  # the latest development, retrieved on purpose
            have = {h.chunk_id for h in hits}
            newest = self.newest_about(query, set(latest), as_of, filters, _LATEST)
            added = [h for h in newest if h.chunk_id not in have]
            hits, k = hits[:k] + added + hits[k:], k + len(added)
        return self.with_sentence_vectors(hits), k

    def wide(
        self, query: str, vector: np.ndarray, n: int, as_of: dt.date | None, filters: Filters
    ) -> tuple[list[Hit], dict[str, Sentences]]:
        """The n passages nearest the query, any number per article, with their sentence
        vectors (a timeline reads them all; near-copies give one article), and all the
        sentences of their articles, not only the hits', with their closeness to the
        query's `vector`."""
        hits = self.retriever.search(
            query, n, as_of, self.settings.search_mode, n, filters, about_first=False
        )
        stored = self.manifest.sentence_vectors(list({h.doc_id for h in hits}))
        texts = self.manifest.texts(list(stored))
        articles = {doc: Sentences.of(texts[doc], sv.starts, sv.vectors @ vector)
                    for doc, sv in stored.items() if doc in texts}  # fmt: skip
        return self.with_sentence_vectors(hits, stored), articles
