"""Evaluation on real news QA sets (see ../shared/eval/README.md for the metric definitions).

`python -m rag eval` ingests a corpus once into a cache folder keyed by corpus and settings,
then runs every question "as of" its question date and reports retrieval and answer metrics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rag.settings import Settings
from rag.types import Answer


@dataclass(frozen=True)
class Question:
    id: str
    query: str
    answer: str
    targets: frozenset[str]  # file names of the articles that answer it
    as_of: dt.date | None = None
    published: tuple[dt.date, ...] = ()  # publication dates of the answer articles


def load_questions(path: Path) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        targets = frozenset(
            e["target_file"] for e in row.get("evidence", []) if e.get("target_file")
        )
        as_of = dt.date.fromisoformat(row["question_date"]) if row.get("question_date") else None
        published = tuple(
            dt.date.fromisoformat(e["published_at"][:10])
            for e in row.get("evidence", [])
            if e.get("published_at")
        )
        questions.append(
            Question(row["id"], row["query"], row.get("answer", ""), targets, as_of, published)
        )
    return questions


def hit_at(sources: list[str], targets: frozenset[str], k: int) -> float:
    """1.0 if an answer article is among the articles of the top k chunks."""
    return float(any(s in targets for s in sources[:k]))


def reciprocal_rank(sources: list[str], targets: frozenset[str], k: int = 10) -> float:
    """1 / rank of the first chunk from an answer article, 0 if none in the top k."""
    return next((1.0 / i for i, s in enumerate(sources[:k], start=1) if s in targets), 0.0)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def corpus_files(articles: Path, subset: Path | None) -> list[Path]:
    if subset is None:
        return sorted(articles.glob("*.txt"))
    names = [n.strip() for n in subset.read_text(encoding="utf-8").splitlines() if n.strip()]
    return [articles / n for n in names]


def cache_dir(base: Path, files: list[Path], settings: Settings) -> Path:
    """A data folder for this corpus and these ingest settings, reused across runs."""
    s = settings
    key = "|".join(str(f.resolve()) for f in files)
    key += f"|{s.chunk_max_words}|{s.chunk_overlap_sentences}|{s.embedding_name}"
    return base / hashlib.sha256(key.encode()).hexdigest()[:16]


def same_article(questions: list[Question], files: list[Path]) -> list[Question]:
    """The questions with, among their targets, every file of the same article: files whose
    URLs are forms of one address are one document in the archive, under either name."""
    from rag.text.urls import url_key

    by_key: dict[str, set[str]] = {}
    for f in files:
        lines = f.read_text(encoding="utf-8", errors="replace").split("\n", 3)
        key = url_key(lines[2].strip()) if len(lines) > 2 else ""
        if key:
            by_key.setdefault(key, set()).add(f.name)
    twins = {name: names for names in by_key.values() if len(names) > 1 for name in names}
    return [
        replace(q, targets=q.targets.union(*(twins.get(t, set()) for t in q.targets)))
        for q in questions
    ]


def evaluate_retrieval(
    search: Callable[[Question], list[str]], questions: list[Question], k: int
) -> dict[str, float]:
    """hit@4, hit@k, MRR@10 and query latency (ms) of one search system.

    `search` returns the source file names of its ranked chunks.
    """
    hits4, hitsk, rr, ms = [], [], [], []
    for q in questions:
        start = time.perf_counter()
        sources = search(q)
        ms.append((time.perf_counter() - start) * 1000)
        hits4.append(hit_at(sources, q.targets, 4))
        hitsk.append(hit_at(sources, q.targets, k))
        rr.append(reciprocal_rank(sources, q.targets, 10))
    return {
        "questions": len(questions),
        "hit@4": statistics.fmean(hits4),
        f"hit@{k}": statistics.fmean(hitsk),
        "MRR@10": statistics.fmean(rr),
        "p50_ms": percentile(ms, 0.5),
        "p95_ms": percentile(ms, 0.95),
    }


def format_table(rows: dict[str, dict[str, float]]) -> str:
    """A plain text table: one row per system, one column per metric."""
    columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    width = max(len(name) for name in ["system", *rows]) + 2
    sizes = [max(len(c), 8) + 2 for c in columns]
    lines = ["system".ljust(width) + "".join(c.rjust(n) for c, n in zip(columns, sizes))]
    for name, row in rows.items():
        cells = (_cell(row.get(c)).rjust(n) for c, n in zip(columns, sizes))
        lines.append(name.ljust(width) + "".join(cells))
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    whole = isinstance(value, int) or (float(value).is_integer() and value > 1)  # counts
    return str(int(value)) if whole else f"{value:.3f}"


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
) -> dict[str, dict[str, float]]:
    """Ingest `files` into a cached archive, then measure each system on `questions`."""
    from rag.pipeline import Archive

    questions = same_article(questions, files)
    data = cache_dir(settings.data_dir / "eval-cache", files, settings)
    archive = Archive(settings.model_copy(update={"data_dir": data, "seed_dir": None}))
    embedder = archive.backends.embedder
    with bar(total=len(files), desc="ingest", unit="file") as progress:
        results = archive.ingest(files, lambda *_: progress.update(1))
    skipped = [r for r in results if r.status == "skipped"]
    archive.search("warm up")
    rows: dict[str, dict[str, float]] = {}
    modes = ("dense", "keyword", "hybrid", "hybrid+rerank") if retrieval else ()
    if baseline:
        from rag.eval.baseline import tutorial_search, tutorial_store

        store = tutorial_store(files, data / "tutorial", embedder)
        with bar(total=len(questions), desc="tutorial", unit="q") as progress:
            search = tutorial_search(store, k)

            def tutorial(q: Question) -> list[str]:
                progress.update(1)
                embedder.forget()  # every system embeds each question itself
                return search(q.query)

            rows["tutorial"] = evaluate_retrieval(tutorial, questions, k)
        rows["tutorial"]["chunks"] = store._collection.count()
    for mode in modes:
        with bar(total=len(questions), desc=mode, unit="q") as progress:

            def search(q: Question, mode: str = mode) -> list[str]:
                progress.update(1)
                embedder.forget()
                return [h.source for h in archive.search(q.query, k, as_of=q.as_of, mode=mode)]

            rows[mode] = evaluate_retrieval(search, questions, k)
    if retrieval:
        rows["hybrid+rerank"]["chunks"] = archive.backends.store.count()
        rows["hybrid+rerank"]["skipped_files"] = len(skipped)
    if answers:
        from rag.eval.answers import evaluate_answers, too_early  # it builds on Question

        with bar(total=len(questions), desc="answers", unit="q") as progress:

            def ask(q: Question) -> Answer:
                progress.update(1)
                return archive.ask(q.query, as_of=q.as_of)

            rows[f"answers {archive.llm[0] or 'offline'}"] = evaluate_answers(ask, questions)
        early = too_early(questions)
        with bar(total=len(early), desc="too early", unit="q") as progress:
            rows["too early"] = evaluate_answers(ask, early)
    if facts:
        from rag.eval.verify import evaluate_verifier

        with bar(total=len(facts), desc="verify", unit="claim") as progress:
            rows.update(evaluate_verifier(archive, facts, lambda: progress.update(1)))
    return rows
