"""Hybrid search: dense and BM25 rankings fused with the question's dates, current versions
only, optionally reranked, at most so many chunks per article. What an answer or a timeline
reads of the ranking is rag/search/reading.py's."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from rag.index.entities import holds
from rag.index.manifest import Manifest
from rag.index.sync import InStep
from rag.index.vectors import abouts
from rag.search.candidates import candidates, filled
from rag.search.dates import ranking_range
from rag.search.fusion import (
    Fusion,
    cap_per_doc,
    fuse,
    group_stories,
    one_per_copy,
    one_per_story,
)
from rag.settings import Settings
from rag.text.patterns import names_in
from rag.types import Filters, Hit

if TYPE_CHECKING:
    from rag.backends import Backends


class Retriever:
    def __init__(
        self,
        settings: Settings,
        backends: Backends,
        manifest: Manifest,
        sync: InStep,
        found: dict | None = None,
    ) -> None:
        """`found`, if given, keeps each query's dense and BM25 candidates (which do not
        depend on the fusion weights) for the evaluation's tuning: the archive must not
        change while it is used."""
        self.settings, self.backends, self.manifest, self.sync = settings, backends, manifest, sync
        self.found = found

    def search(
        self,
        query: str,
        k: int,
        as_of: dt.date | None,
        mode: str,
        per_doc: int,
        filters: Filters | None,
        copies: bool = False,
        stories: bool = True,
        about_first: bool = True,
    ) -> list[Hit]:
        """The k best chunks for the query (see `Archive.search`); `stories`: the first
        hits come from different stories, each listing the story's other reports found;
        `about_first`: the articles most about the question first (`fusion_about_weight`;
        measured to win for a search's list, not for what an answer reads)."""
        hits, _ = self.ranked(query, k, as_of, mode, per_doc, filters, copies, stories, about_first)
        return hits

    def ranked(
        self,
        query: str,
        k: int,
        as_of: dt.date | None,
        mode: str,
        per_doc: int,
        filters: Filters | None,
        copies: bool,
        stories: bool,
        about_first: bool = False,
    ) -> tuple[list[Hit], set[str]]:
        """`search`'s hits, and the chunk ids among them of an article's other versions:
        without `copies` and `stories` they are kept, after the newest version's."""
        s = self.settings
        today = as_of or dt.date.today()
        # a question about a period, or the state of things now, reads deeper and ranks that
        # period's reports first: its dates, not its words, pick the reports
        period = ranking_range(query, today)
        deep = period is not None
        pool = max(4 * k, s.search_pool_period if deep else s.search_pool)
        key = (query, pool, as_of, mode, filters)
        if self.found is not None and key in self.found:
            dense, keyword_hits, named, about = self.found[key]
        else:
            dense, keyword_hits, vector = self._candidates(query, pool, as_of, mode, filters)
            tuning = self.found is not None
            named = (
                self._naming(query, dense + keyword_hits)
                if s.fusion_name_weight or tuning
                else set()
            )
            about = {}
            wanted = s.fusion_about_weight or s.search_age_within
            if (wanted and about_first or tuning) and vector is not None:
                about = self._about(vector, dense + keyword_hits)
            if self.found is not None:
                self.found[key] = dense, keyword_hits, named, about
        weights = Fusion(
            s.fusion_keyword_weight,
            s.fusion_date_weight,
            s.fusion_recency_weight,
            s.fusion_recency_days,
            s.fusion_name_weight,
        )
        if about_first:  # a search's list
            days = s.search_age_days or s.fusion_recency_days
            weights = replace(weights, recency_days=days, about=s.fusion_about_weight,
                              age_within=s.search_age_within)  # fmt: skip
        hits = fuse(dense, keyword_hits, weights, period, today, named, about)
        versions = self.manifest.versions(list({h.doc_id for h in hits}))
        current = [h for h in hits if versions.get(h.doc_id) == h.version]
        if mode == "hybrid+rerank":
            current = self.backends.reranker.rerank(query, self._filled(current))
        story = self.manifest.stories.stories_of([h.doc_id for h in current])
        older: set[str] = set()
        if not copies:  # one source per article, then the first hits from different stories
            newest = one_per_copy(
                current, self.manifest.related.originals([h.doc_id for h in current])
            )
            if stories:
                current = one_per_story(newest, story)
            else:  # an answer reads other versions last, to tell an update (answer/conflicts.py)
                older = {h.chunk_id for h in current} - {h.chunk_id for h in newest}
                current = newest + [h for h in current if h.chunk_id in older]
        kept = cap_per_doc(current, per_doc, k)
        if stories and not copies:  # the other reports found are named under their story's
            kept = group_stories(kept, current, story)
        kept = self._filled(kept)
        return [replace(h, rank=i, story_id=story.get(h.doc_id, ""))
                for i, h in enumerate(kept, start=1)], older  # fmt: skip

    def _filled(self, hits: list[Hit]) -> list[Hit]:
        with self.sync.reading() as (store, _):
            return filled(store, hits)

    def _naming(self, query: str, hits: list[Hit]) -> set[str]:
        """The doc ids of the hits' articles that name every name of the question that any
        of them names (as spaCy found them at ingest; a capitalized word that none of them
        holds as a name is not one)."""
        found = self.manifest.entities.of(list({h.doc_id for h in hits}))
        holding = {name: {d for d, names in found.items() if holds(names, name)}
                   for name in names_in(query)}  # fmt: skip
        held = [docs for docs in holding.values() if docs]
        return set.intersection(*held) if held else set()

    def _about(self, vector: np.ndarray, hits: list[Hit]) -> dict[str, float]:
        """doc id -> how much each hit's article is about the query `vector`."""
        return abouts(self.manifest.packed(list({h.doc_id for h in hits})), vector)

    def _candidates(
        self, query: str, pool: int, as_of: dt.date | None, mode: str, filters: Filters | None
    ) -> tuple[list[Hit], list[Hit], np.ndarray | None]:
        """The `pool` best chunks by meaning and by BM25 (with their keyword scores), light
        (rag/search/candidates.py), and the query's vector (None in keyword mode)."""
        limits = (filters or Filters()).capped(as_of)
        vector = self.backends.embedder.embed([query])[0] if mode != "keyword" else None
        words = query if mode != "dense" else ""
        with self.sync.reading() as (store, index):
            dense, keyword = candidates(store, index, vector, words, pool, limits)
        return dense, keyword, vector
