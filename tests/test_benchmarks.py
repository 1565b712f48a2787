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
    for name in ("model alone, torch", "our ingest, onnx-int8", "LangChain tutorial, torch"):
        assert rows[name]["chunks"] > 0 and rows[name]["chunks_per_s"] > 0
    assert rows["model alone, torch"]["x_torch_floor"] == 1


def test_query_benchmark_reports_percentiles(settings, tmp_path):
    Archive(settings).ingest([SEEDS])
    questions = tmp_path / "q.jsonl"
    asked = ["what did Blinken say about a summit?", "Who is Karen Donfried?"]
    rows = [{"id": str(i), "query": q, "question_date": "2022-01-01"} for i, q in enumerate(asked)]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "query.json"
    run("benchmarks/query.py", "--data", str(settings.data_dir), "--questions", str(questions),
        "--out", str(out))  # fmt: skip
    result = json.loads(out.read_text())
    assert result["search"]["questions"] == 2 and result["ask (offline)"]["p95_ms"] > 0


def test_startup_benchmark_reaches_the_first_answer(tmp_path):
    out = tmp_path / "startup.json"
    run("benchmarks/startup.py", "--runs", "1", "--out", str(out))
    rows = json.loads(out.read_text())
    up, ready, answered = (
        rows[k]["median"] for k in ("server up s", "chat ready s", "first answer s")
    )
    assert 0 < up <= ready <= answered
