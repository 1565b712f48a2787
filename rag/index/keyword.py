"""BM25 keyword index over chunk texts: the only module that imports bm25s.

News questions hinge on names, numbers and rare words that embedding search can miss. The
index is kept in the data directory as two segments: a large sealed one, written once and
memory-mapped, and a small one rebuilt after each write from the chunks added since. Chunks
of changed or deleted documents are masked out of the sealed segment. When the small
segment outgrows max(20,000 chunks, 10% of the sealed one), both are rebuilt into one
sealed segment. Which segment folders are current, the mask and the document versions
indexed are in `state.json`, replaced in one rename: a crash leaves the previous index.
Everything is plain files (no pickle).

Scores of the two segments are comparable: the small segment's term weights are recomputed
with document frequencies and average length over both, so a new article is not ranked up
just because its words are rare among the few new ones (tested against a full rebuild).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import bm25s
import numpy as np

from rag.ingest.steps import no_steps
from rag.types import Filters

_STATE = "state.json"
_ROWS = "rows.json"
_FORMAT = 3  # bumped when the saved layout changes; an index of another format is rebuilt
# The small segment is merged into the sealed one once it holds more chunks than the larger
# of these: a count, and a share of the sealed segment's chunks.
DELTA_MIN = 20_000
DELTA_SHARE = 0.1


class Row(NamedTuple):
    """A chunk as the keyword index sees it."""

    chunk_id: str
    doc_id: str
    version: str
    date: int
    site: str
    text: str


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def _codes(values: list[str]) -> tuple[list[str], list[int]]:
    """Distinct values (in order of appearance) and each value's index among them."""
    index: dict[str, int] = {}
    codes = [index.setdefault(v, len(index)) for v in values]
    return list(index), codes


class _Segment:
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
    def write(folder: Path, rows: list[Row], texts: bool, df: _Segment | None = None) -> None:
        """Index `rows` into a new folder (keeping their texts if `texts`); with `df`, term
        weights are rescaled to document frequencies over `df`'s rows and these."""
        folder.mkdir(parents=True)
        total = 0
        if rows:
            tokens = _tokens([r.text for r in rows])
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


def _reweight(small: bm25s.BM25, lengths: np.ndarray, sealed: _Segment) -> None:
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


class KeywordIndex:
    """BM25 over chunk rows, loaded from and saved to `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation = -1
        self.docs: dict[str, str] = {}  # doc_id -> version the index is in step with
        self.sealed: _Segment | None = None
        self.small: _Segment | None = None
        self.dead = np.zeros(0, dtype=bool)  # rows of the sealed segment masked out
        self._load()

    def _load(self, loaded: _Segment | None = None) -> None:
        """Read the current state; `loaded` is a sealed segment already in memory."""
        self.generation, self.docs, self.sealed, self.small = -1, {}, None, None
        try:
            state = json.loads((self.folder / _STATE).read_text(encoding="utf-8"))
            if state.get("format") != _FORMAT:
                return  # rebuilt by the next update
            sealed = loaded
            if sealed is None or sealed.folder.name != state["sealed"]:
                sealed = _Segment(self.folder / state["sealed"], mmap=True)
            small = _Segment(self.folder / state["small"], mmap=False)
        except (OSError, ValueError, KeyError):
            return
        self.sealed, self.small = sealed, small
        self.generation, self.docs = state["generation"], state["docs"]
        self.dead = np.zeros(len(sealed), dtype=bool)
        self.dead[state["dead"]] = True

    def reload(self) -> None:
        """Read the index again as another process may have saved it."""
        self._load(self.sealed)

    @property
    def chunk_ids(self) -> list[str]:
        """The chunks indexed (not those masked out)."""
        if self.sealed is None or self.small is None:
            return []
        live = [c for c, dead in zip(self.sealed.chunk_ids, self.dead) if not dead]
        return live + self.small.chunk_ids

    def update(
        self,
        versions: dict[str, str],
        rows_of: Callable[[list[str]], Iterable[Row]],
        all_rows: Callable[[], Iterable[Row]],
        generation: int,
        step: Callable[[str], None] = no_steps,
    ) -> None:
        """Bring the index in step with `versions` (doc_id -> current version): chunks of
        new and changed documents come from `rows_of(doc_ids)`; a first build or a merge
        reads `all_rows()`. Rows of other versions than `versions` says are left out.
        `step` is told of each file written (see rag/ingest/steps.py)."""
        if self.sealed is None or self.small is None:
            self.rebuild(all_rows(), versions, generation, step)
            return
        changed = [d for d, v in versions.items() if self.docs.get(d) != v]
        gone = set(changed) | (self.docs.keys() - versions.keys())
        kept = [r for r in self.small.rows(self.docs) if r.doc_id not in gone]
        new = [r for r in rows_of(changed) if versions.get(r.doc_id) == r.version]
        sealed_live = len(self.sealed) - int(self.dead.sum())
        if len(kept) + len(new) > max(DELTA_MIN, DELTA_SHARE * sealed_live):
            self.rebuild(all_rows(), versions, generation, step)
            return
        dead = self.dead | self.sealed.of_docs(gone)
        small = self.small.folder
        if gone:
            small = self.folder / f"small-{uuid.uuid4().hex[:8]}"
            _Segment.write(small, kept + new, texts=True, df=self.sealed)
            step("small keyword segment written")
        docs = {d: v for d, v in self.docs.items() if d not in gone}
        docs.update({d: versions[d] for d in changed})
        self._commit(self.sealed.folder, small, dead, docs, generation, step)

    def rebuild(
        self,
        rows: Iterable[Row],
        versions: dict[str, str],
        generation: int,
        step: Callable[[str], None] = no_steps,
    ) -> None:
        """Index every row of a current version into one sealed segment."""
        rows = [r for r in rows if versions.get(r.doc_id) == r.version]
        sealed = self.folder / f"sealed-{uuid.uuid4().hex[:8]}"
        small = self.folder / f"small-{uuid.uuid4().hex[:8]}"
        _Segment.write(sealed, rows, texts=False)
        step("sealed keyword segment written")
        _Segment.write(small, [], texts=True)
        step("empty small keyword segment written")
        dead = np.zeros(len(rows), dtype=bool)
        self._commit(sealed, small, dead, versions, generation, step)

    def _commit(
        self,
        sealed: Path,
        small: Path,
        dead: np.ndarray,
        docs: dict,
        generation: int,
        step: Callable[[str], None],
    ) -> None:
        """Make these segments current in one rename, then delete the ones left over."""
        state = {
            "format": _FORMAT,
            "generation": generation,
            "sealed": sealed.name,
            "small": small.name,
            "dead": np.flatnonzero(dead).tolist(),
            "docs": docs,
        }
        tmp = self.folder / f"{_STATE}.tmp"
        tmp.write_text(json.dumps(state), encoding="utf-8")
        step("new keyword state written")
        os.replace(tmp, self.folder / _STATE)
        step("keyword state switched")
        for child in self.folder.iterdir():
            if child.name in (sealed.name, small.name, _STATE):
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)  # e.g. the files of an index of an older format
        step("old keyword segments removed")
        self._load(self.sealed)  # an update keeps the sealed segment: not read again

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best k chunks that pass the filters (score > 0)."""
        tokens = _tokens([query])[0]
        found = []
        for segment, dead in ((self.sealed, self.dead), (self.small, None)):
            if segment is not None and len(segment):
                keep = _mask(segment, filters) if filters else np.ones(len(segment), bool)
                found += segment.search(tokens, k, keep if dead is None else keep & ~dead)
        return sorted(found, key=lambda f: f[1], reverse=True)[:k]


def _mask(segment: _Segment, filters: Filters) -> np.ndarray:
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
