"""Property-based fuzzing (hypothesis) of everything that reads untrusted files.

Whatever the bytes or the file name: the reader returns an article or refuses it with an
ArticleError (never another exception), and chunks always point at exactly their text.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.articles import ArticleError, parse_upload, safe_file_name
from rag.ingest.chunking import chunk_article

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf", ".docx", ""])

# Text shaped like articles: words, punctuation, odd Unicode, control characters, newlines.
PARAGRAPH = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=400)
ARTICLE_TEXT = st.lists(PARAGRAPH, min_size=1, max_size=12).map("\n".join)


def seed_format(title: str, date: str, body: str) -> bytes:
    return f"{title}\n{date}\nhttps://news.test/a\n{body}".encode()


@FUZZ
@given(data=st.binary(max_size=4000), suffix=SUFFIXES)
def test_any_bytes_give_an_article_or_a_clear_refusal(data, suffix):
    try:
        article = parse_upload(f"upload{suffix}", data)
    except ArticleError as e:
        assert str(e)  # a reason the user can read
    else:
        assert article.text.strip() and article.title


@FUZZ
@given(body=ARTICLE_TEXT, title=st.text(min_size=1, max_size=80), max_words=st.integers(25, 200))
def test_chunks_and_sentences_always_point_at_their_exact_text(body, title, max_words):
    try:
        article = parse_upload("a.txt", seed_format(title, "20220612", body))
    except ArticleError:
        return
    chunks = chunk_article(article, max_words=max_words, overlap=1, version="v")
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        for span in chunk.sentences:
            assert chunk.start <= span.start < span.end <= chunk.end
            assert article.text[span.start : span.end].strip()


@FUZZ
@given(html=st.text(max_size=3000))
def test_any_html_gives_text_without_markup_or_a_refusal(html):
    page = "<html><body><script>evil()</script>" + html + "</body></html>"
    try:
        article = parse_upload("page.html", page.encode())
    except ArticleError as e:
        assert str(e)
    else:
        assert "evil()" not in article.text


@FUZZ
@given(name=st.text(max_size=400))
def test_any_file_name_becomes_a_harmless_base_name(name):
    safe = safe_file_name(name)
    assert safe and len(safe) <= 130
    assert "/" not in safe and "\\" not in safe
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in safe)
