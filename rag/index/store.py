"""Chroma adapter: the only module that knows Chroma's API and result format (with
rag/index/chunk_meta.py, how a chunk's metadata and the filters are written for it).

Chunks are stored with our own vectors (never Chroma's default embedding function, which
would download a model); the collection uses cosine space. Chroma returns distances, lower
is better: `score = 1 - distance` before anything else sees them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from rag.index.chunk_meta import metadata, to_hit
from rag.index.embeddings import Encoder
from rag.types import Article, Chunk, Hit, StoreUnavailable


@register_embedding_function
class BundledEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing wrapper of our offline encoder."""

    def __init__(self, embedder: Encoder | None = None) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        if self.embedder is None:
            raise RuntimeError("this collection is embedded by the rag package, not by Chroma")
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "rag-bundled-minilm"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> BundledEmbeddingFunction:
        return BundledEmbeddingFunction()


_ROW_FIELDS: Any = ["documents", "metadatas"]


def _rows(page: Any) -> Iterator[tuple[str, str, str, int, str, str]]:
    for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
        doc, version, date = str(meta["doc_id"]), str(meta["version"]), int(meta["date"])
        yield cid, doc, version, date, str(meta.get("site", "")), text


def _client(path: Path, url: str) -> ClientAPI:
    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parts = urlsplit(url)
    return chromadb.HttpClient(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (443 if parts.scheme == "https" else 8000),
        ssl=parts.scheme == "https",
        settings=settings,
    )


def _guarded(method: Callable) -> Callable:
    """A ChunkStore method whose server errors become StoreUnavailable."""

    @functools.wraps(method)
    def wrapper(self: ChunkStore, *args: Any, **kwargs: Any) -> Any:
        with self._server_errors():
            return method(self, *args, **kwargs)

    return wrapper


class ChunkStore:
    """The chunk collection in an embedded Chroma store on disk, or on a Chroma server.

    With `url` (e.g. http://127.0.0.1:8000) the chunks live on a server started with
    `chroma run --path DIR --host 127.0.0.1 --port 8000`; everything else is the same.
    """

    def __init__(
        self, path: Path, collection: str, embedder: Encoder | None = None, url: str = ""
    ) -> None:
        self._args = (path, collection, embedder, url)
        self.url = url
        with self._server_errors():
            self.client = _client(path, url)
            self.collection = self.client.get_or_create_collection(
                collection,
                embedding_function=BundledEmbeddingFunction(embedder),
                configuration={"hnsw": {"space": "cosine"}},
            )

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        """Turn a failing Chroma server into StoreUnavailable (embedded errors pass through)."""
        try:
            yield
        except Exception as e:
            if self.url and not isinstance(e, (ValueError, KeyError, TypeError)):
                raise self.unavailable() from e
            raise

    def reopen(self) -> None:
        """Load the store afresh from disk, to see what another process wrote.

        An embedded Chroma client keeps its vector index in memory and never reloads it
        (chroma-core/chroma#3792): without this, chunks another process added are found by
        `get` but never by `query`. Closing our client releases that in-memory copy.
        """
        if self.url:
            return  # a server's index is always current
        self.client.close()
        self.__init__(*self._args)

    def unavailable(self) -> StoreUnavailable:
        return StoreUnavailable(
            f"cannot reach the Chroma server at {self.url}; start it with "
            "`chroma run --path DIR --host 127.0.0.1 --port PORT` or unset RAG_CHROMA_URL"
        )

    @_guarded
    def add(self, article: Article, chunks: list[Chunk], vectors: Any, version: str) -> None:
        """Upsert the chunks of one version of an article (ids carry the version)."""
        step = self.client.get_max_batch_size()
        for i in range(0, len(chunks), step):
            batch = chunks[i : i + step]
            self.collection.upsert(
                ids=[c.chunk_id for c in batch],
                embeddings=vectors[i : i + step],
                documents=[c.text for c in batch],
                metadatas=[metadata(article, c, version) for c in batch],
            )

    @_guarded
    def delete(self, doc_id: str, keep_version: str | None = None) -> None:
        """Delete a document's chunks, or only those not of `keep_version`."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_version is not None:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
        self.collection.delete(where=where)

    @_guarded
    def count(self, doc_id: str | None = None) -> int:
        if doc_id is None:
            return self.collection.count()
        return len(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    @_guarded
    def get(self, chunk_ids: list[str]) -> list[Hit]:
        """The chunks with these ids (in no particular order), as rank-0 hits with score 0."""
        if not chunk_ids:
            return []
        return [
            to_hit(0, cid, text, meta, 1.0)
            for cid, (text, meta) in self._rows_of(chunk_ids).items()
        ]

    def rows(
        self, doc_ids: list[str] | None = None, batch: int = 5000
    ) -> Iterator[tuple[str, str, str, int, str, str]]:
        """Every chunk, or those of `doc_ids`, as (chunk_id, doc_id, version, date, site,
        text), in pages."""
        if doc_ids is not None:
            for i in range(0, len(doc_ids), 500):
                where = {"doc_id": {"$in": doc_ids[i : i + 500]}}
                yield from _rows(self.collection.get(where=where, include=_ROW_FIELDS))
            return
        for offset in range(0, self.collection.count(), batch):
            yield from _rows(self.collection.get(include=_ROW_FIELDS, limit=batch, offset=offset))

    @_guarded
    def nearest(self, vector: Any, k: int, where: dict[str, Any] | None = None) -> list[tuple]:
        """(chunk id, score) of the k chunks nearest a unit query vector (that match `where`,
        Chroma's form of the filters), best first: ids only, no rows read (reading them
        was most of a search's time; rag/search/candidates.py reads the few kept)."""
        found = self.collection.query(query_embeddings=[vector], n_results=k, where=where,
                                      include=["distances"])  # fmt: skip
        return [(cid, 1.0 - float(d)) for cid, d in zip(found["ids"][0], found["distances"][0])]

    def _rows_of(self, chunk_ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """chunk id -> (text, metadata) of those of the chunks that exist."""
        result = self.collection.get(ids=chunk_ids, include=_ROW_FIELDS)
        rows = zip(result["ids"], result["documents"], result["metadatas"])
        return {cid: (text, meta) for cid, text, meta in rows if meta and text}
