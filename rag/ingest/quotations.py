"""An article's quotations, from its quotation marks alone (no parse): where they are, which
characters lie inside one, whether one closes just before a point, and the quotations no
speech verb governs, which belong to the attribution beside them (rag/ingest/attribution.py
finds the attributions the verbs govern).
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.types import Attribution

# A quotation within a paragraph: between curly or straight double quotes (mixed too) or
# doubled single ones (''like this''); a curly one still open runs to the paragraph's end.
_QUOTE = re.compile(r"[“\"][^“”\"\n]*(?:[”\"]|$)|''[^'\n]+''", re.MULTILINE)
MIN_WORDS = 4  # shorter quoted stretches are titles and scare quotes, unless a cue says

Quotation = tuple[int, int]  # start and end offsets, the marks included


def spans(text: str) -> list[Quotation]:
    """The text's quotations, in order."""
    return [(m.start(), m.end()) for m in _QUOTE.finditer(text)]


def inside(text: str, quotes: list[Quotation]) -> bytearray:
    """1 at each character strictly inside a quotation, else 0."""
    mask = bytearray(len(text) + 1)
    for qs, qe in quotes:
        mask[qs + 1 : qe] = b"\x01" * max(0, qe - qs - 1)
    return mask


def closes_before(text: str, end: int, at: int) -> bool:
    """Whether a quotation ending at `end` closes just before `at` (commas, dashes between)."""
    return end <= at and not text[end:at].strip(" ,—–-")


def continued(text: str, quotes: list[Quotation], found: list[Attribution]) -> list[Attribution]:
    """`found` with the quotations no verb governs given to the speaker of the attribution
    just before them (news continues a quote without "he said"): in the same paragraph the
    attribution runs on to the quotation's end, in the next one it is an attribution of
    its own."""
    found = sorted(found, key=lambda a: a.start)
    for qs, qe in quotes:
        if len(text[qs:qe].split()) < MIN_WORDS or any(a.start <= qs < a.end for a in found):
            continue
        before = [
            i for i, a in enumerate(found) if a.end <= qs and text.count("\n", a.end, qs) <= 1
        ]
        start, end = trim(text, qs, qe)
        if not before:  # said by whoever the paragraph quotes next, if anyone
            after = [a for a in found if a.start >= qe and "\n" not in text[qe : a.start]]
            if after:
                found.append(Attribution(start, end, after[0].speaker, -1, -1, "", True))
            found.sort(key=lambda a: a.start)
            continue
        last = found[before[-1]]
        if "\n" in text[last.end : qs]:
            found.append(Attribution(start, end, last.speaker, -1, -1, "", True))
        else:
            found[before[-1]] = replace(last, end=end, direct=True)
        found.sort(key=lambda a: a.start)
    return found


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces, commas and dashes at its ends."""
    while start < end and text[start] in " \t\n,;:—–-":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:—–-":
        end -= 1
    return start, end
