"""A timeline as JSON (`timeline --json`, the API, MCP, `eval --timelines --out`) and as
plain text (the CLI, the UI's export)."""

from __future__ import annotations

from rag.text.dates import day
from rag.timeline.build import Timeline


def timeline_json(made: Timeline) -> dict:
    """The `timeline --json` shape: each entry's summary sentences are exact quotes, cited
    (`article_text[start:end] == quote`); `coverage` = articles on the topic per day."""
    fields = ("n", "doc_id", "title", "date", "url", "source", "chunk_id", "quote", "start",
              "end")  # fmt: skip
    entries = [
        {"date": e.date, "summary": e.summary,
         "citations": [{f: getattr(c, f) for f in fields} for c in e.citations]}
        for e in made.entries
    ]  # fmt: skip
    coverage = [{"date": d, "articles": n} for d, n in made.coverage]
    return {"query": made.query, "entries": entries, "coverage": coverage}


def timeline_text(made: Timeline) -> str:
    """A timeline as plain text: each day, its quotes with [n], then the sources once."""
    if not made.entries:
        return f"The archive holds no dated events for “{made.query}”."
    lines, sources = [], {}
    for e in made.entries:
        lines.append(day(e.date))
        for c in e.citations:
            lines.append(f"  {quoted(c.quote)} [{c.n}]")
            sources.setdefault(c.n, c)
    lines += ["", "Sources:"]
    lines += [f"[{n}] {c.title}, {c.date}. {c.url or c.source}" for n, c in sorted(sources.items())]
    return "\n".join(lines)


def quoted(sentence: str) -> str:
    """A quoted sentence in quotation marks: “…”, unless it opens with its own (“We…,” he
    said) — marks around it would read ““We…"."""
    return sentence if sentence[:1] in "“\"‘'" else f"“{sentence}”"
