"""The archive's verbs: ingest files, search, ask, list, delete. CLI and UI call only these.

A thin facade: the writer (rag/ingest/writer.py) makes every change, the retriever
(rag/search/retriever.py) ranks passages and the reader (rag/search/reading.py) reads them
for answers and timelines, rag/answer/ writes and checks answers; the parts they use are
built by rag/backends.py.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from rag.answer.compose import Composer, Reading
from rag.answer.quotes import Answerer, OnToken
from rag.answer.types import Answer
from rag.answer.weights import AnswerWeights
from rag.backends import Backends
from rag.index.manifest import Manifest
from rag.index.quotes import Speaker
from rag.index.stories import summarize
from rag.index.sync import InStep
from rag.ingest.articles import expand_paths
from rag.ingest.writer import Preparer, Progress, Writer
from rag.search.reading import Reader
from rag.search.retriever import Retriever
from rag.settings import Settings
from rag.sources import Sources
from rag.text.patterns import content_words
from rag.text.topic import Topic, topic_words
from rag.timeline.build import Timeline, asks_timeline, build_timeline, request_problem
from rag.types import DocInfo, FileResult, Filters, Hit, Quote, Story, site_of

Fields = dict[str, str] | None  # an export's field names (rag/ingest/bulk.py)
TIMELINE_PASSAGES = 600  # how many passages on the topic a timeline is built from
QUOTES_RANKED = 500  # a speaker's newest quotes ranked by closeness to `about`


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message is for the user."""


def _refuse(problem: str | None) -> None:
    """A QuestionError giving `problem` as the reason, if there is one."""
    if problem:
        raise QuestionError(problem)


class Archive:
    """A news archive in a data directory: Chroma chunks, SQLite manifest, BM25 index.

    `backends` supplies the model, stores and answerer; by default they are built from
    `settings` on first use (a test passes Backends(settings, embedder) to share a model).
    """

    def __init__(self, settings: Settings | None = None, backends: Backends | None = None):
        self.settings = settings or Settings()
        self.backends = backends or Backends(self.settings)
        self._first_start = not self.settings.manifest_path.exists()
        self.manifest = Manifest(self.settings.manifest_path)
        self._sync = InStep(self.manifest, self.backends)
        self.writer = Writer(self.settings, self.manifest, self.backends, self._sync)
        self.sources = Sources(self.settings, self.writer)
        self._retriever = Retriever(self.settings, self.backends, self.manifest, self._sync)
        self._reader = Reader(self._retriever)
        self._composer = Composer(self.settings, self.backends, self.manifest, self._reader)
        self._candidates: dict = {}  # what tuned() copies share

    def tuned(self, **settings: object) -> Archive:
        """The same archive (store, index, model) searched and answered under other settings:
        what the evaluation's cross-validation tries (rag/eval/folds.py). The copies share
        each query's search candidates, so the archive must not change while they are used."""
        other = copy.copy(self)
        other.settings = self.settings.model_copy(update=settings)
        other._retriever = Retriever(
            other.settings, self.backends, self.manifest, self._sync, self._candidates
        )
        other._reader = Reader(other._retriever)
        other._composer = Composer(other.settings, self.backends, self.manifest, other._reader)
        return other

    def warm_up(self) -> None:
        """Load the model and open the stores now, so that the first question does not wait;
        repair what a crashed writer left (searches only read, never repair)."""
        self.backends.embedder.embed(["warm up"])
        self.writer.catch_up()

    def message(self, name: str, **values: object) -> str:
        """One of the user-facing texts in prompts/, filled in."""
        return self.backends.prompts[name].format(**values)

    @property
    def llm(self) -> tuple[str, str]:
        """(name of the LLM that writes answers, or "" for offline quotes; why a configured
        LLM is not used, or "")."""
        b = self.backends
        return ("" if b.answerer is b.offline else b.answerer.name), b.llm_problem

    # -- writing -------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None, fields: Fields = None
    ) -> list[FileResult]:
        """Ingest files and folders; one bad file is skipped with a reason, never fatal."""
        return list(self.ingest_stream(paths, progress, fields))

    def ingest_stream(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        fields: Fields = None,
        preparer: Preparer | None = None,
    ) -> Iterator[FileResult]:
        """`ingest` one result at a time, for exports of any size (rag/ingest/bulk.py): an
        export named is read record by record, its fields named as `fields` says. A
        `preparer` (rag/ingest/cluster.py: a Ray cluster) does the costly part elsewhere."""
        return self.sources.files(expand_paths(paths), progress, fields, preparer)

    def ingest_uploads(
        self, uploads: list[tuple[str, bytes]], progress: Progress | None = None
    ) -> list[FileResult]:
        """Ingest files given as (file name, content); nothing is written but the archive."""
        return list(self.sources.uploads(uploads, progress))

    def ingest_urls(self, urls: list[str], progress: Progress | None = None) -> list[FileResult]:
        """Fetch pages and add their articles (rag/sources/fetch.py says what is refused)."""
        return self.sources.fetch(urls, progress)

    @property
    def max_upload_bytes(self) -> int:
        return self.sources.max_bytes

    def seed_if_new(self, progress: Progress | None = None) -> list[FileResult]:
        """On the very first start of a data directory, ingest the bundled seed articles."""
        seeds = self.settings.seed_dir
        if not self._first_start or seeds is None or not seeds.is_dir():
            return []
        results = self.ingest([seeds], progress)
        self._first_start = False
        return results

    @property
    def needs_seeding(self) -> bool:
        """True until the seeds have been ingested into a data directory made just now."""
        return self._first_start and self.settings.seed_dir is not None

    def delete(self, doc_id: str) -> bool:
        """Remove a document and all its chunks; False if there is no such document."""
        return self.writer.delete(doc_id)

    def rebuild_keyword_index(self) -> int:
        """Rebuild the keyword index from the chunk store (repair); how many chunks it holds."""
        self.writer.update_keyword(rebuild=True)
        return len(self.backends.keyword.chunk_ids)

    # -- reading -------------------------------------------------------------------------

    def documents(self) -> list[DocInfo]:
        return self.manifest.documents()

    def sites(self) -> list[str]:
        """The sites the archive's articles come from, for filtering."""
        return sorted({site_of(d.url) for d in self.documents()} - {""})

    def document(self, doc_id: str) -> tuple[DocInfo, str] | None:
        """A document's manifest row and full text, for reading it with citations marked."""
        return self.manifest.document(doc_id)

    def copies(self, doc_id: str) -> list[DocInfo]:
        """The near-duplicates of a document (its `copy_of` names it), earliest first."""
        return self.manifest.related.copies_of(doc_id)

    def reported_with(self, doc_id: str) -> tuple[DocInfo, ...]:
        """The other articles of the document's story that are not near-copies of it."""
        return self.manifest.related.reported_with(doc_id)

    def stories(self, min_size: int = 1) -> list[Story]:
        """The archive's stories of at least `min_size` articles, most recent first."""
        return [s for s in summarize(self.documents()) if len(s.documents) >= min_size]

    def quotes(
        self,
        speaker: str = "",
        about: str = "",
        as_of: dt.date | None = None,
        filters: Filters | None = None,
        limit: int = 100,
        doc_id: str = "",
    ) -> list[Quote]:
        """What `speaker` is reported to have said (every attribution when empty), newest
        first, or the closest to `about` first; of one document if `doc_id`."""
        f = filters or Filters()
        _refuse(f.problem())
        found = self.manifest.quotes.find(speaker, f.capped(as_of), doc_id)
        if about.strip() and found:
            found = found[:QUOTES_RANKED]
            vectors = self.backends.embedder.embed([about, *(q.text for q in found)])
            asked = content_words(about)
            closeness = [
                float(v @ vectors[0])
                + 0.3 * len(asked & content_words(q.text)) / max(len(asked), 1)
                for q, v in zip(found, vectors[1:])
            ]
            found = [q for _, q in sorted(zip(closeness, found), key=lambda p: -p[0])]
        return found[:limit]

    def speakers(self, filters: Filters | None = None, limit: int = 50) -> list[Speaker]:
        """Who the archive quotes most, with their dates and what they speak of."""
        f = filters or Filters()
        _refuse(f.problem())
        return self.manifest.quotes.speakers(f, limit)

    def find_documents(self, query: str, limit: int = 100) -> list[tuple[DocInfo, Hit]]:
        """Documents whose text holds the query's words (full text, by the keyword index),
        best first, each with its best passage."""
        if not query.strip():
            return []
        best: dict[str, Hit] = {}
        for hit in self.search(query, k=limit, mode="keyword", per_doc=1, copies=True):
            best.setdefault(hit.doc_id, hit)  # the search fills up with second passages
        docs = self.manifest.infos(list(best))  # only the hits' rows
        return [(docs[d], hit) for d, hit in best.items() if d in docs]

    def search(
        self,
        query: str,
        k: int | None = None,
        as_of: dt.date | None = None,
        mode: str = "",
        per_doc: int | None = None,
        filters: Filters | None = None,
        copies: bool = False,
    ) -> list[Hit]:
        """The k best chunks for the query, from current document versions only.

        `mode` is "hybrid+rerank", "hybrid" (dense and BM25 fused), "dense" or "keyword";
        the default comes from settings.
        With `as_of`, articles published after that day are left out (undated ones stay);
        `filters` limit publication dates and sites further. Near-copies of an article give
        one hit, the best, unless `copies`; and the first hits come from different stories,
        each with the other reports of its story that the search found (`Hit.also`).
        """
        s = self.settings
        _refuse((filters or Filters()).problem())
        if self.manifest.count() == 0:
            return []
        k, mode, per_doc = k or s.top_k, mode or s.search_mode, per_doc or s.max_chunks_per_doc
        return self._retriever.search(query, k, as_of, mode, per_doc, filters, copies)

    def check_question(self, question: str) -> str:
        """The question, stripped; QuestionError with the user-facing reason if unusable."""
        question = question.strip()
        if not question:
            raise QuestionError(self.message("empty_question"))
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(self.message("question_too_long", limit=limit))
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
        closest: bool = False,
        copies: bool = False,
    ) -> Answer:
        """Answer from the archive with cited claims, or say that it does not answer.

        `history` holds earlier (question, answer) turns: with an LLM a follow-up question
        is rewritten to stand alone before searching. `on_token` receives the LLM's answer
        as it streams. `offline` answers with quotes even when an LLM is configured.
        A question about a period from which the archive holds no answer is refused with
        the reason; `closest` answers it from the nearest reports instead. Near-copies of an
        article are one source (each citation names the others) unless `copies`.
        """
        question = self.check_question(question)
        _refuse((filters or Filters()).problem())
        if self.manifest.count() == 0:
            return Answer(question, self.message("empty_archive"), abstained=True)
        answerer = self.backends.offline if offline else self.backends.answerer
        query = answerer.standalone(question, history or [])
        reading = self.read(question, query, as_of, filters, k, copies)
        return self.write(reading, answerer, on_token, closest)

    def read(
        self,
        question: str,
        query: str,
        as_of: dt.date | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        copies: bool = False,
    ) -> Reading:
        """What an answer to `query` is written from (rag/answer/compose.py)."""
        return self._composer.read(question, query, as_of, filters, k, copies)

    def write(
        self,
        reading: Reading,
        answerer: Answerer,
        on_token: OnToken | None = None,
        closest: bool = False,
        weights: AnswerWeights | None = None,
    ) -> Answer:
        """The answer written from `reading`, or why the archive does not answer
        (rag/answer/compose.py)."""
        return self._composer.write(reading, answerer, on_token, closest, weights)

    def timeline(
        self,
        query: str,
        since: dt.date | None = None,
        until: dt.date | None = None,
        as_of: dt.date | None = None,
        dates: int | None = None,
        per_date: int | None = None,
        filters: Filters | None = None,
        days: list[dt.date] | None = None,
    ) -> Timeline:
        """The story's dated events, each an exact quote of the archive with its citation
        (rag/timeline/build.py), from the `TIMELINE_PASSAGES` passages found on the topic;
        on the `days` given (what happened then), else on the days it chooses."""
        query = self.check_question(query)
        f = filters or Filters()
        limits = Filters(since or f.since, until or f.until, f.sites)
        _refuse(request_problem(dates, per_date) or limits.problem())
        limits = limits.capped(as_of)
        topic = asks_timeline(query) or query  # "timeline of X": X
        vector = self.backends.embedder.embed([topic])[0]
        hits, articles = self._reader.wide(topic, vector, TIMELINE_PASSAGES, as_of, limits)
        furniture = self._reader.furniture(hits)
        words = Topic(self._reader.rarity(topic_words(topic)))
        return build_timeline(query, hits, vector, furniture, dates, per_date, limits.since,
                              limits.until, days, articles, words)  # fmt: skip
