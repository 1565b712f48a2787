"""One export record as an article: its fields found by the names exports give them
(or the user's `--fields`), HTML in its text turned into paragraphs, its date as exports
write it. A record that cannot be an article raises ArticleError with the reason."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Callable

from rag.ingest.articles import ArticleError, make_article
from rag.ingest.formats import MAX_TEXT_CHARS, FormatError, from_html
from rag.types import Article

# Our four fields and the names an export may give them, in the order they are looked for.
FIELD_NAMES = {
    "title": ("title", "headline", "title_page", "title_rss", "name"),
    "date": ("date", "published", "date_publish", "published_at", "pubdate", "datetime"),
    "url": ("url", "link", "canonical_url", "source_url", "uri"),
    "text": ("text", "body", "content", "maintext", "article", "description"),
}
_HTML = re.compile(r"<(p|div|br|article|span|h[1-6])\b[^>]*>", re.I)
# A record's label (`export.jsonl:12`) and what reads it.
Reader = tuple[str, Callable[[], Article]]


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


def fail(reason: str) -> Article:
    """A reader's body for a record that cannot be read: raises with the reason."""
    raise ArticleError(reason)


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
