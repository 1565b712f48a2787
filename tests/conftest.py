from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag.embeddings import Embedder
from rag.pipeline import Archive
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BLINKEN = "US Secretary of State Antony Blinken on Tuesday ruled out an in-person meeting"


@pytest.fixture(autouse=True)
def _no_rag_env(monkeypatch):
    """Tests build their own settings; the developer's RAG_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(Settings().embedding_model_dir)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seed_dir=None)


@pytest.fixture
def archive(settings: Settings, embedder: Embedder) -> Archive:
    """An empty archive in a temp dir, with the real model and a real Chroma store."""
    archive = Archive(settings)
    archive.embedder = embedder  # share the loaded model across tests
    return archive


@pytest.fixture
def seeded(archive: Archive) -> Archive:
    archive.ingest([SEEDS])
    return archive


def write_article(folder: Path, name: str, title: str, date: str, url: str, *paras: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([title, date, url, *paras]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the seed folder that a test may modify."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
