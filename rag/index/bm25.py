"""One BM25 segment on disk: the only module that imports bm25s (see rag/index/keyword.py).

A segment is a bm25s index saved as plain files (no pickle) with its rows' chunk ids,
documents, dates and sites held as columns.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import NamedTuple

import bm25s
import numpy as np

from rag.types import Filters

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG

_ROWS = "rows.json"


class Row(NamedTuple):
    """A chunk as the keyword index sees it."""

    chunk_id: str
    doc_id: str
    version: str
    date: int
    site: str
    text: str


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def _codes(values: list[str]) -> tuple[list[str], list[int]]:
    """Distinct values (in order of appearance) and each value's index among them."""
    index: dict[str, int] = {}
    codes = [index.setdefault(v, len(index)) for v in values]
    return list(index), codes


class Segment:
    """One bm25s index with the chunk ids, documents, dates and sites of its rows, held as
    columns (a million rows take tens of MB, not the hundreds of MB of row objects)."""

    def __init__(self, folder: Path, mmap: bool) -> None:
        data = json.loads((folder / _ROWS).read_text(encoding="utf-8"))
        self.folder = folder
        self.chunk_ids: list[str] = data["chunk_ids"]
        self.doc_names: list[str] = data["doc_names"]
        self.doc = np.asarray(data["doc"], dtype=np.int32)
        self.dates = np.asarray(data["dates"], dtype=np.int64)
        self.site_names: list[str] = data["site_names"]
        self.site = np.asarray(data["site"], dtype=np.int32)
        self.texts: list[str] = data["texts"]  # kept for the small segment only
        self.tokens = int(data["tokens"])  # summed length of the rows, for BM25's average
        self.bm25 = bm25s.BM25.load(str(folder), mmap=mmap) if self.chunk_ids else None

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def of_docs(self, doc_ids: set[str]) -> np.ndarray:
        """Which rows belong to these documents."""
        return np.asarray([d in doc_ids for d in self.doc_names], dtype=bool)[self.doc]

    def places(self, dead: np.ndarray | None) -> dict[str, tuple[int, str]]:
        """doc id -> (date as YYYYMMDD, site) of the documents with rows here (not `dead`)."""
        _, first = np.unique(self.doc, return_index=True)
        return {self.doc_names[self.doc[i]]: (int(self.dates[i]), self.site_names[self.site[i]])
                for i in first if dead is None or not dead[i]}  # fmt: skip

    def rows(self, versions: dict[str, str]) -> list[Row]:
        """The rows back (the small segment's, which keeps texts)."""
        return [
            Row(cid, self.doc_names[d], versions.get(self.doc_names[d], ""), int(date),
                self.site_names[site], text)
            for cid, d, date, site, text in zip(
                self.chunk_ids, self.doc, self.dates, self.site, self.texts
            )
        ]  # fmt: skip

    @staticmethod
    def write(folder: Path, rows: list[Row], texts: bool, df: Segment | None = None) -> None:
        """Index `rows` into a new folder (keeping their texts if `texts`); with `df`, term
        weights are rescaled to document frequencies over `df`'s rows and these."""
        folder.mkdir(parents=True)
        total = 0
        if rows:
            tokens = tokenize([r.text for r in rows])
            bm25 = bm25s.BM25()
            bm25.index(tokens, show_progress=False)
            if df is not None and df.bm25 is not None:
                _reweight(bm25, np.asarray([len(t) for t in tokens], dtype=np.float64), df)
            bm25.save(str(folder))
            total = sum(len(t) for t in tokens)
        doc_names, doc = _codes([r.doc_id for r in rows])
        site_names, site = _codes([r.site for r in rows])
        data = {
            "chunk_ids": [r.chunk_id for r in rows],
            "doc_names": doc_names,
            "doc": doc,
            "dates": [r.date for r in rows],
            "site_names": site_names,
            "site": site,
            "texts": [r.text for r in rows] if texts else [],
            "tokens": total,
        }
        (folder / _ROWS).write_text(json.dumps(data), encoding="utf-8")

    def search(self, tokens: list[str], k: int, mask: np.ndarray) -> list[tuple[str, float]]:
        if self.bm25 is None:
            return []
        tokens = [t for t in tokens if t in self.bm25.vocab_dict]
        if not tokens or not mask.any():
            return []
        docs, scores = self.bm25.retrieve(
            [tokens],
            k=min(k, len(self)),
            show_progress=False,
            weight_mask=mask.astype(np.float32),
            n_threads=1,
        )
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


def _idf(n: float, df: np.ndarray) -> np.ndarray:
    return np.log(1 + (n - df + 0.5) / (df + 0.5))  # bm25s "lucene", its default


def _reweight(small: bm25s.BM25, lengths: np.ndarray, sealed: Segment) -> None:
    """Turn `small`'s BM25 weights, computed from its own rows, into those over the sealed
    segment's rows and its own: document frequencies and average length over both.

    A "lucene" weight is idf * tf / (tf + k1 (1 - b + b dl / avgdl)); from it and the row's
    length dl the term frequency tf is recovered exactly, then weighed anew."""
    big = sealed.bm25
    assert big is not None
    k1, b = small.k1, small.b
    scores = small.scores
    df = np.diff(scores["indptr"]).astype(np.float64)
    big_df = np.diff(big.scores["indptr"])
    more = np.zeros_like(df)
    for term, i in small.vocab_dict.items():
        j = big.vocab_dict.get(term)
        if j is not None and i < len(df) and j < len(big_df):  # "" has no column
            more[i] = big_df[j]
    n, big_n = len(lengths), big.scores["num_docs"]
    per_entry = df.astype(np.int64)
    idf_own = np.repeat(_idf(n, df), per_entry)
    idf_all = np.repeat(_idf(n + big_n, df + more), per_entry)
    dl = lengths[scores["indices"]]
    norm_own = k1 * (1 - b + b * dl / lengths.mean())
    norm_all = k1 * (1 - b + b * dl * (n + big_n) / (lengths.sum() + sealed.tokens))
    tfc = scores["data"] / idf_own
    tf = np.round(tfc * norm_own / (1 - tfc))
    weights = idf_all * tf / (tf + norm_all)
    scores["data"] = weights.astype(scores["data"].dtype)


def mask(segment: Segment, filters: Filters) -> np.ndarray:
    """`Filters.admits` over a segment's rows at once."""
    keep = np.ones(len(segment), dtype=bool)
    since, until = filters.days()
    if since is not None:
        keep &= segment.dates >= since
    if until is not None:
        keep &= segment.dates <= until
    if filters.sites:
        wanted = np.asarray([s in filters.sites for s in segment.site_names], dtype=bool)
        keep &= wanted[segment.site]
    return keep
