"""The archive's manifest: one SQLite row per document, the commit point of every ingest.

A document's chunks are written to Chroma first under a new version; switching the
manifest row to that version is one SQLite transaction; only then are the old version's
chunks deleted. Searches keep only chunks of the version the manifest names, so readers
never see a mix. `pending` records versions being written, so a crash is cleaned up later.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from rag.index.vectors import SentenceVectors
from rag.text import furniture as f
from rag.types import Article, DocInfo

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
    sentence_vectors BLOB
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sentence_keys (
    doc_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    key INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (doc_id, kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sentence_keys_by_key ON sentence_keys (kind, key);
CREATE TABLE IF NOT EXISTS pending (
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
);
"""
_INFO = "doc_id, title, date, url, source, chunks, ingested_at"


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
        for name in ("sentence_starts", "sentence_vectors"):  # a manifest from before them
            if name not in columns:
                self.db.execute(f"ALTER TABLE documents ADD COLUMN {name} BLOB")

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
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, sentence_starts, sentence_vectors FROM documents "
            f"WHERE doc_id IN ({marks}) AND sentence_vectors IS NOT NULL",
            doc_ids,
        )
        return {doc: SentenceVectors.unpack(starts, packed) for doc, starts, packed in rows}

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
    ) -> None:
        """Make `version` the document's current version, atomically, with its headline and
        sentence vectors and its sentences' furniture keys (rag/text/furniture.py)."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        starts, packed = (None, None) if vectors is None else vectors.pack()
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                ),
            )
            self._write_keys(article.doc_id, sentences or [])
            self._bump()

    def finish(self, doc_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM pending WHERE doc_id=?", (doc_id,))

    def pending(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT doc_id FROM pending")]

    def remove(self, doc_id: str) -> bool:
        with self.db:
            cur = self.db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self.db.execute("DELETE FROM sentence_keys WHERE doc_id=?", (doc_id,))
            self._bump()
        return cur.rowcount > 0

    def _write_keys(self, doc_id: str, sentences: list[str]) -> None:
        self.db.execute("DELETE FROM sentence_keys WHERE doc_id=?", (doc_id,))
        rows = [(doc_id, *row) for row in f.document_keys(sentences)]
        self.db.executemany("INSERT INTO sentence_keys VALUES (?,?,?,?)", rows)

    def without_keys(self) -> list[str]:
        """Documents stored before furniture keys were (their keys are added by writers)."""
        rows = self.db.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN "
            "(SELECT DISTINCT doc_id FROM sentence_keys)"
        )
        return [r[0] for r in rows]

    def add_keys(self, doc_id: str, sentences: list[str]) -> None:
        with self.db:
            self._write_keys(doc_id, sentences)

    def furniture(self, sentences: list[tuple[str, str]]) -> set[int]:
        """Which of these (doc_id, sentence) pairs are page furniture (see
        rag/text/furniture.py), by position in the list."""
        found: set[int] = set()
        if not sentences:
            return found
        frames = [f.frame(t) for _, t in sentences]
        counts = self._counts(f.FRAME, frames, "COUNT(*), SUM(n)")
        for i, key in enumerate(frames):
            docs, seen = counts.get(key, (0, 0))
            if docs >= f.FRAME_DOCS and seen >= f.FRAME_REPEAT * docs:
                found.add(i)
        docs_of = list({d for d, _ in sentences})
        marks = ",".join("?" * len(docs_of))
        galleries = set(
            self.db.execute(
                f"SELECT doc_id, key FROM sentence_keys WHERE kind={f.GALLERY} "
                f"AND doc_id IN ({marks})",
                docs_of,
            ).fetchall()
        )
        templates = [f.template(t) for _, t in sentences]
        where = self._docs_with(templates)
        copies: dict[tuple[str, frozenset[str]], set[str]] = {}
        for i, (doc_id, text) in enumerate(sentences):
            if (doc_id, f.opening(text)) in galleries or f.has_furniture_shape(text):
                found.add(i)
            others = frozenset(where.get(templates[i], set()) - {doc_id})
            if i in found or len(others) < f.TEMPLATE_DOCS - 1:
                continue
            if len(others) < f.ALWAYS_FURNITURE_DOCS and (doc_id, others) not in copies:
                copies[doc_id, others] = self._copies_of(doc_id, others)
            if len(others - copies.get((doc_id, others), set())) >= f.TEMPLATE_DOCS - 1:
                found.add(i)
        return found

    def _counts(self, kind: int, keys: list[int], what: str) -> dict[int, tuple]:
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT key, {what} FROM sentence_keys WHERE kind={kind} AND key IN ({marks}) "
            "GROUP BY key",
            keys,
        )
        return {key: tuple(rest) for key, *rest in rows}

    def _docs_with(self, templates: list[int]) -> dict[int, set[str]]:
        marks = ",".join("?" * len(templates))
        rows = self.db.execute(
            f"SELECT key, doc_id FROM sentence_keys WHERE kind={f.TEMPLATE} AND key IN ({marks})",
            templates,
        )
        where: dict[int, set[str]] = {}
        for key, doc_id in rows:
            where.setdefault(key, set()).add(doc_id)
        return where

    def _copies_of(self, doc_id: str, others: frozenset[str]) -> set[str]:
        """Those of `others` sharing COPY_SHARE of `doc_id`'s sentences: copies of one story."""
        own = [
            r[0]
            for r in self.db.execute(
                f"SELECT key FROM sentence_keys WHERE doc_id=? AND kind={f.TEMPLATE}", (doc_id,)
            )
        ]
        docs = list(others)
        rows = self.db.execute(
            f"SELECT doc_id, COUNT(*) FROM sentence_keys WHERE kind={f.TEMPLATE} "
            f"AND doc_id IN ({','.join('?' * len(docs))}) AND key IN ({','.join('?' * len(own))}) "
            "GROUP BY doc_id",
            [*docs, *own],
        )
        return {other for other, shared in rows if shared >= f.COPY_SHARE * max(len(own), 1)}

    def documents(self) -> list[DocInfo]:
        rows = self.db.execute(f"SELECT {_INFO} FROM documents ORDER BY date DESC, title")
        return [DocInfo(*row) for row in rows]

    def document(self, doc_id: str) -> tuple[DocInfo, str] | None:
        """A document's manifest row and its full text."""
        row = self.db.execute(
            f"SELECT {_INFO}, text FROM documents WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return (DocInfo(*row[:-1]), row[-1]) if row else None

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def close(self) -> None:
        self.db.close()
