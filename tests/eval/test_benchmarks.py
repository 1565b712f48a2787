"""Smoke runs of the benchmark scripts on tiny data: they run and report every row."""

from __future__ import annotations

import json
import subprocess
import sys

from rag.pipeline import Archive
from tests.conftest import ROOT, SEEDS


def run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True, timeout=900)


def test_ingest_benchmark_reports_floor_ours_and_tutorial(tmp_path):
    out = tmp_path / "ingest.json"
    run("benchmarks/ingest.py", "--articles", str(SEEDS), "--out", str(out))
    rows = json.loads(out.read_text())
    floor = "sentence-transformers encode, torch (floor)"
    for name in (floor, "model alone, torch", "our ingest, onnx-int8", "LangChain tutorial, torch"):
        assert rows[name]["chunks"] > 0 and rows[name]["chunks_per_s"] > 0
        assert rows[name]["tokens_per_s"] > 10 * rows[name]["chunks_per_s"]
    assert rows[floor]["x_torch_floor"] == 1


def test_scale_benchmark_copies_the_archive_up_to_each_size_and_charts_it(settings, tmp_path):
    Archive(settings).ingest([SEEDS])
    questions = tmp_path / "q.jsonl"
    asked = ["what did Blinken say about a summit?", "Who is Karen Donfried?"]
    rows = [{"id": str(i), "query": q, "question_date": "2022-01-01"} for i, q in enumerate(asked)]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "scale.json"
    run("benchmarks/scale.py", "--source", str(settings.data_dir), "--questions", str(questions),
        "--sizes", "5", "40", "--work", str(tmp_path / "work"), "--out", str(out))  # fmt: skip
    result = json.loads(out.read_text())
    sizes = sorted(row["chunks"] for name, row in result.items() if name.startswith("search @"))
    assert len(sizes) == 2 and 5 <= sizes[0] < 40 <= sizes[1]
    big = result[f"ask (offline) @{sizes[1]}"]
    assert (
        big["p95_ms"] >= big["p50_ms"] > 0
        and result[f"tutorial query @{sizes[1]}"]["x_tutorial_p50"] == 1
    )
    assert result[f"archive @{sizes[1]}"]["keyword_index_MB"] > 0
    ingest = tmp_path / "ingest.json"
    ingest.write_text(json.dumps({"model alone, torch": {"seconds": 2.0, "chunks_per_s": 5.0}}))
    png = tmp_path / "chart.png"
    run("benchmarks/chart.py", "--ingest", str(ingest), "--scale", str(out), "--out", str(png))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def test_startup_benchmark_reaches_the_first_answer(tmp_path):
    out = tmp_path / "startup.json"
    run("benchmarks/startup.py", "--runs", "1", "--out", str(out))
    rows = json.loads(out.read_text())
    up, ready, answered = (
        rows[k]["median"] for k in ("server up s", "chat ready s", "first answer s")
    )
    assert 0 < up <= ready <= answered


def test_keyword_benchmark_compares_bm25s_and_fts5(settings, tmp_path):
    Archive(settings).ingest([SEEDS])
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "1", "query": "Blinken summit"}) + "\n")
    out = tmp_path / "keyword.json"
    work = str(tmp_path / "work")
    run("benchmarks/keyword_scale.py", "--source", str(settings.data_dir), "--questions",
        str(questions), "--sizes", "30", "--work", work, "--out", str(out))  # fmt: skip
    rows = json.loads(out.read_text())
    for kind in ("bm25s build", "bm25s update", "fts5"):
        row = rows[f"{kind} @30"]
        assert row["chunks"] == 30 and row["disk_MB"] > 0 and row["query_p50_ms"] > 0
    assert rows["bm25s update @30"]["add_10_chunks_s"] > 0
