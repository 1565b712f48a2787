"""What the model has read before: each embedded text's vectors, keyed by a hash of exactly
what was embedded (the model's name, the text, the sentence spans pooled from it).

A chunk whose text was embedded before (an updated article's unchanged paragraphs, a file
stored again under another name) takes its vectors from here instead of the model. Rows
are written in the manifest's commit transaction with the document they belong to and go
with it, so the cache holds what the archive holds, no more. The chunk's vector is kept as
it was (float32, as Chroma stores it); its sentence vectors as int8 directions with their
scale, which the manifest's own int8 packing (rag/index/vectors.py) reproduces exactly.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedded (
    key TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    vector BLOB NOT NULL,
    scales BLOB NOT NULL,
    pooled BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS embedded_by_doc ON embedded (doc_id);
"""


def text_key(model: str, text: str, spans: list[tuple[int, int]]) -> str:
    """Names one embedding: the same model, text and spans always give the same vectors."""
    recipe = "\x00".join([model, text, ",".join(f"{a}:{b}" for a, b in spans)])
    return hashlib.sha256(recipe.encode()).hexdigest()


@dataclass(frozen=True)
class Embedding:
    """A text's unit vector and the pooled vectors of its spans (rows of zeros kept)."""

    vector: np.ndarray  # (dimension,) float32
    pooled: np.ndarray  # (spans, dimension) float32

    def pack(self) -> tuple[bytes, bytes, bytes]:
        peak = np.abs(self.pooled).max(axis=1) if len(self.pooled) else np.zeros(0)
        peak = peak.astype(np.float32)
        scaled = np.round(self.pooled * (127 / np.where(peak > 0, peak, 1))[:, None])
        vector = self.vector.astype(np.float32).tobytes()
        return vector, peak.tobytes(), scaled.astype(np.int8).tobytes()

    @classmethod
    def unpack(cls, vector: bytes, scales: bytes, pooled: bytes) -> Embedding:
        v = np.frombuffer(vector, dtype=np.float32).copy()
        peak = np.frombuffer(scales, dtype=np.float32)
        rows = np.frombuffer(pooled, dtype=np.int8).reshape(len(peak), len(v))
        return cls(v, (rows.astype(np.float32) * (peak / 127)[:, None]).astype(np.float32))


class Embedded:
    """The cache table in the manifest's database (its transactions are the caller's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    def get(self, keys: list[str]) -> dict[str, Embedding]:
        found: dict[str, Embedding] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):  # SQLite's limit on bound parameters
            part = unique[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT key, vector, scales, pooled FROM embedded WHERE key IN ({marks})", part
            )
            found.update((key, Embedding.unpack(*blobs)) for key, *blobs in rows)
        return found

    def write(self, doc_id: str, embeddings: dict[str, Embedding]) -> None:
        """The document's embeddings, replacing those of its earlier version."""
        self.delete(doc_id)
        self.db.executemany(
            "INSERT OR REPLACE INTO embedded VALUES (?, ?, ?, ?, ?)",
            [(key, doc_id, *e.pack()) for key, e in embeddings.items()],
        )

    def delete(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM embedded WHERE doc_id=?", (doc_id,))
