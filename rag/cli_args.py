"""The command line's arguments: python -m rag ingest | feeds | jobs | ask | search | docs |
delete | reindex | serve | mcp | eval | stories | timeline | quotes | speakers."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, help="archive folder (default ./data, env RAG_DATA_DIR)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ingest = sub.add_parser(
        "ingest", help="add or update articles: files, folders, exports, web pages by URL"
    )
    ingest.add_argument(
        "paths",
        nargs="+",
        metavar="PATH|URL",
        help="article files and folders; exports named one by one (.jsonl, .ndjson, .csv, "
        ".json, .warc, .warc.gz); http(s) URLs of pages",
    )
    ingest.add_argument(
        "--fields",
        default="",
        metavar="FIELD=NAME,...",
        help="an export's field names for title, date, url, text, e.g. text=body,date=pub "
        "(common names are recognised without it)",
    )
    ingest.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="chunk, embed and read the articles on a Ray cluster's workers (pip install "
        "'ray[data]'; a worker needs this project's requirements): ADDRESS is the head's "
        "host:port or 'auto'; without one, Ray starts on this machine. This process writes "
        "the archive; use RAG_CHROMA_URL for a Chroma server",
    )
    ingest.add_argument(
        "--workers", type=int, default=0, help="with --ray: model actors (default: one per CPU)"
    )
    feeds = sub.add_parser("feeds", help="the RSS and Atom feeds the archive follows")
    action = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = action.add_parser("add", help="follow a feed")
    add.add_argument("url")
    add.add_argument("--name", help="what to call it (default: its URL)")
    listed = action.add_parser("list", help="the feeds followed, with their last poll")
    listed.add_argument("--json", action="store_true")
    remove = action.add_parser("remove", help="stop following a feed (its articles stay)")
    remove.add_argument("feed", help="its number, URL or name")
    update = action.add_parser("update", help="poll the feeds that are due now")
    update.add_argument("feed", nargs="?", default="", help="only this one (number, URL, name)")
    update.add_argument("--all", action="store_true", help="every feed, due or not")
    jobs = sub.add_parser("jobs", help="recent feed polls, URL fetches, imports, with outcomes")
    jobs.add_argument("--limit", type=count_arg, default=10)
    jobs.add_argument("--json", action="store_true")
    ask = sub.add_parser("ask", help="answer a question with cited quotes from the archive")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument(
        "--offline", action="store_true", help="quote the archive even if an LLM is configured"
    )
    ask.add_argument(
        "--closest",
        action="store_true",
        help="quote the closest reports even when none is from the period the question names",
    )
    search = sub.add_parser("search", help="the passages nearest to a query")
    search.add_argument("query", nargs="?", default="")
    search.add_argument("--batch", type=Path, help='JSON lines {"id", "query", "as_of"?}')
    search.add_argument("-k", type=count_arg, default=None, help="how many passages")
    search.add_argument("--json", action="store_true")
    docs = sub.add_parser("docs", help="list the archive's documents")
    docs.add_argument("--json", action="store_true")
    stories = sub.add_parser("stories", help="articles grouped by the event they report")
    stories.add_argument("--json", action="store_true")
    stories.add_argument("--min", type=int, default=1, help="only stories of N or more articles")
    quotes = sub.add_parser("quotes", help="who said what: a speaker's quotes, or every one")
    quotes.add_argument("speaker", nargs="?", default="", help="a name, e.g. Blinken")
    quotes.add_argument("--about", default="", help="rank the quotes by closeness to this")
    quotes.add_argument("--limit", type=count_arg, default=100, help="at most N quotes (100)")
    quotes.add_argument("--json", action="store_true")
    speakers = sub.add_parser("speakers", help="who the archive quotes most, on what, when")
    speakers.add_argument("--limit", type=count_arg, default=50)
    speakers.add_argument("--json", action="store_true")
    delete = sub.add_parser("delete", help="remove a document and all its chunks")
    delete.add_argument("doc_id")
    sub.add_parser("reindex", help="rebuild the keyword index from the chunk store (repair)")
    serve = sub.add_parser("serve", help="the HTTP API: REST, OpenAI-compatible chat, MCP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("mcp", help="the MCP server over stdio, for desktop agents")
    timeline = sub.add_parser("timeline", help="a story's dated events, each a cited quote")
    timeline.add_argument("query")
    timeline.add_argument("--dates", type=int, help="how many dates (default: as the story needs)")
    timeline.add_argument("--per-date", type=int, help="sentences per date (default 2)")
    timeline.add_argument("--json", action="store_true")
    for p in (ask, search):
        p.add_argument(
            "--all-copies",
            action="store_true",
            help="keep every near-copy of an article (default: the best one, naming the rest)",
        )
    for p in (ask, search, timeline, quotes):
        p.add_argument(
            "--as-of", type=date_arg, help="answer as of YYYY-MM-DD: later articles are left out"
        )
        p.add_argument("--since", type=date_arg, help="only articles published on or after")
        p.add_argument("--until", type=date_arg, help="only articles published on or before")
        p.add_argument(
            "--site", action="append", default=[], help="only articles from this site (repeat)"
        )
    ev = sub.add_parser("eval", help="measure retrieval and answers on a QA set")
    ev.add_argument("--articles", type=Path, help="folder of articles")
    ev.add_argument(
        "--subset",
        type=Path,
        help="file listing the article file names to use; the whole --articles folder is "
        "measured too, side by side (each archive built once and cached)",
    )
    ev.add_argument(
        "--no-full", action="store_true", help="with --subset: skip the whole-folder archive"
    )
    ev.add_argument("--questions", type=Path, help="questions .jsonl")
    ev.add_argument(
        "--stories", type=Path, metavar="DIR", help="how articles are grouped into stories (ECB+)"
    )
    ev.add_argument(
        "--timelines", type=Path, metavar="DIR", help="timelines against journalists' (T17)"
    )
    ev.add_argument(
        "--quotes", type=Path, metavar="DIR", help="who said what against PolNeAR's attributions"
    )
    ev.add_argument("-k", type=count_arg, default=10)
    ev.add_argument(
        "--answers",
        action="store_true",
        help="also measure the answers (offline, or the configured LLM)",
    )
    ev.add_argument(
        "--baseline", action="store_true", help="also measure the LangChain-tutorial pipeline"
    )
    ev.add_argument(
        "--verify", action="store_true", help="also measure the claim verifier (see verify_eval)"
    )
    ev.add_argument(
        "--conflicts",
        action="store_true",
        help="RGB's conflicting sources instead: --articles holds one folder per question",
    )
    ev.add_argument(
        "--folds",
        type=count_arg,
        metavar="K",
        help="fit the search's fusion weights and the answer weights (implies --answers) by "
        "K-fold cross-validation (folds by quiz week); print in-fold and out-of-fold figures",
    )
    ev.add_argument(
        "--fix",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="with --folds: leave this weight out of the fit, at this value (repeat)",
    )
    ev.add_argument(
        "--mixed",
        action="store_true",
        help="with --timelines: also all folders as one archive (entry precision)",
    )
    ev.add_argument("--no-retrieval", action="store_true", help="skip the retrieval measurements")
    ev.add_argument("--limit", type=int, help="only the first N questions")
    ev.add_argument("--out", type=Path, help="write the results as JSON here")
    return parser


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got '{text}'") from e


def count_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return n
