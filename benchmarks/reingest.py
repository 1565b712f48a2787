"""Re-ingest: what an updated article costs once the model's vectors are kept by text.

    python benchmarks/reingest.py --articles ../shared/eval/realtimeqa/articles \
        --subset ../shared/eval/realtimeqa/subset-1k.txt [--limit N] [--out reingest.json]

The files are ingested into a fresh archive (the baseline), then each is changed as a
correction changes it (a sentence added to its last paragraph) and ingested again, then
ingested again unchanged. Each row gives the time, the chunks written and those the model
read anew, and the time as a share of the first ingest. The last row is what keeping the
vectors costs on disk: the cache table's bytes per chunk beside the rest of the manifest's.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.eval.common import benchmark_corpus, format_table  # noqa: E402
from rag.pipeline import Archive  # noqa: E402
from rag.settings import Settings  # noqa: E402

ADDED = " A spokesperson later said the figures in this report had been corrected."


def main() -> None:
    files, out = benchmark_corpus(__doc__.splitlines()[0])
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        copies = [Path(shutil.copy(f, folder / f.name)) for f in files]
        settings = Settings(data_dir=Path(tmp) / "data", seed_dir=None)
        archive = Archive(settings)
        archive.backends.embedder.embed(["warm up the model"])
        rows["first ingest (baseline)"] = timed(archive, copies)
        for path in copies:
            text = path.read_text(encoding="utf-8").rstrip("\n")
            path.write_text(text + ADDED + "\n", encoding="utf-8")
        rows["every article updated"] = timed(archive, copies)
        rows["every article unchanged"] = timed(archive, copies)
        base = rows["first ingest (baseline)"]["seconds"]
        for row in rows.values():
            row["x_first_ingest"] = row["seconds"] / base
        rows["bytes per chunk on disk"] = disk(settings.data_dir / "manifest.sqlite3")
    print(f"{len(files)} files")
    print(format_table(rows))
    if out:
        out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def timed(archive: Archive, paths: list[Path]) -> dict[str, float]:
    start = time.perf_counter()
    results = archive.ingest(paths)
    seconds = time.perf_counter() - start
    written = [r for r in results if r.status in ("added", "updated")]
    return {
        "seconds": seconds,
        "written": sum(r.chunks for r in written),
        "embedded": sum(r.embedded for r in written),
    }


def disk(manifest: Path) -> dict[str, float]:
    """The cache table's and the whole manifest's bytes, per stored chunk (SQLite's dbstat)."""
    db = sqlite3.connect(manifest)
    chunks = db.execute("SELECT SUM(chunks) FROM documents").fetchone()[0] or 1
    sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    cache = sizes.get("embedded", 0) + sizes.get("embedded_by_doc", 0)
    cache += sizes.get("sqlite_autoindex_embedded_1", 0)
    return {"cache": cache / chunks, "rest of manifest": (sum(sizes.values()) - cache) / chunks}


if __name__ == "__main__":
    main()
