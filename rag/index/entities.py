"""The names in every article (rag/ingest/reading.py), stored: written in the manifest's
commit transaction with the article they come from, looked up by document and span."""

from __future__ import annotations

import re
import sqlite3

from rag.text.patterns import TITLES
from rag.types import Entity

_WORD = re.compile(r"[^\W_]+(?:['’.&-][^\W_]+)*")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    doc_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_by_doc ON entities (doc_id);
CREATE TABLE IF NOT EXISTS named_docs (doc_id TEXT PRIMARY KEY);
"""


def normalised(name: str, label: str = "PERSON") -> str:
    """A name's form for comparing: lower-case words without a possessive, a leading "the"
    and (for people) titles: "Sen. Jeff Merkley's" -> "jeff merkley"."""
    name = re.sub(r"['’]s?$", "", name.strip())
    words = _WORD.findall(name.lower())
    if words[:1] == ["the"]:
        words = words[1:]
    if label == "PERSON":
        words = [w for w in words if w.rstrip(".") not in TITLES] or words
    return " ".join(words)


def holds(found: list[Entity], name: str) -> bool:
    """True if one of the names in `found` (not dates) has every word of `name`: "Johnson"
    is in "Boris Johnson", "Boris Johnson" is not in "Dustin Johnson"."""
    words = set(normalised(name).split())
    return bool(words) and any(e.label != "DATE" and words <= set(e.key.split()) for e in found)


class Entities:
    """The entities table in the manifest's database (its transactions are the caller's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def write(self, doc_id: str, found: list[Entity]) -> None:
        """Replace the document's entities with `found` (inside the caller's transaction)."""
        self.delete(doc_id)
        self.db.executemany(
            "INSERT INTO entities VALUES (?,?,?,?,?)",
            [(doc_id, e.start, e.end, e.label, e.key) for e in found],
        )
        self.db.execute("INSERT OR IGNORE INTO named_docs VALUES (?)", (doc_id,))

    def delete(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM entities WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM named_docs WHERE doc_id=?", (doc_id,))

    def missing(self) -> list[tuple[str, str]]:
        """(doc_id, text) of documents stored before their names were found."""
        rows = self.db.execute(
            "SELECT doc_id, text FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM named_docs)"
        )
        return rows.fetchall()

    def of(self, doc_ids: list[str]) -> dict[str, list[Entity]]:
        """doc_id -> its entities in text order, for each of `doc_ids` that has any."""
        ids = sorted(set(doc_ids))
        found: dict[str, list[Entity]] = {}
        rows = self.db.execute(
            f"SELECT doc_id, start, end, label, key FROM entities "
            f"WHERE doc_id IN ({','.join('?' * len(ids))}) ORDER BY doc_id, start",
            ids,
        )
        for doc_id, *row in rows:
            found.setdefault(doc_id, []).append(Entity(*row))
        return found
