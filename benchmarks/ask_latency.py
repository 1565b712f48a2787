"""Offline `ask` latency of this checkout against an earlier commit, on the same archive.

    python benchmarks/ask_latency.py --archive DIR --questions FILE.jsonl [--against REF]

DIR is an ingested archive (e.g. the one `python -m rag eval` builds under
data/eval-cache/ from RealTimeQA subset-1k: 11,145 chunks). Each side runs in a process
of its own, warmed up first, then asks every question as of its date: the earlier commit
from a temporary git worktree (default: the commit before this answerer, cf83185), this
checkout as it is. Prints p50/p95 in ms and the ratio to the earlier commit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(archive: Path, questions: Path) -> dict[str, float]:
    """Times ask() in this process, with whatever `rag` is first on sys.path."""
    import time

    from rag.eval.common import load_questions, percentile
    from rag.pipeline import Archive
    from rag.settings import Settings

    target = Archive(Settings(data_dir=archive, seed_dir=None))
    target.ask("warm up the model and the indexes")
    ms = []
    for q in load_questions(questions):
        start = time.perf_counter()
        target.ask(q.query, as_of=q.as_of, offline=True)
        ms.append((time.perf_counter() - start) * 1000)
    return {"questions": len(ms), "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95)}


def run_side(tree: Path, archive: Path, questions: Path) -> dict[str, float]:
    code = (
        f"import sys, json; sys.path.insert(0, {str(tree)!r}); "
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); from ask_latency import measure; "
        f"print(json.dumps(measure(__import__('pathlib').Path({str(archive)!r}), "
        f"__import__('pathlib').Path({str(questions)!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tree)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--against", default="cf83185")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.against],
                       cwd=ROOT, check=True)  # fmt: skip
        try:
            rows[f"ask at {args.against}"] = run_side(base, args.archive, args.questions)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT)
    rows["ask (this checkout)"] = run_side(ROOT, args.archive, args.questions)
    first = next(iter(rows.values()))
    print(f"{'system':26}{'questions':>10}{'p50 ms':>10}{'p95 ms':>10}{'p50 ratio':>11}")
    for name, row in rows.items():
        ratio = row["p50_ms"] / first["p50_ms"]
        print(f"{name:26}{row['questions']:>10}{row['p50_ms']:>10.0f}{row['p95_ms']:>10.0f}"
              f"{ratio:>10.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
