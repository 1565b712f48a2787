"""The int8 codec of the sentence vectors kept in the manifest, and an article's sentences
with their closeness to a query."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.types import Chunk, Hit


@dataclass(frozen=True, eq=False)
class SentenceVectors:
    """Unit vectors of a document's headline and sentences, pooled at ingest out of the
    forward pass of the chunk each sentence first appears in (`embed_passages`). Stored in
    the manifest as int8 directions: cosine to the float vectors above 0.9999."""

    title: np.ndarray  # (dimension,)
    starts: np.ndarray  # (n,) int32: where each sentence starts in the article text, sorted
    vectors: np.ndarray  # (n, dimension)

    @classmethod
    def of(cls, chunks: list[Chunk], pooled: list[np.ndarray]) -> SentenceVectors:
        """From each chunk's rows: its headline vector, then one per sentence."""
        first: dict[int, np.ndarray] = {}
        for chunk, rows in zip(chunks, pooled):
            for span, row in zip(chunk.sentences, rows[1:]):
                if span.start not in first and row.any():  # zero: cut off by the model
                    first[span.start] = row
        starts = np.array(sorted(first), dtype=np.int32)
        vectors = np.array([first[s] for s in sorted(first)], dtype=np.float32)
        return cls(pooled[0][0], starts, vectors.reshape(len(starts), len(pooled[0][0])))

    def for_hit(self, hit: Hit) -> np.ndarray:
        """Rows for `hit`: its headline, then each of its sentences (zeros where unknown)."""
        rows = np.zeros((1 + len(hit.sentences), len(self.title)), dtype=np.float32)
        rows[0] = self.title
        for i, span in enumerate(hit.sentences, start=1):
            j = int(np.searchsorted(self.starts, span.start))
            if j < len(self.starts) and self.starts[j] == span.start:
                rows[i] = self.vectors[j]
        return rows

    def pack(self) -> tuple[bytes, bytes]:
        rows = np.vstack([self.title, self.vectors])
        peak = np.abs(rows).max(axis=1, keepdims=True)
        scaled = np.round(rows * (127 / np.where(peak > 0, peak, 1))).astype(np.int8)
        return self.starts.astype(np.int32).tobytes(), scaled.tobytes()

    @classmethod
    def unpack(cls, starts: bytes, packed: bytes) -> SentenceVectors:
        begin = np.frombuffer(starts, dtype=np.int32)
        rows = np.frombuffer(packed, dtype=np.int8).reshape(len(begin) + 1, -1)
        rows = rows.astype(np.float32)
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return cls(rows[0], begin, rows[1:])


def abouts(packed: list[tuple[str, bytes, bytes]], query: np.ndarray) -> dict[str, float]:
    """doc id -> how much each article is about the query (a unit vector): the mean of its
    headline's closeness and its sentences' mean closeness. Read from the stored (doc id,
    starts, vectors) (`Manifest.packed`) in one product over all their rows, not one
    unpacking per article (a search ranks hundreds)."""
    if not packed:
        return {}
    counts = np.array([len(starts) // 4 + 1 for _, starts, _ in packed])  # headline + sentences
    rows = np.frombuffer(b"".join(p for *_, p in packed), dtype=np.int8)
    rows = rows.reshape(int(counts.sum()), -1).astype(np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))  # (3x np.linalg.norm's speed here)
    close = (rows @ query) / np.maximum(norms, 1e-12)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sums = np.add.reduceat(close, first) - close[first]  # the sentences' closeness, summed
    body = np.where(counts > 1, sums / np.maximum(counts - 1, 1), 0.0)
    return {doc: float(a) for (doc, *_), a in zip(packed, (close[first] + body) / 2)}


@dataclass(frozen=True)
class Sentences:
    """All the sentences of an article: their texts and closeness to the query."""

    texts: list[str]
    closeness: np.ndarray

    @classmethod
    def of(cls, text: str, starts: np.ndarray, closeness: np.ndarray) -> Sentences:
        """Each sentence runs from its start to the next one's (or the text's end)."""
        ends = [*starts[1:].tolist(), len(text)]
        return cls([text[a:b] for a, b in zip(starts.tolist(), ends)], closeness)
