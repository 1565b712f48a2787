"""The LLM answer path against a real local model (SmolLM2 served by llama.cpp), and its
failure modes: endpoint down, too slow, malformed replies, stopped mid-answer.

SmolLM2-135M is tiny: these tests check the mechanics (streaming, parsing, verification,
fallback), never the wisdom of its answers.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
import time

import pytest

from rag.pipeline import Archive
from rag.settings import Settings
from tests.conftest import (
    BLINKEN,
    SEEDS,
    free_port,
    llm_settings,
    open_archive,
    start_llm_server,
)

QUESTION = "what did Blinken say about a summit?"


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory, embedder):
    """A seeded archive folder shared by this module's tests (each opens its own Archive)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("llm") / "data", seed_dir=None)
    archive = open_archive(settings, embedder)
    archive.ingest([SEEDS])
    return settings


def llm_archive(settings: Settings, embedder, url: str, **extra) -> Archive:
    return open_archive(llm_settings(settings, url, **extra), embedder)


def assert_markers_point_at_citations(answer):
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers <= {c.n for c in answer.citations}
    # numbered per article: 1..N, one article per number
    sources = answer.sources()
    assert [quotes[0].n for quotes in sources] == list(range(1, len(sources) + 1))
    assert all(len({c.doc_id for c in quotes}) == 1 for quotes in sources)


def test_answer_streams_and_is_checked_before_it_is_shown(seeded_dir, embedder, llm_url):
    archive = llm_archive(seeded_dir, embedder, llm_url)
    pieces: list[str] = []
    answer = archive.ask(QUESTION, on_token=pieces.append)
    assert len(pieces) > 3, "the model's answer should arrive token by token"
    assert "".join(pieces).strip()
    assert answer.claims, "every answer carries its checked claims"
    assert_markers_point_at_citations(answer)
    if answer.notice:  # the model's claims failed the check: the archive's quotes instead
        assert answer.backend == "offline"
        assert any(BLINKEN in c.quote for c in answer.citations)
        assert all(c.supported for c in answer.claims)
    else:
        assert answer.backend.startswith("smollm2")
        for claim in answer.claims:
            assert claim.text in answer.text
            assert all(1 <= n <= len(answer.citations) for n in claim.citations)


def test_offline_flag_skips_the_model(seeded_dir, embedder, llm_url):
    archive = llm_archive(seeded_dir, embedder, llm_url)
    pieces: list[str] = []
    answer = archive.ask(QUESTION, on_token=pieces.append, offline=True)
    assert pieces == []
    assert answer.backend == "offline" and not answer.notice
    assert any(BLINKEN in c.quote for c in answer.citations)


def test_a_question_the_archive_does_not_answer_never_reaches_the_model(
    seeded_dir, embedder, llm_url
):
    archive = llm_archive(seeded_dir, embedder, llm_url)
    pieces: list[str] = []
    answer = archive.ask("Who won the 1998 Tour de France cycling race?", on_token=pieces.append)
    assert answer.abstained and not answer.citations
    assert pieces == []


def test_server_stopped_mid_answer_gives_the_offline_answer(seeded_dir, embedder):
    proc, url = start_llm_server()
    archive = llm_archive(seeded_dir, embedder, url, llm_max_retries=0, llm_timeout=60)
    pieces: list[str] = []

    def kill_after_first_token(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 1:
            proc.kill()

    try:
        answer = archive.ask(QUESTION, on_token=kill_after_first_token)
    finally:
        proc.kill()
        proc.wait()
    assert pieces, "the model had started answering"
    assert "did not answer" in answer.notice
    assert any(BLINKEN in c.quote for c in answer.citations)


def test_unreachable_endpoint_falls_back_quickly(seeded_dir, embedder):
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    archive = llm_archive(seeded_dir, embedder, url, llm_max_retries=1, llm_timeout=3)
    start = time.monotonic()
    answer = archive.ask(QUESTION)
    assert "cannot reach" in answer.notice
    assert any(BLINKEN in c.quote for c in answer.citations)
    assert time.monotonic() - start < 60  # bounded: no hanging on a dead endpoint


def test_silent_endpoint_times_out(seeded_dir, embedder):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    archive = llm_archive(seeded_dir, embedder, url, llm_max_retries=0, llm_timeout=1)
    try:
        answer = archive.ask(QUESTION)
    finally:
        listener.close()
    assert "no reply within 1 s" in answer.notice
    assert any(BLINKEN in c.quote for c in answer.citations)


class _Garbage(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the http.server API
        body = b"<html>not an API</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_malformed_reply_falls_back(seeded_dir, embedder):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    archive = llm_archive(seeded_dir, embedder, url, llm_max_retries=0)
    try:
        answer = archive.ask(QUESTION)
    finally:
        server.shutdown()
    assert "did not answer" in answer.notice
    assert any(BLINKEN in c.quote for c in answer.citations)
