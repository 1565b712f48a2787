"""Turn untrusted article and answer text into safe Markdown for the UI (pure functions).

Every Markdown-significant character is backslash-escaped, so document text can never
become a link, an image that loads from outside, HTML, LaTeX or a Streamlit directive.
Escaping alone does not stop GitHub-flavoured autolinks (bare https://…, www.…, and e-mail
addresses are linked after parsing, whatever was escaped), so an invisible word joiner
(U+2060) is put where such a link would start. The text reads the same; only links we
build (`safe_url`) are ever links.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlencode

from rag.answer.types import Answer, Asked
from rag.text.dates import date_range, day
from rag.text.patterns import content_words
from rag.types import DocInfo, Filters, Span, site_of

__all__ = [
    "answer_markdown",
    "asked_caption",
    "copies_line",
    "reported_line",
    "day",
    "escape_answer",
    "escape_markdown",
    "highlight",
    "parse_share",
    "reach",
    "safe_url",
    "sentence_query",
    "share_query",
    "snippet",
    "text_fragment_url",
    "word_spans",
]

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^])")
# Where a GFM autolink would begin: after "http:" / "https:" before "//", after "www"
# before ".", after the "@" of an e-mail address.
_AUTOLINK = re.compile(r"(?i)(?<=http:)(?=//)|(?<=https:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=\w)")
WORD_JOINER = "\u2060"


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer, line breaks kept, never a link."""
    escaped = _SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))
    return escaped.replace("\r", "").replace("\n", "  \n")


def highlight(text: str, offset: int, strong: list[Span], light: Span | None = None) -> str:
    """Escaped `text` (starting at article offset `offset`) with `strong` spans highlighted
    and the `light` span (the cited passage) in italics around them."""
    marks: list[tuple[int, int, str]] = [
        (s.start - offset, s.end - offset, "strong") for s in strong
    ]
    out: list[str] = []
    pos = 0
    for start, end, _ in sorted(marks):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(_light(text[pos:start], pos + offset, light))
        out.append(":orange-background[**" + escape_markdown(text[start:end]) + "**]")
        pos = end
    out.append(_light(text[pos:], pos + offset, light))
    return "".join(out)


def _light(piece: str, offset: int, light: Span | None) -> str:
    if not piece or light is None:
        return escape_markdown(piece)
    a = min(max(light.start - offset, 0), len(piece))
    b = min(max(light.end - offset, 0), len(piece))
    inner = piece[a:b]
    styled = (
        ":blue-background[" + escape_markdown(inner) + "]"
        if inner.strip()
        else escape_markdown(inner)
    )
    return escape_markdown(piece[:a]) + styled + escape_markdown(piece[b:])


def safe_url(url: str) -> str | None:
    """The URL if it is a plain http(s) link that is safe to show as a link, else None."""
    if re.fullmatch(r"https?://[^\s<>()\[\]\"'`\\]+", url):
        return url
    return None


def copies_line(copies: tuple[DocInfo, ...]) -> str:
    """ "Also published as: site (date), …" for an article's near-copies (plain text)."""
    named = [f"{site_of(d.url) or d.source} ({day(d.date)})" for d in copies]
    return "Also published as: " + ", ".join(named) if copies else ""


def reported_line(reports: tuple[DocInfo, ...], shown: int = 8) -> str:
    """ "Also reported by 3 outlets: site (date), …" for the other articles of a story;
    "Also reported in 2 articles by 1 outlet: …" when an outlet reported it more than once."""
    if not reports:
        return ""
    outlets = len({site_of(d.url) or d.source for d in reports})
    named = [f"{site_of(d.url) or d.source} ({day(d.date)})" for d in reports[:shown]]
    more = f" and {len(reports) - shown} more" if len(reports) > shown else ""
    by = "by 1 outlet" if outlets == 1 else f"by {outlets} outlets"
    if len(reports) > outlets:
        by = f"in {len(reports)} articles {by}"
    return f"Also reported {by}: " + ", ".join(named) + more


def answer_markdown(answer: Answer) -> str:
    """The answer with a numbered reference list, as Markdown to paste elsewhere."""
    lines = [answer.text.strip()]
    if answer.citations:
        lines += ["", "Sources:"]
        for c, *_ in answer.sources():
            where = c.url or c.source
            lines.append(f"[{c.n}] {c.title}, {c.date or 'undated'}. {where}")
    return "\n".join(lines) + "\n"


def escape_answer(text: str, unsupported_mark: str) -> str:
    """An answer's escaped text with the marks of unsupported claims shown in red."""
    escaped = escape_markdown(text)
    mark = escape_markdown(unsupported_mark)
    return escaped.replace(mark, f":red[**{mark}**]") if mark else escaped


def asked_caption(asked: Asked, today: dt.date) -> str:
    """What an answer was answered under, in words: as of when, which dates and sites."""
    f = asked.filters
    parts = [f"as of {day((asked.as_of or today).isoformat())}"]
    if f.since or f.until:
        start = day(f.since.isoformat()) if f.since else "the first article"
        end = day(f.until.isoformat()) if f.until else "the last"
        parts.append(f"published {start} – {end}")
    parts.append("sites: " + ", ".join(f.sites) if f.sites else "any site")
    if asked.offline:
        parts.append("quotes only")
    return "Answered " + " · ".join(parts)


def reach(answer: Answer, asked: dt.date) -> str:
    """How far back an answer's sources reach from `asked`, the day it was asked as of, e.g.
    "Sources published 12–16 June 2022, 3–7 days before 19 June 2022"; "" without sources."""
    dates = [c.date for c in answer.citations]
    if not dates:
        return ""
    ages = sorted({(asked - dt.date.fromisoformat(d)).days for d in dates if d})
    span = "Sources " + date_range(dates)
    if not ages:
        return span
    if ages[-1] == 0:
        return f"{span}, the day it was asked as of"
    low, high = ages[0], ages[-1]
    days = f"{low}–{high} days" if low != high else f"{high} day" + "s" * (high != 1)
    return f"{span}, {days} before {asked:%-d %B %Y}"


def share_query(asked: Asked) -> str:
    """The query string of a link that asks the same question under the same options."""
    f = asked.filters
    params: list[tuple[str, str]] = [("q", asked.question)]
    for name, value in (("as_of", asked.as_of), ("since", f.since), ("until", f.until)):
        if value:
            params.append((name, value.isoformat()))
    params += [("site", s) for s in f.sites]
    if asked.offline:
        params.append(("offline", "1"))
    return "?" + urlencode(params)


def parse_share(params: dict[str, list[str]]) -> Asked | None:
    """The question a share link asks (`share_query`); None without one. Dates that do not
    parse are left out rather than failing the page."""
    question = (params.get("q") or [""])[0].strip()
    if not question:
        return None

    def date(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat((params.get(name) or [""])[0])
        except ValueError:
            return None

    sites = tuple(s for s in params.get("site", []) if s)
    filters = Filters(date("since"), date("until"), sites)
    return Asked(question, date("as_of"), filters, (params.get("offline") or [""])[0] == "1")


def sentence_query(doc_id: str, start: int, end: int) -> str:
    """The query string of a link that opens a document at one of its sentences."""
    return "?" + urlencode({"doc": doc_id, "at": start, "to": end})


def text_fragment_url(url: str, quote_text: str) -> str | None:
    """A link into the original page that browsers scroll to and mark (`#:~:text=`), for
    http(s) sources; long quotes are matched by their first and last words."""
    base = safe_url(url)
    if base is None or not quote_text.strip():
        return None
    words = quote_text.split()

    def encode(part: list[str]) -> str:
        return quote(" ".join(part), safe="").replace("-", "%2D")

    target = encode(words) if len(words) <= 10 else f"{encode(words[:5])},{encode(words[-5:])}"
    return f"{base.split('#')[0]}#:~:text={target}"


def word_spans(text: str, query: str) -> list[Span]:
    """Where the query's topic words stand in `text`, for highlighting search matches."""
    words = content_words(query)
    if not words:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words))) + r")\b", re.I)
    return [Span(m.start(), m.end()) for m in pattern.finditer(text)]


def snippet(text: str, query: str, width: int = 220) -> str:
    """About `width` characters of `text` around the first of the query's words it holds
    (plain text, for a table cell)."""
    spans = word_spans(text, query)
    first = spans[0].start if spans else 0
    start = max(0, first - width // 3)
    if start > 0:  # begin at a word
        start = text.find(" ", start, first) + 1 or start
    piece = " ".join(text[start : start + width].split())
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(text) else "")
