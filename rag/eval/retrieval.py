"""Evaluation on real news QA sets (see ../shared/eval/README.md for the metric definitions).

`python -m rag eval` ingests a corpus once into a cache folder keyed by corpus and settings,
then runs every question "as of" its question date and reports retrieval and answer metrics.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rag.answer.types import Answer
from rag.eval.answers import LATER_DAYS, asked_later, evaluate_answers, too_early
from rag.eval.common import (
    Question,
    Ranked,
    cache_dir,
    hit_at,
    listed,
    percentile,
    reciprocal_rank,
    same_article,
    widen_to_stories,
    written,
)
from rag.settings import Settings

WEIGHTS = "weights: "  # rows of run_eval's result that hold weights chosen, not metrics


def evaluate_retrieval(
    search: Callable[[Question], Ranked], questions: list[Question], k: int
) -> dict[str, float]:
    """hit@4, hit@k, MRR@10 and query latency (ms) of one search system; hit@k and MRR@10
    also at story level (an article of an answer article's story holding the answer counts)
    and by the ranked hits alone (`_lead`: not the reports listed under them).
    """
    rows: dict[str, list[float]] = {}
    ms = []
    for q in questions:
        start = time.perf_counter()
        ranked = search(q)
        ms.append((time.perf_counter() - start) * 1000)
        lead = [files[:1] for files in ranked]
        for name, value in (
            ("hit@4", hit_at(ranked, q.targets, 4)),
            (f"hit@{k}", hit_at(ranked, q.targets, k)),
            ("MRR@10", reciprocal_rank(ranked, q.targets, 10)),
            (f"hit@{k}_story", hit_at(ranked, q.in_story, k)),
            ("MRR@10_story", reciprocal_rank(ranked, q.in_story, 10)),
            (f"hit@{k}_lead", hit_at(lead, q.targets, k)),
            ("MRR@10_lead", reciprocal_rank(lead, q.targets, 10)),
        ):
            rows.setdefault(name, []).append(value)
    out: dict[str, float] = {"questions": len(questions)}
    out.update({name: statistics.fmean(values) for name, values in rows.items()})
    out.update(p50_ms=percentile(ms, 0.5), p95_ms=percentile(ms, 0.95))
    return out


def run_eval(
    settings: Settings,
    files: list[Path],
    questions: list[Question],
    k: int,
    answers: bool,
    bar: Callable[..., object],
    baseline: bool = False,
    facts: list | None = None,
    retrieval: bool = True,
    folds: int = 0,
    fixed: dict[str, float] | None = None,
) -> dict[str, dict[str, float]]:
    """Ingest `files` into a cached archive, then measure each system on `questions`. With
    `folds` (and `answers`) also fit the answer weights by cross-validation (rag/eval/folds.py;
    the weights chosen are the rows named WEIGHTS + fold), leaving `fixed` ones as given."""
    from rag.pipeline import Archive

    questions = same_article(questions, files)
    data = cache_dir(settings.data_dir / "eval-cache", files, settings)
    archive = Archive(settings.model_copy(update={"data_dir": data, "seed_dir": None}))
    embedder = archive.backends.embedder
    started = time.perf_counter()
    with bar(total=len(files), desc="ingest", unit="file") as progress:
        results = archive.ingest(files, lambda *_: progress.update(1))
    skipped = [r for r in results if r.status == "skipped"]
    ingested = time.perf_counter() - started
    archive.search("warm up")
    questions = widen_to_stories(archive, questions)
    rows: dict[str, dict[str, float]] = {}
    modes = ("dense", "keyword", "hybrid", "hybrid+rerank") if retrieval else ()
    if baseline:
        from rag.eval.baseline import tutorial_search, tutorial_store

        store = tutorial_store(files, data / "tutorial", embedder)
        with bar(total=len(questions), desc="tutorial", unit="q") as progress:
            search = tutorial_search(store, k)

            def tutorial(q: Question) -> Ranked:
                progress.update(1)
                embedder.forget()  # every system embeds each question itself
                return [(source,) for source in search(q.query)]

            rows["tutorial"] = evaluate_retrieval(tutorial, questions, k)
        rows["tutorial"]["chunks"] = store._collection.count()
    later = asked_later(questions)
    runs = [(mode, mode, questions) for mode in modes]
    if retrieval:  # old facts: the same search, asked months later
        mode = settings.search_mode
        runs.append((f"{mode}, asked {LATER_DAYS} days later", mode, later))
    for name, mode, asked in runs:
        with bar(total=len(asked), desc=name, unit="q") as progress:

            def search(q: Question, mode: str = mode) -> Ranked:
                progress.update(1)
                embedder.forget()
                return listed(archive.search(q.query, k, as_of=q.as_of, mode=mode))

            rows[name] = evaluate_retrieval(search, asked, k)
    if answers:
        with bar(total=len(questions), desc="answers", unit="q") as progress:

            def ask(q: Question) -> Answer:
                progress.update(1)
                return archive.ask(q.query, as_of=q.as_of)

            row = evaluate_answers(ask, questions)
            row["answer_written"] = written(archive, questions)  # the ceiling of the above
            rows[f"answers {archive.llm[0] or 'offline'}"] = row
        early = too_early(questions)
        with bar(total=len(early), desc="too early", unit="q") as progress:
            rows["too early"] = evaluate_answers(ask, early)
        with bar(total=len(later), desc="asked later", unit="q") as progress:
            rows[f"asked {LATER_DAYS} days later"] = evaluate_answers(ask, later)
    if retrieval and folds:
        from rag.eval.folds import SearchTuner
        from rag.eval.tuning import cross_validate

        with bar(total=folds, desc=f"search, {folds} folds", unit="fold") as progress:
            tuner = SearchTuner(archive, questions, k)
            found, chosen = cross_validate(tuner, folds, fixed, lambda: progress.update(1))
        rows.update({f"search {name}": row for name, row in found.items()})
        rows.update({f"{WEIGHTS}search {name}": weights for name, weights in chosen.items()})
    if answers and folds:
        from rag.eval.folds import Tuner
        from rag.eval.tuning import cross_validate

        with bar(total=len(questions) + len(early), desc="read once", unit="q") as progress:
            tuner = Tuner(archive, questions, lambda: progress.update(1))
        with bar(total=folds, desc=f"{folds} folds", unit="fold") as progress:
            found, chosen = cross_validate(tuner, folds, fixed, lambda: progress.update(1))
        rows.update(found)
        rows.update({WEIGHTS + name: weights for name, weights in chosen.items()})
    if facts:
        from rag.eval.verify import evaluate_verifier

        with bar(total=len(facts), desc="verify", unit="claim") as progress:
            rows.update(evaluate_verifier(archive, facts, lambda: progress.update(1)))
    rows["archive"] = {
        "files": len(files),
        "chunks": archive.backends.store.count(),
        "skipped_files": len(skipped),
        "ingest_s": ingested,  # near 0 when the cached archive was complete
        "eval_s": time.perf_counter() - started - ingested,
    }
    return rows
