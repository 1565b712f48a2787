"""Article -> Chunks of whole sentences, with exact character offsets into the article text.

Pure functions. Sentences come from rag/text/sentences.py (never across a paragraph); a
chunk packs whole sentences up to `max_words` and repeats the last `overlap` sentences of
the previous chunk. Every span satisfies `article.text[start:end] == the sentence`.
"""

from __future__ import annotations

from rag.text.sentences import split_sentences
from rag.types import Article, Chunk, Span


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
