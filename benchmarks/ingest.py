"""Ingest throughput: the model alone (the floor), our whole ingest, the LangChain tutorial.

    python benchmarks/ingest.py --articles ../shared/eval/realtimeqa/articles \
        --subset ../shared/eval/realtimeqa/subset-1k.txt [--limit N] [--out ingest.json]

The floor is sentence-transformers' own `encode` of our chunks in PyTorch fp32 (what any
pipeline on this model pays). Then each backend (PyTorch, OpenVINO, int8 ONNX) is timed encoding
the chunks through our embedder alone, and running our whole ingest (read, chunk, embed with
sentence vectors, write Chroma + manifest + BM25) into a fresh data dir. The tutorial
pipeline (RecursiveCharacterTextSplitter(800, 80), Chroma.from_documents; embedding through
our PyTorch embedder, so it gets the same model speed) runs on the same files. Ratios are to
the floor of this run.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.backends import Backends  # noqa: E402
from rag.eval.baseline import tutorial_store  # noqa: E402
from rag.eval.common import benchmark_corpus, format_table  # noqa: E402
from rag.index.embeddings import Encoder  # noqa: E402
from rag.ingest.articles import ArticleError, read_article  # noqa: E402
from rag.ingest.chunking import chunk_article  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402

BACKENDS = ("torch", "openvino", "onnx-int8")
FLOOR = "sentence-transformers encode, torch (floor)"


def main() -> None:
    files, out = benchmark_corpus(__doc__.splitlines()[0])
    texts = []
    for path in files:
        try:
            article = read_article(path)
        except ArticleError:
            continue
        texts += [f"{article.title}\n{c.text}" for c in chunk_article(article)]
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in BACKENDS:
            settings = Settings(data_dir=Path(tmp) / backend, seed_dir=None, embed_backend=backend)
            archive = Archive(settings)
            embedder = archive.backends.embedder
            # every system runs once on a few files before it is timed (a cold first run
            # pays for loading and for the kernels' set-up, not for ingesting)
            embedder.embed(texts[:8])
            warm = settings.model_copy(update={"data_dir": Path(tmp) / f"warm-{backend}"})
            Archive(warm, Backends(warm, embedder)).ingest(files[:2])
            tokens = word_pieces(embedder, texts)
            if backend == "torch":
                embedder.model.encode(texts[:8], batch_size=32, normalize_embeddings=True)
                start = time.perf_counter()
                embedder.model.encode(texts, batch_size=32, normalize_embeddings=True)
                rows[FLOOR] = _row(len(texts), time.perf_counter() - start, tokens)
            start = time.perf_counter()
            embedder.embed(texts)
            model_s = time.perf_counter() - start
            rows[f"model alone, {backend}"] = _row(len(texts), model_s, tokens)
            start = time.perf_counter()
            results = archive.ingest(files)
            ingest_s = time.perf_counter() - start
            chunks = sum(r.chunks for r in results)
            rows[f"our ingest, {backend}"] = _row(chunks, ingest_s, tokens)
            rows[f"our ingest, {backend}"]["model_share"] = model_s / ingest_s
            if backend == "torch":
                tutorial_store(files[:2], Path(tmp) / "warm-tutorial", embedder)
                start = time.perf_counter()
                store = tutorial_store(files, Path(tmp) / "tutorial", embedder)
                tutorial_s = time.perf_counter() - start
                theirs = store._collection.get(include=["documents"])["documents"]
                rows["LangChain tutorial, torch"] = _row(
                    len(theirs), tutorial_s, word_pieces(embedder, theirs)
                )
    floor = rows[FLOOR]["chunks_per_s"]
    for row in rows.values():
        row["x_torch_floor"] = row["chunks_per_s"] / floor
    rows["peak RSS MB"] = {"chunks": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(f"{len(files)} files, {len(texts)} chunks of our chunking")
    print(format_table(rows))
    if out:
        out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def word_pieces(embedder: Encoder, texts: list[str]) -> int:
    """Word pieces the model reads of these texts (it stops at its length limit)."""
    ids = embedder.tokenizer(texts, truncation=True, max_length=embedder.max_length)["input_ids"]
    return sum(len(i) for i in ids)


def _row(chunks: int, seconds: float, tokens: int) -> dict[str, float]:
    return {
        "chunks": chunks,
        "seconds": seconds,
        "chunks_per_s": chunks / seconds,
        "tokens_per_s": tokens / seconds,
    }


if __name__ == "__main__":
    main()
