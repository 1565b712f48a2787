"""What spaCy's pass (names and who said what) adds to an ingest.

    python benchmarks/attribution.py --articles ../shared/eval/realtimeqa/articles [--n 60]

The whole ingest (read, chunk, embed, Chroma, manifest with attributions, BM25) of the
same N articles into fresh archives with and without the spaCy pass (rag/ingest/reading.py:
the named-entity pass over the whole text, then the parse and the rules of attribution),
alternately, twice each, in one run; and the pass alone on the same articles, split into
the names (the named-entity pass) and who said what (the rest). Prints per-article
milliseconds and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.ingest import reading  # noqa: E402
from rag.ingest.articles import read_article  # noqa: E402
from rag.ingest.attribution import pipeline  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--n", type=int, default=60)
    args = parser.parse_args()
    files = sorted(args.articles.glob("*.txt"))[: args.n + 1]
    pipeline()
    read = reading.read
    with tempfile.TemporaryDirectory() as tmp:
        Archive(Settings(data_dir=Path(tmp) / "warm", seed_dir=None)).ingest([files[0]])
        times: dict[bool, list[float]] = {False: [], True: []}
        for run in range(4):
            on = run % 2 == 1
            reading.read = read if on else (lambda text: ([], []))
            archive = Archive(Settings(data_dir=Path(tmp) / f"ingest{run}", seed_dir=None))
            start = time.perf_counter()
            archive.ingest(files[1:])
            times[on].append((time.perf_counter() - start) * 1000 / args.n)
        reading.read = read
    texts = [read_article(f).text for f in files[1:]]
    alone, names, found = [], [], 0
    for text in texts:
        start = time.perf_counter()
        found += len(read(text)[0])
        alone.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        reading.entities(text)
        names.append((time.perf_counter() - start) * 1000)
    without, with_ = min(times[False]), min(times[True])
    words = statistics.fmean(len(t.split()) for t in texts)
    print(f"{args.n} articles of {args.articles} ({words:.0f} words on average), "
          f"{found} attributions found")  # fmt: skip
    print("| ingest per article | ms |")
    print("|---|---|")
    print(f"| without the spaCy pass (best of 2) | {without:.0f} |")
    print(f"| with it (best of 2) | {with_:.0f} |")
    print(f"| ratio with / without | {with_ / without:.3f} |")
    print(f"| the spaCy pass alone (mean) | {statistics.fmean(alone):.0f} |")
    print(f"| its share of the whole ingest | {statistics.fmean(alone) / with_:.1%} |")
    own = statistics.fmean(alone) - statistics.fmean(names)
    print(f"| of it, the names (named-entity pass, mean) | {statistics.fmean(names):.0f} |")
    print(f"| of it, who said what (parse and rules) | {own:.0f} |")
    print(f"| who said what's share of the whole ingest | {own / with_:.1%} |")


if __name__ == "__main__":
    main()
