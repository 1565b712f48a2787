"""The pipeline a user would copy from the LangChain and Chroma tutorials, for comparison.

RecursiveCharacterTextSplitter(800, 80), the same bundled MiniLM, Chroma.from_documents and
similarity_search(k): every gain we report is a ratio against this, measured in the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.index.embeddings import Encoder


class LangChainEmbeddings(Embeddings):
    """Our offline encoder behind LangChain's Embeddings interface."""

    def __init__(self, embedder: Encoder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0].tolist()


def tutorial_store(files: list[Path], folder: Path, embedder: Encoder) -> Chroma:
    """Build (or reopen, if already built in `folder`) the tutorial pipeline's store."""
    embeddings = LangChainEmbeddings(embedder)
    settings = ChromaSettings(anonymized_telemetry=False)
    store = Chroma(
        embedding_function=embeddings, persist_directory=str(folder), client_settings=settings
    )
    if store._collection.count() > 0:
        return store
    splitter = RecursiveCharacterTextSplitter(chunk_size=800, chunk_overlap=80)
    docs: list[Document] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        docs += splitter.create_documents([text], metadatas=[{"source": path.name}])
    return Chroma.from_documents(
        docs, embeddings, persist_directory=str(folder), client_settings=settings
    )


def tutorial_search(store: Chroma, k: int) -> Callable[[str], list[str]]:
    """query -> the source file names of the top k chunks."""

    def search(query: str) -> list[str]:
        return [d.metadata["source"] for d in store.similarity_search(query, k=k)]

    return search
