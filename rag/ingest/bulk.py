"""Exports read one record at a time: JSON Lines, CSV, JSON (one article, as news-please
writes it, or an array of them) and web archives (WARC / WARC.gz: each HTML response).

Every record becomes a reader for the writer, labelled `export.jsonl:12` (line, row, item
or record number), so that one bad record is skipped with its reason and the rest go on.
Nothing is read ahead: a file of any size is imported with bounded memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from rag.ingest import warc
from rag.ingest.articles import ArticleError
from rag.ingest.formats import MAX_TEXT_CHARS
from rag.ingest.record import Reader, fail, from_record
from rag.types import Article

BULK_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".json", ".warc", ".warc.gz")
_CHUNK = 1 << 16


def is_bulk(path: Path) -> bool:
    return path.name.lower().endswith(BULK_SUFFIXES)


def records(path: Path, fields: dict[str, str] | None = None) -> Iterator[Reader]:
    """A reader per record of the export at `path`, read lazily; an export that cannot be
    opened, or holds no record, is one reader that says so."""
    count = 0
    try:
        for count, reader in enumerate(_records(path, fields or {}), start=1):  # noqa: B007
            yield reader
    except OSError as e:
        yield path.name, partial(fail, f"cannot read file: {e.strerror or e}")
        return
    if not count:
        yield path.name, partial(fail, "no records found in this export")


def _records(path: Path, fields: dict[str, str]) -> Iterator[Reader]:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        yield from warc.records(path)
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
            yield f"{name}:row {n}", partial(fail, f"not a CSV row ({e})")
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
            yield f"{name}:item {n}", partial(fail, reason)
            return
        buffer, pos = buffer[end:], 0
        yield f"{name}:item {n}", partial(from_record, item, f"{name}:item {n}", fields)


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos
