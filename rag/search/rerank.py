"""Rerankers: rescore the top fused candidates before they are cut to k.

No cross-encoder ships in a package here, so the default reranker uses what does run
offline: the best single sentence of each passage against the question (bundled MiniLM),
and exact matches of the names, numbers and quoted phrases the question contains. A user
with a local cross-encoder points RAG_RERANK_MODEL_DIR at its folder instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from rag.index.embeddings import Encoder
from rag.text.patterns import NAME_WORD, NUMBER
from rag.types import Hit

_QUOTED = re.compile(r"[\"“]([^\"”]{3,80})[\"”]")
_NUMBER = re.compile(rf"\b(?:{NUMBER})\b")
_NAME = re.compile(rf"(?<![.?!]\s)(?<!^)\b{NAME_WORD}(?:\s+{NAME_WORD})*")


class Reranker(Protocol):
    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]: ...


def key_terms(question: str) -> set[str]:
    """Names, numbers and quoted phrases in a question: what a passage should contain."""
    terms = {m.group(1).strip() for m in _QUOTED.finditer(question)}
    terms |= {m.group(0) for m in _NUMBER.finditer(question)}
    terms |= {m.group(0) for m in _NAME.finditer(question.strip())}
    return {t for t in terms if len(t) > 1}


def exact_match(terms: set[str], hit: Hit) -> float:
    """Share of the terms that occur, as written, in the passage or its title."""
    if not terms:
        return 0.0
    text = f"{hit.title}\n{hit.text}"
    return sum(term in text for term in terms) / len(terms)


class SentenceReranker:
    """Score = best-sentence similarity + exact-match share + a prior from the fused rank."""

    def __init__(
        self, embedder: Encoder, depth: int = 20, prior: float = 0.3, match: float = 0.2
    ) -> None:
        self.embedder, self.depth, self.prior, self.match = embedder, depth, prior, match

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        top, rest = hits[: self.depth], hits[self.depth :]
        if len(top) < 2:
            return hits
        sentences = [(i, text) for i, h in enumerate(top) for _, text in h.sentence_texts()]
        vectors = self.embedder.embed([question] + [text for _, text in sentences])
        best = [0.0] * len(top)
        for (i, _), sim in zip(sentences, vectors[1:] @ vectors[0]):
            best[i] = max(best[i], float(sim))
        terms = key_terms(question)
        scores = [
            best[i] + self.match * exact_match(terms, h) + self.prior * (1 - i / len(top))
            for i, h in enumerate(top)
        ]
        order = sorted(range(len(top)), key=lambda i: -scores[i])
        return [top[i] for i in order] + rest


class CrossEncoderReranker:
    """A local sentence-transformers CrossEncoder scoring (question, passage) pairs."""

    def __init__(self, model_dir: Path, depth: int = 20) -> None:
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(str(model_dir), device="cpu", local_files_only=True)
        self.depth = depth

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        top, rest = hits[: self.depth], hits[self.depth :]
        if not top:
            return hits
        scores = self.model.predict([(question, h.text) for h in top], show_progress_bar=False)
        order = sorted(range(len(top)), key=lambda i: -float(scores[i]))
        return [top[i] for i in order] + rest
