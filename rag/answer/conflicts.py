"""Disagreements between sources, stated after the answer and cited side by side, newest
side first (how they are found: rag/answer/disputes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from langchain_core.prompts import PromptTemplate

from rag.answer.disputes import Side, find_conflicts
from rag.answer.evidence import ScoredSentence, on_topic
from rag.answer.types import Answer, Citation, Conflict, ConflictSide
from rag.text.dates import day
from rag.types import Hit

# How many of the answer's best candidate sentences are compared with each other.
CANDIDATES = 12
# Sentences further down the ranking are searched for disagreement only if they hold at
# least this share of the question's topic words.
_MORE_MIN_OVERLAP = 0.4
# How many sentences of each side are cited.
_CITED_PER_SIDE = 2


def add_conflicts(
    answer: Answer,
    scored: list[ScoredSentence],
    more: list[Hit],
    min_score: float,
    prompts: dict[str, PromptTemplate],
    furniture: set[tuple[str, int]] = frozenset(),
    original: Mapping[str, str] | None = None,
) -> Answer:
    """`answer` with the disagreements among its best sentences (`scored`, as the answer was
    written from), and those of the next hits down the ranking (`more`, leaving out page
    `furniture`), stated and cited. Where the sides come from near-copies of one article
    (`original`: doc_id -> the article it copies) the article was updated, and that is what
    is said. An abstention is left as it is."""
    if answer.abstained:
        return answer
    best = [s for s in scored if s.score >= min_score][:CANDIDATES]
    further = on_topic(answer.question, more, _MORE_MIN_OVERLAP, furniture)[:CANDIDATES]
    found = find_conflicts(answer.question, best + further)
    return with_conflicts(answer, found, prompts, original or {})


def with_conflicts(
    answer: Answer,
    found: list[tuple[Side, Side]],
    prompts: dict[str, PromptTemplate],
    original: Mapping[str, str] = {},  # noqa: B006 (never changed)
) -> Answer:
    """`answer` with its sources' disagreements stated after it and cited, newest side first.

    A side's sentences that the answer already cites keep their number; others are added
    as new citations (under their article's number if it is cited already), so every side
    can be checked like any other claim.
    """
    if answer.abstained or not found:
        return answer
    citations = list(answer.citations)

    def number(s: ScoredSentence) -> int:
        start = max(s.span.start, 0)
        for c in citations:
            if c.doc_id == s.hit.doc_id and c.start == start and c.in_title == s.in_title:
                return c.n
        # numbered per article: an article already cited keeps its number
        same = [c.n for c in citations if c.doc_id == s.hit.doc_id]
        n = same[0] if same else max((c.n for c in citations), default=0) + 1
        citations.append(Citation.of(n, s.hit, s.span, s.in_title))
        return n

    conflicts = []
    for pair in found:
        sides = []
        for side in pair:
            # one version of an article per side: its near-copies say nothing more
            versions = {
                original.get(s.hit.doc_id, s.hit.doc_id): s for s in reversed(side.sentences)
            }
            cited = [s for s in side.sentences if s in versions.values()][:_CITED_PER_SIDE]
            numbers = tuple(dict.fromkeys(number(s) for s in cited))
            sides.append((side.value, numbers, max(s.hit.date for s in cited)))
        sides.sort(key=lambda side: side[2], reverse=True)
        dated = len({date for *_, date in sides}) > 1
        labels = ["newest", *["earlier"] * (len(sides) - 1)] if dated else [""] * len(sides)
        articles = {
            original.get(s.hit.doc_id, s.hit.doc_id) for side in pair for s in side.sentences
        }
        sides = tuple(ConflictSide(*side, label) for side, label in zip(sides, labels))
        conflicts.append(Conflict(sides, updated=len(articles) == 1))
    lines = [
        prompts["conflict_updated" if c.updated else "conflict"].format(sides=_describe(c, prompts))
        for c in conflicts
    ]
    text = answer.text.rstrip() + "\n\n" + "\n".join(lines)
    return replace(answer, text=text, citations=tuple(citations), conflicts=tuple(conflicts))


def _describe(conflict: Conflict, prompts: dict[str, PromptTemplate]) -> str:
    """The sides of a conflict in words, e.g. “Tampa” [1] (newest report, 7 February 2021)."""
    parts = []
    for side in conflict.sides:
        label = side.label or "side"
        template = prompts[f"conflict_updated_{label}" if conflict.updated else f"conflict_{label}"]
        cites = "".join(f"[{n}]" for n in side.citations)
        parts.append(template.format(value=side.value, citations=cites, date=day(side.date)))
    return "; ".join(parts)
