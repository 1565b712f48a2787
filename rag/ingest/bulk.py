"""Exports read one record at a time: JSON Lines, CSV, JSON (one article, as news-please
writes it, or an array of them) and web archives (WARC / WARC.gz: each HTML response).

Every record becomes a reader for the writer, labelled `export.jsonl:12` (line, row, item
or record number), so that one bad record is skipped with its reason and the rest go on.
Nothing is read ahead: a file of any size is imported with bounded memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from rag.ingest.articles import ArticleError, make_article
from rag.ingest.formats import MAX_TEXT_CHARS, FormatError, from_html
from rag.types import Article

BULK_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".json", ".warc", ".warc.gz")
# Our four fields and the names an export may give them, in the order they are looked for.
FIELD_NAMES = {
    "title": ("title", "headline", "title_page", "title_rss", "name"),
    "date": ("date", "published", "date_publish", "published_at", "pubdate", "datetime"),
    "url": ("url", "link", "canonical_url", "source_url", "uri"),
    "text": ("text", "body", "content", "maintext", "article", "description"),
}
_HTML = re.compile(r"<(p|div|br|article|span|h[1-6])\b[^>]*>", re.I)
_CHUNK = 1 << 16
Reader = tuple[str, Callable[[], Article]]


def is_bulk(path: Path) -> bool:
    return path.name.lower().endswith(BULK_SUFFIXES)


def field_map(text: str) -> dict[str, str]:
    """`--fields title=headline,text=body` as {"title": "headline", "text": "body"}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        ours, _, theirs = part.partition("=")
        if ours.strip() not in FIELD_NAMES or not theirs.strip():
            known = ", ".join(FIELD_NAMES)
            raise ValueError(f"'{part}' is not FIELD=NAME with FIELD one of {known}")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def records(path: Path, fields: dict[str, str] | None = None) -> Iterator[Reader]:
    """A reader per record of the export at `path`, read lazily; an export that cannot be
    opened, or holds no record, is one reader that says so."""
    count = 0
    try:
        for count, reader in enumerate(_records(path, fields or {}), start=1):  # noqa: B007
            yield reader
    except OSError as e:
        yield path.name, partial(_fail, f"cannot read file: {e.strerror or e}")
        return
    if not count:
        yield path.name, partial(_fail, "no records found in this export")


def _records(path: Path, fields: dict[str, str]) -> Iterator[Reader]:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        yield from _warc(path)
        return
    with path.open("rb") as stream:
        if name.endswith(".csv"):
            yield from _csv(stream, path.name, fields)
        elif name.endswith(".json"):
            yield from _json(stream, path.name, fields)
        else:
            for n, line in enumerate(stream, start=1):
                if line.strip():
                    yield f"{path.name}:{n}", partial(_json_line, line, f"{path.name}:{n}", fields)


def _json_line(line: bytes, label: str, fields: dict[str, str]) -> Article:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, ValueError) as e:
        raise ArticleError(f"not a JSON record ({str(e)[:80]})") from e
    return from_record(record, label, fields)


def _csv(stream: BinaryIO, name: str, fields: dict[str, str]) -> Iterator[Reader]:
    csv.field_size_limit(MAX_TEXT_CHARS)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    rows = csv.DictReader(text)
    n = 0
    while True:
        n += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            yield f"{name}:row {n}", partial(_fail, f"not a CSV row ({e})")
            continue
        yield f"{name}:row {n}", partial(_csv_row, row, f"{name}:row {n}", fields)


def _csv_row(row: dict, label: str, fields: dict[str, str]) -> Article:
    values = [v for v in row.values() if isinstance(v, str)]
    if any("\udc80" <= c <= "\udcff" for v in values for c in v):
        raise ArticleError("the row is not valid UTF-8 text")
    return from_record(row, label, fields)


def _json(stream: BinaryIO, name: str, fields: dict[str, str]) -> Iterator[Reader]:
    """One object, or an array of objects decoded one at a time."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace")
    decoder, buffer, n = json.JSONDecoder(), text.read(_CHUNK), 0
    pos = _skip(buffer, 0, " \t\r\n")
    if not buffer[pos : pos + 1] == "[":
        whole = buffer + text.read()
        label = f"{name}:1"
        yield label, partial(_json_line, whole.encode(), label, fields)
        return
    pos += 1
    while True:
        pos = _skip(buffer, pos, " \t\r\n,")
        if pos >= len(buffer):
            more = text.read(_CHUNK)
            if not more:
                return
            buffer, pos = buffer[pos:] + more, 0
            continue
        if buffer[pos] == "]":
            return
        n += 1
        try:
            item, end = decoder.raw_decode(buffer, pos)
        except ValueError as e:
            more = text.read(max(_CHUNK, len(buffer)))  # the item runs past the buffer
            if more:
                buffer, pos = buffer[pos:] + more, 0
                n -= 1
                continue
            reason = f"item {n} onward is not valid JSON ({str(e)[:80]})"
            yield f"{name}:item {n}", partial(_fail, reason)
            return
        buffer, pos = buffer[end:], 0
        yield f"{name}:item {n}", partial(from_record, item, f"{name}:item {n}", fields)


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _fail(reason: str) -> Article:
    raise ArticleError(reason)


def _warc(path: Path) -> Iterator[Reader]:
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
            yield f"{path.name}:end", partial(_fail, reason)


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


def from_record(record: object, label: str, fields: dict[str, str]) -> Article:
    """An article from one export record (a dict of fields)."""
    if not isinstance(record, dict):
        raise ArticleError(f"a record should be an object of fields, found {type(record).__name__}")
    value = {ours: _field(record, ours, fields) for ours in FIELD_NAMES}
    text = value["text"]
    if not text:
        names = fields.get("text") or ", ".join(FIELD_NAMES["text"])
        raise ArticleError(f"the record has no text (looked for: {names}; map yours with "
                           "--fields text=NAME)")  # fmt: skip
    if _HTML.search(text[:5000]):
        try:
            text = from_html(text.encode()).body
        except FormatError as e:
            raise ArticleError(str(e)) from e
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]
    title = " ".join(value["title"].split()) or body.split("\n")[0][:120]
    date = None
    if value["date"]:
        date = parse_date(value["date"])
        if date is None:
            raise ArticleError(f"'{value['date'][:40]}' is not a date (expected e.g. 2024-03-01; "
                               "map another field with --fields date=NAME)")  # fmt: skip
    url = value["url"] if re.match(r"^https?://\S+$", value["url"]) else ""
    return make_article(title[:300], body, label, date=date, url=url)


def _field(record: dict, ours: str, fields: dict[str, str]) -> str:
    names = (fields[ours],) if ours in fields else FIELD_NAMES[ours]
    for name in names:
        value = record.get(name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)) and ours == "date":
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def parse_date(text: str) -> dt.date | None:
    """A publication date as exports write it: ISO, YYYYMMDD, RFC 2822 or Unix seconds."""
    text = text.strip()
    found: dt.date | None = None
    try:
        if re.fullmatch(r"\d{8}", text):
            found = dt.datetime.strptime(text, "%Y%m%d").date()
        elif re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            seconds = float(text) / (1000 if float(text) > 1e11 else 1)
            found = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
        elif re.match(r"\d{4}-\d{2}-\d{2}", text):
            try:
                found = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            except ValueError:
                found = dt.date.fromisoformat(text[:10])
        else:
            found = email.utils.parsedate_to_datetime(text).date()
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return found if found and 1800 <= found.year <= 2200 else None
