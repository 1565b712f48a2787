"""The archive's verbs: ingest files, search, ask, list, delete. CLI and UI call only these."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property, partial
from pathlib import Path

from filelock import FileLock, Timeout

from rag.answer.llm import LLMConfigError, chat_model, describe
from rag.answer.llm_answer import LLMAnswerer
from rag.answer.quotes import Answerer, OfflineAnswerer, OnToken
from rag.index.embeddings import Embedder, Encoder, embed_passages
from rag.index.keyword import KeywordIndex, Row
from rag.index.manifest import Manifest
from rag.index.onnx import OnnxEmbedder
from rag.index.store import ChunkStore
from rag.ingest.articles import SUPPORTED_SUFFIXES, ArticleError, parse_upload, read_article
from rag.ingest.chunking import chunk_article
from rag.ingest.steps import WriteSteps
from rag.prompts import load_prompts
from rag.search.dates import question_range
from rag.search.fusion import Fusion, cap_per_doc, fuse
from rag.search.rerank import CrossEncoderReranker, Reranker, SentenceReranker
from rag.settings import Settings
from rag.types import (
    Answer,
    Article,
    Chunk,
    DocInfo,
    FileResult,
    Filters,
    Hit,
    SentenceVectors,
    site_of,
)

log = logging.getLogger("rag")
Progress = Callable[[int, int, FileResult], None]
# Bumped when what is stored per chunk or document changes, so documents are written anew.
SCHEMA = 3


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message is for the user."""


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: the files given, and the supported files below each folder given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)  # a missing path is reported as skipped by the reader
    return files


class Archive:
    """A news archive in a data directory: Chroma chunks + SQLite manifest."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.prompts = load_prompts(self.settings.prompts_dir)
        self.is_new = not self.settings.manifest_path.exists()
        self.manifest = Manifest(self.settings.manifest_path)
        # One lock object per archive: reentrant here, exclusive across processes.
        self.lock = FileLock(self.settings.lock_path)
        self.llm_problem = ""
        self._store_generation = -1
        self.steps = WriteSteps(self.settings.crash_after_step)

    @cached_property
    def embedder(self) -> Encoder:
        s = self.settings
        if s.embed_backend == "onnx-int8":
            return OnnxEmbedder(s.embedding_model_dir, s.models_dir, s.embed_batch_size)
        return Embedder(s.embedding_model_dir, s.embed_batch_size, s.embed_bf16)

    @cached_property
    def store(self) -> ChunkStore:
        self._store_generation = self.manifest.generation()
        s = self.settings
        return ChunkStore(s.chroma_dir, s.collection, self.embedder, s.chroma_url)

    def _sync_store(self) -> None:
        """Reload the vector store if another process has written the archive since."""
        self.store  # noqa: B018 - opening it notes the generation it saw
        generation = self.manifest.generation()
        if generation != self._store_generation:
            self.store.reopen()
            self._store_generation = generation

    @cached_property
    def reranker(self) -> Reranker:
        s = self.settings
        if s.rerank_model_dir is not None:
            return CrossEncoderReranker(s.rerank_model_dir, s.rerank_depth)
        return SentenceReranker(self.embedder, s.rerank_depth)

    @cached_property
    def offline(self) -> OfflineAnswerer:
        s = self.settings
        return OfflineAnswerer(self.embedder, self.prompts, s.max_quotes, s.min_answer_score)

    @cached_property
    def answerer(self) -> Answerer:
        """The configured answerer: the LLM one when a backend is set, else offline quotes.

        An LLM that is configured but cannot be set up leaves the offline answerer in
        charge, with the reason in `llm_problem`.
        """
        try:
            model = chat_model(self.settings)
        except LLMConfigError as e:
            log.warning("LLM not used: %s", e)
            self.llm_problem = str(e)
            return self.offline
        if model is None:
            return self.offline
        name = describe(self.settings)
        return LLMAnswerer(model, name, self.offline, self.settings, self.prompts)

    @cached_property
    def keyword(self) -> KeywordIndex:
        return KeywordIndex(self.settings.keyword_dir)

    def _sync_keyword(self, force: bool = False) -> None:
        """Bring the keyword index in step with the manifest (after writes or a crash)."""
        if not force and self.keyword.generation == self.manifest.generation():
            return
        with self.lock:
            # Another process may have written the archive and saved a newer index.
            self.__dict__["keyword"] = KeywordIndex(self.settings.keyword_dir)
            generation = self.manifest.generation()
            if not force and self.keyword.generation == generation:
                return
            versions = self.manifest.all_versions()

            def every_row() -> Iterator[Row]:
                return (Row(*r) for r in self.store.rows())

            if force:
                self.keyword.rebuild(every_row(), versions, generation, self.steps)
                return
            self.keyword.update(
                versions,
                lambda doc_ids: (Row(*r) for r in self.store.rows(doc_ids)),
                every_row,
                generation,
                self.steps,
            )

    def rebuild_keyword_index(self) -> None:
        """Rebuild the keyword index from the chunk store (repair)."""
        self._sync_keyword(force=True)

    def _version(self, article: Article) -> str:
        s = self.settings
        recipe = f"{article.content_hash}|{s.chunk_max_words}|{s.chunk_overlap_sentences}|"
        recipe += f"{s.embedding_name}|{SCHEMA}"
        return hashlib.sha256(recipe.encode()).hexdigest()[:12]

    # -- writing -------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Path], progress: Progress | None = None) -> list[FileResult]:
        """Ingest files and folders; one bad file is skipped with a reason, never fatal."""
        max_bytes = self.max_upload_bytes
        readers = [(str(p), partial(read_article, p, max_bytes)) for p in expand_paths(paths)]
        return self._ingest_all(readers, progress)

    def ingest_uploads(
        self, uploads: list[tuple[str, bytes]], progress: Progress | None = None
    ) -> list[FileResult]:
        """Ingest files given as (file name, content); nothing is written but the archive."""
        readers = [
            (name, partial(parse_upload, name, data, self.max_upload_bytes))
            for name, data in uploads
        ]
        return self._ingest_all(readers, progress)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1e6)

    def _ingest_all(
        self, readers: list[tuple[str, Callable[[], Article]]], progress: Progress | None
    ) -> list[FileResult]:
        results: list[FileResult] = []
        with self._writing():
            self._recover()
            for i, (label, read) in enumerate(readers, start=1):
                try:
                    result = self.add(read(), label)
                except ArticleError as e:
                    result = FileResult(label, "skipped", reason=str(e))
                except OSError as e:
                    result = FileResult(
                        label, "skipped", reason=f"cannot read file: {e.strerror or e}"
                    )
                results.append(result)
                if progress:
                    progress(i, len(readers), result)
            self._sync_keyword()
            self._store_generation = self.manifest.generation()  # our own writes
        return results

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the archive's write lock; say so if another process has it."""
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            log.warning(
                "another ingest or delete is running on %s; waiting for it to finish",
                self.settings.data_dir,
            )
            self.lock.acquire()
        try:
            yield
        finally:
            self.lock.release()

    def seed_if_new(self, progress: Progress | None = None) -> list[FileResult]:
        """On the very first start of a data directory, ingest the bundled seed articles."""
        seeds = self.settings.seed_dir
        if not self.is_new or seeds is None or not seeds.is_dir():
            return []
        return self.ingest([seeds], progress)

    def add(self, article: Article, path: str = "") -> FileResult:
        """Add or replace one article. The caller holds the ingest lock."""
        version = self._version(article)
        current = self.manifest.version(article.doc_id)
        found = FileResult(path or article.source, "", article.doc_id, article.title)
        if current == version:
            return _with(found, "unchanged", self.manifest.document(article.doc_id))
        s = self.settings
        chunks = chunk_article(article, s.chunk_max_words, s.chunk_overlap_sentences, version)
        texts = [f"{article.title}\n{c.text}" for c in chunks]
        spans = [_spans(article.title, c) for c in chunks]
        vectors, pooled = embed_passages(self.embedder, texts, spans)
        step = self.steps
        self.manifest.begin(article.doc_id, version)
        step(f"pending version of {article.doc_id} noted")
        self.store.add(article, chunks, vectors, version)
        step(f"new chunks of {article.doc_id} written")
        self.manifest.commit(article, version, len(chunks), SentenceVectors.of(chunks, pooled))
        step(f"manifest switched to the new version of {article.doc_id}")
        self.store.delete(article.doc_id, keep_version=version)
        step(f"old chunks of {article.doc_id} deleted")
        self.manifest.finish(article.doc_id)
        step(f"{article.doc_id} no longer pending")
        status = "added" if current is None else "updated"
        return FileResult(found.path, status, article.doc_id, article.title, len(chunks))

    def _recover(self) -> None:
        """Delete chunks left by an ingest that crashed before or after its commit."""
        for doc_id in self.manifest.pending():
            version = self.manifest.version(doc_id)
            if version is None:
                self.store.delete(doc_id)
            else:
                self.store.delete(doc_id, keep_version=version)
            self.steps(f"chunks left by a crash on {doc_id} deleted")
            self.manifest.finish(doc_id)
            self.steps(f"{doc_id} recovered")

    def delete(self, doc_id: str) -> bool:
        """Remove a document and all its chunks; False if there is no such document."""
        with self._writing():
            self.manifest.begin(doc_id, "")
            self.steps(f"deletion of {doc_id} noted")
            found = self.manifest.remove(doc_id)
            self.steps(f"{doc_id} removed from the manifest")
            self.store.delete(doc_id)
            self.steps(f"chunks of {doc_id} deleted")
            self.manifest.finish(doc_id)
            self.steps(f"{doc_id} no longer pending")
            self._sync_keyword()
            self._store_generation = self.manifest.generation()
        return found

    # -- reading -------------------------------------------------------------------------

    def documents(self) -> list[DocInfo]:
        return self.manifest.documents()

    def sites(self) -> list[str]:
        """The sites the archive's articles come from, for filtering."""
        return sorted({site_of(d.url) for d in self.documents()} - {""})

    def document(self, doc_id: str) -> tuple[DocInfo, str] | None:
        """A document's manifest row and full text, for reading it with citations marked."""
        return self.manifest.document(doc_id)

    def search(
        self,
        query: str,
        k: int | None = None,
        as_of: dt.date | None = None,
        mode: str = "",
        per_doc: int | None = None,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """The k best chunks for the query, from current document versions only.

        `mode` is "hybrid+rerank", "hybrid" (dense and BM25 fused), "dense" or "keyword";
        the default comes from settings.
        With `as_of`, articles published after that day are left out (undated ones stay);
        `filters` limit publication dates and sites further.
        """
        s = self.settings
        k, mode = k or s.top_k, mode or s.search_mode
        if self.manifest.count() == 0:
            return []
        pool = max(4 * k, 40)
        limits = (filters or Filters()).capped(as_of)
        dense: list[Hit] = []
        self._sync_store()
        if mode != "keyword":
            vector = self.embedder.embed([query])[0]
            dense = self.store.query(vector, pool, limits)
        keyword: list[tuple[str, float]] = []
        if mode != "dense":
            self._sync_keyword()
            keyword = self.keyword.search(query, pool, limits)
        # BM25's ranking must include the chunks dense search found too; fetch only the rest.
        found = {h.chunk_id: h for h in dense}
        found.update(
            {h.chunk_id: h for h in self.store.get([c for c, _ in keyword if c not in found])}
        )
        keyword_hits = [
            replace(found[cid], keyword_score=score) for cid, score in keyword if cid in found
        ]
        today = as_of or dt.date.today()
        hits = fuse(
            dense,
            keyword_hits,
            Fusion(s.fusion_keyword_weight, s.fusion_date_weight, s.fusion_recency_weight),
            question_range(query, today),
        )
        versions = self.manifest.versions(list({h.doc_id for h in hits}))
        current = [h for h in hits if versions.get(h.doc_id) == h.version]
        if mode == "hybrid+rerank":
            current = self.reranker.rerank(query, current)
        kept = cap_per_doc(current, per_doc or s.max_chunks_per_doc, k)
        return [replace(h, rank=i) for i, h in enumerate(kept, start=1)]

    def check_question(self, question: str) -> str:
        """The question, stripped; QuestionError with the user-facing reason if unusable."""
        question = question.strip()
        if not question:
            raise QuestionError(self.prompts["empty_question"].format())
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(self.prompts["question_too_long"].format(limit=limit))
        return question

    def ask(
        self,
        question: str,
        as_of: dt.date | None = None,
        filters: Filters | None = None,
        history: list[tuple[str, str]] | None = None,
        on_token: OnToken | None = None,
        offline: bool = False,
        k: int | None = None,
    ) -> Answer:
        """Answer from the archive with cited claims, or say that it does not answer.

        `history` holds earlier (question, answer) turns: with an LLM a follow-up question
        is rewritten to stand alone before searching. `on_token` receives the LLM's answer
        as it streams. `offline` answers with quotes even when an LLM is configured.
        """
        question = self.check_question(question)
        if self.manifest.count() == 0:
            text = self.prompts["empty_archive"].format()
            return Answer(question, text, abstained=True)
        answerer = self.offline if offline else self.answerer
        query = answerer.standalone(question, history or [])
        s = self.settings
        k = k or s.top_k
        wide = max(k, s.conflict_k)
        hits = self.search(query, wide, as_of, per_doc=s.answer_chunks_per_doc, filters=filters)
        hits = self._with_sentence_vectors(hits)
        answer = answerer.answer(query, hits[:k], on_token, more=hits[k:])
        return replace(answer, question=question) if query != question else answer

    def _with_sentence_vectors(self, hits: list[Hit]) -> list[Hit]:
        """The hits with their sentences' vectors from ingest, so answering embeds none."""
        stored = self.manifest.sentence_vectors(list({h.doc_id for h in hits}))
        return [
            replace(h, sentence_vectors=stored[h.doc_id].for_hit(h)) if h.doc_id in stored else h
            for h in hits
        ]


def _with(result: FileResult, status: str, doc: tuple[DocInfo, str] | None) -> FileResult:
    chunks = doc[0].chunks if doc else 0
    return FileResult(result.path, status, result.doc_id, result.title, chunks)


def _spans(title: str, chunk: Chunk) -> list[tuple[int, int]]:
    """Character spans of the headline and of each sentence in the text embedded for
    `chunk` (the headline, a newline, the chunk's text)."""
    shift = len(title) + 1 - chunk.start
    return [(0, len(title)), *((s.start + shift, s.end + shift) for s in chunk.sentences)]
