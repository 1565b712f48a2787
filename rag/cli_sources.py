"""The command line's ways in: ingest (files, folders, exports, URLs), feeds and jobs."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from rag.ingest.cluster import ClusterError, ray_preparer
from rag.ingest.record import field_map
from rag.pipeline import Archive
from rag.types import FileResult

EXIT_OK, EXIT_FATAL, EXIT_SKIPPED = 0, 1, 2
STATUSES = ("added", "updated", "unchanged", "skipped")
SHOWN_SKIPS = 20  # skipped items listed; the rest are counted (all are in `rag jobs`)


def ingest(archive: Archive, args: argparse.Namespace) -> int:
    try:
        fields = field_map(args.fields)
    except ValueError as e:
        print(f"error: --fields: {e}", file=sys.stderr)
        return EXIT_FATAL
    given, address = list(args.paths), args.ray
    if address and Path(address).exists():  # "--ray PATH": the path is no address
        given, address = [address, *given], "local"
    urls = [p for p in given if p.startswith(("http://", "https://"))]
    paths = [Path(p) for p in given if p not in urls]
    preparer = None
    if address and paths:
        try:
            preparer = ray_preparer(archive.settings, "" if address == "local" else address,
                                    args.workers)  # fmt: skip
        except ClusterError as e:
            print(f"error: --ray: {e}", file=sys.stderr)
            return EXIT_FATAL
    bar = tqdm(total=0, unit="item", desc="ingest", file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, total: int, result: FileResult) -> None:
        bar.total = total or None
        bar.update(1)

    results: Iterable[FileResult] = []
    if paths:
        results = archive.ingest_stream(paths, progress, fields, preparer)
    try:
        code = _report(results, bar)
    except ClusterError as e:  # what was written before stays, whole
        bar.close()
        print(f"error: --ray: {e}", file=sys.stderr)
        return EXIT_FATAL
    if urls:
        code = max(code, _report(archive.ingest_urls(urls, progress), bar))
    bar.close()
    return code


def _report(results: Iterable[FileResult], bar: tqdm) -> int:
    """Count results as they come (an export may hold millions); list the first skips."""
    counts: Counter[str] = Counter()
    written = embedded = 0
    skips: list[FileResult] = []
    for r in results:
        counts[r.status] += 1
        written += r.chunks if r.status in ("added", "updated") else 0
        embedded += r.embedded
        if r.status == "skipped" and len(skips) < SHOWN_SKIPS:
            skips.append(r)
    if not counts:
        return EXIT_OK
    bar.clear()
    line = ", ".join(f"{counts[s]} {s}" for s in STATUSES) + f"; {written} chunks written"
    if embedded < written:  # the others' vectors were known from texts read before
        line += f", {embedded} of them embedded anew"
    print(line)
    for r in skips:
        print(f"  skipped {r.path}: {r.reason}")
    if counts["skipped"] > len(skips):
        print(f"  … and {counts['skipped'] - len(skips)} more skipped (python -m rag jobs)")
    return EXIT_SKIPPED if counts["skipped"] else EXIT_OK


def feeds(archive: Archive, args: argparse.Namespace) -> int:
    registry = archive.sources.feeds
    if args.action == "add":
        try:
            feed = archive.sources.follow(args.url, args.name or "")
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_FATAL
        print(f"following feed {feed.id}: {feed.name} ({feed.url}); `feeds update` polls it now")
        return EXIT_OK
    if args.action == "remove":
        feed = registry.find(args.feed)
        if feed is None:
            print(f"error: no feed '{args.feed}' (see `python -m rag feeds list`)", file=sys.stderr)
            return EXIT_FATAL
        registry.remove(feed)
        print(f"no longer following {feed.name}; its articles stay in the archive")
        return EXIT_OK
    if args.action == "update":
        return _update(archive, args)
    listed = registry.list()
    if args.json:
        print(json.dumps({"feeds": [asdict(f) for f in listed]}, indent=2))
    elif not listed:
        print("no feeds followed (python -m rag feeds add URL)")
    for f in listed if not args.json else []:
        when = f.last_fetched or "never polled"
        print(f"{f.id}. {f.name} <{f.url}>\n   {f.status} at {when}: {f.new} new, "
              f"{f.updated} updated, {f.failed} failed; next due {f.next_due}")  # fmt: skip
        if f.reason:
            print(f"   {f.reason}")
    return EXIT_OK


def _update(archive: Archive, args: argparse.Namespace) -> int:
    registry = archive.sources.feeds
    try:
        chosen = archive.sources.choose(args.feed, args.all)
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FATAL
    if not chosen:
        print("no feed is due (--all polls every feed now)")
        return EXIT_OK
    bar = tqdm(total=0, unit="item", desc="feeds", file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, total: int, result: FileResult) -> None:
        bar.total = total or None
        bar.update(1)

    polled = archive.sources.update(chosen, progress, wait=120)
    bar.close()
    if polled is None:
        print("another process is polling the feeds right now; try again shortly")
        return EXIT_OK
    code = EXIT_OK
    for feed in registry.list():
        if feed.url in polled:
            print(f"{feed.name}: {feed.status}" + (f" ({feed.reason})" if feed.reason else ""))
            code = max(code, _report(polled[feed.url], bar))
    return code


def jobs(archive: Archive, args: argparse.Namespace) -> int:
    found = archive.sources.jobs.recent(args.limit)
    if args.json:
        print(json.dumps({"jobs": [asdict(j) for j in found]}, indent=2))
        return EXIT_OK
    if not found:
        print("no jobs yet")
    for j in found:
        counts = ", ".join(f"{n} {s}" for s, n in j.counts.items()) or "nothing yet"
        print(f"{j.id}. {j.kind} {j.label}: {j.status} ({counts}), started {j.started}")
        for r in j.items:
            print(f"   {r.status} {r.path}" + (f": {r.reason}" if r.reason else ""))
    return EXIT_OK
