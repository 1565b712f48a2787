"""The crash-safe ingest transaction: add, replace and delete documents.

For each article its chunks are written to Chroma under a new version; switching the
manifest row to that version is one SQLite transaction, the commit point; only then are
the old version's chunks deleted. `pending` notes each version being written, so that the
next writer deletes what a crash left. After a batch the keyword index is brought in step
from the rows just written. Every write is followed by a step (rag/index/steps.py), where
a test can crash the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout

from rag.index.keyword import DELTA_MIN, Row
from rag.index.manifest import Manifest
from rag.index.steps import WriteSteps
from rag.index.sync import InStep
from rag.index.vectors import SentenceVectors
from rag.ingest import reading
from rag.ingest.articles import ArticleError
from rag.ingest.prepare import Prepared, prepare, version_of
from rag.settings import Settings
from rag.text.dates import day_number
from rag.text.sentences import split_sentences
from rag.types import Article, Chunk, FileResult

if TYPE_CHECKING:
    from rag.backends import Backends

log = logging.getLogger("rag")
Progress = Callable[[int, int, FileResult], None]  # done, total (0: not known), result
Reader = tuple[str, Callable[[], Article]]  # a label for the user, and how to read it
# Prepares read articles elsewhere: given (label, article or why not) and which articles
# need work, yields (label, article or why not, its Prepared or None) in the same order.
Preparer = Callable[
    [Iterator[tuple[str, "Article | FileResult"]], Callable[[Article], bool]],
    Iterator[tuple[str, "Article | FileResult", "Prepared | None"]],
]


class Writer:
    """Writes one archive; holds its lock, which is exclusive across processes."""

    def __init__(
        self, settings: Settings, manifest: Manifest, backends: Backends, sync: InStep
    ) -> None:
        self.settings, self.manifest, self.backends, self.sync = settings, manifest, backends, sync
        self.lock = FileLock(settings.lock_path)  # reentrant within this process
        self.steps = WriteSteps(settings.crash_after_step)
        self._written: dict[str, list[Row]] | None = {}  # doc_id -> rows, for the keyword index

    def run(self, readers: Sequence[Reader], progress: Progress | None) -> list[FileResult]:
        """Read and add each article in turn; one bad file is skipped with a reason."""
        return list(self.stream(readers, progress, len(readers)))

    def stream(
        self,
        readers: Iterable[Reader],
        progress: Progress | None = None,
        total: int = 0,
        preparer: Preparer | None = None,
    ) -> Iterator[FileResult]:
        """`run` for an export of any size: readers are taken one at a time and each result
        is handed on as it comes (`total` 0: not known in advance). Holds the lock until
        the last reader is done. A `preparer` (rag/ingest/cluster.py) prepares the articles
        elsewhere, handing them back in order; they are written here, one at a time."""
        with self._writing():
            self._recover()
            read = (_read(label, reader) for label, reader in readers)
            ready = preparer(read, self.needs) if preparer else ((*r, None) for r in read)
            for i, (label, item, prepared) in enumerate(ready, start=1):
                if isinstance(item, Article):
                    item = self.add(item, label, prepared)
                if progress:
                    progress(i, total, item)
                yield item
            self.update_keyword()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the archive's write lock; say so if another process has it."""
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            log.warning(
                "another ingest or delete is running on %s; waiting for it to finish",
                self.settings.data_dir,
            )
            self.lock.acquire()
        try:
            yield
        finally:
            self.lock.release()

    def version(self, article: Article) -> str:
        """Names what is stored for the article: its text and how it was chunked and embedded."""
        return version_of(self.settings, article)

    def needs(self, article: Article) -> bool:
        """True unless the article is stored as it is (what a cluster is spared)."""
        return self.manifest.version(article.doc_id) != self.version(article)

    def add(self, article: Article, path: str = "", ready: Prepared | None = None) -> FileResult:
        """Add or replace one article, from `ready` if it was prepared elsewhere (a Ray
        worker: rag/ingest/cluster.py) for this version. The caller holds the lock."""
        same = self.manifest.same_address(article.url)
        if same and article.doc_id not in same:  # stored under an id from before URL keys
            article = replace(article, doc_id=same[0])
        for twin in same:  # one address stored twice before URL keys: now one document
            if twin != article.doc_id:
                self.delete(twin)
        version = self.version(article)
        current = self.manifest.version(article.doc_id)
        stored = self.manifest.document(article.doc_id) if same else None
        if stored and stored[0].url != article.url and stored[1] == article.text:
            # the same text under another form of its URL: nothing new to store
            return FileResult(path or article.source, "unchanged", article.doc_id,
                              stored[0].title, stored[0].chunks)  # fmt: skip
        found = FileResult(path or article.source, "", article.doc_id, article.title)
        if current == version:
            row = self.manifest.document(article.doc_id)
            chunks = row[0].chunks if row else 0
            return FileResult(found.path, "unchanged", article.doc_id, article.title, chunks)
        if ready is None or ready.version != version:
            embedder = self.backends.embedder
            ready = prepare(self.settings, embedder, article, self.manifest.embedded.get)
        chunks = ready.chunks
        store, step = self.sync.store(), self.steps
        self.manifest.begin(article.doc_id, version)
        step(f"pending version of {article.doc_id} noted")
        store.add(article, chunks, ready.vectors, version)
        step(f"new chunks of {article.doc_id} written")
        sentences = sorted({span for c in chunks for span in c.sentences}, key=lambda s: s.start)
        self.manifest.commit(
            article,
            version,
            len(chunks),
            SentenceVectors.of(chunks, ready.pooled),
            [article.text[s.start : s.end] for s in sentences],
            ready.quotes,
            ready.embedded,
            ready.names,
        )
        step(f"manifest switched to the new version of {article.doc_id}")
        store.delete(article.doc_id, keep_version=version)
        step(f"old chunks of {article.doc_id} deleted")
        self.manifest.finish(article.doc_id)
        step(f"{article.doc_id} no longer pending")
        self.sync.wrote()
        self._remember(article, chunks, version)
        status = "added" if current is None else "updated"
        return FileResult(found.path, status, article.doc_id, article.title, len(chunks),
                          embedded=ready.fresh)  # fmt: skip

    def _remember(self, article: Article, chunks: list[Chunk], version: str) -> None:
        """Keep the rows just written for the keyword index, up to what its small segment
        holds; past that it merges, reading every row back from the store anyway."""
        if self._written is None:
            return
        self._written[article.doc_id] = [
            Row(c.chunk_id, article.doc_id, version, article.day, article.site, c.text)
            for c in chunks
        ]
        if sum(len(rows) for rows in self._written.values()) > DELTA_MIN:
            self._written = None

    def _recover(self) -> None:
        """Delete chunks left by an ingest that crashed before or after its commit."""
        for doc_id in self.manifest.pending():
            version = self.manifest.version(doc_id)
            store = self.sync.store()
            if version is None:
                store.delete(doc_id)
            else:
                store.delete(doc_id, keep_version=version)
            self.steps(f"chunks left by a crash on {doc_id} deleted")
            self.manifest.finish(doc_id)
            self.steps(f"{doc_id} recovered")
        keys = self.manifest.keys
        if not keys.complete:  # once: documents stored before furniture keys were
            for doc_id in keys.missing():
                found = self.manifest.document(doc_id)
                if found:
                    text = found[1]
                    keys.add(doc_id, [text[s.start : s.end] for s in split_sentences(text)])
            keys.mark_complete()
        for doc_id, date, text, starts in self.manifest.copies.missing():  # stored before
            if starts:  # cut at the stored sentence starts: splitting again is slow
                cuts = [0, *np.frombuffer(starts, dtype=np.int32).tolist(), len(text)]
                sentences = [text[a:b] for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
            else:
                sentences = [text[s.start : s.end] for s in split_sentences(text)]
            self.manifest.find_copies(doc_id, day_number(date), sentences)
        for doc_id, date, title, text in self.manifest.stories.missing():  # stored before
            self.manifest.find_story(doc_id, day_number(date), title, text)
        for doc_id, text in self.manifest.quotes.missing():  # stored before attributions
            quotes, names = reading.read(text)
            self.manifest.find_quotes(doc_id, quotes)
            self.manifest.find_entities(doc_id, names)
        for doc_id, text in self.manifest.entities.missing():  # stored before entities
            self.manifest.find_entities(doc_id, reading.entities(text))

    def delete(self, doc_id: str) -> bool:
        """Remove a document and all its chunks; False if there is no such document."""
        with self._writing():
            self.manifest.begin(doc_id, "")
            self.steps(f"deletion of {doc_id} noted")
            found = self.manifest.remove(doc_id)
            self.steps(f"{doc_id} removed from the manifest")
            self.sync.store().delete(doc_id)
            self.steps(f"chunks of {doc_id} deleted")
            self.manifest.finish(doc_id)
            self.steps(f"{doc_id} no longer pending")
            self.sync.wrote()
            self.update_keyword()
        return found

    def catch_up(self) -> None:
        """Clean up after a writer that crashed and bring the keyword index in step (it lags
        after a crash, or is rebuilt when its files are damaged); left to the writer at
        work if there is one."""
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            return
        try:
            self._recover()
            self.update_keyword()
        finally:
            self.lock.release()

    def update_keyword(self, rebuild: bool = False) -> None:
        """Bring the keyword index in step with the manifest: from the rows this writer
        wrote, and from the store for documents another (perhaps crashed) writer wrote."""
        with self._writing(), self.sync.lock.exclusive():  # no thread reads it meanwhile
            keyword = self.sync.keyword()
            generation = self.manifest.generation()
            if not rebuild and keyword.generation == generation:
                return
            versions = self.manifest.all_versions()
            store = self.sync.store()
            every_row = lambda: (Row(*r) for r in store.rows())  # noqa: E731
            if rebuild:
                keyword.rebuild(every_row(), versions, generation, self.steps)
            else:
                keyword.update(versions, self._rows_of, every_row, generation, self.steps)
            self._written = {}

    def _rows_of(self, doc_ids: list[str]) -> Iterator[Row]:
        written = self._written or {}
        for doc_id in doc_ids:
            yield from written.get(doc_id, ())
        others = [d for d in doc_ids if d not in written]
        if others:
            yield from (Row(*r) for r in self.sync.store().rows(others))


def _read(label: str, reader: Callable[[], Article]) -> tuple[str, Article | FileResult]:
    """The article a reader gives, or why it was skipped."""
    try:
        return label, reader()
    except ArticleError as e:
        return label, FileResult(label, "skipped", reason=str(e))
    except OSError as e:
        return label, FileResult(label, "skipped", reason=f"cannot read file: {e.strerror or e}")
