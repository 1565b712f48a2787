"""A search's candidates, light first: the pool best chunks by meaning and by BM25 as hits
that carry ids, dates and scores only, filtered and ranked on the keyword index's columns
(rag/index/keyword.py, `places`); the rows (text, headline, address) are read from the
store only for the few hits kept. Reading every candidate's row was most of a search's
time at a deep pool (400 candidates: ~60% of `ask` on the 80k-chunk RealTimeQA archive).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rag.index.chunk_meta import where_clause
from rag.index.keyword import KeywordIndex
from rag.index.store import ChunkStore
from rag.text.dates import day_number, iso_day
from rag.types import Filters, Hit, site_of


def candidates(
    store: ChunkStore, index: KeywordIndex, vector: Any, query: str, pool: int, limits: Filters
) -> tuple[list[Hit], list[Hit]]:
    """The `pool` best chunks that pass `limits` by meaning (none without a `vector`) and
    by BM25 (none without a `query`), as light hits (see `filled`)."""
    dense: list[tuple[str, float]] = []
    known: dict[str, tuple[Hit, str]] = {}
    if vector is not None:
        # an "as of" date usually keeps most chunks: look unfiltered first, deep enough
        # that the filter leaves `pool`; only when it does not, Chroma filters (~10x slower)
        where = where_clause(limits)
        dense = store.nearest(vector, pool if where is None else 4 * pool)
        if where is not None:
            known = _light(store, index, [c for c, _ in dense])
            dense = [(c, s) for c, s in dense if c in known and _admits(limits, *known[c])]
            if len(dense) < pool:
                dense = store.nearest(vector, pool, where)
            dense = dense[:pool]
    keyword = index.search(query, pool, limits) if query else []
    light = known | _light(store, index, [c for c, _ in dense + keyword if c not in known])
    dense = [(c, s) for c, s in dense if c in light]
    dense_hits = [replace(light[c][0], rank=i, score=s, dense_score=s)
                  for i, (c, s) in enumerate(dense, start=1)]  # fmt: skip
    keyword_hits = [replace(light[c][0], keyword_score=s) for c, s in keyword if c in light]
    return dense_hits, keyword_hits


def filled(store: ChunkStore, hits: list[Hit]) -> list[Hit]:
    """The hits (and those listed under them) with their rows read: text, headline,
    address, sentences. A hit whose row is gone (its article deleted meanwhile) is left out."""
    wanted = {h.chunk_id for h in hits} | {a.chunk_id for h in hits for a in h.also}
    rows = {r.chunk_id: r for r in store.get(list(wanted))}

    def fill(h: Hit) -> Hit:
        r = rows[h.chunk_id]
        return replace(h, title=r.title, url=r.url, source=r.source, text=r.text,
                       start=r.start, end=r.end, sentences=r.sentences,
                       also=tuple(fill(a) for a in h.also if a.chunk_id in rows))  # fmt: skip

    return [fill(h) for h in hits if h.chunk_id in rows]


def _light(
    store: ChunkStore, index: KeywordIndex, chunk_ids: list[str]
) -> dict[str, tuple[Hit, str]]:
    """chunk id -> a hit with its ids, version and date only (`filled` reads the rest), and
    its site; a chunk of a version the keyword index has not seen yet (it lags the store
    after a writer crashed) is read whole from the store."""
    places = index.places({c.rsplit(":", 2)[0] for c in chunk_ids})
    light, late = {}, []
    for c in dict.fromkeys(chunk_ids):
        doc, version, _ = c.rsplit(":", 2)
        if doc in places and places[doc][0] == version:
            _, date, site = places[doc]
            light[c] = Hit(0, 0.0, c, doc, "", iso_day(date), "", "", "", 0, 0, version), site
        else:
            late.append(c)
    light.update({h.chunk_id: (h, site_of(h.url)) for h in store.get(late)})
    return light


def _admits(limits: Filters, hit: Hit, site: str) -> bool:
    return limits.admits(day_number(hit.date), site)
