"""The int8 ONNX embedder: exported locally, close to the PyTorch model, and usable."""

from __future__ import annotations

import numpy as np

from rag.onnx_embeddings import OnnxEmbedder
from rag.pipeline import Archive
from rag.settings import Settings
from tests.conftest import BLINKEN, SEEDS

TEXTS = [
    "US Secretary of State Antony Blinken ruled out an in-person meeting for now.",
    "The port of Valdora reopened on Monday after a three week strike.",
    "Colorado Avalanche win the Stanley Cup " * 40,  # longer than the model reads
]


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
