"""BM25 keyword index over chunk texts: the only module that imports bm25s.

News questions hinge on names, numbers and rare words that embedding search can miss. The
index is saved as plain files (no pickle) in the data directory, together with the chunk ids
and publication dates it was built from and the manifest generation it matches. It is
rebuilt after writes, never per query.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

from rag.types import Filters

_META = "chunks.json"
_FORMAT = 2  # bumped when the saved layout changes; an index of another format is rebuilt


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def _read_meta(folder: Path) -> dict | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("format") == _FORMAT else None


class KeywordIndex:
    """BM25 over (chunk_id, date, site, text) rows, loaded from and saved to `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation = -1
        self.chunk_ids: list[str] = []
        self.dates = np.zeros(0, dtype=np.int64)
        self.sites = np.zeros(0, dtype=object)
        self.bm25: bm25s.BM25 | None = None
        meta = _read_meta(folder)
        if meta is not None:
            self.generation = meta["generation"]
            self.chunk_ids = meta["chunk_ids"]
            self.dates = np.asarray(meta["dates"], dtype=np.int64)
            self.sites = np.asarray(meta["sites"], dtype=object)
            if self.chunk_ids:
                self.bm25 = bm25s.BM25.load(str(folder))

    def rebuild(self, rows: Iterable[tuple[str, int, str, str]], generation: int) -> None:
        """Index these rows and replace the saved index in one rename."""
        rows = list(rows)
        bm25 = None
        if rows:
            bm25 = bm25s.BM25()
            bm25.index(_tokens([text for *_, text in rows]), show_progress=False)
        tmp = self.folder.with_name(self.folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if bm25 is not None:
            bm25.save(str(tmp))
        meta = {
            "format": _FORMAT,
            "generation": generation,
            "chunk_ids": [r[0] for r in rows],
            "dates": [r[1] for r in rows],
            "sites": [r[2] for r in rows],
        }
        (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(tmp, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self.bm25, self.generation = bm25, generation
        self.chunk_ids = meta["chunk_ids"]
        self.dates = np.asarray(meta["dates"], dtype=np.int64)
        self.sites = np.asarray(meta["sites"], dtype=object)

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best k chunks that pass the filters (score > 0)."""
        if self.bm25 is None or not self.chunk_ids:
            return []
        tokens = [t for t in _tokens([query])[0] if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        mask = self._mask(filters) if filters else None
        k = min(k, len(self.chunk_ids))
        docs, scores = self.bm25.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def _mask(self, filters: Filters) -> np.ndarray:
        keep = np.ones(len(self.chunk_ids), dtype=bool)
        if filters.since:
            keep &= self.dates >= int(filters.since.strftime("%Y%m%d"))
        if filters.until:
            keep &= self.dates <= int(filters.until.strftime("%Y%m%d"))
        if filters.sites:
            keep &= np.isin(self.sites, list(filters.sites))
        return keep.astype(np.float32)
