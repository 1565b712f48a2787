"""The exported runtimes (int8 ONNX, OpenVINO): exported locally, close to the PyTorch
model, and usable."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rag.backends import Backends
from rag.index.embeddings import Embedder, embed_passages
from rag.index.onnx import OnnxEmbedder, OpenVinoEmbedder
from rag.index.runtime import cpu_signature
from rag.pipeline import Archive
from rag.settings import Settings
from tests.conftest import BLINKEN, ROOT, SEEDS

TEXTS = [
    "US Secretary of State Antony Blinken ruled out an in-person meeting for now.",
    "The port of Valdora reopened on Monday after a three week strike.",
    "Colorado Avalanche win the Stanley Cup " * 40,  # longer than the model reads
]
RUNTIMES = {"torch": Embedder, "openvino": OpenVinoEmbedder}


def test_int8_vectors_match_the_pytorch_model(tmp_path, embedder):
    onnx = OnnxEmbedder(Settings().embedding_model_dir, tmp_path / "models")
    assert (tmp_path / "models" / f"{onnx.name}.onnx").exists()  # cached for next time
    fast, exact = onnx.embed(TEXTS), embedder.embed(TEXTS)
    assert fast.shape == exact.shape
    assert np.allclose(np.linalg.norm(fast, axis=1), 1, atol=1e-5)
    assert float((fast * exact).sum(axis=1).min()) > 0.97


def test_an_archive_on_int8_embeddings_answers(settings, tmp_path):
    archive = Archive(settings.model_copy(update={"embed_backend": "onnx-int8"}))
    archive.ingest([SEEDS])
    answer = archive.ask("what did Blinken say about a summit?")
    assert BLINKEN in answer.citations[0].quote


def test_each_sentence_gets_its_own_vector_at_ingest(seeded: Archive, embedder):
    """Answers score sentences by vectors stored at ingest (pooled from the chunk's own
    forward pass); row 0 is the headline, then one row per sentence, in order."""
    hits = seeded.search("what did Blinken say about a summit?")
    assert hits
    matched = []
    for hit in hits:
        texts = [hit.title] + [text for _, text in hit.sentence_texts()]
        stored = seeded.manifest.sentence_vectors([hit.doc_id])[hit.doc_id].for_hit(hit)
        assert stored.shape == (len(texts), embedder.dimension)
        assert np.allclose(np.linalg.norm(stored, axis=1), 1, atol=1e-3)
        alone = embedder.embed(texts)
        # a stored vector is nearest to its own sentence embedded alone (in context it
        # sometimes leans to a neighbour; a row out of line would almost never match)
        matched += list((stored @ alone.T).argmax(axis=1) == np.arange(len(texts)))
    assert np.mean(matched) >= 0.75, matched


def test_an_archive_from_before_sentence_vectors_answers_and_gets_them(settings, tmp_path):
    """A manifest written before sentence vectors were stored: its documents are answered
    from sentences embedded at question time, and the table gains the columns."""
    settings.data_dir.mkdir(parents=True)
    old = sqlite3.connect(settings.data_dir / "manifest.sqlite3")
    old.executescript(
        "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, version TEXT NOT NULL, "
        "content_hash TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL, url TEXT NOT "
        "NULL, source TEXT NOT NULL, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL, "
        "text TEXT NOT NULL);"
    )
    old.close()
    archive = Archive(settings)
    archive.ingest([SEEDS])
    docs = [d.doc_id for d in archive.documents()]
    assert archive.manifest.sentence_vectors(docs).keys() == set(docs)
    with archive.manifest.db:  # as if ingested by the version before
        archive.manifest.db.execute("UPDATE documents SET sentence_vectors = NULL")
    assert archive.manifest.sentence_vectors(docs) == {}
    answer = archive.ask("what did Blinken say about a summit?")
    assert not answer.abstained and BLINKEN in answer.citations[0].quote


def test_openvino_vectors_are_the_pytorch_ones(tmp_path):
    model_dir = Settings().embedding_model_dir
    exact = Embedder(model_dir, bf16="false")
    spans = [[(0, 20), (21, len(t))] for t in TEXTS]
    want, want_pooled = embed_passages(exact, TEXTS, spans)
    for bf16 in ("auto", "false"):  # bfloat16 where this CPU has it natively, and fp32
        ov = OpenVinoEmbedder(model_dir, tmp_path / "models", bf16=bf16)
        assert ov.name == exact.name  # the same vectors: an archive is not embedded again
        got, got_pooled = embed_passages(ov, TEXTS, spans)
        assert float((got * want).sum(axis=1).min()) > 0.9999
        for mine, theirs in zip(got_pooled, want_pooled):
            assert float((mine * theirs).sum(axis=1).min()) > 0.9999 or not theirs[1].any()
    with ThreadPoolExecutor(4) as pool:  # the app's request threads embed at once
        rows = list(pool.map(lambda t: ov.embed([t])[0], TEXTS * 4))
    assert all(float(r @ want[i % len(TEXTS)]) > 0.9999 for i, r in enumerate(rows))


def test_an_archive_moves_to_openvino_without_embedding_again(settings):
    Archive(settings).ingest([SEEDS])
    moved = Archive(settings.model_copy(update={"embed_backend": "openvino"}))
    assert [r.status for r in moved.ingest([SEEDS])] == ["unchanged"]
    answer = moved.ask("what did Blinken say about a summit?")
    assert BLINKEN in answer.citations[0].quote


def test_openvino_reports_nothing_over_the_network(tmp_path):
    """OpenVINO sends usage data from its first import unless opted out, and writes a
    client id under ~/intel (both seen without our guard): with it, neither happens."""
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import sys; from pathlib import Path; import openvino_telemetry.utils.sender as s; "
        "sent = []; s.TelemetrySender.send = lambda self, *a, **k: sent.append(a); "
        "from rag.settings import Settings; from rag.index.onnx import OpenVinoEmbedder; "
        f"e = OpenVinoEmbedder(Settings().embedding_model_dir, Path({str(tmp_path)!r})); "
        "e.embed(['a test']); import openvino.tools.ovc; print(len(sent))"
    )
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0" and not list(home.iterdir())


def test_auto_times_the_runtimes_once_per_cpu_and_keeps_the_faster(settings, tmp_path):
    machine = tmp_path / "machine"
    other = {"backend": "torch", "texts_per_s": {"torch": 1.0}, "measured": "2026-01-01"}
    machine.mkdir()
    memory = machine / "embed-runtime.json"
    memory.write_text(json.dumps({"Another CPU 64 cores amx_bf16": other}))
    auto = settings.model_copy(update={"machine_cache_dir": machine})
    chosen = Backends(auto).embedder
    known = json.loads(memory.read_text())
    mine = known[cpu_signature()]
    assert known["Another CPU 64 cores amx_bf16"] == other  # another machine's choice kept
    assert set(mine["texts_per_s"]) == {"torch", "openvino"}
    assert mine["backend"] == max(mine["texts_per_s"], key=mine["texts_per_s"].get)
    assert isinstance(chosen, RUNTIMES[mine["backend"]])
    assert chosen.embed(TEXTS[:1]).shape == (1, 384)
    for name, runtime in RUNTIMES.items():  # what is remembered is used, without timing
        known[cpu_signature()] = {**mine, "backend": name}
        memory.write_text(json.dumps(known))
        assert isinstance(Backends(auto).embedder, runtime)
        assert json.loads(memory.read_text())[cpu_signature()]["backend"] == name
    forced = auto.model_copy(update={"embed_backend": "torch"})
    assert isinstance(Backends(forced).embedder, Embedder)
