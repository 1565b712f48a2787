"""Sentences of a text as exact character spans (`text[start:end]` is the sentence).

Sentences never cross a paragraph (a line of the text); pysbd finds them inside each
paragraph, and a "sentence" too long to be one is cut into word windows. Chunking, the
claim checker, the near-copy keys and the evaluation all split text this one way.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from rag.types import Span

# A "sentence" longer than this (a list, a table, a wall of text) is cut into word windows.
_MAX_SENTENCE_WORDS = 120
_BLOCK_CHARS = 2000
_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # pysbd builds regular expressions from the abbreviations and words around them that it
    # meets, dozens an article, which overflow the `re` module's cache of 512 compiled
    # patterns: every paragraph compiled them again. A larger cache keeps an article's own.
    re._MAXCACHE = max(getattr(re, "_MAXCACHE", 0), 4096)
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[Span]:
    """Spans of the sentences of `text`, paragraph by paragraph, trimmed of white space."""
    spans: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        for block_start, block_end in _blocks(text, para.start(), para.end()):
            cursor = block_start
            for piece in _segmenter().segment(text[block_start:block_end]):
                stripped = piece.strip()
                if not stripped:
                    continue
                start = text.find(stripped, cursor, block_end)
                if start < 0:  # the segmenter altered the text; fall back to the whole rest
                    start, stripped = cursor, text[cursor:block_end].strip()
                    start = text.find(stripped, cursor, block_end)
                end = start + len(stripped)
                spans.extend(_cut_long(text, Span(start, end)))
                cursor = end
    return spans


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A paragraph cut at sentence ends into blocks of at most ~_BLOCK_CHARS characters.

    pysbd's time grows much faster than linearly with its input: one 1 MB paragraph would
    take minutes. Cutting at ". " first keeps it linear; a block without any full stop is
    cut at a space (its sentence is cut into word windows later anyway).
    """
    blocks = []
    while end - start > _BLOCK_CHARS:
        limit = start + _BLOCK_CHARS
        cut = max(text.rfind(". ", start, limit), text.rfind("? ", start, limit))
        cut = cut + 1 if cut > start else text.rfind(" ", start, limit)
        if cut <= start:
            cut = limit
        blocks.append((start, cut))
        start = cut
    blocks.append((start, end))
    return blocks


def _cut_long(text: str, span: Span) -> list[Span]:
    words = list(_WORD.finditer(text, span.start, span.end))
    if len(words) <= _MAX_SENTENCE_WORDS:
        return [span]
    step = _MAX_SENTENCE_WORDS
    return [
        Span(words[i].start(), words[min(i + step, len(words)) - 1].end())
        for i in range(0, len(words), step)
    ]
