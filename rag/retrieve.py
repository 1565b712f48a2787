"""Fusion of ranked lists (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from rag.types import Hit


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank), best first.

    Cormack, Clarke and Buettcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual rank learning methods", SIGIR 2009.
    """
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)


def cap_per_doc(hits: Sequence[Hit], per_doc: int, k: int) -> list[Hit]:
    """The first k hits with at most `per_doc` chunks from any one article."""
    taken: dict[str, int] = {}
    kept: list[Hit] = []
    for hit in hits:
        if taken.get(hit.doc_id, 0) < per_doc:
            taken[hit.doc_id] = taken.get(hit.doc_id, 0) + 1
            kept.append(hit)
            if len(kept) == k:
                break
    return kept
