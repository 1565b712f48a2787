"""Read article files into `Article`s: the archive's seed format, .txt, .md, .html, .pdf.

Seed format: line 1 title, line 2 date YYYYMMDD, line 3 source URL, then one paragraph per
line. Any other .txt/.md file: the title is its first heading or line and it has no date.
Web pages and PDFs go through rag/ingest/formats.py. Text is kept as written; nothing is "fixed".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from rag.ingest.formats import FormatError, from_html, from_pdf
from rag.text.urls import url_key
from rag.types import Article

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
_URL = re.compile(r"^https?://\S+$")
# Line 3 of a seed file may name its source with any URI scheme (rgb://..., urn-like ids
# of a wire service); only http(s) ones are ever shown as links.
_SOURCE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


class ArticleError(ValueError):
    """A file that cannot be read as an article; the message says why and what to do."""


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: the files given, and the supported files below each folder given
    (hidden ones left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)  # a missing path is reported as skipped by the reader
    return files


def read_article(path: Path, max_bytes: int | None = None) -> Article:
    """Read one file; raise ArticleError with a specific reason if it is not a usable article."""
    _check_file(path.name, path.stat().st_size, max_bytes)
    return parse_article(path.read_bytes(), path.name)


def parse_upload(name: str, data: bytes, max_bytes: int | None = None) -> Article:
    """Parse an uploaded file's content; `name` is the uploader's file name (never a path)."""
    source = safe_file_name(name)
    _check_file(source, len(data), max_bytes)
    return parse_article(data, source)


def _check_file(name: str, size: int, max_bytes: int | None) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise ArticleError(f"unsupported file type '{suffix or '(none)'}'; supported: {supported}")
    if max_bytes is not None and size > max_bytes:
        raise ArticleError(
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(raise RAG_MAX_FILE_MB to allow it)"
        )


def safe_file_name(name: str) -> str:
    """A display-safe base name: no folders, control characters or runaway length."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip() or "upload"
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        return f"{stem[:120]}.{suffix}" if stem else base[:130]
    return base[:130]


def parse_article(data: bytes, source: str) -> Article:
    """Parse file bytes; `source` is the file name shown to users."""
    suffix = Path(source).suffix.lower()
    if suffix in (".html", ".htm", ".pdf"):
        if not data.strip():
            raise ArticleError("file is empty")
        try:
            page = from_pdf(data) if suffix == ".pdf" else from_html(data)
        except FormatError as e:
            raise ArticleError(str(e)) from e
        url = page.url if _URL.match(page.url) else ""
        title = page.title or Path(source).stem
        return make_article(title[:300], page.body, source, date=page.date, url=url)
    text = _decode(data)
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ArticleError("file is empty")
    looks_seed = len(lines) >= 3 and _SOURCE_URI.match(lines[2].strip())
    if looks_seed or (len(lines) >= 2 and re.fullmatch(r"\d{8}", lines[1].strip())):
        return _seed_article(lines, source)
    return _plain_article(lines, source)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ArticleError("file is empty")
    if b"\x00" in data[:8192]:
        raise ArticleError("file looks binary (it contains NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ArticleError(
            f"file is not valid UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "save it as UTF-8 and try again"
        ) from e
    if "\x00" in text:
        raise ArticleError("file contains NUL characters; expected plain text")
    return text


def _seed_article(lines: list[str], source: str) -> Article:
    title, date_line = lines[0].strip(), lines[1].strip()
    url = lines[2].strip() if len(lines) >= 3 else ""
    date = _parse_date(date_line)
    if not _SOURCE_URI.match(url):
        raise ArticleError(f"line 3 should be the source URL (https://...), found '{url[:60]}'")
    if not title:
        raise ArticleError("line 1 (the title) is empty")
    body = "\n".join(lines[3:]).strip("\n")
    if not body.strip():
        raise ArticleError("the article has a header but no text after line 3")
    return make_article(title, body, source, date=date, url=url)


def _parse_date(line: str) -> dt.date:
    if not re.fullmatch(r"\d{8}", line):
        raise ArticleError(f"line 2 should be the date as YYYYMMDD, found '{line[:40]}'")
    try:
        return dt.datetime.strptime(line, "%Y%m%d").date()
    except ValueError as e:
        raise ArticleError(f"line 2 is not a real date: '{line}' (expected YYYYMMDD)") from e


def _plain_article(lines: list[str], source: str) -> Article:
    first = next(i for i, line in enumerate(lines) if line.strip())
    title = lines[first].strip().lstrip("#").strip() or source
    body = "\n".join(lines[first + 1 :]).strip("\n")
    if not body.strip():
        # A one-line note is still a document: its line is both title and text.
        body = lines[first].strip()
    return make_article(title[:300], body, source)


def make_article(
    title: str, body: str, source: str, date: dt.date | None = None, url: str = ""
) -> Article:
    normalized = " ".join(body.split()).lower()
    content_hash = hashlib.sha256(f"{title}\n{date}\n{url}\n{body}".encode()).hexdigest()
    identity = f"url:{url_key(url)}" if url else "text:" + normalized
    doc_id = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Article(doc_id, title, body, source, date, url, content_hash)
