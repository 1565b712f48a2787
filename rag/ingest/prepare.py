"""The costly part of ingest, which needs no archive: an article chunked, embedded (the
model reads only texts it has not read before) and read by spaCy (its names and
attributions). The writer (rag/ingest/writer.py) runs it before it writes; on a Ray
cluster the workers run it (rag/ingest/cluster.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.index.embedded import Embedding, text_key
from rag.index.embeddings import Encoder, embed_passages
from rag.ingest import reading
from rag.ingest.chunking import chunk_article
from rag.settings import Settings
from rag.types import Article, Attribution, Chunk, Entity

# Bumped when what is stored per chunk or document changes, so documents are written anew.
SCHEMA = 3


def version_of(settings: Settings, article: Article) -> str:
    """Names what is stored for the article: its text and how it was chunked and embedded."""
    s = settings
    recipe = f"{article.content_hash}|{s.chunk_max_words}|{s.chunk_overlap_sentences}|"
    recipe += f"{s.embedding_name}|{SCHEMA}"
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Prepared:
    """What the costly part of ingest makes of one article before anything is written: its
    chunks and their vectors (and their sentences' pooled vectors), the embeddings by key
    for the manifest, how many the model read anew, and its attributions and names."""

    version: str
    chunks: list[Chunk]
    vectors: np.ndarray
    pooled: list[np.ndarray]
    embedded: dict[str, Embedding]
    fresh: int
    quotes: list[Attribution]
    names: list[Entity]


def prepare(
    settings: Settings,
    embedder: Encoder,
    article: Article,
    known: Callable[[list[str]], dict[str, Embedding]] = lambda keys: {},
) -> Prepared:
    """Chunk, embed and read (spaCy) one article; `known` gives the embeddings stored for
    some of its chunks' keys (rag/index/embedded.py): the model reads only texts it has
    not read before, each once. Needs no archive: Ray workers run it."""
    s = settings
    version = version_of(s, article)
    chunks = chunk_article(article, s.chunk_max_words, s.chunk_overlap_sentences, version)
    texts = [f"{article.title}\n{c.text}" for c in chunks]
    spans = [_spans(article.title, c) for c in chunks]
    keys = [text_key(s.embedding_name, t, sp) for t, sp in zip(texts, spans)]
    found = known(keys)
    new = {k: i for i, k in enumerate(keys) if k not in found}  # each text once
    if new:
        rows = list(new.values())
        read, pooled = embed_passages(embedder, [texts[i] for i in rows], [spans[i] for i in rows])
        found.update((k, Embedding(v, p)) for k, v, p in zip(new, read, pooled))
    embedded = [found[k] for k in keys]
    vectors = np.array([e.vector for e in embedded], dtype=np.float32)
    quotes, names = reading.read(article.text)
    return Prepared(version, chunks, vectors, [e.pooled for e in embedded],
                    dict(zip(keys, embedded)), len(new), quotes, names)  # fmt: skip


def _spans(title: str, chunk: Chunk) -> list[tuple[int, int]]:
    """Character spans of the headline and of each sentence in the text embedded for
    `chunk` (the headline, a newline, the chunk's text)."""
    shift = len(title) + 1 - chunk.start
    return [(0, len(title)), *((s.start + shift, s.end + shift) for s in chunk.sentences)]
