"""Claim-level citation checking: does each sentence of an answer say what its sources say?

An answer is split into claims (its sentences). A claim's [n] markers name the numbered
passages it relies on; markers for passages that do not exist are dropped. Each claim is
compared with the sentences (and pairs of adjacent sentences) of the passages it cites:
the best embedding similarity with the bundled model, and the share of the names, numbers
and dates it states that those passages also state. A number the passages do not contain
makes a claim unsupported whatever its similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.types import Claim
from rag.index.embeddings import Encoder
from rag.text.patterns import MARKER, NAME_WORD, NOT_NAMES, NUMBER, marker_numbers
from rag.text.sentences import split_sentences
from rag.types import Hit, Span

_MARKERS = re.compile(rf"\s*{MARKER.pattern}")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NUMBER = re.compile(NUMBER)
_NAME = re.compile(rf"\b{NAME_WORD}")
# Weight of similarity against name/number agreement in a claim's support score.
_SIMILARITY_WEIGHT = 0.7


@dataclass(frozen=True)
class Checked:
    """A checked answer: its claims, and for each cited passage the sentence that best
    supports the claims citing it (to highlight when the citation is opened)."""

    claims: list[Claim]
    evidence: dict[int, Span]
    line_of: list[int]  # the answer line each claim came from


def parse_claims(text: str, n_passages: int) -> list[tuple[str, tuple[int, ...], int]]:
    """(claim text without markers, passage numbers it cites, line number) for each sentence.

    Markers outside 1..n_passages are dropped. Markers standing alone, or opening a
    sentence right after an uncited one, belong to the sentence before them.
    """
    claims: list[tuple[str, tuple[int, ...], int]] = []
    for line_no, line in enumerate(text.splitlines()):
        line = _BULLET.sub("", line).strip()
        for span in split_sentences(line):
            sentence = line[span.start : span.end]
            lead = re.match(rf"(?:{_MARKERS.pattern})+", sentence)
            if lead and claims and not claims[-1][1] and claims[-1][2] == line_no:
                prev_text, _, prev_line = claims.pop()
                claims.append((prev_text, _numbers(lead.group(), n_passages), prev_line))
                sentence = sentence[lead.end() :]
            cites = _numbers(sentence, n_passages)
            bare = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(_MARKERS.sub(" ", sentence).split()))
            if not re.search(r"\w", bare):
                if claims and cites and claims[-1][2] == line_no:
                    prev_text, prev_cites, prev_line = claims.pop()
                    merged = tuple(dict.fromkeys(prev_cites + cites))
                    claims.append((prev_text, merged, prev_line))
                continue
            claims.append((bare, cites, line_no))
    return claims


def _numbers(text: str, n_passages: int) -> tuple[int, ...]:
    found = [n for group in _MARKERS.findall(text) for n in marker_numbers(group)]
    return tuple(dict.fromkeys(n for n in found if 1 <= n <= n_passages))


def facts(text: str) -> set[str]:
    """Names (capitalized words past the first) and numbers a claim states, normalized."""
    numbers = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    names = {
        re.sub(r"['’]s$", "", w).lower() for w in _NAME.findall(text[1:]) if w not in NOT_NAMES
    }
    return numbers | names


def _agreement(claim: str, sources: str) -> tuple[float, bool]:
    """Share of the claim's facts found in the sources, and whether all its numbers are."""
    stated = facts(claim)
    if not stated:
        return 1.0, True
    words = re.findall(r"[\w'’-]+", sources.lower())
    known = facts(sources) | set(words) | {re.sub(r"['’]s$", "", w) for w in words}
    missing = stated - known
    numbers_ok = not any(_NUMBER.fullmatch(m) for m in missing)
    return 1 - len(missing) / len(stated), numbers_ok


def _windows(hit: Hit) -> list[tuple[Span, str, bool]]:
    """A passage's sentences and pairs of adjacent sentences: (span, text, is one sentence)."""
    sentences = hit.sentence_texts() or [(Span(hit.start, hit.end), hit.text)]
    pairs = [
        (Span(a.start, b.end), hit.text[a.start - hit.start : b.end - hit.start], False)
        for (a, _), (b, _) in zip(sentences, sentences[1:])
    ]
    return [(span, body, True) for span, body in sentences] + pairs


def check(text: str, passages: list[Hit], embedder: Encoder, min_support: float) -> Checked:
    """Split `text` into claims and check each against the passages it cites (1-based)."""
    parsed = parse_claims(text, len(passages))
    cited = sorted({n for _, cites, _ in parsed for n in cites})
    flat = [(n, *window) for n in cited for window in _windows(passages[n - 1])]
    vectors = embedder.embed([c for c, _, _ in parsed] + [body for _, _, body, _ in flat])
    claim_vecs, window_vecs = vectors[: len(parsed)], vectors[len(parsed) :]
    claims: list[Claim] = []
    best: dict[int, tuple[float, Span]] = {}
    for i, (claim, cites, _) in enumerate(parsed):
        if not cites:
            claims.append(Claim(claim, (), 0.0, False))
            continue
        rows = [j for j, window in enumerate(flat) if window[0] in cites]
        sims = window_vecs[rows] @ claim_vecs[i]
        for j, sim in zip(rows, sims):
            n, span, _, single = flat[j]
            # evidence to highlight is one sentence
            if single and sim > best.get(n, (-1.0, span))[0]:
                best[n] = (float(sim), span)
        sources = " ".join(f"{passages[n - 1].title} {passages[n - 1].text}" for n in cites)
        agreement, numbers_ok = _agreement(claim, sources)
        support = _SIMILARITY_WEIGHT * float(sims.max()) + (1 - _SIMILARITY_WEIGHT) * agreement
        support = round(max(support, 0.0), 3)
        claims.append(Claim(claim, cites, support, numbers_ok and support >= min_support))
    return Checked(claims, {n: span for n, (_, span) in best.items()}, [ln for *_, ln in parsed])
