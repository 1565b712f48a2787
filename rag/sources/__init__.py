"""Where articles come from besides files: pages by URL, the feeds the archive follows
(polled in the background by rag/sources/poller.py), and the log of every job."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial
from itertools import chain
from pathlib import Path

from filelock import FileLock, Timeout

from rag.ingest.articles import ArticleError
from rag.ingest.bulk import is_bulk
from rag.ingest.readers import file_readers, upload_readers
from rag.ingest.writer import Preparer, Progress, Writer
from rag.settings import Settings
from rag.sources.feeds import Feed, Feeds
from rag.sources.fetch import Fetcher, FetchError
from rag.sources.jobs import Jobs
from rag.sources.pages import page_article
from rag.types import Article, FileResult


class Sources:
    def __init__(self, settings: Settings, writer: Writer) -> None:
        s = settings
        self.writer = writer
        self.max_bytes = int(s.max_file_mb * 1e6)
        self.jobs = Jobs(s.sources_path)
        self.feeds = Feeds(s.sources_path, s.feed_interval_min)
        self.fetcher = Fetcher(
            s.fetch_allow_private, s.fetch_timeout, s.fetch_delay, self.max_bytes
        )
        self._polling = FileLock(s.data_dir / "feeds.lock")

    def track(self, kind: str, label: str, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """`results` passed on and logged as a job."""
        return self.jobs.track(kind, label, results)

    def files(
        self,
        files: list[Path],
        progress: Progress | None,
        fields: dict[str, str] | None,
        preparer: Preparer | None = None,
    ) -> Iterator[FileResult]:
        """Add files (an export given by name record by record), logged as one job."""
        readers = file_readers(files, self.max_bytes, fields)
        total = 0 if any(is_bulk(p) for p in files) else len(files)
        label = _label([str(f) for f in files])
        written = self.writer.stream(readers, progress, total, preparer)
        return self.track("import" if total == 0 else "files", label, written)

    def uploads(
        self, uploads: list[tuple[str, bytes]], progress: Progress | None
    ) -> Iterator[FileResult]:
        """Add uploaded (file name, content) pairs, logged as one job."""
        readers = upload_readers(uploads, self.max_bytes)
        total = 0 if any(is_bulk(Path(name)) for name, _ in uploads) else len(uploads)
        label = ", ".join(name for name, _ in uploads)
        return self.track("upload", label, self.writer.stream(readers, progress, total))

    def fetch(self, urls: list[str], progress: Progress | None = None) -> list[FileResult]:
        """Fetch pages and add their articles; a refused or failed fetch is skipped with why."""
        readers = [(url, partial(self._page, url)) for url in urls]
        label = _label(urls)
        return list(self.track("urls", label, self.writer.stream(readers, progress, len(urls))))

    def _page(self, url: str) -> Article:
        try:
            return page_article(self.fetcher.get(url))
        except FetchError as e:
            raise ArticleError(str(e)) from e

    def follow(self, url: str, name: str = "") -> Feed:
        """Follow a feed; ValueError says why not (not http(s), refused address, followed)."""
        try:
            self.fetcher.check(url)
        except FetchError as e:
            raise ValueError(f"this feed would not be fetched: {e}") from e
        return self.feeds.add(url, name)

    def choose(self, key: str = "", every: bool = False) -> list[Feed]:
        """The feed named by `key` (number, URL or name), else every feed or the due ones;
        LookupError if there is no such feed."""
        if key:
            feed = self.feeds.find(key)
            if feed is None:
                raise LookupError(f"no feed '{key}' (see the list of feeds)")
            return [feed]
        return self.feeds.list() if every else self.feeds.due()

    def update(
        self,
        feeds: list[Feed] | None = None,
        progress: Progress | None = None,
        wait: float = 0,
    ) -> dict[str, list[FileResult]] | None:
        """Poll `feeds` (default: those due) and store what they bring, feed by feed;
        None if another process or thread is still polling after `wait` seconds. Feed URL ->
        its items' results."""
        try:
            self._polling.acquire(timeout=wait)
        except Timeout:
            return None
        try:
            return {f.url: self._update(f, progress) for f in feeds or self.feeds.due()}
        finally:
            self._polling.release()

    def _update(self, feed: Feed, progress: Progress | None) -> list[FileResult]:
        poll = self.feeds.poll(feed, self.fetcher)
        failed = [FileResult(feed.url, "skipped", reason=poll.reason)] * (poll.status == "failed")
        written = (
            self.writer.stream(poll.readers, progress, len(poll.readers)) if poll.readers else ()
        )
        notes = poll.notes or {}
        results = (
            replace(r, reason=r.reason or notes.get(r.path, ""))
            for r in chain(failed, poll.unchanged, written)
        )
        found = list(self.track("feeds", feed.name, results))
        self.feeds.polled(poll, found)
        return found


def _label(items: list[str]) -> str:
    """A job's name: its first item, and how many more."""
    if not items:
        return "nothing"
    return items[0] + (f" and {len(items) - 1} more" if len(items) > 1 else "")
