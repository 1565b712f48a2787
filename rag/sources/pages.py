"""A fetched page as an article: web pages through trafilatura and PDFs through pypdf, as
uploaded files are; plain text as a .txt file. A feed item's own headline, date and summary
fill in what the page does not say, or stand in for a page that could not be read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from rag.ingest.articles import ArticleError, make_article, parse_article
from rag.ingest.formats import FormatError, from_html, from_pdf
from rag.sources.fetch import Fetched
from rag.types import Article


@dataclass(frozen=True)
class Item:
    """What a feed says of one of its items."""

    url: str
    title: str = ""
    date: dt.date | None = None
    summary: str = ""  # may be HTML


def url_source(url: str) -> str:
    """The name an article fetched from `url` is shown under: host and path."""
    parts = urlsplit(url)
    name = (parts.hostname or "") + parts.path.rstrip("/")
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    return name[:130] or "page"


def page_article(page: Fetched, item: Item | None = None) -> Article:
    """The article of a fetched page, the feed item's details filling in what it lacks."""
    kind = page.content_type.split(";")[0].strip().lower()
    source = url_source(page.url)
    if kind in ("text/plain", "text/markdown"):
        article = parse_article(page.body, source + ".txt")
        return article if article.url or not page.url else _with(article, url=page.url)
    try:
        found = from_pdf(page.body) if kind == "application/pdf" else from_html(page.body)
    except FormatError as e:
        raise ArticleError(str(e)) from e
    url = found.url if found.url.startswith(("http://", "https://")) else page.url
    title = found.title or (item.title if item else "") or source
    date = found.date or (item.date if item else None)
    return make_article(" ".join(title.split())[:300], found.body, source, date=date, url=url)


def item_article(item: Item, why: str) -> Article:
    """The feed's own summary as the article, when its page could not be read (`why`)."""
    summary = item.summary
    if "<" in summary:
        try:
            summary = from_html(f"<html><body><p>{summary}</p></body></html>".encode()).body
        except FormatError:
            summary = re.sub(r"<[^>]*>", " ", summary)
    lines = [" ".join(line.split()) for line in summary.splitlines()]
    body = "\n".join(line for line in lines if line)
    if not body:
        raise ArticleError(f"{why}; the feed gives no summary to keep instead")
    title = " ".join(item.title.split()) or body.split("\n")[0][:120]
    source = url_source(item.url) if item.url else "feed item"
    return make_article(title[:300], body, source, date=item.date, url=item.url)


def _with(article: Article, url: str) -> Article:
    return make_article(article.title, article.text, article.source, article.date, url)
