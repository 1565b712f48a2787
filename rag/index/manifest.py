"""The archive's manifest: one SQLite row per document, the commit point of every ingest.

A document's chunks are written to Chroma first under a new version; switching the
manifest row to that version is one SQLite transaction; only then are the old version's
chunks deleted. Searches keep only chunks of the version the manifest names, so readers
never see a mix. `pending` records versions being written, so a crash is cleaned up later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rag.index.connections import PerThread
from rag.index.copies import Copies
from rag.index.embedded import Embedded, Embedding
from rag.index.entities import Entities
from rag.index.quotes import Quotes
from rag.index.related import JOINED, ROW, Related
from rag.index.sentence_keys import SentenceKeys
from rag.index.stories import Stories
from rag.index.vectors import SentenceVectors
from rag.text.urls import url_key
from rag.types import Article, Attribution, DocInfo, Entity

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    text TEXT NOT NULL,
    sentence_starts BLOB,
    sentence_vectors BLOB,
    url_key TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
);
"""


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = PerThread(path)  # request threads never share a transaction
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
        for name in ("sentence_starts", "sentence_vectors", "url_key"):  # added since
            if name not in columns:
                self.db.execute(f"ALTER TABLE documents ADD COLUMN {name} BLOB")
        if "url_key" not in columns:  # documents stored before URLs were keyed
            with self.db:
                rows = self.db.execute("SELECT doc_id, url FROM documents").fetchall()
                self.db.executemany("UPDATE documents SET url_key=? WHERE doc_id=?",
                                    [(url_key(url), doc_id) for doc_id, url in rows])  # fmt: skip
        self.db.execute("CREATE INDEX IF NOT EXISTS by_url_key ON documents (url_key)")
        self.keys = SentenceKeys(self.db)
        self.copies = Copies(self.db)
        self.stories = Stories(self.db)
        self.quotes = Quotes(self.db)
        self.entities = Entities(self.db)
        self.embedded = Embedded(self.db)
        self.related = Related(self.db, self.stories)  # near-copies and a story's reports

    def generation(self) -> int:
        """A counter bumped by every commit and removal: derived indexes record it."""
        row = self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return row[0] if row else 0

    def _bump(self) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES ('generation', 1) "
            "ON CONFLICT(key) DO UPDATE SET value = value + 1"
        )

    def all_versions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, version FROM documents").fetchall())

    def version(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT version FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def versions(self, doc_ids: list[str]) -> dict[str, str]:
        """Current version of each of these documents that is in the archive."""
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, version FROM documents WHERE doc_id IN ({marks})", doc_ids
        )
        return dict(rows.fetchall())

    def sentence_vectors(self, doc_ids: list[str]) -> dict[str, SentenceVectors]:
        """The stored headline and sentence vectors of these documents (where stored)."""
        return {doc: SentenceVectors.unpack(*packed) for doc, *packed in self.packed(doc_ids)}

    def packed(self, doc_ids: list[str]) -> list[tuple[str, bytes, bytes]]:
        """(doc id, sentence starts, vectors) of these documents as stored (`vectors.py`)."""
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, sentence_starts, sentence_vectors FROM documents "
            f"WHERE doc_id IN ({marks}) AND sentence_vectors IS NOT NULL",
            doc_ids,
        )
        return rows.fetchall()

    def texts(self, doc_ids: list[str]) -> dict[str, str]:
        """The full texts of these documents."""
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})",
                               doc_ids)  # fmt: skip
        return dict(rows)

    def begin(self, doc_id: str, version: str) -> None:
        """Record that chunks of this version are about to be written."""
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO pending VALUES (?, ?)", (doc_id, version))

    def commit(
        self,
        article: Article,
        version: str,
        chunks: int,
        vectors: SentenceVectors | None = None,
        sentences: list[str] | None = None,
        quotes: list[Attribution] | None = None,
        embedded: dict[str, Embedding] | None = None,
        entities: list[Entity] | None = None,
    ) -> None:
        """Make `version` the document's current version, atomically, with its headline and
        sentence vectors, its sentences' furniture keys (rag/index/sentence_keys.py),
        whether it copies an earlier article (rag/index/copies.py), its story
        (rag/index/stories.py), its attributions (rag/index/quotes.py), its named entities
        (rag/index/entities.py) and what the model made of its chunks (rag/index/embedded.py)."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        starts, packed = (None, None) if vectors is None else vectors.pack()
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.doc_id,
                    version,
                    article.content_hash,
                    article.title,
                    article.date_iso,
                    article.url,
                    article.source,
                    chunks,
                    now,
                    article.text,
                    starts,
                    packed,
                    url_key(article.url),
                ),
            )
            self.keys.write(article.doc_id, sentences or [])
            self._write_copies(article.doc_id, article.day, sentences or [])
            self._write_story(article.doc_id, article.day, article.title, article.text)
            self.quotes.write(article.doc_id, quotes or [])
            self.entities.write(article.doc_id, entities or [])
            self.embedded.write(article.doc_id, embedded or {})
            self._bump()

    def _write_copies(self, doc_id: str, day: int, sentences: list[str]) -> None:
        furniture = self.keys.furniture([(doc_id, s) for s in sentences])
        kept = [s for i, s in enumerate(sentences) if i not in furniture]
        self.copies.write(doc_id, day, kept)

    def _write_story(self, doc_id: str, day: int, title: str, text: str) -> None:
        original = self.related.originals([doc_id]).get(doc_id, "")
        self.stories.write(doc_id, day, title, text, original)

    def find_story(self, doc_id: str, day: int, title: str, text: str) -> None:
        """Put a document stored before stories were formed in its story."""
        with self.db:
            self._write_story(doc_id, day, title, text)

    def find_quotes(self, doc_id: str, quotes: list[Attribution]) -> None:
        """Store the attributions of a document stored before they were found."""
        with self.db:
            self.quotes.write(doc_id, quotes)

    def find_entities(self, doc_id: str, entities: list[Entity]) -> None:
        """Store the named entities of a document stored before they were found."""
        with self.db:
            self.entities.write(doc_id, entities)

    def find_copies(self, doc_id: str, day: int, sentences: list[str]) -> None:
        """Look for the copies of a document stored before copies were looked for."""
        with self.db:
            self._write_copies(doc_id, day, sentences)

    def finish(self, doc_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM pending WHERE doc_id=?", (doc_id,))

    def pending(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT doc_id FROM pending")]

    def remove(self, doc_id: str) -> bool:
        with self.db:
            cur = self.db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self.keys.delete(doc_id)
            self.copies.delete(doc_id)
            self.stories.delete(doc_id)
            self.quotes.delete(doc_id)
            self.entities.delete(doc_id)
            self.embedded.delete(doc_id)
            self._bump()
        return cur.rowcount > 0

    def same_address(self, url: str) -> list[str]:
        """The documents stored under this URL or a variant of it: the one stored under
        exactly this URL first, then by when they were stored."""
        key = url_key(url)
        if not key:
            return []
        rows = self.db.execute(
            "SELECT doc_id FROM documents WHERE url_key=? ORDER BY url != ?, ingested_at, doc_id",
            (key, url),
        )
        return [r[0] for r in rows]

    def documents(self) -> list[DocInfo]:
        rows = self.db.execute(f"SELECT {ROW} FROM {JOINED} ORDER BY date DESC, title")
        return [DocInfo(*row) for row in rows]

    def infos(self, doc_ids: list[str]) -> dict[str, DocInfo]:
        """doc_id -> its metadata, for those of `doc_ids` the archive holds."""
        ids = list(set(doc_ids))
        rows = self.db.execute(
            f"SELECT {ROW} FROM {JOINED} WHERE doc_id IN ({','.join('?' * len(ids))})", ids
        )
        return {row[0]: DocInfo(*row) for row in rows}

    def document(self, doc_id: str) -> tuple[DocInfo, str] | None:
        """A document's manifest row and its full text."""
        row = self.db.execute(
            f"SELECT {ROW}, text FROM {JOINED} WHERE doc_id=?",
            (doc_id,),
        ).fetchone()
        return (DocInfo(*row[:-1]), row[-1]) if row else None

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def close(self) -> None:
        self.db.close()
