"""A search's candidates, light first: the pool best chunks by meaning and by BM25 as hits
that carry ids, dates and scores only, filtered and ranked on the keyword index's columns
(rag/index/keyword.py, `places`); the rows (text, headline, address) are read from the
store only for the few hits kept. Reading every candidate's row was most of a search's
time at a deep pool (400 candidates: ~60% of `ask` on the 80k-chunk RealTimeQA archive).
A chunk's id names its article and version, as ingest writes it: "doc_id:version:n"
(rag/ingest/chunking.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from rag.index.chunk_meta import where_clause
from rag.index.keyword import KeywordIndex
from rag.index.store import ChunkStore
from rag.text.dates import day_number, iso_day
from rag.types import Filters, Hit, site_of


class _Place(NamedTuple):
    """What ranking needs of a chunk, from the keyword index (`row` None) or, for a chunk
    of a version it has not seen yet (it lags the store after a writer crashed), from the
    chunk's row in the store."""

    doc_id: str
    version: str
    date: int  # YYYYMMDD, 0 undated
    site: str
    row: Hit | None


def candidates(
    store: ChunkStore, index: KeywordIndex, vector: Any, query: str, pool: int, limits: Filters
) -> tuple[list[Hit], list[Hit]]:
    """The `pool` best chunks that pass `limits` by meaning (none without a `vector`) and
    by BM25 (none without a `query`), as light hits (see `filled`)."""
    dense: list[tuple[str, float]] = []
    places: dict[str, _Place] = {}
    if vector is not None:
        # an "as of" date usually keeps most chunks: look unfiltered first, deep enough
        # that the filter leaves `pool`; only when it does not, Chroma filters (~10x slower)
        where = where_clause(limits)
        dense = store.nearest(vector, pool if where is None else 4 * pool)
        if where is not None:
            places = _places(store, index, [c for c, _ in dense])
            dense = [(c, s) for c, s in dense
                     if c in places and limits.admits(places[c].date, places[c].site)]  # fmt: skip
            if len(dense) < pool:
                dense = store.nearest(vector, pool, where)
            dense = dense[:pool]
    keyword = index.search(query, pool, limits) if query else []
    places |= _places(store, index, [c for c, _ in dense + keyword if c not in places])
    dense_hits = [_hit(c, places[c], dense=s) for c, s in dense if c in places]
    keyword_hits = [_hit(c, places[c], keyword=s) for c, s in keyword if c in places]
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


def _places(store: ChunkStore, index: KeywordIndex, chunk_ids: list[str]) -> dict[str, _Place]:
    """chunk id -> its place, for those of the chunks that exist."""
    indexed = index.places({_named(c)[0] for c in chunk_ids})
    places, late = {}, []
    for c in chunk_ids:
        doc, version = _named(c)
        if doc in indexed and indexed[doc][0] == version:
            places[c] = _Place(doc, version, indexed[doc][1], indexed[doc][2], None)
        else:
            late.append(c)
    for h in store.get(late):
        places[h.chunk_id] = _Place(h.doc_id, h.version, day_number(h.date), site_of(h.url), h)
    return places


def _named(chunk_id: str) -> tuple[str, str]:
    """The (doc id, version) a chunk id names; ("", "") for an id not written by ingest."""
    parts = chunk_id.rsplit(":", 2)
    return (parts[0], parts[1]) if len(parts) == 3 else ("", "")


def _hit(chunk_id: str, place: _Place, dense: float = 0.0, keyword: float = 0.0) -> Hit:
    """A light hit: ids, version, date and scores (a row read already, if there is one)."""
    if place.row is not None:
        return replace(place.row, score=dense, dense_score=dense, keyword_score=keyword)
    date = iso_day(place.date)
    return Hit(0, dense, chunk_id, place.doc_id, "", date, "", "", "", 0, 0, place.version,
               dense_score=dense, keyword_score=keyword)  # fmt: skip
