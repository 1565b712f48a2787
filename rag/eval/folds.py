"""Honest tuning: the answer path's weights (rag/answer/weights.py) and the search's fusion
weights (among them the prior on an article's age) chosen by k-fold cross-validation on the
dev questions, folds by quiz week, so that a figure never comes from weights chosen on the
questions it is measured on.

Each question is read once (its passages do not depend on the weights); the answers are
then written again for every set of weights tried. Weights are fitted one at a time over a
grid (coordinate ascent, two passes, from the current defaults), maximizing on the training
folds: gold answer in a cited sentence + gold answer in the first quotation - 2 x falsely
refused, per answerable question, plus 1 per "too early" question refused (each asked
before its event: the right reply is a refusal; it belongs to its question's fold). The
search weights are fitted the same way, maximizing hit@10 + MRR@10 of the answer articles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.answer.quotes import OfflineAnswerer
from rag.answer.weights import AnswerWeights
from rag.eval.answers import (
    answer_in_citation,
    answer_in_first_quote,
    answer_in_passages,
    too_early,
)
from rag.eval.common import Question
from rag.eval.retrieval import hit_at, reciprocal_rank

# The values tried for each weight, one weight at a time; max_quotes is the setting of that
# name (how many sentences an answer quotes at most).
GRID: dict[str, tuple[float, ...]] = {
    "min_score": (0.37, 0.40, 0.43, 0.46),
    "keyword": (0.1, 0.2, 0.3, 0.4, 0.5),
    "new_fact": (0.0, 0.05, 0.1, 0.15, 0.2),
    "vote": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
    "adds": (0.0, 0.025, 0.05, 0.1),
    "article": (0.0, 0.1, 0.2, 0.3, 0.45, 0.6),
    "margin": (0.1, 0.15, 0.2, 0.3, 0.4),
    "per_story": (1, 2, 3),
    "words": (0, 60, 90, 120),
    "max_quotes": (3, 4, 5, 6),
    "slack_days": (1, 3, 5, 7),
    "sure_score": (0.75, 0.8, 0.85, 0.9, 2.0),
}
# The search's fusion weights (rag/settings.py), fitted the same way on hit@10 + MRR@10.
SEARCH_GRID: dict[str, tuple[float, ...]] = {
    "fusion_recency_weight": (0.0, 0.5, 1.0, 1.5, 2.0),
    "fusion_recency_days": (0.0, 3.0, 7.0, 14.0, 30.0, 90.0),
    "fusion_keyword_weight": (0.25, 0.5, 0.75, 1.0),
    "fusion_date_weight": (0.0, 0.125, 0.25, 0.5),
}
PASSES = 2
Config = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Outcome:
    """One question answered with one set of weights."""

    cited: bool  # the gold answer is in a cited sentence
    first: bool  # ... in the first quotation
    read: bool  # ... in a passage read
    refused: bool
    articles: int  # cited articles
    right: int  # ... of them answer articles
    in_story: int = 0  # ... of them answer articles or their stories' reports of the answer

    def gain(self, early: bool) -> float:
        return float(self.refused) if early else self.cited + self.first - 2.0 * self.refused


def config_of(weights: AnswerWeights, max_quotes: int) -> Config:
    values = weights.model_dump() | {"max_quotes": max_quotes}
    return tuple(sorted((name, values[name]) for name in GRID))


class Tuning:
    """What both tuners share: the questions (each with whether it is a "too early" one),
    the grid and starting weights, and the fit; `outcomes(config)` is each tuner's own."""

    questions: list[tuple[Question, bool]]
    grid: dict[str, tuple[float, ...]]
    start: Config

    def outcomes(self, config: Config) -> list:
        raise NotImplementedError

    def gain(self, config: Config, keep: set[int]) -> float:
        return sum(
            o.gain(self.questions[i][1]) for i, o in enumerate(self.outcomes(config)) if i in keep
        )

    def fit(self, keep: set[int], start: Config, grid: dict[str, tuple]) -> Config:
        """The weights that gain most on the questions `keep`, one weight at a time."""
        best = dict(start)
        for _ in range(PASSES):
            for name, values in grid.items():
                score = {v: self.gain(_with(best, name, v), keep) for v in values}
                top = max(score.values())
                if score.get(best[name], float("-inf")) < top:  # ties keep the current value
                    best[name] = next(v for v in values if score[v] == top)
        return tuple(sorted(best.items()))


class Tuner(Tuning):
    """The dev questions read once, answered for any weights on demand (remembered)."""

    grid = GRID

    def __init__(self, archive, questions: list[Question], progress: Callable[[], None]):
        self.archive = archive
        early = too_early(questions)
        self.questions = [(q, False) for q in questions] + [(q, True) for q in early]
        self.readings = []
        for q, _ in self.questions:
            self.readings.append(archive.read(q.query, q.query, q.as_of))
            progress()
        self.base = archive.settings.answer_weights
        self.start = config_of(self.base, archive.settings.max_quotes)
        self.memo: dict[Config, list[Outcome]] = {}

    def outcomes(self, config: Config) -> list[Outcome]:
        """Every question answered with `config`, in order (answerable, then too early)."""
        if config not in self.memo:
            values = dict(config)
            max_quotes = int(values.pop("max_quotes"))
            weights = self.base.model_copy(update=values)
            answerer = OfflineAnswerer(self.archive.backends.prompts, max_quotes, weights)
            found = []
            for (q, _), reading in zip(self.questions, self.readings):
                answer = self.archive.write(reading, answerer, weights=weights)
                articles = {c.n: c.source for c in answer.citations}
                found.append(
                    Outcome(
                        answer_in_citation(answer, q.answer),
                        answer_in_first_quote(answer, q.answer),
                        answer_in_passages(answer, q.answer),
                        answer.abstained,
                        len(articles),
                        sum(s in q.targets for s in articles.values()),
                        sum(s in q.in_story for s in articles.values()),
                    )
                )
            self.memo[config] = found
        return self.memo[config]

    def summary(self, per_question: Iterable[tuple[int, Outcome]]) -> dict[str, float]:
        """The answer metrics over the given (question index, outcome) pairs."""
        rows = list(per_question)
        answerable = [o for i, o in rows if not self.questions[i][1]]
        early = [o for i, o in rows if self.questions[i][1]]
        n, cited = max(len(answerable), 1), sum(o.articles for o in answerable)
        return {
            "questions": len(answerable),
            "answer_in_citation": sum(o.cited for o in answerable) / n,
            "in_first_quote": sum(o.first for o in answerable) / n,
            "in_passages_read": sum(o.read for o in answerable) / n,
            "citation_precision": sum(o.right for o in answerable) / cited if cited else 0.0,
            "citation_precision_story": (
                sum(o.in_story for o in answerable) / cited if cited else 0.0
            ),
            "false_refusals": sum(o.refused for o in answerable) / n,
            "too_early_refused": sum(o.refused for o in early) / max(len(early), 1),
        }


@dataclass(frozen=True)
class Found:
    """One question searched with one set of fusion weights."""

    hit: float  # an answer article in the top k
    rr: float  # 1 / rank of the first, within the top 10
    story_hit: float  # the same at story level (rag/eval/common.py, widen_to_stories)
    story_rr: float

    def gain(self, early: bool) -> float:
        return self.hit + self.rr


class SearchTuner(Tuning):
    """The dev questions searched with any fusion weights on demand (remembered)."""

    grid = SEARCH_GRID

    def __init__(self, archive, questions: list[Question], k: int, progress=lambda: None):
        self.archive, self.k, self.progress = archive, k, progress
        self.questions = [(q, False) for q in questions]
        values = archive.settings.model_dump()
        self.start = tuple(sorted((name, values[name]) for name in SEARCH_GRID))
        self.memo: dict[Config, list[Found]] = {}

    def outcomes(self, config: Config) -> list[Found]:
        if config not in self.memo:
            tuned = self.archive.tuned(**dict(config))
            found = []
            for q, _ in self.questions:
                sources = [h.source for h in tuned.search(q.query, self.k, as_of=q.as_of)]
                found.append(
                    Found(
                        hit_at(sources, q.targets, self.k),
                        reciprocal_rank(sources, q.targets),
                        hit_at(sources, q.in_story, self.k),
                        reciprocal_rank(sources, q.in_story),
                    )
                )
            self.memo[config] = found
            self.progress()
        return self.memo[config]

    def summary(self, per_question: Iterable[tuple[int, Found]]) -> dict[str, float]:
        found = [o for _, o in per_question]
        n = max(len(found), 1)
        return {
            "questions": len(found),
            f"hit@{self.k}": sum(o.hit for o in found) / n,
            "MRR@10": sum(o.rr for o in found) / n,
            f"hit@{self.k}_story": sum(o.story_hit for o in found) / n,
            "MRR@10_story": sum(o.story_rr for o in found) / n,
        }


def _with(config: dict, name: str, value: float) -> Config:
    return tuple(sorted((config | {name: value}).items()))


def week_folds(questions: list[tuple[Question, bool]], k: int) -> list[int]:
    """Each question's fold: quiz weeks in date order dealt round the k folds, so every fold
    holds whole weeks (a week's questions share its news) from across the year."""
    weeks = sorted({_week(q.as_of) for q, early in questions if not early})
    fold_of = {w: i % k for i, w in enumerate(weeks)}
    by_id = {q.id: fold_of[_week(q.as_of)] for q, early in questions if not early}
    return [by_id[q.id] for q, _ in questions]


def _week(day: dt.date | None) -> tuple[int, int]:
    return (day or dt.date.min).isocalendar()[:2]


def cross_validate(
    tuner: Tuning, k: int, fixed: dict[str, float] | None = None, progress=lambda: None
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """The metrics of the current defaults, of the weights fitted on all of dev (in-sample),
    in-fold (each fold's fit on its own training folds, averaged) and out-of-fold (each
    question answered with the weights fitted without its fold); and the weights chosen
    per fold. `fixed` holds weights left out of the fit (at those values)."""
    fixed = {n: v for n, v in (fixed or {}).items() if n in tuner.grid}
    start = tuple(sorted((dict(tuner.start) | fixed).items()))
    grid = {n: v for n, v in tuner.grid.items() if n not in fixed}
    fold = week_folds(tuner.questions, k)
    everyone = set(range(len(tuner.questions)))
    chosen: dict[str, dict[str, float]] = {}
    out: dict[int, Outcome] = {}
    inside: list[dict[str, float]] = []
    for f in range(k):
        train = {i for i in everyone if fold[i] != f}
        config = tuner.fit(train, start, grid)
        chosen[f"fold {f + 1}"] = dict(config)
        results = tuner.outcomes(config)
        out.update((i, results[i]) for i in everyone - train)
        inside.append(tuner.summary((i, results[i]) for i in train))
        progress()
    final = tuner.fit(everyone, start, grid)
    chosen["all dev"] = dict(final)
    chosen["defaults"] = dict(start)
    in_fold = {m: sum(row[m] for row in inside) / k for m in inside[0]}
    rows = {
        "defaults": tuner.summary(enumerate(tuner.outcomes(start))),
        "fitted on all dev (in-sample)": tuner.summary(enumerate(tuner.outcomes(final))),
        f"fitted, in-fold ({k} folds)": in_fold,
        f"fitted, out-of-fold ({k} folds)": tuner.summary(sorted(out.items())),
    }
    return rows, chosen
