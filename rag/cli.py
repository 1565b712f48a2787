"""Command line: python -m rag ingest | ask | search | docs | stories | delete | … A thin shell
over Archive."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys

from tqdm import tqdm

from rag import cli_sources
from rag.answer.types import Answer
from rag.cli_args import date_arg, parser
from rag.cli_sources import EXIT_FATAL, EXIT_OK
from rag.pipeline import Archive, QuestionError
from rag.render import copies_line, reach, reported_line
from rag.settings import Settings
from rag.shapes import (
    answer_json,
    documents_json,
    hit_json,
    quotes_json,
    search_json,
    speakers_json,
    stories_json,
)
from rag.timeline.render import timeline_json, timeline_text
from rag.types import Filters, site_of


def _filters(args: argparse.Namespace) -> Filters:
    return Filters.of(args.since, args.until, args.site)


def _search(archive: Archive, args: argparse.Namespace) -> int:
    if not args.query.strip():
        print("error: the query is empty (or use --batch FILE)", file=sys.stderr)
        return EXIT_FATAL
    try:
        hits = archive.search(
            args.query, args.k, as_of=args.as_of, filters=_filters(args), copies=args.all_copies
        )
    except QuestionError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FATAL
    if args.json:
        print(json.dumps(search_json(args.query, hits), ensure_ascii=False, indent=2))
        return EXIT_OK
    for h in hits:
        print(f"{h.rank:>2}. {h.score:.3f}  {h.title} ({h.date or 'undated'})  {h.chunk_id}")
        print(f"    {h.text[:200]}")
        for a in h.also:  # the story's other reports
            site = site_of(a.url) or a.source
            print(f"    also: {a.title} ({a.date or 'undated'}, {site})  {a.chunk_id}")
    return EXIT_OK


def _batch(archive: Archive, args: argparse.Namespace) -> int:
    """One JSON line out per line in: {"id", "hits"} or {"id", "error"}."""
    lines = args.batch.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(tqdm(lines, desc="search", file=sys.stderr), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            as_of = date_arg(row["as_of"]) if row.get("as_of") else args.as_of
            hits = archive.search(str(row["query"]), args.k, as_of=as_of, filters=_filters(args))
            out = {"id": row.get("id", number), "hits": [hit_json(h) for h in hits]}
        except (ValueError, KeyError, TypeError, argparse.ArgumentTypeError) as e:
            out = {"id": number, "error": f"line {number}: {e}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return EXIT_OK


def _print_answer(answer: Answer, as_of: dt.date | None = None) -> None:
    if answer.notice:
        print(f"Note: {answer.notice}\n")
    if answer.interpreted:
        print(f"Interpreted as: {answer.interpreted}\n")
    print(answer.text)
    if answer.out_of_scope:
        print("\n(--closest quotes the closest reports anyway)")
    if answer.citations:
        print()
    copies, reported = dict(answer.copies), dict(answer.reported)
    for c, *_ in answer.sources():
        print(f"[{c.n}] {c.title} ({c.date or 'undated'}) {c.url or c.source}")
        if c.doc_id in copies:
            print(f"    {copies_line(copies[c.doc_id])}")
        if c.doc_id in reported:
            print(f"    {reported_line(reported[c.doc_id])}")
    if answer.citations and not answer.abstained:
        print(reach(answer, as_of or dt.date.today()))


def _ask(archive: Archive, args: argparse.Namespace) -> int:
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        if not streamed:
            print(f"Draft from {archive.llm[0]}, being checked against the sources:\n")
        streamed.append(piece)
        print(piece, end="", flush=True)

    try:
        answer = archive.ask(
            args.question,
            as_of=args.as_of,
            filters=_filters(args),
            on_token=None if args.json else on_token,
            offline=args.offline,
            closest=args.closest,
            copies=args.all_copies,
        )
    except QuestionError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FATAL
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
        return EXIT_OK
    if streamed:
        print("\n\n--- checked answer ---\n")
    _print_answer(answer, args.as_of)
    return EXIT_OK


def _docs(archive: Archive, args: argparse.Namespace) -> int:
    docs = archive.documents()
    if args.json:
        print(json.dumps(documents_json(docs), ensure_ascii=False, indent=2))
        return EXIT_OK
    for d in docs:
        print(f"{d.doc_id}  {d.date or 'undated':10}  {d.chunks:>3} chunks  {d.title}")
    return EXIT_OK


def _stories(archive: Archive, args: argparse.Namespace) -> int:
    stories = archive.stories(args.min)
    if args.json:
        print(json.dumps(stories_json(stories), ensure_ascii=False, indent=2))
        return EXIT_OK
    for s in stories:
        span = s.first_date if s.first_date == s.last_date else f"{s.first_date} to {s.last_date}"
        count = "1 article" if len(s.documents) == 1 else f"{len(s.documents)} articles"
        print(f"{s.story_id}  {span or 'undated'}  {count}  {s.title}")
        if len(s.outlets) > 1:
            print(f"    reported by {', '.join(s.outlets)}")
    return EXIT_OK


def _quotes(archive: Archive, args: argparse.Namespace) -> int:
    try:
        found = archive.quotes(args.speaker, args.about, args.as_of, _filters(args), args.limit)
    except QuestionError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FATAL
    if args.json:
        print(json.dumps(quotes_json(found), ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        who = f"by {args.speaker} " if args.speaker else ""
        print(
            f"no quotes {who}in the archive"
            + (" for these dates or sites" if _limited(args) else "")
        )
    for q in found:
        a, d = q.attribution, q.doc
        print(f"{d.date or 'undated'}  {a.speaker or 'unknown'} ({a.cue or 'continued'}): {q.text}")
        print(f"    {d.title} ({d.source}) {d.url}".rstrip())
    return EXIT_OK


def _speakers(archive: Archive, args: argparse.Namespace) -> int:
    found = archive.speakers(limit=args.limit)
    if args.json:
        print(json.dumps(speakers_json(found), ensure_ascii=False, indent=2))
        return EXIT_OK
    for s in found:
        span = s.first_date if s.first_date == s.last_date else f"{s.first_date} to {s.last_date}"
        print(f"{s.quotes:>5} quotes in {s.articles:>4} articles  {span or 'undated':24}  {s.name}"
              f"  ({', '.join(s.topics)})")  # fmt: skip
    return EXIT_OK


def _limited(args: argparse.Namespace) -> bool:
    return bool(args.since or args.until or args.site or args.as_of)


def _timeline(archive: Archive, args: argparse.Namespace) -> int:
    try:
        made = archive.timeline(args.query, as_of=args.as_of, dates=args.dates,
                                per_date=args.per_date, filters=_filters(args))  # fmt: skip
    except QuestionError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FATAL
    if args.json:
        print(json.dumps(timeline_json(made), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(timeline_text(made))
    return EXIT_OK


def _delete(archive: Archive, args: argparse.Namespace) -> int:
    if archive.delete(args.doc_id):
        print(f"deleted {args.doc_id}")
        return EXIT_OK
    print(f"error: no document with id {args.doc_id} (see `python -m rag docs`)", file=sys.stderr)
    return EXIT_FATAL


def _reindex(archive: Archive, args: argparse.Namespace) -> int:
    print(f"keyword index rebuilt: {archive.rebuild_keyword_index()} chunks")
    return EXIT_OK


def _serve(archive: Archive, args: argparse.Namespace) -> int:
    import uvicorn

    from rag.api.guard import bind_problem
    from rag.api.server import create_app

    s = archive.settings
    problem = bind_problem(args.host, s)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_FATAL
    who = (
        f"{len(s.api_tokens)} access tokens"
        if s.api_tokens
        else "no access tokens (RAG_API_TOKENS): loopback only, anyone on this machine may "
        "read and change the archive"
    )
    archive.warm_up()
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"serving {s.data_dir} on http://{host}:{args.port} (API docs at /docs); {who}")
    sys.stdout.flush()
    uvicorn.run(create_app(archive), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _mcp(archive: Archive, args: argparse.Namespace) -> int:
    from rag.api.mcp import build_mcp

    archive.warm_up()  # stdout is the protocol's: nothing else may print there
    build_mcp(archive).run("stdio")
    return EXIT_OK


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    if args.command == "eval":  # the evaluation harness is not the product: imported for this
        from rag.eval.command import evaluate

        return evaluate(settings, args)
    archive = Archive(settings)
    if args.command == "search":
        return _batch(archive, args) if args.batch else _search(archive, args)
    commands = {"ask": _ask, "docs": _docs, "delete": _delete, "reindex": _reindex,
                "serve": _serve, "mcp": _mcp, "stories": _stories,
                "timeline": _timeline, "quotes": _quotes, "speakers": _speakers,
                "ingest": cli_sources.ingest, "feeds": cli_sources.feeds,
                "jobs": cli_sources.jobs}  # fmt: skip
    return commands[args.command](archive, args)


def main() -> None:
    try:
        code = run()
    except KeyboardInterrupt:
        code = 130
    except Exception as e:  # a last resort: one clear line, not a traceback
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        code = EXIT_FATAL
    sys.exit(code)
