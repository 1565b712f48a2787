"""Web archives (WARC / WARC.gz): each HTML response is an article, read lazily."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from rag.ingest.articles import ArticleError, make_article
from rag.ingest.formats import MAX_TEXT_CHARS, FormatError, from_html
from rag.ingest.record import Reader, fail, parse_date
from rag.types import Article


def records(path: Path) -> Iterator[Reader]:
    """Each HTML response of a web archive; requests, metadata and other types are not
    articles and are passed over."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    limit = MAX_TEXT_CHARS * 4
    with path.open("rb") as stream:
        try:
            for n, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                kind = record.http_headers.get_header("Content-Type") or ""
                status = record.http_headers.get_statuscode()
                if status != "200" or "html" not in kind.lower():
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                date = record.rec_headers.get_header("WARC-Date") or ""
                data = record.content_stream().read(limit + 1)
                label = f"{path.name}:record {n} ({uri[:100]})"
                yield label, partial(_page, data, label, uri, date, limit)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
            reason = f"the web archive cannot be read from here on ({str(e)[:100]})"
            yield f"{path.name}:end", partial(fail, reason)


def _page(data: bytes, label: str, uri: str, warc_date: str, limit: int) -> Article:
    if len(data) > limit:
        raise ArticleError(f"the page is over {limit / 1e6:.0f} MB")
    try:
        page = from_html(data)
    except FormatError as e:
        raise ArticleError(str(e)) from e
    url = page.url if page.url.startswith(("http://", "https://")) else uri
    date = page.date or parse_date(warc_date[:10])
    return make_article(page.title[:300] or url or label, page.body, label, date=date, url=url)
