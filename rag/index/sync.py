"""Keeping one process's view of the indexes in step with what other processes wrote.

Every commit bumps the manifest's generation. An embedded Chroma client keeps its vector
index in memory and never sees another process's writes (chroma-core/chroma#3792), so the
store is reopened when the generation has moved; the keyword index is read again from disk.
Readers never rebuild anything: that is for writers (rag/ingest/writer.py) and `reindex`.

Within one process (the API server answers on many threads) reopening the store, reloading
the keyword index and changing it wait until no thread is reading them, and the other way
round: `reading()` hands both out under a shared lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rag.index.keyword import KeywordIndex
from rag.index.manifest import Manifest
from rag.index.store import ChunkStore

if TYPE_CHECKING:
    from rag.backends import Backends


class SharedLock:
    """Many threads reading, or one thread changing (it may take the lock again); a thread
    waiting to change goes before threads that come to read after it."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._readers = self._waiting = self._depth = 0
        self._owner: int | None = None

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._state:
            self._state.wait_for(lambda: self._owner is None and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._state:
                self._readers -= 1
                self._state.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._state:
            if self._owner != me:
                self._waiting += 1
                self._state.wait_for(lambda: self._owner is None and not self._readers)
                self._waiting -= 1
                self._owner = me
            self._depth += 1
        try:
            yield
        finally:
            with self._state:
                self._depth -= 1
                if not self._depth:
                    self._owner = None
                    self._state.notify_all()


class InStep:
    def __init__(self, manifest: Manifest, backends: Backends) -> None:
        self.manifest, self.backends = manifest, backends
        self._store_seen: int | None = None  # the generation the open store has seen
        self.lock = SharedLock()

    @contextmanager
    def reading(self) -> Iterator[tuple[ChunkStore, KeywordIndex]]:
        """The store and the keyword index, brought in step first, to read while no other
        thread of this process reopens or changes them."""
        store, keyword = self.store(), self.keyword()
        with self.lock.shared():
            yield store, keyword

    def store(self) -> ChunkStore:
        """The chunk store, reopened first if another process has written since (never
        call it while `reading()`)."""
        generation = self.manifest.generation()
        if self._store_seen is None:
            self._store_seen = generation  # opening it reads what is on disk now
        if generation != self._store_seen:
            with self.lock.exclusive():
                if generation != self._store_seen:
                    self.backends.store.reopen()
                    self._store_seen = generation
        return self.backends.store

    def keyword(self) -> KeywordIndex:
        """The keyword index as last saved (by any process); it may lag the manifest after a
        writer crashed, until the next writer catches it up (never call it while
        `reading()`)."""
        keyword = self.backends.keyword
        generation = self.manifest.generation()
        if keyword.generation != generation:
            with self.lock.exclusive():
                if keyword.generation != generation:
                    keyword.reload()
        return keyword

    def wrote(self) -> None:
        """Note this process's own writes: its store already holds them."""
        self._store_seen = self.manifest.generation()
