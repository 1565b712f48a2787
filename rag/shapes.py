"""The JSON shapes the command line prints (`--json`) and the API and MCP tools return:
one function per shape, so every shell gives the same fields (pure functions)."""

from __future__ import annotations

from dataclasses import asdict

from rag.answer.types import Answer
from rag.index.quotes import Speaker
from rag.types import DocInfo, Hit, Quote, Story


def hit_json(hit: Hit) -> dict:
    """A hit; `also`: the other reports of its story the search found, each with its best
    passage (the first hits are different stories: rag/search/fusion.py)."""
    fields = ("rank", "score", "chunk_id", "doc_id", "title", "date", "url", "source", "text")
    out = {f: getattr(hit, f) for f in fields}
    out.update(score=round(hit.score, 4), start=hit.start, end=hit.end)
    out["also"] = [hit_json(a) | {"rank": hit.rank} for a in hit.also]
    return out


def search_json(query: str, hits: list[Hit]) -> dict:
    """The `search --json` shape."""
    return {"query": query, "hits": [hit_json(h) for h in hits]}


def stories_json(stories: list[Story]) -> dict:
    """The `stories --json` shape."""
    fields = ("doc_id", "title", "date", "url", "source", "copy_of")
    rows = []
    for s in stories:
        row = asdict(s)
        row["documents"] = [{f: getattr(d, f) for f in fields} for d in s.documents]
        rows.append(row)
    return {"stories": rows}


def quotes_json(quotes: list[Quote]) -> dict:
    """The `quotes --json` shape: each attribution with its article; `start`/`end` are
    the quote's offsets in the article's stored text, `speaker_start`/`speaker_end` those of
    the words naming the speaker (-1 for a quotation continued from the one before)."""
    rows = []
    for q in quotes:
        a, d = q.attribution, q.doc
        rows.append({"doc_id": d.doc_id, "source": d.source, "title": d.title, "date": d.date,
                     "url": d.url, "speaker": a.speaker, "cue": a.cue, "quote": q.text,
                     "start": a.start, "end": a.end, "direct": a.direct,
                     "speaker_start": a.speaker_start, "speaker_end": a.speaker_end})  # fmt: skip
    return {"quotes": rows}


def speakers_json(speakers: list[Speaker]) -> dict:
    """The `speakers --json` shape."""
    return {"speakers": [asdict(s) for s in speakers]}


def documents_json(docs: list[DocInfo]) -> dict:
    """The `docs --json` shape."""
    return {"documents": [asdict(d) for d in docs]}


def answer_json(answer: Answer) -> dict:
    """The `ask --json` shape: one citation per cited article (its first quote in `quote`,
    `start`, `end`), all the quotes the answer takes from it in `quotes`, and the other
    articles that are near-copies of it in `copies`, other reports of its story in
    `reported_by`."""
    citations = []
    copies, reported = dict(answer.copies), dict(answer.reported)
    for quotes in answer.sources():
        row = asdict(quotes[0])
        del row["passage_start"]
        keep = ("quote", "start", "end", "in_title", "chunk_id", "passage", "speaker", "cue")
        row["quotes"] = [{f: getattr(c, f) for f in keep} for c in quotes]
        fields = ("doc_id", "title", "date", "url", "source")
        row["copies"] = [{f: getattr(d, f) for f in fields} for d in copies.get(row["doc_id"], ())]
        row["reported_by"] = [
            {f: getattr(d, f) for f in fields} for d in reported.get(row["doc_id"], ())
        ]
        citations.append(row)
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "backend": answer.backend,
        "notice": answer.notice,
        "interpreted": answer.interpreted,
        "out_of_scope": answer.out_of_scope,
        "citations": citations,
        "claims": [asdict(c) for c in answer.claims],
        "conflicts": [asdict(c) for c in answer.conflicts],
    }
