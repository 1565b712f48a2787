"""Keeping one process's view of the indexes in step with what other processes wrote.

Every commit bumps the manifest's generation. An embedded Chroma client keeps its vector
index in memory and never sees another process's writes (chroma-core/chroma#3792), so the
store is reopened when the generation has moved; the keyword index is read again from disk.
Readers never rebuild anything: that is for writers (rag/ingest/writer.py) and `reindex`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.index.keyword import KeywordIndex
from rag.index.manifest import Manifest
from rag.index.store import ChunkStore

if TYPE_CHECKING:
    from rag.backends import Backends


class InStep:
    def __init__(self, manifest: Manifest, backends: Backends) -> None:
        self.manifest, self.backends = manifest, backends
        self._store_seen: int | None = None  # the generation the open store has seen

    def store(self) -> ChunkStore:
        """The chunk store, reopened first if another process has written since."""
        generation = self.manifest.generation()
        if self._store_seen is None:
            self._store_seen = generation  # opening it reads what is on disk now
            return self.backends.store
        if generation != self._store_seen:
            self.backends.store.reopen()
            self._store_seen = generation
        return self.backends.store

    def keyword(self) -> KeywordIndex:
        """The keyword index as last saved (by any process); it may lag the manifest after a
        writer crashed, until the next writer catches it up."""
        keyword = self.backends.keyword
        if keyword.generation != self.manifest.generation():
            keyword.reload()
        return keyword

    def wrote(self) -> None:
        """Note this process's own writes: its store already holds them."""
        self._store_seen = self.manifest.generation()
