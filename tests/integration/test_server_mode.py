"""The archive on a Chroma server (RAG_CHROMA_URL) behaves as on the embedded store, and a
server that goes away gives a clear error, then works again when it is back."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from rag.index.store import StoreUnavailable
from rag.pipeline import Archive
from tests.conftest import BLINKEN, SEEDS, free_port, open_archive, wait_until_up

QUESTION = "what did Blinken say about a summit?"


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    chroma = Path(sys.executable).parent / "chroma"
    cmd = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(proc, f"http://127.0.0.1:{port}/api/v2/heartbeat", "chroma run", 60)
    return proc


@pytest.fixture
def server(tmp_path):
    port = free_port()
    proc = start_chroma(tmp_path / "server", port)
    yield proc, port
    proc.kill()
    proc.wait()


@pytest.fixture(params=["embedded", "server"])
def any_archive(request, settings, embedder, tmp_path) -> Archive:
    if request.param == "server":
        _, port = request.getfixturevalue("server")
        settings = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"})
    archive = open_archive(settings, embedder)
    return archive


def test_ingest_ask_reingest_filter_and_delete_work_the_same(any_archive: Archive):
    first = any_archive.ingest([SEEDS])
    assert [r.status for r in first] == ["added"]
    assert [r.status for r in any_archive.ingest([SEEDS])] == ["unchanged"]
    assert any(BLINKEN in c.quote for c in any_archive.ask(QUESTION).citations)
    assert any_archive.ask(QUESTION, as_of=dt.date(2021, 12, 1)).abstained
    chunks = any_archive.backends.store.count()
    assert chunks == first[0].chunks
    assert any_archive.delete(first[0].doc_id)
    assert any_archive.backends.store.count() == 0 and any_archive.ask(QUESTION).abstained


def test_a_server_that_goes_away_gives_a_clear_error_then_recovers(settings, embedder, tmp_path):
    port = free_port()
    proc = start_chroma(tmp_path / "server", port)
    archive = open_archive(
        settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"}), embedder
    )
    try:
        archive.ingest([SEEDS])
        proc.kill()
        proc.wait()
        with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server"):
            archive.ask(QUESTION)
        proc = start_chroma(tmp_path / "server", port)  # restarted on the same data
        assert any(BLINKEN in c.quote for c in archive.ask(QUESTION).citations)
    finally:
        proc.kill()
        proc.wait()
