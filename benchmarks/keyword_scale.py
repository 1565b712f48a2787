"""The keyword index at scale: our bm25s index, built and updated, against SQLite FTS5.

    python benchmarks/keyword_scale.py --source DIR --questions FILE.jsonl \
        --sizes 100000 1000000 [--kinds KIND ...] [--work DIR] [--out keyword.json]

DIR is an ingested archive; its chunk texts are copied (new ids) up to each size. Each row
is measured in a process of its own:

- "bm25s build": our index built from all rows (what a first start or a merge does);
- "bm25s update": a fresh process opens that index and adds one article of 10 chunks, as
  an ingest does (into the small segment; the sealed one is memory-mapped, not rewritten),
  then replaces it with a new version;
- "fts5": SQLite FTS5 built row by row, and the same article added.

For each: build or update time, p50/p95 of a top-40 query for every question, the index
size on disk, and the process's peak RSS next to its RSS before the index was touched
(source rows loaded); the difference is the index's.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.eval.common import format_table, load_questions, percentile  # noqa: E402
from rag.index.keyword import KeywordIndex, Row  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402

KINDS = ["bm25s build", "bm25s update", "fts5"]


def source_rows(source: Path) -> list[Row]:
    archive = Archive(Settings(data_dir=source, seed_dir=None))
    return [Row(*r) for r in archive.backends.store.rows()]


def rows(base: list[Row], size: int) -> list[Row]:
    """The source's chunks copied (new chunk and document ids) until `size`."""
    out = []
    for i in range(size):
        r = base[i % len(base)]
        copy = i // len(base)
        out.append(r._replace(chunk_id=f"{r.chunk_id}~{copy}", doc_id=f"{r.doc_id}~{copy}"))
    return out


class Fts5Index:
    """BM25 through SQLite FTS5: on disk, updated row by row."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5("
            "chunk_id UNINDEXED, date UNINDEXED, site UNINDEXED, text, "
            "tokenize='porter unicode61')"
        )

    def add(self, batch) -> None:
        with self.db:
            self.db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)", batch)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        sql = (
            "SELECT chunk_id, bm25(chunks) AS s FROM chunks WHERE chunks MATCH ? ORDER BY s LIMIT ?"
        )
        return self.db.execute(sql, (match, k)).fetchall()


def measure(args: argparse.Namespace, kind: str, size: int) -> dict[str, float]:
    folder = args.work / f"{kind.split()[0]}-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    base = rows(source_rows(args.source), size)
    versions = {r.doc_id: r.version for r in base}
    article = [Row(f"new-{i}", "new", "v1", 20240101, "news.test", "A new article about the "
                   "port strike.") for i in range(10)]  # fmt: skip
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    add_s = replace_s = 0.0
    if kind == "bm25s build":
        shutil.rmtree(folder / "index", ignore_errors=True)
        index = KeywordIndex(folder / "index")
        index.rebuild(base, versions, 1)
        build_s = time.perf_counter() - start
        search = index.search
    elif kind == "bm25s update":
        index = KeywordIndex(folder / "index")  # as built by "bm25s build"
        assert index.generation == 1, "run the build first"
        build_s = time.perf_counter() - start  # opening it
        start = time.perf_counter()
        index.update({**versions, "new": "v1"}, lambda _: article, lambda: base + article, 2)
        add_s = time.perf_counter() - start
        again = [r._replace(version="v2", chunk_id=r.chunk_id + "b") for r in article]
        start = time.perf_counter()
        index.update({**versions, "new": "v2"}, lambda _: again, lambda: base + again, 3)
        replace_s = time.perf_counter() - start
        search = index.search
    else:
        path = folder / "fts.sqlite3"
        path.unlink(missing_ok=True)
        fts = Fts5Index(path)
        for i in range(0, size, 10_000):
            fts.add([(r.chunk_id, r.date, r.site, r.text) for r in base[i : i + 10_000]])
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        fts.add([(r.chunk_id, r.date, r.site, r.text) for r in article])
        add_s = time.perf_counter() - start
        search = fts.search
    ms = []
    for q in load_questions(args.questions)[: args.limit]:
        start = time.perf_counter()
        search(q.query, 40)
        ms.append((time.perf_counter() - start) * 1000)
    disk = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return {
        "chunks": size,
        "build_or_open_s": build_s,
        "add_10_chunks_s": add_s,
        "replace_them_s": replace_s,
        "query_p50_ms": percentile(ms, 0.5),
        "query_p95_ms": percentile(ms, 0.95),
        "disk_MB": disk / 1e6,
        "rss_before_MB": rss_before,
        "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS)
    parser.add_argument("--work", type=Path, default=Path("data/bench-keyword"))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # kind size, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args, args.one[0], int(args.one[1]))))
        return
    table: dict[str, dict[str, float]] = {}
    for size in args.sizes:
        for kind in args.kinds:
            cmd = [sys.executable, __file__, *sys.argv[1:], "--one", kind, str(size)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            table[f"{kind} @{size}"] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{kind} {size} done", file=sys.stderr)
    print(format_table(table))
    if args.out:
        args.out.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
