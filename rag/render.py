"""Turn untrusted article and answer text into safe Markdown for the UI (pure functions).

Every Markdown-significant character is backslash-escaped, so document text can never
become a link, an image that loads from outside, HTML, LaTeX or a Streamlit directive.
"""

from __future__ import annotations

import re

from rag.text.dates import day
from rag.types import Answer, Span

__all__ = ["answer_markdown", "day", "escape_answer", "escape_markdown", "highlight", "safe_url"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^])")


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer, line breaks kept."""
    escaped = _SPECIAL.sub(r"\\\1", text)
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


def answer_markdown(answer: Answer) -> str:
    """The answer with a numbered reference list, as Markdown to paste elsewhere."""
    lines = [answer.text.strip()]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            where = c.url or c.source
            lines.append(f"[{c.n}] {c.title}, {c.date or 'undated'}. {where}")
    return "\n".join(lines) + "\n"


def escape_answer(text: str, unsupported_mark: str) -> str:
    """An answer's escaped text with the marks of unsupported claims shown in red."""
    escaped = escape_markdown(text)
    mark = escape_markdown(unsupported_mark)
    return escaped.replace(mark, f":red[**{mark}**]") if mark else escaped
