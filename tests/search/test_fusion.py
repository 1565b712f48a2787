from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from rag.search.dates import DateRange
from rag.search.fusion import Fusion, cap_per_doc, fuse, reciprocal_rank_fusion
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


def _hit(doc: str, n: int, date: str = "") -> Hit:
    return Hit(0, 0.0, f"{doc}:{n}", doc, "", date, "", "", "", 0, 0)


def test_fuse_prefers_the_period_the_question_names_and_keeps_scores():
    old, new = _hit("old", 0, "2022-05-02"), _hit("new", 0, "2022-06-10")
    dense = [replace(old, dense_score=0.9), replace(new, dense_score=0.8)]
    keyword = [replace(new, keyword_score=7.0)]
    plain = fuse(dense, [], Fusion(date=1.0), None)
    assert [h.doc_id for h in plain] == ["old", "new"]
    june = DateRange(dt.date(2022, 6, 6), dt.date(2022, 6, 15), "last week")
    boosted = fuse(dense, keyword, Fusion(keyword=0.0, date=1.0), june)
    assert [h.doc_id for h in boosted] == ["new", "old"]
    assert boosted[0].dense_score == 0.8 and boosted[0].keyword_score == 7.0
    recent = fuse(dense, [], Fusion(date=0.0, recency=2.0), None)
    assert recent[0].doc_id == "new"


def test_the_age_prior_weighs_how_long_before_as_of_an_article_appeared():
    today = dt.date(2022, 6, 10)
    yesterday, last_week, spring = (
        _hit(name, 0, (today - dt.timedelta(days=days)).isoformat())
        for name, days in (("yesterday", 1), ("last week", 5), ("spring", 60))
    )
    dense = [last_week, spring, yesterday]  # dense ranking: the best first

    def order(days: float) -> list[str]:
        fused = fuse(dense, [], Fusion(keyword=0, date=0, recency=1.0, recency_days=days), None,
                     today)  # fmt: skip
        return [h.doc_id for h in fused]

    assert order(2) == ["yesterday", "last week", "spring"]  # a steep prior: the newest wins
    assert order(10**6) == ["last week", "spring", "yesterday"]  # flat: the dense order holds
    undated = fuse([_hit("undated", 0), spring], [], Fusion(recency=1.0, recency_days=30),
                   None, today)  # fmt: skip
    assert undated[0].doc_id == "spring"  # an undated article has no age to favour it


def test_cap_per_doc_lets_other_articles_in():
    hits = [_hit("a", 0), _hit("a", 1), _hit("a", 2), _hit("b", 0), _hit("c", 0)]
    kept = cap_per_doc(hits, per_doc=2, k=3)
    assert [h.chunk_id for h in kept] == ["a:0", "a:1", "b:0"]
    kept = cap_per_doc(hits, per_doc=1, k=4)
    assert [h.chunk_id for h in kept] == ["a:0", "b:0", "c:0", "a:1"]  # filled when short


def test_a_focused_report_passes_a_digest_when_articles_are_ranked_by_aboutness():
    digest, report = _hit("digest", 0, "2024-03-05"), _hit("report", 0, "2024-03-06")
    other = _hit("other", 0, "2024-03-01")
    ranked = [digest, report, other]  # the digest first by meaning and by words
    about = {"digest": 0.38, "report": 0.63, "other": 0.05}

    def order(weight: float) -> list[str]:
        weights = Fusion(keyword=0.5, date=0.0, recency=1.0, about=weight)
        return [h.doc_id for h in fuse(ranked, ranked, weights, None, about=about)]

    assert order(0.0) == ["digest", "report", "other"]
    assert order(1.0) == ["report", "digest", "other"]


def test_the_age_prior_can_be_kept_to_the_articles_about_the_question():
    today = dt.date(2024, 3, 6)
    report, budget = _hit("report", 0, "2023-03-10"), _hit("budget", 0, "2024-03-01")
    about = {"report": 0.6, "budget": 0.1}  # the year-old report answers; the budget does not

    def first(within: float) -> str:
        weights = Fusion(keyword=0, date=0, recency=2.0, recency_days=90, age_within=within)
        return fuse([report, budget], [], weights, None, today, about=about)[0].doc_id

    assert first(0.0) == "budget"  # a steep prior alone lists any newer article first
    assert first(0.2) == "report"  # kept to the articles about the question, it does not
