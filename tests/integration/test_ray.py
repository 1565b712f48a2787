"""Ingest on a real local Ray cluster (`ray start --head`, two worker processes) into a real
Chroma server builds the archive a local ingest builds; a head that does not answer is a
clear error that writes nothing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, free_port, write_article
from tests.integration.test_server_mode import start_chroma

RAY = Path(sys.executable).parent / "ray"
QUESTIONS = ("what did Blinken say about a summit?", "harbour ferry strike", "storm Valdora")


@pytest.fixture(scope="module")
def cluster():
    """A Ray head on this machine with two CPUs: two workers. It asks for a token, which
    this test makes (a fresh machine has no ~/.ray/auth_token) and its clients are given."""
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # its socket paths must stay short
    port = free_port()
    token = {"RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env = {**os.environ, **token, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}
    start = [str(RAY), "start", "--head", f"--port={port}", "--num-cpus=2", f"--temp-dir={temp}",
             "--include-dashboard=false", "--disable-usage-stats"]  # fmt: skip
    started = subprocess.run(start, capture_output=True, text=True, env=env, timeout=180)
    assert started.returncode == 0, started.stderr[-2000:]
    yield f"127.0.0.1:{port}", token
    subprocess.run([str(RAY), "stop", "--force"], capture_output=True, env=env, timeout=120)
    shutil.rmtree(temp, ignore_errors=True)


def _news(folder: Path) -> None:
    """Articles with quotes, names and a near-copy, beside the seed article."""
    for name in SEEDS.glob("*.txt"):
        shutil.copy(name, folder / name.name)
    ferry = ("The ferry workers' union ended its strike at the harbour on Tuesday.",
             "“We have a fair deal at last,” union leader Marta Olsen said.",
             "Ferries to the islands will run on the normal timetable from Wednesday.")  # fmt: skip
    for name, url in (("ferry.txt", "https://n.test/f"), ("ferry-copy.txt", "https://w.test/f")):
        write_article(folder, name, "Harbour ferry strike ends", "20240305", url, *ferry)
    for i, day in enumerate(("01", "04")):
        write_article(folder, f"storm{i}.txt", f"Storm in Valdora, day {i}", f"202403{day}",
                      f"https://n.test/s{i}",
                      f"The storm killed {12 + 7 * i} people in Valdora, officials said.",
                      "Mayor Ilse Brandt said schools would stay closed.")  # fmt: skip


def _run(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)


def _archive(data: Path, env: dict[str, str]) -> tuple:
    """What a user sees of an archive: its documents, search results and quotes."""
    docs = json.loads(_run(data, env, "docs", "--json").stdout)["documents"]
    for d in docs:
        del d["ingested_at"]
    found = [json.loads(_run(data, env, "search", q, "--json").stdout) for q in QUESTIONS]
    quotes = json.loads(_run(data, env, "quotes", "--json").stdout)
    return docs, found, quotes


def test_a_ray_ingest_into_a_chroma_server_equals_a_local_ingest(cluster, tmp_path: Path):
    news = tmp_path / "news"
    news.mkdir()
    _news(news)
    port = free_port()
    chroma = start_chroma(tmp_path / "chroma", port)
    head, token = cluster
    try:
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        on_server = {**env, **token, "RAG_CHROMA_URL": f"http://127.0.0.1:{port}"}
        ray = _run(tmp_path / "ray", on_server, "ingest", "--ray", head, "--workers", "2",
                   str(news))  # fmt: skip
        assert ray.returncode == 0, ray.stderr
        assert "5 added" in ray.stdout and "Traceback" not in ray.stderr
        local = _run(tmp_path / "local", env, "ingest", str(news))
        assert local.returncode == 0, local.stderr
        counts = local.stdout.splitlines()[-1].split(", 9 of them")[0]  # the copy: from cache
        assert ray.stdout.splitlines()[-1] == counts  # a worker embeds a changed article whole
        ray_archive, local_archive = (
            _archive(tmp_path / "ray", on_server),
            _archive(tmp_path / "local", env),
        )
        docs, found, quotes = ray_archive
        assert len(docs) == 5 and all(d["chunks"] > 0 for d in docs)
        assert any(q["speaker"] == "Marta Olsen" for q in quotes["quotes"])
        assert all(f["hits"] for f in found)
        assert ray_archive == local_archive  # documents, chunk counts, stories, search, quotes
        again = _run(tmp_path / "ray", on_server, "ingest", "--ray", head, str(news))
        assert again.returncode == 0 and "5 unchanged" in again.stdout, again.stderr
    finally:
        chroma.kill()
        chroma.wait()


def test_a_ray_head_that_does_not_answer_is_a_clear_error(tmp_path: Path):
    news = tmp_path / "news"
    news.mkdir()
    _news(news)
    out = _run(tmp_path / "data", dict(os.environ), "ingest", "--ray",
               f"127.0.0.1:{free_port()}", str(news))  # fmt: skip
    assert out.returncode == 1
    assert "error: --ray: nothing answers at 127.0.0.1:" in out.stderr
    assert "ray start --head" in out.stderr and "Traceback" not in out.stderr
    docs = json.loads(_run(tmp_path / "data", dict(os.environ), "docs", "--json").stdout)
    assert docs["documents"] == []
