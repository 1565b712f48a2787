"""How a chunk is stored in Chroma (rag/index/store.py): its metadata, the archive's filters
as a `where` clause, and a stored row read back as a Hit (`score = 1 - distance`)."""

from __future__ import annotations

from typing import Any

from rag.types import Article, Chunk, Filters, Hit, Span


def _encode_spans(spans: tuple[Span, ...]) -> str:
    return ",".join(f"{s.start}:{s.end}" for s in spans)


def _decode_spans(value: str) -> tuple[Span, ...]:
    pairs = (item.split(":") for item in value.split(",") if item)
    return tuple(Span(int(a), int(b)) for a, b in pairs)


def metadata(article: Article, chunk: Chunk, version: str) -> dict[str, Any]:
    return {
        "doc_id": article.doc_id,
        "version": version,
        "title": article.title,
        "date": article.day,
        "date_iso": article.date_iso,
        "url": article.url,
        "site": article.site,
        "source": article.source,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "sentences": _encode_spans(chunk.sentences),
    }


def where_clause(filters: Filters) -> dict[str, Any] | None:
    """Chroma's form of `Filters.admits`."""
    clauses: list[dict[str, Any]] = []
    since, until = filters.days()
    if since is not None:
        clauses.append({"date": {"$gte": since}})
    if until is not None:
        clauses.append({"date": {"$lte": until}})
    if filters.sites:
        clauses.append({"site": {"$in": list(filters.sites)}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def to_hit(rank: int, chunk_id: str, text: str, meta: dict[str, Any], distance: float) -> Hit:
    return Hit(
        rank=rank,
        score=1.0 - float(distance),
        dense_score=1.0 - float(distance),
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        date=str(meta["date_iso"]),
        url=str(meta["url"]),
        source=str(meta["source"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        version=str(meta["version"]),
        sentences=_decode_spans(str(meta["sentences"])),
    )
