"""What looking for near-duplicates adds to an ingest, as the archive grows.

    python benchmarks/copies.py --articles ../shared/eval/realtimeqa/articles \
        [--sizes 1000,10000,100000]

For each size N, a manifest database is filled with N articles' copy rows (signatures and
LSH bands; random signatures, so every lookup is a real index search that finds nothing, as
for most new articles), then 200 real articles are added one at a time (signature, band
lookup, check, write). Beside it, in the same run, the whole ingest of 20 of those articles
into a fresh archive (read, chunk, embed, Chroma, manifest, BM25): the share of one
ingest that copies cost.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.index.copies import PERMUTATIONS, Copies, buckets  # noqa: E402
from rag.ingest.articles import read_article  # noqa: E402
from rag.text.sentences import split_sentences  # noqa: E402


def filled(path: Path, n: int) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    copies = Copies(db)
    rng = np.random.default_rng(0)
    with db:
        for i in range(n):
            sig = rng.integers(0, 2**32, PERMUTATIONS, dtype=np.uint64)
            doc = f"synthetic{i:07d}"
            db.execute("INSERT INTO copies VALUES (?, NULL, 20220101, ?)", (doc, sig.tobytes()))
            db.executemany(
                "INSERT INTO copy_bands VALUES (?, ?, ?)", [(*b, doc) for b in buckets(sig)]
            )
    return copies.db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    files = sorted(args.articles.iterdir())[:200]
    articles = [read_article(f) for f in files]
    sentences = [[a.text[s.start : s.end] for s in split_sentences(a.text)] for a in articles]
    with tempfile.TemporaryDirectory() as tmp:
        from rag.pipeline import Archive
        from rag.settings import Settings

        archive = Archive(Settings(data_dir=Path(tmp) / "ingest", seed_dir=None))
        archive.ingest([files[0]])  # load the model first
        start = time.perf_counter()
        archive.ingest(files[1:21])
        ingest_ms = (time.perf_counter() - start) * 1000 / 20
        print(f"whole ingest: {ingest_ms:.0f} ms per article (20 articles)\n")
        print(f"{'archive size':>13}{'ms per article':>16}{'share of ingest':>17}")
        for n in (int(s) for s in args.sizes.split(",")):
            db = filled(Path(tmp) / f"copies{n}.sqlite3", n)
            copies = Copies(db)
            start = time.perf_counter()
            for article, sents in zip(articles, sentences):
                with db:
                    copies.write(article.doc_id, article.day, sents)
            ms = (time.perf_counter() - start) * 1000 / len(articles)
            print(f"{n:>13,}{ms:>16.2f}{ms / ingest_ms:>16.1%}")


if __name__ == "__main__":
    main()
