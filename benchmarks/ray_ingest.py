"""Ingest on Ray: a local ingest (the baseline) beside Ray with 1 and 2 workers, and the
driver's share of the work, which caps what N workers can give.

    python benchmarks/ray_ingest.py --articles ../shared/eval/realtimeqa/articles \
        --subset ../shared/eval/realtimeqa/subset-1k.txt [--limit N] [--out ray.json]

Each run ingests the same files into a fresh archive. The Ray runs start a cluster on this
machine (`ray start --head`, as many CPUs as workers) and include its actors' start-up (each
loads the model and spaCy), shown on its own row as the run of a single file. The local
run times the part a worker would do (chunking, the model, spaCy: `prepare`); the rest is
the driver's (reading files, writing Chroma, the manifest and the keyword index), and with
N workers an ingest takes at least max(driver, local / N).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rag.ingest.writer as writer  # noqa: E402
from rag.eval.common import benchmark_corpus, format_table  # noqa: E402
from rag.ingest.cluster import ray_preparer  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402

RAY = Path(sys.executable).parent / "ray"


def main() -> None:
    files, out = benchmark_corpus(__doc__.splitlines()[0])
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        rows["local ingest (baseline)"] = local(files, Path(tmp) / "local")
        for workers in (1, 2):
            start = cluster(workers, Path(tmp) / f"ray{workers}")
            try:
                one = ingest(files[:1], Path(tmp) / f"warm{workers}", start, workers)
                rows[f"ray, {workers} worker(s): start-up and 1 file"] = one
                rows[f"ray, {workers} worker(s)"] = ingest(
                    files, Path(tmp) / f"r{workers}", start, workers
                )
            finally:
                stop()
    base = rows["local ingest (baseline)"]["seconds"]
    for row in rows.values():
        row["x_local"] = base / row["seconds"]
    print(f"{len(files)} files, {os.cpu_count()} CPUs")
    print(format_table(rows))
    if out:
        out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def local(files: list[Path], data: Path) -> dict[str, float]:
    """A local ingest, with the time spent in the part a worker would do."""
    spent = [0.0]
    real = writer.prepare

    def timed_prepare(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    archive = Archive(Settings(data_dir=data, seed_dir=None))
    archive.backends.embedder.embed(["warm up the model"])
    writer.prepare = timed_prepare
    try:
        start = time.perf_counter()
        results = archive.ingest(files)
        seconds = time.perf_counter() - start
    finally:
        writer.prepare = real
    return {
        "seconds": seconds,
        "files": len(results),
        "worker_part_s": spent[0],
        "driver_part_s": seconds - spent[0],
        "driver_share": (seconds - spent[0]) / seconds,
    }


def ingest(files: list[Path], data: Path, address: str, workers: int) -> dict[str, float]:
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    preparer = ray_preparer(archive.settings, address, workers)
    start = time.perf_counter()
    results = list(archive.ingest_stream(files, preparer=preparer))
    seconds = time.perf_counter() - start
    import ray

    ray.shutdown()  # the next run connects afresh (its own cluster)
    return {"seconds": seconds, "files": len(results)}


def cluster(workers: int, temp: Path) -> str:
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}
    temp.mkdir(parents=True)
    cmd = [str(RAY), "start", "--head", "--port=6390", f"--num-cpus={workers}",
           "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=300)
    return "127.0.0.1:6390"


def stop() -> None:
    subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=300)


if __name__ == "__main__":
    main()
