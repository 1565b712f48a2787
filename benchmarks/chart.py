"""Draw the README's performance chart from the JSON of ingest.py and scale.py.

python benchmarks/chart.py --ingest ingest.json --scale scale.json --out docs/performance.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

INGEST_BARS = {
    "sentence-transformers encode, torch (floor)": "model alone\n(floor)",
    "LangChain tutorial, torch": "LangChain\ntutorial",
    "our ingest, torch": "ours\nPyTorch",
    "our ingest, onnx-int8": "ours\nint8 ONNX",
}
LINES = {
    "tutorial query": ("LangChain tutorial query (dense only)", "tab:gray"),
    "search": ("our search (hybrid: dense + BM25, fused)", "tab:blue"),
    "ask (offline)": ("our ask (offline answer)", "tab:orange"),
}


def draw(ingest: dict, scale: dict, out: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = [n for n in INGEST_BARS if n in ingest]
    seconds = [ingest[n]["seconds"] for n in names]
    bars = left.bar([INGEST_BARS[n] for n in names], seconds, color="tab:blue")
    for bar, name in zip(bars, names):
        rate = ingest[name]["chunks_per_s"]
        left.annotate(f"{rate:.1f} chunks/s", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=8)  # fmt: skip
    left.set_ylabel("seconds (lower is better)")
    left.set_title("Ingest of the same 150 news articles")
    for system, (label, color) in LINES.items():
        rows = sorted(
            (row["chunks"], row["p50_ms"], row["p95_ms"])
            for name, row in scale.items()
            if name.startswith(system + " @")
        )
        if not rows:
            continue
        sizes, p50, p95 = zip(*rows)
        right.plot(sizes, p50, marker="o", color=color, label=f"{label}, p50")
        right.plot(sizes, p95, linestyle="--", color=color, alpha=0.6, label="p95")
    right.set_xscale("log")
    right.set_ylim(bottom=0)
    right.set_xlabel("chunks in the archive (1M: on a Chroma server)")
    right.set_ylabel("milliseconds per question (warm)")
    right.set_title("Query latency against archive size")
    right.legend(fontsize=7, loc="upper left")
    right.grid(True, which="both", alpha=0.3)
    fig.suptitle("2 CPU cores, no GPU; all-MiniLM-L6-v2", fontsize=9)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest", type=Path, required=True)
    parser.add_argument("--scale", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/performance.png"))
    args = parser.parse_args()
    draw(json.loads(args.ingest.read_text()), json.loads(args.scale.read_text()), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
