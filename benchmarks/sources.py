"""What feeds, pages by URL and bulk exports cost, against ingesting the same files.

    python benchmarks/sources.py --articles ../shared/eval/realtimeqa/articles \
        --questions ../shared/eval/realtimeqa/questions-dev.jsonl [--feed 40] [--bulk 300] \
        [--records 200000]

1. Feed polls: N real articles served as web pages by a local HTTP server with an RSS
   feed of them. The first poll (every item new: fetch, extract, embed, store), a poll
   the feed answers 304, a poll of a changed feed whose pages answer 304; against
   ingesting the same N articles as files into a fresh archive.
2. Bulk import: the same M articles as a JSON Lines export vs as files (records/s, ratio),
   then an export of R records (200 distinct articles repeated) through the whole writer,
   with the process's resident memory after each fifth of it: flat means streaming.
3. Ask latency during a poll: p50 of offline asks over the archive of (2), idle and while
   the background poller stores a feed of N new items; the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.eval.common import load_questions, percentile  # noqa: E402
from rag.ingest.articles import read_article  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.sources.poller import Poller  # noqa: E402
from rag.text.urls import url_key  # noqa: E402
from tests.sources.site import Site  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def page(article) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in article.text.splitlines())
    return (
        f"<html><head><title>{article.title}</title><meta property='article:published_time'"
        f" content='{article.date_iso}'><link rel='canonical' href='{article.url}'></head>"
        f"<body><nav>Home | World</nav><article><h1>{article.title}</h1>{paragraphs}"
        "</article><footer>© the publisher</footer></body></html>"
    ).encode()


def serve(site: Site, articles: list, feed: str) -> None:
    items = ""
    for i, a in enumerate(articles):
        site.page(f"/{feed}/{i}.html", page(a), etag=f'"{feed}-{i}"')
        items += (
            f"<item><title>{escape(a.title)}</title><link>{site.base}/{feed}/{i}.html"
            f"</link><description>{escape(a.text[:200])}</description></item>"
        )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>{items}'
    site.page(
        f"/{feed}.rss",
        (body + "</channel></rss>").encode(),
        "application/rss+xml",
        etag=f'"{feed}-v1"',
    )


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def settings(folder: Path) -> Settings:
    return Settings(data_dir=folder, seed_dir=None, fetch_allow_private=True, fetch_delay=0)


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    out = work()
    return time.perf_counter() - start, out


def feed_polls(tmp: Path, files: list[Path], site: Site) -> list[tuple[str, str]]:
    articles = [read_article(f) for f in files]
    serve(site, articles, "polls")
    base, _ = timed(lambda: Archive(settings(tmp / "files")).ingest(files))
    archive = Archive(settings(tmp / "feed"))
    feed = archive.sources.follow(f"{site.base}/polls.rss")
    site.hits.clear()
    first, polled = timed(lambda: archive.sources.update([feed]))
    added = sum(r.status == "added" for r in polled[feed.url])
    hits1 = sum(site.hits.values())
    site.hits.clear()
    same, _ = timed(lambda: archive.sources.update([feed]))
    hits2 = sum(site.hits.values())
    status, headers, body = site.routes["/polls.rss"]
    site.routes["/polls.rss"] = (status, headers | {"ETag": '"polls-v2"'}, body)
    site.hits.clear()
    pages, _ = timed(lambda: archive.sources.update([feed]))
    hits3 = sum(site.hits.values())
    n = len(files)
    return [
        (
            "the same articles as files (baseline)",
            f"{base:.2f} s, {base / n * 1000:.0f} ms/article",
        ),
        (
            "first poll, every item new",
            f"{first:.2f} s, {first / n * 1000:.0f} ms/item, "
            f"{added} added, {hits1} requests; {first / base:.2f}x the files",
        ),
        ("poll of an unchanged feed (304)", f"{same * 1000:.1f} ms, {hits2} request"),
        ("changed feed, pages unchanged (304s)", f"{pages * 1000:.0f} ms, {hits3} requests"),
    ]


def bulk(tmp: Path, files: list[Path], records: int) -> tuple[list[tuple[str, str]], Archive]:
    articles = [read_article(f) for f in files]
    export = tmp / "export.jsonl"
    with export.open("w") as out:
        for a in articles:
            out.write(
                json.dumps({"title": a.title, "date": a.date_iso, "url": a.url, "text": a.text})
                + "\n"
            )
    base, _ = timed(lambda: Archive(settings(tmp / "bulk-files")).ingest(files))
    archive = Archive(settings(tmp / "bulk-jsonl"))
    took, results = timed(lambda: archive.ingest([export]))
    skipped = [r for r in results if r.status == "skipped"]
    assert not skipped, f"records of the export were skipped: {skipped[:3]}"
    n = len(files)
    rows = [
        ("the same articles as files (baseline)", f"{n / base:.1f} articles/s"),
        ("as a JSON Lines export", f"{n / took:.1f} records/s; {took / base:.2f}x the time"),
    ]
    big = tmp / "big.jsonl"
    # 200 distinct addresses: two versions of one URL would replace each other every time
    by_address = {
        url_key(json.loads(line)["url"]): line for line in export.read_text().splitlines()
    }
    lines = list(by_address.values())[:200]
    with big.open("w") as out:
        for i in range(records):
            out.write(lines[i % len(lines)] + "\n")
    size = big.stat().st_size / 1e6
    marks: list[tuple[int, float]] = []
    fifth = max(1, records // 5)

    def progress(done: int, total: int, result) -> None:
        if done % fifth == 0 or done == 1000:
            marks.append((done, rss_mb()))

    start = rss_mb()
    took, found = timed(lambda: Counter(r.status for r in archive.ingest_stream([big], progress)))
    count = sum(found.values())
    memory = ", ".join(f"{done:,}: {mb:.0f}" for done, mb in marks)
    rows += [
        (
            f"{records:,}-record export ({size:.0f} MB), whole writer",
            f"{count / took:,.0f} records/s ({', '.join(f'{n:,} {s}' for s, n in found.items())})",
        ),
        ("resident memory, MB (before, then after N records)", f"{start:.0f}; {memory}"),
    ]
    return rows, archive


def latency(archive: Archive, files: list[Path], questions: Path, site: Site) -> list[tuple]:
    asked = load_questions(questions)[:20]
    archive.ask("warm up")

    def ask_all() -> list[float]:
        ms = []
        for q in asked:
            start = time.perf_counter()
            archive.ask(q.query, as_of=q.as_of, offline=True)
            ms.append((time.perf_counter() - start) * 1000)
        return ms

    ask_all()  # every question once before timing: the same warm caches idle and busy
    idle = ask_all() + ask_all()
    serve(site, [read_article(f) for f in files], "during")
    feed = archive.sources.follow(f"{site.base}/during.rss")
    poller = Poller(archive.sources, 0.05)
    poller.start()
    busy: list[float] = []
    deadline = time.monotonic() + 600
    while not busy or (
        archive.sources.feeds.find(feed.url).status == "new" and time.monotonic() < deadline
    ):
        busy += ask_all()
    poller.stop()
    ratio = statistics.median(busy) / statistics.median(idle)
    return [
        ("ask p50 / p95, idle", f"{percentile(idle, 0.5):.0f} / {percentile(idle, 0.95):.0f} ms"),
        (
            "ask p50 / p95, while a poll stores new items",
            f"{percentile(busy, 0.5):.0f} / {percentile(busy, 0.95):.0f} ms over {len(busy)} asks; "
            f"p50 {ratio:.2f}x idle",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--feed", type=int, default=40)
    parser.add_argument("--bulk", type=int, default=200)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--only", choices=["feeds", "bulk"], help="one section (bulk: 2 and 3)")
    args = parser.parse_args()
    files = sorted(args.articles.glob("*.txt"))
    site = Site()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        Archive(settings(tmp / "warm")).ingest(files[:1])  # load the model before timing
        if args.only != "bulk":
            show(feed_polls(tmp, files[1 : args.feed + 1], site))
        if args.only == "feeds":
            return
        rows, archive = bulk(tmp, files[1000 : 1000 + args.bulk], args.records)
        show(rows)
        show(latency(archive, files[2000 : 2000 + args.feed], args.questions, site))
    site.close()


def show(rows: list[tuple[str, str]]) -> None:
    for name, value in rows:
        print(f"{name:<52}  {value}", flush=True)


if __name__ == "__main__":
    main()
