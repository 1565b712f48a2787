"""The keyword index at scale: our bm25s index against SQLite FTS5, the proposed next step.

    python benchmarks/keyword_scale.py --source DIR --questions FILE.jsonl \
        --sizes 100000 1000000 [--work DIR] [--out keyword.json]

DIR is an ingested archive; its chunk texts are copied (new ids) up to each size. For each
index and size, in a process of its own: the time to build it from all rows, the time to
add one more article of 10 chunks (bm25s has no incremental update, so that is a full
rebuild, which is what our ingest does today), p50/p95 of a top-40 query for every
question, the index size on disk, and the process's peak RSS next to its RSS once the
source rows are loaded (the difference is the index's).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.evaluate import format_table, load_questions, percentile  # noqa: E402
from rag.keyword import KeywordIndex  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402


def source_rows(source: Path) -> list[tuple[str, int, str, str]]:
    archive = Archive(Settings(data_dir=source, seed_dir=None))
    return [(cid, date, site, text) for cid, _, _, date, site, text in archive.store.rows()]


def rows(base: list[tuple[str, int, str, str]], size: int):
    """(chunk_id, date, site, text) rows, the source's chunks copied until `size`."""
    for i in range(size):
        cid, date, site, text = base[i % len(base)]
        yield f"{cid}~{i // len(base)}", date, site, text


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
    folder = args.work / f"{kind}-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    base = source_rows(args.source)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra = [(f"new-{i}", 20240101, "news.test", "A new article about the port strike.")
             for i in range(10)]  # fmt: skip
    start = time.perf_counter()
    if kind == "bm25s":
        index = KeywordIndex(folder / "index")
        index.rebuild(rows(base, size), 1)
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        index.rebuild([*rows(base, size), *extra], 2)
        add_s = time.perf_counter() - start
        search = index.search
    else:
        path = folder / "fts.sqlite3"
        path.unlink(missing_ok=True)
        fts = Fts5Index(path)
        batch: list = []
        for row in rows(base, size):
            batch.append(row)
            if len(batch) == 10_000:
                fts.add(batch)
                batch = []
        fts.add(batch)
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        fts.add(extra)
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
        "build_s": build_s,
        "add_10_chunks_s": add_s,
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
        for kind in ("bm25s", "fts5"):
            cmd = [sys.executable, __file__, *sys.argv[1:], "--one", kind, str(size)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            table[f"{kind} @{size}"] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{kind} {size} done", file=sys.stderr)
    print(format_table(table))
    if args.out:
        args.out.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
