from __future__ import annotations

from rag.ingest.articles import parse_article, parse_upload, read_article
from rag.ingest.chunking import chunk_article
from rag.text.sentences import split_sentences
from tests.conftest import SEEDS


def _seed():
    return read_article(next(SEEDS.glob("*.txt")))


def test_every_sentence_span_is_exact_and_trimmed():
    article = _seed()
    spans = split_sentences(article.text)
    assert len(spans) > 25
    for span in spans:
        sentence = article.text[span.start : span.end]
        assert sentence == sentence.strip() and sentence
        assert "\n" not in sentence  # never across paragraphs


def test_chunks_are_whole_sentences_within_size_with_overlap():
    article = _seed()
    chunks = chunk_article(article, max_words=160, overlap=1, version="v1")
    assert len(chunks) >= 4
    for prev, chunk in zip(chunks, chunks[1:]):
        assert chunk.sentences[0] == prev.sentences[-1]  # one sentence of overlap
    for i, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"{article.doc_id}:v1:{i}"
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert len(chunk.text.split()) <= 160
        assert chunk.sentences[0].start == chunk.start and chunk.sentences[-1].end == chunk.end
    covered = {s for c in chunks for s in c.sentences}
    assert covered == set(split_sentences(article.text))  # nothing dropped


def test_a_wall_of_text_without_punctuation_is_cut_to_fit():
    words = " ".join(f"w{i}" for i in range(1000))
    article = parse_article(f"Wall\n{words}\n".encode(), "wall.txt")
    chunks = chunk_article(article, max_words=160, overlap=1)
    assert all(len(c.text.split()) <= 160 for c in chunks)
    assert chunks[0].text.startswith("w0 ") and chunks[-1].text.endswith("w999")


def test_short_article_is_one_chunk():
    article = parse_article(b"Note\nJust one sentence here.\n", "n.txt")
    chunks = chunk_article(article)
    assert len(chunks) == 1 and chunks[0].text == "Just one sentence here."


def test_an_enormous_paragraph_is_chunked_whole_and_exactly():
    # one 400 KB line of 20,000 sentences: pysbd alone takes minutes on this
    body = "".join(f"Sentence number {i} is here. " for i in range(20_000)).strip()
    article = parse_upload("huge.txt", f"Huge\n20220101\nhttps://x.test/h\n{body}".encode())
    chunks = chunk_article(article, max_words=160, overlap=1)
    assert chunks[-1].text.endswith("Sentence number 19999 is here.")
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text.split()) <= 160
