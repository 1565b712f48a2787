"""Query latency, keyword index and memory against corpus size (1k, 10k, 100k, 1M chunks).

    python benchmarks/scale.py --source DIR --questions FILE.jsonl \
        --sizes 1000 10000 100000 [--chroma-url URL] [--work DIR] [--out scale.json]

DIR is an ingested archive, e.g. the one `python -m rag eval` builds under
data/eval-cache/ from RealTimeQA subset-1k (11,145 chunks). Embedding a million chunks would
take about 14 hours on this machine, so bigger archives are built from DIR's chunks: each
article is copied as new documents (new ids), its stored vectors nudged by noise (sigma 0.01,
renormalized) so copies are not exact duplicates in the vector index. Each size is built and
measured in a process of its own (clean peak RSS): the keyword index build (when the
archive is new; a rerun reuses both), then for every
question, as of its date, `search`, offline `ask` (warm) and the LangChain-tutorial query
(embed the question, Chroma similarity search of the same collection, top 6) as the
baseline of the same run. With --chroma-url the chunks go to a Chroma server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.backends import Backends  # noqa: E402
from rag.eval.common import format_table, load_questions, percentile  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.types import Article  # noqa: E402


def source_chunks(archive: Archive) -> dict[str, list[tuple[str, list[float], str, dict]]]:
    """Every current chunk of the archive, by document: (id, vector, text, metadata)."""
    versions = archive.manifest.all_versions()
    collection = archive.backends.store.collection
    by_doc: dict[str, list] = defaultdict(list)
    for offset in range(0, collection.count(), 2000):
        page = collection.get(
            include=["embeddings", "documents", "metadatas"], limit=2000, offset=offset
        )
        rows = zip(page["ids"], page["embeddings"], page["documents"], page["metadatas"])
        for cid, vector, text, meta in rows:
            if versions.get(str(meta["doc_id"])) == meta["version"]:
                by_doc[str(meta["doc_id"])].append((cid, vector, text, meta))
    return dict(sorted(by_doc.items()))


def build(source: Archive, target: Archive, size: int) -> int:
    """Fill `target` with at least `size` chunks copied from `source`; the chunk count."""
    chunks = source_chunks(source)
    rng = np.random.default_rng(0)
    step = target.backends.store.client.get_max_batch_size()
    ids: list[str] = []
    vectors: list[np.ndarray] = []
    texts: list[str] = []
    metas: list[dict] = []
    written, copy = 0, 0

    def flush() -> None:
        target.backends.store.collection.upsert(
            ids=ids, embeddings=np.array(vectors), documents=texts, metadatas=metas
        )
        ids.clear(), vectors.clear(), texts.clear(), metas.clear()

    while written < size:
        for doc_id, rows in chunks.items():
            if written >= size:
                break
            info, text = source.manifest.document(doc_id)
            new_id = doc_id if copy == 0 else f"{doc_id}~{copy}"
            for cid, vector, chunk_text, meta in rows:
                v = np.asarray(vector, dtype=np.float32)
                if copy:
                    v = v + rng.normal(0, 0.01, v.shape).astype(np.float32)
                    v /= np.linalg.norm(v)
                _, version, index = cid.rsplit(":", 2)  # ids as ingest writes them
                ids.append(f"{new_id}:{version}:{index}")
                vectors.append(v)
                texts.append(chunk_text)
                metas.append({**meta, "doc_id": new_id})
                if len(ids) >= step:
                    flush()
            date = dt.date.fromisoformat(info.date) if info.date else None
            article = Article(new_id, info.title, text, info.source, date, info.url, f"copy{copy}")
            sentences = source.manifest.sentence_vectors([doc_id]).get(doc_id)
            target.manifest.commit(article, str(rows[0][3]["version"]), len(rows), sentences)
            written += len(rows)
        copy += 1
    if ids:
        flush()
    return written


def measure(args: argparse.Namespace, size: int) -> dict[str, dict[str, float]]:
    """Build an archive of `size` chunks (unless it exists) and time the queries on it."""
    work = args.work / f"chunks-{size}"
    settings = Settings(
        data_dir=work, seed_dir=None, llm_backend="offline", chroma_url=args.chroma_url,
        collection=f"scale-{size}",
    )  # fmt: skip
    target = Archive(settings)
    start = time.perf_counter()
    built = target.manifest.count() == 0
    if built:
        source_settings = Settings(data_dir=args.source, seed_dir=None)
        source = Archive(source_settings, Backends(source_settings, target.backends.embedder))
        build(source, target, size)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    if built:  # an archive from an earlier run keeps its index; only a new one is timed
        target.rebuild_keyword_index()
    keyword_s = time.perf_counter() - start if built else float("nan")
    keyword_mb = sum(f.stat().st_size for f in settings.keyword_dir.rglob("*") if f.is_file())
    rss_after_index = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    questions = load_questions(args.questions)[: args.limit]
    target.ask("warm up the model and the indexes")
    timings: dict[str, list[float]] = {"tutorial query": [], "search": [], "ask (offline)": []}
    for q in questions:  # each timed from scratch: no query vector remembered across them
        target.backends.embedder.forget()
        start = time.perf_counter()
        vector = target.backends.embedder.embed([q.query])[0]
        target.backends.store.collection.query(query_embeddings=[vector], n_results=6)
        timings["tutorial query"].append((time.perf_counter() - start) * 1000)
        target.backends.embedder.forget()
        start = time.perf_counter()
        target.search(q.query, as_of=q.as_of)
        timings["search"].append((time.perf_counter() - start) * 1000)
        target.backends.embedder.forget()
        start = time.perf_counter()
        target.ask(q.query, as_of=q.as_of)
        timings["ask (offline)"].append((time.perf_counter() - start) * 1000)
    chunks = target.backends.store.count()
    base = percentile(timings["tutorial query"], 0.5)
    rows: dict[str, dict[str, float]] = {
        f"{name} @{chunks}": {
            "chunks": chunks,
            "p50_ms": percentile(ms, 0.5),
            "p95_ms": percentile(ms, 0.95),
            "x_tutorial_p50": percentile(ms, 0.5) / base,
        }
        for name, ms in timings.items()
    }
    rows[f"archive @{chunks}"] = {
        "chunks": chunks,
        "build_s": build_s,
        "keyword_index_s": keyword_s,
        "keyword_index_MB": keyword_mb / 1e6,
        "rss_after_index_MB": rss_after_index,
        "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "server": float(bool(args.chroma_url)),
    }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work", type=Path, default=Path("data/bench-scale"))
    parser.add_argument("--chroma-url", default="")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args, args.one)))
        return
    rows: dict[str, dict[str, float]] = {}
    for size in args.sizes:
        cmd = [sys.executable, __file__, *sys.argv[1:], "--one", str(size)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.update(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{size} chunks done", file=sys.stderr)
    print(format_table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
