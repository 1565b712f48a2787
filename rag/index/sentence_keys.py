"""The furniture keys of every stored sentence, counted in the manifest's SQLite database.

One row per article and distinct key (rag/text/furniture.py says what the keys are and when
a sentence is furniture). The manifest writes an article's rows in the same transaction as
its version switch, and deletes them with it; this module holds the table and its queries.
"""

from __future__ import annotations

import sqlite3

from rag.text import furniture as f

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_keys (
    doc_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    key INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (doc_id, kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sentence_keys_by_key ON sentence_keys (kind, key);
"""
# Set in the manifest's meta table once every document has its keys.
_COMPLETE = "sentence_keys_complete"


class SentenceKeys:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    def write(self, doc_id: str, sentences: list[str]) -> None:
        """Replace the article's rows; inside the caller's transaction."""
        self.delete(doc_id)
        rows = [(doc_id, *row) for row in f.document_keys(sentences)]
        self.db.executemany("INSERT INTO sentence_keys VALUES (?,?,?,?)", rows)

    def delete(self, doc_id: str) -> None:
        """Remove the article's rows; inside the caller's transaction."""
        self.db.execute("DELETE FROM sentence_keys WHERE doc_id=?", (doc_id,))

    @property
    def complete(self) -> bool:
        """True once every document has its keys (later writes keep it so)."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (_COMPLETE,)).fetchone()
        return row is not None

    def missing(self) -> list[str]:
        """Documents stored before furniture keys were."""
        rows = self.db.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN "
            "(SELECT DISTINCT doc_id FROM sentence_keys)"
        )
        return [r[0] for r in rows]

    def add(self, doc_id: str, sentences: list[str]) -> None:
        """Give a document stored before furniture keys its rows."""
        with self.db:
            self.write(doc_id, sentences)

    def mark_complete(self) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, 1)", (_COMPLETE,))

    def furniture(self, sentences: list[tuple[str, str]]) -> set[int]:
        """Which of these (doc_id, sentence) pairs are page furniture, by position."""
        found: set[int] = set()
        if not sentences:
            return found
        frames = [f.frame(t) for _, t in sentences]
        counts = self._frame_counts(frames)
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
        # the articles holding each sentence: a sample in a fixed order, for the copy check
        sample = {t: sorted(docs)[: f.COPY_SAMPLE + 1] for t, docs in where.items()}
        others = [[d for d in sample.get(t, []) if d != doc_id][: f.COPY_SAMPLE]
                  for t, (doc_id, _) in zip(templates, sentences)]  # fmt: skip
        asked: dict[str, set[str]] = {}
        for i, (doc_id, text) in enumerate(sentences):
            if (doc_id, f.opening(text)) in galleries or f.has_furniture_shape(text):
                found.add(i)
            elif len(others[i]) >= f.TEMPLATE_DOCS - 1:
                asked.setdefault(doc_id, set()).update(others[i])
        copies = {doc: self._copies_of(doc, frozenset(docs)) for doc, docs in asked.items()}
        for i, (doc_id, _) in enumerate(sentences):
            if len(set(others[i]) - copies.get(doc_id, set())) >= f.TEMPLATE_DOCS - 1:
                found.add(i)
        return found

    def _frame_counts(self, frames: list[int]) -> dict[int, tuple[int, int]]:
        """frame -> (articles holding it, sentences with it in those articles)."""
        marks = ",".join("?" * len(frames))
        rows = self.db.execute(
            f"SELECT key, COUNT(*), SUM(n) FROM sentence_keys WHERE kind={f.FRAME} "
            f"AND key IN ({marks}) GROUP BY key",
            frames,
        )
        return {key: (docs, seen) for key, docs, seen in rows}

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
