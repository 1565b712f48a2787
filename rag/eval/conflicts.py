"""How answers treat sources that disagree (`eval --conflicts`), on RGB's counterfactual set.

Each question's folder (true snippets, snippets edited to state a false answer, off-topic
ones) is ingested into an archive of its own and the question asked as a user would.
Reported per backend:
- conflict_shown: the answer sets the true value against the false one as a disagreement;
- false_as_fact: the false value is in the answer and not shown as disputed (target 0);
- answer_in_citation: the true value is in a cited sentence;
- abstention_rate, and fallback_rate: LLM answers replaced by quotes (model failed, or its
  claims were not supported by their citations).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path

from rag.answer.disputes import fold
from rag.answer.types import Answer
from rag.backends import Backends
from rag.pipeline import Archive
from rag.settings import Settings


def load_rgb(path: Path) -> list[dict]:
    """The questions of an RGB file, with `answer` and `fakeanswer` as lists of spellings."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        row["answer"], row["fakeanswer"] = _flat(row["answer"]), _flat(row["fakeanswer"])
    return rows


def _flat(value: object) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _flat(item)]
    return [str(value)]


def _names(value: str, spellings: list[str]) -> bool:
    v = fold(value)
    return any(fold(s) in v or (len(v) > 2 and v in fold(s)) for s in spellings)


def judge(answer: Answer, true: list[str], false: list[str]) -> dict[str, bool]:
    """What one answer did with a question whose sources disagree."""
    shown = any(
        any(_names(s.value, true) for s in c.sides) and any(_names(s.value, false) for s in c.sides)
        for c in answer.conflicts
    )
    disputed = any(_names(s.value, false) for c in answer.conflicts for s in c.sides)
    said = fold(answer.text) + " " + " ".join(fold(c.quote) for c in answer.citations)
    return {
        "conflict_shown": shown,
        "false_as_fact": any(fold(f) in said for f in false) and not disputed,
        "answer_in_citation": any(fold(t) in fold(c.quote) for t in true for c in answer.citations),
        "abstained": answer.abstained,
        "fell_back": bool(answer.notice),
    }


def evaluate_conflicts(
    settings: Settings, articles: Path, questions: list[dict], progress: Callable[[], object]
) -> dict[str, dict[str, float]]:
    """Ingest each question's folder on its own and ask it; the rates over all questions."""
    backends: Backends | None = None
    results, backend = [], "offline"
    for q in questions:
        first = next(f for files in q["files"].values() for f in files)
        folder = articles / first.split("/")[0]
        data = settings.data_dir / "eval-cache" / "rgb" / folder.name
        own = settings.model_copy(update={"data_dir": data, "seed_dir": None})
        # one model for all the small archives
        backends = Backends(own, backends.embedder if backends else None)
        archive = Archive(own, backends)
        archive.ingest(sorted(folder.glob("*.txt")))
        answer = archive.ask(q["query"])
        results.append(judge(answer, q["answer"], q["fakeanswer"]))
        backend = archive.llm[0] or "offline"
        progress()
    row: dict[str, float] = {"questions": len(results)}
    names = {"abstained": "abstention_rate", "fell_back": "fallback_rate"}
    for key in results[0] if results else ():
        row[names.get(key, key)] = statistics.fmean(r[key] for r in results)
    return {f"conflicts {backend}": row}
