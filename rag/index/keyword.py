"""BM25 keyword index over chunk texts (its segments: rag/index/bm25.py).

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

import numpy as np

from rag.index.bm25 import Row, Segment, mask, tokenize
from rag.index.steps import no_steps
from rag.types import Filters

_STATE = "state.json"
_FORMAT = 3  # bumped when the saved layout changes; an index of another format is rebuilt
# The small segment is merged into the sealed one once it holds more chunks than the larger
# of these: a count, and a share of the sealed segment's chunks.
DELTA_MIN = 20_000
DELTA_SHARE = 0.1


class KeywordIndex:
    """BM25 over chunk rows, loaded from and saved to `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation = -1
        self.docs: dict[str, str] = {}  # doc_id -> version the index is in step with
        self.sealed: Segment | None = None
        self.small: Segment | None = None
        self.dead = np.zeros(0, dtype=bool)  # rows of the sealed segment masked out
        self._places: dict[str, tuple[int, str]] | None = None  # see `places`
        self._load()

    def _load(self, loaded: Segment | None = None) -> None:
        """Read the current state; `loaded` is a sealed segment already in memory."""
        self.generation, self.docs, self.sealed, self.small = -1, {}, None, None
        self._places = None
        try:
            state = json.loads((self.folder / _STATE).read_text(encoding="utf-8"))
            if state.get("format") != _FORMAT:
                return  # rebuilt by the next update
            sealed = loaded
            if sealed is None or sealed.folder.name != state["sealed"]:
                sealed = Segment(self.folder / state["sealed"], mmap=True)
            small = Segment(self.folder / state["small"], mmap=False)
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

    def places(self, doc_ids: Iterable[str]) -> dict[str, tuple[str, int, str]]:
        """doc id -> (version, date as YYYYMMDD, site) of those of the documents indexed: a
        search's candidates are ranked and filtered on these before any row is read."""
        if self._places is None:
            self._places = {}
            for segment, dead in ((self.sealed, self.dead), (self.small, None)):
                if segment is not None and len(segment):
                    self._places.update(segment.places(dead))
        return {d: (self.docs[d], *self._places[d]) for d in doc_ids
                if d in self._places and d in self.docs}  # fmt: skip

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
        `step` is told of each file written (see rag/index/steps.py)."""
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
            Segment.write(small, kept + new, texts=True, df=self.sealed)
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
        Segment.write(sealed, rows, texts=False)
        step("sealed keyword segment written")
        Segment.write(small, [], texts=True)
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

    def shares(self, words: list[str]) -> dict[str, float]:
        """The share of the index's chunks holding each word (masked-out rows counted too);
        words in no chunk are left out."""
        n, df = 0, dict.fromkeys(words, 0)
        for segment in (self.sealed, self.small):
            if segment is not None and segment.bm25 is not None:
                n += len(segment)
                indptr, vocab = segment.bm25.scores["indptr"], segment.bm25.vocab_dict
                for w in words:
                    j = vocab.get(w)
                    if j is not None and j + 1 < len(indptr):
                        df[w] += int(indptr[j + 1] - indptr[j])
        return {w: d / n for w, d in df.items() if d}

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best k chunks that pass the filters (score > 0)."""
        tokens = tokenize([query])[0]
        found = []
        for segment, dead in ((self.sealed, self.dead), (self.small, None)):
            if segment is not None and len(segment):
                keep = mask(segment, filters) if filters else np.ones(len(segment), bool)
                found += segment.search(tokens, k, keep if dead is None else keep & ~dead)
        return sorted(found, key=lambda f: f[1], reverse=True)[:k]
