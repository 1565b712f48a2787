"""The API fuzzed against its own OpenAPI schema at length: how many cases schemathesis
tries and what it finds, per way of calling the server.

    python benchmarks/fuzz_api.py [--articles ../shared/eval/realtimeqa/articles] [--n 40]
        [--examples 200]

Ingests seeds/ and the first N articles of the folder, then runs tests/api/fuzz.py (every
schemathesis check, the error shape, no traceback) against `python -m rag serve` over a
copy of that archive, fresh for each row: without tokens (loopback; everything allowed),
and with tokens as an editor, as a reader and with no token. Prints cases, unique
failures, seconds and cases per second per row; the reports go under --out.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402
from tests.api.fuzz import AUTH_FIRST, fuzz  # noqa: E402
from tests.conftest import serving_api  # noqa: E402

TOKENS = '{"fuzz-reader-0001": "reader", "fuzz-editor-0001": "editor"}'
ROWS = [  # (row, server has tokens, token sent, checks skipped)
    ("no tokens (loopback)", False, "", ()),
    ("tokens, editor", True, "fuzz-editor-0001", ()),
    ("tokens, reader", True, "fuzz-reader-0001", ()),
    ("tokens, none sent", True, "", AUTH_FIRST),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=Path, default=ROOT.parent / "shared/eval/realtimeqa/articles"
    )
    parser.add_argument("--n", type=int, default=40, help="articles from --articles")
    parser.add_argument("--examples", type=int, default=200, help="cases an operation and phase")
    parser.add_argument("--out", type=Path, help="keep the reports here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fuzz-api-"))
    out = args.out or work
    files = sorted(args.articles.glob("*.txt"))[: args.n] if args.articles.is_dir() else []
    built = work / "archive"
    Archive(Settings(data_dir=built, seed_dir=None)).ingest([ROOT / "seeds", *files])
    print(f"archive: seeds/ and {len(files)} articles of {args.articles}; "
          f"{args.examples} examples an operation and phase\n")  # fmt: skip
    print(f"| {'row':<22} | cases | failures | seconds | cases/s |")
    print(f"|{'-' * 24}|------:|---------:|--------:|--------:|")
    failed = 0
    for name, tokens, token, skip in ROWS:
        data = work / name.replace(" ", "-")
        shutil.copytree(built, data)
        env = {"RAG_FETCH_TIMEOUT": "2", **({"RAG_API_TOKENS": TOKENS} if tokens else {})}
        report = out / name.replace(" ", "-").replace(",", "").replace("(", "").replace(")", "")
        report.mkdir(parents=True, exist_ok=True)
        with serving_api(data, **env) as url:
            run = fuzz(url, report, token=token, examples=args.examples, skip=skip)
        (report / "output.txt").write_text(run.output)
        failed += run.failures or run.exit_code != 0
        print(f"| {name:<22} | {run.cases:>5} | {run.failures:>8} | {run.seconds:>7.0f} "
              f"| {run.cases / run.seconds:>7.0f} |", flush=True)  # fmt: skip
    print(f"\nreports and schemathesis' output per row: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
