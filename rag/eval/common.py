"""What the evaluations share: the questions and corpus files they read, the cached archive
folder they ingest into, a ranked search's metrics, percentiles, and the plain table they
print."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from rag.settings import Settings
from rag.types import Hit


@dataclass(frozen=True)
class Question:
    id: str
    query: str
    answer: str
    targets: frozenset[str]  # file names of the articles that answer it
    as_of: dt.date | None = None
    published: tuple[dt.date, ...] = ()  # publication dates of the answer articles
    # the targets and every article of their stories (or copies) that holds the answer
    story_targets: frozenset[str] = frozenset()

    @property
    def in_story(self) -> frozenset[str]:
        """The story-level targets, or the targets where they were not widened."""
        return self.story_targets or self.targets


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


# A ranked search as the eval reads it: for each rank the files it lists, its own first and
# then the other reports of its story named under it (Hit.also).
Ranked = list[tuple[str, ...]]


def listed(hits: list[Hit]) -> Ranked:
    """Each hit's file and those of the reports listed under it."""
    return [(h.source, *(a.source for a in h.also)) for h in hits]


def hit_at(ranked: Ranked, targets: frozenset[str], k: int) -> float:
    """1.0 if an answer article is listed at one of the top k ranks."""
    return float(any(targets.intersection(files) for files in ranked[:k]))


def reciprocal_rank(ranked: Ranked, targets: frozenset[str], k: int = 10) -> float:
    """1 / the first rank listing an answer article, 0 if none of the top k does."""
    return next((1.0 / i for i, files in enumerate(ranked[:k], start=1)
                 if targets.intersection(files)), 0.0)  # fmt: skip


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


def benchmark_corpus(description: str) -> tuple[list[Path], Path | None]:
    """A corpus benchmark's command line: `--articles DIR [--subset LIST] [--limit N]
    [--out FILE]`; the files to read and where to write the table's JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--subset", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    return corpus_files(args.articles, args.subset)[: args.limit], args.out


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


def widen_to_stories(archive, questions: list[Question]) -> list[Question]:
    """The questions with their story-level targets: besides the answer articles, every
    article of the same story (rag/index/stories.py) or a near-copy of one, that holds the
    gold answer. Many outlets report one event; citing another's report that says the same
    is right, and the file-level figures count it wrong."""
    docs = archive.documents()
    by_source = {d.source: d for d in docs}
    members: dict[str, list] = {}
    for d in docs:
        for key in {d.story_id, d.copy_of or d.doc_id} - {""}:
            members.setdefault(key, []).append(d)
    widened = []
    for q in questions:
        found = set(q.targets)
        needle = plain(q.answer)
        for target in filter(None, map(by_source.get, q.targets)):
            keys = {target.story_id, target.copy_of or target.doc_id} - {""}
            for d in {m.doc_id: m for k in keys for m in members.get(k, [])}.values():
                if d.source not in found and needle and needle in plain(_text(archive, d)):
                    found.add(d.source)
        widened.append(replace(q, story_targets=frozenset(found)))
    return widened


def written(archive, questions: list[Question]) -> float:
    """The share of the questions whose gold answer, as the metrics compare it, is written
    in one of their story-level answer articles: the ceiling of the answer-in-text figures
    (in a cited sentence, first quotation, passages read) when only those can answer it.
    Many gold answers are worded otherwise ("New Jersey & Oregon", "They got married")."""
    by_source = {d.source: d for d in archive.documents()}
    held = 0
    for q in questions:
        needle = plain(q.answer)
        docs = filter(None, map(by_source.get, q.in_story))
        held += bool(needle) and any(needle in plain(_text(archive, d)) for d in docs)
    return held / max(len(questions), 1)


def _text(archive, doc) -> str:
    read = archive.document(doc.doc_id)
    return f"{doc.title}\n{read[1]}" if read else ""


def plain(text: str) -> str:
    """Text as the answer metrics compare it: lower case, without double quote marks."""
    return text.lower().replace("“", "").replace("”", "").replace('"', "").strip()


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
