"""How long a timeline takes, per story, against a plain search of the same query.

    python benchmarks/timeline.py --timelines ../shared/eval/timeline17 [--runs 3] [--mixed]

Each Timeline17 folder (one story from one outlet, 100-500 articles) is ingested once into
its own cached archive (the same cache `eval --timelines` uses), then, in one warm process,
each story's timeline is built `--runs` times with the default settings (as many dates as
the story warrants) and the same query searched (top 10, hybrid): medians, and the ratio.
With `--mixed`, all folders are one archive (the cache of `eval --timelines --mixed`) and
each story's query runs on all of it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.eval.common import cache_dir  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402


def median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timelines", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mixed", action="store_true", help="all folders as one archive")
    args = parser.parse_args()
    settings = Settings()
    topics = [json.loads(t) for t in (args.timelines / "topics.jsonl").read_text().splitlines()]
    everything = sorted(f for t in topics for f in (args.timelines / t["articles"]).iterdir())
    header = f"{'story':28}{'articles':>9}{'dates':>6}{'search ms':>11}{'timeline ms':>13}"
    print(header + f"{'ratio':>7}")
    opened: dict[Path, Archive] = {}
    for topic in topics:
        files = everything if args.mixed else sorted((args.timelines / topic["articles"]).iterdir())
        data = cache_dir(settings.data_dir / "eval-cache", files, settings)
        if data not in opened:  # the mixed archive is opened once
            opened[data] = Archive(settings.model_copy(update={"data_dir": data, "seed_dir": None}))
            opened[data].ingest(files)
        archive = opened[data]
        query = topic["query"]
        archive.search(query)  # warm: the model and this archive's indexes are loaded
        search = median_ms(lambda a=archive, q=query: a.search(q, k=10), args.runs)
        made = archive.timeline(query)
        timeline = median_ms(lambda a=archive, q=query: a.timeline(q), args.runs)
        print(f"{topic['topic']:28}{len(archive.documents()):>9}{len(made.entries):>6}{search:>11.0f}"
              f"{timeline:>13.0f}{timeline / search:>7.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
