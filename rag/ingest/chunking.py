"""Article -> Chunks of whole sentences, with exact character offsets into the article text.

Pure functions. Sentences never cross a paragraph (a line of the article); a chunk packs
whole sentences up to `max_words` and repeats the last `overlap` sentences of the previous
chunk. Every span satisfies `article.text[start:end] == the sentence`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from rag.types import Article, Chunk, Span

# A "sentence" longer than this (a list, a table, a wall of text) is cut into word windows.
_MAX_SENTENCE_WORDS = 120
_BLOCK_CHARS = 2000
_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
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


def _word_count(text: str, span: Span) -> int:
    return len(text[span.start : span.end].split())


def chunk_article(
    article: Article, max_words: int = 160, overlap: int = 1, version: str = "v"
) -> list[Chunk]:
    """Pack the article's sentences into chunks of at most `max_words` words.

    Chunk ids are `doc_id:version:index`, so a new version of a document never overwrites
    the chunks of the old one while it is being written.
    """
    text = article.text
    sentences = split_sentences(text)
    groups: list[list[Span]] = []
    current: list[Span] = []
    words = 0
    for span in sentences:
        n = _word_count(text, span)
        if current and words + n > max_words:
            groups.append(current)
            current = current[-overlap:] if overlap else []
            words = sum(_word_count(text, s) for s in current)
            if words + n > max_words:
                current, words = [], 0
        current.append(span)
        words += n
    if current and (not groups or current != groups[-1][-len(current) :]):
        groups.append(current)
    return [
        Chunk(
            chunk_id=f"{article.doc_id}:{version}:{i}",
            doc_id=article.doc_id,
            index=i,
            text=text[group[0].start : group[-1].end],
            start=group[0].start,
            end=group[-1].end,
            sentences=tuple(group),
        )
        for i, group in enumerate(groups)
    ]
