"""The fitting behind honest tuning (rag/eval/folds.py holds the tuners): weights fitted
one at a time over a grid by coordinate ascent, and k-fold cross-validation with folds by
quiz week, reporting in-sample, in-fold and out-of-fold figures."""

from __future__ import annotations

import datetime as dt

from rag.eval.common import Question

PASSES = 2
Config = tuple[tuple[str, float], ...]


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
    out: dict[int, object] = {}  # an outcome per question
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
