"""Fusion of ranked lists (pure functions)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from rag.search.dates import DateRange
from rag.types import Hit


@dataclass(frozen=True)
class Fusion:
    """Weights of the rankings fused with the dense one (whose weight is 1)."""

    keyword: float = 1.0
    date: float = 1.0
    recency: float = 0.0
    # 0: the recency ranking is the candidates newest first; else each candidate's recency
    # is exp(-age / days) of its age before "as of", added at the recency weight as if ranked
    # first (1 / 61): a prior on how old the article a question wants is
    recency_days: float = 0.0
    # the candidates whose article names everyone and everything the question names (as
    # spaCy found them at ingest), in fused order: a passage about another "Johnson" is not
    names: float = 0.0
    # the candidates by how much their article is about the question: the mean of its
    # headline's and its sentences' closeness to it (a digest of the day's news that has
    # one item on it is not; rag/index/vectors.py, abouts)
    about: float = 0.0
    # > 0: the age prior (recency_days) counts only for the candidates whose article is
    # about the question within this much of the one most about it (`about` scores): the
    # week's news first among the reports on the question, never a newer article on
    # something else first
    age_within: float = 0.0


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
    """The first k hits with at most `per_doc` chunks from any one article, so that several
    articles can be cited; only when there are too few articles are the rest filled in."""
    taken: dict[str, int] = {}
    kept: list[Hit] = []
    held: list[Hit] = []
    for hit in hits:
        if taken.get(hit.doc_id, 0) < per_doc:
            taken[hit.doc_id] = taken.get(hit.doc_id, 0) + 1
            kept.append(hit)
        else:
            held.append(hit)
    return (kept + held)[:k]


def one_per_copy(hits: Sequence[Hit], original: Mapping[str, str]) -> list[Hit]:
    """The hits of one article per near-copy group (same `original`, an article mapped to
    the one it copies): the newest version found, as it may have been updated. The other
    versions' hits are dropped."""
    newest: dict[str, Hit] = {}
    for h in hits:
        group = original.get(h.doc_id, h.doc_id)
        if group not in newest or h.date > newest[group].date:
            newest[group] = h
    return [h for h in hits if newest[original.get(h.doc_id, h.doc_id)].doc_id == h.doc_id]


def one_per_story(hits: Sequence[Hit], story: Mapping[str, str]) -> list[Hit]:
    """The hits with those of articles whose story (`story`: doc_id -> story id) already has
    a better-ranked article moved to the end: the first hits cover different stories, and
    the other outlets' reports stay further down (where disagreements are looked for)."""
    first: dict[str, str] = {}
    kept, held = [], []
    for h in hits:
        group = story.get(h.doc_id, h.doc_id)
        (kept if first.setdefault(group, h.doc_id) == h.doc_id else held).append(h)
    return kept + held


def group_stories(kept: Sequence[Hit], rest: Sequence[Hit], story: Mapping[str, str]) -> list[Hit]:
    """`kept` with the hits of `rest` that report a story of `kept` (`story`: doc_id -> story
    id) from another article listed under its first hit (`also`, the best passage of each
    article, best first): the reports of a story a search found but gave no slot of their
    own are named, not lost."""
    lead: dict[str, str] = {}  # story -> the doc id of its first article in `kept`
    for h in kept:
        lead.setdefault(story.get(h.doc_id) or h.doc_id, h.doc_id)
    listed = {h.doc_id for h in kept}
    also: dict[str, list[Hit]] = {}
    for h in rest:
        group = story.get(h.doc_id) or h.doc_id
        if group in lead and h.doc_id not in listed:
            listed.add(h.doc_id)
            also.setdefault(group, []).append(h)
    out, done = [], set()
    for h in kept:
        group = story.get(h.doc_id) or h.doc_id
        if group not in done and h.doc_id == lead[group]:
            done.add(group)
            h = replace(h, also=tuple(also.get(group, ())))
        out.append(h)
    return out


def fuse(
    dense: Sequence[Hit],
    keyword: Sequence[Hit],
    weights: Fusion,
    period: DateRange | None,
    today: dt.date | None = None,
    named: Collection[str] = frozenset(),
    about: Mapping[str, float] | None = None,
) -> list[Hit]:
    """Dense and keyword hits fused into one list, best first, `score` = fused score.

    More rankings of the same candidates join the fusion: those published within the
    period the question names (if it names one), those of the articles in `named` (doc
    ids: the articles naming the question's names), all of them by how much their article is
    about the question (`about`: doc id -> score, higher is more), and all of them newest
    first (or, with `weights.recency_days`, a prior on their age before `today`, the "as of"
    day).
    """
    keyword_scores = {h.chunk_id: h.keyword_score for h in keyword}
    pool = {h.chunk_id: h for h in keyword}
    for h in dense:
        pool[h.chunk_id] = replace(h, keyword_score=keyword_scores.get(h.chunk_id, 0.0))
    rankings = [[h.chunk_id for h in dense], [h.chunk_id for h in keyword]]
    factors = [1.0, weights.keyword]
    candidates = [pool[cid] for cid, _ in reciprocal_rank_fusion(rankings, factors)]
    if period is not None and weights.date:
        rankings.append([h.chunk_id for h in candidates if h.date and period.contains(_day(h))])
        factors.append(weights.date)
    if named and weights.names:
        rankings.append([h.chunk_id for h in candidates if h.doc_id in named])
        factors.append(weights.names)
    if about and weights.about:
        rankings.append(
            [h.chunk_id for h in sorted(candidates, key=lambda h: -about.get(h.doc_id, -1.0))]
        )
        factors.append(weights.about)
    if weights.recency and not weights.recency_days:
        newest = sorted(candidates, key=lambda h: _day(h) if h.date else dt.date.min, reverse=True)
        rankings.append([h.chunk_id for h in newest])
        factors.append(weights.recency)
    fused = reciprocal_rank_fusion(rankings, factors)
    if weights.recency and weights.recency_days:
        today = today or dt.date.today()
        floor = max(about.values()) - weights.age_within if about and weights.age_within else None

        def prior(hit: Hit) -> float:
            if floor is not None and about.get(hit.doc_id, -math.inf) < floor:
                return 0.0
            age = max((today - _day(hit)).days, 0) if hit.date else math.inf
            return weights.recency * math.exp(-age / weights.recency_days) / 61

        fused = sorted(((c, s + prior(pool[c])) for c, s in fused), key=lambda p: -p[1])
    return [replace(pool[cid], score=score) for cid, score in fused]


def _day(hit: Hit) -> dt.date:
    return dt.date.fromisoformat(hit.date)
