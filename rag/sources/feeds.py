"""The feeds an archive follows (RSS 0.9x/1.0/2.0 and Atom, read by feedparser) and one
poll of a feed: the feed by conditional GET, then each item's page (conditional GET too),
its article extracted as an uploaded page's is, or the feed's summary when the page cannot
be read. The writer stores what the poll found, exactly as it stores re-ingested files.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

from rag.ingest.articles import ArticleError
from rag.sources.fetch import Fetcher, FetchError
from rag.sources.jobs import connect
from rag.sources.pages import Item, item_article, page_article
from rag.types import Article, FileResult

MAX_ITEMS = 200  # items read per poll of one feed (feeds list the newest first)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    added TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_fetched TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',
    reason TEXT NOT NULL DEFAULT '',
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    next_due TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS feed_pages (
    url TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    last_modified TEXT NOT NULL
);
"""
_COLUMNS = "id, url, name, added, last_fetched, status, reason, new, updated, failed, next_due"


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    name: str
    added: str
    last_fetched: str  # "" until first polled
    status: str  # "new", "ok", "unchanged" (the feed answered 304) or "failed"
    reason: str  # why it failed, or what was odd about it
    new: int  # items added, updated, failed at the last poll
    updated: int
    failed: int
    next_due: str


@dataclass(frozen=True)
class Poll:
    """What one poll of a feed found: readers for the writer, items known unchanged."""

    feed: Feed
    readers: list[tuple[str, Callable[[], Article]]]
    unchanged: list[FileResult]
    status: str
    reason: str = ""
    etag: str = ""
    last_modified: str = ""
    pages: dict[str, tuple[str, str]] | None = None  # item URL -> its page's ETag, date
    notes: dict[str, str] | None = None  # item URL -> why the feed's summary stands in


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Feeds:
    def __init__(self, path: Path, interval_min: float) -> None:
        self.path, self.interval = path, dt.timedelta(minutes=interval_min)
        with closing(connect(path)) as db:
            db.executescript(_SCHEMA)

    def add(self, url: str, name: str = "") -> Feed:
        """Follow a feed (due at once); ValueError if it is not an http(s) URL or followed."""
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a feed is an http:// or https:// address, not '{url[:80]}'")
        with closing(connect(self.path)) as db, db:
            try:
                db.execute(
                    "INSERT INTO feeds (url, name, added, next_due) VALUES (?, ?, ?, ?)",
                    (url, name.strip()[:200] or url, _now().isoformat(), _now().isoformat()),
                )
            except sqlite3.IntegrityError as e:
                raise ValueError(f"the archive already follows {url}") from e
        return next(f for f in self.list() if f.url == url)

    def list(self) -> list[Feed]:
        with closing(connect(self.path)) as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY id").fetchall()
        return [Feed(*row) for row in rows]

    def find(self, key: str) -> Feed | None:
        """A feed by its number, URL or name."""
        return next((f for f in self.list() if key.strip() in (str(f.id), f.url, f.name)), None)

    def remove(self, feed: Feed) -> None:
        """Stop following a feed; the articles it brought stay in the archive."""
        with closing(connect(self.path)) as db, db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))

    def due(self) -> list[Feed]:
        now = _now().isoformat()
        return [f for f in self.list() if not f.next_due or f.next_due <= now]

    def poll(self, feed: Feed, fetcher: Fetcher) -> Poll:
        """Fetch the feed and its items' pages (no writing: the lock is not needed)."""
        with closing(connect(self.path)) as db:
            etag, modified = db.execute(
                "SELECT etag, last_modified FROM feeds WHERE id = ?", (feed.id,)
            ).fetchone() or ("", "")
        try:
            got = fetcher.get(feed.url, etag, modified)
        except FetchError as e:
            return Poll(feed, [], [], "failed", f"the feed: {e}", etag, modified)
        if got.status == 304:
            return Poll(feed, [], [], "unchanged", "", got.etag or etag, got.last_modified)
        items, problem = parse_feed(got.body, got.url, got.content_type)
        if problem and not items:
            return Poll(feed, [], [], "failed", problem, etag, modified)
        readers, unchanged, pages, notes = [], [], {}, {}
        for item in items[:MAX_ITEMS]:
            found = self._item(item, fetcher)
            if isinstance(found, FileResult):
                unchanged.append(found)
            elif isinstance(found[1], str):
                readers.append((found[0], partial(item_article, item, found[1])))
                notes[found[0]] = f"the feed's summary kept instead: {found[1]}"
            else:
                readers.append(found[:2])
                pages[item.url] = found[2]
        return Poll(feed, readers, unchanged, "ok", problem, got.etag, got.last_modified,
                    pages, notes)  # fmt: skip

    def _item(self, item: Item, fetcher: Fetcher) -> FileResult | tuple:
        """The item found unchanged (its page answered 304); or (label, reader, the page's
        validators); or (label, why the page cannot be read) for the summary to stand in."""
        if not item.url:
            return f"{item.title[:80] or 'item'} (no link)", "the item has no link"
        with closing(connect(self.path)) as db:
            known = db.execute(
                "SELECT etag, last_modified FROM feed_pages WHERE url = ?", (item.url,)
            ).fetchone() or ("", "")
        try:
            page = fetcher.get(item.url, *known)
        except FetchError as e:
            return item.url, f"the page: {e}"
        if page.status == 304:
            return FileResult(item.url, "unchanged", title=item.title)
        try:
            article = page_article(page, item)
        except ArticleError as e:
            return item.url, f"the page: {e}"
        return item.url, lambda: article, (page.etag, page.last_modified)

    def polled(self, poll: Poll, results: list[FileResult]) -> None:
        """Note a poll's outcome; remember the validators of the pages now stored."""
        results = [r for r in results if r.path != poll.feed.url]
        counts = {s: sum(r.status == s for r in results) for s in ("added", "updated", "skipped")}
        stored = {r.path for r in results if r.status != "skipped"}
        now = _now()
        with closing(connect(self.path)) as db, db:
            db.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, last_fetched = ?, status = ?, "
                "reason = ?, new = ?, updated = ?, failed = ?, next_due = ? WHERE id = ?",
                (poll.etag, poll.last_modified, now.isoformat(), poll.status, poll.reason[:500],
                 counts["added"], counts["updated"], counts["skipped"],
                 (now + self.interval).isoformat(), poll.feed.id),
            )  # fmt: skip
            db.executemany(
                "INSERT OR REPLACE INTO feed_pages VALUES (?, ?, ?)",
                [(u, *v) for u, v in (poll.pages or {}).items() if u in stored and any(v)],
            )


def parse_feed(data: bytes, url: str, content_type: str) -> tuple[list[Item], str]:
    """A feed's items, and what was wrong with it ("" if nothing)."""
    import feedparser

    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    problem = ""
    if parsed.get("bozo"):
        error = parsed.get("bozo_exception")
        problem = f"the feed is not well-formed XML ({type(error).__name__}: {str(error)[:80]})"
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        link = urljoin(url, link) if link else ""
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        date = dt.date(*when[:3]) if when else None
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry.content[0].get("value", "")
        items.append(Item(link, entry.get("title") or "", date, summary))
    if not items and not problem:
        problem = "no items found: is this an RSS or Atom feed?"
    return items, problem
