"""What putting articles in stories adds to an ingest, as the archive grows.

    python benchmarks/stories.py --articles ../shared/eval/realtimeqa/articles \
        [--sizes 1000,10000,100000]

For each size N, a manifest database is filled with N articles' story rows: the corpus'
real articles, repeated with their dates moved on by a year per pass so that the words
are real and the windows do not overlap, each its own story (the most candidate stories a
lookup can meet). Then 200 other real articles are put in their stories one at a time
(words, document frequencies, candidate lookup, scoring, write), each with a commit of its
own, and again inside a transaction rolled back (in an ingest the manifest's commit, which
is there anyway, carries the story rows: the work without that commit). Before that, in
the same run, the whole ingest (read, chunk, embed, Chroma, manifest, BM25) of the same 60
articles into fresh archives with and without stories, alternately, twice each: what
stories add to a real ingest.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.index.stories import Stories, _unit, words  # noqa: E402
from rag.ingest.articles import read_article  # noqa: E402


def filled(path: Path, n: int, corpus: list) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    Stories(db)
    counts = [words(a.title, a.text) for a in corpus]
    df: Counter[str] = Counter()
    with db:
        for i in range(n):
            a, c = corpus[i % len(corpus)], counts[i % len(corpus)]
            day = a.day + 10000 * (i // len(corpus) + 1) if a.day else 0
            vector = _unit(c)  # term weights without IDF: only the table sizes matter here
            doc = f"synthetic{i:07d}"
            db.execute("INSERT INTO story_docs VALUES (?, ?, ?, ?, ?)",
                       (doc, doc, day, json.dumps(vector), " ".join(c)))  # fmt: skip
            db.executemany("INSERT INTO story_terms VALUES (?, ?, ?)",
                           [(w, doc, v) for w, v in vector.items()])  # fmt: skip
            db.execute("INSERT INTO stories VALUES (?, ?, 1)", (doc, day))
            df.update(c)
        db.executemany("INSERT INTO term_df VALUES (?, ?)", df.items())
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    files = sorted(args.articles.iterdir())
    probe, rest = files[:200], files[200:]
    articles = [read_article(f) for f in probe]
    corpus = [read_article(f) for f in rest]
    with tempfile.TemporaryDirectory() as tmp:
        from rag.index.manifest import Manifest
        from rag.pipeline import Archive
        from rag.settings import Settings

        write_story = Manifest._write_story
        Archive(Settings(data_dir=Path(tmp) / "warm", seed_dir=None)).ingest([probe[0]])
        times: dict[bool, list[float]] = {False: [], True: []}
        for run in range(4):
            with_stories = run % 2 == 1
            Manifest._write_story = write_story if with_stories else lambda *_: None
            archive = Archive(Settings(data_dir=Path(tmp) / f"ingest{run}", seed_dir=None))
            start = time.perf_counter()
            archive.ingest(probe[1:61])
            times[with_stories].append((time.perf_counter() - start) * 1000 / 60)
        Manifest._write_story = write_story
        base, ingest_ms = min(times[False]), min(times[True])
        print(f"{'whole ingest, 60 articles':28}{'ms per article':>16}{'ratio':>8}")
        print(f"{'without stories':28}{base:>16.0f}{1:>8.3f}")
        print(f"{'with stories':28}{ingest_ms:>16.0f}{ingest_ms / base:>8.3f}\n")
        columns = f"{'ms, own commit':>16}{'share':>8}{'ms, no commit':>15}{'share':>8}"
        print(f"{'archive size':>13}" + columns)
        for n in (int(s) for s in args.sizes.split(",")):
            db = filled(Path(tmp) / f"stories{n}.sqlite3", n, corpus)
            stories = Stories(db)
            start = time.perf_counter()
            for article in articles:
                with db:
                    stories.write(article.doc_id, article.day, article.title, article.text)
            ms = (time.perf_counter() - start) * 1000 / len(articles)
            start = time.perf_counter()
            for article in articles:
                db.execute("BEGIN")
                stories.write(article.doc_id + "x", article.day, article.title, article.text)
                db.rollback()
            bare = (time.perf_counter() - start) * 1000 / len(articles)
            print(f"{n:>13,}{ms:>16.2f}{ms / ingest_ms:>8.1%}{bare:>15.2f}{bare / ingest_ms:>8.1%}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
