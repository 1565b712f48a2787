"""Text out of web pages (.html, with trafilatura) and PDFs (.pdf, with pypdf).

Both treat the file as hostile: scripts, styles, event handlers and links are dropped with
the markup (only text survives); a PDF that is encrypted, broken, or would expand past
the limits below is refused with a reason.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

# A PDF bomb expands small pages into huge text; stop well before memory is at risk.
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 5_000_000


class FormatError(ValueError):
    """A file whose format cannot be read; the message says why."""


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str  # one paragraph per line
    date: dt.date | None = None
    url: str = ""


def from_html(data: bytes) -> Extracted:
    """The article of a news web page: main text, title, publication date, canonical URL."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_links=False,
            include_images=False,
        )
    except Exception as e:  # the parser's own errors are many and undocumented
        raise FormatError(f"cannot read this web page ({type(e).__name__})") from e
    if doc is None or not (doc.text or "").strip():
        raise FormatError("no article text found in this web page")
    date = None
    if doc.date:
        try:
            date = dt.date.fromisoformat(doc.date[:10])
        except ValueError:
            date = None
    url = doc.url or ""
    body = "\n".join(line.strip() for line in doc.text.splitlines() if line.strip())
    return Extracted((doc.title or "").strip(), body[:MAX_TEXT_CHARS], date, url)


def from_pdf(data: bytes) -> Extracted:
    """The text of a PDF, page by page; refuses encrypted, broken and oversized ones."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FormatError("the PDF is encrypted; save an unprotected copy and add that")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise FormatError(
                f"the PDF has {len(reader.pages)} pages; the limit is {MAX_PDF_PAGES}"
            )
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            size += len(text)
            if size > MAX_TEXT_CHARS:
                raise FormatError(f"the PDF's text is over {MAX_TEXT_CHARS:,} characters")
            parts.append(text)
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except FormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError) as e:
        raise FormatError(f"cannot read this PDF ({type(e).__name__}: {str(e)[:80]})") from e
    lines = [" ".join(line.split()) for part in parts for line in part.splitlines()]
    body = "\n".join(line for line in lines if line)
    if not body:
        raise FormatError("the PDF has no text layer (a scan?); nothing to search")
    return Extracted(title, body)
