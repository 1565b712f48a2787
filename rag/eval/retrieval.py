"""Evaluation on real news QA sets (see ../shared/eval/README.md for the metric definitions).

`python -m rag eval` ingests a corpus once into a cache folder keyed by corpus and settings,
then runs every question "as of" its question date and reports retrieval and answer metrics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
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


# Questions that name a recent period; asked this many days before their quiz date, no
# report of the event exists yet: the archive should say it does not answer (issue #18).
_RECENT = re.compile(r"\b(?:this week|last week|this month|recently)\b", re.IGNORECASE)
TOO_EARLY_DAYS = 42


def too_early(questions: list[Question]) -> list[Question]:
    """The "too early" set: questions naming a recent period, asked TOO_EARLY_DAYS before
    their quiz date, kept only if every answer article was published after that day."""
    early = []
    for q in questions:
        if q.as_of is None or not q.published or not _RECENT.search(q.query):
            continue
        before = q.as_of - dt.timedelta(days=TOO_EARLY_DAYS)
        if all(p > before for p in q.published):
            early.append(replace(q, as_of=before))
    return early


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


def answer_in_citation(answer: Answer, gold: str) -> bool:
    """The gold answer string (case-insensitive, curly quotes ignored) is in a cited sentence."""
    needle = _plain(gold)
    return bool(needle) and any(needle in _plain(c.quote) for c in answer.citations)


def answer_in_first_quote(answer: Answer, gold: str) -> bool:
    """The gold answer is in the first quotation, the one a reader reads first (the lead
    sentence, with the sentence leading into it when the answer quotes that too)."""
    needle = _plain(gold)
    if not needle or not answer.citations:
        return False
    first = answer.text.split("\n\n")[0]
    lead = [c for c in answer.citations if c.n == 1 and c.quote in first] or answer.citations[:1]
    return any(needle in _plain(c.quote) for c in lead)


def answer_in_passages(answer: Answer, gold: str) -> bool:
    """The gold answer is in a passage the answerer read (or a headline): its ceiling."""
    needle = _plain(gold)
    texts = [t for h in answer.hits for t in (h.title, h.text)]
    return bool(needle) and any(needle in _plain(t) for t in texts)


def _plain(text: str) -> str:
    return text.lower().replace("“", "").replace("”", "").replace('"', "").strip()


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


def evaluate_answers(
    ask: Callable[[Question], Answer], questions: list[Question]
) -> dict[str, float]:
    """Answer-in-citation (any quote, the first quotation, the passages read), citation
    precision, abstention rate, the share of answers that show a disagreement between
    sources, the share of claims their citations support, the share of answers that fell
    back to quotes with a notice (LLM failed or unsupported), and the median time to answer."""
    found, first, read, abstained, precise, cited, disputed, fallbacks = [0] * 8
    claims: list[bool] = []
    ms: list[float] = []
    for q in questions:
        start = time.perf_counter()
        answer = ask(q)
        ms.append((time.perf_counter() - start) * 1000)
        first += answer_in_first_quote(answer, q.answer)
        read += answer_in_passages(answer, q.answer)
        abstained += answer.abstained
        disputed += bool(answer.conflicts)
        fallbacks += bool(answer.notice)
        claims += [c.supported for c in answer.claims]
        found += answer_in_citation(answer, q.answer)
        articles = {c.n: c.source for c in answer.citations}  # one number per article
        cited += len(articles)
        precise += sum(source in q.targets for source in articles.values())
    n = max(len(questions), 1)
    return {
        "questions": len(questions),
        "answer_in_citation": found / n,
        "in_first_quote": first / n,
        "in_passages_read": read / n,
        "citation_precision": precise / cited if cited else 0.0,
        "abstention_rate": abstained / n,
        "with_conflict": disputed / n,
        "claim_support": statistics.fmean(claims) if claims else 0.0,
        "fallback_rate": fallbacks / n,
        "ask_p50_ms": percentile(ms, 0.5),
    }


def format_table(rows: dict[str, dict[str, float]]) -> str:
    """A plain text table: one row per system, one column per metric."""
    columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    lines = ["system".ljust(16) + "".join(c.rjust(20) for c in columns)]
    for name, row in rows.items():
        cells = (_cell(row.get(c)) for c in columns)
        lines.append(name.ljust(16) + "".join(cell.rjust(20) for cell in cells))
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() and value > 1 else f"{value:.3f}"


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
