"""Query latency of `search` and offline `ask` (warm), and peak memory, on an archive.

    python benchmarks/query.py --data DIR --questions FILE.jsonl [--limit N] [--out q.json]

DIR is an existing data directory (e.g. one under data/eval-cache/ built by `python -m rag
eval`); every question is asked as of its date. Compare the table's rows across archives of
different sizes; each row's ratio is to `search` in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.evaluate import format_table, load_questions, percentile  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    archive = Archive(Settings(data_dir=args.data, seed_dir=None, llm_backend="offline"))
    questions = load_questions(args.questions)[: args.limit]
    archive.ask("warm up the model and the indexes")
    timings: dict[str, list[float]] = {"search": [], "ask (offline)": []}
    for q in questions:
        start = time.perf_counter()
        archive.search(q.query, as_of=q.as_of)
        timings["search"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        archive.ask(q.query, as_of=q.as_of)
        timings["ask (offline)"].append((time.perf_counter() - start) * 1000)
    chunks = archive.store.count()
    base = percentile(timings["search"], 0.5)
    rows = {
        name: {
            "chunks": chunks,
            "questions": len(ms),
            "p50_ms": percentile(ms, 0.5),
            "p95_ms": percentile(ms, 0.95),
            "x_search_p50": percentile(ms, 0.5) / base,
        }
        for name, ms in timings.items()
    }
    rows["peak RSS MB"] = {"chunks": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(format_table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
