"""What the writer reads: a reader per file, and per record of a bulk export
(rag/ingest/bulk.py), produced lazily so that an export of any size streams through."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from rag.ingest.articles import parse_upload, read_article, safe_file_name
from rag.ingest.bulk import is_bulk, records
from rag.ingest.record import Reader


def file_readers(
    files: list[Path], max_bytes: int, fields: dict[str, str] | None = None
) -> Iterator[Reader]:
    """Files as given (an export given by name is read record by record)."""
    for path in files:
        if is_bulk(path):
            yield from records(path, fields)
        else:
            yield str(path), partial(read_article, path, max_bytes)


def upload_readers(
    uploads: list[tuple[str, bytes]], max_bytes: int, fields: dict[str, str] | None = None
) -> Iterator[Reader]:
    """Uploaded (file name, content) pairs; an uploaded export is read from a temporary copy."""
    for name, data in uploads:
        if not is_bulk(Path(name)):
            yield name, partial(parse_upload, name, data, max_bytes)
            continue
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / safe_file_name(name)
            copy.write_bytes(data)
            yield from records(copy, fields)
