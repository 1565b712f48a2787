"""Honest tuning: the answer path's weights (rag/answer/weights.py) and the search's fusion
weights (among them the prior on an article's age) chosen by k-fold cross-validation on the
dev questions (rag/eval/tuning.py), folds by quiz week, so that a figure never comes from
weights chosen on the questions it is measured on.

Each question is read once (its passages do not depend on the weights); the answers are
then written again for every set of weights tried. Weights are fitted one at a time over a
grid (coordinate ascent, two passes, from the current defaults), maximizing on the training
folds: gold answer in a cited sentence + gold answer in the first quotation + the share of
the cited articles that hold it (an answer article or a report of its story that does) - 2 x
falsely refused, per answerable question, plus 1 per "too early" question refused (each
asked before its event: the right reply is a refusal; it belongs to its question's fold). The
search weights are fitted the same way, maximizing hit@10 + MRR@10 of the answer articles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.answer.quotes import OfflineAnswerer
from rag.answer.weights import AnswerWeights
from rag.eval.answers import (
    answer_in_citation,
    answer_in_first_quote,
    answer_in_passages,
    asked_later,
    too_early,
)
from rag.eval.common import Question, hit_at, listed, reciprocal_rank
from rag.eval.tuning import Config, Tuning

# The values tried for each weight, one weight at a time; max_quotes is the setting of that
# name (how many sentences an answer quotes at most).
GRID: dict[str, tuple[float, ...]] = {
    "min_score": (0.37, 0.40, 0.43, 0.46),
    "keyword": (0.1, 0.2, 0.3, 0.4, 0.5),
    "new_fact": (0.0, 0.05, 0.1, 0.15, 0.2),
    "vote": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
    "adds": (0.0, 0.025, 0.05, 0.1),
    "article": (0.0, 0.1, 0.2, 0.3, 0.45, 0.6),
    "names": (False, True),
    "typed": (0.0, 0.05, 0.1, 0.15, 0.2),
    "margin": (0.1, 0.15, 0.2, 0.3, 0.4),
    "per_story": (1, 2, 3),
    "support_named": (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    "words": (0, 60, 90, 120),
    "max_quotes": (3, 4, 5, 6),
    "slack_days": (1, 3, 5, 7),
    "sure_score": (0.75, 0.8, 0.85, 0.9, 2.0),
    "named": (0.0, 0.2, 0.3, 0.35, 0.38, 0.4, 0.42, 0.45, 0.5),
    "outside": (0.0, 0.1, 0.2, 0.3, 0.5),
}
# The search's fusion weights (rag/settings.py), fitted the same way on hit@10 + MRR@10.
SEARCH_GRID: dict[str, tuple[float, ...]] = {
    "fusion_recency_weight": (0.0, 0.5, 1.0, 1.5, 2.0),
    "fusion_recency_days": (0.0, 3.0, 7.0, 14.0, 30.0, 90.0),
    "fusion_keyword_weight": (0.25, 0.5, 0.75, 1.0),
    "fusion_date_weight": (0.0, 0.125, 0.25, 0.5),
    "fusion_name_weight": (0.0, 0.25, 0.5, 1.0),
    "fusion_about_weight": (0.0, 0.25, 0.5, 1.0),
    "search_age_days": (0.0, 14.0, 30.0, 90.0),
    "search_age_within": (0.0, 0.05, 0.1, 0.15, 0.2),
    "search_pool_period": (40, 80, 120, 200, 300, 400, 600),
}


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
        if early:
            return float(self.refused)
        precise = self.in_story / self.articles if self.articles else 0.0
        return self.cited + self.first + precise - 2.0 * self.refused


def config_of(weights: AnswerWeights, max_quotes: int) -> Config:
    values = weights.model_dump() | {"max_quotes": max_quotes}
    return tuple(sorted((name, values[name]) for name in GRID))


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
    """The dev questions searched with any fusion weights on demand (remembered), and the
    same questions asked later (rag/eval/answers.py, `asked_later`; each in its dev twin's
    fold): a fit must not buy the week's news with old facts."""

    grid = SEARCH_GRID

    def __init__(self, archive, questions: list[Question], k: int, progress=lambda: None):
        self.archive, self.k, self.progress = archive, k, progress
        later = asked_later(questions)
        self.questions = [(q, False) for q in questions] + [(q, True) for q in later]
        values = archive.settings.model_dump()
        self.start = tuple(sorted((name, values[name]) for name in SEARCH_GRID))
        self.memo: dict[Config, list[Found]] = {}

    def outcomes(self, config: Config) -> list[Found]:
        if config not in self.memo:
            tuned = self.archive.tuned(**dict(config))
            found = []
            for q, _ in self.questions:
                sources = listed(tuned.search(q.query, self.k, as_of=q.as_of))
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
        rows = list(per_question)
        found = [o for i, o in rows if not self.questions[i][1]]
        later = [o for i, o in rows if self.questions[i][1]]
        n, m = max(len(found), 1), max(len(later), 1)
        return {
            "questions": len(found),
            f"hit@{self.k}": sum(o.hit for o in found) / n,
            "MRR@10": sum(o.rr for o in found) / n,
            f"hit@{self.k}_story": sum(o.story_hit for o in found) / n,
            "MRR@10_story": sum(o.story_rr for o in found) / n,
            f"hit@{self.k}_later": sum(o.hit for o in later) / m,
            "MRR@10_later": sum(o.rr for o in later) / m,
        }
