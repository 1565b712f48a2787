"""The archive as a LangChain retriever: passages as Documents whose metadata says where
each lies (document id, title, date, url, chunk id, start/end offsets in the article)."""

from __future__ import annotations

import datetime as dt

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from rag.pipeline import Archive
from rag.shapes import hit_json
from rag.types import Filters


class ArchiveRetriever(BaseRetriever):
    """Hybrid search over an Archive, at most one passage per article.

    >>> retriever = ArchiveRetriever(archive=Archive(), k=4)
    >>> retriever.invoke("What did Blinken say about a summit?")[0].metadata["title"]
    'Putin Says Russia Has Nowhere to Retreat over Ukraine'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    archive: Archive
    k: int = Field(6, gt=0, le=100, description="how many passages")
    as_of: dt.date | None = None  # leave out articles published after
    filters: Filters = Field(default_factory=Filters)  # publication dates and sites

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        hits = self.archive.search(query, k or self.k, as_of=self.as_of, filters=self.filters)
        documents = []
        for hit in hits:
            metadata = hit_json(hit)
            del metadata["text"]
            for report in metadata["also"]:  # the story's other reports: where, not what
                del report["text"]
            documents.append(Document(hit.text, id=hit.chunk_id, metadata=metadata))
        return documents
