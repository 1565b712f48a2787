"""Builds the archive's parts from Settings, each on first use; tests pass their own.

The embedder (PyTorch, OpenVINO or int8 ONNX; rag/index/runtime.py picks by CPU), the
Chroma chunk store, the keyword index, the reranker and the answerer (offline quotes, or a
configured LLM) are chosen here and nowhere else. Nothing is loaded before it is used:
listing documents needs no model.
"""

from __future__ import annotations

import logging
from functools import cached_property

from langchain_core.prompts import PromptTemplate

from rag.answer.llm import LLMConfigError, chat_model, describe
from rag.answer.llm_answer import LLMAnswerer
from rag.answer.quotes import Answerer, OfflineAnswerer
from rag.index.embeddings import Embedder, Encoder
from rag.index.keyword import KeywordIndex
from rag.index.onnx import OnnxEmbedder, OpenVinoEmbedder
from rag.index.runtime import choose
from rag.index.store import ChunkStore
from rag.prompts import load_prompts
from rag.search.rerank import CrossEncoderReranker, Reranker, SentenceReranker
from rag.settings import Settings

log = logging.getLogger("rag")


class Backends:
    """The parts an Archive works with. `embedder` replaces the configured model (tests and
    evaluations share one loaded model between many archives)."""

    def __init__(self, settings: Settings, embedder: Encoder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder

    @cached_property
    def prompts(self) -> dict[str, PromptTemplate]:
        return load_prompts(self.settings.prompts_dir)

    @cached_property
    def embedder(self) -> Encoder:
        s = self.settings
        if self._embedder is not None:
            return self._embedder
        if s.embed_backend == "onnx-int8":
            return OnnxEmbedder(s.embedding_model_dir, s.models_dir, s.embed_batch_size)
        if s.embed_backend == "auto":
            return choose(self._runtime, s.machine_cache_dir / "embed-runtime.json")[1]
        return self._runtime(s.embed_backend)

    def _runtime(self, name: str) -> Encoder:
        s = self.settings
        if name == "openvino":
            models = s.machine_cache_dir / "models"
            return OpenVinoEmbedder(s.embedding_model_dir, models, s.embed_batch_size, s.embed_bf16)
        return Embedder(s.embedding_model_dir, s.embed_batch_size, s.embed_bf16)

    @cached_property
    def store(self) -> ChunkStore:
        s = self.settings
        return ChunkStore(s.chroma_dir, s.collection, self.embedder, s.chroma_url)

    @cached_property
    def keyword(self) -> KeywordIndex:
        return KeywordIndex(self.settings.keyword_dir)

    @cached_property
    def reranker(self) -> Reranker:
        """The reranker searches in mode "hybrid+rerank" use."""
        s = self.settings
        if s.rerank_model_dir is not None:
            return CrossEncoderReranker(s.rerank_model_dir, s.rerank_depth)
        return SentenceReranker(self.embedder, s.rerank_depth)

    @cached_property
    def offline(self) -> OfflineAnswerer:
        s = self.settings
        return OfflineAnswerer(self.prompts, s.max_quotes, s.answer_weights)

    @cached_property
    def _configured(self) -> tuple[Answerer, str]:
        """The configured answerer and, if an LLM is set but cannot be used, why not."""
        try:
            model = chat_model(self.settings)
        except LLMConfigError as e:
            log.warning("LLM not used: %s", e)
            return self.offline, str(e)
        if model is None:
            return self.offline, ""
        name = describe(self.settings)
        return LLMAnswerer(model, name, self.embedder, self.settings, self.prompts), ""

    @property
    def answerer(self) -> Answerer:
        """The LLM answerer when a backend is configured and usable, else offline quotes."""
        return self._configured[0]

    @property
    def llm_problem(self) -> str:
        """Why a configured LLM is not used ("" when it is, or none is configured)."""
        return self._configured[1]
