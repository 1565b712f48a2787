"""How well the claim verifier separates right citations from wrong ones (`eval --verify`).

Claims are the sentences of RealTimeQA's evidence `fact` snippets: search-engine summaries
of an answer article, so they paraphrase it rather than quote it, like an LLM's claims.
Each is checked against three citations: the best passage of its own article (correct),
the correct passage of a claim from another question (a swapped citation), and the best
passage of another article retrieved for it (a near miss: same topic, wrong source).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from rag.answer.verify import check
from rag.pipeline import Archive
from rag.text.sentences import split_sentences
from rag.types import Hit

THRESHOLDS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def load_facts(path: Path) -> list[tuple[str, str, dt.date | None]]:
    """(fact, target file, as-of date) for every evidence fact of a questions file."""
    facts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        as_of = dt.date.fromisoformat(row["question_date"]) if row.get("question_date") else None
        for e in row.get("evidence", []):
            if e.get("fact") and e.get("target_file"):
                fact = e["fact"].strip(" .…") + "."
                for span in split_sentences(fact):
                    claim = fact[span.start : span.end]
                    if len(claim.split()) >= 4:
                        facts.append((claim, e["target_file"], as_of))
    return facts


def evaluate_verifier(
    archive: Archive, facts: list[tuple[str, str, dt.date | None]], progress: Callable[[], None]
) -> dict[str, dict[str, float]]:
    """Rows per support threshold: correct citations kept, swaps and near misses caught."""
    cases: list[tuple[str, Hit, Hit | None]] = []
    for fact, target, as_of in facts:
        progress()
        hits = archive.search(fact, k=10, as_of=as_of, per_doc=3)
        right = next((h for h in hits if h.source == target), None)
        if right is not None:
            cases.append((fact, right, next((h for h in hits if h.source != target), None)))
    scored: dict[str, list[tuple[float, bool]]] = {"correct": [], "swapped": [], "near": []}
    for i, (fact, right, near) in enumerate(cases):
        # half the list away: a claim about another question
        swapped = cases[(i + len(cases) // 2) % len(cases)][1]
        for kind, passage in (("correct", right), ("swapped", swapped), ("near", near)):
            if passage is not None:
                claim = check(f"{fact} [1]", [passage], archive.backends.embedder, 0.0).claims[0]
                scored[kind].append((claim.support, claim.supported))
    rows = {}
    for t in THRESHOLDS:

        def passes(kind: str, t: float = t) -> float:
            return sum(s >= t and ok for s, ok in scored[kind]) / max(len(scored[kind]), 1)

        rows[f"support>={t}"] = {
            "claims": len(cases),
            "correct_kept": passes("correct"),
            "swaps_caught": 1 - passes("swapped"),
            "near_misses_caught": 1 - passes("near"),
        }
    return rows
