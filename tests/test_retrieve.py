from __future__ import annotations

import pytest

from rag.retrieve import cap_per_doc, reciprocal_rank_fusion
from rag.types import Hit


def test_rrf_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "e"]], k=60)
    order = [item for item, _ in fused]
    assert order[:2] == ["b", "a"]  # found by both beats first in one
    assert set(order) == {"a", "b", "c", "d", "e"}
    assert dict(fused)["b"] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_weights_and_validation():
    fused = reciprocal_rank_fusion([["a"], ["b"]], [1.0, 2.0])
    assert fused[0][0] == "b"
    with pytest.raises(ValueError, match="2 weights for 1 rankings"):
        reciprocal_rank_fusion([["a"]], [1.0, 1.0])


def _hit(doc: str, n: int) -> Hit:
    return Hit(0, 0.0, f"{doc}:{n}", doc, "", "", "", "", "", 0, 0)


def test_cap_per_doc_lets_other_articles_in():
    hits = [_hit("a", 0), _hit("a", 1), _hit("a", 2), _hit("b", 0), _hit("c", 0)]
    kept = cap_per_doc(hits, per_doc=2, k=3)
    assert [h.chunk_id for h in kept] == ["a:0", "a:1", "b:0"]
